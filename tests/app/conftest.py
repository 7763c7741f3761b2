"""Fixtures for the app tests: a fresh AppTest, one on the sample book, download capture."""

from __future__ import annotations

import pytest
from app_helpers import APP
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.runtime.pages_manager import PagesManager
from streamlit.testing.v1 import AppTest


@pytest.fixture
def routed(monkeypatch) -> None:
    """Every run goes through app.py's st.navigation, as in the browser.

    AppTest resets PagesManager's mode before each run, and the folder `pages/` then makes
    it run the requested page alone, without app.py (and so without the sidebar).
    """
    real_init = PagesManager.__init__

    def init(self, *args, **kwargs):
        real_init(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False

    monkeypatch.setattr(PagesManager, "__init__", init)


@pytest.fixture
def app(routed) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not at.exception
    return at


@pytest.fixture
def sample_app(app: AppTest) -> AppTest:
    app.button(key="use_sample").click().run()
    assert not app.exception
    return app


@pytest.fixture
def downloads(monkeypatch) -> dict:
    """The data callables behind deferred download buttons, by file id (what a click runs)."""
    recorded: dict[str, object] = {}
    real = MediaFileManager.add_deferred

    def add_deferred(self, data_callable, *args, **kwargs):
        file_id = real(self, data_callable, *args, **kwargs)
        recorded[file_id] = data_callable
        return file_id

    monkeypatch.setattr(MediaFileManager, "add_deferred", add_deferred)
    return recorded


@pytest.fixture(scope="module")
def sample_accounts():
    """The sample book's accounts, as the app loads them (what expected counts are cut from)."""
    from app_helpers import SAMPLE_CSV

    import segmentation as seg

    return seg.load(SAMPLE_CSV).accounts


@pytest.fixture
def workshop(sample_app: AppTest) -> AppTest:
    """The Workshop on the sample book, settings and baseline at `fixed_config()`."""
    from app_helpers import fixed_workshop

    return fixed_workshop(sample_app)
