"""Plain-language formatting for the screens: money as $1.2M, shares as 23%."""

from __future__ import annotations

import math
import re

from segmentation.formats import money  # noqa: F401  (one way to say an amount)

AXIS_LABELS = {
    "priority": "Priority",
    "arr": "ARR",
}


def share(value: float) -> str:
    """0.234 -> 23%; small non-zero shares keep a decimal (0.4%)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    percent = value * 100
    if 0 < percent < 1:
        return f"{percent:.1f}%"
    return f"{percent:.0f}%"


def count(value: int) -> str:
    return f"{int(value):,}"


def accounts(value: int) -> str:
    return f"{int(value):,} account" + ("" if int(value) == 1 else "s")


def delta(change: int | None) -> str | None:
    """Change against the baseline for a metric card: '+12', '-3', or None when unknown."""
    if change is None:
        return None
    if change == 0:
        return "no change"
    return f"{change:+,} vs baseline"


DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe", " ": "space"}


def delimiter(value: str) -> str:
    """A CSV separator in words (a lone `,` in a caption reads as a stray mark)."""
    return DELIMITER_NAMES.get(value, f"`{value}`")


def axis_label(axis: str, pillar_labels: dict[str, str]) -> str:
    """'score_health' -> the pillar's label ("Health & maturity"), priority, ARR."""
    if axis.startswith("score_"):
        return pillar_labels.get(axis.removeprefix("score_"), axis)
    return AXIS_LABELS.get(axis, axis)


MARKDOWN_SPECIALS = "\\`*_{}[]()#+-.!|~<>$:=&^%"
_SPECIAL = re.compile("([" + re.escape(MARKDOWN_SPECIALS) + "])")
# Streamlit's markdown (GitHub-flavoured) links bare URLs, www. names and e-mail addresses
# in plain text, escaped or not: an invisible word joiner breaks each such pattern.
JOINER = "\u2060"
_AUTOLINK = re.compile(r"(?i)(?<=[a-z]\\:)(?=//)|(?<=www)(?=\\?\.)|(?=@)")


def plain(text: object) -> str:
    """Text shown as written in a markdown element (st.markdown, st.caption, labels, help):
    every markdown and HTML character escaped, and no link, image or tag made from it."""
    escaped = _SPECIAL.sub(r"\\\1", " ".join(str(text).split("\n")))
    return _AUTOLINK.sub(JOINER, escaped)


INLINE_SPECIALS = "\\`*_[]<>!~$|:&"  # what inline markdown (a widget's label) acts on


def plain_label(text: object) -> str:
    """User text for a widget's label (inline markdown only): its specials escaped and no
    link made from it, the rest as written, so a tier named "High-touch" is labelled
    "High-touch" and "[x](url)" is no link."""
    escaped = "".join(f"\\{ch}" if ch in INLINE_SPECIALS else ch for ch in str(text))
    return _AUTOLINK.sub(JOINER, escaped)


def plain_lines(lines: list[str]) -> str:
    """Lines of words for st.markdown: each as plain text, "- " items kept as a list."""
    return "\n".join(
        f"- {plain(line[2:])}" if line.startswith("- ") else f"\n{plain(line)}\n" for line in lines
    )
