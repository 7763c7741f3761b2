"""Stage 1 of a segmentation: every metric of every pillar scored 0-100, once per data + schemes.

Weights, thresholds and guard-rails are not used here, so a slider move in the workshop
reuses this matrix and only redoes the weighted sums and the cut (stage 2, `tiers.py`).
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from typing import TypeVar

import numpy as np
import pandas as pd

from segmentation.config import Config, Metric
from segmentation.rules.inputs import as_numbers
from segmentation.rules.lenses import derived_columns, lens_columns
from segmentation.rules.schemes import ordered_by_evidence, raw_metric_score, with_missing_policy

T = TypeVar("T")
R = TypeVar("R")


@dataclass(frozen=True, eq=False)
class PillarMetrics:
    """The metric-score matrix of one pillar: one row per account, one column per metric."""

    key: str
    metrics: tuple[Metric, ...]
    filled: np.ndarray  # (accounts, metrics) scores, 0 where unknown
    known: np.ndarray  # (accounts, metrics) bool: True where a score exists
    typical: np.ndarray  # (metrics,) the book's mean score per metric, 50 where none
    inputs: tuple[object, ...]  # the value behind each metric, for the reasons
    # (metrics,) False where the book gives the metric no value at all (column absent or
    # empty): such a metric is left out and its weight re-spread, whatever its missing policy.
    fed: np.ndarray = field(default_factory=lambda: np.ones(0, dtype=bool))
    # Per metric, the labels its categories do not list, placed by the book's evidence.
    learned: tuple[tuple[tuple[str, float], ...], ...] = ()


@dataclass(frozen=True, eq=False)
class MetricScores:
    accounts: pd.DataFrame
    pillars: tuple[PillarMetrics, ...]
    lenses: dict[str, object]
    missing_columns: tuple[str, ...]  # columns of weighted metrics the book does not have
    scoring_key: tuple
    as_of: dt.date | None
    # What the reasons need that pillar weights and thresholds do not change (the text of
    # each metric's values, each pillar's driving metric): made on first use, then reused.
    reason_cache: dict[tuple, object] = field(default_factory=dict)
    # The pillar scores under the last metric weights asked for (read-only), by those weights:
    # a pillar weight or a cut-off moved does not sum the metric matrices again.
    kept_scores: dict[tuple, np.ndarray] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.accounts)


def metric_input(accounts: pd.DataFrame, derived: dict[str, np.ndarray], column: str) -> object:
    """The values a metric reads: a derived column, a column of the book, or None if absent."""
    if column in derived:
        return pd.Series(derived[column], index=accounts.index, copy=False)  # our own array
    if column in accounts:
        return accounts[column]
    return None


def learned_categories(
    accounts: pd.DataFrame, derived: dict[str, np.ndarray], values: pd.Series, metric: Metric
) -> tuple[tuple[str, float], ...]:
    """A category metric's unlisted labels, scored by their median `order_by` in the book."""
    order_by = metric.setting("order_by") if metric.scheme == "category" else None
    evidence = metric_input(accounts, derived, order_by) if order_by else None
    if evidence is None:
        return ()
    return ordered_by_evidence(values, as_numbers(evidence), metric)


def score_metric(
    accounts: pd.DataFrame, derived: dict[str, np.ndarray], metric: Metric, absent: pd.Series
) -> tuple[object, tuple[tuple[str, float], ...], np.ndarray | None]:
    """One metric of a pillar: the values it reads, the labels it learned from the book, and
    its scores (NaN where unknown), or None where the book gives it no value at all.

    A metric whose column the book lacks scores nothing and is not computed; its value is
    `absent` (all missing; one Series shared by every such metric of a book).
    """
    values = metric_input(accounts, derived, metric.column)
    if values is None:
        return absent, (), None
    extra = learned_categories(accounts, derived, values, metric)
    scored = replace(metric, categories=metric.categories + extra) if extra else metric
    raw = raw_metric_score(values, scored)
    if np.isnan(raw).all():
        return values, extra, None
    return values, extra, with_missing_policy(raw, metric)


def pillar_from(
    key: str,
    metrics: tuple[Metric, ...],
    scored: list[tuple[object, tuple[tuple[str, float], ...], np.ndarray | None]],
    n: int,
) -> PillarMetrics:
    """The pillar's metric scores as one matrix (unknown scores 0) and its known mask, from
    its metrics' `score_metric` outcomes, in the pillar's order."""
    columns = {j: scores for j, (_, _, scores) in enumerate(scored) if scores is not None}
    filled, known = score_matrices(n, len(metrics), columns)
    counts = known.sum(axis=0)
    typical = np.where(counts > 0, filled.sum(axis=0) / np.maximum(counts, 1), 50.0)
    return PillarMetrics(
        key=key,
        metrics=metrics,
        filled=filled,
        known=known,
        typical=typical,
        inputs=tuple(values for values, _, _ in scored),
        fed=np.array([scores is not None for _, _, scores in scored], dtype=bool),
        learned=tuple(extra for _, extra, _ in scored),
    )


