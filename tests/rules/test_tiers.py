"""Priority, the tier cut, guard-rails, quadrant and missing pillars, on exact small books."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from segmentation.config import Guardrails, Override, with_pillar
from segmentation.segment import segment
from tests.rules.conftest import book, simple_config


@pytest.mark.parametrize(
    "priority, tier",
    [
        (100, "High-touch"),
        (70.1, "High-touch"),  # just above the top threshold
        (70, "High-touch"),  # at it: reaching the threshold is enough
        (69.9, "Mid-touch"),  # just below it
        (45.1, "Mid-touch"),
        (45, "Mid-touch"),
        (44.9, "Low-touch"),
        (0, "Low-touch"),
    ],
)
def test_tier_cut_at_and_around_each_threshold(growth_only, priority, tier):
    result = segment(book(g=[priority], s=[0], c=[0], h=[0]), growth_only)
    assert result["priority"].iloc[0] == priority
    assert result["tier"].iloc[0] == tier


def test_priority_is_the_weighted_mean_with_low_health_raising_it():
    config = simple_config(weights=(3, 1, 0, 1))
    result = segment(book(g=[80], s=[40], c=[10], h=[90]), config)
    # (3*80 + 1*40 + 1*(100-90)) / 5 = 58
    assert result["priority"].iloc[0] == 58.0
    assert result[["score_growth", "score_strategic", "score_health"]].iloc[0].tolist() == [
        80,
        40,
        90,
    ]


def test_flipping_a_pillars_effect_uses_100_minus_its_score():
    config = with_pillar(simple_config(weights=(0, 0, 1, 0)), "complexity", effect="lowers")
    assert segment(book(g=[0], s=[0], c=[30], h=[0]), config)["priority"].iloc[0] == 70


def test_a_missing_pillar_is_left_out_and_reported_not_scored_as_zero():
    config = simple_config(weights=(1, 1, 0, 0))
    result = segment(book(g=[80, 10], s=[None, 50], c=[0, 0], h=[0, 0]), config)
    assert np.isnan(result["score_strategic"].iloc[0])
    assert result["priority"].iloc[0] == 80  # re-weighted over growth alone
    assert "no usable strategic value data" in result["data_issues"].iloc[0]


def test_an_account_with_no_usable_data_goes_to_the_last_tier_with_a_note():
    result = segment(book(g=[None], s=[None], c=[None], h=[None]), simple_config())
    assert result["tier"].iloc[0] == "Low-touch"
    assert np.isnan(result["priority"].iloc[0])
    assert result["data_issues"].iloc[0].endswith("no usable data to score: priority left empty")
    assert result["reasons"].iloc[0] == "Low-touch: no usable data"


@pytest.mark.parametrize(
    "arr, tier",
    [(99_999, "Mid-touch"), (100_000, "High-touch"), (100_001, "High-touch"), (None, "Mid-touch")],
)
def test_minimum_arr_for_the_top_tier(growth_only, arr, tier):
    config = dataclasses.replace(growth_only, guardrails=Guardrails(min_arr_top_tier=100_000))
    result = segment(book(g=[90], s=[0], c=[0], h=[0], arr=[arr]), config)
    assert result["tier"].iloc[0] == tier
    if tier == "Mid-touch":
        assert "kept out of High-touch: ARR under the $100k minimum" in result["reasons"].iloc[0]


@pytest.mark.parametrize(
    "strategic, priority, tier",
    [
        (True, 10, "Mid-touch"),
        (False, 10, "Low-touch"),
        (True, 80, "High-touch"),
        (None, 10, "Low-touch"),
    ],
)
def test_strategic_accounts_never_below_the_floor(growth_only, strategic, priority, tier):
    config = dataclasses.replace(growth_only, guardrails=Guardrails(strategic_floor="Mid-touch"))
    flags = pd.array([strategic], dtype="boolean")
    result = segment(book(g=[priority], s=[0], c=[0], h=[0], strategic_account=flags), config)
    assert result["tier"].iloc[0] == tier


def test_manual_override_wins_and_says_why(growth_only):
    rails = Guardrails(overrides=(Override("A-1", "High-touch", "board member's company"),))
    config = dataclasses.replace(growth_only, guardrails=rails)
    result = segment(book(g=[10, 10], s=[0, 0], c=[0, 0], h=[0, 0]), config)
    assert result["tier"].tolist() == ["Low-touch", "High-touch"]
    assert result["reasons"].iloc[1] == (
        "High-touch (priority alone: Low-touch): growth 10 (g 10); "
        "set by manual override: board member's company"
    )


def test_a_strategic_account_with_no_data_says_where_it_was_placed_and_why(growth_only):
    config = dataclasses.replace(growth_only, guardrails=Guardrails(strategic_floor="Mid-touch"))
    flags = pd.array([True], dtype="boolean")
    result = segment(book(g=[None], s=[0], c=[0], h=[0], strategic_account=flags), config)
    assert result["tier"].iloc[0] == "Mid-touch"
    assert result["reasons"].iloc[0] == (
        "Mid-touch (priority alone: Low-touch): no usable data; "
        "raised to Mid-touch as a strategic account"
    )
    assert "Low-touch" not in result["data_issues"].iloc[0]


@pytest.mark.parametrize(
    "index",
    [[10, 5, 5, 7], ["a", "b", "a", "c"]],
)
def test_any_index_survives_even_with_text_metrics(index):
    """A column picked by its own header is text: it is parsed by position, not by label."""
    accounts = book(g=["$1,000", "2k", "n/a", "(300)"], s=[1, 2, 3, 4], c=[0] * 4, h=[0] * 4)
    accounts.index = index
    config = with_pillar(simple_config(), "growth", metrics=(
        dataclasses.replace(simple_config().pillar("growth").metrics[0], high=2000),
    ))  # fmt: skip
    result = segment(accounts, config)
    assert result.index.tolist() == index
    assert result["score_growth"].tolist()[:2] == [50.0, 100.0]
    assert np.isnan(result["score_growth"].iloc[2])
    assert result["score_growth"].iloc[3] == 0.0


def test_infinite_values_count_as_missing():
    result = segment(book(g=[np.inf, 50], s=[0, 0], c=[0, 0], h=[-np.inf, 0]), simple_config())
    assert np.isnan(result["score_growth"].iloc[0]) and np.isnan(result["score_health"].iloc[0])
    assert "inf" not in result["reasons"].iloc[0]


@pytest.mark.parametrize(
    "health, value, quadrant",
    [
        (50, 50, "Grow"),  # a split value counts as high
        (49.9, 50, "Protect"),
        (50, 49.9, "Nurture"),
        (10, 10, "Monitor"),
        (None, 80, None),  # no health score: no quadrant
    ],
)
def test_quadrant_default_is_value_by_health(health, value, quadrant):
    result = segment(book(g=[0], s=[value], c=[0], h=[health]), simple_config())
    got = result["quadrant"].iloc[0]
    assert (None if pd.isna(got) else got) == quadrant


def test_output_columns_follow_the_input_columns_in_contract_order(growth_only):
    accounts = book(g=[1, 2], s=[0, 0], c=[0, 0], h=[0, 0])
    result = segment(accounts, growth_only)
    added = result.columns[len(accounts.columns) :].tolist()
    assert added[:9] == [
        "score_growth", "score_strategic", "score_complexity", "score_health",
        "priority", "tier", "quadrant", "reasons", "data_issues",
    ]  # fmt: skip


def test_input_columns_named_like_outputs_are_kept_under_a_new_name(growth_only):
    """Re-scoring last quarter's export must not confuse its old tier with the new one."""
    accounts = book(g=[90], s=[0], c=[0], h=[0], tier=["Low-touch"])
    result = segment(accounts, growth_only)
    assert result["tier"].iloc[0] == "High-touch"
    assert result["tier (input)"].iloc[0] == "Low-touch"


def test_weights_only_stage_refuses_metric_scores_made_with_other_metric_settings(growth_only):
    from segmentation import score_metrics, tier_accounts
    from segmentation.config import with_metric

    scores = score_metrics(book(g=[1], s=[0], c=[0], h=[0]), growth_only)
    changed = with_metric(growth_only, "growth", 0, scheme="percentile")
    with pytest.raises(ValueError, match="score the metrics again"):
        tier_accounts(scores, changed)
