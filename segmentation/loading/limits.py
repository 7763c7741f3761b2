"""The stated limits on what an upload may make the loader do, and their refusals.

Excel's own sheet is at most 1,048,576 rows x 16,384 columns; an account export needs far
fewer columns than that; and the cells a sheet may span grow with the upload's size, so a
2 KB file cannot declare a billion cells (a far-away cell, a wide merged range, a shared-string
table that claims more entries than it holds).
"""

from __future__ import annotations

from segmentation.errors import InputError

EXCEL_MAX_ROWS = 1_048_576
EXCEL_MAX_COLUMNS = 16_384
EXCEL_MAX_CELL_CHARS = 32_767  # the longest text Excel keeps in one cell
MAX_COLUMNS = 12_000  # wider than any account export; 10,001 columns still load
MAX_CELLS = 20_000_000  # about 2 GB as Python objects: the most any upload may span
MIN_CELLS_CAP = 1_000_000  # what even a tiny file may span (a sparse sheet is fine)
CELLS_PER_BYTE = 40  # a dense 100k x 22 workbook spans about 0.2 cells per byte
_AGAIN = "export the accounts again as .xlsx or .csv and upload that."


def cells_cap(upload_bytes: int) -> int:
    """How many cells a sheet of an upload of this size may span."""
    return min(MAX_CELLS, max(MIN_CELLS_CAP, CELLS_PER_BYTE * upload_bytes))


def check_extent(name: str, what: str, rows: int, columns: int, upload_bytes: int) -> None:
    """Refuse a sheet (or one of its parts) that spans more than the limits allow."""
    if rows > EXCEL_MAX_ROWS or columns > EXCEL_MAX_COLUMNS:
        raise InputError(
            f"{name} has {what} reaching row {rows:,}, column {columns:,}, beyond Excel's own "
            f"{EXCEL_MAX_ROWS:,} rows x {EXCEL_MAX_COLUMNS:,} columns; {_AGAIN}"
        )
    check_columns(name, columns)
    cap = cells_cap(upload_bytes)
    if rows * columns > cap:
        raise InputError(
            f"{name} has {what} spanning {rows:,} rows x {columns:,} columns, more than the "
            f"{cap:,} cells a file of this size may hold; {_AGAIN}"
        )


def check_columns(name: str, columns: int) -> None:
    """Refuse a table wider than MAX_COLUMNS."""
    if columns > MAX_COLUMNS:
        raise InputError(
            f"{name} has {columns:,} columns, more than the {MAX_COLUMNS:,} an account export "
            f"may have; {_AGAIN}"
        )


def refuse(name: str, problem: str) -> InputError:
    """The refusal for any other limit: the problem, then what to do."""
    return InputError(f"{name} {problem}; {_AGAIN}")
