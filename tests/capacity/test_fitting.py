"""Fitting the cut-offs to the team: never over capacity, filled up to ties, said aloud."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from capacity_helpers import AS_OF, staffed, tier_sizes
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import segmentation as seg
import segmentation.formats
from segmentation.config import Guardrails, Override, Tier, with_thresholds
from segmentation.fitting import (
    TIE_RULE,
    CapacityError,
    cutoff_bounds,
    fit_cutoffs,
    fit_inputs,
    shadow_price,
    with_csms,
)
from segmentation.rules.movement import MovementRules
from segmentation.sample import generate_accounts

DEFAULT = with_thresholds(seg.default_config(), [70, 45])  # fixed cut-offs to fit from
NO_FLOOR = replace(DEFAULT, guardrails=Guardrails())

# (settings, head-counts): (csms, accounts per CSM, hours per account) per tier.
TEAMS = [
    ("4 high-touch at 15", NO_FLOOR, {"High_touch": (4, 15, None)}),
    ("by hours only", NO_FLOOR, {"High_touch": (3, None, 80)}),
    ("the tighter of both", NO_FLOOR, {"High_touch": (4, 15, 200)}),
    ("two tiers", NO_FLOOR, {"High_touch": (4, 15, 80), "Mid_touch": (3, 60, None)}),
    (
        "two tiers, strategic floor",
        DEFAULT,
        {"High_touch": (4, 15, 80), "Mid_touch": (6, 60, None)},
    ),
    ("mid only", NO_FLOOR, {"Mid_touch": (2, 60, None)}),
    ("half a CSM", NO_FLOOR, {"High_touch": (0.5, 15, None)}),
    ("room for the whole book", NO_FLOOR, {"High_touch": (100, 20, None)}),
    (
        "every tier",
        NO_FLOOR,
        {"High_touch": (2, 15, None), "Mid_touch": (3, 60, None), "Low_touch": (2, 500, None)},
    ),
    (
        "overrides use capacity",
        replace(
            NO_FLOOR,
            guardrails=Guardrails(
                overrides=tuple(
                    Override(f"ACC-{i:06d}", "High-touch", "board") for i in range(1, 9)
                )
            ),
        ),
        {"High_touch": (1, 15, None)},
    ),
    (
        "four tiers, the second staffed",
        replace(
            NO_FLOOR,
            tiers=(Tier("Gold", 80), Tier("Silver", 60), Tier("Bronze", 40), Tier("Digital", 0)),
        ),
        {"Silver": (2, 50, None), "Bronze": (1, 100, None)},
    ),
    (
        "minimum ARR drops into mid",
        replace(NO_FLOOR, guardrails=Guardrails(min_arr_top_tier=150_000)),
        {"High_touch": (4, 15, None), "Mid_touch": (3, 60, None)},
    ),
]


def _full_up_to_ties(accounts, fitted: seg.Config, index: int, served: int) -> bool:
    """Moving tier `index`'s cut-off down, priority by priority, the first move that changes
    the tier's size overflows it (or no lower cut-off changes it): full up to ties."""
    scores = seg.score_metrics(accounts, fitted, as_of=AS_OF)
    name = fitted.tiers[index].name

    def size(config: seg.Config) -> int:
        return int((seg.tier_accounts(scores, config)["tier"] == name).sum())

    priority = seg.tier_accounts(scores, fitted)["priority"]
    low, _ = cutoff_bounds(index, len(fitted.tiers) - 1)
    if index + 1 < len(fitted.tiers) - 1:
        low = max(low, fitted.tiers[index + 1].threshold + 0.1)
    cutoff = fitted.tiers[index].threshold
    now = size(fitted)
    lower = sorted(set(priority[(priority < cutoff) & (priority >= low)]), reverse=True)
    for value in lower:
        thresholds = [t.threshold for t in fitted.tiers[:-1]]
        thresholds[index] = float(value)
        moved = size(with_thresholds(fitted, thresholds))
        if moved != now:
            return moved > served
    return True


