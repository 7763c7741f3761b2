"""Loading account exports (CSV, Excel) into canonical columns, with a report of everything done.

from segmentation.loading import load, remap
book = load("accounts.xlsx")
book.accounts, book.mapping, book.raw, book.report
"""

from segmentation.loading.loader import Book, load, remap
from segmentation.loading.mapping import HEADER_ALIASES, Match, auto_map, normalise_header
from segmentation.loading.report import FlaggedCell, LoadReport
from segmentation.loading.source import MAX_UPLOAD_MB

__all__ = [
    "HEADER_ALIASES",
    "MAX_UPLOAD_MB",
    "Book",
    "FlaggedCell",
    "LoadReport",
    "Match",
    "auto_map",
    "load",
    "normalise_header",
    "remap",
]
