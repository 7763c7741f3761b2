"""Tier confidence: how many accounts' tiers hinge on the exact weights and cut-offs.

The room states how sure it is of each pillar weight (+/- points of weight) and of each
cut-off; Tierwise draws settings uniformly within those ranges and gives each account the
share of draws that keep its tier (`tier_confidence`). A tornado says, for each weight and
cut-off moved alone to the low and the high end of its range, how much ARR changes tier.

What +/- means for a cut-off:
- fixed cut-offs: points of priority (70 +/- 5 draws the cut-off from 65 to 75);
- relative cut-offs (shares, the default): points of share of the book, read on this book
  under the stated settings. The line under the top 15% +/- 3 runs from the priority that
  keeps the top 12% to the one that keeps the top 18% (each line's share counted from the
  top, so Mid-touch's line sits at 50% = 15 + 35). Draws are uniform over that range of
  priority, and the line stays put while the weights move: an account changes tier when
  its own priority crosses it, as on the Workshop's sliders.

The tier compared is the cut and the guard-rails (minimum ARR, strategic floor, overrides:
each account's tier for each possible cut, computed once by the one guard-rail rule). The
movement rules, which need a previous tier, are left out: this is about the settings.

Vectorised: stage 1 once, pillar scores once, then blocks of draws: priorities are the
(accounts x pillars) scores times a (pillars x draws) matrix of weights.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from segmentation.config import Config
from segmentation.errors import ConfigError
from segmentation.rules.metrics import MetricScores
from segmentation.rules.pillars import (
    SHORT_LABELS,
    effective_scores,
    pillar_scores,
    weighted_priority,
)
from segmentation.rules.schemes import MAX_WEIGHT
from segmentation.rules.tiers import (
    apply_guardrails,
    cut_at,
    is_relative,
    pin_cutoffs,
    share_thresholds,
)
from segmentation.views.book import arr_values

BLOCK_CELLS = 4_000_000  # accounts x draws per block: ~32 MB per float array
DEFAULT_DRAWS = 1000
Progress = Callable[[float], None]


@dataclass(frozen=True)
class Ranges:
    """How sure the room is: +/- per pillar weight (PILLAR_KEYS order) and per cut-off (top
    first; points of priority, or points of share when the cut-offs are relative)."""

    weights: tuple[float, ...]
    cutoffs: tuple[float, ...]


def uniform_ranges(config: Config, weight: float = 10.0, cutoff: float = 5.0) -> Ranges:
    """The same +/- on every weight and on every cut-off."""
    return Ranges((weight,) * len(config.pillars), (cutoff,) * (len(config.tiers) - 1))


def validate_ranges(ranges: Ranges, config: Config) -> None:
    """ConfigError naming the range that is not a number >= 0, or a wrong count of them."""
    expected = {"weights": len(config.pillars), "cutoffs": len(config.tiers) - 1}
    for name, count in expected.items():
        values = getattr(ranges, name)
        if len(values) != count:
            raise ConfigError(f"ranges.{name}: give {count} ranges, got {len(values)}")
        for i, value in enumerate(values):
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ConfigError(f"ranges.{name}[{i}]: must be a number, got {value!r}")
            if not math.isfinite(value) or value < 0:
                raise ConfigError(f"ranges.{name}[{i}]: must be 0 or more, got {value!r}")


@dataclass(frozen=True)
class Setting:
    """One of the settings the room is unsure of, with the ends of its range."""

    label: str  # "growth weight", "High-touch cut-off"
    kind: str  # "weight" | "cutoff"
    index: int  # the pillar's or the cut-off's position
    stated: float
    low: float
    high: float


@dataclass(frozen=True)
class Space:
    """The stated settings as numbers, and the box the draws come from."""

    effective: np.ndarray  # (accounts, pillars): each pillar as it enters priority
    weights: np.ndarray  # (pillars,)
    thresholds: np.ndarray  # (cut-offs,), pinned to this book
    settings: tuple[Setting, ...]
    rails: np.ndarray | None  # (accounts, tiers): tier after guard-rails per cut; None: none
    stated_tier: np.ndarray  # (accounts,)

    @property
    def tier_count(self) -> int:
        return len(self.thresholds) + 1


def _cutoff_range(priority: np.ndarray, config: Config, i: int, plus: float, at: float):
    """(low, high) of cut-off `i` in priority points (see the module docstring)."""
    if not is_relative(config.tiers):
        return max(at - plus, 0.0), min(at + plus, 100.0)
    line = sum(t.share for t in config.tiers[: i + 1])  # share of the book above the line
    wider, narrower = min(line + plus, 99.9), max(line - plus, 0.1)
    low = share_thresholds(priority, [wider])[0] if plus else at
    high = share_thresholds(priority, [narrower])[0] if plus else at
    return min(low, at), max(high, at)


def _rails_table(
    accounts: pd.DataFrame, config: Config, as_of: dt.date | None
) -> np.ndarray | None:
    """Each account's tier after the guard-rails for each tier the cut could give it."""
    n, size = len(accounts), len(config.tiers)
    table = np.column_stack(
        [
            apply_guardrails(np.full(n, k, dtype="int64"), accounts, config, as_of).tier_index
            for k in range(size)
        ]
    )
    return None if (table == np.arange(size)).all() else table


