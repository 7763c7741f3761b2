"""Issue 17 item 9: neither the server nor the page asks anything of the outside world."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import textwrap
import time
import urllib.request
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

REPO = Path(__file__).resolve().parents[2]
LOCAL = ("localhost", "127.0.0.1", "::1", "0.0.0.0", "::", "", None)

RECORDER = textwrap.dedent(
    """
    import os, socket
    _log = os.environ["TIERWISE_NET_LOG"]
    _getaddrinfo, _connect = socket.getaddrinfo, socket.socket.connect
    def _note(what):
        with open(_log, "a") as handle:
            handle.write(what + "\\n")
    def getaddrinfo(host, *args, **kwargs):
        if host not in {local!r}:
            _note(f"resolve {{host}}")
        return _getaddrinfo(host, *args, **kwargs)
    def connect(self, address):
        if isinstance(address, tuple) and address[0] not in {local!r}:
            _note(f"connect {{address}}")
        return _connect(self, address)
    socket.getaddrinfo, socket.socket.connect = getaddrinfo, connect
    """
).format(local=LOCAL)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_healthy(url: str, server: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError(f"the server stopped: {server.stderr.read()}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise AssertionError("the server did not start")


def test_server_start_and_page_load_make_no_outbound_request(tmp_path: Path) -> None:
    """The old config made Streamlit ask checkip.amazonaws.com for the external IP."""
    (tmp_path / "sitecustomize.py").write_text(RECORDER)
    log = tmp_path / "net.log"
    log.write_text("")
    port = _free_port()
    env = {
        **os.environ,
        "PYTHONPATH": f"{tmp_path}:{REPO}",
        "TIERWISE_NET_LOG": str(log),
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port)],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        _wait_healthy(url, server)
        with urllib.request.urlopen(url, timeout=10) as page:
            html = page.read().decode("utf-8", "replace")
        time.sleep(2)  # the external-IP probe runs right after start-up
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert "<html" in html.lower()
    assert log.read_text() == ""


def test_page_icon_is_a_local_file(monkeypatch: pytest.MonkeyPatch) -> None:
    """A ":material/..." icon makes the browser fetch it from a font CDN."""
    seen: dict = {}
    real = st.set_page_config

    def record(*args, **kwargs):
        seen.update(kwargs)
        return real(*args, **kwargs)

    monkeypatch.setattr(st, "set_page_config", record)
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=60)
    at.run()
    icon = seen["page_icon"]
    assert not str(icon).startswith((":", "http")), icon
    assert Path(icon).is_file() and Path(icon).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
