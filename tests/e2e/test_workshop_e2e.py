"""The workshop in a real browser (issue 5): upload, move sliders, chart, exports, CLI parity.

Drives `streamlit run app.py` through Debian's Chromium with Playwright; widgets are found by
their stable keys (docs/interfaces.md section 6: Streamlit adds `st-key-<key>` to each widget's
container). Screenshots of every page land in `test-artifacts/screenshots/`.

Waiting: every action that makes Streamlit rerun goes through `settle()`, which watches the
app's websocket: it waits for a `script_finished` after the action (so a rerun that has not
started yet is not mistaken for idleness), for every started run to have finished and the
server to go quiet, and then for the page itself to say it is connected and idle.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from playwright.sync_api import Page

import segmentation as seg

REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO / "test-artifacts" / "screenshots"  # made by the `artifacts` fixture
SAMPLE_XLSX = REPO / "sample_data" / "accounts.xlsx"
TIERS = tuple(tier.name for tier in seg.default_config().tiers)  # top tier first
RERUN_TIMEOUT_S = 30
QUIET_S = 0.3  # no message from the server for this long: the reruns are over

IDLE_JS = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app) return false;
  const state = app.getAttribute('data-test-script-state');
  return app.getAttribute('data-test-connection-state') === 'CONNECTED'
    && state !== 'running' && state !== 'rerunRequested' && state !== 'initial'
    && !document.querySelector('[data-testid="stStatusWidgetRunningIcon"]');
}"""


# --- waiting for Streamlit ------------------------------------------------------------------


class RunWatcher:
    """Follows script runs (full and fragment runs alike) on the app's websocket.

    A run starts with a `new_session` message and ends with `script_finished`; the time of the
    last message tells when the server has gone quiet.
    """

    def __init__(self, page: Page) -> None:
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        self._forward_msg = ForwardMsg
        self.started = 0
        self.finished = 0
        self.last_message = time.monotonic()
        page.on("websocket", self._watch)

    def _watch(self, ws) -> None:
        if "/_stcore/stream" in ws.url:
            ws.on("framereceived", self._frame)

    def _frame(self, payload) -> None:
        self.last_message = time.monotonic()
        if isinstance(payload, str):
            return
        try:
            kind = self._forward_msg.FromString(payload).WhichOneof("type")
        except Exception:  # not a ForwardMsg: nothing to count
            return
        if kind == "new_session":
            self.started += 1
        elif kind == "script_finished":
            self.finished += 1


def wait_for_idle(page: Page, timeout_ms: int = 30_000) -> None:
    """The page is connected and no script run is under way or requested."""
    page.wait_for_function(IDLE_JS, timeout=timeout_ms)


def settle(page: Page, watcher: RunWatcher, action: Callable[[], object], what: str) -> None:
    """Do `action`; wait for the rerun(s) it causes to finish and the server to go quiet."""
    before = watcher.finished
    action()
    deadline = time.monotonic() + RERUN_TIMEOUT_S
    while not (
        watcher.finished > before
        and watcher.finished >= watcher.started
        and time.monotonic() - watcher.last_message > QUIET_S
    ):
        if time.monotonic() > deadline:
            pytest.fail(
                f"{what}: Streamlit did not finish its rerun within {RERUN_TIMEOUT_S} s "
                f"({watcher.started} runs started, {watcher.finished} finished)"
            )
        page.wait_for_timeout(50)  # lets Playwright deliver the websocket events
    wait_for_idle(page)


def no_exceptions(page: Page, where: str) -> None:
    shown = page.locator('[data-testid="stException"]')
    if shown.count():
        pytest.fail(f"{where} shows an exception:\n{shown.first.inner_text()[:2000]}")


# --- reading and driving widgets ------------------------------------------------------------


def widget(page: Page, key: str):
    """The container Streamlit marks with the widget's key; fails clearly when it is missing."""
    found = page.locator(f".st-key-{key}")
    try:
        found.first.wait_for(state="visible", timeout=10_000)
    except Exception:
        pytest.fail(f"no widget with key {key!r} (.st-key-{key}) on {page.url}")
    return found.first


def go_to(page: Page, watcher: RunWatcher, title: str) -> None:
    """Follow the sidebar's navigation link (a URL load would start a new, empty session)."""
    link = page.locator('[data-testid="stSidebarNav"] a').filter(
        has=page.get_by_text(title, exact=True)  # the link also holds its icon's name
    )
    if link.count() != 1:
        pytest.fail(f"expected one sidebar link to {title!r}, found {link.count()}")
    settle(page, watcher, link.click, f"opening {title}")
    page.locator('[data-testid="stHeading"]', has_text=title).first.wait_for(state="visible")


