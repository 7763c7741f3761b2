"""The project's promises: lint-clean, documented, and the README's commands are the real ones."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from segmentation.cli import build_parser
from segmentation.columns import CANONICAL_NAMES

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _ruff(*args: str) -> subprocess.CompletedProcess:
    ruff = shutil.which("ruff")
    command = [ruff] if ruff else [sys.executable, "-m", "ruff"]
    return subprocess.run([*command, *args], cwd=ROOT, capture_output=True, text=True)


def test_ruff_check_is_clean():
    done = _ruff("check", ".")
    assert done.returncode == 0, done.stdout + done.stderr


def test_ruff_format_is_clean():
    done = _ruff("format", "--check", ".")
    assert done.returncode == 0, done.stdout + done.stderr


def test_ci_runs_exactly_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text()
    readme_command = re.search(r"which is just:\n\n```bash\n(.+)\n```", README).group(1)
    assert readme_command == "python -m pytest"
    assert ci.strip().splitlines()[-1] == f"python3 {readme_command.removeprefix('python ')}"


def _commands() -> list[str]:
    import argparse

    parser = build_parser()
    subparsers = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return list(subparsers.choices)


@pytest.mark.parametrize("command", _commands())
def test_every_cli_command_is_documented(command):
    assert f"python -m segmentation {command} " in README


@pytest.mark.parametrize("column", CANONICAL_NAMES)
def test_every_canonical_column_is_documented(column):
    assert f"`{column}`" in README


def test_readme_screenshots_exist():
    for image in re.findall(r"\]\((docs/screenshots/[^)]+)\)", README):
        assert (ROOT / image).is_file(), image
