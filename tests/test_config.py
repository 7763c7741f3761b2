"""The settings document: round trips, and an error that names the field for every bad one."""

from __future__ import annotations

import json

import pytest

import segmentation as seg
from segmentation.config import config_to_dict, with_pillar, with_thresholds


def test_default_config_round_trips_through_a_file(tmp_path):
    config = seg.default_config()
    path = tmp_path / "settings.json"
    seg.save_config(config, path)
    assert seg.load_config(path) == config
    assert json.loads(path.read_text())["version"] == 1


def test_changed_settings_round_trip(tmp_path):
    config = with_thresholds(with_pillar(seg.default_config(), "growth", weight=55.5), [80, 30])
    seg.save_config(config, tmp_path / "s.json")
    loaded = seg.load_config(tmp_path / "s.json")
    assert loaded.pillar("growth").weight == 55.5
    assert [t.threshold for t in loaded.tiers] == [80, 30, 0]


def _doc():
    """The default settings with fixed cut-offs (70 / 45), as a saved file pins them."""
    return config_to_dict(with_thresholds(seg.default_config(), [70, 45]))


def _set(path: str, value):
    doc = _doc()
    *parents, last = path.split(".")
    node = doc
    for part in parents:
        node = node[int(part)] if part.isdigit() else node[part]
    if value is KeyError:
        del node[int(last) if last.isdigit() else last]
    else:
        node[int(last) if last.isdigit() else last] = value
    return doc


@pytest.mark.parametrize(
    "path, value, message",
    [
        ("version", 2, "version: unknown version 2"),
        ("version", KeyError, "version: is missing"),
        ("pillars.growth.weight", -1, "pillars.growth.weight: must be at least 0, got -1"),
        ("pillars.growth.weight", "heavy", "pillars.growth.weight: must be a number"),
        (
            "pillars.health.effect",
            "sideways",
            "pillars.health.effect: must be one of raises, lowers",
        ),
        (
            "pillars.growth.metrics.0.scheme",
            "magic",
            "pillars.growth.metrics[0].scheme: must be one of",
        ),
        (
            "pillars.growth.metrics.0.weight",
            -2,
            "pillars.growth.metrics[0].weight: must be at least 0",
        ),
        ("pillars.growth.metrics.0.direction", "up", "pillars.growth.metrics[0].direction"),
        ("pillars.growth.metrics.0.missing", "guess", "pillars.growth.metrics[0].missing"),
        ("pillars.growth.metrics.2.high", 0.1, "pillars.growth.metrics[2].high: must be above low"),
        (
            "pillars.growth.metrics",
            [],
            "pillars.growth.metrics: a pillar needs at least one metric",
        ),
        ("pillars.growth.colour", "red", "pillars.growth.colour: is not a known setting"),
        ("pillars.health", KeyError, "pillars.health: is missing"),
        ("tiers.1.threshold", 70, "tiers[1].threshold: thresholds must decrease"),
        ("tiers.1.threshold", 80, "Mid-touch (80) is not below High-touch (70)"),
        ("tiers.0.threshold", 101, "tiers[0].threshold: must be at most 100"),
        ("tiers.2.threshold", 5, "tiers[2].threshold: the last tier takes everything left"),
        ("tiers.1.name", "High-touch", "tiers: tier names must be unique"),
        ("tiers.0.share", 20, "tiers[1].share: give a share to every tier above the last"),
        ("tiers.2.share", 20, "tiers[0].share: give a share to every tier above the last"),
        ("guardrails.strategic_floor", "Gold", "guardrails.strategic_floor: must be one of"),
        ("guardrails.min_arr_top_tier", -5, "guardrails.min_arr_top_tier: must be at least 0"),
        ("quadrant.x", "colour", "quadrant.x: must be one of"),
        ("arr_per_csm", 0, "arr_per_csm: must be at least 1"),
        ("surprise", 1, "surprise: is not a known setting"),
        ("mapping", {"bogus": "X"}, "mapping.bogus: is not a column Tierwise knows"),
        ("mapping", {"arr": 5}, "mapping.arr: must name a column of the book"),
        ("mapping", {"arr": " "}, "mapping.arr: must name a column of the book"),
        ("mapping", ["arr"], "mapping: must be an object"),
    ],
)
def test_invalid_settings_name_the_field(path, value, message):
    with pytest.raises(seg.ConfigError) as error:
        seg.config_from_dict(_set(path, value))
    assert message in str(error.value)


