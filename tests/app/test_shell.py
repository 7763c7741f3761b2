"""The shell: the router hand-over and the server settings a live workshop relies on."""

from __future__ import annotations

import tomllib

import pytest
from app_helpers import ROOT
from streamlit import config
from streamlit.config import ShowErrorDetailsConfigOptions
from streamlit.runtime.pages_manager import PagesManager

from ui import shell


def test_error_details_never_reach_the_browser():
    settings = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    value = settings["client"]["showErrorDetails"]
    assert value == ShowErrorDetailsConfigOptions.NONE.value == "none"
    assert settings["browser"]["gatherUsageStats"] is False  # the rest is kept
    assert settings["server"]["enableXsrfProtection"] is True


@pytest.fixture
def served(monkeypatch) -> None:
    """As under `streamlit run`: earlier AppTests in this process may have set global.appTest."""
    real = config.get_option
    monkeypatch.setattr(
        config, "get_option", lambda key: False if key == "global.appTest" else real(key)
    )


def test_ensure_router_skips_a_streamlit_without_the_legacy_pages_mode(served, monkeypatch):
    monkeypatch.delattr(PagesManager, "uses_pages_directory")
    shell.ensure_router()  # nothing to switch off: no error, no rerun


def test_ensure_router_leaves_the_mode_alone_when_already_off(served, monkeypatch):
    monkeypatch.setattr(PagesManager, "uses_pages_directory", False)
    shell.ensure_router()
    assert PagesManager.uses_pages_directory is False