@pytest.mark.parametrize(("name", "base", "teams"), TEAMS, ids=[t[0] for t in TEAMS])
def test_fitted_tiers_never_exceed_capacity_and_fill_it_up_to_ties(
    accounts, result, name, base, teams
):
    config = staffed(base, **teams)
    fit = fit_cutoffs(result, config)
    sizes = tier_sizes(accounts, fit.config)  # segment() itself, not the fit's own count
    assert sizes == {t.tier: t.accounts for t in fit.tiers}
    for i, tier in enumerate(config.tiers):
        team = config.capacity.for_tier(tier.name)
        if team is None:
            continue
        served = next(t.served for t in fit.tiers if t.tier == tier.name)
        assert sizes[tier.name] <= served
        if i < len(config.tiers) - 1:
            assert _full_up_to_ties(accounts, fit.config, i, served)
    assert fit.lines[-1] == TIE_RULE


@pytest.fixture(scope="module")
def twin_book():
    """A generated book plus ten identical accounts: one tie of ten at a high priority."""
    accounts = generate_accounts(300, seed=8)
    twin = accounts.nlargest(12, "arr").iloc[[11]]
    twins = pd.concat([twin] * 10, ignore_index=True)
    twins["account_id"] = [f"TWIN-{i}" for i in range(10)]
    book = pd.concat([accounts, twins], ignore_index=True)
    result = seg.segment(book, NO_FLOOR, as_of=AS_OF)
    tie = float(result.loc[result["account_id"] == "TWIN-0", "priority"].iloc[0])
    return book, result, tie


# Room for the accounts above the tie plus: none of it, just below it, all of it, just above.
TIE_ROOM = [(lambda n: 0, False), (lambda n: n - 1, False), (lambda n: n, True),
            (lambda n: n + 1, True)]  # fmt: skip


@pytest.mark.parametrize(
    ("extra", "tie_in"), TIE_ROOM, ids=["at the tie", "one short", "exactly", "one over"]
)
def test_a_tie_at_the_cut_off_is_never_split(twin_book, extra, tie_in):
    book, result, tie = twin_book
    above = int((result["priority"] > tie).sum())
    tied = int((result["priority"] == tie).sum())
    assert tied >= 10  # the twins, and the account they copy
    extra = extra(tied)
    fit = fit_cutoffs(result, staffed(NO_FLOOR, High_touch=(1, above + extra, None)))
    fitted = seg.segment(book, fit.config, as_of=AS_OF)
    twin_tiers = fitted.loc[result["priority"] == tie, "tier"]
    assert twin_tiers.nunique() == 1
    assert (twin_tiers.iloc[0] == "High-touch") == tie_in
    top = int((fitted["tier"] == "High-touch").sum())
    assert top <= above + extra
    if not tie_in:
        assert top == above and fit.config.tiers[0].threshold > tie
        assert any(f"tied at priority {tie:g}" in line for line in fit.lines), fit.lines


GUARD_RAILS_OVER = [
    (
        "strategic floor in the top tier",
        replace(DEFAULT, guardrails=Guardrails(strategic_floor="High-touch")),
        "by the strategic floor",
    ),
    (
        "overrides",
        replace(
            NO_FLOOR,
            guardrails=Guardrails(
                overrides=tuple(Override(f"ACC-{i:06d}", "High-touch") for i in range(1, 40))
            ),
        ),
        "39 by overrides",
    ),
]


@pytest.mark.parametrize(
    ("name", "base", "why"), GUARD_RAILS_OVER, ids=[g[0] for g in GUARD_RAILS_OVER]
)
def test_guard_rails_alone_over_capacity_are_said_not_broken(result, name, base, why):
    config = staffed(base, High_touch=(1, 10, None))
    with pytest.raises(CapacityError) as error:
        fit_cutoffs(result, config)
    message = str(error.value)
    assert "guard-rails and overrides alone put" in message and why in message
    assert "High-touch cannot be held to the 10 accounts its 1 CSM serves" in message


