"""From a grid of cells to a table: header row, column names, and rows that are not accounts."""

from __future__ import annotations

import re
from collections import Counter
from contextlib import suppress
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from segmentation.loading.mapping import auto_map, normalise_header
from segmentation.values import EXCEL_ERRORS, as_ns_dates

_HEADER_SEARCH_ROWS = 30
_NUMBER_LIKE = re.compile(r"^[\s$€£(+\-]*[\d.,\s]+%?\)?$")


@dataclass
class Table:
    raw: pd.DataFrame  # every row below the header, columns under unique headers
    lines: np.ndarray  # 1-based file line (CSV) or sheet row (Excel) of each raw row
    positions: list[int]  # grid column index of each raw column
    header_line: int
    above: list[tuple[int, str]] = field(default_factory=list)  # lines above the header
    duplicate_headers: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    filled: np.ndarray | None = None  # rows x columns of raw: True where a cell holds a value


def _is_empty(cell: object) -> bool:
    if cell is None:
        return True
    if isinstance(cell, str):
        return not cell.strip()
    if isinstance(cell, float):
        return cell != cell
    return False


def _header_score(row: list) -> tuple[int, int]:
    cells = [c for c in row if not _is_empty(c)]
    texts = [
        str(c).strip()
        for c in cells
        if isinstance(c, str) and not _NUMBER_LIKE.match(c) and c.strip() not in EXCEL_ERRORS
    ]
    numbers = len(cells) - len(texts)
    hits = len(auto_map(texts))
    distinct = len({normalise_header(t) for t in texts})
    return 3 * hits + distinct - 2 * numbers, len(cells)


def find_header(rows: list[list]) -> int | None:
    """Index of the header row among the first rows: many distinct labels, known aliases.

    Rows narrower than half the table's usual width (titles) are not candidates; the usual
    width is the most common one, so one wide account row (an unquoted note with commas)
    cannot make the real header look like a title.
    """
    head = rows[:_HEADER_SEARCH_ROWS]
    widths = [sum(not _is_empty(c) for c in row) for row in head]
    if not any(widths):
        return None
    widest = _usual_width(widths)
    best, best_score = None, None
    for index, row in enumerate(head):
        if widths[index] == 0 or (widest >= 2 and widths[index] < 2):
            continue
        if widths[index] < widest * 0.5:
            continue
        score, _ = _header_score(row)
        if score <= 0:
            continue
        if best_score is None or score > best_score:
            best, best_score = index, score
    return best


def _given_header(
    rows: list[list], lines: list[int], header_line: int | None, notes: list[str]
) -> int | None:
    """The row index of a given header line, or None (with a note) when it cannot be one."""
    if header_line is None:
        return None
    index = next(
        (i for i, line in enumerate(lines[: header_line + 1]) if line == header_line), None
    )
    if index is not None and any(not _is_empty(c) for c in rows[index]):
        return index
    notes.append(
        f"The saved settings put the header on line {header_line}, which is empty or past "
        "the end here; the header was looked for instead."
    )
    return None


def _usual_width(widths: list[int]) -> int:
    """The most common width of the non-empty rows (the widest of equally common ones)."""
    counts = Counter(w for w in widths if w)
    return max(counts, key=lambda w: (counts[w], w))


def rows_above(rows: list[list], lines: list[int], header_index: int) -> list[tuple[int, str]]:
    """The lines above the header, as skipped rows with their reason."""
    return [
        (
            lines[i],
            "title above the header" if any(not _is_empty(c) for c in rows[i]) else "blank line",
        )
        for i in range(header_index)
    ]


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def unique_headers(names: list[str]) -> tuple[list[str], dict[str, str]]:
    """Make headers unique visibly: "Notes", "Notes (2)"; returns names and renames."""
    seen: dict[str, int] = {}
    taken = {n.casefold() for n in names}
    out, renamed = [], {}
    for name in names:
        key = name.casefold()
        if key not in seen:
            seen[key] = 1
            out.append(name)
            continue
        number = seen[key]
        while True:
            number += 1
            candidate = f"{name} ({number})"
            if candidate.casefold() not in taken:
                break
        seen[key] = number
        taken.add(candidate.casefold())
        out.append(candidate)
        renamed[candidate] = name
    return out, renamed


def fill_merged(rows: list[list], merged: list, first_data_row: int) -> int:
    """Copy each merged range's top-left value into the whole range, below the header."""
    filled = 0
    for (r0, c0), (r1, c1) in merged:
        if r0 < first_data_row or r0 >= len(rows):
            continue
        value = rows[r0][c0] if c0 < len(rows[r0]) else ""
        for r in range(r0, min(r1, len(rows) - 1) + 1):
            row = rows[r]
            if len(row) <= c1:
                row.extend([""] * (c1 + 1 - len(row)))
            for c in range(c0, c1 + 1):
                if (r, c) != (r0, c0):
                    row[c] = value
        filled += 1
    return filled


