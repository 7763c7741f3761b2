"""The priority histogram: accounts per priority bin and tier."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from segmentation.config import Config
from segmentation.views.book import tier_codes

HISTOGRAM_BIN = 2.0  # priority points per histogram bar


def priority_histogram(
    result: pd.DataFrame, config: Config, bin_width: float = HISTOGRAM_BIN
) -> pd.DataFrame:
    """Accounts per priority bin and tier, non-empty bins only."""
    priority = result["priority"].astype("float64").to_numpy(na_value=np.nan)
    codes = tier_codes(result)
    known = ~np.isnan(priority)
    bins = math.ceil(100 / bin_width)
    index = np.clip((priority[known] // bin_width).astype("int64"), 0, bins - 1)
    k = len(config.tiers)
    counts = np.bincount(index * k + codes[known], minlength=bins * k).reshape(bins, k)
    b, t = np.nonzero(counts)
    return pd.DataFrame(
        {
            "bin_start": b * bin_width,
            "bin_end": np.minimum((b + 1) * bin_width, 100.0),
            "tier": pd.Categorical.from_codes(t, list(config.tier_names), ordered=True),
            "accounts": counts[b, t],
        }
    )
