"""Hostile text through every page: no link, image or tag is ever made from the data.

The book's names, CSMs, industries and one header, its file name, a snapshot's file name,
an outcome column's header, and the settings' tier names, engagement text, pillar and
quadrant labels all hold markdown images, links, HTML tags and bare URLs
(`tests/app/hostile.py`). Each page's element tree is read the way the browser renders it:
every markdown-rendered string and every st.html body must carry them as plain text.
"""

from __future__ import annotations

import io

import pandas as pd
import pytest
from app_helpers import CSV_MIME, goto
from hostile import (
    FILE_NAME,
    LINK,
    TARGET,
    hostile_book,
    hostile_config,
    hostile_problems,
    hostile_settings_json,
    markdown_texts,
)
from streamlit.testing.v1 import AppTest

from ui import state

OUTCOME = f"{LINK} churned"


def book_with_outcome() -> bytes:
    """The hostile book plus an outcome column whose header is hostile too."""
    frame = pd.read_csv(io.BytesIO(hostile_book()), dtype=str, keep_default_na=False)
    health = pd.to_numeric(frame["Health Score"], errors="coerce").fillna(50)
    frame[OUTCOME] = ["yes" if h < 45 else "no" for h in health]
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False)
    return buffer.getvalue().encode("utf-8")


@pytest.fixture
def hostile_app(app: AppTest) -> AppTest:
    """The hostile book uploaded under a hostile file name, with the hostile settings."""
    app.file_uploader(key="upload").set_value((FILE_NAME, book_with_outcome(), CSV_MIME)).run()
    assert not app.exception, app.exception
    app.session_state[state.CONFIG] = hostile_config()
    app.session_state[state.BASELINE] = hostile_config()
    return app


def assert_plain(at: AppTest) -> None:
    shown = [text for _, text in markdown_texts(at) if TARGET.search(text)]
    assert shown, "the hostile text never reached a markdown element: the check checks nothing"
    problems = hostile_problems(at)
    assert not problems, "\n".join(problems)


def with_snapshot(app: AppTest) -> AppTest:
    goto(app, "data")
    app.file_uploader(key="snapshot_upload").set_value(
        [(f"{LINK} 2026-08-01.csv", hostile_book(), CSV_MIME)]
    ).run()
    assert not app.exception, app.exception
    return app


@pytest.mark.parametrize(
    "page",
    ["data", "workshop", "accounts", "movement", "scenarios", "segments"],
)
def test_every_page_shows_hostile_text_as_plain_text(hostile_app, page):
    with_snapshot(hostile_app)
    assert_plain(goto(hostile_app, page))


def test_the_calibration_page_shows_a_hostile_outcome_header_as_plain_text(hostile_app):
    hostile_app.switch_page("pages/calibration.py").run()
    hostile_app.selectbox(key="outcome_column").set_value(OUTCOME).run()
    assert not hostile_app.exception, hostile_app.exception
    assert_plain(hostile_app)


def test_loading_hostile_settings_says_so_in_plain_text(app):
    app.button(key="use_sample").click().run()
    goto(app, "accounts")
    upload = ("[s](http://example.invalid/s).json", hostile_settings_json(), "application/json")
    app.file_uploader(key="settings_upload").set_value(upload).run()
    assert not app.exception, app.exception
    assert app.session_state[state.CONFIG].tier_names == hostile_config().tier_names
    assert_plain(app)


def _one_account() -> None:
    import io  # AppTest.from_function runs this body alone: its imports are inside

    from hostile import hostile_book, hostile_config

    import segmentation as seg
    from ui import tables

    cfg = hostile_config()
    book = seg.load(io.BytesIO(hostile_book()), filename="book.csv")
    result = seg.segment(book.accounts, cfg)
    hostile = result["account_name"].astype(str).str.contains("example.invalid", regex=False)
    row = result[hostile].iloc[0].copy()
    row["data_issues"] = "arr: not a number ![x](http://example.invalid/d.png)"
    tables.account_details(row, cfg)


def test_one_accounts_details_show_its_hostile_name_as_plain_text():
    """The selected account's heading: where a markdown image made the browser call out."""
    at = AppTest.from_function(_one_account, default_timeout=60).run()
    assert not at.exception, at.exception
    heading = [h.value for h in at.subheader]
    assert heading and TARGET.search(heading[0])
    assert_plain(at)


def test_the_checker_finds_what_a_browser_would_render():
    """The checker itself: raw payloads are hazards, their plain() forms are not."""
    from hostile import PAYLOADS, markdown_hazards

    from ui.format import plain

    for payload in PAYLOADS:
        assert markdown_hazards(payload)
        assert not markdown_hazards(plain(payload))
        backslashes_only = plain(payload).replace("\u2060", "")  # yesterday's plain()
        assert markdown_hazards(backslashes_only)  # bare URLs are linked even when escaped
