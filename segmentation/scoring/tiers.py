"""Stage 2 of a segmentation: weighted sums, priority, the tier cut, guard-rails and quadrant.

Cheap by design (matrix products and comparisons): this is what runs on every slider move.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from segmentation.config import SCORE_COLUMNS, Config
from segmentation.scoring.inputs import column_flags, column_numbers
from segmentation.scoring.metrics import MetricScores, PillarMetrics


def weighted_mean(filled: np.ndarray, known: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Row-wise weighted mean over the known entries only (skip and re-weight); NaN if none."""
    total = known @ weights
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = (filled @ weights) / total
    return np.where(total > 0, mean, np.nan)


def pillar_score(pillar: PillarMetrics, metric_weights: np.ndarray) -> np.ndarray:
    return weighted_mean(pillar.filled, pillar.known, metric_weights)


def pillar_scores(metric_scores: MetricScores, config: Config) -> np.ndarray:
    """(accounts, 4) pillar scores 0-100, NaN where a pillar has no usable metric."""
    columns = []
    for pillar, settings in zip(metric_scores.pillars, config.pillars, strict=True):
        weights = np.array([m.weight for m in settings.metrics], dtype="float64")
        columns.append(pillar_score(pillar, weights))
    return np.column_stack(columns)


def effective_scores(scores: np.ndarray, config: Config) -> np.ndarray:
    """Each pillar as it enters priority: its score, or 100 - score where low raises need."""
    lowers = np.array([p.effect == "lowers" for p in config.pillars])
    return np.where(lowers, 100.0 - scores, scores)


def priority_from(effective: np.ndarray, config: Config) -> np.ndarray:
    """Weighted mean of the pillars; rounded so that equal settings at any scale cut equally."""
    weights = np.array([p.weight for p in config.pillars], dtype="float64")
    known = ~np.isnan(effective)
    raw = weighted_mean(np.where(known, effective, 0.0), known.astype("float64"), weights)
    # Round away float noise first (weights x 10 must give the same tiers), then to display.
    return np.round(np.round(raw, 9), 1)


def cut_tiers(priority: np.ndarray, config: Config) -> np.ndarray:
    """Index of the first tier whose threshold the priority reaches; no priority -> last tier."""
    index = np.zeros(len(priority), dtype="int64")
    for tier in config.tiers[:-1]:
        index += priority < tier.threshold
    index[np.isnan(priority)] = len(config.tiers) - 1
    return index


@dataclass(frozen=True)
class GuardrailEffects:
    tier_index: np.ndarray
    below_min_arr: np.ndarray  # bool: dropped from the top tier for low ARR
    raised_strategic: np.ndarray  # bool: lifted to the strategic floor
    overridden: np.ndarray  # bool
    override_reason: np.ndarray  # object: the override's reason where overridden


def apply_guardrails(
    tier_index: np.ndarray, accounts: pd.DataFrame, config: Config
) -> GuardrailEffects:
    """Minimum ARR for the top tier, the strategic floor, then manual overrides, in that order."""
    rails = config.guardrails
    index = tier_index.copy()
    n = len(index)
    below_min_arr = np.zeros(n, dtype=bool)
    if rails.min_arr_top_tier is not None:
        arr = column_numbers(accounts, "arr")
        below_min_arr = (index == 0) & ~(arr >= rails.min_arr_top_tier)
        index[below_min_arr] = 1
    raised = np.zeros(n, dtype=bool)
    if rails.strategic_floor is not None:
        floor = config.tier_names.index(rails.strategic_floor)
        raised = (column_flags(accounts, "strategic_account") == 1) & (index > floor)
        index[raised] = floor
    overridden = np.zeros(n, dtype=bool)
    reasons = np.full(n, "", dtype=object)
    if rails.overrides and "account_id" in accounts:
        ids = accounts["account_id"].astype("str").str.strip()
        for override in rails.overrides:
            hit = (ids == str(override.account_id).strip()).to_numpy()
            index[hit] = config.tier_names.index(override.tier)
            overridden |= hit
            reasons[hit] = override.reason
    return GuardrailEffects(index, below_min_arr, raised, overridden, reasons)


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
    """Index into QUADRANT_CELLS order of config.quadrant.labels; -1 where an axis is missing."""
    q = config.quadrant
    x = quadrant_axis(q.x, scores, priority, accounts)
    y = quadrant_axis(q.y, scores, priority, accounts)
    cells = [cell for cell, _ in q.labels]
    high_x, high_y = x >= q.x_split, y >= q.y_split
    codes = np.select(
        [high_x & high_y, ~high_x & high_y, high_x & ~high_y, ~high_x & ~high_y],
        [
            cells.index("top_right"),
            cells.index("top_left"),
            cells.index("bottom_right"),
            cells.index("bottom_left"),
        ],
        default=-1,
    )
    codes[np.isnan(x) | np.isnan(y)] = -1
    return codes