def settings_space(metric_scores: MetricScores, config: Config, ranges: Ranges) -> Space:
    """The stated settings pinned to this book, and each setting's range in its own units."""
    validate_ranges(ranges, config)
    if metric_scores.scoring_key != config.scoring_key():
        raise ValueError("metric settings changed since score_metrics(): score the metrics again")
    effective = effective_scores(pillar_scores(metric_scores, config), config)
    weights = np.array([p.weight for p in config.pillars], dtype="float64")
    priority = weighted_priority(effective, weights)
    pinned = pin_cutoffs(priority, config)  # relative cut-offs: this book's numbers
    thresholds = np.array([t.threshold for t in pinned.tiers[:-1]], dtype="float64")
    settings = [
        Setting(
            f"{SHORT_LABELS[p.key]} weight",
            "weight",
            i,
            p.weight,
            max(p.weight - plus, 0.0),
            min(p.weight + plus, MAX_WEIGHT),
        )
        for i, (p, plus) in enumerate(zip(config.pillars, ranges.weights, strict=True))
    ]
    for i, (tier, plus) in enumerate(zip(config.tiers[:-1], ranges.cutoffs, strict=True)):
        low, high = _cutoff_range(priority, config, i, plus, float(thresholds[i]))
        settings.append(
            Setting(f"{tier.name} cut-off", "cutoff", i, float(thresholds[i]), low, high)
        )
    rails = _rails_table(metric_scores.accounts, config, metric_scores.as_of)
    cut = cut_at(priority, thresholds)
    stated = cut if rails is None else rails[np.arange(len(cut)), cut]
    return Space(effective, weights, thresholds, tuple(settings), rails, stated)


def tiers_under(space: Space, weights: np.ndarray, thresholds: np.ndarray) -> np.ndarray:
    """(accounts, draws) tier index under each column of weights (pillars x draws) and of
    thresholds (cut-offs x draws): priority, the cut, then the guard-rails."""
    priority = weighted_priority(space.effective, weights)
    cut = cut_at(priority, list(thresholds))  # each row: one cut-off per draw
    return cut if space.rails is None else np.take_along_axis(space.rails, cut, axis=1)


