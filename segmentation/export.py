"""Write a segmented book to CSV or XLSX, safe to open in a spreadsheet (CONTRACT.md section 5).

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

import codecs
import dataclasses
import datetime as dt
import io
import os
import re
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import xlsxwriter
from xlsxwriter.sharedstrings import SharedStringTable
from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.worksheet import Worksheet

from segmentation.columns import CANONICAL_COLUMNS
from segmentation.config import default_config
from segmentation.errors import InputError
from segmentation.summaries import Coverage, arr_values, csm_coverage, group_summary

FORMATS = {".csv": "csv", ".xlsx": "xlsx"}
EXCEL_MAX_ROWS = 1_048_576  # header row included
EXCEL_MAX_COLUMNS = 16_384
EXCEL_MAX_CELL_CHARS = 32_767
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")

MONEY_COLUMNS = frozenset({c.name for c in CANONICAL_COLUMNS if c.kind == "money"} | {"whitespace"})
RATIO_COLUMNS = frozenset({"adoption"})  # 0-1 ratios, shown as percentages
# Canonical columns that are text on purpose: an id like "12345" is not a number to add up.
TEXT_COLUMNS = frozenset(c.name for c in CANONICAL_COLUMNS if c.kind in ("id", "text", "category"))
# Text that is wholly a plain number: no leading zeros ("00123" is an id), at most 15 digits
# (what a spreadsheet number holds exactly), finite.
PLAIN_NUMBER = r"^[-+]?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?$"
MAX_NUMBER_DIGITS = 15
WIDE_COLUMNS = {"account_name": 30, "reasons": 60, "data_issues": 40, "input_issues": 40}

# Tier colours by position in config.tiers: top strong green, middle amber, bottom grey.
TIER_COLOURS = {
    "top": {"bg_color": "#C6EFCE", "font_color": "#006100", "bold": True},
    "middle": {"bg_color": "#FFEB9C", "font_color": "#9C5700"},
    "bottom": {"bg_color": "#EDEDED", "font_color": "#3F3F3F"},
}
_ROWS_PER_CHUNK = 20_000  # rows of sheet XML built at a time, to bound memory


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
) -> None:
    """Write `result` as CSV or XLSX to a path or a binary file-like object.

    `fmt` defaults to the path's extension (CSV for a buffer). XLSX adds Summary, Settings
    (needs `config`) and Data report (needs `report`) sheets; CSV holds the accounts only.
    """
    if isinstance(path_or_buffer, (str, os.PathLike)):
        fmt = fmt or format_for_path(path_or_buffer)
        _check_format(fmt)
        write_atomically(path_or_buffer, lambda handle: _write(result, handle, fmt, config, report))
    else:
        path_or_buffer.write(export_bytes(result, fmt or "csv", config=config, report=report))


def export_bytes(result: pd.DataFrame, fmt: str, config: Any = None, report: Any = None) -> bytes:
    """The bytes `export` would write: for download buttons."""
    _check_format(fmt)
    buffer = io.BytesIO()
    _write(result, buffer, fmt, config, report)
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


def _write(result: pd.DataFrame, handle: BinaryIO, fmt: str, config: Any, report: Any) -> None:
    if fmt == "csv":
        _write_csv(result, handle)
    else:
        _write_xlsx(result, handle, config, report)


# --- neutralising formula-like text -------------------------------------------------------


def formula_like(values: pd.Series) -> np.ndarray:
    """Which cells are text that a spreadsheet could read as a formula (a bool array)."""
    if _is_object(values.dtype):  # mixed values: only the text cells can be formula-like
        return values.map(lambda v: isinstance(v, str) and v.startswith(FORMULA_STARTS)).to_numpy(
            dtype=bool
        )
    if not _is_text(values):
        return np.zeros(len(values), dtype=bool)
    text = values.astype("str") if isinstance(values.dtype, pd.CategoricalDtype) else values
    return text.str.startswith(FORMULA_STARTS).fillna(False).to_numpy(dtype=bool)


def neutralise_text(values: pd.Series, keep: np.ndarray | None = None) -> pd.Series:
    """Prefix formula-like text with `'`, as CSV needs; other cells are returned unchanged.

    `keep` marks cells to leave alone whatever they hold (plain numbers like "-5").
    """
    mask = formula_like(values)
    if keep is not None:
        mask = mask & ~keep
    if not mask.any():
        return values
    if isinstance(values.dtype, pd.CategoricalDtype):
        values = values.astype(object)
    out = values.copy()
    out[mask] = "'" + values[mask].astype(str)
    return out


def _is_text(values: pd.Series) -> bool:
    """A column of text: pandas' str dtype, or a categorical of text."""
    dtype = values.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        categories = dtype.categories.dtype
        return isinstance(categories, pd.StringDtype) or _is_object(categories)
    return isinstance(dtype, pd.StringDtype)


