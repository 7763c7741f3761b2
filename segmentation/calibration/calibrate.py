"""calibrate(): the tiers, quadrant cells, pillars and priority checked against an outcome."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

import segmentation as seg
from segmentation.calibration.fit import Proposal, suggest_weights
from segmentation.calibration.outcomes import Outcome, OutcomeSpec, join_outcomes, read_outcome
from segmentation.calibration.stats import (
    Auc,
    auc,
    best_column,
    decile_table,
    group_table,
    monotone,
    numeric_columns,
)
from segmentation.columns import CANONICAL_NAMES
from segmentation.config import SCORE_COLUMNS, with_metric
from segmentation.errors import InputError
from segmentation.values import to_number
from segmentation.views.data_quality import unmapped_numeric_columns

NOT_CANDIDATES = {"priority", "account_id"}


@dataclass(frozen=True)
class Calibration:
    outcome: Outcome
    accounts: int  # accounts with a known outcome
    without_outcome: int  # accounts of the book whose outcome is unknown
    with_outcome: int
    rate: float
    tiers: pd.DataFrame
    quadrants: pd.DataFrame
    deciles: dict[str, pd.DataFrame]  # "priority" and each score column -> decile table
    shapes: dict[str, str]  # same keys -> rising / falling / not monotone
    auc: dict[str, Auc]  # priority and each pillar score column
    metric_auc: dict[str, Auc]  # "pillar: column" -> AUC of the metric's score
    best: tuple[str, Auc] | None  # the best single column of the book
    signal: bool
    proposal: Proposal | None
    notes: tuple[str, ...]
    nrr: float | None = None  # number outcomes: next-period ARR / ARR

    @property
    def no_signal_message(self) -> str:
        return no_signal_message(self.outcome.label)


def no_signal_message(label: str) -> str:
    return (
        f"No reliable signal: no 95% interval of priority or a pillar clears 0.5, so the "
        f"book shows no reliable signal for {label}. Treat every rate and lift below as noise."
    )


@dataclass(frozen=True)
class ResultCalibration:
    """A segmentation result's tiers, quadrant cells, priority and pillar scores against an
    outcome (one event per row of the result): what the XLSX export's Summary holds."""

    label: str
    accounts: int  # accounts with a known outcome
    with_outcome: int
    rate: float
    tiers: pd.DataFrame
    quadrants: pd.DataFrame | None  # None when the result has no quadrant column
    auc: dict[str, Auc]  # "priority" and each pillar score column of the result

    @property
    def signal(self) -> bool:
        """True when the interval of priority or of any pillar score excludes 0.5."""
        return any(a.clears_half for a in self.auc.values())

    @property
    def no_signal_message(self) -> str:
        return no_signal_message(self.label)


def score_columns(result: pd.DataFrame) -> dict[str, np.ndarray]:
    """Priority and each pillar score column of a result, as floats."""
    names = ["priority", *(c for c in SCORE_COLUMNS if c in result)]
    return {name: result[name].to_numpy(dtype="float64") for name in names}


def result_calibration(result: pd.DataFrame, outcome: Outcome) -> ResultCalibration:
    """Per tier and quadrant cell: accounts, outcome count and rate, lift, ARR share; AUCs."""
    event = outcome.event
    if len(event) != len(result):
        raise ValueError(f"the outcome has {len(event)} rows, the result {len(result)}")
    arr = result["arr"].to_numpy(dtype="float64") if "arr" in result else None
    known = int(outcome.known.sum())
    with_event = int(np.nansum(event))
    quadrants = result.get("quadrant")
    return ResultCalibration(
        label=outcome.label,
        accounts=known,
        with_outcome=with_event,
        rate=with_event / known if known else float("nan"),
        tiers=group_table(result["tier"], event, arr),
        quadrants=None if quadrants is None else group_table(quadrants, event, arr),
        auc={name: auc(values, event) for name, values in score_columns(result).items()},
    )


