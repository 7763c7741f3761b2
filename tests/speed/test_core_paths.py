"""The faster stage 1 and 2 paths (issue 16) give the numbers of the plain ones they replaced."""

from __future__ import annotations

import dataclasses
import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import segmentation as seg
from segmentation.rules import metrics, pillars, schemes, tiers

AS_OF = dt.date(2026, 11, 22)


def sorted_thresholds(priority: np.ndarray, shares: list[float]) -> list[float]:
    """`share_thresholds` as main had it (9f18481): the whole book sorted."""
    known = np.sort(priority[~np.isnan(priority)])[::-1]
    thresholds, cumulative, above = [], 0.0, 100.0 + tiers.STEP
    for i, share in enumerate(shares):
        cumulative += share
        if len(known):
            k = min(max(round(cumulative / 100 * len(known)), 1), len(known))
            value = float(known[k - 1])
        else:
            value = 100.0 - cumulative
        value = round(max(min(value, above - tiers.STEP), tiers.STEP * (len(shares) - i)), 1)
        thresholds.append(value)
        above = value
    return thresholds


priorities = arrays(
    np.float64,
    st.integers(0, 300),
    elements=st.one_of(st.just(np.nan), st.integers(0, 1000).map(lambda k: k / 10)),
)
shares = st.lists(st.sampled_from([0.1, 1.0, 5.0, 15.0, 33.3, 35.0, 49.9]), min_size=1, max_size=4)


@settings(max_examples=300, deadline=None)
@given(priorities, shares)
def test_cutoffs_by_partition_equal_the_sorted_book(priority, wanted):
    assert tiers.share_thresholds(priority, wanted) == sorted_thresholds(priority, wanted)


@settings(max_examples=200, deadline=None)
@given(
    st.integers(1, 40),
    st.integers(1, 8),
    st.sampled_from(["whole", "fractions", "zeros"]),
    st.integers(0, 2**31),
)
def test_known_weight_is_the_matrix_product(rows, columns, kind, seed):
    rng = np.random.default_rng(seed)
    known = rng.random((rows, columns)) < 0.6
    weights = {
        "whole": rng.integers(0, 1_000_000, columns).astype("float64"),
        "fractions": rng.random(columns) * 3,
        "zeros": np.zeros(columns),
    }[kind]
    np.testing.assert_array_equal(pillars.known_weight(known, weights), known @ weights)


@pytest.mark.parametrize("rows", [0, 1, 4, 5, 9])  # blocks of 4 rows: none, one, two, a part
def test_score_matrices_equal_the_columns_written_one_by_one(rows, monkeypatch):
    monkeypatch.setattr(metrics, "BLOCK_ROWS", 4)
    rng = np.random.default_rng(rows)
    columns = {j: np.where(rng.random(rows) < 0.3, np.nan, rng.random(rows) * 100) for j in (0, 2)}
    filled, known = metrics.score_matrices(rows, 3, columns)
    expected = np.full((rows, 3), np.nan)
    for j, column in columns.items():
        expected[:, j] = column
    np.testing.assert_array_equal(known, ~np.isnan(expected))
    np.testing.assert_array_equal(filled, np.nan_to_num(expected, nan=0.0))


LABELS = ["Enterprise (Annual)", "pro", " ", None, "Starter", "ENTERPRISE", "Unlisted", "pro"]


@pytest.mark.parametrize(
    "dtype", ["object", pd.StringDtype("pyarrow", na_value=np.nan), pd.StringDtype("python")]
)
def test_categories_score_alike_in_every_text_dtype(dtype):
    metric = seg.default_config().pillar("strategic").metrics[3]  # plan, category points
    values = pd.Series(LABELS, dtype=dtype)
    codes, uniques = schemes.factorized(values)
    assert [uniques[c] if c >= 0 else None for c in codes] == LABELS  # first seen, in order
    np.testing.assert_array_equal(
        schemes.category_score(values, metric),
        np.array([100.0, 40.0, np.nan, np.nan, 10.0, 100.0, 50.0, 40.0]),  # "Unlisted": other, 50
    )


