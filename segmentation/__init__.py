"""Tierwise's segmentation core: load a book of accounts, score it, tier it, export it.

No Streamlit, no clock; I/O only in `loading` and `export`.
"""

from segmentation.config import (
    Config,
    config_from_dict,
    config_from_json,
    config_to_dict,
    config_to_json,
    default_config,
    describe_config,
    load_config,
    save_config,
)
from segmentation.errors import ConfigError, InputError
from segmentation.exporting import export, export_bytes
from segmentation.loading import Book, ColumnHints, LoadReport, ParseHints, load, remap
from segmentation.rules.metrics import MetricScores, score_metrics
from segmentation.sample import generate_accounts
from segmentation.segment import (
    LENS_COLUMNS,
    OUTPUT_COLUMNS,
    SCORE_COLUMNS,
    book_warnings,
    fitted_config,
    segment,
    tier_accounts,
    with_reasons,
)

__all__ = [
    "LENS_COLUMNS",
    "OUTPUT_COLUMNS",
    "SCORE_COLUMNS",
    "Book",
    "ColumnHints",
    "Config",
    "ConfigError",
    "InputError",
    "LoadReport",
    "MetricScores",
    "ParseHints",
    "book_warnings",
    "config_from_dict",
    "config_from_json",
    "config_to_dict",
    "config_to_json",
    "default_config",
    "describe_config",
    "export",
    "export_bytes",
    "fitted_config",
    "generate_accounts",
    "load",
    "load_config",
    "remap",
    "save_config",
    "score_metrics",
    "segment",
    "tier_accounts",
    "with_reasons",
]