def outcome_columns(column: str, mapping: dict[str, str] | None) -> set[str]:
    """The outcome's header and any canonical column read from it: never used as metrics."""
    return {column} | {name for name, header in (mapping or {}).items() if header == column}


def raw_copies(accounts: pd.DataFrame, mapping: dict[str, str] | None) -> set[str]:
    """The original columns the loader parsed into canonical ones (each counted once)."""
    copies = {header for name, header in (mapping or {}).items() if header != name}
    return copies | {c for c in accounts.columns if str(c).endswith(" (raw)")}


def candidate_columns(
    accounts: pd.DataFrame, mapping: dict[str, str] | None, excluded: set[str]
) -> dict[str, np.ndarray]:
    """The book's columns a single column could rank by: the numeric and yes/no canonical
    columns, and every other header that holds numbers (the Data page's rule for metrics)."""
    columns = numeric_columns(accounts, raw_copies(accounts, mapping) | excluded | NOT_CANDIDATES)
    own = [c for c in accounts.columns if c not in CANONICAL_NAMES and c not in excluded]
    for header in unmapped_numeric_columns(accounts[own], mapping or {}):
        columns |= numeric_columns(pd.DataFrame({header: to_number(accounts[header])}), set())
    return columns


def without_outcome(config: seg.Config, columns: set[str]) -> tuple[seg.Config, list[str]]:
    """The config with every metric that reads the outcome set to weight 0 (said aloud)."""
    notes = []
    for pillar in config.pillars:
        for j, metric in enumerate(pillar.metrics):
            if metric.column in columns and metric.weight > 0:
                config = with_metric(config, pillar.key, j, weight=0.0)
                notes.append(
                    f"'{metric.column}' is the outcome: no longer a metric of {pillar.label}."
                )
    if not any(p.weight > 0 and any(m.weight > 0 for m in p.metrics) for p in config.pillars):
        raise InputError("Every metric of the settings reads the outcome column; pick another.")
    for pillar in config.pillars:
        if pillar.weight > 0 and not any(m.weight > 0 for m in pillar.metrics):
            config = _drop_pillar(config, pillar.key)
    return config, notes


def _drop_pillar(config: seg.Config, key: str) -> seg.Config:
    pillars = tuple(replace(p, weight=0.0) if p.key == key else p for p in config.pillars)
    return replace(config, pillars=pillars)


def check_classes(outcome: Outcome) -> None:
    """InputError unless some accounts have the outcome and some do not."""
    event = outcome.event[outcome.known]
    if event.size == 0:
        raise InputError(f"No account has a known outcome in '{outcome.column}'.")
    if event.min() == event.max():
        word = "has" if event[0] == 1 else "lacks"
        raise InputError(
            f"Every account with an outcome {word} it ({outcome.label}): the outcome has one "
            "class only, so there is nothing to tell apart."
        )


def metric_aucs(metric_scores: seg.MetricScores, config: seg.Config, event) -> dict[str, Auc]:
    """AUC of each metric's score (0-100, as scored) against the outcome."""
    out: dict[str, Auc] = {}
    for pillar, settings in zip(metric_scores.pillars, config.pillars, strict=True):
        for j, metric in enumerate(settings.metrics):
            score = np.where(pillar.known[:, j] > 0, pillar.filled[:, j], np.nan)
            if metric.weight > 0 and (pillar.known[:, j] > 0).any():
                out[f"{settings.label}: {metric.column}"] = auc(score, event)
    return out


def _number_nrr(outcome: Outcome, arr: np.ndarray | None) -> float | None:
    if outcome.next_value is None or arr is None:
        return None
    use = outcome.known
    base = np.nansum(arr[use])
    return float(np.nansum(outcome.next_value[use]) / base) if base > 0 else None


