"""Scenarios page and the Workshop's undo / redo and tier confidence, driven with AppTest."""

from __future__ import annotations

import json

import pytest
from app_helpers import (
    SAMPLE_CSV,
    download_bytes,
    expected_counts,
    fixed_config,
    fixed_workshop,
    goto,
    tier_metrics,
)

import segmentation as seg
from segmentation.config import with_pillar
from segmentation.scenarios import scenario_names

SCENARIOS_PAGE = "pages/scenarios.py"


@pytest.fixture(scope="module")
def sample_accounts():
    return seg.load(SAMPLE_CSV).accounts


def scenarios_page(at):
    at.switch_page(SCENARIOS_PAGE).run()
    assert not at.exception, at.exception
    return at


def save_as(at, name: str):
    at.text_input(key="scenario_name").input(name)
    at.button(key="scenario_save").click().run()
    assert not at.exception, at.exception
    return at


def as_read(markdown: str) -> str:
    """Text shown through fmt.plain, as a person reads it (the escapes removed)."""
    return markdown.replace("\\", "")


def settings(at) -> seg.Config:
    return at.session_state["tw_config"]


def test_save_two_compare_apply_one_and_undo(sample_app, sample_accounts):
    at = fixed_workshop(sample_app)
    scenarios_page(at)
    save_as(at, "CS view")
    assert any("Scenario 'CS view' saved" in s.value for s in at.success)
    goto(at, "workshop")
    at.slider(key="weight_growth").set_value(60.0).run()
    scenarios_page(at)
    save_as(at, "Growth view")
    assert scenario_names(settings(at)) == ("CS view", "Growth view")

    at.multiselect(key="scenario_compare").set_value(["CS view", "Growth view"]).run()
    assert not at.exception, at.exception
    table = at.dataframe[0].value
    growth = with_pillar(fixed_config(), "growth", weight=60.0)
    for name, cfg in (("CS view", fixed_config()), ("Growth view", growth)):
        for tier, count in expected_counts(sample_accounts, cfg).items():
            assert table.at[f"{tier}: accounts", name] == f"{count:,}"
    assert "Growth view vs CS view" in table.columns

    at.selectbox(key="scenario_pick").set_value("CS view").run()
    at.button(key="scenario_apply").click().run()
    assert settings(at).pillar("growth").weight == 30
    goto(at, "workshop")
    assert at.slider(key="weight_growth").value == 30.0
    assert tier_metrics(at, fixed_config()) == expected_counts(sample_accounts, fixed_config())

    at.button(key="history_undo").click().run()
    assert not at.exception, at.exception
    assert settings(at).pillar("growth").weight == 60
    assert at.slider(key="weight_growth").value == 60.0  # the widget follows the undo
    assert tier_metrics(at, growth) == expected_counts(sample_accounts, growth)
    assert scenario_names(settings(at)) == ("CS view", "Growth view")  # undo keeps scenarios


def test_undo_and_redo_a_slider_move_say_what_changed(sample_app, sample_accounts):
    at = fixed_workshop(sample_app)
    assert at.button(key="history_undo").disabled
    at.slider(key="weight_growth").set_value(45.0).run()
    undo = at.button(key="history_undo")
    assert not undo.disabled and "growth weight 30 -> 45" in as_read(undo.help)
    at.slider(key="threshold_high").set_value(65.0).run()
    assert "High-touch cut-off 70 -> 65" in as_read(at.button(key="history_undo").help)
    assert any("growth weight 30 -> 45" in as_read(c.value) for c in at.caption)
    at.button(key="history_undo").click().run()
    assert at.slider(key="threshold_high").value == 70.0
    assert at.slider(key="weight_growth").value == 45.0
    at.button(key="history_undo").click().run()
    assert at.slider(key="weight_growth").value == 30.0
    assert tier_metrics(at, fixed_config()) == expected_counts(sample_accounts, fixed_config())
    assert at.button(key="history_undo").disabled
    at.button(key="history_redo").click().run()
    assert at.slider(key="weight_growth").value == 45.0
    moved = with_pillar(fixed_config(), "growth", weight=45.0)
    assert tier_metrics(at, moved) == expected_counts(sample_accounts, moved)


def test_scenario_actions_and_the_settings_file(sample_app):
    at = fixed_workshop(sample_app)
    scenarios_page(at)
    save_as(at, "Finance <b>view</b>")
    at.button(key="scenario_duplicate").click().run()
    assert scenario_names(settings(at)) == ("Finance <b>view</b>", "Finance <b>view</b> (copy)")
    save_as(at, " finance <B>VIEW</B> ")  # the same name: replaced, not added
    assert len(settings(at).scenarios) == 2
    at.selectbox(key="scenario_pick").set_value("Finance <b>view</b> (copy)").run()
    at.text_input(key="scenario_new_name").input("Board").run()
    at.button(key="scenario_rename").click().run()
    assert scenario_names(settings(at))[1] == "Board"
    at.selectbox(key="scenario_pick").set_value("Board").run()
    at.text_input(key="scenario_new_name").input("  ").run()
    at.button(key="scenario_rename").click().run()
    assert any("must name the scenario" in e.value for e in at.error)
    at.button(key="scenario_delete").click().run()
    assert len(settings(at).scenarios) == 1
    assert not at.exception
    goto(at, "accounts")


def test_scenarios_travel_in_the_saved_settings(sample_app, downloads):
    at = fixed_workshop(sample_app)
    scenarios_page(at)
    save_as(at, "CS view")
    goto(at, "accounts")
    doc = json.loads(download_bytes(at, downloads, "download_settings"))
    assert [s["name"] for s in doc["scenarios"]] == ["CS view"]
    assert seg.config_from_dict(doc).scenarios[0].name == "CS view"


def test_tier_confidence_panel_runs_and_lists_borderline_accounts(sample_app):
    at = fixed_workshop(sample_app)
    at.number_input(key="confidence_draws").set_value(200)
    at.button(key="confidence_run").click().run()
    assert not at.exception, at.exception
    shown = "\n".join(m.value for m in at.markdown)
    assert "keep their tier in fewer than 80% of the draws" in shown
    assert any("Tier confidence from 200 draws" in c.value for c in at.caption)
    assert len(at.get("vega_lite_chart")) == 3  # quadrant, histogram and the tornado
