"""The capacity settings: constraints from the tables, the bad-input cases, JSON, words, numbers."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from capacity_helpers import CONTRACT_SECTION, staffed

import segmentation as seg
from segmentation.config import config_from_dict, config_to_dict
from segmentation.rules.capacity import (
    CAPACITY_CONSTRAINTS,
    DEFAULT_MODELS,
    SOURCES,
    TIER_CAPACITY_CONSTRAINTS,
    Capacity,
    TierCapacity,
    accounts_served,
    catalogue_hours,
    catalogue_words,
    csms_by_accounts,
    csms_by_hours,
    csms_needed,
    default_capacity,
    whole_csms,
)

DEFAULT = seg.default_config()


def with_section(section) -> dict:
    return {**config_to_dict(DEFAULT), "capacity": json.loads(json.dumps(section))}


def _cases():
    for field, constraint in CAPACITY_CONSTRAINTS:
        for value, fragment in constraint.invalid():
            yield ("capacity", field), f"capacity.{field}", value, fragment
    for field, constraint in TIER_CAPACITY_CONSTRAINTS:
        for value, fragment in constraint.invalid():
            path = ("capacity", "tiers", "High-touch", field)
            yield path, f"capacity.tiers.High-touch.{field}", value, fragment


CASES = list(_cases())


@pytest.mark.parametrize(("path", "field", "value", "fragment"), CASES, ids=str)
def test_every_invalid_value_of_the_tables_is_refused_naming_the_field(
    path, field, value, fragment
):
    doc = with_section(CONTRACT_SECTION)
    target = doc
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    with pytest.raises(seg.ConfigError) as error:
        config_from_dict(doc)
    assert str(error.value).startswith(f"{field}: ") and fragment in str(error.value)


def test_the_contract_section_reads_and_writes_back_unchanged():
    config = config_from_dict(with_section(CONTRACT_SECTION))
    assert config.capacity.for_tier("High-touch") == TierCapacity("High-touch", 4, 15, 80)
    assert config.capacity.for_tier("Mid-touch") == TierCapacity("Mid-touch", 3, 60, None)
    doc = config_to_dict(config)
    assert doc["capacity"] == CONTRACT_SECTION
    assert seg.config_from_json(seg.config_to_json(config)) == config


def test_settings_without_the_section_stay_without_it():
    assert DEFAULT.capacity is None
    assert "capacity" not in config_to_dict(DEFAULT)


BAD_INPUT = [
    (
        {"tiers": {"High-touch": {"csms": 4}}},
        "capacity.tiers.High-touch.csms: a head-count needs accounts_per_csm or hours_per_account",
    ),
    (
        {"tiers": {"High-touch": {"csms": -2, "accounts_per_csm": 15}}},
        "csms: must be above 0, got -2",
    ),
    ({"tiers": {"High-touch": {"csms": 0, "accounts_per_csm": 15}}}, "csms: must be above 0"),
    ({"tiers": {"High-touch": {"csms": 1, "accounts_per_csm": 0}}}, "accounts_per_csm: must be"),
    (
        {"tiers": {"High-touch": {"csms": 0.01, "accounts_per_csm": 15}}},
        "capacity.tiers.High-touch.csms: 0.01 CSMs serve no account",
    ),
    (
        {"tiers": {"Enterprise": {"csms": 2, "accounts_per_csm": 15}}},
        "capacity.tiers.Enterprise: is not a tier of these settings (High-touch, Mid-touch,",
    ),
    ({"tiers": {"High-touch": {"csm": 2}}}, "capacity.tiers.High-touch.csm: is not a known"),
    ({"tiers": {"High-touch": 4}}, "capacity.tiers.High-touch: must be an object"),
    ({"tiers": []}, "capacity.tiers: must be an object"),
    ({"client_hours_per_csm": 0}, "capacity.client_hours_per_csm: must be above 0"),
    ({"head_count": 3}, "capacity.head_count: is not a known setting"),
]


@pytest.mark.parametrize(("section", "message"), BAD_INPUT, ids=[m for _, m in BAD_INPUT])
def test_bad_capacity_is_one_config_error_naming_the_field(section, message):
    with pytest.raises(seg.ConfigError) as error:
        seg.config_from_json(json.dumps(with_section(section)))
    assert message in str(error.value)
    assert "\n" not in str(error.value)


def test_a_null_section_is_refused():
    with pytest.raises(seg.ConfigError, match=r"^capacity: must be an object"):
        config_from_dict(with_section(None))


def test_the_constructor_validates_too():
    with pytest.raises(seg.ConfigError, match=r"capacity\.tiers\.Gold: is not a tier"):
        replace(DEFAULT, capacity=Capacity(tiers=(TierCapacity("Gold", 1, 10),)))


# at / just below / just above a whole number of accounts
SERVED = [
    (TierCapacity("t", 4, 15, None), 1560, 60),
    (TierCapacity("t", 4, 14.99, None), 1560, 59),
    (TierCapacity("t", 4, 15.01, None), 1560, 60),
    (TierCapacity("t", 4, None, 80), 1560, 78),  # 4 x 1560 / 80 = 78 exactly
    (TierCapacity("t", 4, None, 80.01), 1560, 77),
    (TierCapacity("t", 4, 15, 80), 1560, 60),  # the tighter rule: the ratio
    (TierCapacity("t", 4, 30, 80), 1560, 78),  # the tighter rule: the hours
    (TierCapacity("t", 0.5, 15, None), 1560, 7),
    (TierCapacity("t", None, 15, 80), 1560, None),
]


@pytest.mark.parametrize(("tier", "hours", "served"), SERVED)
def test_accounts_served_is_the_tighter_rule_in_whole_accounts(tier, hours, served):
    assert accounts_served(tier, hours) == served


@pytest.mark.parametrize(
    ("fte", "people"), [(0, 0), (1.0, 1), (1.0000001, 2), (0.999, 1), (2.5, 3)]
)
def test_whole_csms_rounds_up(fte, people):
    assert whole_csms(fte) == people


def test_csms_needed_is_the_larger_rule():
    tier = TierCapacity("t", None, 15, 80)
    assert csms_by_accounts(60, tier) == 4
    assert csms_by_hours(60, tier, 1560) == pytest.approx(60 * 80 / 1560)
    assert csms_needed(4, 3.1) == 4 and csms_needed(None, 3.1) == 3.1
    assert csms_needed(None, None) is None


def test_defaults_sit_in_the_practitioner_ranges_and_cite_their_sources():
    ranges = {"top": (8, 20), "middle": (30, 75), "bottom": (200, 1000)}
    for place, (ratio, touches) in DEFAULT_MODELS.items():
        low, high = ranges[place]
        assert low <= ratio <= high
        bottom_up = 1560 / catalogue_hours(touches)  # accounts per CSM by hours
        assert low <= bottom_up <= high, place
        assert all(t.source for t in touches)
    for field in ("accounts_per_csm", "hours_per_account", "client_hours_per_csm"):
        assert "issue 12" in SOURCES[field]
    assert (
        "8-20" in SOURCES["accounts_per_csm"]
        and "130 client hours" in SOURCES["client_hours_per_csm"]
    )
    top = catalogue_words(0, 3)
    assert "Business review 4 a year x 2.5 h (practitioners: 2-3 h, issue 12)" in top
    assert top.endswith(f"= {catalogue_hours(DEFAULT_MODELS['top'][1]):g} h a year.")
    model = default_capacity(DEFAULT.tier_names)
    assert [t.tier for t in model.tiers] == list(DEFAULT.tier_names)
    assert all(t.csms is None for t in model.tiers)


def test_the_description_says_the_coverage_model():
    config = staffed(DEFAULT, High_touch=(4, 15, 80))
    text = "\n".join(seg.describe_config(config))
    assert "a CSM gives 1,560 client hours a year and costs $150,000 loaded" in text
    assert "- High-touch: 15 accounts per CSM and 80 CSM hours per account a year; 4 CSMs " in text
    assert "serve at most 60 accounts" in text
    assert "Coverage model (Tierwise defaults" in "\n".join(seg.describe_config(DEFAULT))
