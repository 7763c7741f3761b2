"""Tiers: the cut of priority at thresholds, then guard-rails and manual overrides.

The one home of the threshold order, the cut, the guard-rails and their plain words.
Cheap by design (comparisons on arrays): this is what runs on every slider move.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from segmentation.rules import sql
from segmentation.rules.constraints import Choice, Number, Table, Text, check_fields, fail
from segmentation.rules.inputs import column_flags, column_numbers

if TYPE_CHECKING:
    from segmentation.config import Config


@dataclass(frozen=True)
class Tier:
    name: str
    threshold: float  # lowest priority that reaches this tier; the last tier's is 0
    engagement: str = ""
    # Relative cut-offs: the percent of the book's accounts this tier aims to hold. Set on
    # every tier above the last (or on none); the thresholds are then cut from each book's
    # own priorities (`pin_cutoffs`) and a saved file pins them as numbers.
    share: float | None = None


@dataclass(frozen=True)
class Override:
    """A person's decision that one account sits in one tier, whatever its priority.

    The app asks for a reason and records who made it and when (`by`, `at`: ISO text);
    an override past its `expires` day is not applied (and is said so). Older settings
    files carry only id, tier and reason: the rest stays empty.
    """

    account_id: str
    tier: str
    reason: str = ""
    expires: dt.date | None = None  # the last day it applies; None: until removed
    by: str = ""
    at: str = ""  # when it was made, ISO date-time

    def expired(self, as_of: dt.date | None) -> bool:
        """True when `as_of` is past its last day (no day known: it still applies)."""
        return self.expires is not None and as_of is not None and as_of > self.expires


@dataclass(frozen=True)
class Guardrails:
    min_arr_top_tier: float | None = None  # below it, a top-tier account drops one tier
    strategic_floor: str | None = None  # strategic accounts are never below this tier
    overrides: tuple[Override, ...] = ()


OVERRIDE_CONSTRAINTS: Table = (
    ("reason", Text(blank=True, problem="must be text")),
    ("by", Text(blank=True, problem="must be text")),
    ("at", Text(blank=True, problem="must be text")),
)

TIER_CONSTRAINTS: Table = (
    ("name", Text()),
    ("threshold", Number(minimum=0, maximum=100)),
    ("engagement", Text(blank=True, problem="must be text")),
)


def crossed_threshold(thresholds: Sequence[float]) -> int | None:
    """The first tier (from the second) whose cut-off is not below the one above it."""
    for i in range(1, len(thresholds)):
        if thresholds[i] >= thresholds[i - 1]:
            return i
    return None


def is_relative(tiers: Sequence[Tier]) -> bool:
    """True when the cut-offs are shares of the book, to be cut from its priorities."""
    return any(t.share is not None for t in tiers)


def _validate_shares(tiers: tuple[Tier, ...]) -> None:
    share = Number(minimum=0.1, maximum=99.9)
    for i, tier in enumerate(tiers[:-1]):
        if tier.share is None:
            fail(f"tiers[{i}].share", "give a share to every tier above the last, or to none")
        share.check(f"tiers[{i}].share", tier.share)
    if tiers[-1].share is not None:
        fail(f"tiers[{len(tiers) - 1}].share", "the last tier takes everything left: leave it out")
    total = sum(t.share for t in tiers[:-1])
    if total >= 100:
        fail(
            "tiers",
            f"the shares of the tiers above the last must add up to under 100; got {total:g}",
        )


def validate_tiers(tiers: tuple[Tier, ...]) -> None:
    if len(tiers) < 2:
        fail("tiers", "at least two tiers are needed")
    for i, tier in enumerate(tiers):
        check_fields(f"tiers[{i}]", lambda name, t=tier: getattr(t, name), TIER_CONSTRAINTS)
    names = [t.name for t in tiers]
    if len({n.strip().casefold() for n in names}) != len(names):
        fail("tiers", f"tier names must be unique; got {', '.join(names)}")
    if is_relative(tiers):
        _validate_shares(tiers)
        return
    cut = tiers[:-1]
    i = crossed_threshold([t.threshold for t in cut])
    if i is not None:
        fail(
            f"tiers[{i}].threshold",
            f"thresholds must decrease from the top tier down: {tiers[i].name} "
            f"({tiers[i].threshold:g}) is not below {tiers[i - 1].name} "
            f"({tiers[i - 1].threshold:g})",
        )
    if tiers[-1].threshold != 0:
        fail(f"tiers[{len(names) - 1}].threshold", "the last tier takes everything left: use 0")


def validate_guardrails(rails: Guardrails, tier_names: tuple[str, ...]) -> None:
    tier = Choice(tier_names)
    table: Table = (
        ("min_arr_top_tier", Number(minimum=0, optional=True)),
        ("strategic_floor", Choice(tier_names, optional=True)),
    )
    check_fields("guardrails", lambda name: getattr(rails, name), table)
    for i, override in enumerate(rails.overrides):
        path = f"guardrails.overrides[{i}]"
        if not str(override.account_id).strip():
            fail(f"{path}.account_id", "must name an account")
        tier.check(f"{path}.tier", override.tier)
        check_fields(path, lambda name, o=override: getattr(o, name), OVERRIDE_CONSTRAINTS)
        if override.expires is not None and not isinstance(override.expires, dt.date):
            fail(f"{path}.expires", f"must be a date (YYYY-MM-DD), got {override.expires!r}")


def active_overrides(rails: Guardrails, as_of: dt.date | None) -> tuple[Override, ...]:
    """The overrides still in force on `as_of` (every one when no day is known)."""
    return tuple(o for o in rails.overrides if not o.expired(as_of))


def expired_overrides(rails: Guardrails, as_of: dt.date | None) -> tuple[Override, ...]:
    return tuple(o for o in rails.overrides if o.expired(as_of))


def expired_words(rails: Guardrails, as_of: dt.date | None) -> list[str]:
    """One warning per override past its last day (the app's and the CLI's `warning:`s)."""
    return [
        f"the override of account {o.account_id} to {o.tier} ended on {o.expires:%Y-%m-%d} "
        "and is not applied"
        for o in expired_overrides(rails, as_of)
    ]


# --- the numbers ----------------------------------------------------------------------------


def cut_tiers(priority: np.ndarray, config: Config) -> np.ndarray:
    """Index of the first tier whose threshold the priority reaches; no priority -> last tier."""
    return cut_at(priority, [t.threshold for t in config.tiers[:-1]])


def cut_at(priority: np.ndarray, thresholds: Sequence[float | np.ndarray]) -> np.ndarray:
    """The cut at these thresholds, top first; each a number or an array that broadcasts
    against `priority` (one cut-off per column of draws, for tier confidence)."""
    index = np.zeros(priority.shape, dtype="int64")
    for threshold in thresholds:
        index += priority < threshold
    index[np.isnan(priority)] = len(thresholds)
    return index


STEP = 0.1  # priority is rounded to one decimal: the smallest gap between two cut-offs


def share_thresholds(priority: np.ndarray, shares: Sequence[float]) -> list[float]:
    """Cut-offs such that each tier holds about its share of the accounts with a priority.

    A cut-off is the priority of the last account inside the tier's cumulative share, so ties
    stay together (a tier may hold a little more than its share); each cut-off is at least one
    step below the one above it.
    """
    largest = kth_largest(priority, shares)
    thresholds: list[float] = []
    cumulative, above = 0.0, 100.0 + STEP
    for i, share in enumerate(shares):
        cumulative += share
        value = largest[i] if largest else 100.0 - cumulative
        floor = STEP * (len(shares) - i)
        value = round(max(min(value, above - STEP), floor), 1)
        thresholds.append(value)
        above = value
    return thresholds


def kth_largest(priority: np.ndarray, shares: Sequence[float]) -> list[float]:
    """Per cumulative share, the priority of the last account inside it, counted from the
    top among the accounts with a priority (none: an empty list). Found by partitioning at
    those few ranks, not by sorting the book: the same values."""
    known = priority[~np.isnan(priority)]
    n = len(known)
    if not n:
        return []
    ranks, cumulative = [], 0.0
    for share in shares:
        cumulative += share
        ranks.append(n - min(max(round(cumulative / 100 * n), 1), n))  # ascending position
    ordered = np.partition(known, sorted(set(ranks)))
    return [float(ordered[rank]) for rank in ranks]


def pin_cutoffs(priority: np.ndarray, config: Config) -> Config:
    """The config with relative cut-offs cut from these priorities into fixed numbers."""
    if not is_relative(config.tiers):
        return config
    cut = config.tiers[:-1]
    values = share_thresholds(priority, [t.share for t in cut])
    tiers = [replace(t, threshold=v, share=None) for t, v in zip(cut, values, strict=True)]
    return replace(config, tiers=(*tiers, replace(config.tiers[-1], share=None)))


def describe_pinned(relative: Config, pinned: Config) -> str:
    """The relative cut-offs said aloud with the numbers this book gave them."""
    parts = [
        f"{t.name} the top {t.share:g}% (priority {p.threshold:g} or more)"
        if i == 0
        else f"{t.name} the next {t.share:g}% ({p.threshold:g} or more)"
        for i, (t, p) in enumerate(zip(relative.tiers[:-1], pinned.tiers[:-1], strict=True))
    ]
    return (
        "Cut-offs set from this book's own priorities: " + ", ".join(parts) + f", "
        f"{relative.tiers[-1].name} the rest. Saved settings keep these numbers."
    )


@dataclass(frozen=True)
class GuardrailEffects:
    tier_index: np.ndarray
    below_min_arr: np.ndarray  # bool: dropped from the top tier for low ARR
    raised_strategic: np.ndarray  # bool: lifted to the strategic floor
    overridden: np.ndarray  # bool
    override_reason: np.ndarray  # object: the override's reason where overridden


def apply_guardrails(
    tier_index: np.ndarray, accounts: pd.DataFrame, config: Config, as_of: dt.date | None = None
) -> GuardrailEffects:
    """Minimum ARR for the top tier, the strategic floor, then manual overrides, in that order.

    Overrides past their last day on `as_of` are not applied.
    """
    rails = config.guardrails
    index = tier_index.copy()
    n = len(index)
    below_min_arr = np.zeros(n, dtype=bool)
    if rails.min_arr_top_tier is not None:
        arr = column_numbers(accounts, "arr")
        below_min_arr = (index == 0) & ~(arr >= rails.min_arr_top_tier)
        index[below_min_arr] = 1
    raised = np.zeros(n, dtype=bool)
    if rails.strategic_floor is not None:
        floor = config.tier_names.index(rails.strategic_floor)
        raised = (column_flags(accounts, "strategic_account") == 1) & (index > floor)
        index[raised] = floor
    overridden = np.zeros(n, dtype=bool)
    reasons = np.full(n, "", dtype=object)
    overrides = active_overrides(rails, as_of)
    if overrides and "account_id" in accounts:
        ids = accounts["account_id"].astype("str").str.strip()
        for override in overrides:
            hit = (ids == str(override.account_id).strip()).to_numpy()
            index[hit] = config.tier_names.index(override.tier)
            overridden |= hit
            reasons[hit] = override.reason
    return GuardrailEffects(index, below_min_arr, raised, overridden, reasons)


# --- the SQL form (columns named by the query builder, segmentation/warehouse) -------------


def cut_tiers_sql(priority: str, thresholds: Sequence[str]) -> str:
    """`cut_tiers` in SQL: the index of the first tier whose threshold the priority reaches.

    `thresholds`: each tier's above the last, as SQL (numbers, or `share_thresholds_sql`'s).
    """
    last = len(thresholds)
    whens = [(f"{priority} IS NULL", str(last))]
    whens += [(f"{priority} >= {t}", str(i)) for i, t in enumerate(thresholds)]
    return sql.case(whens, str(last))


def thresholds_sql(config: Config) -> list[str]:
    """Fixed cut-offs as SQL numbers, or the columns `share_thresholds_sql` computes."""
    if is_relative(config.tiers):
        return [sql.ident(f"cutoff_{i}") for i in range(len(config.tiers) - 1)]
    return [sql.number(t.threshold) for t in config.tiers[:-1]]


def share_thresholds_sql(priority: str, source: str, config: Config) -> str:
    """`share_thresholds` in SQL: one row of columns `cutoff_0`.. cut from `source`'s priorities.

    Counted per distinct priority (at most 1,001 of them): the k-th highest priority is the
    highest one with at least k accounts at or above it.
    """
    counts = (
        f"SELECT {priority} AS priority, COUNT(*) AS ties FROM {source} "
        f"WHERE {priority} IS NOT NULL GROUP BY {priority}"
    )
    tops = (
        "SELECT priority, SUM(ties) OVER (ORDER BY priority DESC) AS from_top, "
        f"SUM(ties) OVER () AS known FROM ({counts}) AS distinct_priorities"
    )
    shares = [t.share for t in config.tiers[:-1]]
    picks, cumulative = [], 0.0
    for i, share in enumerate(shares):
        cumulative += share
        wanted = sql.round_half_even(f"({sql.number(cumulative / 100)} * known)", 0)
        k = f"LEAST(GREATEST({wanted}, 1), known)"
        picks.append(f"MAX(CASE WHEN from_top >= {k} THEN priority END) AS pick_{i}")
    above, columns = sql.number(100.0 + STEP), []
    for i in range(len(shares)):
        cumulative = sum(shares[: i + 1])
        value = f"COALESCE(pick_{i}, {sql.number(100.0 - cumulative)})"
        floor = sql.number(STEP * (len(shares) - i))
        bounded = f"GREATEST(LEAST({value}, {above} - {sql.number(STEP)}), {floor})"
        columns.append(f"{sql.round_half_even(bounded, 1)} AS cutoff_{i}")
        above = f"cutoff_{i}"
    # each cut-off reads the one above it: one nested SELECT per tier
    text = f"SELECT {', '.join(picks)} FROM ({tops}) AS priorities"
    for i, column in enumerate(columns):
        text = f"SELECT *, {column} FROM ({text}) AS cut_{i}"
    return text


def relative_cutoffs_words(config: Config) -> str:
    """What `share_thresholds_sql` does, said aloud where the query is printed or run."""
    parts = [
        f"{t.name} the {'next' if i else 'top'} {t.share:g}%"
        for i, t in enumerate(config.tiers[:-1])
    ]
    return (
        "the cut-offs are computed by the query from the table's own priorities on each run: "
        + ", ".join(parts)
        + f", {config.tiers[-1].name} the rest"
    )


def guardrails_sql(
    cut: str, config: Config, arr: str | None, strategic: str | None, account_id: str | None
) -> str:
    """`apply_guardrails` in SQL: minimum ARR, the strategic floor, then overrides (last wins).

    `arr` / `strategic` / `account_id`: the columns read as a number, a flag and an id, or
    None where the table does not have them.
    """
    rails = config.guardrails
    index = cut
    if rails.min_arr_top_tier is not None:
        enough = (
            "FALSE"
            if arr is None
            else f"COALESCE({arr} >= {sql.number(rails.min_arr_top_tier)}, FALSE)"
        )
        index = sql.case([(f"{index} = 0 AND NOT {enough}", "1")], index)
    if rails.strategic_floor is not None and strategic is not None:
        floor = config.tier_names.index(rails.strategic_floor)
        index = sql.case([(f"{strategic} = 1.0 AND {index} > {floor}", str(floor))], index)
    if rails.overrides and account_id is not None:
        key = f"TRIM(CAST({account_id} AS VARCHAR))"
        whens = [
            (f"{key} = {sql.text(str(o.account_id).strip())}", str(config.tier_names.index(o.tier)))
            for o in reversed(rails.overrides)
        ]
        index = sql.case(whens, index)
    return index


def tier_name_sql(index: str, config: Config) -> str:
    return sql.case([(f"{index} = {i}", sql.text(t.name)) for i, t in enumerate(config.tiers)])


# --- plain words ----------------------------------------------------------------------------


def _tier_lines(config: Config) -> list[str]:
    if is_relative(config.tiers):
        lines = ["Tiers, from the top: cut-offs are set from each book's own priorities."]
        for i, tier in enumerate(config.tiers):
            which = "the rest"
            if tier.share is not None:
                which = f"the {'next' if i else 'top'} {tier.share:g}% of accounts"
            lines.append(f"- {tier.name}: {which}. {tier.engagement}".rstrip())
        return lines
    lines = ["Tiers, from the top: an account takes the first tier whose threshold it reaches."]
    for tier in config.tiers:
        lines.append(
            f"- {tier.name}: priority {tier.threshold:g} or more. {tier.engagement}".rstrip()
        )
    return lines


def describe_tiers(config: Config) -> list[str]:
    lines = _tier_lines(config)
    rails = config.guardrails
    if rails.min_arr_top_tier is not None:
        minimum = f"${rails.min_arr_top_tier:,.0f}"
        lines.append(f"Guard-rail: {config.tiers[0].name} needs ARR of at least {minimum}.")
    if rails.strategic_floor is not None:
        lines.append(f"Guard-rail: strategic accounts are never below {rails.strategic_floor}.")
    for o in rails.overrides:
        lines.append(override_words(o))
    return lines


def override_words(o: Override) -> str:
    """One override in a sentence: the account, the tier, why, by whom and until when."""
    why = f" ({o.reason})" if o.reason else ""
    who = f", set by {o.by}" if o.by else ""
    when = f" on {o.at[:10]}" if o.at else ""
    until = f" until {o.expires:%Y-%m-%d}" if o.expires else ""
    return f"Override: account {o.account_id} is {o.tier}{why}{who}{when}{until}."


def in_force(config: Config, as_of: dt.date | None) -> Config:
    """`config` with only the overrides still in force on `as_of`: what a computation that
    re-applies the guard-rails without a day (the capacity fit) counts, as segment() does."""
    rails = config.guardrails
    active = active_overrides(rails, as_of)
    if len(active) == len(rails.overrides):
        return config
    return replace(config, guardrails=replace(rails, overrides=active))
