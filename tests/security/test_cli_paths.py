"""Issue 17 item 10: the CLI refuses paths that would destroy or hang, and says a full disk."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
ACCOUNTS = "Account ID,Account Name,ARR\nA-1,Acme,1200\nA-2,Beta,900\n"


def _score(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "segmentation", "score", *args],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=REPO,
        env={**os.environ, **(env or {})},
    )


def _one_error_line(done: subprocess.CompletedProcess, *words: str) -> None:
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith("error: ") and done.stderr.count("\n") == 1, done.stderr
    assert "Traceback" not in done.stderr
    for word in words:
        assert word in done.stderr


@pytest.fixture
def book(tmp_path) -> Path:
    path = tmp_path / "accounts.csv"
    path.write_text(ACCOUNTS)
    return path


@pytest.mark.parametrize("spelling", ["same", "dotted", "symlink"])
def test_out_equal_to_the_input_is_refused(book: Path, spelling: str) -> None:
    out = {"same": str(book), "dotted": str(book.parent / "." / book.name)}.get(spelling)
    if spelling == "symlink":
        out = str(book.parent / "link.csv")
        os.symlink(book, out)
    done = _score(str(book), "--out", out)
    _one_error_line(done, "same file as INPUT")
    assert book.read_text() == ACCOUNTS


def test_out_equal_to_previous_is_refused(book: Path, tmp_path: Path) -> None:
    previous = tmp_path / "previous.csv"
    assert _score(str(book), "--out", str(previous)).returncode == 0
    before = previous.read_bytes()
    done = _score(str(book), "--out", str(previous), "--previous", str(previous))
    _one_error_line(done, "same file as --previous")
    assert previous.read_bytes() == before


@pytest.mark.parametrize("option", ["--config", "INPUT", "--previous"])
def test_fifo_is_refused_not_waited_on(book: Path, tmp_path: Path, option: str) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    args = {
        "--config": [str(book), "--config", str(fifo)],
        "INPUT": [str(fifo)],
        "--previous": [str(book), "--previous", str(fifo)],
    }[option]
    done = _score(*args, "--out", str(tmp_path / "out.csv"))  # the old CLI hung here
    _one_error_line(done, "not a regular file", option)


def test_device_is_refused(tmp_path: Path) -> None:
    _one_error_line(_score("/dev/zero", "--out", str(tmp_path / "o.csv")), "not a regular file")


FULL_DISK = textwrap.dedent(
    """
    import errno, os, tempfile
    _real = tempfile.mkstemp
    def mkstemp(*args, **kwargs):
        fd, name = _real(*args, **kwargs)
        if os.path.basename(name).startswith(".out."):
            os.dup2(os.open("/dev/full", os.O_WRONLY), fd)  # every write: ENOSPC
        return fd, name
    tempfile.mkstemp = mkstemp
    """
)


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_full_disk_is_one_error_line(book: Path, tmp_path: Path, suffix: str) -> None:
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(FULL_DISK)
    out = tmp_path / f"out{suffix}"
    done = _score(str(book), "--out", str(out), env={"PYTHONPATH": f"{site}:{REPO}"})
    _one_error_line(done, "No space left on device")
    assert not out.exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".out")] == []