def test_a_last_tier_whose_team_cannot_take_the_rest_is_refused(result):
    config = staffed(NO_FLOOR, High_touch=(1, 10, None), Low_touch=(1, 50, None))
    with pytest.raises(CapacityError, match=r"Low-touch would hold .* more than the 50"):
        fit_cutoffs(result, config)


def test_settings_with_no_head_count_cannot_be_fitted(result):
    with pytest.raises(CapacityError, match="no tier has a head-count"):
        fit_cutoffs(result, DEFAULT)
    with pytest.raises(CapacityError, match="no tier has a head-count"):
        fit_cutoffs(result, staffed(DEFAULT, High_touch=(None, 15, None)))


@pytest.mark.parametrize(
    ("csms", "mid_before", "kept"),
    [(5, 45.0, True), (25, 60.0, False)],
    ids=["below: kept", "above: moved"],
)
def test_a_tier_without_head_count_keeps_its_cut_off_unless_the_order_needs(
    result, csms, mid_before, kept
):
    base = with_thresholds(NO_FLOOR, [90.0, mid_before])
    fit = fit_cutoffs(result, staffed(base, High_touch=(csms, 15, None)))
    high, mid = (t.threshold for t in fit.config.tiers[:2])
    if kept:
        assert high > mid == mid_before and "kept at 45" in fit.lines[1]
    else:
        assert high <= mid_before and mid == pytest.approx(high - 0.1)
        assert "to stay below the tier above" in fit.lines[1]


def test_fit_says_what_it_did(result):
    fit = fit_cutoffs(result, staffed(NO_FLOOR, High_touch=(4, 15, None)))
    line = fit.lines[0]
    assert line.startswith("High-touch: 4 CSMs serve 60 accounts; cut-off 70 -> ")
    assert f"holds {fit.tiers[0].accounts}" in line


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    high=st.floats(0.5, 12, allow_nan=False),
    mid=st.one_of(st.none(), st.floats(1, 12, allow_nan=False)),
    ratio=st.sampled_from([8.0, 15.0, 20.0]),
    floor=st.sampled_from([None, "Mid-touch"]),
    which=st.sampled_from(["High-touch", "Mid-touch"]),
)
def test_one_more_csm_never_shrinks_its_tier_nor_moves_the_tiers_above(
    result, high, mid, ratio, floor, which
):
    base = replace(DEFAULT, guardrails=Guardrails(strategic_floor=floor))
    teams = {"High_touch": (high, ratio, None)}
    if mid is not None:
        teams["Mid_touch"] = (mid, 60.0, None)
    config = staffed(base, **teams)
    if config.capacity.for_tier(which) is None:
        which = "High-touch"
    try:
        before = fit_cutoffs(result, config)
    except CapacityError:
        return  # a team that cannot be fitted has no size to shrink
    csms = config.capacity.for_tier(which).csms
    after = fit_cutoffs(result, with_csms(config, which, csms + 1))
    index = config.tier_names.index(which)
    assert after.tiers[index].accounts >= before.tiers[index].accounts
    for i in range(index):
        assert after.tiers[i].accounts == before.tiers[i].accounts


def test_shadow_price_counts_what_one_csm_more_or_less_moves(accounts, result):
    config = staffed(NO_FLOOR, High_touch=(4, 15, None))
    price = shadow_price(result, config, "High-touch")
    sizes = {
        n: fit_cutoffs(result, with_csms(config, "High-touch", n)).tiers[0].accounts
        for n in (3, 4, 5)
    }
    assert price.gained == sizes[5] - sizes[4] > 0
    assert len(price.lost) == sizes[4] - sizes[3] > 0

    def top_tier(n):
        fitted = fit_cutoffs(result, with_csms(config, "High-touch", n)).config
        return seg.segment(accounts, fitted, as_of=AS_OF)["tier"] == "High-touch"

    gained = top_tier(5) & ~top_tier(4)
    assert price.gained_arr == pytest.approx(accounts.loc[gained, "arr"].sum())
    assert set(price.lost["account_id"]) == set(
        accounts.loc[top_tier(4) & ~top_tier(3), "account_id"]
    )
    assert list(price.lost.columns) == ["account_id", "account_name", "arr", "priority"]
    assert np.all(np.diff(price.lost["priority"].to_numpy()) <= 0)


