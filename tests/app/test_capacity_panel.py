"""The Workshop's Capacity panel: figures against a direct computation, fit, undo, bad input."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import replace

import pytest
from app_helpers import (
    SAMPLE_CSV,
    expected_counts,
    fixed_config,
    fixed_workshop,
    texts,
    tier_metrics,
)

import segmentation as seg
from segmentation.config import with_thresholds
from segmentation.fitting import fit_cutoffs
from segmentation.rules.capacity import Capacity, TierCapacity
from ui.capacity import COVERAGE_MODEL_OPEN


@pytest.fixture(scope="module")
def sample_accounts():
    return seg.load(SAMPLE_CSV).accounts


@pytest.fixture
def workshop(sample_app):
    """The Workshop with its coverage-model inputs open (they are drawn only while open)."""
    sample_app.session_state[COVERAGE_MODEL_OPEN] = True
    return fixed_workshop(sample_app)


def capacity_table(at):
    (table,) = [d.value for d in at.dataframe if "csms_needed" in d.value.columns]
    return table


def team_config(high_csms: float) -> seg.Config:
    """The default settings with the default coverage model and a High-touch head-count."""
    default = fixed_config()
    tiers = (TierCapacity("High-touch", high_csms, 15.0, 80.0),
             TierCapacity("Mid-touch", None, 50.0, 25.5),
             TierCapacity("Low-touch", None, 500.0, 3.0))  # fmt: skip
    return replace(default, capacity=Capacity(tiers=tiers))


@pytest.mark.parametrize("high", [60.0, 75.0], ids=["cut-off 60", "cut-off 75"])
def test_the_figures_follow_the_sliders_and_match_a_direct_computation(
    workshop, sample_accounts, high
):
    workshop.slider(key="threshold_high").set_value(high).run()
    cfg = with_thresholds(fixed_config(), [high, 45.0])
    result = seg.segment(sample_accounts, cfg, as_of=dt.date.today())
    table = capacity_table(workshop)
    for tier, ratio, hours in (("High-touch", 15, 80), ("Mid-touch", 50, 25.5)):
        rows = result[result["tier"] == tier]
        need = max(len(rows) / ratio, len(rows) * hours / 1560)
        line = table.loc[tier]
        assert line["accounts"] == len(rows)
        assert line["arr"] == pytest.approx(rows["arr"].sum())
        assert line["csms_needed"] == math.ceil(need)
        assert line["csms_by_arr"] == pytest.approx(rows["arr"].sum() / 2_000_000)
        assert line["cost_share_of_arr"] == pytest.approx(need * 150_000 / rows["arr"].sum())


def test_fit_from_the_workshop_moves_the_sliders_and_undo_puts_them_back(workshop, sample_accounts):
    workshop.number_input(key="capacity_csms_0").set_value(4.0).run()
    assert not workshop.exception and not workshop.error
    workshop.button(key="fit_cutoffs").click().run()
    assert not workshop.exception and not workshop.error
    cfg = team_config(4.0)
    result = seg.segment(sample_accounts, cfg, as_of=dt.date.today())
    fit = fit_cutoffs(result, cfg)
    assert workshop.slider(key="threshold_high").value == fit.config.tiers[0].threshold
    assert workshop.slider(key="threshold_mid").value == fit.config.tiers[1].threshold
    counts = tier_metrics(workshop, cfg)
    assert counts == expected_counts(sample_accounts, fit.config)
    assert counts["High-touch"] <= 60 and counts["High-touch"] > 17
    assert "Cut-offs fitted to the team" in workshop.success[0].value
    shown = texts(workshop.text)
    assert fit.lines[0] in shown and "+1 High-touch CSM brings" in shown
    assert capacity_table(workshop).loc["High-touch", "accounts"] == counts["High-touch"]

    workshop.button(key="undo_fit").click().run()
    assert not workshop.exception
    assert workshop.slider(key="threshold_high").value == 70.0
    assert workshop.slider(key="threshold_mid").value == 45.0
    assert tier_metrics(workshop, cfg) == expected_counts(sample_accounts, fixed_config())
    assert "Fit undone: cut-offs back to 70 / 45." in texts(workshop.text)
    assert workshop.button(key="undo_fit").disabled
    assert workshop.number_input(key="capacity_csms_0").value == 4.0  # the team stays
    workshop.slider(key="threshold_high").set_value(80.0).run()
    assert "Fit undone" not in texts(workshop.text)  # said while it is what the settings show


def test_fit_without_a_team_says_why_and_moves_nothing(workshop):
    workshop.button(key="fit_cutoffs").click().run()
    assert not workshop.exception
    assert "cannot be fitted" in workshop.error[0].value
    assert "no tier has a head-count" in texts(workshop.text)
    assert workshop.slider(key="threshold_high").value == 70.0


def test_a_head_count_without_a_coverage_rule_is_refused_naming_the_field(workshop):
    workshop.number_input(key="capacity_csms_0").set_value(4.0)
    workshop.number_input(key="capacity_ratio_0").set_value(None)
    workshop.number_input(key="capacity_hours_0").set_value(None).run()
    assert not workshop.exception
    assert "coverage model cannot be used" in workshop.error[0].value
    assert "capacity.tiers.High-touch.csms: a head-count needs" in texts(workshop.text)


def test_reset_to_baseline_forgets_the_team(workshop):
    workshop.number_input(key="capacity_csms_0").set_value(4.0).run()
    workshop.button(key="reset_to_baseline").click().run()
    assert not workshop.exception
    assert workshop.number_input(key="capacity_csms_0").value is None
    assert math.isnan(capacity_table(workshop).loc["High-touch", "csms_available"])


def test_the_coverage_inputs_are_drawn_only_while_open_and_keep_the_team(workshop, sample_accounts):
    workshop.number_input(key="capacity_csms_0").set_value(4.0).run()
    workshop.number_input(key="capacity_cost").set_value(120_000.0).run()
    with_team = workshop.session_state["tw_config"]
    assert with_team.capacity.cost_per_csm == 120_000.0
    workshop.session_state[COVERAGE_MODEL_OPEN] = False
    workshop.run()
    assert not workshop.exception
    assert not [n for n in workshop.number_input if n.key.startswith("capacity_")]
    assert workshop.session_state["tw_config"] == with_team  # closed: the settings stay
    assert capacity_table(workshop).loc["High-touch", "csms_available"] == 4.0
    workshop.slider(key="threshold_high").set_value(60.0).run()
    assert workshop.session_state["tw_config"].capacity == with_team.capacity
    workshop.session_state[COVERAGE_MODEL_OPEN] = True
    workshop.run()
    assert not workshop.exception
    assert workshop.number_input(key="capacity_csms_0").value == 4.0  # seeded from the settings
    assert workshop.number_input(key="capacity_cost").value == 120_000.0
    assert workshop.session_state["tw_config"].capacity == with_team.capacity
