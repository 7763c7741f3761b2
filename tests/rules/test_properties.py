"""Rules that must hold for every book and every setting (hypothesis)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from segmentation.config import default_config, with_pillar, with_thresholds
from segmentation.segment import segment
from tests.rules.conftest import book, simple_config

scores = st.one_of(st.none(), st.floats(0, 100, allow_nan=False))
weights = st.floats(0, 100, allow_nan=False).map(lambda w: round(w, 2))
pillar_weights = st.tuples(weights, weights, weights, weights).filter(lambda w: sum(w) > 0)
thresholds = st.tuples(st.integers(1, 100), st.integers(0, 99)).filter(lambda t: t[0] > t[1])


@st.composite
def books(draw, min_size=1, max_size=40):
    n = draw(st.integers(min_size, max_size))
    columns = {c: draw(st.lists(scores, min_size=n, max_size=n)) for c in "gsch"}
    frame = book(**columns)
    frame.index = draw(  # any index must survive, repeated labels included
        st.one_of(
            st.permutations(range(100, 100 + n)),
            st.lists(st.integers(0, 3), min_size=n, max_size=n),
        )
    )
    return frame


@settings(max_examples=60, deadline=None)
@given(books(), pillar_weights, thresholds)
def test_every_row_gets_exactly_one_tier_in_input_order(accounts, w, cut):
    config = simple_config(weights=w, thresholds=cut)
    result = segment(accounts, config)
    assert result.index.equals(accounts.index)
    assert result["account_id"].tolist() == accounts["account_id"].tolist()
    assert result["tier"].notna().all()
    assert set(result["tier"]) <= set(config.tier_names)


@settings(max_examples=60, deadline=None)
@given(books(), pillar_weights, thresholds, st.sampled_from([0.01, 0.5, 3, 1000]))
def test_scaling_all_weights_changes_nothing(accounts, w, cut, factor):
    config = simple_config(weights=w, thresholds=cut)
    scaled = simple_config(weights=tuple(x * factor for x in w), thresholds=cut)
    a, b = segment(accounts, config), segment(accounts, scaled)
    assert a["tier"].tolist() == b["tier"].tolist()
    np.testing.assert_allclose(a["priority"], b["priority"])


@settings(max_examples=80, deadline=None)
@given(
    books(),
    pillar_weights,
    thresholds,
    st.sampled_from(["g", "s", "c", "h"]),
    st.data(),
)
def test_raising_a_pillar_that_raises_priority_never_lowers_the_tier(
    accounts, w, cut, column, data
):
    """Health lowers priority by default: for it, *lowering* the score must not lower the tier."""
    config = simple_config(weights=w, thresholds=cut)
    row = data.draw(st.integers(0, len(accounts) - 1))
    before = segment(accounts, config)
    changed = accounts.copy()
    old = changed[column].iloc[row]
    old = 50.0 if pd.isna(old) else float(old)
    step = data.draw(st.floats(0, 100, allow_nan=False))
    changed.iloc[row, changed.columns.get_loc(column)] = (
        max(old - step, 0.0) if column == "h" else min(old + step, 100.0)
    )
    after = segment(changed, config)
    rank = {name: i for i, name in enumerate(config.tier_names)}
    if pd.isna(accounts[column].iloc[row]):
        return  # a pillar appearing is not a pillar rising
    assert rank[after["tier"].iloc[row]] <= rank[before["tier"].iloc[row]]


@settings(max_examples=40, deadline=None)
@given(
    arrays(np.float64, st.integers(5, 60), elements=st.floats(0, 5e6)),
    st.integers(46, 95),
)
def test_raising_the_top_threshold_never_grows_the_top_tier(arr, high):
    accounts = pd.DataFrame({"account_id": [f"A{i}" for i in range(len(arr))], "arr": arr,
                             "potential_arr": arr * 1.5})  # fmt: skip
    config = default_config()
    low = segment(accounts, with_thresholds(config, [45.0, 44.0]))
    high_cut = segment(accounts, with_thresholds(config, [float(high), 44.0]))
    assert (high_cut["tier"] == "High-touch").sum() <= (low["tier"] == "High-touch").sum()


@settings(max_examples=30, deadline=None)
@given(books(min_size=2), st.sampled_from(["g", "s", "c", "h"]), st.data())
def test_a_pillar_with_zero_weight_has_no_effect_on_priority(accounts, column, data):
    keys = {"g": "growth", "s": "strategic", "c": "complexity", "h": "health"}
    config = with_pillar(simple_config(), keys[column], weight=0)
    changed = accounts.copy()
    changed[column] = data.draw(st.lists(scores, min_size=len(accounts), max_size=len(accounts)))
    np.testing.assert_array_equal(
        segment(accounts, config)["priority"].to_numpy(),
        segment(changed, config)["priority"].to_numpy(),
    )