def calibrate(
    accounts: pd.DataFrame,
    config: seg.Config,
    outcome: Outcome,
    *,
    as_of: dt.date | None = None,
    mapping: dict[str, str] | None = None,
    suggest: bool = True,
) -> Calibration:
    """Check a segmentation against an outcome (one event per row of `accounts`).

    BLAS runs on one thread meanwhile: the fit's many small products (L-BFGS-B's steps on
    ~20 numbers, matrix-vector products) spend far longer waking BLAS threads than working,
    several times the whole fit on a busy 2-core machine (see the README's speed notes).
    """
    with threadpool_limits(limits=1, user_api="blas"):
        return _calibrate(accounts, config, outcome, as_of, mapping, suggest)


def _calibrate(
    accounts: pd.DataFrame,
    config: seg.Config,
    outcome: Outcome,
    as_of: dt.date | None,
    mapping: dict[str, str] | None,
    suggest: bool,
) -> Calibration:
    check_classes(outcome)
    excluded = outcome_columns(outcome.column, mapping)
    config, notes = without_outcome(config, excluded)
    metric_scores = seg.score_metrics(accounts, config, as_of=as_of)
    result = seg.tier_accounts(metric_scores, config)
    event = outcome.event
    arr = result["arr"].to_numpy(dtype="float64") if "arr" in result else None
    known = outcome.known
    columns = score_columns(result)
    core = result_calibration(result, outcome)
    tables = {name: decile_table(values, event, arr) for name, values in columns.items()}
    candidates = candidate_columns(accounts, mapping, excluded)
    proposal = None
    if suggest:
        proposal = suggest_weights(
            metric_scores,
            config,
            event,
            dates=outcome.dates if outcome.kind == "date" else None,
            exclude=excluded,
            current=columns["priority"],
        )
    return Calibration(
        outcome=outcome,
        accounts=core.accounts,
        without_outcome=int((~known).sum()),
        with_outcome=core.with_outcome,
        rate=core.rate,
        tiers=core.tiers,
        quadrants=core.quadrants,
        deciles=tables,
        shapes={name: monotone(table["rate"]) for name, table in tables.items()},
        auc=core.auc,
        metric_auc=metric_aucs(metric_scores, config, event),
        best=best_column(candidates, event),
        signal=core.signal,
        proposal=proposal,
        notes=(*outcome.notes, *notes),
        nrr=_number_nrr(outcome, arr),
    )


def _number(value: Any, digits: int = 4) -> float | None:
    value = float(value)
    return None if np.isnan(value) else round(value, digits)


def to_document(calibration: Calibration) -> dict[str, Any]:
    """The calibration document of CONTRACT.md section 7 (what `calibrate --json` writes)."""
    tiers = [
        {
            "tier": str(name),
            "accounts": int(row["accounts"]),
            "with_outcome": int(row["with_outcome"]),
            "rate": _number(row["rate"]),
            "lift": _number(row["lift"]),
            "arr": _number(row["arr"], 2),
            "arr_with_outcome": _number(row["arr_with_outcome"], 2),
        }
        for name, row in calibration.tiers.iterrows()
    ]
    return {
        "accounts": calibration.accounts,
        "with_outcome": calibration.with_outcome,
        "rate": round(calibration.rate, 4),
        "tiers": tiers,
        "auc": {name: a.as_dict() for name, a in calibration.auc.items() if not np.isnan(a.value)},
        "signal": calibration.signal,
    }


def outcome_from_book(
    accounts: pd.DataFrame,
    spec: OutcomeSpec,
    *,
    as_of: dt.date | None = None,
    outcomes: pd.DataFrame | None = None,
    source: str = "the outcomes file",
) -> Outcome:
    """The outcome from a column of the book, or of a second table joined by account id."""
    arr = accounts.get("arr")
    if outcomes is None:
        if spec.column not in accounts:
            raise InputError(f"The book has no column '{spec.column}' to use as the outcome.")
        return read_outcome(accounts[spec.column], spec, arr=arr, as_of=as_of)
    joined = join_outcomes(accounts, outcomes, spec.column, source)
    outcome = read_outcome(joined.values, spec, arr=arr, as_of=as_of)
    event = np.where(joined.matched, outcome.event, np.nan)
    return replace(outcome, event=event, notes=(*joined.notes, *outcome.notes))
