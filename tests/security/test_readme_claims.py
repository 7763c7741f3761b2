"""Every test the README's "Privacy and safety" section names exists, so no claim is orphaned."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _section() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    start = readme.index("## Privacy and safety")
    return readme[start : readme.index("\n## ", start + 1)]


def _named_tests(text: str) -> list[tuple[str, str | None]]:
    """(file, test or None) for each `tests/...py::name`, `tests/...py` and `::name` in text."""
    named, current = [], None
    for match in re.finditer(r"`(tests/[\w/]+\.py)?(?:::(\w+))?`", text):
        path, test = match.groups()
        if path is None and test is None:
            continue
        current = path or current
        named.append((current, test))
    return named


def test_every_named_test_exists() -> None:
    named = _named_tests(_section())
    assert len(named) >= 15
    for path, test in named:
        source = (ROOT / path).read_text(encoding="utf-8")
        if test is not None:
            assert re.search(rf"^def {test}\(", source, re.M), f"{path}::{test} is not a test"


def test_the_checker_notices_a_missing_test() -> None:
    text = "`tests/security/test_fuzz.py::test_that_is_not_there`"
    ((path, test),) = _named_tests(text)
    assert not re.search(rf"^def {test}\(", (ROOT / path).read_text(), re.M)