def draw_settings(
    space: Space, draws: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Weights (pillars x draws) and thresholds (cut-offs x draws), uniform in their ranges;
    a drawn cut-off never rises above the one over it (its range is clipped there)."""
    low = np.array([s.low for s in space.settings])
    high = np.array([s.high for s in space.settings])
    values = low[:, None] + (high - low)[:, None] * rng.random((len(low), draws))
    pillars = len(space.weights)
    weights, thresholds = values[:pillars], values[pillars:]
    thresholds = np.minimum.accumulate(thresholds, axis=0)
    return weights, thresholds


@dataclass(frozen=True)
class Confidence:
    tier_confidence: np.ndarray  # (accounts,) share of draws that keep the stated tier
    likeliest_other: np.ndarray  # (accounts,) the other tier drawn most often; -1 if none
    draws: int
    space: Space


def tier_confidence(
    metric_scores: MetricScores,
    config: Config,
    ranges: Ranges,
    *,
    draws: int = DEFAULT_DRAWS,
    seed: int = 0,
    progress: Progress | None = None,
) -> Confidence:
    """Each account's share of `draws` settings (uniform within `ranges`) that keep its tier."""
    if not isinstance(draws, int) or isinstance(draws, bool) or not 1 <= draws <= 100_000:
        raise ConfigError(f"draws: must be a whole number from 1 to 100,000, got {draws!r}")
    space = settings_space(metric_scores, config, ranges)
    n = len(space.stated_tier)
    unsure = np.flatnonzero(~certain(space))
    counts = _tier_counts(_rows(space, unsure), draws, np.random.default_rng(seed), progress)
    confidence = np.ones(n)
    likeliest = np.full(n, -1, dtype="int64")
    if unsure.size:
        rows, stated = np.arange(unsure.size), space.stated_tier[unsure]
        confidence[unsure] = counts[rows, stated] / draws
        counts[rows, stated] = -1
        likeliest[unsure] = np.where(counts.max(axis=1) > 0, counts.argmax(axis=1), -1)
    return Confidence(confidence, likeliest, draws, space)


def _corners(space: Space) -> np.ndarray:
    """(pillars, 2^pillars) weights: every corner of the weight box."""
    ends = [(space.settings[i].low, space.settings[i].high) for i in range(len(space.weights))]
    return np.array(list(itertools.product(*ends))).T


def certain(space: Space) -> np.ndarray:
    """True for accounts whose tier no draw can change: their priority over the whole weight
    box stays on one side of every cut-off's whole range.

    Priority is a ratio of two linear functions of the weights with a positive denominator,
    so its least and greatest values over a box are at corners (rounding keeps the order);
    a corner with no weight on the account's known pillars gives NaN: not certain.
    """
    corners = weighted_priority(space.effective, _corners(space))
    low_p, high_p = corners.min(axis=1), corners.max(axis=1)
    cuts = space.settings[len(space.weights) :]
    # A drawn cut-off is clipped at the one above it: its range reaches down as far as theirs.
    lows = np.minimum.accumulate([c.low for c in cuts])
    highs = np.minimum.accumulate([c.high for c in cuts])
    sure = np.ones(len(low_p), dtype=bool)
    for low, high in zip(lows, highs, strict=True):
        sure &= (low_p >= high) | (high_p < low)
    return sure


def _rows(space: Space, rows: np.ndarray) -> Space:
    """The space restricted to some accounts."""
    rails = None if space.rails is None else space.rails[rows]
    return replace(
        space, effective=space.effective[rows], rails=rails, stated_tier=space.stated_tier[rows]
    )


def _tier_counts(
    space: Space, draws: int, rng: np.random.Generator, progress: Progress | None
) -> np.ndarray:
    """(accounts, tiers): how many draws put each account in each tier, in blocks of draws."""
    n = len(space.stated_tier)
    counts = np.zeros((n, space.tier_count), dtype="int64")
    block = max(1, min(draws, BLOCK_CELLS // max(n, 1)))
    done = 0
    while done < draws:
        size = min(block, draws - done)
        weights, thresholds = draw_settings(space, size, rng)
        if n:
            tiers = tiers_under(space, weights, thresholds)
            for k in range(space.tier_count):
                counts[:, k] += (tiers == k).sum(axis=1)
        done += size
        if progress is not None:
            progress(done / draws)
    return counts


# --- the tornado: each setting alone at the ends of its range ---------------------------------


def one_at_a_time(space: Space) -> tuple[np.ndarray, np.ndarray]:
    """Weights and thresholds of 2 x settings columns: setting j at its low (column 2j) and
    its high (2j + 1) end, every other setting as stated."""
    stated = np.concatenate([space.weights, space.thresholds])
    values = np.repeat(stated[:, None], 2 * len(space.settings), axis=1)
    for j, setting in enumerate(space.settings):
        values[j, 2 * j], values[j, 2 * j + 1] = setting.low, setting.high
    pillars = len(space.weights)
    return values[:pillars], values[pillars:]


TORNADO_COLUMNS = (
    "setting",
    "stated",
    "low",
    "high",
    "arr_low",
    "arr_high",
    "accounts_low",
    "accounts_high",
)


def tornado(result: pd.DataFrame, space: Space) -> pd.DataFrame:
    """Per setting: the ARR (and accounts) that change tier at the low and at the high end
    of its range, the others as stated; the largest total ARR first (ties: stated order)."""
    changed = tiers_under(space, *one_at_a_time(space)) != space.stated_tier[:, None]
    arr = arr_values(result)
    moved_arr, moved = arr @ changed, changed.sum(axis=0)
    table = pd.DataFrame(
        {
            "setting": [s.label for s in space.settings],
            "stated": [s.stated for s in space.settings],
            "low": [s.low for s in space.settings],
            "high": [s.high for s in space.settings],
            "arr_low": moved_arr[0::2],
            "arr_high": moved_arr[1::2],
            "accounts_low": moved[0::2],
            "accounts_high": moved[1::2],
        }
    )
    order = np.argsort(-(table["arr_low"] + table["arr_high"]).to_numpy(), kind="stable")
    return table.iloc[order].reset_index(drop=True)


# --- the borderline accounts ------------------------------------------------------------------

BORDERLINE_COLUMNS = ("account_name", "account_id", "arr", "tier", "priority")


def borderline_accounts(
    result: pd.DataFrame,
    confidence: Confidence,
    config: Config,
    level: float = 0.8,
    limit: int = 50,
) -> pd.DataFrame:
    """Accounts whose tier is kept by fewer than `level` of the draws, largest ARR first,
    with the tier they fall to most often."""
    low = np.flatnonzero(confidence.tier_confidence < level)
    arr = arr_values(result)
    order = low[np.argsort(-arr[low], kind="stable")][:limit]
    rows = result.iloc[order]
    frame = rows[[c for c in BORDERLINE_COLUMNS if c in rows.columns]].copy()
    frame["tier_confidence"] = confidence.tier_confidence[order]
    names = np.array([*config.tier_names, ""], dtype=object)
    frame["likeliest_other"] = names[confidence.likeliest_other[order]]
    return frame


def borderline_count(confidence: Confidence, level: float) -> int:
    return int((confidence.tier_confidence < level).sum())


# --- plain words ----------------------------------------------------------------------------


def describe_ranges(space: Space, relative: bool, draws: int) -> str:
    """What was sampled, said aloud (the CLI's note and the Workshop's caption)."""
    unit = (
        "cut-off ranges given in points of share and read on this book as priorities"
        if relative
        else "cut-off ranges in points of priority"
    )
    parts = [f"{s.label} {s.low:g}-{s.high:g}" for s in space.settings]
    return (
        f"Tier confidence from {draws:,} draws, uniform within: {', '.join(parts)} ({unit}; "
        "guard-rails applied, movement rules left out)."
    )


def confidence_for(
    metric_scores: MetricScores,
    result: pd.DataFrame,
    config: Config,
    ranges: Ranges,
    draws: int = DEFAULT_DRAWS,
    level: float = 0.8,
) -> tuple[Confidence, list[str]]:
    """The CLI's `score --confidence`: the confidence and the lines that say it."""
    confidence = tier_confidence(metric_scores, config, ranges, draws=draws)
    lines = [
        describe_ranges(confidence.space, is_relative(config.tiers), draws),
        f"{borderline_count(confidence, level):,} accounts keep their tier in fewer than "
        f"{level:.0%} of the draws (column tier_confidence).",
    ]
    return confidence, lines
