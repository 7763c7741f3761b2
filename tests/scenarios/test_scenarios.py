"""Named scenarios: the pure operations, the settings file's section, and its refusals."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

import segmentation as seg
from segmentation.config import config_from_dict, config_to_dict, with_pillar, with_thresholds
from segmentation.scenarios import (
    MAX_NAME,
    Scenario,
    apply_scenario,
    copy_name,
    delete_scenario,
    describe_change,
    duplicate_scenario,
    find_scenario,
    rename_scenario,
    save_scenario,
    scenario_names,
    settings_diff,
)


def two_views() -> seg.Config:
    base = with_thresholds(seg.default_config(), [70, 45])
    config = save_scenario(base, "CS view", with_pillar(base, "growth", weight=45))
    return save_scenario(config, "Finance view", with_pillar(base, "strategic", weight=50))


def test_save_keeps_the_settings_without_scenarios_and_replaces_by_name():
    config = two_views()
    assert scenario_names(config) == ("CS view", "Finance view")
    assert all(not s.settings.scenarios for s in config.scenarios)
    again = save_scenario(config, " cs VIEW ", with_pillar(config, "growth", weight=10))
    assert scenario_names(again) == ("cs VIEW", "Finance view")
    assert find_scenario(again, "cs view").settings.pillar("growth").weight == 10


def test_save_without_settings_keeps_the_current_ones():
    config = save_scenario(two_views(), "Now")
    assert config_to_dict(find_scenario(config, "Now").settings) == config_to_dict(
        replace(config, scenarios=())
    )


def test_rename_delete_duplicate_return_new_configs():
    config = two_views()
    renamed = rename_scenario(config, "CS view", "Customer Success")
    assert scenario_names(renamed) == ("Customer Success", "Finance view")
    assert scenario_names(config) == ("CS view", "Finance view")  # the original is untouched
    assert scenario_names(delete_scenario(config, "finance view")) == ("CS view",)
    copied = duplicate_scenario(config, "CS view")
    assert scenario_names(copied)[-1] == "CS view (copy)"
    assert (
        find_scenario(copied, "CS view (copy)").settings
        == find_scenario(config, "CS view").settings
    )
    assert copy_name(copied, "CS view") == "CS view (copy 2)"


def test_apply_takes_the_scenario_settings_and_keeps_mapping_and_scenarios():
    config = replace(two_views(), mapping=(("arr", "ARR (USD)"),))
    applied = apply_scenario(config, "CS view")
    assert applied.pillar("growth").weight == 45
    assert applied.mapping == (("arr", "ARR (USD)"),)
    assert scenario_names(applied) == scenario_names(config)


def test_unknown_name_lists_the_names():
    with pytest.raises(seg.ConfigError, match="'CS view', 'Finance view'"):
        apply_scenario(two_views(), "Board view")


def test_scenarios_round_trip_through_the_settings_file(tmp_path):
    config = two_views()
    path = tmp_path / "settings.json"
    seg.save_config(config, path)
    doc = json.loads(path.read_text())
    assert [s["name"] for s in doc["scenarios"]] == ["CS view", "Finance view"]
    assert doc["scenarios"][0]["settings"]["pillars"]["growth"]["weight"] == 45
    loaded = seg.load_config(path)
    assert config_to_dict(loaded) == config_to_dict(config)
    assert [s.settings for s in loaded.scenarios] == [s.settings for s in config.scenarios]


def test_a_file_without_scenarios_writes_no_section():
    assert "scenarios" not in config_to_dict(seg.default_config())


def _doc_with(scenarios: object) -> dict:
    doc = config_to_dict(seg.default_config())
    doc["scenarios"] = scenarios
    return doc


def _good() -> dict:
    return {"name": "A", "settings": config_to_dict(seg.default_config())}


@pytest.mark.parametrize(
    "scenarios, field",
    [
        ({"name": "A"}, "scenarios: must be a list"),
        (["A"], "scenarios[0]: must be an object"),
        ([{"settings": {}}], "scenarios[0].name: is missing"),
        ([{**_good(), "name": ""}], "scenarios[0].name: must name the scenario"),
        ([{**_good(), "name": "   "}], "scenarios[0].name: must name the scenario"),
        ([{**_good(), "name": 7}], "scenarios[0].name: must name the scenario"),
        ([{**_good(), "name": "x" * (MAX_NAME + 1)}], f"at most {MAX_NAME} characters"),
        ([_good(), {**_good(), "name": " a "}], "scenarios[1].name: ' a ' is already"),
        ([{**_good(), "colour": "red"}], "scenarios[0].colour: is not a known setting"),
        ([{"name": "A", "settings": {"version": 1}}], "scenarios[0] (A): pillars: is missing"),
        ([{"name": "A", "settings": _doc_with([_good()])}], "cannot hold scenarios"),
    ],
)
def test_bad_scenarios_are_refused_naming_the_field(scenarios, field):
    with pytest.raises(seg.ConfigError) as error:
        config_from_dict(_doc_with(scenarios))
    assert field in str(error.value)


@pytest.mark.parametrize("length", [MAX_NAME - 1, MAX_NAME])
def test_names_up_to_the_limit_are_kept(length):
    config = config_from_dict(_doc_with([{**_good(), "name": "x" * length}]))
    assert len(config.scenarios[0].name) == length


def test_constructor_refuses_a_scenario_that_is_not_settings():
    with pytest.raises(seg.ConfigError, match=r"scenarios\[0\]\.settings"):
        replace(seg.default_config(), scenarios=(Scenario("A", {"weights": 1}),))


def test_scenarios_do_not_change_equality_or_the_cache_key():
    config = seg.default_config()
    saved = save_scenario(config, "A")
    assert saved == config and hash(saved) == hash(config)


@pytest.mark.parametrize(
    "change, words",
    [
        (lambda c: with_pillar(c, "growth", weight=45), ["growth weight 30 -> 45"]),
        (lambda c: with_thresholds(c, [65, 45]), ["High-touch cut-off 70 -> 65"]),
        (lambda c: with_pillar(c, "health", effect="raises"), ["health effect lowers -> raises"]),
        (lambda c: replace(c, arr_per_csm=1e6), ["ARR per CSM 2,000,000 -> 1,000,000"]),
        (lambda c: c, []),
    ],
)
def test_settings_diff_says_each_change(change, words):
    base = with_thresholds(seg.default_config(), [70, 45])
    assert settings_diff(base, change(base)) == words


def test_describe_change_keeps_a_line_short():
    base = with_thresholds(seg.default_config(), [70, 45])
    new = base
    for key in ("growth", "strategic", "complexity", "health"):
        new = with_pillar(new, key, weight=10)
    assert describe_change(base, new).endswith("and 1 more")
    assert describe_change(base, base) == "no change"
    assert "top 15%" in describe_change(seg.default_config(), base)
