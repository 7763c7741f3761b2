"""The Calibration page in a real browser: upload a book with an outcome, mark it, apply;
the Workshop then shows the live AUC and lift.

Uses the waiting and widget helpers of the workshop's browser test (same folder).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from playwright.sync_api import Page
from test_workshop_e2e import RunWatcher, go_to, no_exceptions, screenshot, settle, widget

from segmentation.sample import write_book

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "calibration"))
from calibration_books import churn_book


@pytest.mark.e2e
def test_calibration_in_a_real_browser(page: Page, streamlit_server, tmp_path: Path) -> None:
    book = tmp_path / "churn_book.csv"
    write_book(churn_book(800, seed=2), book)
    watcher = RunWatcher(page)
    settle(page, watcher, lambda: page.goto(streamlit_server.url), "opening the app")
    page.locator('[data-testid="stSidebarNav"]').wait_for(state="visible")
    upload = widget(page, "upload").locator('input[type="file"]')
    settle(page, watcher, lambda: upload.set_input_files(str(book)), "uploading")
    page.get_by_text(f"Using {book.name}").first.wait_for(state="visible")

    go_to(page, watcher, "Calibration")
    select = widget(page, "outcome_column")
    select.click()  # opening the list is the browser's alone: no rerun
    option = page.get_by_role("option", name="Churned", exact=True)
    settle(page, watcher, option.click, "choosing the outcome")
    page.locator('[data-testid="stHeading"]', has_text="By tier").first.wait_for(state="visible")
    page.locator('[data-testid="stVegaLiteChart"]').first.wait_for(state="visible")
    no_exceptions(page, "Calibration page")
    screenshot(page, "calibration.png")

    apply = widget(page, "apply_weights").locator("button").first
    settle(page, watcher, apply.click, "applying the suggested weights")
    no_exceptions(page, "Calibration page after Apply")
    undo = widget(page, "undo_weights").locator("button").first
    assert undo.is_enabled(), "Undo stays disabled after Apply"

    go_to(page, watcher, "Workshop")  # the marked outcome is live next to the tier counts
    page.locator('[data-testid="stMetric"]', has_text="Priority AUC").first.wait_for(
        state="visible"
    )
    page.locator('[data-testid="stMetric"]', has_text="Top-tier lift").first.wait_for(
        state="visible"
    )
    no_exceptions(page, "Workshop with a marked outcome")
    screenshot(page, "workshop-calibration.png")
    assert "Traceback" not in streamlit_server.log(), streamlit_server.log()[-3000:]
