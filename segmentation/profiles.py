"""Segmenting a book whose settings hold profiles (rules/profiles.py says what one is).

One rule: every account's result is `segment()` over a population, with its profile's
settings, restricted to the account.

- a profile with `ranks_within`: the population is the profile's own accounts, so its
  percentile ranks and relative cut-offs (top 15%...) are those of its accounts alone;
- a profile without it: the population is the whole book, scored with the profile's
  settings: ranks and relative cut-offs are the whole book's under those settings;
- accounts in no profile (`Default`): the whole book with the default settings, so adding,
  changing or removing a profile never changes them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import replace

import numpy as np
import pandas as pd

from segmentation.config import Config, profile_config, with_profile_settings
from segmentation.rules.metrics import MetricScores, score_metrics
from segmentation.rules.profiles import (
    DEFAULT_PROFILE,
    Profile,
    profile_index,
    profile_names,
    profile_note,
)
from segmentation.rules.tiers import is_relative

PROFILE_COLUMN = "profile"
# (the rows of a population, None for the whole book; its settings) -> its result
Segmenter = Callable[[np.ndarray | None, Config], pd.DataFrame]


def without_profiles(config: Config) -> Config:
    """The default settings alone."""
    return replace(config, profiles=()) if config.profiles else config


def plain_segmenter(
    accounts: pd.DataFrame, as_of: dt.date | None, previous_tier: object
) -> Segmenter:
    """`segment()` of a population of `accounts` (what the library and the CLI use)."""
    from segmentation.segment import segment, tier_accounts  # segment() dispatches here

    previous = None if previous_tier is None else np.asarray(previous_tier, dtype=object)
    whole_book: dict[tuple, MetricScores] = {}  # stage 1 shared by settings that score alike

    def segmenter(rows: np.ndarray | None, config: Config) -> pd.DataFrame:
        if rows is None:
            key = config.scoring_key()
            if key not in whole_book:
                whole_book[key] = score_metrics(accounts, config, as_of=as_of)
            return tier_accounts(
                whole_book[key], config, previous_tier=previous_tier, reasons=False
            )
        aligned = None if previous is None else previous[rows]
        return segment(accounts.iloc[rows], config, as_of=as_of, previous_tier=aligned)

    return segmenter


def _part(segmenter: Segmenter, rows: np.ndarray, config: Config, within: bool) -> pd.DataFrame:
    """The result of `rows` under `config`, over their own population or the whole book
    (whose reasons, if kept as codes, are written for these rows alone)."""
    if within:
        return segmenter(rows, config)
    from segmentation.segment import with_reasons

    return with_reasons(segmenter(None, config).iloc[rows], rows)


def _union_categories(parts: list[pd.DataFrame], column: str) -> list:
    seen: dict = {}
    for part in parts:
        seen.update(dict.fromkeys(part[column].cat.categories))
    return list(seen)


def _assemble(parts: list[pd.DataFrame], rows: list[np.ndarray], index: pd.Index) -> pd.DataFrame:
    """The parts back in input order, tier and quadrant kept categorical over all names."""
    for column in ("tier", "quadrant"):
        names = _union_categories(parts, column)
        ordered = parts[0][column].cat.ordered
        parts = [
            p.assign(**{column: p[column].cat.set_categories(names, ordered=ordered)})
            for p in parts
        ]
    whole = pd.concat(parts, ignore_index=True)
    whole = whole.iloc[np.argsort(np.concatenate(rows), kind="stable")]
    whole.index = index
    return whole


def segment_with_profiles(
    accounts: pd.DataFrame,
    config: Config,
    *,
    as_of: dt.date | None = None,
    previous_tier: object = None,
    segmenter: Segmenter | None = None,
) -> pd.DataFrame:
    """`segment()` for settings with profiles: the rule of this module, plus a `profile`
    column, and each account's reasons saying which settings scored it."""
    segmenter = segmenter or plain_segmenter(accounts, as_of, previous_tier)
    membership = profile_index(accounts, config.profiles)
    everyone = np.arange(len(accounts))
    rows = [everyone[membership == -1]]
    parts = [_part(segmenter, rows[0], without_profiles(config), False)]
    for i, profile in enumerate(config.profiles):
        rows.append(everyone[membership == i])
        settings = profile_config(config, profile.name)
        parts.append(_part(segmenter, rows[-1], settings, profile.ranks_within))
    result = _assemble(parts, rows, accounts.index)
    names = profile_names(membership, config.profiles)
    notes = pd.array(profile_note(names), dtype=result["reasons"].dtype)
    result["reasons"] = notes + result["reasons"].array
    result[PROFILE_COLUMN] = names
    return result


