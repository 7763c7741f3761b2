"""The profiles section of the settings: JSON, the merged settings, and bad definitions."""

from __future__ import annotations

import copy
import json
from dataclasses import replace

import pytest

import segmentation as seg
from segmentation.config import profile_config, with_pillar, with_profile_settings
from segmentation.rules.profiles import Profile, describe_profiles, profile_index
from tests.profiles.books import load_crm_export

SMB = {
    "name": "SMB",
    "when": {"column": "Segment", "values": ["SMB"]},
    "ranks_within": True,
    "settings": {"pillars": {"growth": {"weight": 70}}, "arr_per_csm": 500000},
}
ENTERPRISE = {
    "name": "Enterprise",
    "when": {"column": "Segment", "values": ["Enterprise"]},
    "ranks_within": False,
    "settings": {},
}


def document(*profiles: dict) -> dict:
    doc = seg.config_to_dict(seg.default_config())
    doc["profiles"] = [copy.deepcopy(p) for p in profiles]
    return doc


def test_the_section_reads_and_writes_back_the_same():
    config = seg.config_from_dict(document(SMB, ENTERPRISE))
    assert [p.name for p in config.profiles] == ["SMB", "Enterprise"]
    written = seg.config_to_dict(config)
    assert written["profiles"] == [SMB, ENTERPRISE]
    assert seg.config_from_json(json.dumps(written)) == config


def test_without_profiles_the_section_is_not_written():
    assert "profiles" not in seg.config_to_dict(seg.default_config())


def test_a_profile_overrides_only_what_it_names():
    config = seg.config_from_dict(document(SMB))
    merged = profile_config(config, "SMB")
    assert merged.pillar("growth").weight == 70
    assert merged.arr_per_csm == 500000
    assert merged.pillar("health") == config.pillar("health")  # not named: the default's
    assert merged.tiers == config.tiers
    assert merged.profiles == ()


def test_a_profile_follows_the_default_settings_it_does_not_override():
    config = seg.config_from_dict(document(SMB))
    changed = with_pillar(config, "health", weight=50)
    assert profile_config(changed, "SMB").pillar("health").weight == 50
    assert profile_config(changed, "SMB").pillar("growth").weight == 70


def test_settings_edited_for_a_profile_are_stored_as_the_difference():
    config = seg.config_from_dict(document(SMB))
    edited = with_pillar(profile_config(config, "SMB"), "strategic", weight=5)
    stored = with_profile_settings(config, "SMB", edited)
    assert stored.profiles[0].settings == {
        "pillars": {"growth": {"weight": 70}, "strategic": {"weight": 5}},
        "arr_per_csm": 500000,
    }
    assert profile_config(stored, "SMB") == edited
    assert stored.pillars == config.pillars  # the default settings are untouched


def _bad(path_changes) -> dict:
    doc = document(SMB, ENTERPRISE)
    path, value = path_changes
    target = doc
    *parents, last = path
    for part in parents:
        target = target[part]
    if value is KeyError:
        del target[last]
    else:
        target[last] = value
    return doc


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ((("profiles", 1, "name"), "SMB"), "profiles: profile names must be unique"),
        ((("profiles", 1, "name"), " smb "), "profiles: profile names must be unique"),
        ((("profiles", 1, "name"), ""), "profiles[1].name"),
        ((("profiles", 1, "name"), "Default"), "profiles[1].name"),
        ((("profiles", 1, "when", "values"), []), "profiles[1].when.values"),
        ((("profiles", 1, "when", "values"), ["SMB"]), "profiles[1].when.values"),
        ((("profiles", 1, "when", "values"), ["smb - annual"]), "profiles[1].when.values"),
        ((("profiles", 1, "when", "values"), ["Enterprise", ""]), "profiles[1].when.values[1]"),
        ((("profiles", 1, "when", "values"), "Enterprise"), "profiles[1].when.values"),
        ((("profiles", 1, "when", "column"), ""), "profiles[1].when.column"),
        ((("profiles", 1, "when"), KeyError), "profiles[1].when"),
        ((("profiles", 1, "when", "colum"), "x"), "profiles[1].when.colum"),
        ((("profiles", 1, "ranks_within"), "yes"), "profiles[1].ranks_within"),
        ((("profiles", 1, "settings"), []), "profiles[1].settings"),
        ((("profiles", 1, "settings"), {"mapping": {}}), "profiles[1].settings.mapping"),
        ((("profiles", 1, "settings"), {"profiles": []}), "profiles[1].settings.profiles"),
        (
            (("profiles", 0, "settings", "pillars"), {"growth": {"weight": -1}}),
            "profiles[0].settings.pillars.growth.weight",
        ),
        (
            (
                ("profiles", 0, "settings", "tiers"),
                [{"name": "Top", "threshold": 60}, {"name": "Rest", "threshold": 0}],
            ),
            "profiles[0].settings.guardrails.strategic_floor",
        ),
        ((("profiles",), {"SMB": {}}), "profiles"),
    ],
)
def test_bad_definitions_are_config_errors_naming_the_field(change, field):
    with pytest.raises(seg.ConfigError) as raised:
        seg.config_from_dict(_bad(change))
    assert str(raised.value).startswith(field), str(raised.value)


def test_profiles_on_one_column_overlap_only_through_values():
    same_column_other_values = Profile("Mid", "segment", ("Mid-Market",))
    config = replace(
        seg.default_config(),
        profiles=(Profile("SMB", "Segment", ("SMB",)), same_column_other_values),
    )
    assert len(config.profiles) == 2


def test_an_unknown_column_is_named_when_the_book_is_scored():
    book = load_crm_export(rows=60)
    config = replace(seg.default_config(), profiles=(Profile("SMB", "Sales territory", ("SMB",)),))
    with pytest.raises(
        seg.ConfigError,
        match=r"^profiles\[0\]\.when\.column: this book has no column 'Sales territory'",
    ):
        seg.segment(book.accounts, config)


def test_profiles_on_two_columns_take_the_first_that_matches():
    book = load_crm_export(rows=120)
    profiles = (Profile("SMB", "Segment", ("SMB",)), Profile("EMEA", "Region", ("EMEA",)))
    index = profile_index(book.accounts, profiles)
    smb = (book.accounts["Segment"] == "SMB").to_numpy()
    emea = (book.accounts["Region"] == "EMEA").to_numpy()
    assert (smb & emea).any()
    assert (index[smb] == 0).all()
    assert (index[emea & ~smb] == 1).all()
    assert (index[~smb & ~emea] == -1).all()
    assert any("first listed" in line for line in describe_profiles(profiles))


def test_the_words_say_each_profile_and_the_rest():
    config = seg.config_from_dict(document(SMB, ENTERPRISE))
    words = "\n".join(seg.describe_config(config))
    assert "Profile SMB: accounts whose Segment is SMB; it overrides pillars, arr per csm" in words
    assert "over the whole book" in words and "among its own accounts" in words
    assert "Accounts in no profile (Default) keep the default settings" in words