def tier_counts(page: Page) -> dict[str, int]:
    """Accounts per tier, from the metric cards whose labels are the tier names."""
    counts: dict[str, int] = {}
    for card in page.locator('[data-testid="stMetric"]').all():
        label = card.locator('[data-testid="stMetricLabel"]').inner_text().strip()
        if label in TIERS:
            value = card.locator('[data-testid="stMetricValue"]').inner_text()
            counts[label] = int(re.sub(r"[^\d]", "", value))
    if set(counts) != set(TIERS):
        pytest.fail(f"tier metric cards {sorted(counts)} are not the tiers {list(TIERS)}")
    return counts


def slider_thumb(page: Page, key: str):
    """The slider's thumb: a (visually hidden) range input, role slider, that takes the keys."""
    return widget(page, key).get_by_role("slider").first


def slider_value(page: Page, key: str) -> float:
    return float(slider_thumb(page, key).input_value())


def press_on_slider(page: Page, watcher: RunWatcher, key: str, *keys: str) -> float:
    """Focus the slider's thumb and press the keys, one rerun each; the slider's new value.

    One key at a time: a burst of presses interrupts reruns mid-way, which is a different test.
    """
    thumb = slider_thumb(page, key)
    before = slider_value(page, key)
    for name in keys:
        settle(page, watcher, lambda name=name: (thumb.focus(), page.keyboard.press(name)), key)
    after = slider_value(page, key)
    assert after != before, f"{key} did not move with {keys} (still {before})"
    return after


APP_HEIGHT_JS = """() => Math.max(document.documentElement.scrollHeight,
    ...[...document.querySelectorAll('[data-testid="stMain"]')].map(e => e.scrollHeight))"""


def screenshot(page: Page, name: str) -> Path:
    """A full-page screenshot. The app scrolls inside `stMain`, not the document, so the
    viewport grows until it holds all of the content (which may grow as it lays out)."""
    path = SCREENSHOTS / name
    viewport = page.viewport_size
    try:
        for _ in range(6):
            height = min(page.evaluate(APP_HEIGHT_JS), 8000)
            if height <= page.viewport_size["height"]:
                break
            page.set_viewport_size({"width": viewport["width"], "height": height})
            page.wait_for_timeout(400)  # charts and tables re-lay out at the new size
        page.screenshot(path=str(path), full_page=True, animations="disabled")
    finally:
        page.set_viewport_size(viewport)
    return path


def download(page: Page, key: str, folder: Path) -> Path:
    """Click a download button (its data is built on the click) and keep the file."""
    button = widget(page, key).locator("button, a").first
    with page.expect_download() as info:
        button.click()
    target = folder / info.value.suggested_filename
    info.value.save_as(target)
    wait_for_idle(page)
    assert target.stat().st_size > 0, f"{key} downloaded an empty file"
    return target


def tiers_by_account(frame: pd.DataFrame, what: str) -> pd.Series:
    """account id -> tier, from an export (canonical or original column names)."""
    id_col = next((c for c in ("account_id", "Account ID") if c in frame.columns), None)
    tier_col = next((c for c in ("tier", "Tier") if c in frame.columns), None)
    assert id_col and tier_col, f"{what}: no account id / tier column in {list(frame.columns)}"
    ids = frame[id_col].astype(str).str.strip()
    assert not ids.duplicated().any(), f"{what}: duplicate account ids {ids[ids.duplicated()]}"
    return pd.Series(frame[tier_col].astype(str).to_numpy(), index=ids.to_numpy()).sort_index()


# --- the flow -------------------------------------------------------------------------------


def open_with_the_sample(page: Page, watcher: RunWatcher, url: str) -> None:
    """Open the app and upload the sample workbook through the real uploader (websocket)."""
    settle(page, watcher, lambda: page.goto(url), "opening the app")
    page.locator('[data-testid="stSidebarNav"]').wait_for(state="visible")
    upload = widget(page, "upload").locator('input[type="file"]')
    settle(page, watcher, lambda: upload.set_input_files(str(SAMPLE_XLSX)), "uploading")
    page.get_by_text(f"Using {SAMPLE_XLSX.name}").first.wait_for(state="visible")


