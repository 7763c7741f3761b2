"""The fast Accounts sheet: cell XML built column by column, handed to xlsxwriter.

Quarantined here because it relies on xlsxwriter internals (the `Worksheet` subclass
overrides `_write_sheet_data`, uses `_check_dimensions`, `_xml_start_tag`, `fh` and the
shared string table): the version range below is the one the parity test
(tests/exporting/test_fast_sheet.py) checks against xlsxwriter's own writer.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import xlsxwriter
from xlsxwriter.sharedstrings import SharedStringTable
from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.worksheet import Worksheet

from segmentation.columns import CANONICAL_COLUMNS
from segmentation.errors import InputError
from segmentation.exporting.safety import _column_kind, _is_real_number, formula_like, text_numbers

# The xlsxwriter versions this module's use of its internals is tested with ([low, high)):
# keep in step with requirements.txt; the parity test checks the output cell by cell.
TESTED_XLSXWRITER = ((3, 3), (3, 4))


def check_xlsxwriter_version(version: str) -> None:
    """Refuse an xlsxwriter outside the tested range, before any sheet is written wrongly."""
    parts = tuple(int(part) for part in re.findall(r"\d+", version)[:2])
    low, high = TESTED_XLSXWRITER
    if not low <= parts < high:
        raise RuntimeError(
            f"xlsxwriter {version} is outside the range Tierwise's fast sheet writer is tested "
            f"with (>= {low[0]}.{low[1]}, < {high[0]}.{high[1]}): install a version in that "
            "range, or move the pin as the README says."
        )


check_xlsxwriter_version(xlsxwriter.__version__)

if TYPE_CHECKING:
    from segmentation.exporting.workbook import _Styles

EXCEL_MAX_CELL_CHARS = 32_767


MONEY_COLUMNS = frozenset({c.name for c in CANONICAL_COLUMNS if c.kind == "money"} | {"whitespace"})


RATIO_COLUMNS = frozenset({"adoption"})  # 0-1 ratios, shown as percentages


WIDE_COLUMNS = {"account_name": 30, "reasons": 60, "data_issues": 40, "input_issues": 40}


_ROWS_PER_CHUNK = 20_000  # rows of sheet XML built at a time, to bound memory


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
        is_number = is_number | is_text_number  # map() may hand back a read-only array
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
