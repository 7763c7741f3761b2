"""The quadrant: two axes split at two values, four labelled cells."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from segmentation.formats import money
from segmentation.rules import sql
from segmentation.rules.constraints import Choice, Number, Table, Text, check_fields, fail
from segmentation.rules.inputs import column_numbers
from segmentation.rules.pillars import SCORE_COLUMNS

if TYPE_CHECKING:
    from segmentation.config import Config

AXES: tuple[str, ...] = (*SCORE_COLUMNS, "priority", "arr")
QUADRANT_CELLS: tuple[str, ...] = ("top_right", "top_left", "bottom_right", "bottom_left")
CELL_ORDER = ("top_left", "top_right", "bottom_left", "bottom_right")  # reading order, drawn
# Where each cell sits: (across, up), derived from its name: the one home of the geometry.
CELL_SIDES: dict[str, tuple[str, str]] = {
    cell: (cell.split("_")[1], cell.split("_")[0]) for cell in CELL_ORDER
}


DEFAULT_AXES = ("score_health", "score_strategic")
DEFAULT_LABELS: tuple[tuple[str, str], ...] = (
    ("top_right", "Grow"),
    ("top_left", "Protect"),
    ("bottom_right", "Nurture"),
    ("bottom_left", "Monitor"),
)
AXIS_WORDS = {  # an axis as a corner name says it (the pillar labels live in the config)
    "score_growth": "growth",
    "score_strategic": "strategic value",
    "score_complexity": "complexity",
    "score_health": "health",
    "priority": "priority",
    "arr": "ARR",
}


def axis_labels(x: str, y: str) -> tuple[tuple[str, str], ...]:
    """Corner names that say the axes: 'High strategic value, low health'."""
    side = {"top": "High", "bottom": "Low", "right": "high", "left": "low"}
    return tuple(
        (cell, f"{side[up]} {AXIS_WORDS.get(y, y)}, {side[across]} {AXIS_WORDS.get(x, x)}")
        for cell, _ in DEFAULT_LABELS
        for across, up in [CELL_SIDES[cell]]
    )


def _automatic(labels: tuple[tuple[str, str], ...]) -> bool:
    """Labels Tierwise chose (the defaults, or names of some pair of axes), not the user."""
    return labels == DEFAULT_LABELS or any(labels == axis_labels(x, y) for x in AXES for y in AXES)


@dataclass(frozen=True)
class Quadrant:
    """Axes, splits and the four cells' names. Names Tierwise chose follow the axes: "Protect"
    means high strategic value and low health, so on other axes the corners say the axes."""

    x: str = DEFAULT_AXES[0]
    y: str = DEFAULT_AXES[1]
    x_split: float = 50.0
    y_split: float = 50.0
    labels: tuple[tuple[str, str], ...] = DEFAULT_LABELS

    def __post_init__(self) -> None:
        if _automatic(self.labels):
            fitting = DEFAULT_LABELS if (self.x, self.y) == DEFAULT_AXES else None
            if fitting is None and self.x in AXES and self.y in AXES:
                fitting = axis_labels(self.x, self.y)
            if fitting is not None and fitting != self.labels:
                object.__setattr__(self, "labels", fitting)

    def label(self, cell: str) -> str:
        return dict(self.labels)[cell]


QUADRANT_CONSTRAINTS: Table = (
    ("x", Choice(AXES)),
    ("y", Choice(AXES)),
    ("x_split", Number()),
    ("y_split", Number()),
)
LABEL = Text("must be a non-empty label")


def validate_quadrant(quadrant: Quadrant) -> None:
    check_fields("quadrant", lambda name: getattr(quadrant, name), QUADRANT_CONSTRAINTS)
    cells = [cell for cell, _ in quadrant.labels]
    if tuple(sorted(cells)) != tuple(sorted(QUADRANT_CELLS)):
        fail("quadrant.labels", f"must name each of {', '.join(QUADRANT_CELLS)} once")
    for cell, label in quadrant.labels:
        LABEL.check(f"quadrant.labels.{cell}", label)
    names = [label.strip().casefold() for _, label in quadrant.labels]
    if len(set(names)) != len(names):
        fail("quadrant.labels", "the four labels must differ")


def quadrant_axis(
    axis: str, scores: np.ndarray, priority: np.ndarray, accounts: pd.DataFrame
) -> np.ndarray:
    """A quadrant axis before the result table exists: a pillar score, priority or ARR."""
    if axis == "priority":
        return priority
    if axis == "arr":
        return column_numbers(accounts, "arr")
    return scores[:, SCORE_COLUMNS.index(axis)]


def quadrant_codes(
    scores: np.ndarray, priority: np.ndarray, accounts: pd.DataFrame, config: Config
) -> np.ndarray:
    """Index into the order of config.quadrant.labels; -1 where an axis is missing."""
    q = config.quadrant
    x = quadrant_axis(q.x, scores, priority, accounts)
    y = quadrant_axis(q.y, scores, priority, accounts)
    cells = [cell for cell, _ in q.labels]
    high_x, high_y = x >= q.x_split, y >= q.y_split
    codes = np.select(
        [high_x & high_y, ~high_x & high_y, high_x & ~high_y, ~high_x & ~high_y],
        [cells.index(cell) for cell in QUADRANT_CELLS],
        default=-1,
    )
    codes[np.isnan(x) | np.isnan(y)] = -1
    return codes


def quadrant_sql(config: Config, axes: dict[str, str]) -> str:
    """`quadrant_codes` in SQL, as the cell's label; `axes`: each axis name -> its column."""
    q = config.quadrant
    x, y = axes[q.x], axes[q.y]
    high_x, high_y = f"{x} >= {sql.number(q.x_split)}", f"{y} >= {sql.number(q.y_split)}"
    whens = [(f"{x} IS NULL OR {y} IS NULL", "NULL")]
    for cell, (across, up) in CELL_SIDES.items():
        side_x = high_x if across == "right" else f"NOT {high_x}"
        side_y = high_y if up == "top" else f"NOT {high_y}"
        whens.append((f"{side_x} AND {side_y}", sql.text(q.label(cell))))
    return sql.case(whens)


def describe_quadrant(config: Config) -> list[str]:
    q = config.quadrant
    corners = "; ".join(f"{cell.replace('_', ' ')} “{label}”" for cell, label in q.labels)
    return [
        f"Quadrant: {axis_words(config, q.x, q.x_split)} across, "
        f"{axis_words(config, q.y, q.y_split)} up; corners: {corners}."
    ]


def axis_words(config: Config, axis: str, split: float) -> str:
    """'Health & maturity split at 50', 'ARR split at $20k': an axis as a person reads it."""
    if axis == "arr":
        return f"ARR split at {money(split)}"
    if axis == "priority":
        return f"priority split at {split:g}"
    label = config.pillar(axis.removeprefix("score_")).label
    return f"{label} split at {split:g}"
