"""The layered view: market fit (the ICP), then growth potential, then health.

Each account gets one band per layer; the view counts accounts and ARR at each level of the
drill (market; market and growth; market, growth and health) for nested bars, and the
Accounts page filters by the same bands.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from segmentation.config import Config
from segmentation.rules.icp import FIT_BANDS, fit_notes, icp_fit

LAYERS = ("market", "growth", "health")
LAYER_LABELS = {"market": "Market fit", "growth": "Growth potential", "health": "Health"}
NO_DATA = "No data"
NO_ICP = "No ICP defined"
# (lowest score of the band, its name), best first; below the last: the last band
GROWTH_BANDS = ((67.0, "High growth"), (33.0, "Some growth"), (0.0, "Low growth"))
HEALTH_BANDS = ((67.0, "Healthy"), (33.0, "Watch"), (0.0, "At risk"))


@dataclass(frozen=True)
class LayeredView:
    levels: pd.DataFrame  # level (1-3), market, growth, health, accounts, arr, share_of_arr
    notes: tuple[str, ...]  # what the market fit could not see, said aloud


def score_band(
    scores: pd.Series | np.ndarray, bands: tuple[tuple[float, str], ...]
) -> pd.Categorical:
    """Each score's band; an empty score is `No data`."""
    values = np.asarray(scores, dtype="float64")
    names = [name for _, name in bands] + [NO_DATA]
    codes = np.full(len(values), len(bands) - 1)
    for i in range(len(bands) - 2, -1, -1):  # best band last, so it wins
        codes = np.where(values >= bands[i][0], i, codes)
    codes = np.where(np.isnan(values), len(bands), codes)
    return pd.Categorical.from_codes(codes, names, ordered=True)


def _market(result: pd.DataFrame, config: Config) -> tuple[pd.Categorical, np.ndarray, list[str]]:
    if config.icp is None:
        return pd.Categorical([NO_ICP] * len(result)), np.full(len(result), np.nan), []
    fit = icp_fit(result, config.icp)
    return fit.band, fit.score, fit_notes(fit)


def _layers(result: pd.DataFrame, config: Config) -> tuple[pd.DataFrame, list[str]]:
    market, score, notes = _market(result, config)
    frame = pd.DataFrame(
        {
            "icp_fit": score,
            "market": market,
            "growth": score_band(result["score_growth"], GROWTH_BANDS),
            "health": score_band(result["score_health"], HEALTH_BANDS),
        },
        index=result.index,
    )
    return frame, notes


def account_layers(result: pd.DataFrame, config: Config) -> pd.DataFrame:
    """Per account (same index as `result`): its ICP fit score and its band in each layer."""
    return _layers(result, config)[0]


def _level(frame: pd.DataFrame, keys: list[str], level: int) -> pd.DataFrame:
    table = frame.groupby(keys, observed=True, sort=True).agg(
        accounts=("arr", "size"), arr=("arr", "sum")
    )
    table = table.reset_index()
    table.insert(0, "level", level)
    return table


def layered_view(result: pd.DataFrame, config: Config) -> LayeredView:
    """Accounts and ARR at each level of the drill: market, then growth, then health."""
    layers, notes = _layers(result, config)
    arr = result["arr"] if "arr" in result else pd.Series(0.0, index=result.index)
    frame = layers[list(LAYERS)].assign(arr=np.nan_to_num(arr.to_numpy(dtype="float64")))
    levels = pd.concat(
        [_level(frame, list(LAYERS[: i + 1]), i + 1) for i in range(len(LAYERS))],
        ignore_index=True,
    )
    total = float(frame["arr"].sum())
    levels["share_of_arr"] = levels["arr"] / total if total else 0.0
    for layer in LAYERS:  # the levels above a layer leave it empty
        levels[layer] = levels[layer].astype(object).where(levels[layer].notna(), "")
    return LayeredView(levels, tuple(notes))


def layer_options(config: Config) -> dict[str, list[str]]:
    """Each layer's bands, best first (the Accounts page's filter choices)."""
    market = list(FIT_BANDS) if config.icp is not None else [NO_ICP]
    return {
        "market": market,
        "growth": [name for _, name in GROWTH_BANDS] + [NO_DATA],
        "health": [name for _, name in HEALTH_BANDS] + [NO_DATA],
    }


def in_layers(layers: pd.DataFrame, chosen: dict[str, list[str]]) -> np.ndarray:
    """Which accounts are in every chosen band (a layer with none chosen keeps all)."""
    keep = np.ones(len(layers), dtype=bool)
    for layer, bands in chosen.items():
        if bands:
            keep &= layers[layer].astype(object).isin(bands).to_numpy()
    return keep
