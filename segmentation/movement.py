"""Movement between tiers: against a baseline in the workshop, and between snapshots."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from segmentation.errors import InputError
from segmentation.views.book import arr_values


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


def tier_positions(tiers: object, tier_order: Sequence[str]) -> np.ndarray:
    """Each tier name's position in `tier_order` (0 = top) as floats; NaN for any other value.

    A categorical is looked up once per category, not once per account.
    """
    order = pd.Index(list(tier_order), dtype=object)
    if isinstance(getattr(tiers, "dtype", None), pd.CategoricalDtype):
        tiers = pd.Categorical(tiers)
        lookup = np.append(order.get_indexer(tiers.categories.astype(object)), -1)
        positions = lookup[np.asarray(tiers.codes)]  # code -1 (missing) picks the trailing -1
    else:
        positions = order.get_indexer(pd.Series(tiers).astype(object))
    return np.where(positions >= 0, positions, np.nan).astype("float64")


def tier_steps(before: np.ndarray, now: np.ndarray) -> np.ndarray:
    """-1 moved up (to a higher-touch tier), +1 moved down, 0 same, NaN where either is unknown.

    The one rule of movement: the workshop's baseline and snapshot comparison both use it.
    """
    return np.sign(now - before)


def _direction(baseline_tier: pd.Categorical, current_tier: pd.Categorical) -> np.ndarray:
    """tier_steps against the baseline, by tier name; 0 where either tier is unknown."""
    current = pd.Categorical(current_tier)
    before = tier_positions(baseline_tier, list(current.categories))
    now = tier_positions(current, list(current.categories))
    return np.nan_to_num(tier_steps(before, now), nan=0.0).astype("int64")


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


# --- snapshots: this book against a previous one -------------------------------------------

TIER_CHANGES = ("up", "down", "same", "new")


def match_key(result: pd.DataFrame, previous: pd.DataFrame) -> str:
    """The column accounts are matched on: account_id when both have it, else account_name."""
    key = "account_id" if "account_id" in result and "account_id" in previous else "account_name"
    if key not in result or key not in previous:
        raise InputError("the previous file has no account id or name to match accounts on.")
    return key


def match_keys(values: pd.Series) -> pd.Index:
    """The keys to match accounts on, stripped; missing for a missing or blank key (never the
    text "nan" or "<NA>", which would match every other account without a key)."""
    text = values.astype(object).map(lambda v: str(v).strip(), na_action="ignore")
    present = text.map(lambda v: isinstance(v, str) and v != "").to_numpy(dtype=bool)
    return pd.Index(np.where(present, text.to_numpy(dtype=object), None), dtype=object)


def previous_tier_column(previous: pd.DataFrame) -> str:
    """The previous book's tier: its `tier` column (any case), else `previous_tier`."""
    for column in previous.columns:
        if str(column).strip().lower() == "tier":
            return column
    if "previous_tier" in previous:
        return "previous_tier"
    raise InputError("the previous file has no tier column (Tier or Previous Tier).")


def tier_changes(
    result: pd.DataFrame, previous: pd.DataFrame, tier_order: Sequence[str]
) -> pd.Series:
    """Per account of `result`: "up", "down", "same" or "new" against the previous book.

    Accounts are matched by account_id (else account_name); an account whose key is missing
    or blank matches nothing ("new"). The previous tier is its `tier` column (any case), else
    its canonical `previous_tier`. A previous tier that is missing or not one of `tier_order`
    gives an empty value.
    """
    key = match_key(result, previous)
    previous_keys = match_keys(previous[key])
    before_by_key = pd.Series(
        tier_positions(previous[previous_tier_column(previous)], tier_order), index=previous_keys
    )[previous_keys.notna()]
    before_by_key = before_by_key[~before_by_key.index.duplicated()]
    keys = match_keys(result[key])
    known = keys.notna() & keys.isin(before_by_key.index)
    steps = tier_steps(
        before_by_key.reindex(keys).to_numpy(), tier_positions(result["tier"], tier_order)
    )
    change = np.select(
        [~known, np.isnan(steps), steps < 0, steps > 0], ["new", "", "up", "down"], default="same"
    )
    return pd.Series(change, index=result.index, dtype="str").replace("", pd.NA)


@dataclass(frozen=True)
class SnapshotComparison:
    counts: dict[str, int]  # accounts per tier change, in TIER_CHANGES order
    unknown: int  # accounts with no comparable previous tier
    gone: int  # accounts of the previous book no longer in this one


def compare_snapshots(
    changes: pd.Series, result: pd.DataFrame, previous: pd.DataFrame
) -> SnapshotComparison:
    """The totals of `tier_changes`, and the accounts that left the book."""
    counts = changes.value_counts()
    key = match_key(result, previous)
    previous_keys, keys = match_keys(previous[key]), match_keys(result[key])
    gone = int((previous_keys.notna() & ~previous_keys.isin(keys[keys.notna()])).sum())
    return SnapshotComparison(
        counts={name: int(counts.get(name, 0)) for name in TIER_CHANGES},
        unknown=int(changes.isna().sum()),
        gone=gone,
    )


@dataclass(frozen=True)
class MovementView:
    """The "who moved" panel: totals, the from/to matrix and the largest accounts that moved."""

    totals: Movement
    matrix: pd.DataFrame
    moved: pd.DataFrame


def movement_view(result: pd.DataFrame, baseline_tier: pd.Categorical) -> MovementView:
    """The movement panel in one call (matrix and list only when an account moved)."""
    totals = movement_totals(result, baseline_tier)
    if totals.moved == 0:
        return MovementView(totals, pd.DataFrame(), pd.DataFrame())
    return MovementView(
        totals,
        movement_matrix(baseline_tier, result["tier"].array),
        moved_accounts(result, baseline_tier),
    )
