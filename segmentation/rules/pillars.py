"""Pillars: four weighted means of metric scores, each entering priority as is or inverted.

The one home of the pillar effect ("raises" / "lowers"), the weight share and priority.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from segmentation.rules import sql
from segmentation.rules.constraints import Choice, Number, Table, Text, check_fields, fail
from segmentation.rules.schemes import MAX_WEIGHT, Metric, describe_metric, validate_metric

if TYPE_CHECKING:
    from segmentation.config import Config
    from segmentation.rules.metrics import MetricScores, PillarMetrics

PILLAR_KEYS: tuple[str, ...] = ("growth", "strategic", "complexity", "health")
SCORE_COLUMNS: tuple[str, ...] = tuple(f"score_{key}" for key in PILLAR_KEYS)
EFFECTS: tuple[str, ...] = ("raises", "lowers")
SHORT_LABELS = {
    "growth": "growth",
    "strategic": "strategic value",
    "complexity": "complexity",
    "health": "health",
}
EFFECT_WORDS = {"raises": "high score raises priority", "lowers": "low score raises priority"}


@dataclass(frozen=True)
class Pillar:
    key: str
    label: str
    weight: float
    effect: str  # "raises": a high score raises priority; "lowers": a low score raises it
    metrics: tuple[Metric, ...]

    @property
    def driver_label(self) -> str:
        """How the pillar reads in a reason, by the way it enters priority ("health risk")."""
        short = SHORT_LABELS[self.key]
        if self.effect == "raises":
            return short
        return f"{short} risk" if self.key == "health" else f"low {short}"


PILLAR_CONSTRAINTS: Table = (
    ("label", Text()),
    ("weight", Number(minimum=0, maximum=MAX_WEIGHT)),
    ("effect", Choice(EFFECTS)),
)


def validate_pillars(pillars: tuple[Pillar, ...]) -> None:
    keys = tuple(p.key for p in pillars)
    if keys != PILLAR_KEYS:
        fail("pillars", f"must be exactly {', '.join(PILLAR_KEYS)} in that order; got {keys}")
    for pillar in pillars:
        path = f"pillars.{pillar.key}"
        check_fields(path, lambda name, p=pillar: getattr(p, name), PILLAR_CONSTRAINTS)
        if not pillar.metrics:
            fail(f"{path}.metrics", "a pillar needs at least one metric")
        for i, metric in enumerate(pillar.metrics):
            validate_metric(f"{path}.metrics[{i}]", metric)
        if pillar.weight > 0 and not any(m.weight > 0 for m in pillar.metrics):
            fail(f"{path}.metrics", "at least one metric needs a weight above 0")
    if not any(p.weight > 0 for p in pillars):
        fail("pillars", "at least one pillar needs a weight above 0")
    labels = [p.label.strip().casefold() for p in pillars]
    if len(set(labels)) != len(labels):
        fail("pillars", f"pillar labels must be unique; got {', '.join(p.label for p in pillars)}")


# --- the numbers ----------------------------------------------------------------------------


def weight_shares(config: Config) -> dict[str, float]:
    """Each pillar's share of priority (weights are relative), 0-1."""
    return shares_of({p.key: p.weight for p in config.pillars})


def shares_of(weights: dict[str, float]) -> dict[str, float]:
    """Each weight's share of their total, 0-1 (all 0 when the total is 0)."""
    total = sum(weights.values())
    return {key: (w / total if total else 0.0) for key, w in weights.items()}


