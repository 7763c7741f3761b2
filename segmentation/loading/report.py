"""LoadReport: what the loader read, decided, cleaned, flagged and skipped."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from segmentation.loading.mapping import Match

_KIND_WORDS = {
    "placeholder": "placeholders read as empty",
    "currency": "currency signs removed",
    "percent": "percent signs removed (read as percent points)",
    "percent_format": "Excel percentages scaled to percent points",
    "negative_parentheses": "(n) read as negative",
    "suffix": "k/M/B suffixes expanded",
    "thousands_separator": "thousands separators removed",
    "decimal_comma": "decimal commas read",
    "excel_serial": "Excel date serials converted",
    "blank_as_no": "blank cells read as no",
}


@dataclass
class FlaggedCell:
    row: int  # 0-based position in book.accounts
    line: int  # 1-based line (CSV) or row (Excel) in the file
    column: str  # canonical name, or the original header for unmapped columns
    problem: str


@dataclass
class LoadReport:
    source: str
    kind: str  # "csv" | "xlsx"
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    other_sheets: list[str] = field(default_factory=list)
    header_row: int = 1
    rows_read: int = 0
    rows_kept: int = 0
    rows_skipped: list[tuple[int, str]] = field(default_factory=list)
    number_formats: dict[str, str] = field(default_factory=dict)  # column -> decimal decision
    date_orders: dict[str, str] = field(default_factory=dict)  # column -> day/month decision
    cells_cleaned: dict[str, dict[str, int]] = field(default_factory=dict)
    cells_flagged: list[FlaggedCell] = field(default_factory=list)
    duplicate_headers: dict[str, str] = field(default_factory=dict)  # new name -> original
    mapping: dict[str, str] = field(default_factory=dict)
    matches: list[Match] = field(default_factory=list)  # how each column was matched
    notes: list[str] = field(default_factory=list)

    def check_counts(self) -> None:
        """Every row read is kept or skipped; anything else is a bug in the loader."""
        if self.rows_read != self.rows_kept + len(self.rows_skipped):
            raise RuntimeError(
                f"loader bug: {self.rows_read} rows read but {self.rows_kept} kept and "
                f"{len(self.rows_skipped)} skipped"
            )

    def flags_by_problem(self) -> dict[str, int]:
        """Flagged cells counted by column and kind of problem."""
        counts: dict[str, int] = {}
        for cell in self.cells_flagged:
            kind = cell.problem.split(" '")[0].split(" #")[0]
            key = f"{cell.column}: {kind}"
            counts[key] = counts.get(key, 0) + 1
        return counts

    def low_confidence_matches(self) -> list[Match]:
        """The automatic matches a person should confirm (weak, or with an equal rival)."""
        return [m for m in self.matches if m.needs_confirmation]

    def to_dict(self) -> dict:
        """A JSON-safe dict of the whole report."""
        data = asdict(self)
        data["rows_skipped"] = [{"line": line, "reason": why} for line, why in self.rows_skipped]
        return data

    def summary_lines(self) -> list[str]:
        """Plain-English lines for the app, the CLI and the "Data report" sheet."""
        lines = [f"Read {self.source} as {self.kind.upper()}."]
        if self.kind == "csv":
            names = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}
            delim = names.get(self.delimiter or "", repr(self.delimiter))
            lines.append(f"Encoding {self.encoding}; columns separated by {delim}.")
        if self.sheet is not None:
            others = ", ".join(self.other_sheets)
            tail = f" Other sheets, not used: {others}." if others else ""
            lines.append(f"Used sheet '{self.sheet}'.{tail}")
        lines.append(f"Header found on line {self.header_row}.")
        lines.append(
            f"{self.rows_read} rows read: {self.rows_kept} accounts kept, "
            f"{len(self.rows_skipped)} rows skipped."
        )
        for line, reason in self.rows_skipped[:20]:
            lines.append(f"  Skipped line {line}: {reason}.")
        if len(self.rows_skipped) > 20:
            lines.append(f"  ... and {len(self.rows_skipped) - 20} more skipped lines.")
        if self.mapping:
            pairs = ", ".join(f"{k} <- '{v}'" for k, v in self.mapping.items())
            lines.append(f"Columns recognised: {pairs}.")
        lines.extend(f"Check: {m.warning()}." for m in self.low_confidence_matches())
        for old_new in self.duplicate_headers.items():
            lines.append(f"Duplicate header '{old_new[1]}' renamed to '{old_new[0]}'.")
        for column, decision in self.number_formats.items():
            lines.append(f"{column}: numbers read with {decision}.")
        for column, decision in self.date_orders.items():
            lines.append(f"{column}: dates read as {decision}.")
        for column, kinds in self.cells_cleaned.items():
            parts = ", ".join(f"{n} {_KIND_WORDS.get(k, k)}" for k, n in kinds.items())
            lines.append(f"{column}: {parts}.")
        flags = self.flags_by_problem()
        if flags:
            lines.append(f"{len(self.cells_flagged)} cells flagged (see input_issues):")
            lines.extend(f"  {key} ({n})" for key, n in flags.items())
        lines.extend(self.notes)
        return lines
