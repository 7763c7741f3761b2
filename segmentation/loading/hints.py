"""Parse decisions as data: what `load` decided about a file, returned and accepted back.

    book = load("q3.csv")
    doc = book.hints.to_dict()            # saved as the settings' "parsing" section
    again = load("q4.csv", hints=ParseHints.from_dict(doc))   # read the same way

File-level decisions (encoding, delimiter, sheet, header row) and, per source column (keyed
by its header), the decimal mark, thousands mark and day/month order. A decision left out
(None, or a column not named) is detected as usual. A document that is not valid raises
ConfigError naming the field, in one sentence.
"""

from __future__ import annotations

import codecs
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from segmentation.loading.csv_reader import DELIMITERS
from segmentation.rules.constraints import Choice, Number, Text, check_fields, fail

DECIMAL_MARKS = (".", ",")
THOUSANDS_MARKS = (",", ".", "'", " ")
DATE_ORDERS = ("DMY", "MDY")
_ORDER_WORDS = {"DMY": "day/month/year", "MDY": "month/day/year"}
_DELIMITER_WORDS = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}

COLUMN_HINT_CONSTRAINTS = (
    ("decimal_mark", Choice(DECIMAL_MARKS, optional=True)),
    ("thousands_mark", Choice(THOUSANDS_MARKS, optional=True)),
    ("date_order", Choice(DATE_ORDERS, optional=True)),
)
PARSE_HINT_CONSTRAINTS = (
    ("delimiter", Choice(DELIMITERS, optional=True)),
    ("header_row", Number(minimum=1, optional=True)),
)
_FILE_FIELDS = ("encoding", "delimiter", "sheet", "header_row")
_COLUMN_FIELDS = tuple(name for name, _ in COLUMN_HINT_CONSTRAINTS)


@dataclass(frozen=True)
class ColumnHints:
    """How one column's cells are read: None leaves that decision to detection."""

    decimal_mark: str | None = None
    thousands_mark: str | None = None
    date_order: str | None = None  # "DMY" | "MDY"

    def __post_init__(self) -> None:
        check_column(lambda name: getattr(self, name), "column")

    def words(self) -> str:
        """The decision in the report's words: "decimal comma, '.' thousands"."""
        if self.date_order:
            return _ORDER_WORDS[self.date_order]
        name = "decimal comma" if self.decimal_mark == "," else "decimal point"
        return f"{name}, '{self.thousands_mark or default_thousands(self.decimal_mark)}' thousands"


@dataclass(frozen=True)
class ParseHints:
    """Every decision of one load; `columns` pairs a source header with its ColumnHints."""

    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    header_row: int | None = None
    columns: tuple[tuple[str, ColumnHints], ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        check_file(lambda name: getattr(self, name), "parsing")
        for header, column in self.columns:
            Text("must be a column header").check("parsing.columns", header)
            if not isinstance(column, ColumnHints):
                fail(f"parsing.columns.{header}", "must be ColumnHints")

    def column(self, header: str) -> ColumnHints | None:
        return dict(self.columns).get(header)

    def to_dict(self) -> dict[str, Any]:
        """The JSON-ready document: only the decisions taken (None fields left out)."""
        doc: dict[str, Any] = {
            name: getattr(self, name) for name in _FILE_FIELDS if getattr(self, name) is not None
        }
        columns = {header: _column_dict(hints) for header, hints in self.columns}
        if columns:
            doc["columns"] = columns
        return doc

    @classmethod
    def from_dict(cls, doc: Any, path: str = "parsing") -> ParseHints:
        """Build and validate from a document; ConfigError names the bad field."""
        _object(doc, path)
        _known(doc, path, set(_FILE_FIELDS) | {"columns"})
        columns = doc.get("columns", {})
        _object(columns, f"{path}.columns")
        pairs = []
        for header, hints in columns.items():
            where = f"{path}.columns.{header}"
            _object(hints, where)
            _known(hints, where, set(_COLUMN_FIELDS))
            check_column(hints.get, where)
            pairs.append((header, ColumnHints(**hints)))
        check_file(doc.get, path)
        return cls(**{name: doc.get(name) for name in _FILE_FIELDS}, columns=tuple(pairs))


def default_thousands(decimal_mark: str | None) -> str:
    """The thousands mark that goes with a decimal mark when nothing else is said."""
    return "." if decimal_mark == "," else ","


def check_column(read: Callable[[str], Any], path: str) -> None:
    """One column's hints, read field by field (from a ColumnHints or a document)."""
    check_fields(path, read, COLUMN_HINT_CONSTRAINTS)
    mark = read("thousands_mark")
    if mark is not None and mark == (read("decimal_mark") or "."):
        fail(f"{path}.thousands_mark", f"must differ from the decimal mark; got {mark!r}")


def check_file(read: Callable[[str], Any], path: str) -> None:
    """The file-level hints, read field by field (from a ParseHints or a document)."""
    check_fields(path, read, PARSE_HINT_CONSTRAINTS)
    row = read("header_row")
    if row is not None and (isinstance(row, bool) or not isinstance(row, int)):
        fail(f"{path}.header_row", f"must be a whole line number, got {row!r}")
    for name in ("encoding", "sheet"):
        if read(name) is not None:
            Text().check(f"{path}.{name}", read(name))
    if read("encoding") is not None:
        try:
            codecs.lookup(read("encoding"))
        except LookupError:
            fail(f"{path}.encoding", f"is not an encoding Python knows; got {read('encoding')!r}")


def file_words(hints: ParseHints) -> list[str]:
    """The file-level decisions a set of hints pins, in words (for "read as saved" notes)."""
    words = []
    if hints.encoding:
        words.append(f"encoding {hints.encoding}")
    if hints.delimiter:
        words.append(f"columns separated by {_DELIMITER_WORDS[hints.delimiter]}")
    if hints.sheet:
        words.append(f"sheet '{hints.sheet}'")
    if hints.header_row:
        words.append(f"header on line {hints.header_row}")
    return words


def _column_dict(hints: ColumnHints) -> dict[str, str]:
    return {
        name: getattr(hints, name) for name in _COLUMN_FIELDS if getattr(hints, name) is not None
    }


def _object(doc: Any, path: str) -> None:
    if not isinstance(doc, dict):
        fail(path, f"must be an object, got {doc!r}"[:120])


def _known(doc: dict, path: str, allowed: set[str]) -> None:
    unknown = sorted(set(doc) - allowed, key=str)
    if unknown:
        fail(f"{path}.{unknown[0]}", "is not a known setting")
