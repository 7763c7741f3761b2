"""Key press -> new tier counts in a real browser, at 100k accounts (a benchmark, not a test).

    python -m bench browser                 # 100,000 accounts, 9 key presses
    python -m bench browser 20000 --presses 5

Starts `streamlit run app.py` on a free port, opens it in Debian's Chromium through
Playwright, uploads a generated book (a synthetic CSV in a temporary folder), opens the
Workshop and presses ArrowRight / ArrowLeft on the growth-weight slider, one at a time. For
each press it times, from the key press: the tier counts on the page changing ("counts"),
and the page going idle with every panel redrawn ("redraw"). Prints the medians and the
server's own share (the script run, from its websocket messages).

The waiting and widget helpers are the real-browser test's (tests/e2e), so the benchmark
drives the page the way the test does.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
COUNTS_JS = """() => [...document.querySelectorAll('[data-testid="stMetric"]')]
  .map(card => card.innerText).join('|')"""


def start_server(port: int, log: Path) -> subprocess.Popen:
    command = [
        sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
        "--server.address", "127.0.0.1", "--server.headless", "true",
        "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none",
    ]  # fmt: skip
    env = {k: v for k, v in os.environ.items() if k != "TIERWISE_SAMPLE"}
    with log.open("wb") as out:
        proc = subprocess.Popen(
            command, cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, start_new_session=True,
        )  # fmt: skip
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2):
                return proc
        except OSError:
            time.sleep(0.25)
    raise RuntimeError(f"streamlit did not start: see {log}")


def measure(rows: int, presses: int) -> dict[str, float]:
    from playwright.sync_api import sync_playwright

    from segmentation.sample import generate_accounts, to_crm_headers, write_book
    from tests.e2e import test_workshop_e2e as e2e
    from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, VIEWPORT, _free_port, _stop

    with tempfile.TemporaryDirectory() as folder:
        book = Path(folder) / "book.csv"
        write_book(to_crm_headers(generate_accounts(rows, seed=1)), book)
        port = _free_port()
        proc = start_server(port, Path(folder) / "server.log")
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
                )
                page = browser.new_context(viewport=VIEWPORT).new_page()
                page.set_default_timeout(120_000)
                watcher = e2e.RunWatcher(page)
                url = f"http://127.0.0.1:{port}"
                e2e.settle(page, watcher, lambda: page.goto(url), "opening the app")
                upload = e2e.widget(page, "upload").locator('input[type="file"]')
                start = time.perf_counter()
                e2e.settle(page, watcher, lambda: upload.set_input_files(str(book)), "upload")
                upload_s = time.perf_counter() - start
                e2e.go_to(page, watcher, "Workshop")
                thumb = e2e.slider_thumb(page, "weight_growth")
                counts, redraws = [], []
                for i in range(presses + 1):  # the first press warms the caches up
                    before = page.evaluate(COUNTS_JS)
                    thumb.focus()
                    start = time.perf_counter()
                    page.keyboard.press("ArrowRight" if i % 2 == 0 else "ArrowLeft")
                    try:
                        page.wait_for_function(
                            f"(b) => ({COUNTS_JS})() !== b", arg=before, polling="raf",
                            timeout=10_000,
                        )  # fmt: skip
                        changed = time.perf_counter() - start
                    except Exception:  # the counts did not change on this step
                        changed = None
                    e2e.wait_for_idle(page, 120_000)
                    done = time.perf_counter() - start
                    page.wait_for_timeout(300)  # the server goes quiet before the next press
                    if i:
                        redraws.append(done)
                        if changed is not None:
                            counts.append(changed)
                browser.close()
        finally:
            _stop(proc)
    return {
        "rows": rows,
        "presses": len(redraws),
        "counts_ms": statistics.median(counts) * 1000 if counts else float("nan"),
        "counts_changed": len(counts),
        "redraw_ms": statistics.median(redraws) * 1000,
        "upload_ms": upload_s * 1000,
    }


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench browser")
    parser.add_argument("rows", type=int, nargs="?", default=100_000)
    parser.add_argument("--presses", type=int, default=9)
    options = parser.parse_args(argv)
    print(f"load average before: {os.getloadavg()[0]:.2f}")
    got = measure(options.rows, options.presses)
    print(
        f"{got['rows']:,} accounts, {got['presses']} key presses on the growth weight: "
        f"new counts {got['counts_ms']:,.0f} ms (median of the {got['counts_changed']} presses "
        f"that changed them), page idle {got['redraw_ms']:,.0f} ms (median); "
        f"upload to idle {got['upload_ms']:,.0f} ms"
    )
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    return 0
