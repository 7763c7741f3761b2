"""Suggested weights: pillar and metric weights fitted to an outcome, validated out of sample.

The priority is a weighted mean of the pillars, each a weighted mean of its metric scores, so
(with every metric known) it is linear in the metric scores as they enter priority, with a
coefficient W_p * w_j / sum(w) per metric. A logistic model of the outcome on those scores
with non-negative coefficients (scipy's L-BFGS-B with bounds; the pillar effects are kept, so
a coefficient can only say "more of this, more need for touch") gives the coefficients; pillar
weights are their sums per pillar, metric weights their shares within it. The proposal is then
scored by the real pipeline (`segment.priorities`, the priority `tier_accounts` gives), in
sample and on data the fit did not see.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
from scipy.optimize import minimize

import segmentation as seg
from segmentation.calibration.stats import Auc, auc
from segmentation.config import with_pillar
from segmentation.segment import priorities

PENALTY = 1e-3  # ridge on the standardised coefficients: steadies collinear metrics
FOLDS = 5
REPEATS = 2  # k-fold repeats; one on a large book, where one is already steady
LARGE_BOOK = 50_000  # accounts with an outcome above which k-fold runs once
FIT_ROWS = 10_000  # a fit uses at most this many accounts (a seeded sample): ample for ~20
TRAIN_SHARE = 0.7  # time split: the earliest 70% of outcomes (and 70% of the rest) train
METRIC_WEIGHT_TOP = 10.0  # a pillar's strongest metric gets this weight (steps of 0.5)


@dataclass(frozen=True)
class Features:
    """The metric scores as they enter priority (100 - score under a "lowers" pillar)."""

    matrix: np.ndarray  # (accounts, features), missing filled with the book's typical score
    slots: tuple[tuple[str, int], ...]  # (pillar key, metric index) per feature


def features(metric_scores: seg.MetricScores, config: seg.Config, exclude: set[str]) -> Features:
    columns, slots = [], []
    for pillar, settings in zip(metric_scores.pillars, config.pillars, strict=True):
        for j, metric in enumerate(settings.metrics):
            known = pillar.known[:, j] > 0
            if metric.column in exclude or not known.any():
                continue
            values = np.where(known, pillar.filled[:, j], pillar.typical[j])
            if settings.effect == "lowers":
                values = 100.0 - values
            if np.ptp(values) == 0:
                continue
            columns.append(values)
            slots.append((settings.key, j))
    matrix = np.column_stack(columns) if columns else np.empty((len(metric_scores), 0))
    return Features(matrix, tuple(slots))


def _loss(params: np.ndarray, x: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
    z = params[0] + x @ params[1:]
    p = 1.0 / (1.0 + np.exp(-z))
    loss = np.mean(np.logaddexp(0.0, z) - y * z) + PENALTY * params[1:] @ params[1:]
    residual = (p - y) / len(y)
    grad = np.concatenate([[residual.sum()], x.T @ residual + 2 * PENALTY * params[1:]])
    return float(loss), grad


def fit_coefficients(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Non-negative logistic coefficients per feature (per point of score), L-BFGS-B."""
    mean, spread = x.mean(axis=0), x.std(axis=0)
    spread = np.where(spread > 0, spread, 1.0)
    standard = (x - mean) / spread
    start = np.zeros(x.shape[1] + 1)
    rate = np.clip(y.mean(), 1e-6, 1 - 1e-6)
    start[0] = np.log(rate / (1 - rate))
    bounds = [(None, None)] + [(0.0, None)] * x.shape[1]
    found = minimize(
        _loss,
        start,
        args=(standard, y),
        jac=True,
        method="L-BFGS-B",
        bounds=bounds,
        options={"ftol": 1e-8},  # AUC and rounded weights need no more digits
    )
    return found.x[1:] / spread


def weights_from(coefficients: np.ndarray, slots: tuple, config: seg.Config) -> seg.Config | None:
    """The config with pillar and metric weights from the coefficients (None if all are 0).

    Pillar weights are whole numbers summing to 100 (the sliders' steps); within a pillar the
    strongest metric gets 10 and the others their share, in steps of 0.5 (the inputs' steps).
    Metrics the fit did not use (no data, or the outcome's own column) get weight 0.
    """
    totals = {p.key: 0.0 for p in config.pillars}
    for (key, _), c in zip(slots, coefficients, strict=True):
        totals[key] += c
    grand = sum(totals.values())
    if grand <= 0:
        return None
    new = config
    for pillar in config.pillars:
        weight = float(round(100 * totals[pillar.key] / grand))
        mine = {j: c for (key, j), c in zip(slots, coefficients, strict=True) if key == pillar.key}
        top = max(mine.values(), default=0.0)
        if weight == 0 or top <= 0:
            new = with_pillar(new, pillar.key, weight=0.0)
            continue
        metrics = tuple(
            replace(m, weight=round(2 * METRIC_WEIGHT_TOP * mine.get(j, 0.0) / top) / 2)
            for j, m in enumerate(pillar.metrics)
        )
        new = with_pillar(new, pillar.key, weight=weight, metrics=metrics)
    return new


