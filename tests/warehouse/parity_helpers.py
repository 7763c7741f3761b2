"""Parity: the same book and settings through segment() (numpy) and the SQL (DuckDB)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

import segmentation as seg
from segmentation.config import Config
from segmentation.warehouse import score_frame

AS_OF = dt.date(2026, 11, 22)
NUMBERS = (*seg.SCORE_COLUMNS, "priority", "whitespace", "adoption", "days_to_renewal")
LABELS = ("tier", "quadrant", "nps_group", "renewal_window", "arr_rank_band")


def both(accounts: pd.DataFrame, config: Config) -> tuple[pd.DataFrame, pd.DataFrame]:
    return seg.segment(accounts, config, as_of=AS_OF), score_frame(accounts, config, as_of=AS_OF)


def labels(values: pd.Series) -> np.ndarray:
    return values.astype(object).where(values.notna(), None).to_numpy()


def assert_parity(accounts: pd.DataFrame, config: Config) -> pd.DataFrame:
    """Every number within 0.01 (missing where the core's is), every label identical."""
    core, sql = both(accounts, config)
    assert len(sql) == len(core)
    assert list(sql.index) == list(core.index)
    for column in NUMBERS:
        expected, got = core[column].to_numpy(float), sql[column].to_numpy(float)
        assert np.array_equal(np.isnan(expected), np.isnan(got)), column
        known = ~np.isnan(expected)
        worst = np.max(np.abs(expected[known] - got[known]), initial=0.0)
        assert worst <= 0.01, f"{column}: off by {worst}"
    for column in LABELS:
        differ = labels(core[column]) != labels(sql[column])
        assert not differ.any(), f"{column}: {core[column][differ].head(3).tolist()} vs " + str(
            sql[column][differ].head(3).tolist()
        )
    return sql


def tied_book(rows: int = 60, seed: int = 3, gaps: float = 0.15) -> pd.DataFrame:
    """A book shaped like seg.load's, with few distinct values (ties) and gaps (missing)."""
    accounts = seg.generate_accounts(rows, seed=seed)
    rng = np.random.default_rng(seed)
    for column in ("arr", "potential_arr", "support_tickets", "employees", "nps", "health_score"):
        values = accounts[column].astype("float64").to_numpy()
        values = np.round(values / np.nanmax(values) * 4) * np.nanmax(values) / 4  # 5 levels
        values[rng.random(rows) < gaps] = np.nan
        accounts[column] = values
    return accounts
