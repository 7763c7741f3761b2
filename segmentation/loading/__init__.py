"""Loading account exports (CSV, Excel) into canonical columns, with a report of everything done.

from segmentation.loading import load, remap
book = load("accounts.xlsx")
book.accounts, book.mapping, book.raw, book.report
again = load("next.xlsx", hints=book.hints)   # read the same way
load(upload, progress=print)                   # each of LOAD_STAGES as it starts
"""

from segmentation.loading.hints import ColumnHints, ParseHints
from segmentation.loading.loader import LOAD_STAGES, Book, load, remap
from segmentation.loading.mapping import HEADER_ALIASES, Match, auto_map, normalise_header
from segmentation.loading.report import FlaggedCell, LoadReport
from segmentation.loading.source import MAX_UPLOAD_MB

__all__ = [
    "HEADER_ALIASES",
    "LOAD_STAGES",
    "MAX_UPLOAD_MB",
    "Book",
    "ColumnHints",
    "FlaggedCell",
    "LoadReport",
    "Match",
    "ParseHints",
    "auto_map",
    "load",
    "normalise_header",
    "remap",
]
