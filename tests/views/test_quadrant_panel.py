"""The quadrant panel (issue 18, finding 4): a sample in proportion to the tiers with the top
tier on top, corner names that follow the axes, corner labels that cannot overlap, money ticks.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import segmentation as seg
from segmentation.rules.quadrant import DEFAULT_LABELS, Quadrant, axis_labels
from segmentation.views import quadrant
from ui import charts

TIERS = ["High-touch", "Mid-touch", "Low-touch"]


def tiered(counts: list[int], seed: int = 1) -> pd.DataFrame:
    """A result's tier column with `counts` accounts per tier, shuffled as a book would be."""
    codes = np.repeat(np.arange(len(counts)), counts)
    np.random.default_rng(seed).shuffle(codes)
    return pd.DataFrame({"tier": pd.Categorical.from_codes(codes, TIERS[: len(counts)])})


@pytest.mark.parametrize(
    "counts",
    [
        [4_600, 35_000, 60_400],  # the 100k book of the issue: 4.6% High-touch
        [15_000, 35_000, 50_000],
        [3, 4_000, 95_997],  # a tiny top tier still shows
        [5_001, 0, 0],  # just above the limit, one tier
    ],
)
def test_the_sample_holds_each_tier_in_proportion_to_its_accounts(counts):
    result = tiered(counts)
    sample = quadrant.chart_sample(result, limit=5_000)
    assert sample.shown == min(5_000, sum(counts))
    drawn = np.bincount(result["tier"].cat.codes.to_numpy()[sample.rows], minlength=len(counts))
    for tier, (n, shown) in enumerate(zip(counts, drawn, strict=True)):
        assert abs(shown - n * 5_000 / sum(counts)) <= 1, (tier, shown, n)
        assert shown >= 1 or n == 0
    assert sample.top_shown == drawn[0] and sample.top_total == counts[0]


