"""Settings documents from anywhere: only a Config or a ConfigError naming the field (issue 17)."""

from __future__ import annotations

import copy
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import segmentation as seg
from segmentation.config import MAX_SETTINGS_BYTES, MAX_SETTINGS_DEPTH, config_to_dict
from segmentation.rules.schemes import MAX_WEIGHT


def default_doc() -> dict:
    return config_to_dict(seg.default_config())


def edited(path: tuple, value) -> dict:
    doc = default_doc()
    target = doc
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    return doc


def refused(doc) -> str:
    with pytest.raises(seg.ConfigError) as error:
        seg.config_from_json(json.dumps(doc))
    return str(error.value)


NULL_SECTIONS = [
    (("guardrails",), "guardrails: must be an object"),
    (("quadrant",), "quadrant: must be an object"),
    (("tiers",), "tiers: must be a list"),
    (("pillars",), "pillars: must map pillar names"),
    (("pillars", "growth"), "pillars.growth: must be an object"),
    (("pillars", "growth", "metrics"), "pillars.growth.metrics: must be a list"),
    (("pillars", "growth", "metrics", 0), "pillars.growth.metrics[0]: must be an object"),
    (("tiers", 0), "tiers[0]: must be an object"),
    (("guardrails", "overrides"), "guardrails.overrides: must be a list"),
    (("quadrant", "labels"), "quadrant.labels: must map cells to labels"),
]


@pytest.mark.parametrize(
    ("path", "message"), NULL_SECTIONS, ids=[".".join(map(str, p)) for p, _ in NULL_SECTIONS]
)
def test_a_null_section_is_refused_naming_it(path, message):
    assert refused(edited(path, None)).startswith(message)


STRICT = [
    (("pillars", "growth", "weight"), True, "pillars.growth.weight: must be a number"),
    (
        ("pillars", "growth", "weight"),
        10**400,
        "pillars.growth.weight: must be a number of at most",
    ),
    (("tiers", 0, "threshold"), 10**16, "tiers[0].threshold: must be a number of at most"),
    (("arr_per_csm",), False, "arr_per_csm: must be a number"),
    (("version",), True, "version: unknown version True"),
    (("pillars", "growth", "label"), "", "pillars.growth.label: must be a non-empty name"),
    (("pillars", "growth", "label"), "   ", "pillars.growth.label: must be a non-empty name"),
    (("pillars", "growth", "label"), 7, "pillars.growth.label: must be a non-empty name"),
    (("pillars", "growth", "label"), "Strategic value", "pillars: pillar labels must be unique"),
    (("tiers", 1, "name"), "high-touch", "tiers: tier names must be unique"),
    (("tiers", 1, "name"), "", "tiers[1].name: must be a non-empty name"),
    (("quadrant", "labels", "top_left"), "Grow", "quadrant.labels: the four labels must differ"),
    (("quadrant", "labels", "top_left"), "", "quadrant.labels.top_left: must be a non-empty label"),
    (("tiers", 0, "engagement"), None, "tiers[0].engagement: must be text"),
]


@pytest.mark.parametrize(("path", "value", "message"), STRICT, ids=[m for *_, m in STRICT])
def test_wrong_types_and_labels_are_refused_naming_the_field(path, value, message):
    assert refused(edited(path, value)).startswith(message)


@pytest.mark.parametrize(
    ("weight", "ok"),
    [(MAX_WEIGHT, True), (MAX_WEIGHT * (1 + 1e-9), False), (1e308, False), (MAX_WEIGHT - 1, True)],
    ids=["at the limit", "just above", "1e308", "just below"],
)
def test_weights_are_bounded_so_no_priority_is_lost(weight, ok):
    doc = edited(("pillars", "growth", "weight"), weight)
    if not ok:
        assert refused(doc).startswith("pillars.growth.weight: must be at most")
        return
    config = seg.config_from_dict(doc)
    result = seg.segment(seg.generate_accounts(50, seed=2), config)
    assert result["priority"].notna().all()


def test_a_settings_file_over_the_size_limit_is_refused_before_parsing():
    text = " " * (MAX_SETTINGS_BYTES + 1)
    with pytest.raises(seg.ConfigError, match=r"big\.json is too big for a settings file"):
        seg.config_from_json(text, source="big.json")


@pytest.mark.parametrize("depth", [MAX_SETTINGS_DEPTH + 1, 10_000, 200_000])
def test_deep_nesting_is_refused_in_one_sentence(depth):
    text = '{"version": 1, "pillars": ' + "[" * depth + "]" * depth + "}"
    with pytest.raises(seg.ConfigError, match=r"^deep\.json "):
        seg.config_from_json(text, source="deep.json")


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)


def _paths(doc, prefix=()):
    yield prefix
    if isinstance(doc, dict):
        for key, value in doc.items():
            yield from _paths(value, (*prefix, key))
    elif isinstance(doc, list):
        for i, value in enumerate(doc):
            yield from _paths(value, (*prefix, i))


PATHS = [p for p in _paths(default_doc()) if p]


def _outcome(doc) -> None:
    try:
        config = seg.config_from_json(json.dumps(doc))
    except seg.ConfigError as error:
        assert str(error).strip() and "\n" not in str(error)
        return
    assert isinstance(config, seg.Config)
    assert seg.config_from_dict(config_to_dict(config)) == config


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(JSON)
def test_any_json_document_gives_a_config_or_a_config_error(doc):
    _outcome(doc)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(PATHS), JSON), min_size=1, max_size=3))
def test_the_default_document_with_random_values_gives_a_config_or_a_config_error(edits):
    doc = default_doc()
    for path, value in edits:
        target = doc
        try:
            for step in path[:-1]:
                target = target[step]
            target[path[-1]] = copy.deepcopy(value)
        except (KeyError, IndexError, TypeError):
            continue  # an earlier edit replaced this path's parent
    _outcome(doc)
