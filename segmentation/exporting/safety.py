"""What a cell is (number, text, mixed...) and how text is made safe to open (formulas)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from segmentation.columns import CANONICAL_COLUMNS

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")


# Canonical columns that are text on purpose: an id like "12345" is not a number to add up.
TEXT_COLUMNS = frozenset(c.name for c in CANONICAL_COLUMNS if c.kind in ("id", "text", "category"))


# Text that is wholly a plain number: no leading zeros ("00123" is an id), at most 15 digits
# (what a spreadsheet number holds exactly), finite.
PLAIN_NUMBER = r"^[-+]?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?$"


MAX_NUMBER_DIGITS = 15


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


def _is_real_number(value: Any) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(
        value, (bool, np.bool_)
    )


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
