"""The Capacity panel: per tier, CSMs needed by accounts, by hours and by ARR, against the team.

The coverage model is `config.capacity` (or Tierwise's default model when the settings have
none); the ARR-per-CSM rule of thumb stays beside it as a cross-check.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from segmentation.config import Config
from segmentation.rules.capacity import (
    Capacity,
    accounts_served,
    csms_by_accounts,
    csms_by_hours,
    csms_needed,
    effective_capacity,
    whole_csms,
)
from segmentation.views.book import arr_values, tier_codes

CAPACITY_COLUMNS = (
    "accounts",
    "arr",
    "csms_by_accounts",
    "csms_by_hours",
    "csms_by_arr",
    "csms_needed",
    "csms_available",
    "gap",
    "accounts_served",
    "cost_to_serve",
    "cost_share_of_arr",
)


@dataclass(frozen=True)
class CapacityView:
    table: pd.DataFrame  # one row per tier, top first; CAPACITY_COLUMNS; NaN where not given
    model: Capacity  # the coverage model the table uses
    from_settings: bool  # False: Tierwise's default model (the settings have no capacity)


def _number(value: float | None) -> float:
    return np.nan if value is None else float(value)


def _tier_row(accounts: int, arr: float, model: Capacity, name: str, arr_per_csm: float) -> dict:
    tier = model.for_tier(name)
    by_accounts = csms_by_accounts(accounts, tier)
    by_hours = csms_by_hours(accounts, tier, model.client_hours_per_csm)
    needed = csms_needed(by_accounts, by_hours)
    available = None if tier is None else tier.csms
    cost = None if needed is None else needed * model.cost_per_csm
    gap = None if needed is None or available is None else available - whole_csms(needed)
    served = None if tier is None else accounts_served(tier, model.client_hours_per_csm)
    return {
        "accounts": accounts,
        "arr": arr,
        "csms_by_accounts": _number(by_accounts),
        "csms_by_hours": _number(by_hours),
        "csms_by_arr": arr / arr_per_csm,
        "csms_needed": np.nan if needed is None else float(whole_csms(needed)),
        "csms_available": _number(available),
        "gap": _number(gap),
        "accounts_served": _number(served),
        "cost_to_serve": _number(cost),
        "cost_share_of_arr": cost / arr if cost is not None and arr > 0 else np.nan,
    }


def capacity_view(result: pd.DataFrame, config: Config) -> CapacityView:
    """The Capacity panel in one call: CSMs needed per tier, the gap and the cost to serve.

    `csms_needed` is whole CSMs (the larger of the accounts and the hours rule, rounded up);
    `gap` = available - needed (negative: short); `cost_to_serve` = the needed FTE, exact,
    times the loaded cost per CSM; `cost_share_of_arr` = that / the tier's ARR.
    """
    model = effective_capacity(config.capacity, config.tier_names)
    codes, size = tier_codes(result), len(config.tiers)
    counts = np.bincount(codes[codes >= 0], minlength=size)
    arr = np.bincount(codes[codes >= 0], weights=arr_values(result)[codes >= 0], minlength=size)
    rows = {
        name: _tier_row(int(counts[i]), float(arr[i]), model, name, config.arr_per_csm)
        for i, name in enumerate(config.tier_names)
    }
    table = pd.DataFrame.from_dict(rows, orient="index")[list(CAPACITY_COLUMNS)]
    table.index.name = "tier"
    return CapacityView(table, model, config.capacity is not None)


def _fte(value: float) -> str:
    return "-" if np.isnan(value) else f"{value:.1f}"


def capacity_lines(view: CapacityView) -> list[str]:
    """The panel in plain words, one line per tier (the CLI's `score` summary prints these)."""
    lines = []
    for name, row in view.table.iterrows():
        if np.isnan(row["csms_needed"]):
            need = "no coverage rule"
        else:
            need = f"{row['csms_needed']:.0f} needed"
            if not np.isnan(row["cost_share_of_arr"]):
                need += f", cost to serve {row['cost_share_of_arr']:.0%} of ARR"
        team = ""
        if not np.isnan(row["csms_available"]):
            gap = row["gap"]
            balance = "even" if gap == 0 else (f"{gap:g} spare" if gap > 0 else f"{-gap:g} short")
            team = f"; {row['csms_available']:g} available ({balance})"
        lines.append(
            f"  {name}: CSMs {_fte(row['csms_by_accounts'])} by accounts, "
            f"{_fte(row['csms_by_hours'])} by hours, {_fte(row['csms_by_arr'])} by ARR -> "
            f"{need}{team}"
        )
    return lines