@pytest.mark.e2e
def test_workshop_in_a_real_browser(page: Page, streamlit_server, tmp_path: Path) -> None:
    book = pd.read_excel(SAMPLE_XLSX, engine="calamine")
    account_ids = set(book["Account ID"].astype(str).str.strip())
    assert len(account_ids) == len(book) > 0
    watcher = RunWatcher(page)

    open_with_the_sample(page, watcher, streamlit_server.url)  # the real uploader
    no_exceptions(page, "Data page")

    # Workshop: counts add up; the growth weight and the top cut-off move them.
    go_to(page, watcher, "Workshop")
    counts = tier_counts(page)
    assert sum(counts.values()) == len(book), f"tier counts {counts} vs {len(book)} accounts"

    assert press_on_slider(page, watcher, "weight_growth", "Home") == 0
    after_weight = tier_counts(page)
    assert after_weight != counts, f"growth weight 0 left the tier counts at {counts}"
    assert sum(after_weight.values()) == len(book)

    high, mid = slider_value(page, "threshold_high"), slider_value(page, "threshold_mid")
    assert press_on_slider(page, watcher, "threshold_high", *["ArrowRight"] * 5) > high
    assert slider_value(page, "threshold_mid") == mid, "raising threshold_high moved threshold_mid"
    after_cut = tier_counts(page)
    top = TIERS[0]
    assert after_cut[top] <= after_weight[top], f"{top} grew as its cut-off rose: {after_cut}"
    assert sum(after_cut.values()) == len(book)

    charts = page.locator('[data-testid="stVegaLiteChart"]')
    charts.first.wait_for(state="visible")
    drawn = page.locator(
        '[data-testid="stVegaLiteChart"] canvas, [data-testid="stVegaLiteChart"] svg'
    )
    drawn.first.wait_for(state="visible")
    no_exceptions(page, "Workshop page")
    screenshot(page, "workshop.png")

    # Accounts: both exports hold every account with the tiers the CLI gives.
    go_to(page, watcher, "Accounts")
    no_exceptions(page, "Accounts page")
    screenshot(page, "accounts.png")
    csv_path = download(page, "download_csv", tmp_path)
    xlsx_path = download(page, "download_xlsx", tmp_path)
    settings_path = download(page, "download_settings", tmp_path)
    no_exceptions(page, "Accounts page after the downloads")

    from_csv = tiers_by_account(pd.read_csv(csv_path, dtype=str, encoding="utf-8-sig"), "CSV")
    xlsx = pd.read_excel(io.BytesIO(xlsx_path.read_bytes()), sheet_name=0, engine="calamine")
    from_xlsx = tiers_by_account(xlsx, "XLSX")
    for what, tiers in (("CSV", from_csv), ("XLSX", from_xlsx)):
        missing, extra = account_ids - set(tiers.index), set(tiers.index) - account_ids
        assert not missing and not extra, (
            f"the {what} export does not hold every account: {len(missing)} missing "
            f"{sorted(missing)[:5]}, {len(extra)} unknown {sorted(extra)[:5]}"
        )
    assert from_csv.equals(from_xlsx), "CSV and XLSX exports disagree on tiers"
    exported_counts = from_csv.value_counts().reindex(TIERS, fill_value=0).to_dict()
    assert exported_counts == after_cut, "the exports' tier counts differ from the tier cards"

    cli_csv = tmp_path / "cli.csv"
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "segmentation",
            "score",
            str(SAMPLE_XLSX),
            "--out",
            str(cli_csv),
            "--config",
            str(settings_path),
            "--as-of",
            dt.date.today().isoformat(),
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 0, f"CLI failed ({run.returncode}):\n{run.stderr}"
    from_cli = tiers_by_account(pd.read_csv(cli_csv, dtype=str, encoding="utf-8-sig"), "CLI")
    differ = from_cli.compare(from_csv) if set(from_cli.index) == set(from_csv.index) else None
    assert set(from_cli.index) == account_ids, "the CLI output does not hold every account"
    assert differ is not None and differ.empty, f"the app and the CLI disagree:\n{differ}"

    # Back on Data, the book is still the session's (its screenshot has the sidebar up to date).
    go_to(page, watcher, "Data")
    page.get_by_text(f"Using {SAMPLE_XLSX.name}").first.wait_for(state="visible")
    no_exceptions(page, "Data page")
    screenshot(page, "data.png")

    # Movement: last quarter's sample snapshot, then the page with its matrix and flow chart.
    settle(page, watcher, lambda: widget(page, "use_previous_sample").click(), "adding a snapshot")
    go_to(page, watcher, "Movement")
    page.get_by_text("Moved up").first.wait_for(state="visible")
    page.locator('[data-testid="stVegaLiteChart"]').first.wait_for(state="visible")
    no_exceptions(page, "Movement page")
    screenshot(page, "movement.png")

    assert "Traceback" not in streamlit_server.log(), streamlit_server.log()[-3000:]