def build_table(
    rows: list[list],
    lines: list[int],
    excel: bool,
    merged: list | None = None,
    header_line: int | None = None,
) -> Table | None:
    """Find the header (on `header_line` when given and not empty) and build the raw table;
    None when no header row can be found."""
    notes: list[str] = []
    header_index = _given_header(rows, lines, header_line, notes)
    if header_index is None:
        header_index = find_header(rows)
    if header_index is None:
        return None
    if merged:
        filled = fill_merged(rows, merged, header_index + 1)
        if filled:
            notes.append(f"{filled} merged cell ranges filled with their top-left value.")
    body = rows[header_index + 1 :]
    width = max([len(rows[header_index])] + [len(r) for r in body])
    header_cells = list(rows[header_index]) + [""] * (width - len(rows[header_index]))
    body = [r if len(r) == width else list(r) + [""] * (width - len(r)) for r in body]
    cells = np.empty((len(body), width), dtype=object)
    if body:
        cells[:] = body
        cells[cells == ""] = None
    columns, filled = typed_columns(cells, excel)
    empty_columns = ~filled.any(axis=0)
    names: list[str] = []
    positions: list[int] = []
    dropped = 0
    for position in range(width):
        header = header_cells[position]
        if _is_empty(header):
            if empty_columns[position]:
                dropped += 1
                continue
            label = _column_letter(position) if excel else str(position + 1)
            header = f"Column {label}"
        names.append(_header_text(header))
        positions.append(position)
    if dropped:
        notes.append(f"{dropped} empty columns without a header ignored.")
    unique, renamed = unique_headers(names)
    raw = pd.DataFrame(
        {name: columns[position] for name, position in zip(unique, positions, strict=True)},
        index=pd.RangeIndex(len(body)),
        columns=unique,
    )
    line_numbers = np.asarray(lines[header_index + 1 :], dtype="int64")
    above = rows_above(rows, lines, header_index)
    table = Table(raw, line_numbers, positions, lines[header_index], above, renamed, notes)
    table.filled = filled[:, positions]
    return table


_NUMERIC_KINDS = ("floating", "integer", "mixed-integer-float")


def typed_columns(cells: np.ndarray, excel: bool) -> tuple[list[pd.Series], np.ndarray]:
    """Each column of a 2-D object array (None where empty) typed once, and where cells hold
    something (not missing, not blank text).

    CSV columns are text; a sheet's column is float, text, or what pandas' C type inference
    says of it (dates, mixed cells). Text goes straight to Arrow, stripped in C, so no cell
    becomes a Python object twice.
    """
    n, width = cells.shape
    columns: list[pd.Series] = []
    filled = np.zeros((n, width), dtype=bool)
    for j in range(width):
        values = cells[:, j]
        kind = pd.api.types.infer_dtype(values, skipna=True) if excel else "string"
        if kind in ("string", "empty"):
            series, filled[:, j] = _text_column(values)
        elif kind in _NUMERIC_KINDS:
            series = _number_column(values, kind)
            filled[:, j] = ~pd.isna(values)
        else:
            series, filled[:, j] = _other_column(values, kind)
        columns.append(series.set_axis(pd.RangeIndex(n)))
    return columns, filled


def _number_column(values: np.ndarray, kind: str) -> pd.Series:
    """A sheet column of numbers (None where empty) as float64. Floats alone (a sheet's usual
    number column) are cast by numpy in C, None to NaN; ints and mixes go through to_numeric."""
    if kind == "floating":
        with suppress(TypeError, ValueError):  # a missing-value object numpy cannot cast
            return pd.Series(values.astype("float64"))
    return pd.to_numeric(pd.Series(values), errors="coerce").astype("float64")


def _text_column(values: np.ndarray) -> tuple[pd.Series, np.ndarray]:
    """Text cells (None where empty) as a str Series; filled where the stripped text is not ""."""
    text = pa.array(values, type=pa.large_string(), from_pandas=True)
    blank = pc.equal(pc.utf8_trim_whitespace(text), "")
    filled = pc.and_not(pc.is_valid(text), pc.fill_null(blank, True))
    return pd.Series(text, dtype="str"), filled.to_numpy(zero_copy_only=False)


def _other_column(values: np.ndarray, kind: str) -> tuple[pd.Series, np.ndarray]:
    """A sheet column of dates or mixed cells: pandas' own inference (the DataFrame
    constructor's), then datetime64 for dates, Python objects for the rest."""
    column = pd.DataFrame(values[:, None])[0]
    present = ~pd.isna(values)
    if kind.startswith("mixed") or kind == "unknown-array":
        texts = present & np.fromiter((isinstance(v, str) for v in values), bool, len(values))
        if texts.any():
            _, blank_free = _text_column(values[texts])
            present[np.flatnonzero(texts)[~blank_free]] = False
    if kind in ("date", "datetime", "datetime64"):
        dates = pd.to_datetime(column, errors="coerce")
        held = as_ns_dates(dates)
        if (held.isna() & dates.notna()).any():  # beyond datetime64[ns]: the cells as they are,
            return column.astype(object), present  # for the date parser to flag by value
        return held, present
    return column.astype(object), present


def _header_text(header: object) -> str:
    if isinstance(header, float) and header.is_integer():
        return str(int(header))
    return " ".join(str(header).split())
