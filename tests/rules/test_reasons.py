"""Reasons: the tier, the pillars and metrics behind it, with the values that put it there."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

import segmentation as seg
from segmentation.formats import money
from tests.rules.conftest import book, simple_config


@pytest.mark.parametrize(
    "value, text",
    [(0, "$0"), (950, "$950"), (999.6, "$1.0k"), (6_910, "$6.9k"), (109_000, "$109k"),
     (1_200_000, "$1.2M"), (41_234_567, "$41M"), (-1_500, "-$1.5k")],
)  # fmt: skip
def test_money_reads_like_speech(value, text):
    assert money(value) == text


def test_top_tier_names_its_two_strongest_pillars_with_values():
    config = simple_config(weights=(1, 1, 1, 1))
    result = seg.segment(book(g=[95, 10], s=[90, 10], c=[50, 10], h=[50, 90]), config)
    assert result["reasons"].iloc[0] == "High-touch: growth 95 (g 95), strategic value 90 (s 90)"


def test_bottom_tier_names_its_two_weakest_pillars():
    config = simple_config(weights=(1, 1, 1, 1))
    result = seg.segment(book(g=[5, 60], s=[20, 60], c=[40, 60], h=[60, 60]), config)
    assert result["reasons"].iloc[0] == "Low-touch: growth 5 (g 5), strategic value 20 (s 20)"


def test_middle_tier_says_what_held_it_back():
    config = simple_config(weights=(1, 1, 0, 0))
    result = seg.segment(book(g=[90], s=[20], c=[0], h=[0]), config)
    assert (
        result["reasons"].iloc[0]
        == "Mid-touch: growth 90 (g 90); held back by strategic value 20 (s 20)"
    )


def test_low_health_reads_as_health_risk_with_its_metric_values():
    accounts = pd.DataFrame(
        {"account_id": ["A", "B", "C"], "arr": [500_000, 20_000, 30_000],
         "health_score": [15, 80, 70], "nps": [3, 9, 8], "active_users": [22, 90, 50],
         "licensed_seats": [100, 100, 100], "potential_arr": [910_000, 25_000, 40_000]}
    )  # fmt: skip
    result = seg.segment(accounts, seg.default_config(), as_of=dt.date(2026, 11, 22))
    reason = result["reasons"].iloc[0]
    assert reason.startswith("High-touch: ")
    # The book has no strategic / referenceable flags: they are left out (not scored "no"), so
    # the largest ARR gives full strategic value.
    assert reason == "High-touch: strategic value 100 (ARR $500k), health risk 87 (health score 15)"


def test_reasons_are_plain_text_for_every_row():
    result = seg.segment(seg.generate_accounts(300, seed=3), seg.default_config())
    assert result["reasons"].notna().all()
    tiers = result["tier"].astype(str)
    for reason, tier in zip(result["reasons"], tiers, strict=True):
        assert reason.startswith((f"{tier}: ", f"{tier} (priority alone: ")), reason
    raised = result["reasons"].str.contains("raised to Mid-touch as a strategic account")
    assert raised.any() and result.loc[raised, "tier"].eq("Mid-touch").all()
    assert not np.any(result["reasons"].str.contains("nan"))