def known_weight(known: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Each row's total weight of its known entries: `known @ weights`.

    Whole-number weights (the defaults, the sliders' steps) sum exactly in any order, so they
    are added column by column where known, without turning the (rows, metrics) mask into a
    matrix of floats first: the same numbers, three times faster. Other weights go to BLAS.
    """
    whole = weights.ndim == 1 and bool(np.all(weights == np.round(weights)))
    if not whole or known.dtype != bool:
        return known @ weights
    total = np.zeros(known.shape[0])
    for j in np.flatnonzero(weights):
        np.add(total, weights[j], out=total, where=known[:, j])
    return total


def weighted_mean(filled: np.ndarray, known: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Row-wise weighted mean over the known entries only (skip and re-weight); NaN if none."""
    total = known_weight(known, weights)
    mean = filled @ weights
    with np.errstate(divide="ignore", invalid="ignore"):
        np.divide(mean, total, out=mean)  # in place: tier confidence has millions of cells
    mean[~(total > 0)] = np.nan
    return mean


def pillar_score(pillar: PillarMetrics, metric_weights: np.ndarray) -> np.ndarray:
    return weighted_mean(pillar.filled, pillar.known, metric_weights)


def pillar_scores(metric_scores: MetricScores, config: Config) -> np.ndarray:
    """(accounts, 4) pillar scores 0-100, NaN where a pillar has no usable metric.

    Read-only, and kept for the last metric weights asked for: a pillar weight or a cut-off
    moved (the workshop's sliders) reads them back instead of summing the metric matrices.
    """
    weights = tuple(tuple(float(m.weight) for m in p.metrics) for p in config.pillars)
    kept = metric_scores.kept_scores.get(weights)
    if kept is None:
        kept = np.column_stack(
            [
                pillar_score(pillar, np.array(metric_weights, dtype="float64"))
                for pillar, metric_weights in zip(metric_scores.pillars, weights, strict=True)
            ]
        )
        kept.setflags(write=False)
        metric_scores.kept_scores.clear()  # one book's matrix at most
        metric_scores.kept_scores[weights] = kept
    return kept


def unfed_pillars(metric_scores: MetricScores, config: Config) -> tuple[str, ...]:
    """Weighted pillars with no usable metric in the whole book: left out of every priority."""
    return tuple(
        settings.key
        for pillar, settings in zip(metric_scores.pillars, config.pillars, strict=True)
        if settings.weight > 0
        and not any(
            m.weight > 0 and fed for m, fed in zip(settings.metrics, pillar.fed, strict=True)
        )
    )


def fed_shares(config: Config, unfed: tuple[str, ...]) -> dict[str, float]:
    """Each pillar's share of priority once the pillars without data are left out."""
    return shares_of({p.key: (0.0 if p.key in unfed else p.weight) for p in config.pillars})


def unfed_pillar_words(config: Config, unfed: tuple[str, ...]) -> list[str]:
    """One sentence per pillar left out: which it is, where its share went, how to feed it."""
    if not unfed:
        return []
    shares = fed_shares(config, unfed)
    rest = ", ".join(
        f"{p.label} {shares[p.key] * 100:.0f}%" for p in config.pillars if shares[p.key] > 0
    )
    lines = []
    for key in unfed:
        pillar = config.pillar(key)
        columns = ", ".join(dict.fromkeys(m.column for m in pillar.metrics if m.weight > 0))
        lines.append(
            f"{pillar.label} has no usable data in this book: left out of priority, its share "
            f"re-spread ({rest or 'no pillar left'}); to feed it, map a column to one of "
            f"{columns}, or add a metric to it"
        )
    return lines


def entering(score: np.ndarray | float, effect: str) -> np.ndarray | float:
    """A pillar score as it enters priority: itself, or 100 - score where low raises need."""
    return score if effect == "raises" else 100.0 - score


def effective_scores(scores: np.ndarray, config: Config) -> np.ndarray:
    """Each pillar as it enters priority: its score, or 100 - score where low raises need."""
    effective = scores.copy()
    for j, pillar in enumerate(config.pillars):
        if pillar.effect == "lowers":  # in place, column by column: no (rows, 4) temporary
            np.subtract(100.0, effective[:, j], out=effective[:, j])
    return effective


# Float noise is rounded away first (to 9 decimals) wherever a number is shown to 0.1: the same
# weighted mean summed in another order (numpy's matrix product, the SQL's terms) may differ in
# its last bit, e.g. 43.75 and 43.74999999999999, which 0.1 half-to-even would part.
NOISE_DIGITS = 9


def shown_scores(scores: np.ndarray, out: np.ndarray) -> np.ndarray:
    """Pillar scores as the result shows them: float noise rounded away, then to 0.1."""
    np.round(scores, NOISE_DIGITS, out=out)
    return np.round(out, 1, out=out)


def priority_from(effective: np.ndarray, config: Config) -> np.ndarray:
    """Weighted mean of the pillars; rounded so that equal settings at any scale cut equally."""
    weights = np.array([p.weight for p in config.pillars], dtype="float64")
    return weighted_priority(effective, weights)


def weighted_priority(effective: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Priority under pillar `weights`: shape (pillars,), or (pillars, draws) for one priority
    column per column of weights (tier confidence samples thousands at once)."""
    known = ~np.isnan(effective)
    raw = weighted_mean(np.where(known, effective, 0.0), known, weights)
    # Round away float noise first (weights x 10 must give the same tiers), then to display.
    np.round(raw, NOISE_DIGITS, out=raw)
    return np.round(raw, 1, out=raw)


# --- the SQL form (columns named by the query builder, segmentation/warehouse) -------------


def entering_sql(score: str, effect: str) -> str:
    return score if effect == "raises" else f"(100.0 - {score})"


def raw_priority_sql(config: Config, scores: dict[str, str], in_book: dict[str, str]) -> str:
    """`priority_from` before rounding: a pillar enters where the row and the book have data."""
    terms = [
        (
            sql.case([(in_book[p.key], entering_sql(scores[p.key], p.effect))]),
            p.weight,
        )
        for p in config.pillars
    ]
    return sql.weighted_mean(terms)


def rounding_sql(raw: str, stage: int) -> str:
    """The two roundings of `priority_from` and `shown_scores`: stage 1 away float noise
    (NOISE_DIGITS), stage 2 to 0.1 (each its own column: the text of one is not repeated)."""
    return sql.round_half_even(raw, NOISE_DIGITS if stage == 1 else 1)


# --- plain words ----------------------------------------------------------------------------


def describe_pillars(config: Config) -> list[str]:
    shares = weight_shares(config)
    lines = [
        "Each metric becomes a score from 0 to 100; a pillar score is the weighted mean of its"
        " metrics (a missing value is left out and the others re-weighted, unless noted).",
        "Priority (0-100) is the weighted mean of four pillar scores:",
    ]
    for pillar in config.pillars:
        entry = "its score" if pillar.effect == "raises" else "100 minus its score (low is risk)"
        metrics = "; ".join(describe_metric(m) for m in pillar.metrics if m.weight > 0)
        lines.append(
            f"- {pillar.label}: {shares[pillar.key] * 100:.0f}% of priority, entering as "
            f"{entry}. {metrics}."
        )
    return lines
