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


def _layout() -> str:
    return re.search(r"## Layout\n\n```text\n(.+?)```", README, re.S).group(1)


PACKAGE_ENTRIES = sorted(
    p.name
    for p in (ROOT / "segmentation").iterdir()
    if (p.suffix == ".py" and p.stem not in ("__init__", "__main__", "errors", "formats"))
    or (p.is_dir() and (p / "__init__.py").exists())
)


@pytest.mark.parametrize("entry", PACKAGE_ENTRIES)
def test_the_readme_layout_names_every_part_of_the_core(entry):
    name = entry if entry.endswith(".py") else f"{entry}/"
    assert f"  {name}" in _layout(), f"README Layout lacks segmentation/{name}"


@pytest.mark.parametrize("package", ["rules", "views", "exporting"])
def test_the_readme_layout_names_every_module_of_the_new_packages(package):
    modules = [p.stem for p in (ROOT / "segmentation" / package).glob("*.py")]
    layout = _layout()
    for module in modules:
        if module != "__init__":
            assert module in layout, f"README Layout lacks segmentation/{package}/{module}.py"


def test_the_docs_that_code_comments_cite_are_in_the_repository():
    cited = set()
    for path in [
        *ROOT.glob("segmentation/**/*.py"),
        *ROOT.glob("ui/*.py"),
        *ROOT.glob("bench/*.py"),
    ]:
        cited |= set(re.findall(r"docs/[a-z_]+\.md", path.read_text(encoding="utf-8")))
    assert cited >= {"docs/design.md", "docs/interfaces.md"}
    for doc in cited | {"docs/architecture.md"}:
        assert (ROOT / doc).is_file(), doc
