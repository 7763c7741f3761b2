"""The tier cards and the coverage line: accounts and ARR per tier, CSMs needed."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from segmentation.config import Config
from segmentation.views.book import arr_values, tier_codes


def csms_needed(arr: float, arr_per_csm: float) -> int:
    """CSMs to cover this ARR at one CSM per `arr_per_csm`, rounded up."""
    return math.ceil(arr / arr_per_csm) if arr > 0 else 0


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
    if not isinstance(result["tier"].dtype, pd.CategoricalDtype):
        return group_summary(result, "tier", config.tier_names).loc[list(config.tier_names)]
    # The same table from the category codes: no text per account (a slider move's card).
    names = list(config.tier_names)
    categories = list(result["tier"].cat.categories)
    codes = np.asarray(result["tier"].cat.codes, dtype="int64")
    arr = pd.Series(arr_values(result), index=result.index)
    counts = np.bincount(codes[codes >= 0], minlength=len(categories))
    sums = arr.groupby(codes).sum()  # the same (compensated) sums as by name
    position = {name: i for i, name in enumerate(categories)}
    table = pd.DataFrame(
        {
            "accounts": [int(counts[position[n]]) if n in position else 0 for n in names],
            "arr": [float(sums.get(position[n], 0.0)) if n in position else 0.0 for n in names],
        },
        index=pd.Index(names, name="tier"),
    )
    total_arr = float(arr.sum())
    table["share_of_accounts"] = table["accounts"] / max(len(result), 1)
    table["share_of_arr"] = table["arr"] / total_arr if total_arr else 0.0
    return table[["accounts", "share_of_accounts", "arr", "share_of_arr"]]


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


def tier_counts(tiers: pd.Categorical) -> dict[str, int]:
    """Accounts per tier name of a tier column (e.g. the baseline's)."""
    tiers = pd.Categorical(tiers)
    codes = np.asarray(tiers.codes, dtype="int64")
    counts = np.bincount(codes[codes >= 0], minlength=len(tiers.categories))
    return {str(name): int(n) for name, n in zip(tiers.categories, counts, strict=True)}


def change(current: int, baseline: int | None) -> int | None:
    """current - baseline, or None when the baseline has no such tier."""
    return None if baseline is None else int(current) - int(baseline)


@dataclass(frozen=True)
class TierCard:
    """One tier's card: its accounts and ARR, their shares, and the change against a baseline."""

    name: str
    accounts: int
    arr: float
    share_of_accounts: float
    share_of_arr: float
    change: int | None  # accounts now - at the baseline; None when the baseline lacks the tier
    engagement: str


def tier_cards(
    result: pd.DataFrame, config: Config, baseline_tiers: pd.Categorical
) -> list[TierCard]:
    """The tier cards panel in one call, top tier first."""
    table = tier_summary(result, config)
    base_counts = tier_counts(baseline_tiers)
    return [
        TierCard(
            name=str(name),
            accounts=int(row["accounts"]),
            arr=float(row["arr"]),
            share_of_accounts=float(row["share_of_accounts"]),
            share_of_arr=float(row["share_of_arr"]),
            change=change(row["accounts"], base_counts.get(name)),
            engagement=tier_engagement(config, str(name)),
        )
        for name, row in table.iterrows()
    ]