def fit_config(
    found: Features, config: seg.Config, event: np.ndarray, rows: np.ndarray
) -> seg.Config | None:
    """Weights fitted on the accounts `rows` (indices with a known outcome)."""
    if not found.slots:
        return None
    if len(rows) > FIT_ROWS:
        rows = np.sort(np.random.default_rng(len(rows)).choice(rows, FIT_ROWS, replace=False))
    coefficients = fit_coefficients(found.matrix[rows], event[rows])
    return weights_from(coefficients, found.slots, config)


def priority(metric_scores: seg.MetricScores, config: seg.Config) -> np.ndarray:
    return priorities(metric_scores, config).astype("float64")


# --- validation --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Split:
    train: np.ndarray
    test: np.ndarray


def kfold_repeats(accounts: int) -> int:
    return 1 if accounts > LARGE_BOOK else REPEATS


def kfold_splits(event: np.ndarray, seed: int = 0) -> list[Split]:
    """Repeated stratified k-fold over the accounts with a known outcome."""
    rng = np.random.default_rng(seed)
    splits = []
    for _ in range(kfold_repeats(int((~np.isnan(event)).sum()))):
        folds = np.empty(len(event), dtype="int64")
        for label in (0.0, 1.0):
            rows = np.flatnonzero(event == label)
            folds[rows] = rng.permutation(np.arange(len(rows)) % FOLDS)
        known = np.flatnonzero(~np.isnan(event))
        for k in range(FOLDS):
            test = known[folds[known] == k]
            splits.append(Split(np.setdiff1d(known, test), test))
    return splits


def time_split(event: np.ndarray, dates: np.ndarray, seed: int = 0) -> Split:
    """Train on the earliest 70% of outcomes by date and 70% of the others; test on the rest."""
    rng = np.random.default_rng(seed)
    events = np.flatnonzero(event == 1)
    order = events[np.argsort(dates[events], kind="stable")]
    early = order[: round(TRAIN_SHARE * len(order))]
    others = rng.permutation(np.flatnonzero(event == 0))
    train = np.sort(np.concatenate([early, others[: round(TRAIN_SHARE * len(others))]]))
    test = np.setdiff1d(np.flatnonzero(~np.isnan(event)), train)
    return Split(train, test)


@dataclass(frozen=True)
class Proposal:
    config: seg.Config | None  # None: the fit found nothing to propose
    in_sample: Auc  # the proposal's priority, on every account with an outcome
    in_sample_current: Auc
    out_of_sample: float  # mean AUC over the held-out parts
    out_of_sample_current: float
    validation: str  # how it was validated, in plain words
    weights: pd.DataFrame  # pillar, metric, current weight, suggested weight


def _held_out(metric_scores, found, config, event, splits, current) -> tuple[float, float]:
    ours, theirs = [], []
    for split in splits:
        fitted = fit_config(found, config, event, split.train)
        mine = current if fitted is None else priority(metric_scores, fitted)
        ours.append(auc(mine[split.test], event[split.test]).value)
        theirs.append(auc(current[split.test], event[split.test]).value)
    return float(np.nanmean(ours)), float(np.nanmean(theirs))


def weights_table(current: seg.Config, suggested: seg.Config | None) -> pd.DataFrame:
    rows = []
    for pillar in current.pillars:
        other = suggested.pillar(pillar.key) if suggested else pillar
        rows.append((pillar.label, "(pillar)", pillar.weight, other.weight))
        for metric, new in zip(pillar.metrics, other.metrics, strict=True):
            rows.append((pillar.label, metric.column, metric.weight, new.weight))
    return pd.DataFrame(rows, columns=["pillar", "metric", "current", "suggested"])


def suggest_weights(
    metric_scores: seg.MetricScores,
    config: seg.Config,
    event: np.ndarray,
    *,
    dates: np.ndarray | None = None,
    exclude: set[str] = frozenset(),
    current: np.ndarray | None = None,
) -> Proposal:
    """Fit on every account with an outcome; validate by time split (dates) or repeated k-fold.

    `current`: the priority under `config`, when the caller has it already.
    """
    known = np.flatnonzero(~np.isnan(event))
    found = features(metric_scores, config, exclude)
    fitted = fit_config(found, config, event, known)
    current = priority(metric_scores, config) if current is None else current
    mine = current if fitted is None else priority(metric_scores, fitted)
    if dates is not None:
        splits = [time_split(event, dates)]
        validation = (
            "time split: fitted on the earliest 70% of outcomes by date (and 70% of the "
            "accounts without one), tested on the later 30%"
        )
    else:
        splits = kfold_splits(event)
        repeats = kfold_repeats(len(known))
        validation = f"stratified {FOLDS}-fold cross-validation, {repeats} repeat(s)"
    if len(known) > FIT_ROWS:
        validation += f"; each fit on a random {FIT_ROWS:,} of its accounts"
    held, held_current = _held_out(metric_scores, found, config, event, splits, current)
    return Proposal(
        fitted,
        auc(mine, event),
        auc(current, event),
        held,
        held_current,
        validation,
        weights_table(config, fitted),
    )
