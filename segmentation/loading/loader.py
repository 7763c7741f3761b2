"""load() and remap(): from a file to accounts with canonical columns and a full report."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import BinaryIO

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from segmentation.columns import CANONICAL_NAMES, COLUMN_BY_NAME
from segmentation.errors import InputError
from segmentation.loading.csv_reader import Grid, paused_gc, read_csv
from segmentation.loading.excel_reader import ExcelExtras, ole2_message, read_excel
from segmentation.loading.hints import ColumnHints, ParseHints, file_words
from segmentation.loading.mapping import (
    HEADER_ALIASES,
    auto_map,
    check_mapping,
    match_columns,
    matches_for,
    normalise_header,
    still_true,
)
from segmentation.loading.mapping import (
    confirmed as confirmed_matches,
)
from segmentation.loading.report import FlaggedCell, LoadReport
from segmentation.loading.source import EXCEL_EXTENSIONS, read_source
from segmentation.loading.table import Table, build_table
from segmentation.values import (
    EXCEL_ERRORS,
    Parsed,
    is_arrow_text,
    may_hold_excel_errors,
    parse_bool,
    parse_date,
    parse_number,
    parse_text,
)

NUMERIC_KINDS = ("money", "number", "count", "score")
LOAD_STAGES = ("reading", "finding the table", "matching columns", "reading values")
ISSUES_COLUMN = "input_issues"

# A report footer is a line alone (every other cell empty) in the block that ends the table,
# and reads like one from its first word to its shape: "Confidential Information - Do Not
# Distribute", never "Confidential Information Systems Inc" (an account).
# No \s, \d or \b: with them pandas runs Python's re per row instead of Arrow's RE2.
_FOOTERS: tuple[tuple[str, str], ...] = (
    (r"(?i)^grand totals?[ \t]*\([ \t]*[0-9,. \t]+records?[ \t]*\)", "report footer (totals)"),
    (r"(?i)^confidential information[ \t]*[-–—:]", "report footer (confidentiality notice)"),
    (
        r"(?i)^(copyright[ \t]*(\(c\)|©)?[ \t]*[0-9]{4}|©[ \t]*[0-9]{4}|\(c\)[ \t]*[0-9]{4})",
        "report footer (copyright)",
    ),
    (r"(?i)^filtered by[ \t]*:", "report footer (filter description)"),
    (
        r"(?i)^(generated|exported|report (run|generated))[ \t]+(by|on|at)[ \t].*[0-9]",
        "report footer (export details)",
    ),
)
_GRAND_TOTAL_COUNT = re.compile(r"^grand totals?\s*\(\s*([\d,.\s]+?)\s*records?\s*\)", re.I)
# Matched against lower-cased text; no \s so that pyarrow runs it (fast), not Python.
_TOTAL_WORDS = r"^(grand +|sub-?)?totals? *:?$|^sum *:?$"


@dataclass
class _Context:
    """What remap() needs to redo the derivation without rereading the file."""

    lines: np.ndarray
    base: LoadReport
    decimal_hint: str = "."
    date_hint: str = "MDY"
    epoch: int = 1900
    errors: dict[tuple[int, str], str] = field(default_factory=dict)
    uncomputed: set[tuple[int, str]] = field(default_factory=set)
    percent: dict[str, np.ndarray] = field(default_factory=dict)  # header -> row positions
    given: dict[str, ColumnHints] = field(default_factory=dict)  # header -> saved decisions


@dataclass
class Book:
    accounts: pd.DataFrame
    mapping: dict[str, str]
    raw: pd.DataFrame
    report: LoadReport
    hints: ParseHints = field(default_factory=ParseHints)  # the decisions taken, to feed back
    _context: _Context = field(repr=False, compare=False, default=None)


def load(
    path_or_file: str | os.PathLike | BinaryIO,
    sheet: str | None = None,
    filename: str | None = None,
    mapping: dict[str, str | None] | None = None,
    hints: ParseHints | None = None,
    progress: Callable[[str], None] | None = None,
) -> Book:
    """Read a CSV or Excel export of accounts; see docs/interfaces.md section 1.

    `mapping` overrides the automatic matching: canonical -> header, or None to leave unmapped.
    `hints` (a previous load's `book.hints`) are used instead of detecting those decisions;
    what they leave out is detected, and the report says which decisions they made.
    `progress` is called with each of LOAD_STAGES as it starts (a progress bar's steps).
    """
    hints = hints or ParseHints()
    stage = progress or (lambda _: None)
    stage("reading")
    source = read_source(path_or_file, filename)
    name, content, extension = source.name, source.content, source.extension
    notes: list[str] = []
    extras: ExcelExtras | None = None
    if content == "ole2":
        raise InputError(ole2_message(source.data, name))
    # The collector is paused until the rows are columns: a sheet's 100k row lists then go
    # by their reference count, never traversed (a tenth of a second or more per pass).
    with paused_gc():
        if content == "zip":
            if extension not in EXCEL_EXTENSIONS:
                notes.append(f"{name} is an Excel workbook despite its name; it was read as one.")
            grid, extras = read_excel(source.data, name, sheet, preferred=hints.sheet)
            report = LoadReport(source=name, kind="xlsx", sheet=extras.sheet)
            report.other_sheets = extras.other_sheets
        else:
            if extension in EXCEL_EXTENSIONS:
                notes.append(f"{name} is not an Excel workbook but CSV text; it was read as CSV.")
            grid, encoding, delimiter = read_csv(source.data, name, hints.encoding, hints.delimiter)
            report = LoadReport(source=name, kind="csv", encoding=encoding, delimiter=delimiter)
            if sheet is not None:
                notes.append(f"A sheet ('{sheet}') was asked for, but a CSV file has no sheets.")
        stage("finding the table")
        table = build_table(
            grid.rows,
            grid.lines,
            excel=extras is not None,
            merged=extras.merged if extras else None,
            header_line=hints.header_row,
        )
        grid.rows = []  # the cells are in the table now
    if table is None:
        raise InputError(
            f"{name} has no table in it (no row of column headers was found); "
            "export the accounts as a table with one header row and upload that."
        )
    report.header_row = table.header_line
    report.duplicate_headers = table.duplicate_headers
    report.notes = notes + grid.notes + table.notes + _unused_hints(hints, report.kind)
    report.read_as_saved = file_words(_applied(hints, report))
    if table.above:
        report.notes.append(
            f"{len(table.above)} lines above the header (line {table.header_line}) were read "
            "as titles and left out; they are listed as skipped."
        )
    keep, skipped, totals = _classify_rows(table)
    report.rows_read = len(table.above) + len(table.raw)
    report.rows_skipped = table.above + skipped
    report.rows_kept = int(keep.sum())
    report.check_counts()
    if report.rows_kept == 0:
        raise InputError(
            f"{name} has a header row but no account rows under it; "
            "export the report with its rows and upload that."
        )
    raw = table.raw[keep].reset_index(drop=True)
    context = _context(table, keep, report, extras, grid)
    context.given = dict(hints.columns)
    for claimed in totals:
        if claimed == report.rows_kept:
            report.notes.append(f"Grand Totals says {claimed} records; {claimed} accounts read.")
        else:
            report.notes.append(
                f"Grand Totals says {claimed} records but {report.rows_kept} account rows were "
                "read; check that the export is complete."
            )
    stage("matching columns")
    matched = match_columns(list(raw.columns), raw, overrides=mapping)
    report.matches, report.notes = matched.matches, report.notes + matched.notes
    _require_id_or_name(matched.mapping, list(raw.columns), name)
    stage("reading values")
    return _derive(raw, matched.mapping, context)


def remap(
    book: Book, mapping: dict[str, str | None], confirmed: dict[str, str] | None = None
) -> Book:
    """Re-derive the canonical columns from book.raw with a user-edited mapping.

    `confirmed` (canonical -> why, e.g. "confirmed on the Data page") turns those matches manual.
    """
    ordered = check_mapping(mapping, list(book.raw.columns))
    _require_id_or_name(ordered, list(book.raw.columns), book.report.source)
    again = _derive(book.raw, ordered, book._context)
    again.report.matches = confirmed_matches(
        matches_for(ordered, book.report.matches), confirmed or {}
    )
    again.report.notes = still_true(again.report.notes, ordered)
    return again


def _require_id_or_name(mapping: dict[str, str], headers: list[str], name: str) -> None:
    if "account_id" in mapping or "account_name" in mapping:
        return
    found = ", ".join(f"'{h}'" for h in headers[:8]) + (", ..." if len(headers) > 8 else "")
    examples = ", ".join(f"'{h}'" for h in HEADER_ALIASES["account_id"][:2])
    examples += ", " + ", ".join(f"'{h}'" for h in HEADER_ALIASES["account_name"][:2])
    raise InputError(
        f"{name} has no account id or name column (found {found}); "
        f"name a column such as {examples} and upload again."
    )


def _applied(hints: ParseHints, report: LoadReport) -> ParseHints:
    """The file-level hints this load used (a sheet or header line not found was not)."""
    return ParseHints(
        encoding=hints.encoding if hints.encoding == report.encoding else None,
        delimiter=hints.delimiter if hints.delimiter == report.delimiter else None,
        sheet=hints.sheet if hints.sheet == report.sheet else None,
        header_row=hints.header_row if hints.header_row == report.header_row else None,
    )


def _unused_hints(hints: ParseHints, kind: str) -> list[str]:
    """A note when the saved hints are for the other kind of file."""
    if kind == "xlsx" and (hints.encoding or hints.delimiter):
        return ["The saved encoding and delimiter are for CSV files; not used for a workbook."]
    if kind == "csv" and hints.sheet:
        return [f"The saved sheet '{hints.sheet}' is for workbooks; not used for a CSV file."]
    return []


def _file_hints(report: LoadReport) -> dict[str, object]:
    """The file-level decisions of a load, as ParseHints fields."""
    return {
        "encoding": report.encoding,
        "delimiter": report.delimiter,
        "sheet": report.sheet,
        "header_row": report.header_row,
    }


# --------------------------------------------------------------------------- rows


def _cell_text(column: pd.Series) -> pd.Series:
    """A column as stripped text, "" where empty."""
    return column.astype("str").str.strip().where(column.notna(), "")


def _filled(column: pd.Series) -> pd.Series:
    if is_arrow_text(column):
        return column.notna() & column.str.strip().ne("")
    if column.dtype == object:
        return column.notna() & _cell_text(column).ne("")
    return column.notna()


def _classify_rows(table: Table) -> tuple[np.ndarray, list[tuple[int, str]], list[int]]:
    """Which rows are accounts; the others with their line and reason; Grand Totals counts."""
    raw = table.raw
    n = len(raw)
    if n == 0 or raw.shape[1] == 0:
        return np.zeros(n, dtype=bool), [(int(line), "blank line") for line in table.lines], []
    reasons = np.full(n, "", dtype=object)
    filled = pd.DataFrame(table.filled, columns=raw.columns)
    text_cache: dict[str, pd.Series] = {}

    def text_of(column: str) -> pd.Series:
        if column not in text_cache:
            text_cache[column] = _cell_text(raw[column])
        return text_cache[column]

    count = filled.sum(axis=1).to_numpy()
    reasons[count == 0] = "blank line"
    totals = _mark_footers(raw, filled, count, text_of, reasons)
    first_col = text_of(raw.columns[0])
    # Repeated header rows (two exports pasted together).
    if raw.shape[1] >= 2:
        first_header = str(raw.columns[0]).casefold()
        for i in np.flatnonzero(first_col.str.casefold().eq(first_header).to_numpy()):
            row = [normalise_header(v) for v in raw.iloc[i].fillna("")]
            same = sum(a == normalise_header(b) for a, b in zip(row, raw.columns, strict=False))
            if same >= max(2, 0.8 * raw.shape[1]) and not reasons[i]:
                reasons[i] = "header row repeated"
    # Total rows: "Total" where the name is, and no account id.
    mapping = auto_map(list(raw.columns))
    name_col = mapping.get("account_name", raw.columns[0])
    id_col = mapping.get("account_id")
    is_total = text_of(name_col).str.lower().str.match(_TOTAL_WORDS)
    if id_col is not None and id_col != name_col:
        id_text = text_of(id_col)
        is_total &= id_text.eq("") | id_text.str.lower().str.match(_TOTAL_WORDS)
    elif id_col is None and name_col != raw.columns[0]:
        is_total |= first_col.str.lower().str.match(_TOTAL_WORDS) & ~filled[name_col]
    reasons[is_total.to_numpy(dtype=bool) & (reasons == "")] = "total row"
    keep = reasons == ""
    skipped_at = np.flatnonzero(~keep)
    skipped = list(zip(table.lines[skipped_at].tolist(), reasons[skipped_at].tolist(), strict=True))
    return keep, skipped, totals


def _mark_footers(
    raw: pd.DataFrame, filled: pd.DataFrame, count: np.ndarray, text_of, reasons: np.ndarray
) -> list[int]:
    """Mark the report footer at the end of the table; returns the Grand Totals counts.

    Only the trailing block of blank and one-cell lines is looked at (vectorised, whatever
    the shape). In it, the footer starts at the first line that reads like one; after that,
    one-cell lines (filter details) are footer too, unless the table has a single column,
    where a one-cell line is an account's shape.
    """
    alone = count == 1
    cells = filled.to_numpy()
    # An unquoted comma splits a CSV footer line in two: "Copyright (c) 2026 Acme, Inc."
    split_line = (count == 2) & cells[:, 0] & cells[:, 1] if raw.shape[1] > 1 else alone
    grand = text_of(raw.columns[0]).str.match(_FOOTERS[0][0]).to_numpy(dtype=bool)
    shaped = alone | split_line | grand
    other = ~(shaped | (count == 0))
    start = int(np.flatnonzero(other)[-1]) + 1 if other.any() else 0
    block = np.arange(start, len(raw))
    candidates = block[shaped[block]]
    if not len(candidates):
        return []
    text = _first_text(raw, filled, candidates, text_of)
    matched = pd.Series("", index=candidates, dtype=object)
    for pattern, reason in reversed(_FOOTERS):
        matched = matched.mask(text.str.match(pattern).to_numpy(dtype=bool), reason)
    hits = matched.index[matched.ne("")]
    if not len(hits):
        return []
    reasons[hits] = matched[hits].to_numpy()
    if raw.shape[1] > 1:
        after = candidates[(candidates > hits[0]) & alone[candidates]]
        reasons[after[reasons[after] == ""]] = "report footer"
    found = text[matched.eq("report footer (totals)").to_numpy()].str.extract(_GRAND_TOTAL_COUNT)
    return [int(re.sub(r"[^\d]", "", value) or 0) for value in found[0].dropna()]


def _first_text(raw: pd.DataFrame, filled: pd.DataFrame, rows: np.ndarray, text_of) -> pd.Series:
    """The first filled cell's text of each of `rows` (grouped by column, not row by row)."""
    first = filled.to_numpy()[rows].argmax(axis=1)
    out = np.full(len(rows), "", dtype=object)
    for position in np.unique(first):
        chosen = first == position
        out[chosen] = text_of(raw.columns[position]).iloc[rows[chosen]].to_numpy(dtype=object)
    return pd.Series(out, index=rows, dtype="str")  # Arrow: regexes run in C


def _context(
    table: Table, keep: np.ndarray, report: LoadReport, extras: ExcelExtras | None, grid: Grid
) -> _Context:
    lines = table.lines[keep]
    context = _Context(lines=lines, base=report)
    if report.kind == "csv":
        context.decimal_hint = "," if report.delimiter == ";" else "."
        context.date_hint = "DMY" if report.delimiter == ";" else "MDY"
        return context
    context.epoch = extras.epoch
    position_of = {line: pos for pos, line in enumerate(lines.tolist())}
    header_of = dict(zip(table.positions, table.raw.columns, strict=True))

    def remapped(cells):
        for sheet_row, column in cells:
            pos = position_of.get(sheet_row + 1)
            if pos is not None and column in header_of:
                yield pos, header_of[column]

    context.errors = _remap_errors(extras.errors, remapped)
    context.uncomputed = set(remapped(extras.uncomputed))
    percent: dict[str, list[int]] = {}
    for pos, header in remapped(extras.percent):
        percent.setdefault(header, []).append(pos)
    context.percent = {h: np.asarray(sorted(p), dtype="int64") for h, p in percent.items()}
    return context


def _remap_errors(errors: dict, remapped) -> dict[tuple[int, str], str]:
    out = {}
    for key, value in errors.items():
        for new_key in remapped([key]):
            out[new_key] = value
    return out


# --------------------------------------------------------------------------- columns


def _parse(column: pd.Series, kind: str, context: _Context, given: ColumnHints) -> Parsed:
    if kind in NUMERIC_KINDS:
        return parse_number(
            column,
            decimal=given.decimal_mark,
            hint=context.decimal_hint,
            thousands=given.thousands_mark,
        )
    if kind == "date":
        return parse_date(
            column, order=given.date_order, hint=context.date_hint, epoch=context.epoch
        )
    if kind == "bool":
        return parse_bool(column)
    return parse_text(column, kind)


def _derive(raw: pd.DataFrame, mapping: dict[str, str], context: _Context) -> Book:
    report = replace(
        context.base,
        mapping=dict(mapping),
        notes=list(context.base.notes),
        read_as_saved=list(context.base.read_as_saved),
        number_formats={},
        date_orders={},
        cells_cleaned={},
        cells_flagged=[],
    )
    n = len(raw)
    issues: dict[int, list[str]] = {}
    flagged: list[FlaggedCell] = []

    def flag(positions, column: str, problems) -> None:
        for pos, problem in zip(positions, problems, strict=False):
            pos = int(pos)
            issues.setdefault(pos, []).append(f"{column}: {problem}")
            flagged.append(FlaggedCell(pos, int(context.lines[pos]), column, problem))

    canonical: dict[str, pd.Series] = {}
    label_of = {header: name for name, header in reversed(list(mapping.items()))}
    decided: dict[str, ColumnHints] = {}
    for name, header in mapping.items():
        kind = COLUMN_BY_NAME[name].kind
        given = context.given.get(header, ColumnHints())
        parsed = _parse(raw[header], kind, context, given)
        taken = ColumnHints(parsed.decimal_mark, parsed.thousands_mark, parsed.date_order)
        if taken != ColumnHints():
            decided.setdefault(header, taken)
        if _used(given, taken):
            parsed.decision = _saved_words(taken, int(parsed.unreadable.sum()))
            report.read_as_saved.append(f"'{header}' {taken.words()}")
        values = parsed.values
        cleaned = dict(parsed.cleaned)
        if kind in NUMERIC_KINDS and header in context.percent:
            rows = context.percent[header]
            values = values.copy()
            scale = values.iloc[rows]
            values.iloc[rows] = scale * 100
            cleaned["percent_format"] = int(scale.notna().sum())
        canonical[name] = values.reset_index(drop=True)
        if cleaned:
            report.cells_cleaned[name] = cleaned
        if parsed.decision and kind == "bool":
            report.notes.append(f"{name}: {parsed.decision}.")
        elif parsed.decision:
            target = report.date_orders if kind == "date" else report.number_formats
            target[name] = parsed.decision
        bad = np.flatnonzero(parsed.unreadable.to_numpy())
        if len(bad):
            cells = raw[header].iloc[bad]
            flag(bad, name, (f"could not read '{_shorten(v)}'" for v in cells))
    if "arr" not in mapping and "mrr" in mapping:
        canonical["arr"] = canonical["mrr"] * 12
        report.notes.append(f"ARR computed as MRR x 12 (from '{mapping['mrr']}').")
    # Excel errors and formulas without a saved value, in any column.
    error_cells = dict(context.errors)
    for (pos, header), error in _error_texts(raw).items():
        error_cells.setdefault((pos, header), error)
    for (pos, header), error in sorted(error_cells.items(), key=lambda kv: kv[0]):
        flag([pos], label_of.get(header, header), [f"Excel error {error}"])
    for pos, header in sorted(context.uncomputed):
        flag([pos], label_of.get(header, header), ["formula without a saved value"])
    if "account_id" in canonical:
        ids = canonical["account_id"]
        dup = _duplicated(ids)
        positions = np.flatnonzero(dup.to_numpy())
        flag(positions, "account_id", (f"duplicate account_id '{ids.iloc[p]}'" for p in positions))
        if len(positions):
            report.notes.append(
                f"{ids[dup].nunique()} account ids appear more than once "
                f"({len(positions)} rows); all kept and flagged."
            )
    if "account_id" in canonical or "account_name" in canonical:
        present = pd.Series(False, index=range(n))
        for name in ("account_id", "account_name"):
            if name in canonical:
                present |= canonical[name].notna().to_numpy()
        missing = np.flatnonzero(~present.to_numpy())
        flag(missing, "account", ("no account id or name" for _ in missing))
    accounts = _assemble(raw, canonical, issues, n)
    report.cells_flagged = sorted(flagged, key=lambda f: (f.row, f.column))
    hints = ParseHints(**_file_hints(report), columns=tuple(decided.items()))
    return Book(accounts, dict(mapping), raw, report, hints, context)


def _used(given: ColumnHints, taken: ColumnHints) -> bool:
    """Whether a column's saved hints decided how its text cells were read."""
    numbers = given.decimal_mark is not None and taken.decimal_mark is not None
    return numbers or (given.date_order is not None and taken.date_order is not None)


def _saved_words(taken: ColumnHints, unreadable: int) -> str:
    misfit = f"; {unreadable:,} cells could not be read with it" if unreadable else ""
    return f"{taken.words()} (as the saved settings say{misfit})"


def _duplicated(ids: pd.Series) -> pd.Series:
    """True at every filled id that appears more than once. Ids are nearly always unique:
    Arrow counts the distinct ones in one hash pass, and only a book with repeats is marked
    cell by cell."""
    if is_arrow_text(ids):
        filled = int(ids.notna().sum())
        if pc.count_distinct(pa.array(ids), mode="only_valid").as_py() == filled:
            return pd.Series(False, index=ids.index)
    return ids.notna() & ids.duplicated(keep=False)


def _error_texts(raw: pd.DataFrame) -> dict[tuple[int, str], str]:
    """Cells whose text is an Excel error ("#N/A"), over all text columns, in row order.

    A long table goes column by column on the Arrow text (no Python object per cell); a wide
    one (more columns than rows) in one pass over its cells, where a per-column step would
    cost more than the cells themselves.
    """
    headers = [
        h
        for h in raw.columns
        if raw[h].dtype != "float64" and not pd.api.types.is_datetime64_any_dtype(raw[h].dtype)
    ]
    if not headers or raw.empty:
        return {}
    wide = len(headers) > len(raw)
    found = (_errors_in_one_pass if wide else _errors_by_column)(raw, headers)
    return {(r, headers[c]): error for r, c, error in sorted(found)}


def _errors_by_column(raw: pd.DataFrame, headers: list[str]) -> list[tuple[int, int, str]]:
    found: list[tuple[int, int, str]] = []
    for c, header in enumerate(headers):
        column = raw[header]
        if is_arrow_text(column) and not may_hold_excel_errors(column):
            continue
        text = column.astype("str").str.strip().str.upper()
        hits = np.flatnonzero(text.isin(EXCEL_ERRORS).to_numpy(dtype=bool))
        found.extend((int(r), c, text.iloc[r]) for r in hits.tolist())
    return found


def _errors_in_one_pass(raw: pd.DataFrame, headers: list[str]) -> list[tuple[int, int, str]]:
    flat = raw[headers].to_numpy(dtype=object).ravel()
    text = pd.Series(flat, dtype="str").str.strip().str.upper()
    hits = np.flatnonzero((text.isin(EXCEL_ERRORS) & text.notna()).to_numpy(dtype=bool))
    rows, columns = np.divmod(hits, len(headers))
    return [
        (int(r), int(c), text.iloc[h])
        for r, c, h in zip(rows.tolist(), columns.tolist(), hits.tolist(), strict=True)
    ]


def _assemble(
    raw: pd.DataFrame, canonical: dict[str, pd.Series], issues: dict[int, list[str]], n: int
) -> pd.DataFrame:
    columns: dict[str, pd.Series] = {}
    for name in CANONICAL_NAMES:
        if name in canonical:
            columns[name] = canonical[name]
    reserved = set(CANONICAL_NAMES) | {ISSUES_COLUMN}
    taken = set(columns) | set(raw.columns)
    for header in raw.columns:
        target = header
        if header in reserved:
            target = f"{header} (raw)"
            while target in taken:
                target += " (raw)"
            taken.add(target)
        columns[target] = raw[header].reset_index(drop=True)
    text = np.full(n, "", dtype=object)
    for pos, problems in issues.items():
        text[pos] = "; ".join(problems)
    columns[ISSUES_COLUMN] = pd.Series(text, dtype="str")
    accounts = pd.DataFrame(columns)
    accounts.index = pd.RangeIndex(n)
    return accounts


def _shorten(value: object, limit: int = 40) -> str:
    text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"
