"""Every page, with and without data: no exceptions, and a guard clause where data is missing."""

from __future__ import annotations

import pytest
from app_helpers import PAGES, goto, texts

from ui import state


@pytest.mark.parametrize("page", list(PAGES))
def test_page_without_data_shows_a_guard_clause(app, page):
    goto(app, page)
    assert "upload" in texts(app.info).lower()
    assert not app.error


@pytest.mark.parametrize("page", list(PAGES))
def test_page_with_the_sample_runs(sample_app, page):
    goto(sample_app, page)
    assert not sample_app.error


def test_workshop_shows_cards_coverage_quadrant_histogram_and_movement(sample_app):
    goto(sample_app, "workshop")
    labels = [m.label for m in sample_app.metric]
    assert labels[:3] == ["High-touch", "Mid-touch", "Low-touch"]
    assert len(sample_app.get("vega_lite_chart")) == 2
    assert any("Who moved" in s.value for s in sample_app.subheader)


def test_sample_flag_and_environment_variable():
    assert state.sample_requested(["--sample"], {})
    assert state.sample_requested([], {"TIERWISE_SAMPLE": "1"})
    assert not state.sample_requested([], {})


def test_environment_variable_preloads_the_sample(monkeypatch):
    from app_helpers import APP
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("TIERWISE_SAMPLE", "1")
    at = AppTest.from_file(APP, default_timeout=60).run()
    goto(at, "workshop")
    assert sum(int(m.value.replace(",", "")) for m in at.metric[:3]) == 500
