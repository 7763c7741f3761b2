"""How amounts read in every place Tierwise shows them: reasons, pages, exports, the CLI."""

from __future__ import annotations

import math


def money(value: float | None) -> str:
    """$950, $6.9k, $410k, $1.2M — how a CS leader says an amount out loud; '—' if unknown."""
    if value is None or not math.isfinite(value):
        return "—"
    sign, value = ("-" if value < 0 else ""), abs(float(value))
    for limit, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if value >= limit * 0.9995:
            scaled = value / limit
            return (
                f"{sign}${scaled:.1f}{suffix}" if scaled < 9.95 else f"{sign}${scaled:.0f}{suffix}"
            )
    return f"{sign}${value:.0f}"
