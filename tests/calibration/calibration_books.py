"""Books with a known truth: the sample generator's accounts, written and loaded as a user's
file would be, plus an outcome drawn from a known logistic model of two metrics (or noise)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd

import segmentation as seg
from segmentation.config import SCORE_COLUMNS
from segmentation.sample import generate_accounts, write_book

AS_OF = dt.date(2026, 11, 1)
TIER_KEYS = {"tier", "accounts", "with_outcome", "rate", "lift", "arr", "arr_with_outcome"}
INFORMATIVE = ("support_tickets", "health_score")  # the two metrics the truth depends on


def truth_probability(accounts: pd.DataFrame) -> np.ndarray:
    """P(churn): more tickets and lower health raise it (a logistic model of two metrics)."""
    tickets = accounts["support_tickets"].to_numpy(dtype="float64")
    health = accounts["health_score"].to_numpy(dtype="float64")
    z = -1.2 + 1.1 * (tickets - tickets.mean()) / tickets.std() - 0.06 * (health - 60)
    return 1.0 / (1.0 + np.exp(-z))


def churn_book(rows: int, seed: int, *, noise: bool = False) -> pd.DataFrame:
    accounts = generate_accounts(rows, seed=seed)
    rng = np.random.default_rng(seed)
    p = np.full(rows, 0.25) if noise else truth_probability(accounts)
    accounts["Churned"] = np.where(rng.random(rows) < p, "Yes", "No")
    return accounts


def loaded(accounts: pd.DataFrame, folder: Path, name: str = "book.csv") -> seg.Book:
    path = folder / name
    write_book(accounts, path)
    return seg.load(path)


def validate_document(doc: dict) -> None:
    """The calibration document of CONTRACT.md section 7, key by key."""
    assert set(doc) == {"accounts", "with_outcome", "rate", "tiers", "auc", "signal"}
    assert isinstance(doc["accounts"], int) and isinstance(doc["with_outcome"], int)
    assert 0 <= doc["rate"] <= 1 and isinstance(doc["signal"], bool)
    assert sum(t["accounts"] for t in doc["tiers"]) == doc["accounts"]
    assert sum(t["with_outcome"] for t in doc["tiers"]) == doc["with_outcome"]
    for tier in doc["tiers"]:
        assert set(tier) == TIER_KEYS
        assert tier["arr_with_outcome"] <= tier["arr"]
    assert {"priority", *SCORE_COLUMNS} == set(doc["auc"])
    for value in doc["auc"].values():
        assert set(value) == {"value", "low", "high"}
        assert 0 <= value["low"] <= value["value"] <= value["high"] <= 1