def _is_object(dtype: Any) -> bool:
    return pd.api.types.is_object_dtype(dtype)


def text_numbers(values: pd.Series, name: str = "") -> np.ndarray | None:
    """The number of each text cell that is wholly a plain number ("-5", "1200.5", "1e3"),
    NaN for the other cells; None when no cell is one or the column is text on purpose
    (a canonical id, text or category column, or a categorical)."""
    if name in TEXT_COLUMNS or isinstance(values.dtype, pd.CategoricalDtype):
        return None
    if not (isinstance(values.dtype, pd.StringDtype) or _is_object(values.dtype)):
        return None
    text = _arrow_text(values)
    candidate = pc.fill_null(pc.match_substring_regex(text, PLAIN_NUMBER), False)
    rows = np.flatnonzero(candidate.to_numpy(zero_copy_only=False))
    if not len(rows):
        return None
    chosen = text.take(pa.array(rows))
    parsed = pc.cast(chosen, pa.float64()).to_numpy(zero_copy_only=False)
    exact = np.isfinite(parsed)
    # Counting digits is slow: only a text longer than the digit limit can exceed it.
    long = np.flatnonzero(pc.utf8_length(chosen).to_numpy() > MAX_NUMBER_DIGITS)
    if len(long):
        mantissa = pc.replace_substring_regex(chosen.take(pa.array(long)), "[eE].*$", "")
        digits = pc.count_substring_regex(mantissa, "[0-9]").to_numpy(zero_copy_only=False)
        exact[long] &= digits <= MAX_NUMBER_DIGITS
    if not exact.any():
        return None
    numbers = np.full(len(values), np.nan)
    numbers[rows[exact]] = parsed[exact]
    return numbers


def _arrow_text(values: pd.Series) -> pa.Array:
    """A text column as an Arrow string array (zero-copy for pandas' Arrow-backed str)."""
    if isinstance(values.dtype, pd.StringDtype):
        try:
            text = pa.array(values.array)
        except (TypeError, pa.ArrowException):
            text = None
        if text is not None and pa.types.is_string(text.type):
            return text
        if text is not None and pa.types.is_large_string(text.type):
            return text.cast(pa.string())
    return pa.array(values.astype(object).to_numpy(), type=pa.string(), from_pandas=True)


# --- CSV ----------------------------------------------------------------------------------


def _write_csv(result: pd.DataFrame, handle: BinaryIO) -> None:
    """RFC 4180 CSV: every text quoted, numbers (and text that is a plain number) bare."""
    columns = [_csv_column(result.iloc[:, position]) for position in range(result.shape[1])]
    header = ",".join(_csv_quote(name) for name in _safe_headers(result.columns))
    # The byte-order mark makes Excel read the file as UTF-8, not the local code page.
    handle.write(codecs.BOM_UTF8 + (header + "\r\n").encode("utf-8"))
    for start in range(0, len(result), _ROWS_PER_CHUNK):
        cells = [column.slice(start, _ROWS_PER_CHUNK) for column in columns]
        if not cells:  # no columns: an empty line per row
            handle.write(b"\r\n" * min(_ROWS_PER_CHUNK, len(result) - start))
            continue
        fields = {"null_handling": "replace", "null_replacement": ""}
        rows = pc.binary_join_element_wise(*cells, ",", **fields)
        rows = pc.binary_join_element_wise(rows, "", "\r\n")  # row + "\r\n" + ""
        handle.write(_joined_bytes(rows))


def _joined_bytes(rows: pa.Array) -> bytes:
    """All the strings of an Arrow string array (no nulls), one after another."""
    offsets = np.frombuffer(rows.buffers()[1], dtype=np.int32)[rows.offset :]
    data = rows.buffers()[2]
    if data is None:
        return b""
    return data.to_pybytes()[offsets[0] : offsets[len(rows)]]


