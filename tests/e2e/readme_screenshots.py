"""The README's screenshots, at a projector's 1280x720: `python tests/e2e/readme_screenshots.py`.

Starts `streamlit run app.py` on a free loopback port, drives Debian's Chromium through the
sample book (and last quarter's snapshot, for the Movement page), and writes what each page
shows above the fold into docs/screenshots/ (workshop.png, data.png, accounts.png,
movement.png). Re-run it after a layout change; the server is always stopped.
"""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parents[1])]  # these helpers, and the app's packages
from conftest import CHROMIUM, CHROMIUM_ARGS, REPO, _free_port, _stop  # noqa: E402
from test_workshop_e2e import RunWatcher, go_to, settle, widget  # noqa: E402

OUT = REPO / "docs" / "screenshots"
SIZE = {"width": 1280, "height": 720}
PAGES = ("Workshop", "Data", "Accounts", "Movement")


def _serve() -> tuple[subprocess.Popen, str]:
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true",
         "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"],
        cwd=REPO, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    for _ in range(240):
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.read().decode().strip() == "ok":
                    return proc, url
        except OSError:
            time.sleep(0.25)
    _stop(proc)
    raise SystemExit("streamlit did not start within a minute")


def take(page, watcher: RunWatcher, title: str) -> Path:
    go_to(page, watcher, title)
    page.wait_for_timeout(1500)  # charts and tables finish their layout
    path = OUT / f"{title.lower()}.png"
    page.screenshot(path=str(path), animations="disabled")  # the viewport: above the fold
    return path


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    proc, url = _serve()
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
            )
            page = browser.new_context(viewport=SIZE).new_page()
            page.set_default_timeout(30_000)
            watcher = RunWatcher(page)
            settle(page, watcher, lambda: page.goto(url), "opening the app")
            settle(page, watcher, lambda: widget(page, "use_sample").click(), "the sample")
            settle(page, watcher, lambda: widget(page, "use_previous_sample").click(), "snapshot")
            for title in PAGES:
                print(take(page, watcher, title).relative_to(REPO))
            browser.close()
    finally:
        _stop(proc)


if __name__ == "__main__":
    main()
