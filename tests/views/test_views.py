"""The core views of the panels, checked against plain pandas on real segmentations."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import segmentation as seg
from segmentation import movement
from segmentation.config import with_pillar, with_thresholds
from segmentation.rules import pillars
from segmentation.sample import generate_accounts
from segmentation.views import accounts as account_list
from segmentation.views import book, data_quality, histogram, quadrant, tiers

AS_OF = dt.date(2026, 11, 1)


@pytest.fixture(scope="module")
def accounts():
    return generate_accounts(3_000, seed=11)


@pytest.fixture(scope="module")
def result(accounts):
    return seg.segment(accounts, seg.default_config(), as_of=AS_OF)


def test_tier_summary_matches_groupby(result):
    cfg = seg.default_config()
    table = tiers.tier_summary(result, cfg)
    assert list(table.index) == list(cfg.tier_names)
    grouped = result.groupby("tier", observed=False)["arr"].agg(["size", "sum"])
    assert table["accounts"].tolist() == grouped["size"].tolist()
    assert np.allclose(table["arr"], grouped["sum"])
    assert table["share_of_accounts"].sum() == pytest.approx(1.0)
    assert table["share_of_arr"].sum() == pytest.approx(1.0)


def test_tier_summary_of_an_empty_selection(result):
    table = tiers.tier_summary(result.iloc[:0], seg.default_config())
    assert table["accounts"].tolist() == [0, 0, 0]
    assert table["share_of_arr"].tolist() == [0.0, 0.0, 0.0]


@pytest.mark.parametrize(
    ("arr", "per", "csms"),
    [(0, 2e6, 0), (1, 2e6, 1), (2e6, 2e6, 1), (2e6 + 1, 2e6, 2), (9.9e6, 2e6, 5)],
)
def test_csms_needed_rounds_up(arr, per, csms):
    assert tiers.csms_needed(arr, per) == csms


def test_csm_coverage_counts_top_tier_arr(result):
    cfg = seg.default_config()
    cover = tiers.csm_coverage(result, cfg)
    top_arr = result.loc[result["tier"] == "High-touch", "arr"].sum()
    assert cover.arr == pytest.approx(top_arr)
    assert cover.csms == math.ceil(top_arr / 2_000_000)


def test_quadrant_summary_matches_value_counts(result):
    cfg = seg.default_config()
    table = quadrant.quadrant_summary(result, cfg)
    counts = result["quadrant"].value_counts()
    for row in table.itertuples():
        assert row.accounts == counts[row.label]
        assert row.arr == pytest.approx(result.loc[result["quadrant"] == row.label, "arr"].sum())
    assert table["accounts"].sum() + table.attrs["unplaced"] == len(result)


def test_priority_histogram_counts_every_scored_account(result):
    cfg = seg.default_config()
    bins = histogram.priority_histogram(result, cfg)
    assert bins["accounts"].sum() == result["priority"].notna().sum()
    assert (bins["accounts"] > 0).all()
    assert bins["bin_start"].min() >= 0 and bins["bin_end"].max() <= 100
    per_tier = bins.groupby("tier", observed=False)["accounts"].sum()
    scored = result[result["priority"].notna()]
    assert per_tier.tolist() == scored["tier"].value_counts().reindex(cfg.tier_names).tolist()


def test_movement_against_itself_is_the_diagonal(result):
    tiers = pd.Categorical(result["tier"])
    matrix = movement.movement_matrix(tiers, tiers)
    assert np.array_equal(np.diag(matrix.to_numpy()), tiers.value_counts().to_numpy())
    assert matrix.to_numpy().sum() == len(result)
    assert movement.movement_totals(result, tiers).moved == 0
    assert movement.moved_accounts(result, tiers).empty


def test_movement_after_a_lower_cut(accounts, result):
    baseline = pd.Categorical(result["tier"])
    fitted = seg.fitted_config(
        seg.score_metrics(accounts, seg.default_config(), as_of=AS_OF), seg.default_config()
    )
    high, mid = (t.threshold for t in fitted.tiers[:-1])
    cfg = with_thresholds(seg.default_config(), [high - 10, mid])
    now = seg.segment(accounts, cfg, as_of=AS_OF)
    moves = movement.movement_totals(now, baseline)
    changed = (now["tier"].astype(str) != result["tier"].astype(str)).to_numpy()
    assert moves.moved == changed.sum() > 0
    assert moves.up == moves.moved and moves.down == 0  # a lower cut only lifts accounts
    assert moves.arr_moved == pytest.approx(now.loc[changed, "arr"].sum())
    matrix = movement.movement_matrix(baseline, now["tier"].array)
    assert matrix.loc["Mid-touch", "High-touch"] == moves.moved
    listed = movement.moved_accounts(now, baseline, limit=10)
    assert len(listed) == min(10, moves.moved)
    assert listed["arr"].is_monotonic_decreasing
    assert (listed["from_tier"].astype(str) == "Mid-touch").all()
    assert (listed["to_tier"].astype(str) == "High-touch").all()
    assert listed["arr"].iloc[0] == now.loc[changed, "arr"].max()


def test_chart_sample_keeps_every_account_of_a_small_book(result):
    sample = quadrant.chart_sample(result, limit=5_000)
    assert sample.shown == len(result) and not sample.sampled


def test_chart_sample_is_bounded_proportional_and_stable(result):
    sample = quadrant.chart_sample(result, limit=200)
    top = np.flatnonzero(result["tier"].cat.codes.to_numpy() == 0)
    assert sample.shown == 200 and sample.sampled
    assert set(sample.rows[np.isin(sample.rows, top)]) <= set(top)
    assert sample.top_total == len(top)
    assert abs(sample.top_shown - 200 * len(top) / len(result)) <= 1  # its share of the book
    again = quadrant.chart_sample(result, limit=200)
    assert np.array_equal(sample.rows, again.rows)


@settings(max_examples=30, deadline=None)
@given(n=st.integers(0, 400), limit=st.integers(1, 300), top_share=st.floats(0, 1))
def test_chart_sample_never_exceeds_its_limit(n, limit, top_share):
    rng = np.random.default_rng(n)
    codes = np.where(rng.random(n) < top_share, 0, rng.integers(1, 3, n))
    frame = pd.DataFrame({"tier": pd.Categorical.from_codes(codes, ["A", "B", "C"], ordered=True)})
    sample = quadrant.chart_sample(frame, limit=limit)
    assert sample.shown <= max(limit, 0) or sample.shown == n <= limit
    assert len(np.unique(sample.rows)) == sample.shown
    quotas = quadrant.tier_quotas(np.bincount(codes, minlength=3), limit)
    assert sample.top_shown == quotas[0] <= sample.top_total


def test_mapping_coverage_reports_sources_uses_and_coverage():
    book = seg.load("sample_data/accounts.csv")
    cfg = seg.default_config()
    table = data_quality.mapping_coverage(book.accounts, book.mapping, cfg).set_index("column")
    assert table.loc["arr", "source"] == "ARR"
    assert "Strategic value" in table.loc["arr", "feeds"]
    assert "Growth potential" in table.loc["active_users", "feeds"]  # through adoption
    assert table.loc["nps", "coverage"] == pytest.approx(book.accounts["nps"].notna().mean())
    assert np.isnan(table.loc["mrr", "coverage"]) and table.loc["mrr", "source"] == ""


def test_metric_coverage_and_pillar_gaps(accounts):
    cfg = seg.default_config()
    ms = seg.score_metrics(accounts, cfg, as_of=AS_OF)
    table = data_quality.metric_coverage(ms, cfg)
    nps = table[table["metric"] == "NPS"].iloc[0]
    assert nps["coverage"] == pytest.approx(accounts["nps"].notna().mean())
    assert nps["missing"] == accounts["nps"].isna().sum()
    assert "re-weighted" in nps["when_missing"]
    assert "days_to_renewal" not in set(table["metric"])  # weight 0: not in use
    gaps = data_quality.pillar_gaps(seg.tier_accounts(ms, cfg), cfg)
    assert list(gaps["pillar"]) == [p.label for p in cfg.pillars]


def test_unmapped_numeric_columns():
    raw = pd.DataFrame(
        {
            "Account": ["a", "b", "c"],
            "Logins": ["1.204", "310", "N/A"],
            "Notes": ["call back", "ok", ""],
            "Score": ["5", "6", "7"],
        }
    )
    found = data_quality.unmapped_numeric_columns(raw, {"account_name": "Account", "nps": "Score"})
    assert found == ["Logins"]


@pytest.mark.parametrize(
    ("filters", "search", "expected"),
    [
        ({}, "", 4),
        ({"tier": ["High-touch"]}, "", 2),
        ({"tier": ["High-touch"], "csm": ["Ann"]}, "", 1),
        ({"tier": []}, "", 4),
        ({}, "acme", 2),
        ({}, "A-3", 1),
        ({}, "ann", 2),
        ({"tier": ["Low-touch"]}, "acme", 0),
    ],
)
def test_filter_mask(filters, search, expected):
    frame = pd.DataFrame(
        {
            "account_name": ["Acme", "Acme Labs", "Bright", "Cedar"],
            "account_id": ["A-1", "A-2", "A-3", "A-4"],
            "csm": ["Ann", "Bo", "Bo", "Ann"],
            "tier": pd.Categorical(
                ["High-touch", "High-touch", "Mid-touch", "Low-touch"],
                categories=["High-touch", "Mid-touch", "Low-touch"],
            ),
        }
    )
    assert account_list.filter_mask(frame, filters, search).sum() == expected


def test_weight_shares_and_breakdown(result):
    cfg = with_pillar(seg.default_config(), "growth", weight=60)
    shares = pillars.weight_shares(cfg)
    assert sum(shares.values()) == pytest.approx(1.0)
    assert shares["growth"] == pytest.approx(60 / 130)
    row = result.iloc[0]
    breakdown = account_list.pillar_breakdown(row, cfg).set_index("pillar")
    health = breakdown.loc["Health & maturity"]
    assert health["enters_priority_as"] == pytest.approx(100 - row["score_health"])


def test_tier_counts_and_change(result):
    counts = tiers.tier_counts(pd.Categorical(result["tier"]))
    assert counts == result["tier"].value_counts().to_dict()
    assert tiers.change(5, 3) == 2 and tiers.change(5, None) is None


@pytest.mark.parametrize(("axis", "split"), [("score_health", 50.0), ("priority", 50.0)])
def test_default_split_of_scores(result, axis, split):
    assert quadrant.default_split(result, axis) == split
    assert quadrant.axis_domain(result, axis) == (0.0, 100.0)


def test_default_split_and_domain_of_arr(result):
    split = quadrant.default_split(result, "arr")
    assert split == pytest.approx(result["arr"].median(), rel=0.1)
    low, high = quadrant.axis_domain(result, "arr")
    assert low == result["arr"][result["arr"] > 0].min() and high == result["arr"].max()


def test_total_arr_skips_missing_values(result):
    assert book.total_arr(result) == pytest.approx(result["arr"].sum())
    assert book.total_arr(result) == pytest.approx(
        tiers.tier_summary(result, seg.default_config())["arr"].sum()
    )
    assert book.total_arr(result.iloc[:0]) == 0.0
    assert book.total_arr(pd.DataFrame({"arr": [1.5, None, 2.0]})) == 3.5


def test_tier_engagement_by_name():
    cfg = seg.default_config()
    for tier in cfg.tiers:
        assert tiers.tier_engagement(cfg, tier.name) == tier.engagement
    assert tiers.tier_engagement(cfg, "(none)") == ""
