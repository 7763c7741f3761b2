"""Tier confidence: draws within the room's ranges, against the pipeline run draw by draw."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import segmentation as seg
from segmentation import confidence as cf
from segmentation.config import PILLAR_KEYS, Override, with_pillar, with_thresholds
from segmentation.rules.tiers import share_thresholds


@pytest.fixture(scope="module")
def book() -> pd.DataFrame:
    return seg.generate_accounts(400, seed=21)


@pytest.fixture(scope="module")
def fixed() -> seg.Config:
    return with_thresholds(seg.default_config(), [62, 45])


def tiers_of(accounts: pd.DataFrame, config: seg.Config) -> np.ndarray:
    return seg.segment(accounts, config)["tier"].cat.codes.to_numpy()


def settings_of(config: seg.Config, weights: np.ndarray, thresholds: np.ndarray) -> seg.Config:
    for key, weight in zip(PILLAR_KEYS, weights, strict=True):
        config = with_pillar(config, key, weight=float(weight))
    return with_thresholds(config, [float(t) for t in thresholds])


def test_confidence_equals_the_pipeline_run_once_per_draw(book, fixed):
    """The vectorised draws (and the shortcut for certain accounts) against segment()."""
    ranges = cf.Ranges((8, 8, 5, 8), (4, 4))
    scores = seg.score_metrics(book, fixed)
    result = cf.tier_confidence(scores, fixed, ranges, draws=40, seed=3)
    stated = tiers_of(book, fixed)
    assert (result.space.stated_tier == stated).all()
    weights, thresholds = cf.draw_settings(result.space, 40, np.random.default_rng(3))
    kept = np.zeros(len(book))
    for d in range(40):
        kept += tiers_of(book, settings_of(fixed, weights[:, d], thresholds[:, d])) == stated
    assert result.tier_confidence == pytest.approx(kept / 40)
    assert 0 < (result.tier_confidence < 1).mean() < 1  # the book has both kinds


def test_confidence_is_one_far_from_every_cut_off(book, fixed):
    ranges = cf.Ranges((0, 0, 0, 0), (3, 3))
    result = cf.tier_confidence(seg.score_metrics(book, fixed), fixed, ranges, draws=500)
    priority = seg.segment(book, fixed)["priority"].to_numpy()
    far = (np.abs(priority - 62) > 3) & (np.abs(priority - 45) > 3)
    assert far.sum() > 200
    assert (result.tier_confidence[far] == 1).all()
    assert (result.tier_confidence[~far] < 1).any()


@pytest.mark.parametrize("weight_range", [0, 5])
def test_an_account_exactly_at_a_cut_off_keeps_its_tier_about_half_the_time(book, weight_range):
    base = with_thresholds(seg.default_config(), [62, 45])
    priority = seg.segment(book, base)["priority"].to_numpy()
    row = int(np.argmin(np.abs(priority - 60)))
    at = with_thresholds(base, [float(priority[row]), 40])
    ranges = cf.Ranges((weight_range,) * 4, (5, 5))
    result = cf.tier_confidence(seg.score_metrics(book, at), at, ranges, draws=4000, seed=1)
    assert result.space.stated_tier[row] == 0  # at the cut-off: in the tier above it
    # Binomial spread at 4,000 draws is 0.008; weight noise shifts it only a little.
    assert result.tier_confidence[row] == pytest.approx(0.5, abs=0.04 + weight_range / 100)


def test_relative_cut_offs_move_by_points_of_share_on_this_book(book):
    config = seg.default_config()  # top 15%, next 35%
    scores = seg.score_metrics(book, config)
    ranges = cf.Ranges((0, 0, 0, 0), (3, 0))
    result = cf.tier_confidence(scores, config, ranges, draws=300)
    priority = seg.tier_accounts(scores, config)["priority"].to_numpy()
    top = result.space.settings[4]
    assert top.label == "High-touch cut-off"
    assert top.low == share_thresholds(priority, [18])[0]
    assert top.high == share_thresholds(priority, [12])[0]
    unsure = result.tier_confidence < 1
    assert (unsure == ((priority > top.low) & (priority < top.high))).all()


def test_zero_ranges_keep_every_tier(book, fixed):
    ranges = cf.uniform_ranges(fixed, 0, 0)
    result = cf.tier_confidence(seg.score_metrics(book, fixed), fixed, ranges, draws=5)
    assert (result.tier_confidence == 1).all()
    assert (result.likeliest_other == -1).all()


def test_progress_reaches_one(book, fixed, monkeypatch):
    monkeypatch.setattr(cf, "BLOCK_CELLS", 4000)  # a few draws a block: several steps
    seen: list[float] = []
    cf.tier_confidence(
        seg.score_metrics(book, fixed),
        fixed,
        cf.uniform_ranges(fixed),
        draws=35,
        progress=seen.append,
    )
    assert len(seen) > 2 and seen == sorted(seen) and seen[-1] == 1.0


def test_tornado_order_matches_a_direct_one_at_a_time_computation(book, fixed):
    ranges = cf.Ranges((10, 10, 10, 10), (5, 5))
    scores = seg.score_metrics(book, fixed)
    result = seg.tier_accounts(scores, fixed)
    table = cf.tornado(result, cf.settings_space(scores, fixed, ranges))
    stated, arr = tiers_of(book, fixed), result["arr"].fillna(0).to_numpy()
    weights = [p.weight for p in fixed.pillars]
    direct = {}
    for i, pillar in enumerate(fixed.pillars):
        ends = [with_pillar(fixed, pillar.key, weight=max(weights[i] + s, 0)) for s in (-10, 10)]
        direct[f"{seg.config.SHORT_LABELS[pillar.key]} weight"] = ends
    direct["High-touch cut-off"] = [with_thresholds(fixed, [t, 45]) for t in (57, 67)]
    direct["Mid-touch cut-off"] = [with_thresholds(fixed, [62, t]) for t in (40, 50)]
    moved = {
        name: [float(arr[tiers_of(book, end) != stated].sum()) for end in ends]
        for name, ends in direct.items()
    }
    order = sorted(moved, key=lambda name: -sum(moved[name]))
    assert list(table["setting"]) == order
    for row in table.itertuples():
        assert [row.arr_low, row.arr_high] == pytest.approx(moved[row.setting])


def test_borderline_accounts_by_arr(book, fixed):
    scores = seg.score_metrics(book, fixed)
    result = seg.tier_accounts(scores, fixed)
    confidence = cf.tier_confidence(scores, fixed, cf.uniform_ranges(fixed), draws=200)
    table = cf.borderline_accounts(result, confidence, fixed, level=0.8, limit=10)
    below = confidence.tier_confidence < 0.8
    assert len(table) == min(10, below.sum()) == min(10, cf.borderline_count(confidence, 0.8))
    assert (table["tier_confidence"] < 0.8).all()
    expected = np.sort(result["arr"].to_numpy()[below])[::-1][:10]
    assert list(table["arr"]) == pytest.approx(list(expected))
    assert set(table["likeliest_other"]) <= set(fixed.tier_names)
    assert (table["likeliest_other"] != table["tier"].astype(str)).all()


@pytest.mark.parametrize(
    "ranges, field",
    [
        (cf.Ranges((10, 10, 10), (5, 5)), "ranges.weights: give 4"),
        (cf.Ranges((10,) * 4, (5,)), "ranges.cutoffs: give 2"),
        (cf.Ranges((10, -0.1, 10, 10), (5, 5)), "ranges.weights[1]: must be 0 or more"),
        (cf.Ranges((10,) * 4, (5, math.nan)), "ranges.cutoffs[1]: must be 0 or more"),
        (cf.Ranges((10,) * 4, (True, 5)), "ranges.cutoffs[0]: must be a number"),
        (cf.Ranges((10,) * 4, ("5", 5)), "ranges.cutoffs[0]: must be a number"),
    ],
)
def test_bad_ranges_are_refused_naming_the_field(book, fixed, ranges, field):
    with pytest.raises(seg.ConfigError, match=field.replace("[", r"\[").replace("]", r"\]")):
        cf.tier_confidence(seg.score_metrics(book.head(20), fixed), fixed, ranges, draws=2)


@pytest.mark.parametrize("draws, ok", [(0, False), (1, True), (100_000, True), (100_001, False)])
def test_draws_bounds(book, fixed, draws, ok):
    scores = seg.score_metrics(book.head(5), fixed)
    ranges = cf.uniform_ranges(fixed)
    if ok:
        assert cf.tier_confidence(scores, fixed, ranges, draws=draws).draws == draws
    else:
        with pytest.raises(seg.ConfigError, match="draws"):
            cf.tier_confidence(scores, fixed, ranges, draws=draws)


@settings(max_examples=15, deadline=None)
@given(weight=st.floats(0, 40), cutoff=st.floats(0, 20), seed=st.integers(0, 2**16))
def test_confidence_is_a_share_and_certain_accounts_are_never_moved(
    book, fixed, weight, cutoff, seed
):
    scores = seg.score_metrics(book, fixed)
    result = cf.tier_confidence(
        scores, fixed, cf.uniform_ranges(fixed, weight, cutoff), draws=20, seed=seed
    )
    assert ((result.tier_confidence >= 0) & (result.tier_confidence <= 1)).all()
    sure = cf.certain(result.space)
    weights, thresholds = cf.draw_settings(result.space, 20, np.random.default_rng(seed))
    tiers = cf.tiers_under(result.space, weights, thresholds)
    assert (tiers[sure] == result.space.stated_tier[sure, None]).all()


@pytest.mark.parametrize(("ends", "tier"), [(None, 2), (-1, 0)], ids=["in force", "ended"])
def test_an_override_is_drawn_only_while_in_force(book, fixed, ends, tier):
    """The draws re-apply the guard-rails: an override past its last day (on the book's day)
    is not applied there either, as in segment()."""
    as_of = dt.date(2026, 11, 1)
    plain = seg.segment(book, fixed, as_of=as_of)
    top = int(np.argmax(plain["priority"].to_numpy()))
    expires = None if ends is None else as_of + dt.timedelta(days=ends)
    override = Override(str(plain["account_id"].iloc[top]), "Low-touch", "test", expires=expires)
    config = replace(fixed, guardrails=replace(fixed.guardrails, overrides=(override,)))
    scores = seg.score_metrics(book, config, as_of=as_of)
    drawn = cf.tier_confidence(scores, config, cf.uniform_ranges(config), draws=20)
    segmented = seg.segment(book, config, as_of=as_of)["tier"].cat.codes.to_numpy()
    assert drawn.space.stated_tier[top] == segmented[top] == tier
    assert drawn.tier_confidence[top] == 1.0
