"""Memory soak: repeated uploads in one app session, then the session let go.

    python -m bench soak                   # ten uploads of a 100k-account CSV
    python -m bench soak --uploads 5 --rows 20000

Prints the process's resident memory after each upload (a new upload must free the previous
book, so it levels off rather than climbing), after the upload budget refuses one more, and
after the session is dropped and garbage-collected.
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")


def resident_mb() -> float:
    """This process's resident memory now (not its peak)."""
    with open("/proc/self/statm") as handle:
        pages = int(handle.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 1024**2


def _book_bytes(rows: int, seed: int) -> bytes:
    import io

    from segmentation.sample import generate_accounts, to_crm_headers

    buffer = io.BytesIO()
    to_crm_headers(generate_accounts(rows, seed=seed)).to_csv(buffer, index=False)
    return buffer.getvalue()


def soak(uploads: int, rows: int) -> list[tuple[str, float]]:
    """(step, resident MB) after start, each upload, and the session's end."""
    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.testing.v1 import AppTest

    PagesManager.uses_pages_directory = False
    readings = [("start", resident_mb())]
    at = AppTest.from_file(APP, default_timeout=300)
    at.run()
    for number in range(1, uploads + 1):
        data = _book_bytes(rows, seed=number)
        at.file_uploader(key="upload").set_value((f"book{number}.csv", data, "text/csv")).run()
        del data
        gc.collect()
        errors = [e.value for e in at.error]
        readings.append(
            (
                f"upload {number}" + (f" (refused: {errors[0][:60]})" if errors else ""),
                resident_mb(),
            )
        )
    del at
    gc.collect()
    readings.append(("session dropped", resident_mb()))
    return readings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench soak", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--uploads", type=int, default=10)
    parser.add_argument("--rows", type=int, default=100_000)
    options = parser.parse_args(argv)
    import logging

    logging.getLogger("streamlit").setLevel(logging.ERROR)
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    print("| step | resident memory |")
    print("|---|---|")
    for step, mb in soak(options.uploads, options.rows):
        print(f"| {step} | {mb:,.0f} MB |")
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
