"""Reading a book's columns as numbers or flags: one rule for scoring, lenses, tiers and reasons.

Numbers and booleans are taken as they are; text (a column a user picked by its own header)
is parsed the way the loader parses it; dates are not numbers. Infinite values are missing.
Parsing is positional, so any index, unique or not, is fine.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from segmentation.rules import sql
from segmentation.values import to_bool, to_number


def _is_plain(values: pd.Series) -> bool:
    return pd.api.types.is_bool_dtype(values) or pd.api.types.is_numeric_dtype(values)


def as_numbers(values: pd.Series) -> np.ndarray:
    """Floats, NaN where missing, unreadable or infinite.

    A column of finite floats is not copied: the result is then a read-only view of it (what
    pandas' copy-on-write gives), so that a million-row column costs no new memory.
    """
    if _is_plain(values):
        numbers = values.to_numpy(dtype="float64", na_value=np.nan)
    elif pd.api.types.is_datetime64_any_dtype(values):
        return np.full(len(values), np.nan)
    else:
        numbers = np.array(to_number(values.reset_index(drop=True)), dtype="float64")
    infinite = np.isinf(numbers)
    return np.where(infinite, np.nan, numbers) if infinite.any() else numbers


def as_flags(values: pd.Series) -> np.ndarray:
    """1.0 for yes, 0.0 for no, NaN where missing or unreadable."""
    if _is_plain(values):
        numbers = as_numbers(values)
        flags = (numbers != 0).astype("float64")
        flags[np.isnan(numbers)] = np.nan
        return flags
    flags = to_bool(values.reset_index(drop=True))
    return flags.astype("float64").to_numpy(na_value=np.nan)


def column_numbers(accounts: pd.DataFrame, column: str) -> np.ndarray:
    """A column of the book as numbers; all NaN when the book does not have it."""
    if column not in accounts:
        return np.full(len(accounts), np.nan)
    return as_numbers(accounts[column])


def column_flags(accounts: pd.DataFrame, column: str) -> np.ndarray:
    """A column of the book as flags; all NaN when the book does not have it."""
    if column not in accounts:
        return np.full(len(accounts), np.nan)
    return as_flags(accounts[column])


# --- the SQL form: a table of canonical columns is already typed (numbers, booleans, text) ---


def flag_sql(expr: str) -> str:
    """1.0 for yes, 0.0 for no, NULL where missing (a boolean or a number column)."""
    flag = f"CAST({expr} AS BOOLEAN)"
    return sql.case([(flag, "1.0"), (f"NOT {flag}", "0.0")])


SQL_READERS: dict[str, Callable[[str], str]] = {
    "numbers": sql.finite,
    "flags": flag_sql,
    "values": lambda expr: expr,
}
