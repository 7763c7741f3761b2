"""Movement rules: how an account with a known previous tier may leave it (docs/interfaces.md 7).

The one home of the `movement` settings, their constraints, their vectorised evaluation and
their plain words. Applied after the cut and before the guard-rails and overrides, in this
order, each on what the one before left:

- `margin` (hysteresis): an account moves up to `cut(priority - margin)` when that is above
  its previous tier, down to `cut(priority + margin)` when that is below, else it stays;
- `min_periods` (with a history): a move needs the new tier's conditions (the plain cut at or
  beyond it) in that many consecutive snapshots, this one included;
- `renewal_freeze_days`: no move down within that many days before the renewal date;
- `max_step`: at most this many tiers per period.

An account whose final tier differs from the plain cut carries, in `held`, the last rule
that changed it, and a sentence in its reasons.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields, replace
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from segmentation.rules.constraints import Number, Table, check_fields, fail

if TYPE_CHECKING:
    from segmentation.config import Config
    from segmentation.rules.tiers import GuardrailEffects


@dataclass(frozen=True)
class MovementRules:
    margin: float = 0.0  # priority points beyond a cut-off needed to leave the previous tier
    renewal_freeze_days: int = 0  # 0: off
    max_step: int | None = None  # None: any number of tiers per period
    min_periods: int = 1  # 1: a move needs only this snapshot

    @property
    def active(self) -> bool:
        """Whether any rule can keep an account from the plain cut."""
        return self != MovementRules()


MOVEMENT_CONSTRAINTS: Table = (
    ("margin", Number(minimum=0, maximum=50)),
    ("renewal_freeze_days", Number(minimum=0, maximum=730)),
    ("max_step", Number(minimum=1, maximum=20, optional=True)),
    ("min_periods", Number(minimum=1, maximum=12)),
)
WHOLE_FIELDS = ("renewal_freeze_days", "max_step", "min_periods")
HELD_RULES = ("margin", "min_periods", "renewal_freeze", "max_step")  # `held` values, in order


def validate_movement(rules: MovementRules) -> None:
    check_fields("movement", lambda name: getattr(rules, name), MOVEMENT_CONSTRAINTS)
    for name in WHOLE_FIELDS:
        value = getattr(rules, name)
        if value is not None and value != int(value):
            fail(f"movement.{name}", f"must be a whole number, got {value:g}")


def movement_from_dict(doc: dict, take) -> MovementRules:
    """The `movement` section of the settings document (`take(doc, path, name, default)`)."""
    return MovementRules(
        **{f.name: take(doc, "movement", f.name, f.default) for f in fields(MovementRules)}
    )


# --- tier positions ---------------------------------------------------------------------------


def tier_positions(tiers: object, tier_order: Sequence[str]) -> np.ndarray:
    """Each tier name's position in `tier_order` (0 = top) as floats; NaN for any other value.

    A categorical is looked up once per category, not once per account.
    """
    order = pd.Index(list(tier_order), dtype=object)
    if isinstance(getattr(tiers, "dtype", None), pd.CategoricalDtype):
        tiers = pd.Categorical(tiers)
        lookup = np.append(order.get_indexer(tiers.categories.astype(object)), -1)
        positions = lookup[np.asarray(tiers.codes)]  # code -1 (missing) picks the trailing -1
    else:
        codes, uniques = pd.factorize(np.asarray(tiers, dtype=object))  # each name cleaned once
        found = order.get_indexer(pd.Index([_clean(u) for u in uniques], dtype=object))
        positions = np.append(found, -1)[codes]  # code -1 (missing) picks the trailing -1
    return np.where(positions >= 0, positions, np.nan).astype("float64")


def _clean(value: object) -> object:
    return value.strip() if isinstance(value, str) else value


def tier_steps(before: np.ndarray, now: np.ndarray) -> np.ndarray:
    """-1 moved up (to a higher-touch tier), +1 moved down, 0 same, NaN where either is unknown.

    The one rule of movement: the workshop's baseline and snapshot comparison both use it.
    """
    return np.sign(now - before)


# --- the numbers ------------------------------------------------------------------------------


@dataclass(frozen=True)
class MovementEffects:
    tier_index: np.ndarray  # int64: the tier after the movement rules
    held: np.ndarray  # int8: 0 not held, else 1 + the index in HELD_RULES of the deciding rule
    previous: np.ndarray  # float: the previous tier's position, NaN where unknown


def cut_at(priority: np.ndarray, thresholds: Sequence[float]) -> np.ndarray:
    """The plain cut at these thresholds (all tiers but the last): no priority -> last tier."""
    index = np.zeros(len(priority), dtype="int64")
    for threshold in thresholds:
        index += priority < threshold
    index[np.isnan(priority)] = len(thresholds)
    return index


def margin_tiers(
    cut_index: np.ndarray, priority: np.ndarray, previous: np.ndarray, rules: MovementRules,
    thresholds: Sequence[float],
) -> np.ndarray:  # fmt: skip
    """The margin rule alone: where a previous tier is known, leave it only beyond the margin."""
    known = ~np.isnan(previous) & ~np.isnan(priority)
    before = np.where(known, previous, 0).astype("int64")
    up = cut_at(priority - rules.margin, thresholds)
    down = cut_at(priority + rules.margin, thresholds)
    kept = np.where(up < before, up, np.where(down > before, down, before))
    return np.where(known, kept, cut_index)


def persisted(target: np.ndarray, before: np.ndarray, earlier_cuts: np.ndarray) -> np.ndarray:
    """Whether every earlier snapshot's plain cut was at or beyond `target`, seen from `before`.

    `earlier_cuts` is (snapshots, accounts) with -1 where the account was not in a snapshot.
    """
    if earlier_cuts.shape[0] == 0:
        return np.ones(len(target), dtype=bool)
    present = earlier_cuts >= 0
    upward = target < before
    beyond = np.where(upward, earlier_cuts <= target, earlier_cuts >= target)
    return (present & beyond).all(axis=0)


def apply_movement(
    cut_index: np.ndarray,
    priority: np.ndarray,
    previous: np.ndarray,
    config: Config,
    days_to_renewal: np.ndarray | None = None,
    earlier_cuts: np.ndarray | None = None,
) -> MovementEffects:
    """The movement rules on the plain cut, for accounts whose previous tier is known.

    `previous`: each account's previous tier position (NaN where unknown); `days_to_renewal`
    for the renewal freeze; `earlier_cuts`: the plain cuts of the earlier snapshots, the previous
    one first, for `min_periods` (its first `min_periods - 1` rows; fewer holds every move).
    """
    rules = config.movement
    thresholds = [t.threshold for t in config.tiers[:-1]]
    held = np.zeros(len(cut_index), dtype="int8")
    known = ~np.isnan(previous)
    before = np.where(known, previous, 0).astype("int64")
    tier = cut_index.copy()

    def decide(rule: str, new: np.ndarray) -> None:
        changed = new != tier
        held[changed] = HELD_RULES.index(rule) + 1
        tier[:] = new

    if rules.margin > 0:
        decide("margin", margin_tiers(cut_index, priority, previous, rules, thresholds))
    if rules.min_periods > 1 and earlier_cuts is not None:
        needed = rules.min_periods - 1
        history = earlier_cuts[:needed]
        moving = known & (tier != before)
        lasted = persisted(tier, before, history) & (history.shape[0] >= needed)
        decide("min_periods", np.where(moving & ~lasted, before, tier))
    if rules.renewal_freeze_days > 0 and days_to_renewal is not None:
        with np.errstate(invalid="ignore"):
            soon = (days_to_renewal >= 0) & (days_to_renewal <= rules.renewal_freeze_days)
        decide("renewal_freeze", np.where(known & soon & (tier > before), before, tier))
    if rules.max_step is not None:
        step = int(rules.max_step)
        limited = np.clip(tier, before - step, before + step)
        decide("max_step", np.where(known, limited, tier))
    held[tier == cut_index] = 0  # a later rule may have undone an earlier one
    return MovementEffects(tier, held, np.where(known, previous, np.nan))


def previous_positions(
    accounts: pd.DataFrame, config: Config, previous_tier: object = None
) -> np.ndarray:
    """Each account's previous tier: `previous_tier` (aligned with the accounts) when given,
    else the book's own previous-tier column; NaN where unknown or not one of the tiers."""
    if previous_tier is None:
        previous_tier = accounts.get("previous_tier")
    if previous_tier is None:
        return np.full(len(accounts), np.nan)
    return tier_positions(previous_tier, config.tier_names)


