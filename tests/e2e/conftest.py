"""Fixtures of the real-browser test: a `streamlit run app.py` server and Debian's Chromium.

The server runs on a free loopback port in its own process group and is always stopped
(pass or fail). Chromium is Debian's (`/usr/bin/chromium`, `apt-get install -y chromium`):
Playwright's own browser download does not work here, so a missing binary is a failure with
a clear message, never a silent skip.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts"  # ignored by git
SCREENSHOTS = ARTIFACTS / "screenshots"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-quic",
    "--disable-sync",
]
VIEWPORT = {"width": 1400, "height": 1000}
HEALTH_TIMEOUT_S = 60


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no server log)"


def _stop(proc: subprocess.Popen) -> None:
    """Stop the server's whole process group: SIGTERM, then SIGKILL if it lingers."""
    if proc.poll() is not None:
        return
    for sig, grace in ((signal.SIGTERM, 10), (signal.SIGKILL, 5)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=grace)
            return
        except subprocess.TimeoutExpired:
            continue


class StreamlitServer:
    def __init__(self, url: str, log_path: Path, proc: subprocess.Popen) -> None:
        self.url = url
        self.log_path = log_path
        self.proc = proc

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


@pytest.fixture(scope="module")
def artifacts() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="module")
def chromium_path() -> Path:
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        pytest.fail(
            f"Chromium not found at {CHROMIUM}: the real-browser test needs Debian's chromium "
            "(`apt-get install -y chromium`; .ci/run installs it). Playwright's own browser "
            "download does not work here.",
            pytrace=False,
        )
    return CHROMIUM


@pytest.fixture(scope="module")
def streamlit_server(artifacts: Path) -> Iterator[StreamlitServer]:
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    log_path = artifacts / "streamlit-server.log"
    env = {k: v for k, v in os.environ.items() if k != "TIERWISE_SAMPLE"}  # start empty
    env["PYTHONUNBUFFERED"] = "1"
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        "app.py",
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
        "--server.fileWatcherType",
        "none",
    ]
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            command,
            cwd=REPO,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, stopped as a whole
        )
    try:
        deadline = time.monotonic() + HEALTH_TIMEOUT_S
        while True:
            if proc.poll() is not None:
                pytest.fail(
                    f"streamlit exited with code {proc.returncode} before it was healthy:\n"
                    f"{_tail(log_path)}",
                    pytrace=False,
                )
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                    if response.read().decode().strip() == "ok":
                        break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            if time.monotonic() > deadline:
                pytest.fail(
                    f"streamlit was not healthy at {url}/_stcore/health within "
                    f"{HEALTH_TIMEOUT_S} s:\n{_tail(log_path)}",
                    pytrace=False,
                )
            time.sleep(0.25)
        yield StreamlitServer(url, log_path, proc)
    finally:
        _stop(proc)


@pytest.fixture(scope="module")
def browser(chromium_path: Path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(chromium_path), args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield browser
        finally:
            browser.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


@pytest.fixture
def page(request, browser, artifacts: Path):
    """A fresh browser context (downloads accepted); a screenshot is kept when the test fails."""
    context = browser.new_context(viewport=VIEWPORT, accept_downloads=True)
    context.set_default_timeout(20_000)
    page = context.new_page()
    try:
        yield page
    finally:
        failed = getattr(request.node, "rep_call", None)
        if failed is not None and failed.failed:
            try:
                page.screenshot(path=str(artifacts / "failure.png"), full_page=True)
            except Exception as exc:  # the page may be gone; the test's own error matters
                print(f"(no failure screenshot: {exc})")
        context.close()
