"""The Scenarios panel: two to four named settings side by side on one book.

Per scenario: accounts and ARR per tier, CSMs needed (the capacity model when the settings
have one; the ARR-per-CSM rule for the top tier always) and, when an outcome is marked,
priority's AUC; each against the first scenario (the base). Between the base and each other
scenario: the agreement matrix and the accounts whose tier differs, largest ARR first.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from segmentation.calibration.stats import live_summary
from segmentation.config import Config
from segmentation.movement import moved_accounts, movement_matrix, movement_totals
from segmentation.rules.metrics import MetricScores, score_metrics
from segmentation.scenarios import Scenario, settings_diff
from segmentation.segment import tier_accounts
from segmentation.views.capacity import capacity_view
from segmentation.views.tiers import csm_coverage, tier_summary

MIN_COMPARED, MAX_COMPARED = 2, 4
Scorer = Callable[[Config], MetricScores]  # stage 1 for a config (the app's is cached)


@dataclass(frozen=True)
class ScenarioResult:
    name: str
    settings: Config
    result: pd.DataFrame


@dataclass(frozen=True)
class Pair:
    """The base against one other scenario."""

    other: str
    matrix: pd.DataFrame  # accounts by the base's tier (rows) and the other's (columns)
    moved: int  # accounts whose tier differs
    arr_moved: float
    differing: pd.DataFrame  # those accounts, largest ARR first (at most `limit`)
    changes: list[str]  # what the other's settings change against the base's


@dataclass(frozen=True)
class ComparisonView:
    names: tuple[str, ...]
    table: pd.DataFrame  # one row per measure: `kind`, a column per scenario, then "vs base"
    pairs: tuple[Pair, ...]


def scenario_results(
    accounts: pd.DataFrame, scenarios: Sequence[Scenario], scorer: Scorer | None = None
) -> list[ScenarioResult]:
    """Each scenario's segmentation of the book; stage 1 computed once per metric settings."""
    if not MIN_COMPARED <= len(scenarios) <= MAX_COMPARED:
        raise ValueError(f"compare {MIN_COMPARED} to {MAX_COMPARED} scenarios")
    memo: dict[tuple, MetricScores] = {}

    def stage_one(config: Config) -> MetricScores:
        key = config.scoring_key()
        if key not in memo:
            memo[key] = scorer(config) if scorer else score_metrics(accounts, config)
        return memo[key]

    return [
        ScenarioResult(s.name, s.settings, tier_accounts(stage_one(s.settings), s.settings))
        for s in scenarios
    ]


def _tier_rows(results: Sequence[ScenarioResult]) -> list[tuple[str, str, list[float]]]:
    names = list(dict.fromkeys(n for r in results for n in r.settings.tier_names))
    tables = [tier_summary(r.result, r.settings).reindex(names) for r in results]
    rows = []
    for name in names:
        rows.append((f"{name}: accounts", "accounts", [t.at[name, "accounts"] for t in tables]))
        rows.append((f"{name}: ARR", "arr", [t.at[name, "arr"] for t in tables]))
    return rows


def _csms(result: ScenarioResult) -> float:
    if result.settings.capacity is None:
        return math.nan
    return float(np.nansum(capacity_view(result.result, result.settings).table["csms_needed"]))


def _measure_rows(
    results: Sequence[ScenarioResult], event: np.ndarray | None
) -> list[tuple[str, str, list[float]]]:
    rows = _tier_rows(results)
    if any(r.settings.capacity is not None for r in results):
        rows.append(("CSMs needed (capacity model)", "csms", [_csms(r) for r in results]))
    top = [csm_coverage(r.result, r.settings) for r in results]
    rows.append(("Top-tier CSMs by ARR per CSM", "csms", [float(c.csms) for c in top]))
    if event is not None:
        summaries = [live_summary(r.result, event) for r in results]
        rows.append(("Priority AUC", "auc", [s.auc.value for s in summaries]))
        rows.append(("Top-tier lift", "lift", [s.top_lift for s in summaries]))
    return rows


def comparison_table(
    results: Sequence[ScenarioResult], event: np.ndarray | None = None
) -> pd.DataFrame:
    """One row per measure, one column per scenario, then each other one's change vs the base."""
    names = [r.name for r in results]
    rows = _measure_rows(results, event)
    table = pd.DataFrame(
        [[kind, *(float(v) for v in values)] for _, kind, values in rows],
        index=pd.Index([label for label, _, _ in rows], name="measure"),
        columns=["kind", *names],
    )
    for name in names[1:]:
        table[f"{name} vs {names[0]}"] = table[name] - table[names[0]]
    return table


def compare_pair(base: ScenarioResult, other: ScenarioResult, limit: int = 15) -> Pair:
    """The agreement matrix of two scenarios and the accounts whose tier differs, by ARR."""
    base_tiers = pd.Categorical(base.result["tier"])
    totals = movement_totals(other.result, base_tiers)
    matrix = movement_matrix(base_tiers, pd.Categorical(other.result["tier"]))
    matrix.index.name, matrix.columns.name = base.name, other.name
    differing = moved_accounts(other.result, base_tiers, limit=limit)
    differing = differing.rename(columns={"from_tier": base.name, "to_tier": other.name})
    return Pair(
        other.name,
        matrix,
        totals.moved,
        totals.arr_moved,
        differing,
        settings_diff(base.settings, other.settings),
    )


def comparison_view(
    results: Sequence[ScenarioResult], event: np.ndarray | None = None, limit: int = 15
) -> ComparisonView:
    """The Scenarios panel in one call; the first result is the base."""
    return ComparisonView(
        tuple(r.name for r in results),
        comparison_table(results, event),
        tuple(compare_pair(results[0], other, limit) for other in results[1:]),
    )
