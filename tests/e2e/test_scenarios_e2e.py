"""Scenarios in a real browser: save two, compare them side by side, undo in the Workshop.

Uses the waiting and widget helpers of the workshop's browser test (same folder).
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page
from test_workshop_e2e import (
    RunWatcher,
    go_to,
    no_exceptions,
    open_with_the_sample,
    press_on_slider,
    screenshot,
    settle,
    slider_value,
    widget,
)


def save_scenario(page: Page, watcher: RunWatcher, name: str) -> None:
    box = widget(page, "scenario_name").locator("input").first
    box.fill(name)
    button = widget(page, "scenario_save").locator("button").first
    settle(page, watcher, button.click, f"saving {name}")
    page.get_by_text(f"Scenario '{name}' saved").first.wait_for(state="visible")


def pick(page: Page, watcher: RunWatcher, key: str, option: str) -> None:
    widget(page, key).click()  # opening the list is the browser's alone: no rerun
    choice = page.get_by_role("option", name=option, exact=True)
    settle(page, watcher, choice.click, f"choosing {option}")


@pytest.mark.e2e
def test_compare_two_scenarios_in_a_real_browser(page: Page, streamlit_server) -> None:
    watcher = RunWatcher(page)
    open_with_the_sample(page, watcher, streamlit_server.url)

    go_to(page, watcher, "Scenarios")
    save_scenario(page, watcher, "CS view")
    go_to(page, watcher, "Workshop")
    assert press_on_slider(page, watcher, "weight_growth", "Home") == 0
    go_to(page, watcher, "Scenarios")
    save_scenario(page, watcher, "Growth off")

    pick(page, watcher, "scenario_compare", "CS view")
    page.keyboard.press("Escape")
    pick(page, watcher, "scenario_compare", "Growth off")
    page.keyboard.press("Escape")
    page.get_by_text("What Growth off changes: growth weight 30").first.wait_for(state="visible")
    page.get_by_text("CS view vs Growth off").first.wait_for(state="visible")
    page.locator('[data-testid="stDataFrame"]').first.wait_for(state="visible")
    no_exceptions(page, "Scenarios page")
    screenshot(page, "scenarios.png")

    go_to(page, watcher, "Workshop")  # undo the slider move: the slider follows
    undo = widget(page, "history_undo").locator("button").first
    settle(page, watcher, undo.click, "undo")
    assert slider_value(page, "weight_growth") == 30
    no_exceptions(page, "Workshop after undo")
    assert "Traceback" not in streamlit_server.log(), streamlit_server.log()[-3000:]