def movement_for(
    accounts: pd.DataFrame,
    lenses: dict[str, object],
    cut_index: np.ndarray,
    priority: np.ndarray,
    config: Config,
    previous_tier: object = None,
    earlier_cuts: np.ndarray | None = None,
) -> MovementEffects:
    """`apply_movement` as the pipeline calls it; the plain cut when no rule is set."""
    if not config.movement.active:
        n = len(cut_index)
        return MovementEffects(cut_index, np.zeros(n, dtype="int8"), np.full(n, np.nan))
    previous = previous_positions(accounts, config, previous_tier)
    days = lenses.get("days_to_renewal")
    days = None if days is None else np.asarray(days, dtype="float64")
    return apply_movement(cut_index, priority, previous, config, days, earlier_cuts)


def held_where_it_matters(
    effects: MovementEffects, final: np.ndarray, without_rules: GuardrailEffects
) -> MovementEffects:
    """Held only where the final tier (after guard-rails and overrides) differs from the one the
    account would have without movement rules: a rail that decides the tier anyway wins."""
    held = np.where(final != without_rules.tier_index, effects.held, 0).astype("int8")
    return replace(effects, held=held)


def held_names(held: np.ndarray) -> pd.Categorical:
    """The `held` column: empty, or the rule that kept the account from the plain cut."""
    return pd.Categorical.from_codes(held.astype("int64") - 1, list(HELD_RULES))


