"""Tiers: the cut of priority at thresholds, then guard-rails and manual overrides.

The one home of the threshold order, the cut, the guard-rails and their plain words.
Cheap by design (comparisons on arrays): this is what runs on every slider move.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
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


@dataclass(frozen=True)
class Override:
    account_id: str
    tier: str
    reason: str = ""


@dataclass(frozen=True)
class Guardrails:
    min_arr_top_tier: float | None = None  # below it, a top-tier account drops one tier
    strategic_floor: str | None = None  # strategic accounts are never below this tier
    overrides: tuple[Override, ...] = ()


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


def validate_tiers(tiers: tuple[Tier, ...]) -> None:
    if len(tiers) < 2:
        fail("tiers", "at least two tiers are needed")
    for i, tier in enumerate(tiers):
        check_fields(f"tiers[{i}]", lambda name, t=tier: getattr(t, name), TIER_CONSTRAINTS)
    names = [t.name for t in tiers]
    if len({n.strip().casefold() for n in names}) != len(names):
        fail("tiers", f"tier names must be unique; got {', '.join(names)}")
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
        Text(blank=True, problem="must be text").check(f"{path}.reason", override.reason)


# --- the numbers ----------------------------------------------------------------------------


def cut_tiers(priority: np.ndarray, config: Config) -> np.ndarray:
    """Index of the first tier whose threshold the priority reaches; no priority -> last tier."""
    index = np.zeros(len(priority), dtype="int64")
    for tier in config.tiers[:-1]:
        index += priority < tier.threshold
    index[np.isnan(priority)] = len(config.tiers) - 1
    return index


@dataclass(frozen=True)
class GuardrailEffects:
    tier_index: np.ndarray
    below_min_arr: np.ndarray  # bool: dropped from the top tier for low ARR
    raised_strategic: np.ndarray  # bool: lifted to the strategic floor
    overridden: np.ndarray  # bool
    override_reason: np.ndarray  # object: the override's reason where overridden


def apply_guardrails(
    tier_index: np.ndarray, accounts: pd.DataFrame, config: Config
) -> GuardrailEffects:
    """Minimum ARR for the top tier, the strategic floor, then manual overrides, in that order."""
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
    if rails.overrides and "account_id" in accounts:
        ids = accounts["account_id"].astype("str").str.strip()
        for override in rails.overrides:
            hit = (ids == str(override.account_id).strip()).to_numpy()
            index[hit] = config.tier_names.index(override.tier)
            overridden |= hit
            reasons[hit] = override.reason
    return GuardrailEffects(index, below_min_arr, raised, overridden, reasons)


# --- the SQL form (columns named by the query builder, segmentation/warehouse) -------------


def cut_tiers_sql(priority: str, config: Config) -> str:
    """`cut_tiers` in SQL: the index of the first tier whose threshold the priority reaches."""
    last = len(config.tiers) - 1
    whens = [(f"{priority} IS NULL", str(last))]
    whens += [
        (f"{priority} >= {sql.number(t.threshold)}", str(i))
        for i, t in enumerate(config.tiers[:-1])
    ]
    return sql.case(whens, str(last))


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


def describe_tiers(config: Config) -> list[str]:
    lines = ["Tiers, from the top: an account takes the first tier whose threshold it reaches."]
    for tier in config.tiers:
        lines.append(
            f"- {tier.name}: priority {tier.threshold:g} or more. {tier.engagement}".rstrip()
        )
    rails = config.guardrails
    if rails.min_arr_top_tier is not None:
        minimum = f"${rails.min_arr_top_tier:,.0f}"
        lines.append(f"Guard-rail: {config.tiers[0].name} needs ARR of at least {minimum}.")
    if rails.strategic_floor is not None:
        lines.append(f"Guard-rail: strategic accounts are never below {rails.strategic_floor}.")
    for o in rails.overrides:
        lines.append(
            f"Override: account {o.account_id} is {o.tier}"
            + (f" ({o.reason})." if o.reason else ".")
        )
    return lines
