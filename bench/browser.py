"""Key press -> new tier counts in a real browser, at 100k accounts (a benchmark, not a test).

    python -m bench browser                 # 100,000 accounts, 9 key presses
    python -m bench browser 20000 --presses 5
    python -m bench browser --against /path/to/other/checkout --presses 25   # paired A/B

Starts `streamlit run app.py` on a free port, opens it in Debian's Chromium through
Playwright, uploads a generated book (a synthetic CSV in a temporary folder), opens the
Workshop and presses ArrowRight / ArrowLeft on the growth-weight slider, one at a time. For
each press it times, from the key press: the tier counts on the page changing ("counts"),
and the page going idle with every panel redrawn ("redraw"). Prints the medians and the
server's own share, from its websocket messages: when the first tier-count delta left the
server ("counts sent") and when the run finished ("run done"). The server runs with
TIERWISE_TIMING=1 (ui/timing.py): each Workshop part's own time is read back from its log
and printed as a median per part ("--parts" prints them).

The waiting and widget helpers are the real-browser test's (tests/e2e), so the benchmark
drives the page the way the test does.

`--against DIR` runs a second server from another checkout (e.g. a worktree of main) on the
same book, in a second page of the same browser, and alternates the presses (this one, the
other, this one...): on a shared machine the two are measured under the same load, and the
medians compare.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import defaultdict
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
COUNTS_JS = """() => [...document.querySelectorAll('[data-testid="stMetric"]')]
  .map(card => card.innerText).join('|')"""
TIMING_ENV = "TIERWISE_TIMING"  # ui/timing.py: the server logs each Workshop part's time
TIMING_PREFIX = "tierwise-timing"


def start_server(port: int, log: Path, repo: Path = REPO) -> subprocess.Popen:
    command = [
        sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
        "--server.address", "127.0.0.1", "--server.headless", "true",
        "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none",
    ]  # fmt: skip
    env = {k: v for k, v in os.environ.items() if k != "TIERWISE_SAMPLE"}
    env[TIMING_ENV] = "1"
    env["PYTHONPATH"] = str(repo)  # that checkout's modules, whatever this one's path says
    with log.open("wb") as out:
        proc = subprocess.Popen(
            command, cwd=repo, env=env, stdout=out, stderr=subprocess.STDOUT,
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


PAGE_CLOCK_JS = """(() => {
  window.__tw = {arrivals: [], keydown: null, counts: null};
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      if (String(args[0]).includes("/_stcore/stream")) {
        this.addEventListener("message", () => window.__tw.arrivals.push(performance.now()));
      }
    }
  };
  document.addEventListener("keydown", () => { window.__tw.keydown = performance.now(); }, true);
})();"""  # the page's own clock: the key press and when each server message reached the page
COUNTS_CHANGED_JS = f"""(b) => {{
  if (({COUNTS_JS})() === b) return false;
  window.__tw.counts = performance.now();
  return true;
}}"""


class Messages:
    """The server's messages in the order they came (each one's kind), to find in the page's
    clock when the first tier-count (st.metric) delta and the end of the run arrived."""

    def __init__(self, page) -> None:
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        self._forward_msg = ForwardMsg
        self.kinds: list[str] = []
        page.on("websocket", self._watch)

    def _watch(self, ws) -> None:
        if "/_stcore/stream" in ws.url:
            ws.on("framereceived", self._frame)

    def _frame(self, payload) -> None:
        kind = "text"
        if not isinstance(payload, str):
            try:
                msg = self._forward_msg.FromString(payload)
                kind = msg.WhichOneof("type") or "none"
                if kind == "delta" and msg.delta.new_element.WhichOneof("type") == "metric":
                    kind = "metric"
            except Exception:  # not a ForwardMsg
                kind = "other"
        self.kinds.append(kind)

    def first(self, kind: str, since: int) -> int | None:
        return next((i for i in range(since, len(self.kinds)) if self.kinds[i] == kind), None)


def parts_from_log(log: Path, first_run: int) -> dict[str, dict[str, float]]:
    """Median time and median end (ms from the run's start) of each timed Workshop part, over
    the runs numbered above `first_run`."""
    spans: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for line in log.read_text(errors="replace").splitlines():
        if not line.startswith(TIMING_PREFIX):
            continue
        _, run, *words, begin, end = line.split()
        if int(run) > first_run:
            spans[" ".join(words)].append((float(begin), float(end)))
    return {
        part: {
            "ms": statistics.median(e - b for b, e in got),
            "ends_at": statistics.median(e for _, e in got),
        }
        for part, got in spans.items()
    }


def last_run(log: Path) -> int:
    runs = [line.split()[1] for line in log.read_text(errors="replace").splitlines()
            if line.startswith(TIMING_PREFIX)]  # fmt: skip
    return max(map(int, runs), default=0)


def median_ms(values: list[float | None]) -> float:
    got = [v for v in values if v is not None]
    return statistics.median(got) if got else float("nan")


def press_and_time(page, thumb, messages: Messages, key: str) -> dict[str, float | None]:
    """One key press on the slider, in the page's clock (ms from the key press): the first
    message of the run reaching the page, the tier counts' message, the counts changed on the
    page, the run's end message, and the page idle again."""
    from tests.e2e import test_workshop_e2e as e2e

    before = page.evaluate(COUNTS_JS)
    thumb.focus()
    seen = len(messages.kinds)
    page.evaluate("() => { window.__tw.counts = null; }")
    page.keyboard.press(key)
    with contextlib.suppress(Exception):  # the counts did not change on this step
        page.wait_for_function(COUNTS_CHANGED_JS, arg=before, polling="raf", timeout=10_000)
    e2e.wait_for_idle(page, 120_000)
    idle = page.evaluate("() => performance.now()")
    page.wait_for_timeout(300)  # the server goes quiet before the next press
    clock = page.evaluate("() => window.__tw")
    arrivals, pressed = clock["arrivals"], clock["keydown"]

    def at(index: int | None) -> float | None:
        if index is None or index >= len(arrivals):
            return None
        return arrivals[index] - pressed

    return {
        "first_message": at(seen if seen < len(messages.kinds) else None),
        "counts_sent": at(messages.first("metric", seen)),
        "counts": None if clock["counts"] is None else clock["counts"] - pressed,
        "run_done": at(messages.first("script_finished", seen)),
        "redraw": idle - pressed,
    }


def open_workshop(browser, port: int, book: Path) -> tuple[Any, Any, Messages, float]:
    """A page of `browser` on the server at `port`, the book uploaded, the Workshop open:
    (page, growth-weight slider thumb, its messages, upload seconds)."""
    from tests.e2e import test_workshop_e2e as e2e
    from tests.e2e.conftest import VIEWPORT

    page = browser.new_context(viewport=VIEWPORT).new_page()
    page.add_init_script(PAGE_CLOCK_JS)
    page.set_default_timeout(120_000)
    watcher = e2e.RunWatcher(page)
    messages = Messages(page)
    url = f"http://127.0.0.1:{port}"
    e2e.settle(page, watcher, lambda: page.goto(url), "opening the app")
    upload = e2e.widget(page, "upload").locator('input[type="file"]')
    start = time.perf_counter()
    e2e.settle(page, watcher, lambda: upload.set_input_files(str(book)), "upload")
    upload_s = time.perf_counter() - start
    e2e.go_to(page, watcher, "Workshop")
    return page, e2e.slider_thumb(page, "weight_growth"), messages, upload_s


def summary(rows: int, presses_seen: list[dict], upload_s: float, parts: dict) -> dict:
    return {
        "rows": rows,
        "presses": len(presses_seen),
        "counts_ms": median_ms([p["counts"] for p in presses_seen]),
        "counts_changed": sum(p["counts"] is not None for p in presses_seen),
        "redraw_ms": median_ms([p["redraw"] for p in presses_seen]),
        "first_message_ms": median_ms([p["first_message"] for p in presses_seen]),
        "counts_sent_ms": median_ms([p["counts_sent"] for p in presses_seen]),
        "run_done_ms": median_ms([p["run_done"] for p in presses_seen]),
        "upload_ms": upload_s * 1000,
        "parts": parts,
    }


def measure(rows: int, presses: int, repos: tuple[Path, ...] = (REPO,)) -> list[dict]:
    """One summary per checkout in `repos`, each served by its own server; the presses
    alternate between them (the first press on each warms the caches up)."""
    from playwright.sync_api import sync_playwright

    from segmentation.sample import generate_accounts, to_crm_headers, write_book
    from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, _free_port, _stop

    with tempfile.TemporaryDirectory() as folder:
        book = Path(folder) / "book.csv"
        write_book(to_crm_headers(generate_accounts(rows, seed=1)), book)
        servers, logs = [], []
        try:
            for i, repo in enumerate(repos):
                port, log = _free_port(), Path(folder) / f"server{i}.log"
                servers.append((start_server(port, log, repo), port))
                logs.append(log)
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
                )
                sides = [open_workshop(browser, port, book) for _, port in servers]
                seen: list[list[dict]] = [[] for _ in sides]
                first_runs = [0] * len(sides)
                for i in range(presses + 1):
                    key = "ArrowRight" if i % 2 == 0 else "ArrowLeft"
                    for side, (page, thumb, messages, _) in enumerate(sides):
                        if i == 1:
                            first_runs[side] = last_run(logs[side])
                        page.bring_to_front()
                        got = press_and_time(page, thumb, messages, key)
                        if i:
                            seen[side].append(got)
                browser.close()
        finally:
            for proc, _ in servers:
                _stop(proc)
        return [
            summary(rows, got, side[3], parts_from_log(log, first_run))
            for got, side, log, first_run in zip(seen, sides, logs, first_runs, strict=True)
        ]


