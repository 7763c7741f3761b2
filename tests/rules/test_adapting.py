"""Scoring adapts to what a book holds: absent metrics, empty pillars, lenient categories,
unlisted labels placed by evidence, and cut-offs relative to the book."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import segmentation as seg
from segmentation.config import Metric, default_config, with_metric, with_thresholds
from segmentation.rules.metrics import learned_order_words, score_metrics, unfed_columns
from segmentation.rules.pillars import fed_shares, unfed_pillars
from segmentation.rules.schemes import category_key, metric_score
from segmentation.rules.tiers import share_thresholds
from segmentation.segment import book_warnings, segment, tier_accounts

PLANS = Metric(
    "plan",
    scheme="category",
    categories=(("Enterprise", 100), ("Business", 70), ("Pro", 40), ("Starter", 10)),
    other=50,
    params=(("order_by", "arr"),),
)


# --- absent columns are left out, never "worst" ------------------------------------------


@pytest.mark.parametrize("missing", ["skip", "neutral", "worst"])
def test_a_metric_whose_column_is_absent_is_left_out_whatever_its_missing_policy(missing):
    accounts = pd.DataFrame({"account_id": ["A", "B", "C"], "arr": [10.0, 20.0, 30.0]})
    config = with_metric(default_config(), "strategic", 1, missing=missing)  # strategic_account
    result = segment(accounts, config)
    assert result["score_strategic"].tolist() == [0.0, 50.0, 100.0]  # ARR alone


def test_a_present_column_keeps_its_missing_policy_for_blank_rows():
    accounts = pd.DataFrame(
        {"account_id": ["A", "B"], "arr": [10.0, 20.0], "strategic_account": [True, None]}
    )
    scores = score_metrics(accounts, default_config())
    strategic = scores.pillars[1]
    assert strategic.fed.tolist() == [True, True, False, False]
    assert strategic.filled[:, 1].tolist() == [100.0, 0.0]  # "worst" for the blank row


def test_an_empty_column_counts_as_absent():
    accounts = pd.DataFrame(
        {"account_id": ["A", "B"], "arr": [10.0, 20.0], "referenceable": [None, None]}
    )
    scores = score_metrics(accounts, default_config())
    assert "referenceable" in unfed_columns(scores, default_config())
    assert segment(accounts, default_config())["score_strategic"].tolist() == [0.0, 100.0]


def test_a_pillar_without_data_is_left_out_and_its_share_re_spread():
    accounts = pd.DataFrame({"account_id": ["A", "B"], "arr": [10.0, 20.0], "nps": [3, 9]})
    config = default_config()
    scores = score_metrics(accounts, config)
    assert unfed_pillars(scores, config) == ("growth", "complexity")
    shares = fed_shares(config, ("growth", "complexity"))
    assert shares == pytest.approx({"growth": 0, "strategic": 30 / 55, "complexity": 0,
                                    "health": 25 / 55})  # fmt: skip
    result = tier_accounts(scores, config)
    # (30 * strategic + 25 * (100 - health)) / 55
    assert result["priority"].tolist() == [
        round((30 * 0 + 25 * 100) / 55, 1),
        round(30 * 100 / 55, 1),
    ]
    warnings = book_warnings(scores, config)
    assert any(w.startswith("Growth potential has no usable data in this book") for w in warnings)
    assert not result["data_issues"].str.contains("growth").any()


@pytest.mark.parametrize(
    ("columns", "expected"),
    [
        ({"account_id": ["A", "A", "B"], "arr": [1, 2, 3]}, "1 account ids appear more than once"
                                                             " (2 rows)"),
        ({"account_id": ["A", "B"], "nps": [1, 2]}, "no revenue column (ARR or MRR) was found"),
    ],
)  # fmt: skip
def test_book_warnings_name_what_changes_the_result(columns, expected):
    accounts = pd.DataFrame(columns)
    assert any(expected in w for w in book_warnings(score_metrics(accounts, default_config()),
                                                    default_config()))  # fmt: skip


def test_a_settings_metric_naming_a_column_the_book_lacks_is_warned_and_changes_nothing():
    accounts = seg.generate_accounts(200, seed=5)
    config = with_thresholds(default_config(), [60, 40])
    extra = seg.config.with_pillar(
        config,
        "health",
        metrics=(*config.pillar("health").metrics, Metric("Churn Score", weight=5)),
    )
    warnings = book_warnings(score_metrics(accounts, extra), extra)
    assert [w for w in warnings if "Churn Score" in w] == [
        "the settings use column 'Churn Score', which this book does not have: that metric is "
        "left out and its weight re-spread"
    ]
    assert segment(accounts, extra)["tier"].tolist() == segment(accounts, config)["tier"].tolist()


# --- lenient categories and labels placed by the book's evidence -------------------------


@pytest.mark.parametrize(
    ("label", "score"),
    [
        ("Enterprise", 100),
        ("Enterprise (Annual)", 100),
        ("enterprise", 100),
        ("ENTERPRISE - yearly", 100),
        ("  Pro Plan ", 40),
        ("Pro (Monthly)", 40),
        ("Starter_monthly", 10),
        ("Business Edition", 70),
        ("Professional", 50),  # not Pro: whole words only; no ARR to place it -> other
        ("", np.nan),
    ],
)
def test_category_labels_match_leniently(label, score):
    metric = replace(PLANS, params=())
    result = metric_score(pd.Series([label]), metric)[0]
    assert result == score or (np.isnan(score) and np.isnan(result))


@pytest.mark.parametrize(
    ("label", "key"),
    [("Month-to-month", "month to month"), ("Annual", "annual"), ("Pro (Annual)", "pro")],
)
def test_category_key(label, key):
    assert category_key(label) == key


def test_unlisted_plans_are_placed_by_their_median_arr():
    accounts = pd.DataFrame(
        {
            "account_id": list("ABCDEFGH"),
            "plan": ["Starter", "Starter", "Growth", "Growth", "Enterprise", "Enterprise",
                     "Basic", "Basic"],
            "arr": [10e3, 30e3, 60e3, 80e3, 200e3, 220e3, 2e3, 4e3],
        }
    )  # fmt: skip
    config = with_metric(default_config(), "strategic", 3, **{"params": PLANS.params})
    scores = score_metrics(accounts, config)
    learned = dict(scores.pillars[1].learned[3])
    # Growth's median (70k) between Starter's (20k -> 10) and Enterprise's (210k -> 100).
    assert learned["Growth"] == pytest.approx(10 + (70e3 - 20e3) / (210e3 - 20e3) * 90, abs=0.05)
    assert learned["Basic"] == 10  # below every listed plan: the lowest listed score
    assert learned["Basic"] <= 40  # never above Pro, as "other" (50) would put it
    plan_scores = scores.pillars[1].filled[:, 3]
    assert plan_scores[2] == learned["Growth"] and plan_scores[4] == 100
    words = learned_order_words(scores)
    assert words == [
        f"plan: labels the settings do not list, placed by their median arr in this book: "
        f"Basic 10, Growth {learned['Growth']:g}."
    ]


def test_with_no_listed_plan_in_the_book_the_plans_are_spread_by_median_arr():
    accounts = pd.DataFrame(
        {"account_id": list("ABC"), "plan": ["Gold", "Silver", "Bronze"], "arr": [9.0, 5.0, 1.0]}
    )
    scores = score_metrics(accounts, default_config())
    assert scores.pillars[1].learned[3] == (("Bronze", 0.0), ("Silver", 50.0), ("Gold", 100.0))


def test_without_arr_unlisted_plans_take_other():
    accounts = pd.DataFrame({"account_id": list("AB"), "plan": ["Gold", "Pro"], "nps": [1, 2]})
    scores = score_metrics(accounts, default_config())
    assert scores.pillars[1].learned[3] == ()
    assert scores.pillars[1].filled[:, 3].tolist() == [50.0, 40.0]


# --- relative cut-offs -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("n", "high", "mid"),
    [
        (20, 3, 7),  # 15% of 20 = 3, 35% = 7
        (19, 3, 7),  # 2.85 -> 3, 9.5 -> 10 in all -> 7 mid  (round half to even: 9.5 -> 10)
        (21, 3, 7),  # 3.15 -> 3, 10.5 -> 10 in all -> 7 mid
        (100, 15, 35),
    ],
)
def test_relative_cut_offs_give_each_tier_its_share(n, high, mid):
    priority = np.linspace(1, 99, n).round(1)
    thresholds = share_thresholds(priority, [15, 35])
    assert int((priority >= thresholds[0]).sum()) == high
    assert int(((priority >= thresholds[1]) & (priority < thresholds[0])).sum()) == mid


def test_ties_stay_together_and_cut_offs_stay_ordered():
    priority = np.array([50.0] * 10)
    high, mid = share_thresholds(priority, [15, 35])
    assert high == 50.0 and mid < high


def test_an_empty_priority_still_gives_valid_cut_offs():
    assert share_thresholds(np.array([np.nan, np.nan]), [15, 35]) == [85.0, 50.0]


# --- properties --------------------------------------------------------------------------

values = st.floats(0, 100, allow_nan=False, allow_infinity=False)


@st.composite
def sample_books(draw):
    n = draw(st.integers(2, 30))
    column = st.lists(st.one_of(st.none(), values), min_size=n, max_size=n)
    return pd.DataFrame(
        {
            "account_id": [f"A{i}" for i in range(n)],
            "arr": draw(column),
            "health_score": draw(column),
            "nps": draw(st.lists(st.one_of(st.none(), st.integers(0, 10)), min_size=n, max_size=n)),
            "support_tickets": draw(column),
        }
    )


@settings(max_examples=40, deadline=None)
@given(sample_books(), st.lists(st.one_of(st.none(), st.text(max_size=5), values), min_size=30,
                                max_size=30))  # fmt: skip
def test_adding_a_column_no_metric_uses_never_changes_any_tier(accounts, extra):
    before = segment(accounts, default_config())
    wider = accounts.assign(**{"Region Notes": extra[: len(accounts)]})
    after = segment(wider, default_config())
    assert after["tier"].tolist() == before["tier"].tolist()
    assert after["priority"].equals(before["priority"])


@settings(max_examples=40, deadline=None)
@given(sample_books())
def test_removing_a_metrics_column_re_spreads_its_weight(accounts):
    config = default_config()
    full = score_metrics(accounts, config).pillars[3]  # health: health_score 3, nps 2, ...
    less = score_metrics(accounts.drop(columns="health_score"), config).pillars[3]
    assert not less.fed[0]
    others = np.arange(1, len(full.metrics))
    assert np.array_equal(less.filled[:, others], full.filled[:, others])
    assert np.array_equal(less.known[:, others], full.known[:, others])
    weights = np.array([m.weight for m in config.pillar("health").metrics])
    known = less.known[:, others]
    total = known @ weights[others]
    expected = np.where(
        total > 0,
        (less.filled[:, others] @ weights[others]) / np.where(total > 0, total, 1),
        np.nan,
    )
    got = segment(accounts.drop(columns="health_score"), config)["score_health"].to_numpy()
    assert np.allclose(got, np.round(expected, 1), equal_nan=True)


def test_data_quality_says_an_absent_metric_is_left_out():
    from segmentation.views.data_quality import ABSENT_HELP, metric_coverage

    accounts = pd.DataFrame({"account_id": ["A", "B"], "arr": [1.0, 2.0]})
    table = metric_coverage(score_metrics(accounts, default_config()), default_config())
    flag = table[table["metric"] == "Strategic account"].iloc[0]
    assert flag["when_missing"] == ABSENT_HELP and flag["coverage"] == 0
    arr = table[table["metric"] == "ARR"].iloc[0]
    assert arr["coverage"] == 1 and "re-weighted" in arr["when_missing"]
