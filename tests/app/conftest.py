"""Fixtures for the app tests: a fresh AppTest, one on the sample book, download capture."""

from __future__ import annotations

import pytest
from app_helpers import APP
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.testing.v1 import AppTest


@pytest.fixture
def app() -> AppTest:
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
