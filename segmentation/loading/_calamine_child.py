"""The child process that runs python-calamine on an untrusted workbook (see sandbox.py).

Run as a script, not imported: it reads one pickled request from stdin, caps its own address
space and CPU time first, and writes one answer to stdout (marshal, or pickle for dates).
It imports only the standard library and python_calamine, so it starts in a few tens of
milliseconds, and a native abort or a blow-up in the reader kills this process, never the server.
"""

from __future__ import annotations

import gc
import io
import marshal
import pickle
import resource
import sys


def _limit(memory_bytes: int, cpu_seconds: int) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 1))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def _read(data: bytes, sheet: str | None) -> dict:
    import python_calamine as calamine

    try:
        book = calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    except calamine.PasswordError:
        return {"error": "password"}
    worksheets = [m for m in book.sheets_metadata if m.typ == calamine.SheetTypeEnum.WorkSheet]
    names = [m.name for m in worksheets]
    if not names:
        return {"error": "no_sheets"}
    if sheet is not None:
        if sheet not in names:
            return {"error": "no_such_sheet", "sheets": names}
        loaded = book.get_sheet_by_name(sheet)
        chosen = sheet
    else:
        visible = [m.name for m in worksheets if m.visible == calamine.SheetVisibleEnum.Visible]
        visible = visible or names
        sheets = {name: book.get_sheet_by_name(name) for name in visible}
        chosen = max(visible, key=lambda n: (sheets[n].height * sheets[n].width, -visible.index(n)))
        loaded = sheets[chosen]
    rows = loaded.to_python(skip_empty_area=False)
    merged = [tuple(map(tuple, r)) for r in (loaded.merged_cell_ranges or [])]
    return {"sheets": names, "chosen": chosen, "rows": rows, "merged": merged}


def _packed(answer: dict) -> bytes:
    """marshal when the cells are text and numbers (no Python code runs to read it back, and
    it is several times faster both ways), else pickle (dates, times); a first byte says which."""
    try:
        return b"M" + marshal.dumps(answer)
    except ValueError:
        return b"P" + pickle.dumps(answer, protocol=pickle.HIGHEST_PROTOCOL)


def main() -> None:
    gc.disable()  # a short life: millions of cells made at once would set the collector off
    request = pickle.load(sys.stdin.buffer)
    _limit(request["memory_bytes"], request["cpu_seconds"])
    try:
        answer = _read(request["data"], request["sheet"])
    except MemoryError:
        answer = {"error": "memory"}
    except Exception as error:  # calamine raises several unrelated types for bad files
        answer = {"error": "unreadable", "detail": f"{type(error).__name__}: {error}"[:200]}
    sys.stdout.buffer.write(_packed(answer))
    sys.stdout.buffer.flush()


if __name__ == "__main__":
    main()
