"""The movement rules (rules/movement.py): table-driven at, just inside and just outside each
limit, and properties: margin 0 and no other rule is the plain cut; a wider margin never moves
more accounts."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import segmentation as seg
from segmentation.rules.movement import (
    MovementRules,
    apply_movement,
    cut_at,
    held_names,
    held_notes,
)

CONFIG = seg.default_config()  # High-touch >= 70, Mid-touch >= 45, Low-touch below
HIGH, MID, LOW = 0, 1, 2


def with_rules(**rules) -> seg.Config:
    return dataclasses.replace(CONFIG, movement=MovementRules(**rules))


def run(priority, previous, config, days=None, earlier=None):
    priority = np.asarray(priority, dtype="float64")
    cut = cut_at(priority, [t.threshold for t in config.tiers[:-1]])
    return apply_movement(
        cut, priority, np.asarray(previous, dtype="float64"), config, days, earlier
    )


@pytest.mark.parametrize(
    ("priority", "previous", "expected", "held"),
    [
        (45.0, MID, MID, ""),  # at the cut-off: Mid-touch by the plain cut anyway
        (40.0, MID, MID, "margin"),  # 5 below the 45 cut-off, margin 5: at the edge, stays
        (40.1, MID, MID, "margin"),  # just inside the margin: stays
        (39.9, MID, LOW, ""),  # just outside: leaves, as the plain cut says
        (75.0, MID, HIGH, ""),  # 5 above the 70 cut-off: clears it, moves up
        (74.9, MID, MID, "margin"),  # just inside the margin above: stays
        (75.1, MID, HIGH, ""),
        (69.9, HIGH, HIGH, "margin"),  # a High-touch account a hair below its cut-off
        (64.9, HIGH, MID, ""),
        (20.0, HIGH, LOW, ""),  # far below: two tiers at once without max_step
        (43.0, np.nan, LOW, ""),  # no previous tier: the plain cut
    ],
)
def test_margin(priority, previous, expected, held):
    effects = run([priority], [previous], with_rules(margin=5))
    assert effects.tier_index.tolist() == [expected]
    assert effects.held[0] == (1 if held else 0)
    assert held_names(effects.held).astype(object)[0] == (held or np.nan) or not held


@pytest.mark.parametrize(
    ("days", "expected", "held"),
    [
        (0.0, MID, "renewal_freeze"),
        (89.0, MID, "renewal_freeze"),
        (90.0, MID, "renewal_freeze"),  # at the limit: still frozen
        (91.0, LOW, ""),  # just outside
        (-1.0, LOW, ""),  # overdue: the freeze is before renewal
        (np.nan, LOW, ""),  # no renewal date
    ],
)
def test_renewal_freeze_stops_moves_down(days, expected, held):
    effects = run([30.0], [MID], with_rules(renewal_freeze_days=90), days=np.array([days]))
    assert effects.tier_index.tolist() == [expected]
    assert effects.held[0] == (3 if held else 0)


def test_renewal_freeze_lets_moves_up_through():
    effects = run([80.0], [MID], with_rules(renewal_freeze_days=90), days=np.array([10.0]))
    assert effects.tier_index.tolist() == [HIGH]


@pytest.mark.parametrize(
    ("max_step", "priority", "previous", "expected"),
    [
        (1, 20.0, HIGH, MID),  # two tiers down by priority, one allowed
        (2, 20.0, HIGH, LOW),
        (1, 90.0, LOW, MID),
        (1, 50.0, HIGH, MID),  # one step is within the limit
    ],
)
def test_max_step(max_step, priority, previous, expected):
    effects = run([priority], [previous], with_rules(max_step=max_step))
    assert effects.tier_index.tolist() == [expected]
    assert (effects.held[0] == 4) == (expected != cut_at(np.array([priority]), [70, 45])[0])


@pytest.mark.parametrize(
    ("earlier", "expected"),
    [
        ([[LOW]], LOW),  # the snapshot before was Low-touch too: two in a row, moves
        ([[MID]], MID),  # first time below: held
        ([[-1]], MID),  # not in the snapshot before: held
        (np.zeros((0, 1)), MID),  # no history: a move cannot be confirmed
    ],
)
def test_min_periods(earlier, expected):
    effects = run(
        [30.0], [MID], with_rules(min_periods=2), earlier=np.asarray(earlier, dtype="int64")
    )
    assert effects.tier_index.tolist() == [expected]
    assert (effects.held[0] == 2) == (expected == MID)


def test_min_periods_without_a_history_is_off():
    assert run([30.0], [MID], with_rules(min_periods=3)).tier_index.tolist() == [LOW]


def test_the_held_sentence_names_the_margin_and_the_cut_off():
    config = with_rules(margin=5)
    effects = run([43.1], [MID], config)
    notes = held_notes(effects, np.array([LOW]), np.array([43.1]), config).to_pylist()
    assert notes == [
        "; kept in Mid-touch: priority 43.1 is within the 5-point margin of the 45 cut-off"
    ]


# --- properties -------------------------------------------------------------------------------

priorities = st.lists(
    st.one_of(st.floats(0, 100, allow_nan=False), st.just(float("nan"))), min_size=1, max_size=60
)


@settings(max_examples=150, deadline=None)
@given(priorities, st.data())
def test_margin_zero_and_no_other_rule_is_the_plain_cut(values, data):
    previous = data.draw(
        st.lists(
            st.sampled_from([0.0, 1.0, 2.0, np.nan]), min_size=len(values), max_size=len(values)
        )
    )
    effects = run(values, previous, with_rules(margin=0))
    plain = cut_at(np.asarray(values), [70, 45])
    assert effects.tier_index.tolist() == plain.tolist()
    assert not effects.held.any()


@settings(max_examples=150, deadline=None)
@given(priorities, st.data(), st.floats(0, 25), st.floats(0, 25))
def test_a_wider_margin_never_moves_more_accounts(values, data, a, b):
    previous = data.draw(
        st.lists(st.sampled_from([0.0, 1.0, 2.0]), min_size=len(values), max_size=len(values))
    )
    narrow, wide = sorted((a, b))
    moves = [
        int((run(values, previous, with_rules(margin=m)).tier_index != np.asarray(previous)).sum())
        for m in (narrow, wide)
    ]
    assert moves[1] <= moves[0]


@pytest.mark.parametrize(
    ("field", "value", "problem"),
    [
        ("margin", -1, "at least 0"),
        ("margin", 51, "at most 50"),
        ("max_step", 0, "at least 1"),
        ("min_periods", 1.5, "whole number"),
        ("renewal_freeze_days", "90", "must be a number"),
    ],
)
def test_bad_movement_settings_are_refused_naming_the_field(field, value, problem):
    doc = seg.config_to_dict(CONFIG)
    doc["movement"][field] = value
    with pytest.raises(seg.ConfigError, match=f"movement.{field}: .*{problem}"):
        seg.config_from_dict(doc)


def test_movement_settings_round_trip_through_json():
    config = with_rules(margin=5, renewal_freeze_days=90, max_step=1, min_periods=2)
    assert seg.config_from_json(seg.config_to_json(config)) == config
    assert "5 points" in "\n".join(seg.describe_config(config))
