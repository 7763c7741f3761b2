"""Summaries of a segmentation for the workshop screens: tiers, quadrant, movement, coverage.

UI-free and vectorised: every function works on the result of `segment()` / `tier_accounts()`
with numpy on the category codes, so the workshop can redraw them on every slider move of a
100k-account book. The pages only draw what these return.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from segmentation.columns import CANONICAL_COLUMNS
from segmentation.config import MISSING_HELP, Config
from segmentation.rules.inputs import as_numbers, column_numbers
from segmentation.rules.metrics import MetricScores
from segmentation.rules.pillars import EFFECT_WORDS, entering, weight_shares
from segmentation.rules.quadrant import CELL_ORDER

CHART_LIMIT = 5_000  # marks sent to the browser per chart, whatever the book size
HISTOGRAM_BIN = 2.0  # priority points per histogram bar

# Columns the scoring derives from other columns (DESIGN section 1).
DERIVED_FROM: dict[str, tuple[str, ...]] = {
    "whitespace": ("potential_arr", "arr"),
    "adoption": ("active_users", "licensed_seats"),
    "days_to_renewal": ("renewal_date",),
}
# Canonical columns that feed something other than a pillar.
OTHER_USES: dict[str, tuple[str, ...]] = {
    "nps": ("NPS group",),
    "renewal_date": ("renewal window",),
    "arr": ("ARR rank", "coverage"),
    "mrr": ("ARR when no ARR column",),
}


# --- basics ---------------------------------------------------------------------------------


def arr_values(result: pd.DataFrame) -> np.ndarray:
    """ARR per account as floats, 0 where missing or where the book has no ARR column."""
    return np.nan_to_num(column_numbers(result, "arr"), nan=0.0)


def total_arr(result: pd.DataFrame) -> float:
    """The ARR of these accounts, missing values left out."""
    return float(arr_values(result).sum())


def tier_codes(result: pd.DataFrame) -> np.ndarray:
    """Position of each account's tier in the config's tiers (0 = top tier)."""
    return np.asarray(result["tier"].cat.codes, dtype="int64")


def csms_needed(arr: float, arr_per_csm: float) -> int:
    """CSMs to cover this ARR at one CSM per `arr_per_csm`, rounded up."""
    return math.ceil(arr / arr_per_csm) if arr > 0 else 0


# --- tiers ----------------------------------------------------------------------------------


def group_summary(result: pd.DataFrame, column: str, order: Sequence[str] = ()) -> pd.DataFrame:
    """Accounts and ARR per value of `column`, with their shares of the book.

    Rows follow `order` (values of it with no account get zeros), then any other value;
    accounts with no value are counted under "(none)".
    """
    groups = result[column].astype(object).where(result[column].notna(), "(none)").to_numpy()
    arr = pd.Series(arr_values(result), index=result.index)
    table = pd.DataFrame({"accounts": pd.Series(groups).value_counts(sort=False)})
    table["arr"] = arr.groupby(groups).sum()
    extra = [value for value in table.index if value not in order]
    table = table.reindex([*order, *extra], fill_value=0)
    total_arr = float(arr.sum())
    table["share_of_accounts"] = table["accounts"] / max(len(result), 1)
    table["share_of_arr"] = table["arr"] / total_arr if total_arr else 0.0
    table.index.name = column
    return table[["accounts", "share_of_accounts", "arr", "share_of_arr"]]


def tier_summary(result: pd.DataFrame, config: Config) -> pd.DataFrame:
    """Accounts and ARR per tier, with their shares of the book; one row per tier, top first."""
    return group_summary(result, "tier", config.tier_names).loc[list(config.tier_names)]


def tier_engagement(config: Config, name: str) -> str:
    """How the tier `name` is served (its engagement text); "" for a name the config lacks."""
    return next((t.engagement for t in config.tiers if t.name == name), "")


@dataclass(frozen=True)
class Coverage:
    tier: str
    arr: float
    arr_per_csm: float
    csms: int  # rounded up
    exact: float  # arr / arr_per_csm


def csm_coverage(result: pd.DataFrame, config: Config) -> Coverage:
    """CSMs needed for the top tier at one CSM per `config.arr_per_csm` of ARR."""
    top_arr = float(arr_values(result)[tier_codes(result) == 0].sum())
    per = float(config.arr_per_csm)
    return Coverage(config.tiers[0].name, top_arr, per, csms_needed(top_arr, per), top_arr / per)


# --- quadrant -------------------------------------------------------------------------------


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


# --- priority distribution ------------------------------------------------------------------


def priority_histogram(
    result: pd.DataFrame, config: Config, bin_width: float = HISTOGRAM_BIN
) -> pd.DataFrame:
    """Accounts per priority bin and tier, non-empty bins only."""
    priority = result["priority"].astype("float64").to_numpy(na_value=np.nan)
    codes = tier_codes(result)
    known = ~np.isnan(priority)
    bins = math.ceil(100 / bin_width)
    index = np.clip((priority[known] // bin_width).astype("int64"), 0, bins - 1)
    k = len(config.tiers)
    counts = np.bincount(index * k + codes[known], minlength=bins * k).reshape(bins, k)
    b, t = np.nonzero(counts)
    return pd.DataFrame(
        {
            "bin_start": b * bin_width,
            "bin_end": np.minimum((b + 1) * bin_width, 100.0),
            "tier": pd.Categorical.from_codes(t, list(config.tier_names), ordered=True),
            "accounts": counts[b, t],
        }
    )


# --- movement against a baseline ------------------------------------------------------------


def movement_matrix(baseline_tier: pd.Categorical, current_tier: pd.Categorical) -> pd.DataFrame:
    """Accounts by baseline tier (rows) and current tier (columns)."""
    rows = list(baseline_tier.categories)
    cols = list(current_tier.categories)
    b = np.asarray(baseline_tier.codes, dtype="int64")
    c = np.asarray(current_tier.codes, dtype="int64")
    ok = (b >= 0) & (c >= 0)
    counts = np.bincount(b[ok] * len(cols) + c[ok], minlength=len(rows) * len(cols))
    matrix = pd.DataFrame(counts.reshape(len(rows), len(cols)), index=rows, columns=cols)
    matrix.index.name = "baseline"
    matrix.columns.name = "now"
    return matrix


def _direction(baseline_tier: pd.Categorical, current_tier: pd.Categorical) -> np.ndarray:
    """-1 moved up (to a higher-touch tier), +1 moved down, 0 same; by tier name position."""
    current_names = list(current_tier.categories)
    position = np.array(
        [current_names.index(n) if n in current_names else -1 for n in baseline_tier.categories]
        + [-1]
    )
    b = position[np.asarray(baseline_tier.codes, dtype="int64")]
    c = np.asarray(current_tier.codes, dtype="int64")
    moved = (b != c) & (b >= 0) & (c >= 0)
    return np.where(moved, np.sign(c - b), 0)


@dataclass(frozen=True)
class Movement:
    moved: int
    up: int  # to a higher-touch tier
    down: int
    arr_moved: float


def movement_totals(result: pd.DataFrame, baseline_tier: pd.Categorical) -> Movement:
    direction = _direction(baseline_tier, pd.Categorical(result["tier"]))
    moved = direction != 0
    return Movement(
        moved=int(moved.sum()),
        up=int((direction < 0).sum()),
        down=int((direction > 0).sum()),
        arr_moved=float(arr_values(result)[moved].sum()),
    )


def moved_accounts(
    result: pd.DataFrame, baseline_tier: pd.Categorical, limit: int = 15
) -> pd.DataFrame:
    """The accounts whose tier differs from the baseline, largest ARR first, at most `limit`."""
    direction = _direction(baseline_tier, pd.Categorical(result["tier"]))
    rows = np.flatnonzero(direction != 0)
    arr = arr_values(result)[rows]
    if rows.size > limit:
        top = np.argpartition(-arr, limit - 1)[:limit]
        rows, arr = rows[top], arr[top]
    rows = rows[np.argsort(-arr, kind="stable")]
    picked = result.iloc[rows]
    frame = pd.DataFrame(index=picked.index)
    for column in ("account_name", "account_id", "arr"):
        if column in picked.columns:
            frame[column] = picked[column]
    frame["from_tier"] = pd.Categorical(baseline_tier)[rows]
    frame["to_tier"] = picked["tier"]
    frame["move"] = np.where(direction[rows] < 0, "up", "down")
    frame["priority"] = picked["priority"]
    frame["reasons"] = picked["reasons"]
    return frame


# --- a bounded sample for charts ------------------------------------------------------------


@dataclass(frozen=True)
class ChartSample:
    rows: np.ndarray  # positions in the result, ascending
    total: int
    top_total: int  # accounts in the top tier
    top_shown: int

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


def chart_sample(result: pd.DataFrame, limit: int = CHART_LIMIT, seed: int = 0) -> ChartSample:
    """All top-tier accounts plus a tier-stratified sample of the rest, at most `limit` rows.

    Each account gets a fixed random key (from `seed` and its position), so the sample is
    stable while sliders move: an account drawn stays drawn unless its tier changes.
    """
    n = len(result)
    codes = tier_codes(result)
    top = np.flatnonzero(codes == 0)
    if n <= limit:
        return ChartSample(np.arange(n), n, int(top.size), int(top.size))
    keys = np.random.default_rng(seed).random(n)
    picked = [_lowest(top, keys, limit)]
    budget = limit - picked[0].size
    rest = n - top.size
    for code in range(1, int(codes.max()) + 1 if n else 1):
        members = np.flatnonzero(codes == code)
        quota = int(budget * members.size / rest) if rest else 0
        picked.append(_lowest(members, keys, quota))
    rows = np.sort(np.concatenate(picked))
    return ChartSample(rows, n, int(top.size), int(picked[0].size))


# --- data coverage --------------------------------------------------------------------------


def column_uses(config: Config) -> dict[str, list[str]]:
    """What each input column feeds: pillar labels (through derived columns too) and lenses."""
    uses: dict[str, list[str]] = {}

    def add(column: str, use: str) -> None:
        if use not in uses.setdefault(column, []):
            uses[column].append(use)

    for pillar in config.pillars:
        for metric in pillar.metrics:
            if metric.weight <= 0:
                continue
            for column in DERIVED_FROM.get(metric.column, (metric.column,)):
                add(column, pillar.label)
    rails = config.guardrails
    if rails.strategic_floor is not None:
        add("strategic_account", "guard-rail")
    if rails.min_arr_top_tier is not None:
        add("arr", "guard-rail")
    for column, others in OTHER_USES.items():
        for use in others:
            add(column, use)
    return uses


def mapping_coverage(
    accounts: pd.DataFrame, mapping: Mapping[str, str], config: Config
) -> pd.DataFrame:
    """Per canonical column: its source header, what it feeds, the share of rows with a value."""
    uses = column_uses(config)
    rows = []
    n = max(len(accounts), 1)
    for column in CANONICAL_COLUMNS:
        if column.name in accounts.columns:
            coverage = float(accounts[column.name].notna().sum()) / n
        else:
            coverage = np.nan
        rows.append(
            {
                "column": column.name,
                "field": column.label,
                "source": mapping.get(column.name, ""),
                "feeds": ", ".join(uses.get(column.name, [])),
                "coverage": coverage,
            }
        )
    return pd.DataFrame(rows)


def metric_coverage(metric_scores: MetricScores, config: Config) -> pd.DataFrame:
    """Per metric in use: the share of accounts with a value and how a missing value is treated."""
    rows = []
    n = max(len(metric_scores), 1)
    for pillar, scored in zip(config.pillars, metric_scores.pillars, strict=True):
        for metric, values in zip(pillar.metrics, scored.inputs, strict=True):
            if metric.weight <= 0:
                continue
            present = int(values.notna().sum()) if isinstance(values, pd.Series) else 0
            if metric.column in metric_scores.missing_columns:
                present = 0
            rows.append(
                {
                    "pillar": pillar.label,
                    "metric": metric.column,
                    "coverage": present / n,
                    "missing": len(metric_scores) - present,
                    "when_missing": MISSING_HELP[metric.missing],
                }
            )
    return pd.DataFrame(rows)


def pillar_gaps(result: pd.DataFrame, config: Config) -> pd.DataFrame:
    """Accounts whose pillar score is empty (no usable metric), per pillar in use."""
    rows = []
    for pillar in config.pillars:
        if pillar.weight <= 0:
            continue
        empty = int(result[f"score_{pillar.key}"].isna().sum())
        rows.append({"pillar": pillar.label, "accounts_without_score": empty})
    return pd.DataFrame(rows)


def unmapped_numeric_columns(
    raw: pd.DataFrame, mapping: Mapping[str, str], min_share: float = 0.6
) -> list[str]:
    """Input headers not mapped to a canonical column whose filled cells are mostly numbers."""
    used = set(mapping.values())
    found = []
    for header in raw.columns:
        if header in used:
            continue
        column = raw[header].iloc[:2000]
        filled = column.notna() & column.astype("str").str.strip().ne("")
        if not filled.any():
            continue
        if float(np.mean(~np.isnan(as_numbers(column[filled])))) >= min_share:
            found.append(str(header))
    return found


# --- the account list -----------------------------------------------------------------------

SEARCH_COLUMNS = ("account_name", "account_id", "csm")


def filter_mask(
    result: pd.DataFrame, filters: Mapping[str, Sequence[str]], search: str = ""
) -> np.ndarray:
    """Rows matching every filter (column -> values; empty = no filter) and the text search."""
    mask = np.ones(len(result), dtype=bool)
    for column, values in filters.items():
        if values and column in result.columns:
            mask &= result[column].isin(list(values)).to_numpy()
    text = search.strip()
    if text:
        hit = np.zeros(len(result), dtype=bool)
        for column in SEARCH_COLUMNS:
            if column in result.columns:
                found = result[column].astype("str").str.contains(text, case=False, regex=False)
                hit |= found.fillna(False).to_numpy(dtype=bool)
        mask &= hit
    return mask


def filter_options(result: pd.DataFrame, column: str, limit: int = 200) -> list[str]:
    """The values a filter offers: category order for categoricals, else the most common."""
    if column not in result.columns:
        return []
    values = result[column]
    if isinstance(values.dtype, pd.CategoricalDtype):
        return [str(c) for c in values.cat.categories]
    counts = values.dropna().astype("str").value_counts()
    return sorted(counts.index[:limit].tolist())


def pillar_breakdown(account: pd.Series, config: Config) -> pd.DataFrame:
    """One account's pillar scores, how each enters priority, and each pillar's weight share."""
    shares = weight_shares(config)
    rows = []
    for pillar in config.pillars:
        score = account.get(f"score_{pillar.key}")
        score = float(score) if score is not None and not pd.isna(score) else np.nan
        rows.append(
            {
                "pillar": pillar.label,
                "score": score,
                "enters_priority_as": entering(score, pillar.effect),
                "weight_share": shares[pillar.key],
                "effect": EFFECT_WORDS[pillar.effect],
            }
        )
    return pd.DataFrame(rows)


def tier_counts(tiers: pd.Categorical) -> dict[str, int]:
    """Accounts per tier name of a tier column (e.g. the baseline's)."""
    tiers = pd.Categorical(tiers)
    codes = np.asarray(tiers.codes, dtype="int64")
    counts = np.bincount(codes[codes >= 0], minlength=len(tiers.categories))
    return {str(name): int(n) for name, n in zip(tiers.categories, counts, strict=True)}


def change(current: int, baseline: int | None) -> int | None:
    """current - baseline, or None when the baseline has no such tier."""
    return None if baseline is None else int(current) - int(baseline)
