"""From a grid of cells to a table: header row, column names, and rows that are not accounts."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from segmentation.loading.mapping import auto_map, normalise_header
from segmentation.values import EXCEL_ERRORS

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
    rows: list[list], lines: list[int], excel: bool, merged: list | None = None
) -> Table | None:
    """Find the header and build the raw table; None when no header row can be found."""
    header_index = find_header(rows)
    if header_index is None:
        return None
    notes: list[str] = []
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
    frame = pd.DataFrame(cells, columns=range(width))
    filled = filled_cells(cells, all_text=not excel)
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
    frame = frame[positions]
    unique, renamed = unique_headers(names)
    frame.columns = unique
    raw = _typed(frame, excel)
    line_numbers = np.asarray(lines[header_index + 1 :], dtype="int64")
    above = rows_above(rows, lines, header_index)
    table = Table(raw, line_numbers, positions, lines[header_index], above, renamed, notes)
    table.filled = filled[:, positions]
    return table


def filled_cells(values: np.ndarray, all_text: bool) -> np.ndarray:
    """True where a cell of a 2-D object array holds something (not missing, not blank text).

    Text is stripped in one Arrow call over all text cells; in a sheet, columns that hold no
    text at all (numbers, dates) are told apart by pandas' C type inference first, so the
    cost stays near one pass over the cells whatever the shape.
    """
    present = ~pd.isna(values)
    if all_text:
        texts = present
    else:
        texts = np.zeros(values.shape, dtype=bool)
        for j in range(values.shape[1]):
            kind = pd.api.types.infer_dtype(values[:, j], skipna=True)
            if kind == "string":
                texts[:, j] = present[:, j]
            elif kind.startswith("mixed") or kind == "unknown-array":
                texts[:, j] = present[:, j] & [isinstance(v, str) for v in values[:, j]]
    if texts.any():
        blank = pd.Series(values[texts], dtype="str").str.strip().eq("").to_numpy(dtype=bool)
        rows, columns = np.nonzero(texts)
        present[rows[blank], columns[blank]] = False
    return present


def _header_text(header: object) -> str:
    if isinstance(header, float) and header.is_integer():
        return str(int(header))
    return " ".join(str(header).split())


def _typed(frame: pd.DataFrame, excel: bool) -> pd.DataFrame:
    """CSV columns as str; Excel columns as float, datetime, str or mixed objects."""
    if not excel:
        text = frame.astype("str").where(frame.notna())
        return text.set_axis(pd.RangeIndex(len(frame)), axis=0)
    out = {}
    for name in frame.columns:
        column = frame[name]
        inferred = pd.api.types.infer_dtype(column, skipna=True)
        if inferred in ("floating", "integer", "mixed-integer-float"):
            out[name] = pd.to_numeric(column, errors="coerce").astype("float64")
        elif inferred in ("date", "datetime", "datetime64"):
            out[name] = pd.to_datetime(column, errors="coerce").astype("datetime64[ns]")
        elif inferred in ("string", "empty"):
            out[name] = column.astype("str").where(column.notna())
        else:
            out[name] = column.astype(object)
    return pd.DataFrame(out, index=pd.RangeIndex(len(frame)))