def pin_profiles(accounts: pd.DataFrame, config: Config, as_of: dt.date | None) -> Config:
    """`config` with each profile's relative cut-offs pinned to its population's numbers
    (before the default settings' are pinned, which a profile would otherwise inherit)."""
    from segmentation.segment import fitted_config

    membership = profile_index(accounts, config.profiles)
    for i, profile in enumerate(config.profiles):
        settings = profile_config(config, profile.name)
        if not is_relative(settings.tiers):
            continue
        population = accounts.iloc[np.flatnonzero(membership == i)]
        scores = score_metrics(
            population if profile.ranks_within else accounts, settings, as_of=as_of
        )
        config = with_profile_settings(config, profile.name, fitted_config(scores, settings))
    return config


def fold_edit(whole: Config, editing: str | None, new: Config) -> Config:
    """The whole settings after the Workshop's controls, editing profile `editing`, produced
    `new`: settings without profiles are that profile's (stored as what differs from the
    default settings); anything else replaces the whole."""
    names = {p.name for p in whole.profiles}
    if editing not in names or new.profiles:
        return new
    return with_profile_settings(whole, editing, new)


def tiers_by_profile(result: pd.DataFrame) -> pd.DataFrame:
    """Accounts and ARR per profile and tier (the Segments page's summary table)."""
    profile = (
        result[PROFILE_COLUMN]
        if PROFILE_COLUMN in result
        else pd.Series(DEFAULT_PROFILE, index=result.index)
    )
    arr = result["arr"] if "arr" in result else pd.Series(0.0, index=result.index)
    frame = pd.DataFrame(
        {"profile": profile.to_numpy(), "tier": result["tier"].to_numpy(), "arr": arr.to_numpy()}
    )
    table = frame.groupby(["profile", "tier"], observed=True, sort=True).agg(
        accounts=("tier", "size"), arr=("arr", "sum")
    )
    return table.reset_index()


# --- what the Segments page offers and builds ---

MAX_PROFILE_VALUES = 100  # a column with more distinct values is not a segment column


def profile_columns(accounts: pd.DataFrame) -> list[str]:
    """The book's text columns a profile can be keyed by (2 to 100 distinct values)."""
    columns = []
    for name in accounts.columns:
        values = accounts[name]
        if pd.api.types.is_numeric_dtype(values) or pd.api.types.is_datetime64_any_dtype(values):
            continue
        if 2 <= values.nunique(dropna=True) <= MAX_PROFILE_VALUES:
            columns.append(str(name))
    return columns


def column_values(accounts: pd.DataFrame, column: str) -> list[str]:
    """A column's distinct values, most common first."""
    values = accounts[column].dropna().astype(str).str.strip()
    return values[values != ""].value_counts().index[:MAX_PROFILE_VALUES].tolist()


def override_document(
    config: Config, weights: dict[str, float] | None, shares: list[float] | None
) -> dict:
    """A profile's `settings` from the page's choices: its own pillar weights and/or its own
    relative cut-offs (percent of its accounts in each tier above the last)."""
    settings: dict = {}
    if weights is not None:
        settings["pillars"] = {key: {"weight": weight} for key, weight in weights.items()}
    if shares is not None:
        tiers = [
            {"name": t.name, "share": share, "engagement": t.engagement}
            for t, share in zip(config.tiers[:-1], shares, strict=True)
        ]
        last = config.tiers[-1]
        settings["tiers"] = [
            *tiers,
            {"name": last.name, "threshold": 0, "engagement": last.engagement},
        ]
    return settings


def with_profile(config: Config, profile: Profile) -> Config:
    """`config` with `profile` added, or put in place of the one of the same name."""
    kept = [p for p in config.profiles if p.name != profile.name]
    position = next((i for i, p in enumerate(config.profiles) if p.name == profile.name), len(kept))
    kept.insert(position, profile)
    return replace(config, profiles=tuple(kept))


def without_profile(config: Config, name: str) -> Config:
    return replace(config, profiles=tuple(p for p in config.profiles if p.name != name))
