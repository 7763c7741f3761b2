"""The numbers of a calibration: outcome rate and lift per group, deciles, ROC AUC with intervals.

AUC intervals are DeLong's (1988) exact-variance method in the fast form of Sun & Xu (2014):
midranks from scipy, so one sort per column, whatever the book size.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import norm, rankdata

CONFIDENCE = 0.95
Z = float(norm.ppf(0.5 + CONFIDENCE / 2))
DECILES = 10
GROUP_COLUMNS = (
    "accounts",
    "with_outcome",
    "rate",
    "lift",
    "arr",
    "arr_with_outcome",
    "share_of_outcome_arr",
)


@dataclass(frozen=True)
class Auc:
    """ROC AUC of a column against the outcome, with its 95% DeLong interval."""

    value: float
    low: float
    high: float
    accounts: int  # accounts with both a value and an outcome

    @property
    def clears_half(self) -> bool:
        """True when the interval excludes 0.5: the column carries a signal either way."""
        return self.low > 0.5 or self.high < 0.5

    def as_dict(self) -> dict[str, float]:
        return {
            "value": round(self.value, 4),
            "low": round(self.low, 4),
            "high": round(self.high, 4),
        }


NO_AUC = Auc(float("nan"), float("nan"), float("nan"), 0)


def _weighted_var(values: np.ndarray, weights: np.ndarray, total: float) -> float:
    """Sample variance (ddof 1) of values repeated `weights` times; 0 for a single value."""
    if total <= 1:
        return 0.0
    mean = (weights @ values) / total
    return float(weights @ (values - mean) ** 2 / (total - 1))


def auc(score: np.ndarray, event: np.ndarray, z: float = Z) -> Auc:
    """AUC of `score` as is (higher goes with the outcome above 0.5), DeLong 95% interval.

    Accounts without a score or an outcome are left out; NaN when one class is absent.
    `z` sets the interval's width (the default: 95%, two-sided). One sort: DeLong's
    components depend only on each tied group's midranks (overall, among the accounts with
    the outcome, among those without), so they are computed per group of equal scores.
    """
    score = np.asarray(score, dtype="float64")
    event = np.asarray(event, dtype="float64")
    use = ~np.isnan(score) & ~np.isnan(event)
    values, hits = score[use], event[use]
    m = float(hits.sum())
    n = float(len(hits) - m)
    if m == 0 or n == 0:
        return NO_AUC
    order = np.argsort(values, kind="stable")
    ordered = values[order]
    starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
    sizes = np.diff(np.r_[starts, len(ordered)]).astype("float64")
    pos = np.add.reduceat(hits[order], starts)
    neg = sizes - pos
    mid_all = starts + (sizes + 1) / 2
    mid_pos = np.cumsum(pos) - pos + (pos + 1) / 2
    mid_neg = np.cumsum(neg) - neg + (neg + 1) / 2
    value = (pos @ mid_all - m * (m + 1) / 2) / (m * n)
    v01 = (mid_all - mid_pos) / n  # per account with the outcome: share of others below it
    v10 = 1.0 - (mid_all - mid_neg) / m  # per account without: share of outcomes above it
    variance = _weighted_var(v01, pos, m) / m + _weighted_var(v10, neg, n) / n
    half = z * float(np.sqrt(max(variance, 0.0)))
    return Auc(float(value), max(0.0, value - half), min(1.0, value + half), int(m + n))


def group_table(
    groups: pd.Series | pd.Categorical, event: np.ndarray, arr: np.ndarray | None
) -> pd.DataFrame:
    """Per group (tier, quadrant cell, decile): accounts, outcome count and rate, lift, ARR.

    Only accounts whose outcome is known count; lift = the group's rate / the book's rate;
    share_of_outcome_arr = the group's ARR with the outcome / all ARR with the outcome.
    """
    known = ~np.isnan(event)
    arr = np.zeros(len(event)) if arr is None else np.nan_to_num(arr.astype("float64"))
    frame = pd.DataFrame(
        {
            "group": pd.Series(groups).to_numpy()[known],
            "accounts": 1,
            "with_outcome": event[known],
            "arr": arr[known],
            "arr_with_outcome": (arr * np.nan_to_num(event))[known],
        }
    )
    categories = getattr(pd.Series(groups).dtype, "categories", None)
    table = frame.groupby("group", observed=False, sort=categories is None).sum()
    if categories is not None:
        table = table.reindex(categories, fill_value=0)
    table["with_outcome"] = table["with_outcome"].astype("int64")
    table["accounts"] = table["accounts"].astype("int64")
    book_rate = frame["with_outcome"].mean() if len(frame) else np.nan
    with np.errstate(divide="ignore", invalid="ignore"):
        table["rate"] = table["with_outcome"] / table["accounts"].where(table["accounts"] > 0)
        table["lift"] = table["rate"] / book_rate if book_rate > 0 else np.nan
        total = frame["arr_with_outcome"].sum()
        table["share_of_outcome_arr"] = table["arr_with_outcome"] / total if total > 0 else np.nan
    table.index.name = None
    return table[list(GROUP_COLUMNS)]


def deciles(score: np.ndarray) -> np.ndarray:
    """Decile 1 (lowest) to 10 (highest) of each score by rank; tied scores share a decile."""
    score = np.asarray(score, dtype="float64")
    out = np.full(len(score), np.nan)
    use = ~np.isnan(score)
    if use.any():
        ranks = rankdata(score[use], method="average")
        out[use] = np.clip(np.ceil(ranks / use.sum() * DECILES), 1, DECILES)
    return out


def decile_table(score: np.ndarray, event: np.ndarray, arr: np.ndarray | None) -> pd.DataFrame:
    """Outcome rate per decile of a score (deciles without accounts, from ties, left out)."""
    bins = deciles(score)
    known = ~np.isnan(bins)
    labels = pd.Categorical(bins[known].astype("int64"), categories=range(1, DECILES + 1))
    table = group_table(labels, np.where(known, event, np.nan)[known], _subset(arr, known))
    return table[table["accounts"] > 0]


def _subset(values: np.ndarray | None, mask: np.ndarray) -> np.ndarray | None:
    return None if values is None else values[mask]


def monotone(rates: pd.Series) -> str:
    """ "rising", "falling" or "not monotone": how the outcome rate moves across deciles."""
    steps = np.diff(rates.dropna().to_numpy())
    if len(steps) == 0:
        return "not monotone"
    if (steps >= 0).all():
        return "rising"
    if (steps <= 0).all():
        return "falling"
    return "not monotone"


def numeric_columns(frame: pd.DataFrame, exclude: set[str]) -> dict[str, np.ndarray]:
    """Every numeric or yes/no column of the book, as floats, but those excluded."""
    out: dict[str, np.ndarray] = {}
    for name in frame.columns:
        if name in exclude:
            continue
        column = frame[name]
        if pd.api.types.is_bool_dtype(column.dtype) or pd.api.types.is_numeric_dtype(column.dtype):
            values = column.astype("Float64").to_numpy(dtype="float64", na_value=np.nan)
            if np.isfinite(values).sum() > 1 and np.nanstd(values) > 0:
                out[str(name)] = values
    return out


def best_column(columns: dict[str, np.ndarray], event: np.ndarray) -> tuple[str, Auc] | None:
    """The single column that ranks the outcome best, either way (AUC furthest from 0.5).

    Picking the best of k columns flatters it, so its interval is Bonferroni-widened to
    95% over all k (z for 1 - 0.05 / 2k): on pure noise, the winner's interval still holds 0.5.
    """
    z = float(norm.ppf(1 - (1 - CONFIDENCE) / (2 * max(len(columns), 1))))
    scored = [(name, auc(values, event, z)) for name, values in columns.items()]
    scored = [(name, a) for name, a in scored if not np.isnan(a.value)]
    if not scored:
        return None
    return max(scored, key=lambda item: abs(item[1].value - 0.5))


@dataclass(frozen=True)
class LiveSummary:
    """What the Workshop shows on every slider move: priority's AUC and the top tier's lift."""

    auc: Auc
    top_tier: str
    top_rate: float
    top_lift: float
    top_lift_low: float  # 95% Wilson interval of the top tier's rate, as lift
    top_lift_high: float
    rate: float


def wilson(successes: int, trials: int) -> tuple[float, float]:
    """95% Wilson score interval of a proportion."""
    if trials == 0:
        return float("nan"), float("nan")
    p = successes / trials
    centre = (p + Z**2 / (2 * trials)) / (1 + Z**2 / trials)
    half = Z * np.sqrt(p * (1 - p) / trials + Z**2 / (4 * trials**2)) / (1 + Z**2 / trials)
    return float(max(0.0, min(p, centre - half))), float(min(1.0, max(p, centre + half)))


def live_summary(result: pd.DataFrame, outcome: Any) -> LiveSummary:
    """Priority AUC and top-tier lift of a segmentation result: one sort, cheap at 100k.

    `outcome`: an Outcome, or its event array (1, 0 or NaN per row of `result`).
    """
    event = np.asarray(getattr(outcome, "event", outcome), dtype="float64")
    known = ~np.isnan(event)
    tiers = result["tier"]
    top = str(tiers.cat.categories[0])
    in_top = (tiers == top).to_numpy() & known
    rate = float(event[known].mean()) if known.any() else float("nan")
    hits, trials = int(event[in_top].sum()), int(in_top.sum())
    top_rate = hits / trials if trials else float("nan")
    low, high = wilson(hits, trials)

    def lift(value: float) -> float:
        return value / rate if rate > 0 else float("nan")

    return LiveSummary(
        auc(result["priority"].to_numpy(dtype="float64"), event),
        top,
        top_rate,
        lift(top_rate),
        lift(low),
        lift(high),
        rate,
    )
