"""The chart templates, built without Altair's validation at run time (ui/charts.py), are
valid Vega-Lite in every shape the Workshop can ask for, with the data each redraw fills in."""

from __future__ import annotations

import itertools
import json
from dataclasses import replace

import altair as alt
import pytest
from altair.utils.schemapi import validate_jsonschema

import segmentation as seg
from segmentation.views import histogram, quadrant
from ui import charts

SCHEMA = alt.load_schema()
TIER_SETS = [
    ("Strategic", "Scale"),
    ("Tier 1", "Tier 2", "Tier 3", "Tier 4"),
    ('"Enterprise" <b>', "Mid-Market & Growth", "Tech-touch · self serve", "Ω", "E", "F"),
]


def schema_error(spec: dict):
    """Why Vega-Lite's schema refuses `spec` (None: it is valid)."""
    return validate_jsonschema(json.loads(json.dumps(spec, default=str)), SCHEMA, raise_error=False)


@pytest.mark.parametrize(
    ("x_log", "y_log", "tiers"), list(itertools.product([False, True], [False, True], TIER_SETS))
)
def test_every_quadrant_template_is_valid_vega_lite(x_log, y_log, tiers):
    titles = ("Growth", "Strategic value", "Cost to serve", "Health")
    template = charts._quadrant_template("Growth potential", "ARR ($)", x_log, y_log, tiers, titles)
    assert schema_error(json.loads(template)) is None


@pytest.mark.parametrize("tiers", TIER_SETS)
def test_every_histogram_template_is_valid_vega_lite(tiers):
    assert schema_error(json.loads(charts._histogram_template(tiers))) is None


@pytest.mark.parametrize("x", ["score_health", "arr"])
def test_the_specs_drawn_with_their_data_are_valid(x):
    cfg = seg.default_config()
    cfg = replace(cfg, quadrant=replace(cfg.quadrant, x=x, x_split=50_000 if x == "arr" else 50))
    result = seg.segment(seg.load("sample_data/accounts.csv").accounts, cfg)
    view = quadrant.quadrant_view(result, cfg)
    spec = charts.quadrant_spec(view.points, view.cells, cfg, view.x_domain, view.y_domain)
    spec["datasets"] = {k: v.to_dict("records") for k, v in spec["datasets"].items()}
    assert schema_error(spec) is None
    bins = histogram.priority_histogram(result, cfg)
    spec = charts.histogram_spec(bins, cfg)
    spec["datasets"] = {k: v.to_dict("records") for k, v in spec["datasets"].items()}
    assert schema_error(spec) is None


def test_the_check_refuses_a_broken_template():
    spec = json.loads(charts._histogram_template(TIER_SETS[1]))
    spec["layer"][0]["mark"] = {"type": "bars"}
    assert schema_error(spec) is not None