# --- plain words ------------------------------------------------------------------------------


def _formatted(values: np.ndarray, fmt: str) -> pa.Array:
    """Each value as text, each distinct value formatted once."""
    codes, uniques = pd.factorize(values)
    texts = [fmt.format(u) for u in uniques] + [""]
    return pc.take(pa.array(texts, pa.string()), pa.array(np.where(codes < 0, len(uniques), codes)))


def held_notes(
    effects: MovementEffects,
    cut_index: np.ndarray,
    priority: np.ndarray,
    config: Config,
    days_to_renewal: np.ndarray | None = None,
) -> pa.Array:
    """'; kept in Mid-touch: priority 43.1 is within the 5-point margin of the 45 cut-off'.

    Empty for an account no rule held.
    """
    rules, names = config.movement, config.tier_names
    n = len(cut_index)
    tier = effects.tier_index
    # The cut-off the account crossed without clearing the margin: its tier's own (a move down
    # damped) or the one above it (a move up damped).
    thresholds = np.array([t.threshold for t in config.tiers] + [0.0])
    crossed = np.where(tier < cut_index, thresholds[tier], thresholds[np.maximum(tier - 1, 0)])
    kept = [f"; kept in {name}: " for name in names]
    step = int(rules.max_step or 1)
    per_rule = (
        ("", ""),
        (f" is within the {rules.margin:g}-point margin of the ", " cut-off"),
        (f"a move needs {rules.min_periods} consecutive snapshots at the new tier", ""),
        (f" days, within the {rules.renewal_freeze_days:g}-day renewal freeze", ""),
        (f"at most {step} tier{'s' if step != 1 else ''} a period", ""),
    )
    held = effects.held.astype("int64")
    codes = pa.array(held)
    days = days_to_renewal if days_to_renewal is not None else np.full(n, np.nan)
    lead = pc.if_else(
        pa.array(held == 1),
        _formatted(np.round(priority, 1), "priority {:.1f}"),
        pc.if_else(pa.array(held == 3), _formatted(np.round(days), "renews in {:.0f}"), ""),
    )
    middle = pc.take(pa.array([m for m, _ in per_rule], pa.string()), codes)
    number = pc.if_else(pa.array(held == 1), _formatted(crossed, "{:g}"), "")
    tail = pc.take(pa.array([t for _, t in per_rule], pa.string()), codes)
    head = pc.if_else(pa.array(held > 0), _take(kept, tier), "")
    return pc.binary_join_element_wise(head, lead, middle, number, tail, "")


def _take(texts: list[str], codes: np.ndarray) -> pa.Array:
    return pc.take(pa.array(texts, pa.string()), pa.array(codes, pa.int64()))


def describe_movement(config: Config) -> list[str]:
    rules = config.movement
    if not rules.active:
        return []
    lines = ["Movement rules, for accounts whose previous tier is known:"]
    if rules.margin > 0:
        lines.append(
            f"- an account leaves its previous tier only when its priority clears the cut-off "
            f"by {rules.margin:g} points."
        )
    if rules.min_periods > 1:
        lines.append(
            f"- a move needs the new tier's priority in {rules.min_periods:g} consecutive "
            "snapshots (with a history)."
        )
    if rules.renewal_freeze_days > 0:
        lines.append(f"- no move down within {rules.renewal_freeze_days:g} days of renewal.")
    if rules.max_step is not None:
        step = int(rules.max_step)
        lines.append(f"- at most {step} tier{'' if step == 1 else 's'} per period.")
    return lines
