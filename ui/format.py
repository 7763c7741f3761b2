"""Plain-language formatting for the screens: money as $1.2M, shares as 23%."""

from __future__ import annotations

import math

AXIS_LABELS = {
    "priority": "Priority",
    "arr": "ARR",
}


def money(value: float | None) -> str:
    """$1.2M, $950K, $12.3K, $800; an em dash when unknown."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    sign = "-" if value < 0 else ""
    value = abs(float(value))
    for limit, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "K")):
        if value >= limit:
            scaled = value / limit
            text = f"{scaled:.1f}" if scaled < 100 else f"{scaled:.0f}"
            return f"{sign}${text.removesuffix('.0')}{suffix}"
    return f"{sign}${value:,.0f}"


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
