"""Profiles in a real browser (issue 15): define a profile on the Segments page, edit its
growth weight in the Workshop, and see only its accounts change in the export."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest
from playwright.sync_api import Page
from test_workshop_e2e import (
    RunWatcher,
    download,
    go_to,
    no_exceptions,
    press_on_slider,
    screenshot,
    settle,
    widget,
)

PROFILE = "Enterprise plans"


def choose(page: Page, watcher: RunWatcher, key: str, option: str) -> None:
    """Open a selectbox or multiselect by its key and pick one option by its text (a
    selectbox already showing it is left as it is: picking it again runs nothing)."""
    box = widget(page, key)
    if option in [*box.inner_text().splitlines(), box.locator("input").first.input_value()]:
        return
    box.locator("input").first.click()  # opening the list runs nothing
    pick = page.get_by_role("option", name=option, exact=True).first
    settle(page, watcher, pick.click, f"{key}: {option}")
    page.keyboard.press("Escape")


def exported(page: Page, folder: Path, name: str) -> pd.DataFrame:
    path = download(page, "download_csv", folder)
    frame = pd.read_csv(io.BytesIO(path.read_bytes()), dtype={"Account ID": str})
    path.rename(folder / name)
    return frame.set_index("Account ID").sort_index()


@pytest.mark.e2e
def test_editing_a_profile_changes_only_its_accounts(page: Page, streamlit_server, tmp_path):
    watcher = RunWatcher(page)
    settle(page, watcher, lambda: page.goto(streamlit_server.url), "opening the app")
    settle(
        page, watcher, lambda: widget(page, "use_sample").locator("button").first.click(), "sample"
    )

    go_to(page, watcher, "Segments")
    page.get_by_text("Define or change a profile").click()  # an expander runs nothing
    name = widget(page, "profile_name").locator("input")
    settle(page, watcher, lambda: (name.fill(PROFILE), name.press("Enter")), "profile name")
    choose(page, watcher, "profile_column", "Plan")
    choose(page, watcher, "profile_values", "Enterprise")
    save = widget(page, "profile_save").locator("button").first
    settle(page, watcher, save.click, "saving the profile")
    page.get_by_text(f"Profile {PROFILE} saved.").first.wait_for(state="visible")
    page.locator('[data-testid="stVegaLiteChart"]').first.wait_for(state="visible")
    no_exceptions(page, "Segments page")
    screenshot(page, "segments.png")

    go_to(page, watcher, "Accounts")
    before = exported(page, tmp_path, "before.csv")
    assert set(before["profile"]) == {PROFILE, "Default"}

    go_to(page, watcher, "Workshop")
    choose(page, watcher, "profile_edit", f"Profile {PROFILE}")
    assert press_on_slider(page, watcher, "weight_growth", "Home") == 0
    no_exceptions(page, "Workshop page")
    screenshot(page, "workshop-profile.png")

    go_to(page, watcher, "Accounts")
    after = exported(page, tmp_path, "after.csv")
    inside = (after["profile"] == PROFILE).to_numpy()
    changed = (before["priority"] != after["priority"]).to_numpy()
    assert changed[inside].any(), "editing the profile's weight changed none of its accounts"
    assert not changed[~inside].any(), "accounts outside the profile changed"
    assert (before["tier"][~inside] == after["tier"][~inside]).all()
    assert "Traceback" not in streamlit_server.log(), streamlit_server.log()[-3000:]