def test_one_csm_fewer_than_one_is_not_offered(result):
    price = shadow_price(result, staffed(NO_FLOOR, High_touch=(1, 15, None)), "High-touch")
    assert price.lost is None and "one CSM fewer" in price.note


def test_fit_inputs_ignore_the_cut_offs_being_fitted_only():
    config = staffed(NO_FLOOR, High_touch=(4, 15, None))
    assert fit_inputs(with_thresholds(config, [80, 45])) == fit_inputs(config)
    assert fit_inputs(with_thresholds(config, [70, 40])) != fit_inputs(config)


def test_the_shadow_price_in_words(result):
    config = staffed(NO_FLOOR, High_touch=(4, 15, None))
    price = shadow_price(result, config, "High-touch")
    plus, minus = price.words("dedicated coverage")
    assert plus == (
        f"+1 High-touch CSM brings {price.gained} more accounts, "
        f"{seg.formats.money(price.gained_arr)} ARR, under dedicated coverage."
    )
    assert minus == f"-1 High-touch CSM moves {len(price.lost)} accounts out."
    none_more = replace(price, gained=0)
    assert "brings no more accounts" in none_more.words("x")[0]


@pytest.mark.parametrize("margin", [2.0, 10.0, 30.0])
def test_with_movement_rules_the_fit_still_never_exceeds_capacity(accounts, margin):
    """Movement rules keep accounts in their previous tier: the fit counts them, or says so."""
    base = replace(NO_FLOOR, movement=MovementRules(margin=margin))
    config = staffed(base, High_touch=(4, 15, None))
    result = seg.segment(accounts, config, as_of=AS_OF)
    assert result["previous_tier"].notna().any()  # the book has a previous tier to hold to
    try:
        fit = fit_cutoffs(result, config)
    except CapacityError as error:
        assert "the movement rules keep accounts" in str(error)
        return
    assert tier_sizes(accounts, fit.config)["High-touch"] <= 60
    assert "Movement rules are on" in fit.lines[-2]


def test_an_override_past_its_last_day_uses_no_capacity(accounts, result):
    """segment() does not apply an expired override, so the fit must not count it: the
    cut-offs are those of the book without it, and the override stays in the settings."""
    lowest = result.sort_values("priority")["account_id"].head(8)
    ended = AS_OF - dt.timedelta(days=1)
    overrides = tuple(Override(i, "High-touch", "board", expires=ended) for i in lowest)
    with_ended = staffed(
        replace(NO_FLOOR, guardrails=Guardrails(overrides=overrides)), High_touch=(2, 15, None)
    )
    without = staffed(NO_FLOOR, High_touch=(2, 15, None))

    def cutoffs(config: seg.Config) -> list[float]:
        return [t.threshold for t in config.tiers]

    fit = fit_cutoffs(result, with_ended, as_of=AS_OF)

    assert cutoffs(fit.config) == cutoffs(fit_cutoffs(result, without).config)
    assert fit.config.guardrails.overrides == overrides
    assert cutoffs(fit_cutoffs(result, with_ended).config) != cutoffs(fit.config)  # counted
    assert tier_sizes(accounts, fit.config)["High-touch"] <= 30
    price = shadow_price(result, with_ended, "High-touch", as_of=AS_OF)
    plain = shadow_price(result, without, "High-touch")
    assert (price.gained, price.gained_arr) == (plain.gained, plain.gained_arr)
    assert list(price.lost["account_id"]) == list(plain.lost["account_id"])