def print_parts(parts: dict[str, dict[str, float]]) -> None:
    print("server time per Workshop part (median ms; ends at: ms from the run's start)")
    for part, got in sorted(parts.items(), key=lambda item: item[1]["ends_at"]):
        print(f"  {part:<20} {got['ms']:>8.1f} ms   ends at {got['ends_at']:>8.1f} ms")


def print_summary(got: dict, parts: bool) -> None:
    print(
        f"{got['rows']:,} accounts, {got['presses']} key presses on the growth weight: "
        f"new counts {got['counts_ms']:,.0f} ms (median of the {got['counts_changed']} presses "
        f"that changed them), page idle {got['redraw_ms']:,.0f} ms (median); "
        f"upload to idle {got['upload_ms']:,.0f} ms"
    )
    print(
        f"in the page, after the key press (medians): the run's first message "
        f"{got['first_message_ms']:,.0f} ms, the counts' message {got['counts_sent_ms']:,.0f} ms, "
        f"the run's end message {got['run_done_ms']:,.0f} ms"
    )
    if parts:
        print_parts(got["parts"])


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench browser")
    parser.add_argument("rows", type=int, nargs="?", default=100_000)
    parser.add_argument("--presses", type=int, default=9)
    parser.add_argument("--parts", action="store_true", help="print each part's server time")
    parser.add_argument(
        "--against", type=Path, help="another checkout: its server too, presses alternated"
    )
    options = parser.parse_args(argv)
    repos = (REPO,) if options.against is None else (REPO, options.against.resolve())
    print(f"load average before: {os.getloadavg()[0]:.2f}")
    for repo, got in zip(repos, measure(options.rows, options.presses, repos), strict=True):
        if len(repos) > 1:
            print(f"== {repo}")
        print_summary(got, options.parts)
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    return 0
