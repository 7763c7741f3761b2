"""The child process that runs python-calamine on an untrusted workbook (see sandbox.py).

Run as a script, not imported: it reads one pickled request from stdin, caps its own address
space and CPU time first, and writes its answer to stdout as frames (marshal, or pickle for
dates): the workbook's sheets (or the error), then the rows a chunk at a time, then an end
mark, so that the server unpacks one chunk while this process converts the next.
It imports only the standard library and python_calamine, so it starts in a few tens of
milliseconds, and a native abort or a blow-up in the reader kills this process, never the server.
"""

from __future__ import annotations

import gc
import io
import marshal
import os
import pickle
import resource
import struct
import sys
from collections.abc import Iterator
from itertools import islice

CHUNK_ROWS = 8192  # rows per frame: a few MB, unpacked in ~10 ms
END = b"E" + struct.pack("<Q", 0)  # the last frame: every row was sent


def _limit(memory_bytes: int, cpu_seconds: int) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 1))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def _read(data: bytes, sheet: str | None) -> tuple[dict, Iterator[list]]:
    import python_calamine as calamine

    try:
        book = calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    except calamine.PasswordError:
        return {"error": "password"}, iter(())
    worksheets = [m for m in book.sheets_metadata if m.typ == calamine.SheetTypeEnum.WorkSheet]
    names = [m.name for m in worksheets]
    if not names:
        return {"error": "no_sheets"}, iter(())
    if sheet is not None:
        if sheet not in names:
            return {"error": "no_such_sheet", "sheets": names}, iter(())
        loaded = book.get_sheet_by_name(sheet)
        chosen = sheet
    else:
        visible = [m.name for m in worksheets if m.visible == calamine.SheetVisibleEnum.Visible]
        visible = visible or names
        sheets = {name: book.get_sheet_by_name(name) for name in visible}
        chosen = max(visible, key=lambda n: (sheets[n].height * sheets[n].width, -visible.index(n)))
        loaded = sheets[chosen]
    merged = [tuple(map(tuple, r)) for r in (loaded.merged_cell_ranges or [])]
    return {"sheets": names, "chosen": chosen, "merged": merged}, _rows(loaded)


def _rows(sheet) -> Iterator[list]:
    """The sheet's rows from A1, as to_python(skip_empty_area=False) lists them: one by one
    when the cells start at A1 (iter_rows yields those very rows), else all at once (iter_rows
    leaves out the empty columns on the left)."""
    if sheet.start == (0, 0):
        return sheet.iter_rows()
    return iter(sheet.to_python(skip_empty_area=False))


def _packed(answer: dict | list) -> bytes:
    """One frame: marshal when the cells are text and numbers (no Python code runs to read it
    back, and it is several times faster both ways), else pickle (dates, times); a first byte
    says which, the next eight the length of what follows."""
    try:
        kind, body = b"M", marshal.dumps(answer)
    except ValueError:
        kind, body = b"P", pickle.dumps(answer, protocol=pickle.HIGHEST_PROTOCOL)
    return kind + struct.pack("<Q", len(body)) + body


def _frames(data: bytes, sheet: str | None) -> Iterator[bytes]:
    """The answer's frames: the sheets, the rows chunk by chunk, the end; or one error."""
    try:
        answer, rows = _read(data, sheet)
        yield _packed(answer)
        if "error" in answer:
            return
        while chunk := list(islice(rows, CHUNK_ROWS)):
            yield _packed(chunk)
    except MemoryError:
        yield _packed({"error": "memory"})
        return
    except Exception as error:  # calamine raises several unrelated types for bad files
        yield _packed({"error": "unreadable", "detail": f"{type(error).__name__}: {error}"[:200]})
        return
    yield END


def main() -> None:
    gc.disable()  # a short life: millions of cells made at once would set the collector off
    request = pickle.load(sys.stdin.buffer)
    _limit(request["memory_bytes"], request["cpu_seconds"])
    for frame in _frames(request["data"], request["sheet"]):
        sys.stdout.buffer.write(frame)
        sys.stdout.buffer.flush()
    # Everything is sent: end now. Freeing a sheet's millions of cells one by one at exit
    # takes a tenth of a second or more, and the server waits for this process to end.
    os._exit(0)


if __name__ == "__main__":
    main()