def test_a_book_with_repeated_index_labels_gets_its_profiles_reasons():
    from segmentation.rules.profiles import Profile

    accounts = seg.generate_accounts(400, seed=3)
    accounts.index = np.repeat(np.arange(200), 2)  # labels repeat: rows found by position
    whole_book = Profile("Enterprise", "plan", ("Enterprise",), ranks_within=False)
    config = seg.default_config()
    with_profile = seg.segment(accounts, _with(config, whole_book), as_of=AS_OF)
    plain = seg.segment(accounts, config, as_of=AS_OF)
    inside = (accounts["plan"] == "Enterprise").to_numpy()
    assert inside.any() and (~inside).any()
    notes = np.where(inside, "Profile Enterprise. ", "Default settings. ")
    expected = [note + text for note, text in zip(notes, plain["reasons"], strict=True)]
    assert with_profile["reasons"].tolist() == expected
    assert with_profile["tier"].tolist() == plain["tier"].tolist()


def _with(config: seg.Config, profile: object) -> seg.Config:
    from dataclasses import replace

    return replace(config, profiles=(profile,))


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.sampled_from(["", "arr unreadable", "nps out of range; date", None]), max_size=40),
    st.integers(0, 5),
    st.integers(0, 2**31),
    st.sampled_from(["object", "arrow", None]),
)
def test_data_issues_are_each_rows_problems_joined(issues, problem_count, seed, dtype):
    from segmentation.segment import problem_texts

    rng = np.random.default_rng(seed)
    n = len(issues)
    problems = [(rng.random(n) < 0.4, f"problem {i}") for i in range(problem_count)]
    column = None
    if dtype is not None:
        text = "object" if dtype == "object" else pd.StringDtype("pyarrow", na_value=np.nan)
        column = pd.Series(issues, dtype=text)
    expected = [
        "; ".join(
            ([issues[row]] if column is not None and issues[row] else [])
            + [words for mask, words in problems if mask[row]]
        )
        for row in range(n)
    ]
    assert list(problem_texts(column, problems, n)) == expected


def _stage1_both_ways(accounts: pd.DataFrame, config: seg.Config, monkeypatch) -> tuple:
    """Stage 1 with every metric scored here, then on the pool (any book size)."""
    monkeypatch.setattr(metrics, "PARALLEL_ROWS", 10**12)
    here = metrics.score_metrics(accounts, config, as_of=AS_OF)
    monkeypatch.setattr(metrics, "PARALLEL_ROWS", 0)
    monkeypatch.setattr(metrics, "cores", lambda: 2)  # the pool even on one core
    pooled = metrics.score_metrics(accounts, config, as_of=AS_OF)
    return here, pooled


def _assert_same_metric_scores(here: metrics.MetricScores, pooled: metrics.MetricScores) -> None:
    assert [p.key for p in here.pillars] == [p.key for p in pooled.pillars]
    for a, b in zip(here.pillars, pooled.pillars, strict=True):
        np.testing.assert_array_equal(a.filled, b.filled)
        np.testing.assert_array_equal(a.known, b.known)
        np.testing.assert_array_equal(a.typical, b.typical)
        np.testing.assert_array_equal(a.fed, b.fed)
        assert a.learned == b.learned and a.metrics == b.metrics
        assert [type(v) for v in a.inputs] == [type(v) for v in b.inputs]
    assert here.lenses.keys() == pooled.lenses.keys()
    for name, values in here.lenses.items():
        pd.testing.assert_series_equal(pd.Series(values), pd.Series(pooled.lenses[name]))
    assert here.missing_columns == pooled.missing_columns