def test_all_pillar_weights_zero_is_refused():
    doc = _doc()
    for pillar in doc["pillars"].values():
        pillar["weight"] = 0
    with pytest.raises(seg.ConfigError, match="at least one pillar needs a weight above 0"):
        seg.config_from_dict(doc)


def test_bad_json_names_the_file(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text("{not json")
    with pytest.raises(seg.ConfigError, match=r"broken\.json is not valid JSON"):
        seg.load_config(path)


def test_missing_file_is_a_config_error(tmp_path):
    with pytest.raises(seg.ConfigError, match="cannot read settings file"):
        seg.load_config(tmp_path / "nope.json")


def test_save_refuses_what_is_not_a_config(tmp_path):
    with pytest.raises(seg.ConfigError):
        seg.save_config({"version": 1}, tmp_path / "x.json")
    assert not (tmp_path / "x.json").exists()


@pytest.mark.parametrize(
    "shares, message",
    [
        ([15, 35], None),
        ([0.1, 99.8], None),  # just under 100 in all
        ([50, 50], "tiers: the shares of the tiers above the last must add up to under 100"),
        ([60, 45], "must add up to under 100; got 105"),
        ([0, 35], "tiers[0].share: must be at least 0.1"),
        ([15, None], "tiers[1].share: give a share to every tier above the last"),
        ([15, 35, 10], "tiers[2].share: the last tier takes everything left: leave it out"),
    ],
)
def test_relative_cut_offs_are_shares_under_100(shares, message):
    doc = config_to_dict(seg.default_config())
    for tier, share in zip(doc["tiers"], shares, strict=False):
        tier["share"] = share
        if share is None:
            del tier["share"]
            tier["threshold"] = 40
    if message is None:
        config = seg.config_from_dict(doc)
        assert [t.share for t in config.tiers] == [*shares, None]
        return
    with pytest.raises(seg.ConfigError) as error:
        seg.config_from_dict(doc)
    assert message in str(error.value)


def test_default_settings_state_their_relative_cut_offs():
    doc = config_to_dict(seg.default_config())
    assert [t.get("share") for t in doc["tiers"]] == [15, 35, None]
    assert "threshold" not in doc["tiers"][0] and doc["tiers"][2]["threshold"] == 0
    text = "\n".join(seg.describe_config(seg.default_config()))
    assert "- High-touch: the top 15% of accounts. Dedicated CSM" in text
    assert "- Mid-touch: the next 35% of accounts." in text
    assert "- Low-touch: the rest. Automated" in text


def test_describe_config_says_what_each_tier_means():
    lines = seg.describe_config(with_thresholds(seg.default_config(), [70, 45]))
    text = "\n".join(lines)
    assert "High-touch: priority 70 or more. Dedicated CSM" in text
    assert "Low-touch: priority 0 or more" in text
    assert "strategic accounts are never below Mid-touch" in text


def test_scoring_key_ignores_weights_and_thresholds_but_not_schemes():
    from segmentation.config import with_metric

    config = seg.default_config()
    assert with_pillar(config, "growth", weight=1).scoring_key() == config.scoring_key()
    assert with_thresholds(config, [90, 10]).scoring_key() == config.scoring_key()
    assert with_metric(config, "growth", 0, weight=9).scoring_key() == config.scoring_key()
    assert with_metric(config, "growth", 0, direction="lower").scoring_key() != config.scoring_key()


def test_the_mapping_section_round_trips_and_is_left_out_when_empty(tmp_path):
    from dataclasses import replace

    config = replace(seg.default_config(), mapping=(("arr", "ARR (USD)"), ("nps", "Last NPS")))
    seg.save_config(config, tmp_path / "s.json")
    doc = json.loads((tmp_path / "s.json").read_text())
    assert doc["mapping"] == {"arr": "ARR (USD)", "nps": "Last NPS"}
    assert seg.load_config(tmp_path / "s.json") == config
    assert "mapping" not in config_to_dict(seg.default_config())
