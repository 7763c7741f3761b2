"""Invalid settings generated from each rule's constraint table are refused, naming the field."""

from __future__ import annotations

from dataclasses import replace

import pytest

import segmentation as seg
from segmentation.config import config_from_dict, config_to_dict
from segmentation.rules.constraints import Choice, Number, Text
from segmentation.rules.pillars import PILLAR_CONSTRAINTS
from segmentation.rules.quadrant import QUADRANT_CONSTRAINTS
from segmentation.rules.schemes import METRIC_CONSTRAINTS, SCHEMES
from segmentation.rules.tiers import TIER_CONSTRAINTS


def _set(doc: dict, path: tuple, value) -> dict:
    target = doc
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    return doc


def _linear_metric_path() -> tuple:
    """Where the default settings hold a linear metric (adoption in growth)."""
    doc = config_to_dict(seg.default_config())
    for i, metric in enumerate(doc["pillars"]["growth"]["metrics"]):
        if metric["scheme"] == "linear":
            return ("pillars", "growth", "metrics", i)
    raise AssertionError("the default settings have no linear growth metric")


def _cases():
    """(document path, field path as the message names it, bad value, message fragment)."""
    tables = [
        (("pillars", "growth", "metrics", 0), "pillars.growth.metrics[0]", METRIC_CONSTRAINTS),
        (("pillars", "health"), "pillars.health", PILLAR_CONSTRAINTS),
        (("tiers", 1), "tiers[1]", TIER_CONSTRAINTS),
        (("quadrant",), "quadrant", QUADRANT_CONSTRAINTS),
    ]
    linear = _linear_metric_path()
    linear_name = f"pillars.growth.metrics[{linear[-1]}]"
    tables.append((linear, linear_name, SCHEMES["linear"].constraints))
    for where, name, table in tables:
        for field, constraint in table:
            for value, fragment in constraint.invalid():
                yield (*where, field), f"{name}.{field}", value, fragment


CASES = list(_cases())


@pytest.mark.parametrize(("path", "field", "value", "fragment"), CASES, ids=str)
def test_every_invalid_value_of_every_table_is_refused_naming_the_field(
    path, field, value, fragment
):
    doc = _set(config_to_dict(seg.default_config()), path, value)
    with pytest.raises(seg.ConfigError) as error:
        config_from_dict(doc)
    message = str(error.value)
    assert message.startswith(f"{field}: "), message
    # A threshold of the middle tier out of range may first break the order: both name it.
    assert fragment in message or "thresholds must decrease" in message, message


def test_the_generated_cases_cover_every_kind_of_constraint():
    kinds = {
        type(c) for _, table in [("", METRIC_CONSTRAINTS), ("", TIER_CONSTRAINTS)] for _, c in table
    }
    assert kinds == {Number, Choice, Text}
    assert len(CASES) > 40


@pytest.mark.parametrize(
    ("value", "ok"),
    [(0.0, True), (-1e-9, False), (100.0, True), (100.0 + 1e-9, False), (50, True)],
    ids=["at min", "below min", "at max", "above max", "int"],
)
def test_number_bounds_at_and_either_side(value, ok):
    constraint = Number(minimum=0, maximum=100)
    if ok:
        constraint.check("x", value)
    else:
        with pytest.raises(seg.ConfigError, match=r"^x: must be at (least|most)"):
            constraint.check("x", value)


def test_valid_values_of_each_table_are_accepted():
    cfg = seg.default_config()
    for field, constraint in TIER_CONSTRAINTS:
        for value in constraint.valid():
            if field == "threshold":
                continue  # the order of thresholds is checked across tiers
            tiers = list(cfg.tiers)
            tiers[0] = replace(tiers[0], **{field: value})
            replace(cfg, tiers=tuple(tiers))