def test_metrics_scored_on_the_pool_equal_those_scored_in_turn(monkeypatch):
    accounts = seg.generate_accounts(3_000, seed=11)
    accounts.loc[accounts.sample(frac=0.2, random_state=2).index, ["arr", "nps"]] = np.nan
    accounts = accounts.drop(columns=["health_score"])  # a metric the book cannot feed
    config = seg.default_config()
    here, pooled = _stage1_both_ways(accounts, config, monkeypatch)
    _assert_same_metric_scores(here, pooled)
    tiered = [seg.tier_accounts(s, config) for s in (here, pooled)]
    pd.testing.assert_frame_equal(*tiered)


def test_a_real_export_scores_alike_on_the_pool(monkeypatch, tmp_path):
    from tests.realbooks.books import crm_report

    built = crm_report()
    path = tmp_path / built.name
    path.write_bytes(built.data)
    book = seg.load(path)
    config = seg.default_config()
    here, pooled = _stage1_both_ways(book.accounts, config, monkeypatch)
    _assert_same_metric_scores(here, pooled)


def test_a_failing_metric_fails_stage_1_on_the_pool_as_in_turn(monkeypatch):
    accounts = seg.generate_accounts(50, seed=1)
    config = seg.default_config()

    def broken(values, metric):
        raise seg.ConfigError("broken scheme")

    percentile = dataclasses.replace(schemes.SCHEMES["percentile"], score=broken)
    monkeypatch.setitem(schemes.SCHEMES, "percentile", percentile)
    for rows in (10**12, 0):
        monkeypatch.setattr(metrics, "PARALLEL_ROWS", rows)
        monkeypatch.setattr(metrics, "cores", lambda: 2)
        with pytest.raises(seg.ConfigError, match="broken scheme"):
            metrics.score_metrics(accounts, config, as_of=AS_OF)


def test_stage_1_on_a_pool_worker_runs_there_rather_than_wait_on_its_own_pool(monkeypatch):
    monkeypatch.setattr(metrics, "PARALLEL_ROWS", 0)
    monkeypatch.setattr(metrics, "cores", lambda: 2)
    accounts = seg.generate_accounts(200, seed=4)
    config = seg.default_config()
    # every worker of the pool asks for stage 1 at once: none may wait on a busy pool
    jobs = [
        metrics._workers().submit(metrics.score_metrics, accounts, config, as_of=AS_OF)
        for _ in range(4)
    ]
    nested = [job.result(timeout=60) for job in jobs]
    here = metrics.score_metrics(accounts, config, as_of=AS_OF)
    for got in nested:
        _assert_same_metric_scores(here, got)


def test_kept_pillar_scores_equal_a_fresh_scoring_whatever_the_moves_before():
    """Stage 2 reads the pillar scores back for the metric weights it was last asked for
    (`pillars.pillar_scores`); after pillar-weight, cut-off and metric-weight moves, back and
    forth, every result equals the same settings on metrics scored afresh."""
    from segmentation.config import with_metric, with_pillar, with_thresholds

    accounts = seg.generate_accounts(3_000, seed=7)
    base = seg.default_config()
    kept = seg.score_metrics(accounts, base, as_of=AS_OF)
    moves = [
        with_pillar(base, "growth", weight=70.0),
        with_thresholds(base, [55.0, 30.0]),
        with_metric(base, "health", 0, weight=0.0),
        with_pillar(with_metric(base, "health", 0, weight=0.0), "health", weight=60.0),
        base,
        with_metric(base, "growth", 1, weight=3.0),
        with_pillar(base, "strategic", weight=5.0),
    ]
    for cfg in moves:
        got = seg.tier_accounts(kept, cfg)
        fresh = seg.tier_accounts(seg.score_metrics(accounts, cfg, as_of=AS_OF), cfg)
        pd.testing.assert_frame_equal(got, fresh)
    scores = pillars.pillar_scores(kept, base)
    assert scores is pillars.pillar_scores(kept, with_thresholds(base, [50.0, 20.0]))
    with pytest.raises(ValueError, match="read-only"):
        scores[0, 0] = 1.0  # shared by every result under these metric weights: never written