def _csv_quote(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _csv_column(values: pd.Series) -> pa.Array:
    """One column's CSV fields as Arrow strings (null for an empty field): numbers and
    booleans as pyarrow's CSV writer renders them, text quoted and neutralised."""
    kind = _column_kind(values)
    if kind in ("number", "bool"):
        return pc.cast(pa.array(values, from_pandas=True), pa.string())
    if kind == "date":
        dates = pa.array(values, from_pandas=True)
        midnight = (values.dropna() == values.dropna().dt.normalize()).all()
        if midnight and values.dt.tz is None:
            dates = dates.cast(pa.date32())
        return pc.cast(dates, pa.string())
    categorical = isinstance(values.dtype, pd.CategoricalDtype)  # tiers, labels: text on purpose
    if categorical:
        values = values.astype("str" if kind == "text" else object)
    keep = None
    if kind == "mixed":  # real numbers among the text: bare, whatever their digits
        keep = values.map(_is_real_number).to_numpy(dtype=bool)
        values = values.map(lambda v: v if isinstance(v, str) else str(v), na_action="ignore")
    numbers = None if categorical else text_numbers(values, str(values.name))
    if numbers is not None:
        keep = ~np.isnan(numbers) if keep is None else keep | ~np.isnan(numbers)
    text = _arrow_text(neutralise_text(values, keep))
    quoted = pc.binary_join_element_wise('"', pc.replace_substring(text, '"', '""'), '"', "")
    if keep is None or not keep.any():
        return quoted
    return pc.if_else(pa.array(keep), text, quoted)


def _is_real_number(value: Any) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(
        value, (bool, np.bool_)
    )


def _safe_headers(columns: pd.Index) -> list[str]:
    return neutralise_text(pd.Series([str(c) for c in columns], dtype=object)).tolist()


# --- XLSX ---------------------------------------------------------------------------------


def _write_xlsx(result: pd.DataFrame, handle: BinaryIO, config: Any, report: Any) -> None:
    tiers = tier_names(result, config)
    workbook, styles = _accounts_workbook(result, handle, tiers)
    _write_summary_sheet(workbook.add_worksheet("Summary"), result, config, tiers, styles)
    _write_settings_sheet(workbook.add_worksheet("Settings"), config, styles)
    _write_report_sheet(workbook.add_worksheet("Data report"), report, styles)
    workbook.close()


def write_plain_xlsx(
    table: pd.DataFrame, handle: BinaryIO, created: dt.datetime | None = None
) -> None:
    """A workbook with the table as its only sheet, "Accounts" (as a CRM export looks).

    `created` fixes the document's creation time (else xlsxwriter uses the clock).
    """
    workbook, _ = _accounts_workbook(table, handle, tiers=[])
    if created is not None:
        workbook.set_properties({"created": created})
    workbook.close()


def _accounts_workbook(
    table: pd.DataFrame, handle: BinaryIO, tiers: list[str]
) -> tuple[xlsxwriter.Workbook, _Styles]:
    _check_fits_excel(table)
    options = {
        "in_memory": True,
        # Text stays text: never turned into a formula, a link or a number.
        "strings_to_formulas": False,
        "strings_to_urls": False,
        "strings_to_numbers": False,
    }
    workbook = xlsxwriter.Workbook(handle, options)
    styles = _Styles(workbook, len(tiers))
    accounts = workbook.add_worksheet("Accounts", worksheet_class=_AccountsSheet)
    accounts.fill(table, styles, tiers)
    return workbook, styles


def _check_fits_excel(result: pd.DataFrame) -> None:
    if len(result) + 1 > EXCEL_MAX_ROWS:
        raise InputError(
            f"The result has {len(result):,} rows but an Excel sheet holds at most "
            f"{EXCEL_MAX_ROWS - 1:,} below its header: export it as CSV instead."
        )
    if len(result.columns) > EXCEL_MAX_COLUMNS:
        raise InputError(
            f"The result has {len(result.columns):,} columns but an Excel sheet holds at most "
            f"{EXCEL_MAX_COLUMNS:,}: export it as CSV instead."
        )


class _Styles:
    """The cell formats of the workbook, with the style indices the raw sheet XML needs."""

    def __init__(self, workbook: xlsxwriter.Workbook, tier_count: int) -> None:
        add = workbook.add_format
        self.header = add({"bold": True, "bg_color": "#DDEBF7", "bottom": 1, "text_wrap": True})
        self.title = add({"bold": True, "font_size": 13})
        self.bold = add({"bold": True})
        self.money = add({"num_format": "$#,##0"})
        self.score = add({"num_format": "0"})
        self.percent = add({"num_format": "0%"})
        self.date = add({"num_format": "yyyy-mm-dd"})
        self.decimal = add({"num_format": "0.0"})
        self.quoted = add({"quote_prefix": True})
        self.tiers = [add({"quote_prefix": True, **TIER_COLOURS[_tier_position(i, tier_count)]})
                      for i in range(tier_count)]  # fmt: skip
        # Cells in the raw sheet XML name their style by index: fix the indices now.
        for style in [self.header, self.money, self.score, self.percent, self.date,
                      self.quoted, *self.tiers]:  # fmt: skip
            style._get_xf_index()


def _tier_position(index: int, count: int) -> str:
    if index == 0:
        return "top"
    return "bottom" if index == count - 1 else "middle"


def tier_names(result: pd.DataFrame, config: Any = None) -> list[str]:
    """Tier names, top tier first: the config's, else the tier column's categories, else the
    default config's (with any other names found appended)."""
    if config is not None:
        return [tier.name for tier in config.tiers]
    tier = result["tier"] if "tier" in result.columns else pd.Series(dtype="str")
    if isinstance(tier.dtype, pd.CategoricalDtype):
        return [str(name) for name in tier.cat.categories]
    from segmentation.config import default_config

    names = [t.name for t in default_config().tiers]
    return names + sorted(str(n) for n in tier.dropna().unique() if str(n) not in names)


class _AccountsSheet(Worksheet):
    """A worksheet whose cells are written as blocks of XML built column by column."""

    def fill(self, result: pd.DataFrame, styles: _Styles, tiers: list[str]) -> None:
        # Positional from here on: the result may have any index and repeated headers.
        result = result.reset_index(drop=True)
        self._row_numbers = pa.array(np.arange(2, len(result) + 2)).cast(pa.string())
        # Everything touching the shared string table happens now: close() freezes it.
        # The XML itself is built a chunk of rows at a time, when xlsxwriter asks for it.
        context = _CellContext(styles, tiers, self.str_table)
        self._columns = [
            _column_cells(result.iloc[:, col], str(name), xl_col_to_name(col), context)
            for col, name in enumerate(result.columns)
        ]
        header = styles.header._get_xf_index()
        self._header_xml = "".join(
            _string_cell_xml(f"{xl_col_to_name(col)}1", str(name), header, self.str_table)
            for col, name in enumerate(result.columns)
        )
        rows, last_col = len(result), max(len(result.columns) - 1, 0)
        # Tell xlsxwriter the extent of the data: the <dimension> and the filter need it.
        self._check_dimensions(0, 0)
        self._check_dimensions(rows, last_col)
        self.freeze_panes(1, 0)
        if len(result.columns):
            self.autofilter(0, 0, rows, last_col)
        for col, name in enumerate(result.columns):
            self.set_column(col, col, _column_width(str(name), result.iloc[:, col]))

    def _write_sheet_data(self) -> None:
        self._xml_start_tag("sheetData")
        self.fh.write(f'<row r="1">{self._header_xml}</row>')
        for start in range(0, len(self._row_numbers), _ROWS_PER_CHUNK):
            self.fh.write(self._rows_xml(start, _ROWS_PER_CHUNK))
        self._xml_end_tag("sheetData")

    def _rows_xml(self, start: int, length: int) -> str:
        numbers = self._row_numbers.slice(start, length)
        cells = [build(numbers, start, length) for build in self._columns]
        rows = pc.binary_join_element_wise(
            '<row r="', numbers, '">', *cells, "</row>", "",
            null_handling="replace", null_replacement="",
        )  # fmt: skip
        return "".join(rows.to_pylist())


@dataclass(frozen=True)
class _CellContext:
    styles: _Styles
    tiers: list[str]
    strings: SharedStringTable


# Builds the cell XML of one column for rows [start, start + length), given their row numbers;
# one string per row, null for an empty cell.
CellBuilder = Callable[[pa.Array, int, int], pa.Array]


def _column_cells(values: pd.Series, name: str, letter: str, context: _CellContext) -> CellBuilder:
    styles = context.styles
    kind = _column_kind(values)
    if kind == "bool":
        return _bool_cells(values, letter)
    if kind == "date":
        return _number_cells(_excel_serial(values), letter, styles.date._get_xf_index())
    if kind == "number":
        return _number_cells(values, letter, _number_style(name, values, styles))
    if kind == "text":
        numbers = text_numbers(values, name)  # None for a categorical: text on purpose
        text = values.astype(object) if isinstance(values.dtype, pd.CategoricalDtype) else values
        if numbers is not None:  # cells that are wholly a plain number become number cells
            text = text.where(np.isnan(numbers))
        _check_cell_lengths(text, name)
        style = _text_styles(name, text, styles, context.tiers)
        text_part = _text_cells(text, letter, style, context.strings)
        if numbers is None:
            return text_part
        number_values = pd.Series(numbers)
        number_part = _number_cells(
            number_values, letter, _number_style(name, number_values, styles)
        )
        return lambda rows, start, length: pc.coalesce(
            text_part(rows, start, length), number_part(rows, start, length)
        )
    return _mixed_cells(values, name, letter, context)


def _cells(letter: str, rows: pa.Array, middle: Any, values: pa.Array, end: str) -> pa.Array:
    """'<c r="B2"' + middle + value + end per row; null where the value is null."""
    return pc.binary_join_element_wise('<c r="' + letter, rows, '"', middle, values, end, "")


def _column_kind(values: pd.Series) -> str:
    dtype = values.dtype
    if pd.api.types.is_bool_dtype(dtype):
        return "bool"
    if pd.api.types.is_datetime64_any_dtype(dtype):
        return "date"
    if pd.api.types.is_numeric_dtype(dtype):
        return "number"
    if _is_text(values):
        return "text"
    if _is_object(dtype) and pd.api.types.infer_dtype(values, skipna=True) in ("string", "empty"):
        return "text"
    return "mixed"


def _number_cells(values: pd.Series, letter: str, style: int | None) -> CellBuilder:
    numbers = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    middle = (f' s="{style}"' if style else "") + "><v>"

    def build(rows: pa.Array, start: int, length: int) -> pa.Array:
        chunk = numbers[start : start + length]
        # Missing values (NaN) are empty cells; infinity has no Excel number, so it is #NUM!.
        text = pa.array(chunk, mask=~np.isfinite(chunk)).cast(pa.string())
        cells = _cells(letter, rows, middle, text, "</v></c>")
        infinite = np.isinf(chunk)
        if infinite.any():
            error = pa.array(np.where(infinite, "#NUM!", None), type=pa.string())
            cells = pc.coalesce(cells, _cells(letter, rows, ' t="e"><v>', error, "</v></c>"))
        return cells

    return build


def _bool_cells(values: pd.Series, letter: str) -> CellBuilder:
    flags = np.where(values.fillna(False).to_numpy(dtype=bool), "1", "0")
    missing = values.isna().to_numpy()

    def build(rows: pa.Array, start: int, length: int) -> pa.Array:
        end = start + length
        text = pa.array(flags[start:end], mask=missing[start:end], type=pa.string())
        return _cells(letter, rows, ' t="b"><v>', text, "</v></c>")

    return build


def _excel_serial(values: pd.Series) -> pd.Series:
    """Dates as Excel serial day numbers (day 0 is 1899-12-30 in Excel's 1900 system)."""
    if getattr(values.dt, "tz", None) is not None:
        values = values.dt.tz_localize(None)
    return (values - pd.Timestamp("1899-12-30")) / pd.Timedelta(days=1)


def _number_style(name: str, values: pd.Series, styles: _Styles) -> int | None:
    key = name.lower()
    if key in MONEY_COLUMNS:
        return styles.money._get_xf_index()
    if key == "priority" or key.startswith("score_"):
        return styles.score._get_xf_index()
    if key in RATIO_COLUMNS and _looks_like_ratio(values):
        return styles.percent._get_xf_index()
    return None


def _looks_like_ratio(values: pd.Series) -> bool:
    largest = pd.to_numeric(values, errors="coerce").abs().max()
    return bool(pd.isna(largest) or largest <= 2)


def _text_styles(name: str, values: pd.Series, styles: _Styles, tiers: list[str]) -> np.ndarray:
    """Per-cell style index: tier colour in the tier column, quote prefix on formula-like text."""
    style = np.where(formula_like(values), styles.quoted._get_xf_index(), 0)
    if name == "tier" and tiers:
        position = pd.Series(values.astype(object)).map({t: i for i, t in enumerate(tiers)})
        for index, tier_style in enumerate(styles.tiers):
            style = np.where(position.to_numpy() == index, tier_style._get_xf_index(), style)
    return style


def _text_cells(
    values: pd.Series, letter: str, style: np.ndarray, strings: SharedStringTable
) -> CellBuilder:
    """Repetitive text goes to the shared string table (stored once); the rest is inline."""
    codes, uniques = pd.factorize(values)
    present = codes >= 0
    if len(uniques) * 10 > present.sum():  # mostly distinct: a table entry each gains nothing
        return _inline_text_cells(values, letter, style)
    texts = [str(u) for u in uniques]
    if any(_looks_rich(t) for t in texts):
        return _inline_text_cells(values, letter, style)
    index = np.array([strings._get_shared_string_index(t) for t in texts] + [0], dtype=np.int64)
    strings.count += int(present.sum()) - len(texts)  # references, not distinct texts
    shared = index[codes]

    def build(rows: pa.Array, start: int, length: int) -> pa.Array:
        end = start + length
        text = pa.array(shared[start:end], mask=~present[start:end]).cast(pa.string())
        middle = _style_attrs(style[start:end], ' t="s"><v>')
        return _cells(letter, rows, middle, text, "</v></c>")

    return build


def _inline_text_cells(values: pd.Series, letter: str, style: np.ndarray) -> CellBuilder:
    escaped = _xml_text(values)
    # Leading or trailing spaces need xml:space="preserve"; most cells do without (smaller XML).
    padded = pc.fill_null(pc.match_substring_regex(escaped, r"^\s|\s$"), False)
    key = style * 2 + padded.to_numpy(zero_copy_only=False)
    plain, preserve = ' t="inlineStr"><is><t>', ' t="inlineStr"><is><t xml:space="preserve">'

    def build(rows: pa.Array, start: int, length: int) -> pa.Array:
        chunk = key[start : start + length]
        attrs = {k: (f' s="{k // 2}"' if k // 2 else "") + (preserve if k % 2 else plain)
                 for k in np.unique(chunk).tolist()}  # fmt: skip
        middle = _per_cell(chunk, attrs)
        return _cells(letter, rows, middle, escaped.slice(start, length), "</t></is></c>")

    return build


def _per_cell(keys: np.ndarray, strings: dict[int, str]) -> pa.Array | str:
    """The string for each cell's key; a single string when all cells share one."""
    if len(strings) == 1:
        return next(iter(strings.values()))
    return pa.array(pd.Series(keys).map(strings).to_numpy(dtype=object), type=pa.string())


def _style_attrs(style: np.ndarray, rest: str) -> pa.Array | str:
    """' s="7"' + rest per cell (one string when every cell has the same style)."""
    attrs = {k: (f' s="{k}"' if k else "") + rest for k in np.unique(style).tolist()}
    return _per_cell(style, attrs) if attrs else rest


_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b-\x1f]")
_ESCAPED_ESCAPE = r"_(x[0-9a-fA-F]{4}_)"


def _xml_text(values: pd.Series) -> pa.Array:
    """Text escaped for an XML element, Excel's way (control characters as _xHHHH_)."""
    text = pa.array(values.astype(object).to_numpy(), type=pa.string(), from_pandas=True)
    text = pc.replace_substring(text, "&", "&amp;")
    text = pc.replace_substring(pc.replace_substring(text, "<", "&lt;"), ">", "&gt;")
    # A literal "_x0041_" would be decoded by Excel: escape its underscore, as Excel does.
    text = pc.replace_substring_regex(text, _ESCAPED_ESCAPE, r"_x005F_\1")
    controls = pc.fill_null(pc.match_substring_regex(text, _CONTROL_CHARS.pattern), False)
    if pc.any(controls).as_py():
        fixed = [
            _CONTROL_CHARS.sub(lambda m: f"_x{ord(m.group(0)):04X}_", t) if t else t
            for t in text.to_pylist()
        ]
        text = pa.array(fixed, type=pa.string())
    return text


def _looks_rich(text: str) -> bool:
    """xlsxwriter stores a shared string shaped like "<r>...</r>" as raw rich-text XML."""
    return text.startswith("<r>") and text.endswith("</r>")


def _string_cell_xml(ref: str, text: str, style: int, strings: SharedStringTable) -> str:
    style_attr = f' s="{style}"' if style else ""
    if _looks_rich(text):
        escaped = _xml_text(pd.Series([text], dtype=object))[0].as_py()
        return f'<c r="{ref}"{style_attr} t="inlineStr"><is><t>{escaped}</t></is></c>'
    return f'<c r="{ref}"{style_attr} t="s"><v>{strings._get_shared_string_index(text)}</v></c>'


def _write_text(sheet: Worksheet, row: int, col: int, text: str, style: Any = None) -> None:
    """write_string, except that text shaped like "<r>...</r>" is kept as plain text."""
    if _looks_rich(text):  # two fragments make xlsxwriter escape it as a rich string
        sheet.write_rich_string(row, col, text[:1], text[1:], *([style] if style else []))
    else:
        sheet.write_string(row, col, text, style)


def _mixed_cells(values: pd.Series, name: str, letter: str, context: _CellContext) -> CellBuilder:
    """An object column of mixed values: numbers as numbers, booleans as booleans, the rest text."""
    values = values.astype(object)  # also intervals, periods, durations...: written as text
    is_bool = values.map(lambda v: isinstance(v, (bool, np.bool_))).to_numpy(dtype=bool)
    is_number = values.map(_is_real_number).to_numpy(dtype=bool)
    other = ~(is_bool | is_number) & values.notna().to_numpy()
    as_text = values.where(other, None).map(lambda v: v if v is None else str(v))
    numbers = text_numbers(as_text, name)  # text that is wholly a plain number: a number
    if numbers is not None:
        is_text_number = ~np.isnan(numbers)
        values = values.where(~is_text_number, pd.Series(numbers, index=values.index))
        is_number |= is_text_number
        as_text = as_text.where(~is_text_number, None)
    _check_cell_lengths(as_text, name)
    quoted = np.where(formula_like(as_text), context.styles.quoted._get_xf_index(), 0)
    parts = [
        _inline_text_cells(as_text, letter, quoted),
        _number_cells(values.where(is_number, np.nan).astype(float), letter, None),
        _bool_cells(values.where(is_bool, None).astype("boolean"), letter),
    ]
    return lambda rows, start, length: pc.coalesce(*(part(rows, start, length) for part in parts))


def _check_cell_lengths(values: pd.Series, name: str) -> None:
    lengths = values.str.len()
    too_long = (lengths > EXCEL_MAX_CELL_CHARS).to_numpy(dtype=bool, na_value=False)
    if too_long.any():
        row = int(np.flatnonzero(too_long)[0])
        raise InputError(
            f"Column {name!r}, row {row + 1} (sheet row {row + 2}) holds "
            f"{int(lengths.iloc[row]):,} characters, more than the {EXCEL_MAX_CELL_CHARS:,} "
            f"an Excel cell can hold: shorten it or export as CSV."
        )


def _column_width(name: str, values: pd.Series) -> float:
    """A width from the header and the column's kind, without scanning every row."""
    if name.lower() in WIDE_COLUMNS:
        return WIDE_COLUMNS[name.lower()]
    kind = _column_kind(values)
    minimum = {"date": 11, "number": 10, "bool": 8}.get(kind, 14)
    if name.lower() in MONEY_COLUMNS:
        minimum = 13
    return min(max(len(name) + 3, minimum), 50)


# --- Summary, Settings and Data report sheets ---------------------------------------------


def _write_summary_sheet(
    sheet: Worksheet, result: pd.DataFrame, config: Any, tiers: list[str], styles: _Styles
) -> None:
    sheet.set_column(0, 0, 34)
    sheet.set_column(1, 4, 16)
    _write_text(sheet, 0, 0, "Segmentation summary", styles.title)
    _write_text(sheet, 2, 0, "Accounts", styles.bold)
    sheet.write_number(2, 1, len(result))
    _write_text(sheet, 3, 0, "ARR", styles.bold)
    sheet.write_number(3, 1, float(arr_values(result).sum()), styles.money)
    row = 5
    for column, title, order in (("tier", "Tier", tiers), ("quadrant", "Quadrant", ())):
        if column in result.columns:
            table = group_summary(result, column, order)
            row = _write_group_table(sheet, row, title, table, styles)
    coverage = _coverage(result, config, tiers)
    if coverage is not None:
        per_csm = coverage.arr_per_csm
        rule = f"one per ${per_csm:,.0f} ARR"
        _write_text(sheet, row, 0, f"CSMs needed for {coverage.tier} ({rule})", styles.bold)
        sheet.write_number(row, 1, coverage.csms)
        _write_text(sheet, row + 1, 0, f"{coverage.tier} ARR / ${per_csm:,.0f} (exact)")
        sheet.write_number(row + 1, 1, coverage.exact, styles.decimal)


def _coverage(result: pd.DataFrame, config: Any, tiers: list[str]) -> Coverage | None:
    """The top tier's CSM coverage, computed by summaries.csm_coverage; without settings, at
    the default ARR per CSM for `tiers[0]`. None when the result has no tier column."""
    if "tier" not in result.columns or not tiers:
        return None
    tier = result["tier"]
    if not (isinstance(tier.dtype, pd.CategoricalDtype) and list(tier.cat.categories) == tiers):
        # csm_coverage reads each tier's position (0 = top): give the column those categories.
        result = result.assign(tier=pd.Categorical(tier.astype(object), categories=tiers))
    if config is not None:
        return csm_coverage(result, config)
    return dataclasses.replace(csm_coverage(result, default_config()), tier=tiers[0])


def _write_group_table(
    sheet: Worksheet, row: int, title: str, table: pd.DataFrame, styles: _Styles
) -> int:
    headers = [title, "Accounts", "Share of accounts", "ARR", "Share of ARR"]
    for col, header in enumerate(headers):
        _write_text(sheet, row, col, header, styles.header)
    for offset, (name, line) in enumerate(table.iterrows(), start=1):
        _write_text(sheet, row + offset, 0, str(name))
        sheet.write_number(row + offset, 1, int(line["accounts"]))
        sheet.write_number(row + offset, 2, float(line["share_of_accounts"]), styles.percent)
        sheet.write_number(row + offset, 3, float(line["arr"]), styles.money)
        sheet.write_number(row + offset, 4, float(line["share_of_arr"]), styles.percent)
    return row + len(table) + 2


def _write_settings_sheet(sheet: Worksheet, config: Any, styles: _Styles) -> None:
    sheet.set_column(0, 0, 100)
    if config is None:
        _write_text(sheet, 0, 0, "No settings were given with this export.")
        return
    from segmentation.config import config_to_json, describe_config

    _write_text(sheet, 0, 0, "Criteria", styles.title)
    row = 1
    for line in describe_config(config):
        _write_long_text(sheet, row, line)
        row += 1
    row += 1
    _write_text(sheet, row, 0, "Settings JSON", styles.title)
    _write_text(
        sheet,
        row + 1,
        0,
        "One line per row; a line too long for one cell continues in the next cells.",
    )
    for offset, line in enumerate(config_to_json(config).splitlines()):
        _write_long_text(sheet, row + 2 + offset, line)


def _write_long_text(sheet: Worksheet, row: int, text: str) -> None:
    """Write text across as many cells of the row as it needs: never truncated."""
    step = EXCEL_MAX_CELL_CHARS
    for col, start in enumerate(range(0, max(len(text), 1), step)):
        _write_text(sheet, row, col, text[start : start + step])


def _write_report_sheet(sheet: Worksheet, report: Any, styles: _Styles) -> None:
    sheet.set_column(0, 0, 12)
    sheet.set_column(1, 1, 90)
    if report is None:
        _write_text(sheet, 0, 0, "No data report was given with this export.")
        return
    _write_text(sheet, 0, 0, "Data report", styles.title)
    row = 1
    for line in report.summary_lines():
        _write_long_text(sheet, row, str(line))
        row += 1
    skipped = list(report.rows_skipped)
    row += 1
    _write_text(sheet, row, 0, f"Rows skipped: {len(skipped)}", styles.bold)
    if skipped:
        _write_text(sheet, row + 1, 0, "Line", styles.header)
        _write_text(sheet, row + 1, 1, "Reason", styles.header)
        for offset, (line, reason) in enumerate(_rows(skipped), start=2):
            sheet.write_number(row + offset, 0, line)
            _write_text(sheet, row + offset, 1, reason)


def _rows(skipped: list) -> Iterator[tuple[int, str]]:
    for line, reason in skipped:
        yield int(line), str(reason)
