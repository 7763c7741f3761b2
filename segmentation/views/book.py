"""Reading a result's ARR and tiers as arrays: what every view starts from."""

from __future__ import annotations

import numpy as np
import pandas as pd

from segmentation.rules.inputs import column_numbers


def arr_values(result: pd.DataFrame) -> np.ndarray:
    """ARR per account as floats, 0 where missing or where the book has no ARR column."""
    return np.nan_to_num(column_numbers(result, "arr"), nan=0.0)


def total_arr(result: pd.DataFrame) -> float:
    """The ARR of these accounts, missing values left out."""
    return float(arr_values(result).sum())


def tier_codes(result: pd.DataFrame) -> np.ndarray:
    """Position of each account's tier in the config's tiers (0 = top tier)."""
    return np.asarray(result["tier"].cat.codes, dtype="int64")
