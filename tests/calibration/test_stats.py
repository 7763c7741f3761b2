"""AUC, DeLong intervals, group tables and deciles against direct computations."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import mannwhitneyu, norm

from segmentation.calibration.stats import (
    auc,
    best_column,
    decile_table,
    deciles,
    group_table,
    live_summary,
    monotone,
    wilson,
)


def mann_whitney_auc(score: np.ndarray, event: np.ndarray) -> float:
    u = mannwhitneyu(score[event == 1], score[event == 0]).statistic
    return u / ((event == 1).sum() * (event == 0).sum())


def delong_variance_by_definition(score: np.ndarray, event: np.ndarray) -> float:
    """DeLong's structural components, pair by pair (O(m n)): the textbook definition."""
    pos, neg = score[event == 1], score[event == 0]
    psi = (pos[:, None] > neg[None, :]) + 0.5 * (pos[:, None] == neg[None, :])
    v10, v01 = psi.mean(axis=1), psi.mean(axis=0)
    return v10.var(ddof=1) / len(pos) + v01.var(ddof=1) / len(neg)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_auc_and_interval_match_the_definitions(seed):
    rng = np.random.default_rng(seed)
    event = (rng.random(300) < 0.3).astype(float)
    score = np.round(rng.normal(size=300) + event * 0.6, 1)  # rounded: ties included
    found = auc(score, event)
    assert found.value == pytest.approx(mann_whitney_auc(score, event), abs=1e-12)
    half = norm.ppf(0.975) * np.sqrt(delong_variance_by_definition(score, event))
    assert found.low == pytest.approx(found.value - half, abs=1e-9)
    assert found.high == pytest.approx(found.value + half, abs=1e-9)


def test_missing_scores_and_outcomes_are_left_out():
    score = np.array([1.0, 2.0, np.nan, 3.0, 4.0, 0.5])
    event = np.array([0.0, 1.0, 1.0, np.nan, 1.0, 0.0])
    found = auc(score, event)
    assert found.accounts == 4
    assert found.value == pytest.approx(1.0)


def test_one_class_gives_no_auc():
    assert np.isnan(auc(np.arange(5.0), np.ones(5)).value)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.tuples(st.floats(-1e6, 1e6), st.booleans()), min_size=4, max_size=60).filter(
        lambda rows: 0 < sum(e for _, e in rows) < len(rows)
    )
)
def test_auc_of_the_reversed_score_is_one_minus_it(rows):
    score = np.array([s for s, _ in rows])
    event = np.array([float(e) for _, e in rows])
    assert auc(score, event).value + auc(-score, event).value == pytest.approx(1.0)
    # A monotone transform of the score (doubling is exact in floats) keeps its AUC.
    assert auc(2 * score, event) == auc(score, event)


def test_group_table_matches_a_direct_groupby():
    rng = np.random.default_rng(3)
    tiers = pd.Categorical(
        rng.choice(["High", "Mid", "Low"], 500), categories=["High", "Mid", "Low"]
    )
    event = (rng.random(500) < 0.2).astype(float)
    event[:20] = np.nan
    arr = rng.uniform(1000, 90000, 500)
    table = group_table(tiers, event, arr)
    known = ~np.isnan(event)
    frame = pd.DataFrame({"tier": tiers, "e": event, "arr": arr})[known]
    book_rate = frame["e"].mean()
    for name in ["High", "Mid", "Low"]:
        rows = frame[frame["tier"] == name]
        assert table.loc[name, "accounts"] == len(rows)
        assert table.loc[name, "with_outcome"] == rows["e"].sum()
        assert table.loc[name, "rate"] == pytest.approx(rows["e"].mean())
        assert table.loc[name, "lift"] == pytest.approx(rows["e"].mean() / book_rate)
        share = (rows["arr"] * rows["e"]).sum() / (frame["arr"] * frame["e"]).sum()
        assert table.loc[name, "share_of_outcome_arr"] == pytest.approx(share)
    assert list(table.index) == ["High", "Mid", "Low"]
    assert table["share_of_outcome_arr"].sum() == pytest.approx(1.0)


def test_deciles_split_by_rank_and_ties_share_a_decile():
    assert list(deciles(np.arange(1.0, 21.0))) == [d for d in range(1, 11) for _ in range(2)]
    tied = deciles(np.array([5.0] * 10 + list(range(10))))
    assert len(set(tied[:10])) == 1
    assert np.isnan(deciles(np.array([np.nan, 1.0]))[0])


def test_decile_rates_rise_with_a_score_that_drives_the_outcome():
    score = np.linspace(0, 1, 1000)
    event = (score > 0.5).astype(float)
    table = decile_table(score, event, None)
    assert list(table.index) == list(range(1, 11))
    assert monotone(table["rate"]) == "rising"
    assert monotone(table["rate"][::-1].reset_index(drop=True)) == "falling"
    assert monotone(pd.Series([0.1, 0.3, 0.2])) == "not monotone"


def test_best_column_is_the_furthest_from_half_either_way():
    rng = np.random.default_rng(4)
    event = (rng.random(400) < 0.4).astype(float)
    columns = {
        "weak": rng.normal(size=400) + 0.1 * event,
        "strong_low": -3 * event + rng.normal(size=400),
    }
    name, found = best_column(columns, event)
    assert name == "strong_low"
    assert found.value < 0.2
    plain = auc(columns["strong_low"], event)
    assert found.low < plain.low and found.high > plain.high  # widened for picking the best


@pytest.mark.parametrize("successes, trials", [(0, 10), (5, 10), (10, 10), (37, 120)])
def test_wilson_interval_holds_the_rate(successes, trials):
    low, high = wilson(successes, trials)
    assert 0 <= low <= successes / trials <= high <= 1


def test_live_summary_matches_auc_and_the_top_tier_lift():
    rng = np.random.default_rng(5)
    priority = rng.uniform(0, 100, 800)
    tier = pd.Categorical(
        np.where(priority >= 70, "High-touch", np.where(priority >= 45, "Mid-touch", "Low-touch")),
        categories=["High-touch", "Mid-touch", "Low-touch"],
    )
    event = (rng.random(800) < priority / 150).astype(float)
    result = pd.DataFrame({"priority": priority, "tier": tier})
    live = live_summary(result, event)
    assert live.auc == auc(priority, event)
    top = priority >= 70
    assert live.top_rate == pytest.approx(event[top].mean())
    assert live.top_lift == pytest.approx(event[top].mean() / event.mean())
    assert live.top_lift_low < live.top_lift < live.top_lift_high


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["High", "Mid", "Low"]),
            st.sampled_from([0.0, 1.0, np.nan]),
            st.floats(0, 1e6),
        ),
        min_size=1,
        max_size=80,
    )
)
def test_group_tables_add_up_to_the_book(rows):
    groups = pd.Categorical([g for g, _, _ in rows], categories=["High", "Mid", "Low"])
    event = np.array([e for _, e, _ in rows])
    arr = np.array([a for _, _, a in rows])
    table = group_table(groups, event, arr)
    known = ~np.isnan(event)
    assert table["accounts"].sum() == known.sum()  # no account lost or counted twice
    assert table["with_outcome"].sum() == np.nansum(event)
    assert table["arr_with_outcome"].sum() == pytest.approx(np.nansum(arr * event), abs=1e-6)
    if np.nansum(arr * event) > 0:
        assert table["share_of_outcome_arr"].sum() == pytest.approx(1.0)
