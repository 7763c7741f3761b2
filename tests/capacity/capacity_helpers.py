"""Helpers of the capacity tests: settings with a team, tier sizes as segment() gives them."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import segmentation as seg
from segmentation.rules.capacity import Capacity, TierCapacity

AS_OF = dt.date(2026, 11, 1)
# The capacity section as docs/interfaces.md section 7 shows it.
CONTRACT_SECTION = {
    "client_hours_per_csm": 1560,
    "cost_per_csm": 150000,
    "tiers": {
        "High-touch": {"csms": 4, "accounts_per_csm": 15, "hours_per_account": 80},
        "Mid-touch": {"csms": 3, "accounts_per_csm": 60},
    },
}


def staffed(config: seg.Config, **teams: tuple) -> seg.Config:
    """`config` with a capacity section: tier key -> (csms, accounts_per_csm, hours_per_account).

    Keys are the default tier names without the dash (High_touch=...)."""
    tiers = tuple(TierCapacity(name.replace("_", "-"), *team) for name, team in teams.items())
    return replace(config, capacity=Capacity(tiers=tiers))


def tier_sizes(accounts, config: seg.Config) -> dict[str, int]:
    """Accounts per tier as segment() gives them: the independent check of a fit."""
    counts = seg.segment(accounts, config, as_of=AS_OF)["tier"].value_counts()
    return {name: int(counts[name]) for name in config.tier_names}
