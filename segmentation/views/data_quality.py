"""The data-quality panels: what each column feeds, how full it is, pillar gaps."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from segmentation.columns import CANONICAL_COLUMNS, column_label
from segmentation.config import MISSING_HELP, Config
from segmentation.rules.inputs import as_numbers
from segmentation.rules.metrics import MetricScores

# Columns the scoring derives from other columns (docs/design.md section 1).
DERIVED_FROM: dict[str, tuple[str, ...]] = {
    "whitespace": ("potential_arr", "arr"),
    "adoption": ("active_users", "licensed_seats"),
    "days_to_renewal": ("renewal_date",),
}


# Canonical columns that feed something other than a pillar.
OTHER_USES: dict[str, tuple[str, ...]] = {
    "nps": ("NPS group",),
    "renewal_date": ("renewal window",),
    "arr": ("ARR rank", "coverage"),
    "mrr": ("ARR when no ARR column",),
}


def column_uses(config: Config) -> dict[str, list[str]]:
    """What each input column feeds: pillar labels (through derived columns too) and lenses."""
    uses: dict[str, list[str]] = {}

    def add(column: str, use: str) -> None:
        if use not in uses.setdefault(column, []):
            uses[column].append(use)

    for pillar in config.pillars:
        for metric in pillar.metrics:
            if metric.weight <= 0:
                continue
            for column in DERIVED_FROM.get(metric.column, (metric.column,)):
                add(column, pillar.label)
    rails = config.guardrails
    if rails.strategic_floor is not None:
        add("strategic_account", "guard-rail")
    if rails.min_arr_top_tier is not None:
        add("arr", "guard-rail")
    for column, others in OTHER_USES.items():
        for use in others:
            add(column, use)
    return uses


def mapping_coverage(
    accounts: pd.DataFrame, mapping: Mapping[str, str], config: Config
) -> pd.DataFrame:
    """Per canonical column: its source header, what it feeds, the share of rows with a value."""
    uses = column_uses(config)
    rows = []
    n = max(len(accounts), 1)
    for column in CANONICAL_COLUMNS:
        if column.name in accounts.columns:
            coverage = float(accounts[column.name].notna().sum()) / n
        else:
            coverage = np.nan
        rows.append(
            {
                "column": column.name,
                "field": column.label,
                "source": mapping.get(column.name, ""),
                "feeds": ", ".join(uses.get(column.name, [])),
                "coverage": coverage,
            }
        )
    return pd.DataFrame(rows)


ABSENT_HELP = "no value in this book: left out, its weight re-spread"


def metric_coverage(metric_scores: MetricScores, config: Config) -> pd.DataFrame:
    """Per metric in use: the share of accounts with a value and how a missing value is treated."""
    rows = []
    n = max(len(metric_scores), 1)
    for pillar, scored in zip(config.pillars, metric_scores.pillars, strict=True):
        for metric, values, fed in zip(pillar.metrics, scored.inputs, scored.fed, strict=True):
            if metric.weight <= 0:
                continue
            present = int(values.notna().sum()) if isinstance(values, pd.Series) else 0
            if metric.column in metric_scores.missing_columns or not fed:
                present = 0
            rows.append(
                {
                    "pillar": pillar.label,
                    "metric": column_label(metric.column),
                    "coverage": present / n,
                    "missing": len(metric_scores) - present,
                    "when_missing": MISSING_HELP[metric.missing] if fed else ABSENT_HELP,
                }
            )
    return pd.DataFrame(rows)


def pillar_gaps(result: pd.DataFrame, config: Config) -> pd.DataFrame:
    """Accounts whose pillar score is empty (no usable metric), per pillar in use."""
    rows = []
    for pillar in config.pillars:
        if pillar.weight <= 0:
            continue
        empty = int(result[f"score_{pillar.key}"].isna().sum())
        rows.append({"pillar": pillar.label, "accounts_without_score": empty})
    return pd.DataFrame(rows)


def unmapped_numeric_columns(
    raw: pd.DataFrame, mapping: Mapping[str, str], min_share: float = 0.6
) -> list[str]:
    """Input headers not mapped to a canonical column whose filled cells are mostly numbers."""
    used = set(mapping.values())
    found = []
    for header in raw.columns:
        if header in used:
            continue
        column = raw[header].iloc[:2000]
        filled = column.notna() & column.astype("str").str.strip().ne("")
        if not filled.any():
            continue
        if float(np.mean(~np.isnan(as_numbers(column[filled])))) >= min_share:
            found.append(str(header))
    return found
