"""The quadrant panel: accounts and ARR per cell, axis ranges, a bounded chart sample."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from segmentation.config import Config
from segmentation.rules.pillars import SCORE_COLUMNS
from segmentation.rules.quadrant import CELL_ORDER
from segmentation.views.book import arr_values, tier_codes

CHART_LIMIT = 5_000  # marks sent to the browser per chart, whatever the book size


def quadrant_summary(result: pd.DataFrame, config: Config) -> pd.DataFrame:
    """Accounts and ARR per quadrant cell (rows in CELL_ORDER), plus accounts with no position."""
    cells = [cell for cell, _ in config.quadrant.labels]
    codes = np.asarray(result["quadrant"].cat.codes, dtype="int64")
    arr = arr_values(result)
    placed = codes >= 0
    counts = np.bincount(codes[placed], minlength=4)[:4]
    arr_sum = np.bincount(codes[placed], weights=arr[placed], minlength=4)[:4]
    rows = []
    for cell in CELL_ORDER:
        i = cells.index(cell)
        rows.append((cell, config.quadrant.label(cell), int(counts[i]), float(arr_sum[i])))
    table = pd.DataFrame(rows, columns=["cell", "label", "accounts", "arr"])
    table.attrs["unplaced"] = int((~placed).sum())
    return table


def axis_values(result: pd.DataFrame, axis: str) -> np.ndarray:
    """The values of a quadrant axis (a pillar score, priority or ARR) as floats."""
    if axis == "arr" and "arr" not in result.columns:
        return np.full(len(result), np.nan)
    return result[axis].astype("float64").to_numpy(na_value=np.nan)


def axis_domain(result: pd.DataFrame, axis: str) -> tuple[float, float]:
    """The range a quadrant axis is drawn over: 0-100 for scores, the book's ARR range for ARR."""
    if axis != "arr":
        return 0.0, 100.0
    values = axis_values(result, axis)
    positive = values[values > 0]
    if positive.size == 0:
        return 1.0, 10.0
    return float(positive.min()), float(positive.max())


def default_split(result: pd.DataFrame, axis: str) -> float:
    """A sensible split for an axis: 50 for scores, the median ARR (rounded) for ARR."""
    if axis != "arr":
        return 50.0
    values = axis_values(result, axis)
    values = values[~np.isnan(values)]
    if values.size == 0:
        return 0.0
    median = float(np.median(values))
    digits = max(int(math.log10(median)) - 1, 0) if median > 0 else 0
    return float(round(median, -digits))


@dataclass(frozen=True)
class ChartSample:
    rows: np.ndarray  # positions in the result, ascending
    total: int
    top_total: int  # accounts in the top tier
    top_shown: int

    def words(self, top_tier: str) -> str:
        """What the chart shows, said: every account, or a sample and how it was drawn."""
        if not self.sampled:
            return f"Every account is drawn; {top_tier} on top."
        return (
            f"A sample of {self.shown:,} of {self.total:,} accounts, each tier in proportion "
            f"to its accounts ({self.top_shown:,} of {self.top_total:,} {top_tier}, drawn on "
            "top); counts and ARR in the corners are exact."
        )

    @property
    def shown(self) -> int:
        return int(self.rows.size)

    @property
    def sampled(self) -> bool:
        return self.shown < self.total


def _lowest(candidates: np.ndarray, keys: np.ndarray, quota: int) -> np.ndarray:
    if candidates.size <= quota:
        return candidates
    if quota <= 0:
        return candidates[:0]
    return candidates[np.argpartition(keys[candidates], quota - 1)[:quota]]


def tier_quotas(sizes: np.ndarray, limit: int) -> np.ndarray:
    """Points per tier, proportional to its accounts (largest remainders), summing to `limit`;
    a tier that holds accounts gets a point while a larger quota can spare one."""
    total = int(sizes.sum())
    if total <= limit:
        return sizes.copy()
    exact = sizes * limit / total
    quotas = np.floor(exact).astype("int64")
    spare = limit - int(quotas.sum())  # fewer than the number of tiers
    quotas[np.argsort(quotas - exact, kind="stable")[:spare]] += 1
    for tier in np.flatnonzero((sizes > 0) & (quotas == 0)):  # a few tiers at most
        donor = int(np.argmax(quotas))
        if quotas[donor] > 1:
            quotas[donor] -= 1
            quotas[tier] = 1
    return quotas


def chart_sample(result: pd.DataFrame, limit: int = CHART_LIMIT, seed: int = 0) -> ChartSample:
    """A sample stratified by tier, each tier's share of points its share of accounts.

    Each account gets a fixed random key (from `seed` and its position), so the sample is
    stable while sliders move: an account drawn stays drawn unless its tier changes.
    """
    n = len(result)
    codes = tier_codes(result)
    top_total = int((codes == 0).sum())
    if n <= limit:
        return ChartSample(np.arange(n), n, top_total, top_total)
    keys = np.random.default_rng(seed).random(n)
    tiers = int(codes.max()) + 1
    sizes = np.bincount(codes[codes >= 0], minlength=tiers)
    quotas = tier_quotas(sizes, limit)
    picked = [
        _lowest(np.flatnonzero(codes == code), keys, int(quotas[code])) for code in range(tiers)
    ]
    rows = np.sort(np.concatenate(picked))
    return ChartSample(rows, n, top_total, int(picked[0].size))


def draw_order(tiers: np.ndarray, arr: np.ndarray) -> np.ndarray:
    """The order points are drawn in: lower tiers first, the top tier last (on top); within a
    tier the largest ARR first, so that small points are not hidden under big ones."""
    order = np.lexsort((-np.nan_to_num(arr, nan=0.0), -tiers))
    rank = np.empty(order.size, dtype="int64")
    rank[order] = np.arange(order.size)
    return rank


def quadrant_points(result: pd.DataFrame, rows: np.ndarray, cfg: Config) -> pd.DataFrame:
    """The sampled accounts with the columns the quadrant draws and its tooltips show."""
    picked = result.iloc[rows]
    q = cfg.quadrant
    frame = pd.DataFrame(
        {
            "x": axis_values(picked, q.x),
            "y": axis_values(picked, q.y),
            "arr": arr_values(picked),
            "tier": picked["tier"].astype("str").to_numpy(),
            "priority": picked["priority"].to_numpy(),
        }
    )
    names = picked["account_name"] if "account_name" in picked.columns else picked["account_id"]
    frame["account"] = names.astype("str").to_numpy()
    for column in SCORE_COLUMNS:
        frame[column] = picked[column].to_numpy()
    frame["order"] = draw_order(tier_codes(picked), frame["arr"].to_numpy())
    return frame


@dataclass(frozen=True)
class QuadrantView:
    """What the quadrant panel draws: the points, the exact corner totals, the axis ranges."""

    sample: ChartSample
    points: pd.DataFrame  # one row per drawn account
    cells: pd.DataFrame  # accounts and ARR per cell (exact), attrs["unplaced"]
    x_domain: tuple[float, float]
    y_domain: tuple[float, float]


def quadrant_view(result: pd.DataFrame, config: Config) -> QuadrantView:
    """The quadrant panel in one call: a bounded sample of points and exact totals."""
    sample = chart_sample(result)
    return QuadrantView(
        sample=sample,
        points=quadrant_points(result, sample.rows, config),
        cells=quadrant_summary(result, config),
        x_domain=axis_domain(result, config.quadrant.x),
        y_domain=axis_domain(result, config.quadrant.y),
    )
