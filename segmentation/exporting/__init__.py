"""Write a segmented book to CSV or XLSX, safe to open (docs/interfaces.md section 5).

- Text that a spreadsheet could run as a formula (it starts with = + - @, a tab, CR or LF,
  or a full-width = + - @) gets a `'` prefix in CSV; in XLSX every text is a text cell, and
  those cells also carry Excel's "quote prefix" style so editing them keeps them text.
- Numbers stay numbers, negatives included. That covers text that is wholly a plain number
  (the loader keeps the input's own columns as text: "-5", "1200.5"): a number cell in XLSX,
  written as-is in CSV. Text like "00123" (leading zeros), "-2+3" or a number of more than 15
  digits stays text; so do the canonical id, text and category columns, which are text on
  purpose. Nothing is truncated: a value Excel cannot hold (a text over 32,767 characters, a
  book over 1,048,576 rows) is refused with InputError.
- Writing to a path goes through a temporary file, so an error never leaves a partial file.

The Accounts sheet is the big one (100k rows x 40 columns is 4M cells). xlsxwriter's per-cell
API costs about 6 microseconds a cell (25 s for that book), so that sheet's cell XML is built
column by column with pyarrow string kernels, 20,000 rows at a time, and handed to xlsxwriter
(see `_AccountsSheet`); xlsxwriter still writes everything else (styles, shared strings,
panes, filter, the other sheets). CSV is built the same way (each column rendered with pyarrow's
string cast, as its CSV writer does), which lets a cell holding a plain number go unquoted.
"""

from __future__ import annotations

import io
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, BinaryIO

import pandas as pd

from segmentation.errors import InputError
from segmentation.exporting.columns import export_columns
from segmentation.exporting.csv_file import write_csv
from segmentation.exporting.safety import formula_like, neutralise_text
from segmentation.exporting.workbook import write_plain_xlsx, write_xlsx
from segmentation.segment import with_reasons

__all__ = [
    "export",
    "export_bytes",
    "format_for_path",
    "formula_like",
    "neutralise_text",
    "write_atomically",
    "write_plain_xlsx",
]

FORMATS = {".csv": "csv", ".xlsx": "xlsx"}


def format_for_path(path: str | os.PathLike[str]) -> str:
    """The export format a file name asks for: "csv" or "xlsx"; anything else is an InputError."""
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        raise InputError(
            f"{os.fspath(path)}: unknown file extension {suffix or '(none)'!r}; use .csv or .xlsx."
        )
    return FORMATS[suffix]


def export(
    result: pd.DataFrame,
    path_or_buffer: str | os.PathLike[str] | BinaryIO,
    fmt: str | None = None,
    config: Any = None,
    report: Any = None,
    outcome: Any = None,
) -> None:
    """Write `result` as CSV or XLSX to a path or a binary file-like object.

    `fmt` defaults to the path's extension (CSV for a buffer). XLSX adds Summary, Settings
    (needs `config`) and Data report (needs `report`) sheets; CSV holds the accounts only.
    With `outcome` (a calibration Outcome, one event per row of `result`) the Summary also
    holds the calibration tables and AUCs.
    """
    if isinstance(path_or_buffer, (str, os.PathLike)):
        fmt = fmt or format_for_path(path_or_buffer)
        _check_format(fmt)
        write_atomically(
            path_or_buffer, lambda handle: _write(result, handle, fmt, config, report, outcome)
        )
    else:
        data = export_bytes(result, fmt or "csv", config=config, report=report, outcome=outcome)
        path_or_buffer.write(data)


def export_bytes(
    result: pd.DataFrame, fmt: str, config: Any = None, report: Any = None, outcome: Any = None
) -> bytes:
    """The bytes `export` would write: for download buttons."""
    _check_format(fmt)
    buffer = io.BytesIO()
    _write(result, buffer, fmt, config, report, outcome)
    return buffer.getvalue()


def write_atomically(path: str | os.PathLike[str], write: Callable[[BinaryIO], None]) -> None:
    """Run `write` on a temporary file next to `path`, then move it into place.

    On any error the temporary file is removed and an existing file at `path` is untouched.
    """
    target = Path(path)
    fd, temp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            write(handle)
        os.chmod(temp_name, _file_mode(target))
        os.replace(temp_name, target)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise


def _file_mode(target: Path) -> int:
    """The mode a plain open() would give: keep an existing file's, else 0o666 minus umask."""
    if target.exists():
        return target.stat().st_mode & 0o777
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def _check_format(fmt: str) -> None:
    if fmt not in FORMATS.values():
        raise ValueError(f"unknown export format {fmt!r}; use 'csv' or 'xlsx'")


def _write(
    result: pd.DataFrame, handle: BinaryIO, fmt: str, config: Any, report: Any, outcome: Any
) -> None:
    # The accounts are written with each column once; the summaries read the whole result
    # (its canonical `arr`, say, when the input's own header holds the revenue).
    result = with_reasons(result)  # a stage-2 result that kept its reasons as codes
    shown = export_columns(result, getattr(report, "mapping", None))
    if fmt == "csv":
        write_csv(shown, handle)
    else:
        write_xlsx(result, handle, config, report, outcome, shown=shown)