BLOCK_ROWS = 8_192  # a block of the matrices fits in a core's cache while its columns go in


def score_matrices(n: int, m: int, columns: dict[int, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """(n, m) scores with 0 where unknown, and the known mask, from the metrics' score
    columns (NaN where unknown; a metric not in `columns` scores nothing).

    Written block of rows by block of rows: a column written down a whole row-major matrix
    touches every cache line of it, once per metric; a block is touched once.
    """
    filled = np.zeros((n, m))
    known = np.zeros((n, m), dtype=bool)
    for start in range(0, n, BLOCK_ROWS):
        rows = slice(start, start + BLOCK_ROWS)
        for j, scores in columns.items():
            part = scores[rows]
            usable = ~np.isnan(part)
            np.copyto(filled[rows, j], part, where=usable)
            known[rows, j] = usable
    return filled, known


def missing_values(accounts: pd.DataFrame) -> pd.Series:
    """The value of a metric whose column the book does not have: missing on every row."""
    return pd.Series(np.full(len(accounts), np.nan), index=accounts.index, copy=False)


PARALLEL_ROWS = 100_000  # from here the pool pays (stage 1: 60 -> 49 ms at 100k; even at 50k)
_POOL_NAME = "tierwise-stage-1"


def cores() -> int:
    """The cores this process may run on (a container's share, not the host's count)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


@functools.cache
def _workers() -> ThreadPoolExecutor:
    """One pool for the process (every session's stage 1 shares it), a thread per core."""
    return ThreadPoolExecutor(max_workers=cores(), thread_name_prefix=_POOL_NAME)


def _each(action: Callable[[T], R], items: list[T], rows: int) -> list[R]:
    """`action` of every item, in order: on the pool for a big book (numpy and Arrow let go
    of the GIL in their loops, so the metrics' columns score side by side), else here (also
    when already on the pool: a worker waiting on its own pool could wait for ever).
    Each item's result is computed by the same code either way: the same numbers."""
    on_pool = threading.current_thread().name.startswith(_POOL_NAME)
    if rows < PARALLEL_ROWS or len(items) < 2 or cores() < 2 or on_pool:
        return [action(item) for item in items]
    return list(_workers().map(action, items))


def score_metrics(
    accounts: pd.DataFrame, config: Config, *, as_of: dt.date | None = None
) -> MetricScores:
    """Stage 1: score every metric of every pillar for every account."""
    derived = derived_columns(accounts, as_of)
    absent = missing_values(accounts)
    n = len(accounts)
    metrics = [metric for p in config.pillars for metric in p.metrics]
    jobs = [functools.partial(score_metric, accounts, derived, m, absent) for m in metrics]
    jobs.append(functools.partial(lens_columns, accounts, derived))
    *outcomes, lenses = _each(lambda job: job(), jobs, n)
    scored = iter(outcomes)
    per_pillar = [(p, [next(scored) for _ in p.metrics]) for p in config.pillars]
    pillars = tuple(
        _each(lambda job: pillar_from(job[0].key, job[0].metrics, job[1], n), per_pillar, n)
    )
    missing = tuple(
        dict.fromkeys(
            m.column
            for p in config.pillars
            for m in p.metrics
            if m.weight > 0 and m.column not in derived and m.column not in accounts
        )
    )
    return MetricScores(
        accounts=accounts,
        pillars=pillars,
        lenses=lenses,
        missing_columns=missing,
        scoring_key=config.scoring_key(),
        as_of=as_of,
    )


def unfed_columns(metric_scores: MetricScores, config: Config) -> tuple[str, ...]:
    """Columns of weighted metrics that give no value at all: absent, empty or unreadable."""
    return tuple(
        dict.fromkeys(
            metric.column
            for pillar, settings in zip(metric_scores.pillars, config.pillars, strict=True)
            for metric, fed in zip(settings.metrics, pillar.fed, strict=True)
            if metric.weight > 0 and not fed
        )
    )


def learned_order_words(metric_scores: MetricScores) -> list[str]:
    """The labels placed by the book's evidence, said aloud (CLI, Workshop, Settings sheet)."""
    lines = []
    for pillar in metric_scores.pillars:
        for metric, extra in zip(pillar.metrics, pillar.learned, strict=True):
            if extra:
                placed = ", ".join(f"{label} {score:g}" for label, score in extra)
                lines.append(
                    f"{metric.column}: labels the settings do not list, placed by their median "
                    f"{metric.setting('order_by')} in this book: {placed}."
                )
    return list(dict.fromkeys(lines))
