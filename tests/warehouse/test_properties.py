"""Property-generated books and settings: numpy and DuckDB agree on every one."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from parity_helpers import assert_parity

import segmentation as seg
from segmentation.config import with_thresholds

DEFAULT = seg.default_config()
# Few distinct values, so that ties are the rule; None is a gap.
money = st.one_of(st.none(), st.sampled_from([0.0, 1000.0, 2500.5, 1e5, 3e6]))
count = st.one_of(st.none(), st.integers(0, 4).map(float))
flag = st.one_of(st.none(), st.booleans())
PLANS = ["Enterprise", "pro", " Starter", "Other", "", "Enterprise (Annual)", "Team", "Growth"]
plan = st.one_of(st.none(), st.sampled_from(PLANS))


@st.composite
def books(draw) -> pd.DataFrame:
    rows = draw(st.integers(1, 30))
    column = lambda values: draw(st.lists(values, min_size=rows, max_size=rows))  # noqa: E731
    frame = pd.DataFrame(
        {
            "account_id": [f"ACC-{i:06d}" for i in range(1, rows + 1)],
            "arr": column(money),
            "potential_arr": column(money),
            "employees": column(count),
            "support_tickets": column(count),
            "integrations": column(count),
            "products": column(count),
            "active_users": column(count),
            "licensed_seats": column(count),
            "health_score": column(st.one_of(st.none(), st.sampled_from([0.0, 35.5, 50.0, 99.0]))),
            "nps": column(st.one_of(st.none(), st.integers(0, 10).map(float))),
            "plan": column(plan),
            "lifecycle_stage": column(st.sampled_from(["Adoption", "Onboarding", None])),
            "tenure_months": column(count),
        }
    )
    for name in ("strategic_account", "referenceable"):
        frame[name] = pd.array(column(flag), dtype="boolean")
    for name in ("plan", "lifecycle_stage"):
        frame[name] = frame[name].astype("str")
    frame[["plan", "lifecycle_stage"]] = frame[["plan", "lifecycle_stage"]].where(
        frame[["plan", "lifecycle_stage"]] != "None"
    )
    return frame


@st.composite
def configs(draw):
    weights = draw(st.lists(st.sampled_from([0, 1, 2.5, 30]), min_size=4, max_size=4))
    weights[draw(st.integers(0, 3))] = draw(st.sampled_from([1, 30]))  # one pillar counts
    effects = draw(st.lists(st.sampled_from(["raises", "lowers"]), min_size=4, max_size=4))
    pillars = []
    for pillar, weight, effect in zip(DEFAULT.pillars, weights, effects, strict=True):
        first = replace(
            pillar.metrics[0],
            direction=draw(st.sampled_from(["higher", "lower"])),
            missing=draw(st.sampled_from(["skip", "neutral", "worst"])),
        )
        metrics = (first, *pillar.metrics[1:])
        pillars.append(replace(pillar, weight=weight, effect=effect, metrics=metrics))
    config = replace(DEFAULT, pillars=tuple(pillars))
    if draw(st.booleans()):  # relative cut-offs, the default kind, at other shares
        shares = [draw(st.sampled_from([5.0, 15.0, 50.0])), draw(st.sampled_from([10.0, 35.0]))]
        tiers = [replace(t, share=s) for t, s in zip(DEFAULT.tiers, shares, strict=False)]
        return replace(config, tiers=(*tiers, DEFAULT.tiers[-1]))
    high = draw(st.sampled_from([50.0, 62.5, 70.0, 90.0]))
    mid = draw(st.sampled_from([0.0, 25.0, 45.0, high - 0.1]))
    return with_thresholds(config, [high, mid])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(books(), configs())
def test_numpy_and_duckdb_agree_on_any_book(accounts, config):
    result = assert_parity(accounts, config)
    assert result["tier"].isin(config.tier_names).all()  # every row gets exactly one tier
    assert np.isnan(result["priority"].to_numpy(float)).sum() <= len(result)
