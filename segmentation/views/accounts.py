"""The account list: filters, search, one account's pillar breakdown."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from segmentation.config import Config
from segmentation.rules.pillars import EFFECT_WORDS, entering, weight_shares

SEARCH_COLUMNS = ("account_name", "account_id", "csm")


def filter_mask(
    result: pd.DataFrame, filters: Mapping[str, Sequence[str]], search: str = ""
) -> np.ndarray:
    """Rows matching every filter (column -> values; empty = no filter) and the text search."""
    mask = np.ones(len(result), dtype=bool)
    for column, values in filters.items():
        if values and column in result.columns:
            mask &= result[column].isin(list(values)).to_numpy()
    text = search.strip()
    if text:
        hit = np.zeros(len(result), dtype=bool)
        for column in SEARCH_COLUMNS:
            if column in result.columns:
                found = result[column].astype("str").str.contains(text, case=False, regex=False)
                hit |= found.fillna(False).to_numpy(dtype=bool)
        mask &= hit
    return mask


def filter_options(result: pd.DataFrame, column: str, limit: int = 200) -> list[str]:
    """The values a filter offers: category order for categoricals, else the most common."""
    if column not in result.columns:
        return []
    values = result[column]
    if isinstance(values.dtype, pd.CategoricalDtype):
        return [str(c) for c in values.cat.categories]
    counts = values.dropna().astype("str").value_counts()
    return sorted(counts.index[:limit].tolist())


def pillar_breakdown(account: pd.Series, config: Config) -> pd.DataFrame:
    """One account's pillar scores, how each enters priority (in the reasons' words: "health
    risk 85" where a low health score raises priority), and each pillar's weight share."""
    shares = weight_shares(config)
    rows = []
    for pillar in config.pillars:
        score = account.get(f"score_{pillar.key}")
        score = float(score) if score is not None and not pd.isna(score) else np.nan
        rows.append(
            {
                "pillar": pillar.label,
                "driver": pillar.driver_label[:1].upper() + pillar.driver_label[1:],
                "score": score,
                "enters_priority_as": entering(score, pillar.effect),
                "weight_share": shares[pillar.key],
                "effect": EFFECT_WORDS[pillar.effect],
            }
        )
    return pd.DataFrame(rows)