@pytest.mark.parametrize("n", [4_999, 5_000])
def test_every_account_is_drawn_up_to_the_limit(n):
    sample = quadrant.chart_sample(tiered([n // 10, n - n // 10]), limit=5_000)
    assert not sample.sampled and sample.shown == n
    assert "Every account" in sample.words("High-touch")


@given(st.lists(st.integers(0, 20_000), min_size=2, max_size=6), st.integers(50, 6_000))
def test_quotas_sum_to_the_limit_and_follow_the_sizes(sizes, limit):
    sizes = np.array(sizes)
    quotas = quadrant.tier_quotas(sizes, limit)
    assert (quotas <= sizes).all() and (quotas >= 0).all()
    assert quotas.sum() == min(limit, sizes.sum())
    if sizes.sum() > limit:
        assert (np.abs(quotas - sizes * limit / sizes.sum()) <= 1.0 + (sizes > 0).sum()).all()


def test_the_sample_is_stable_while_other_tiers_change():
    before = tiered([4_600, 35_000, 60_400])
    after = before.copy()
    codes = after["tier"].cat.codes.to_numpy().copy()
    moved = np.flatnonzero(codes == 2)[:100]
    codes[moved] = 1
    after["tier"] = pd.Categorical.from_codes(codes, TIERS)
    a, b = (set(quadrant.chart_sample(r).rows) for r in (before, after))
    assert len(a & b) / len(a) > 0.9


@pytest.fixture(scope="module")
def sample_result():
    book = seg.load("sample_data/accounts.csv")
    return book, seg.segment(book.accounts, seg.default_config())


def test_the_top_tier_is_drawn_last_on_top(sample_result):
    _, result = sample_result
    cfg = seg.default_config()
    points = quadrant.quadrant_view(result, cfg).points
    order = points.sort_values("order")
    tier_rank = order["tier"].map({t: i for i, t in enumerate(cfg.tier_names)}).to_numpy()
    assert (np.diff(tier_rank) <= 0).all()  # lower tiers first, the top tier last
    top = order[order["tier"] == cfg.tier_names[0]]["arr"].to_numpy()
    assert (np.diff(top) <= 0).all()  # within a tier: big points first, small ones over them


def test_corner_names_follow_the_axes():
    q = Quadrant()
    assert dict(q.labels)["top_left"] == "Protect"  # high strategic value, low health
    moved = replace(q, x="arr", y="priority")
    names = dict(moved.labels)
    assert "Protect" not in names.values() and "Nurture" not in names.values()
    assert names["top_left"] == "High priority, low ARR"
    assert names["bottom_right"] == "Low priority, high ARR"
    assert replace(moved, x=q.x, y=q.y).labels == DEFAULT_LABELS  # and back again


def test_names_a_person_chose_stay_when_the_axes_change():
    own = (("top_right", "Expand"), ("top_left", "Save"), ("bottom_right", "Watch"),
           ("bottom_left", "Automate"))  # fmt: skip
    assert replace(Quadrant(labels=own), x="priority").labels == own


def test_the_segmented_quadrant_column_uses_the_names_of_the_axes(sample_result):
    book, _ = sample_result
    cfg = seg.default_config()
    cfg = replace(cfg, quadrant=replace(cfg.quadrant, x="priority", y="score_growth"))
    result = seg.segment(book.accounts, cfg)
    assert set(result["quadrant"].cat.categories) == {n for _, n in axis_labels("priority",
                                                      "score_growth")}  # fmt: skip
    saved = seg.config_from_json(seg.config_to_json(cfg))
    assert saved.quadrant.labels == cfg.quadrant.labels
    words = " ".join(seg.describe_config(cfg))
    assert "Growth potential split at 50 up" in words and "score_" not in words


def corner_layers(spec: dict) -> list[dict]:
    return [layer for layer in spec["layer"] if layer["mark"]["type"] == "text"]


@pytest.mark.parametrize("x", ["score_health", "arr"])
def test_corner_labels_sit_in_their_corners_and_cannot_overlap(sample_result, x):
    cfg = seg.default_config()
    cfg = replace(cfg, quadrant=replace(cfg.quadrant, x=x, x_split=50_000 if x == "arr" else 50))
    result = seg.segment(sample_result[0].accounts, cfg)
    view = quadrant.quadrant_view(result, cfg)
    spec = charts.quadrant_spec(view.points, view.cells, cfg, view.x_domain, view.y_domain)
    layers = corner_layers(spec)
    assert len(layers) == 8  # a name and a numbers line per corner
    for layer in layers:
        mark = layer["mark"]
        assert mark["limit"] == {"expr": charts.CORNER_LIMIT}  # each inside half the width
        assert abs(mark["dx"]) >= charts.CORNER_PAD and abs(mark["dy"]) >= charts.CORNER_PAD
        assert (mark["align"] == "left") == (mark["dx"] > 0)  # padded inwards
    corners = spec["datasets"]["corners"]
    for row in corners.itertuples():
        side = "right" if row.x == view.x_domain[1] else "left"
        assert row.cell.endswith(side)
        assert row.name == cfg.quadrant.label(row.cell)
    exact = view.cells.set_index("cell")["accounts"]
    assert all(
        t.startswith(f"{n:,} account") for n, t in zip(exact, corners["numbers"], strict=True)
    )


@pytest.mark.parametrize("axis, money", [("arr", True), ("score_health", False)])
def test_an_arr_axis_has_money_ticks(sample_result, axis, money):
    book, _ = sample_result
    cfg = seg.default_config()
    cfg = replace(cfg, quadrant=replace(cfg.quadrant, x=axis, x_split=50_000 if money else 50))
    view = quadrant.quadrant_view(seg.segment(book.accounts, cfg), cfg)
    spec = charts.quadrant_spec(view.points, view.cells, cfg, view.x_domain, view.y_domain)
    axis_spec = spec["layer"][0]["encoding"]["x"].get("axis", {})
    assert ("$~s" in axis_spec.get("labelExpr", "")) is money
    assert "$~s" not in spec["layer"][0]["encoding"]["y"].get("axis", {}).get("labelExpr", "")
