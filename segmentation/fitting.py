"""Fit the cut-offs to the team: each tier with a head-count holds as many accounts as its
CSMs serve, and no more (docs/interfaces.md section 7, `fit`).

The tiers are fitted from the top down. A tier's size, after guard-rails and overrides (a
strategic floor or an override uses capacity too), only grows as its cut-off comes down, so
its cut-off is the lowest one at which the tier still fits. The tie rule: accounts with the
same priority are never split; a tie that would overflow the tier stays in the tier below.
A tier with no head-count keeps its cut-off, moved down only as far as the order needs.
Cut-offs stay within what the Workshop sliders show (tier i of n cut-offs: n - i to 100 - i).
"""

from __future__ import annotations

import contextlib
import datetime as dt
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from segmentation.config import Config, with_thresholds
from segmentation.errors import ConfigError
from segmentation.formats import money
from segmentation.rules.capacity import TierCapacity, accounts_served, team_serves
from segmentation.rules.movement import movement_for
from segmentation.rules.tiers import apply_guardrails, cut_tiers, in_force, pin_cutoffs
from segmentation.views.book import arr_values

PRIORITY_STEP = 0.1  # priority is rounded to one decimal (rules/pillars.priority_from)
TIE_RULE = (
    "Ties: accounts with the same priority are never split; a tie that would overflow a "
    "tier stays in the tier below."
)


class CapacityError(ConfigError):
    """The team's capacity cannot be met by any cut-offs; the message says why."""


@dataclass(frozen=True)
class TierFit:
    tier: str
    before: float | None  # the cut-off before the fit; None for the last tier
    after: float | None
    accounts: int  # after the fit, guard-rails and overrides counted
    arr: float
    served: int | None  # accounts its CSMs serve; None without a head-count


@dataclass(frozen=True)
class Fit:
    config: Config  # the settings with the fitted cut-offs
    tiers: tuple[TierFit, ...]
    lines: tuple[str, ...]  # what the fit did, in plain words


def cutoff_bounds(index: int, cut_count: int) -> tuple[float, float]:
    """Lowest and highest cut-off of tier `index` of `cut_count`: room for every tier."""
    return float(cut_count - index), float(100 - index)


def final_tiers(priority: np.ndarray, result: pd.DataFrame, config: Config) -> np.ndarray:
    """Each account's tier index under `config`, as segment() gives it: the cut, the movement
    rules (against the book's previous tier), then guard-rails and overrides."""
    cut = cut_tiers(priority, config)
    lenses = {}
    if "days_to_renewal" in result:
        days = result["days_to_renewal"].to_numpy(dtype="float64", na_value=np.nan)
        lenses["days_to_renewal"] = days
    moved = movement_for(result, lenses, cut, priority, config)
    return apply_guardrails(moved.tier_index, result, config).tier_index


@dataclass(frozen=True)
class _Room:
    """Tier `index`'s size as a function of its cut-off, the tiers above it being fixed."""

    held: int  # in the tier whatever the cut-off
    gains: np.ndarray  # ascending priorities of the accounts the cut-off brings in
    rows: np.ndarray  # their positions in the book, in the same order
    held_by: dict[str, int]
    low: float  # the range the tier's cut-off may take
    high: float

    def between(self, low: float, high: float) -> np.ndarray:
        """Positions of the accounts a cut-off at `low` takes in and one at `high` leaves out."""
        return self.rows[(self.gains >= low) & (self.gains < high)]

    def size(self, cutoff: float) -> int:
        return self.held + len(self.gains) - int(np.searchsorted(self.gains, cutoff, "left"))


def _room(priority, above, index: int, bounds: tuple[float, float], result, config) -> _Room:
    """`above` is, per account, how many fitted cut-offs above tier `index` exceed its priority."""
    last = len(config.tiers) - 1
    known = ~np.isnan(priority)
    free = known & (above == index)
    inside = np.where(known, np.minimum(above, index), last)
    outside = np.where(free, last, inside)
    rails = apply_guardrails(outside, result, config)
    held = rails.tier_index == index
    came_in = apply_guardrails(inside, result, config).tier_index == index
    held_by = {
        "overrides": int((held & rails.overridden).sum()),
        "the strategic floor": int((held & rails.raised_strategic).sum()),
        "the minimum ARR of the top tier": int((held & rails.below_min_arr).sum()),
    }
    rows = np.flatnonzero(free & came_in & ~held)
    rows = rows[np.argsort(priority[rows])]  # the order within a tie does not matter
    return _Room(int(held.sum()), priority[rows], rows, held_by, *bounds)


def _lowest_fitting(room: _Room, served: int) -> float | None:
    """The lowest cut-off in its range at which the tier holds at most `served`; None if none."""
    low, high = room.low, room.high
    inside = room.gains[(room.gains >= low) & (room.gains <= high)]
    candidates = np.unique(np.concatenate([inside, [low, high]]))
    sizes = room.held + len(room.gains) - np.searchsorted(room.gains, candidates, "left")
    fitting = candidates[sizes <= served]
    return round(float(fitting[0]), 1) if fitting.size else None


def _too_full(name: str, tc: TierCapacity, served: int, room: _Room) -> str:
    why = ", ".join(f"{n:,} by {rule}" for rule, n in room.held_by.items() if n)
    if room.held > served:
        return (
            f"{name} cannot be held to the {served:,} accounts its {team_serves(tc.csms)}: "
            f"guard-rails and overrides alone put {room.held:,} accounts there ({why}); "
            "add CSMs or loosen the guard-rails."
        )
    return (
        f"{name} cannot be held to the {served:,} accounts its {team_serves(tc.csms)}: even at "
        f"the highest cut-off ({room.high:g}) it holds {room.size(room.high):,} accounts."
    )


def _fit_line(name: str, tc: TierCapacity, served: int, before: float, after: float, room) -> str:
    size = room.size(after)
    held = f", {room.held:,} of them by guard-rails or overrides" if room.held else ""
    text = (
        f"{name}: {team_serves(tc.csms)} {served:,} accounts; cut-off {before:g} -> {after:g} "
        f"holds {size:,}{held}."
    )
    below = room.gains[room.gains < after]
    if below.size:  # what stopped the cut-off: the next account, or the next tie
        tie = int((below == below[-1]).sum())
        text += (
            f" The next {tie:,} accounts, tied at priority {below[-1]:g}, would overflow it."
            if tie > 1
            else f" The next account (priority {below[-1]:g}) would overflow it."
        )
    return text


def _priorities(result: pd.DataFrame) -> np.ndarray:
    return result["priority"].to_numpy(dtype="float64", na_value=np.nan)


def _served(config: Config, name: str) -> tuple[TierCapacity | None, int | None]:
    team = config.capacity.for_tier(name)
    return team, (
        None if team is None else accounts_served(team, config.capacity.client_hours_per_csm)
    )


def _fit_down(priority, result, config: Config, rooms: dict[int, _Room] | None = None):
    """The cut-offs and what was done, fitted from the top tier down; `rooms` collects each
    staffed tier's room once the tiers above it are fitted (what one CSM more or less moves)."""
    cut_count = len(config.tiers) - 1
    above = np.zeros(len(priority), dtype="int64")
    cutoffs: list[float] = []
    lines: list[str] = []
    for index, tier in enumerate(config.tiers[:-1]):
        low, high = cutoff_bounds(index, cut_count)
        if cutoffs:
            high = min(high, round(cutoffs[-1] - PRIORITY_STEP, 1))
        if high < low:
            raise CapacityError(f"{tier.name}: no cut-off is left below the tier above it.")
        team, served = _served(config, tier.name)
        if served is None:
            after = float(min(max(tier.threshold, low), high))
            moved = f"moved {tier.threshold:g} -> {after:g}" if after != tier.threshold else ""
            lines.append(
                f"{tier.name}: no head-count; cut-off "
                + (f"{moved} to stay below the tier above." if moved else f"kept at {after:g}.")
            )
        else:
            room = _room(priority, above, index, (low, high), result, config)
            if rooms is not None:
                rooms[index] = room
            after = _lowest_fitting(room, served)
            if after is None:
                raise CapacityError(_too_full(tier.name, team, served, room))
            lines.append(_fit_line(tier.name, team, served, tier.threshold, after, room))
        cutoffs.append(after)
        above += (priority < after) & ~np.isnan(priority)
    return cutoffs, lines


def fit_cutoffs(result: pd.DataFrame, config: Config, *, as_of: dt.date | None = None) -> Fit:
    """Settings whose cut-offs fit the team in `config.capacity`; CapacityError if none can.

    `result` is a segmentation of the book under `config` (its `priority` column, and the
    columns the guard-rails read); `as_of` the day it was made: overrides past their last day
    then hold no account in a tier, as in segment(), and stay in the fitted settings.
    """
    capacity = config.capacity
    if capacity is None or not capacity.staffed:
        raise CapacityError(
            "capacity: no tier has a head-count (capacity.tiers.<tier>.csms) to fit the "
            "cut-offs to."
        )
    priority = _priorities(result)
    stated = pin_cutoffs(priority, config)  # relative cut-offs start from this book's numbers
    config = in_force(stated, as_of)
    cutoffs, lines = _fit_down(priority, result, config)
    fitted = with_thresholds(config, cutoffs)
    tiers = _tier_fits(priority, result, config, fitted)
    last = tiers[-1]
    for held in tiers[:-1]:  # only movement rules can keep a fitted tier over its team
        if held.served is not None and held.accounts > held.served:
            raise CapacityError(
                f"{held.tier} would hold {held.accounts:,} accounts, more than the "
                f"{held.served:,} its CSMs serve: the movement rules keep accounts in the tier "
                "they had; add CSMs or fit with the movement rules off."
            )
    if last.served is not None and last.accounts > last.served:
        raise CapacityError(
            f"{last.tier} would hold {last.accounts:,} accounts, more than the {last.served:,} "
            f"its CSMs serve: the tiers above are full; add CSMs to {last.tier} or above it."
        )
    lines.append(f"{config.tier_names[-1]} takes the rest: {last.accounts:,} accounts.")
    if config.movement.active:
        lines.append(
            "Movement rules are on: the cut-offs were fitted on the plain cut, then every "
            "tier size checked with the rules (the table shows the sizes with them)."
        )
    lines.append(TIE_RULE)
    return Fit(with_thresholds(stated, cutoffs), tiers, tuple(lines))


def _tier_fits(priority, result, config: Config, fitted: Config) -> tuple[TierFit, ...]:
    index = final_tiers(priority, result, fitted)
    counts = np.bincount(index, minlength=len(config.tiers))
    arr = np.bincount(index, weights=arr_values(result), minlength=len(config.tiers))
    fits = []
    for i, (old, new) in enumerate(zip(config.tiers, fitted.tiers, strict=True)):
        _, served = _served(config, old.name)
        cut = i < len(config.tiers) - 1
        fits.append(
            TierFit(
                old.name,
                old.threshold if cut else None,
                new.threshold if cut else None,
                int(counts[i]),
                float(arr[i]),
                served,
            )
        )
    return tuple(fits)


def fit_inputs(config: Config) -> tuple:
    """What a fit depends on besides the book: all but the cut-offs of the tiers it fits."""
    capacity = config.capacity
    staffed = {t.tier for t in capacity.staffed} if capacity else set()
    cutoffs = tuple(None if t.name in staffed else t.threshold for t in config.tiers)
    return (config.pillars, config.guardrails, capacity, config.tier_names, cutoffs)


# --- the value of one CSM more or less ---------------------------------------------------------


@dataclass(frozen=True)
class ShadowPrice:
    tier: str
    csms: float
    gained: int | None  # accounts one more CSM brings into the tier; None if the fit fails
    gained_arr: float
    lost: pd.DataFrame | None  # the accounts one CSM fewer moves out; None if not possible
    note: str  # why a side is missing, or ""

    def words(self, coverage: str) -> tuple[str, str]:
        """ "+1 ... brings N more accounts, $X ARR, under <coverage>." and "-1 ... moves ..."."""
        if self.gained is None:
            plus = f"+1 {self.tier} CSM: {self.note}."
        elif self.gained == 0:
            plus = f"+1 {self.tier} CSM brings no more accounts: the next ones are tied in a group "
            plus += "larger than one more CSM serves, and ties are never split."
        else:
            accounts = f"{self.gained:,} more account{'' if self.gained == 1 else 's'}"
            plus = (
                f"+1 {self.tier} CSM brings {accounts}, {money(self.gained_arr)} ARR, "
                f"under {coverage}."
            )
        if self.lost is None:
            return plus, f"-1 {self.tier} CSM: {self.note}."
        moved = len(self.lost)
        return plus, f"-1 {self.tier} CSM moves {moved:,} account{'' if moved == 1 else 's'} out."


def with_csms(config: Config, tier: str, csms: float) -> Config:
    """A copy of `config` with tier `tier`'s head-count changed."""
    capacity = config.capacity
    tiers = tuple(replace(t, csms=csms) if t.tier == tier else t for t in capacity.tiers)
    return replace(config, capacity=replace(capacity, tiers=tiers))


LOST_COLUMNS = ("account_id", "account_name", "arr", "priority")


def shadow_prices(
    result: pd.DataFrame, config: Config, *, as_of: dt.date | None = None
) -> tuple[ShadowPrice, ...]:
    """Per staffed tier: what one more CSM brings into it and which accounts one fewer moves
    out, the tiers above it fitted as `fit_cutoffs` fits them (those below do not matter)."""
    rooms: dict[int, _Room] = {}
    priority = _priorities(result)
    config = in_force(pin_cutoffs(priority, config), as_of)
    # When a tier cannot be fitted, the rooms down to it are known all the same.
    with contextlib.suppress(CapacityError):
        _fit_down(priority, result, config, rooms)
    return tuple(
        _shadow_price(result, config, team, rooms.get(config.tier_names.index(team.tier)))
        for team in config.capacity.staffed
    )


def shadow_price(
    result: pd.DataFrame, config: Config, tier: str, *, as_of: dt.date | None = None
) -> ShadowPrice:
    """`shadow_prices` of one staffed tier."""
    return next(p for p in shadow_prices(result, config, as_of=as_of) if p.tier == tier)


def _shadow_price(result, config: Config, team: TierCapacity, room: _Room | None) -> ShadowPrice:
    tier, csms = team.tier, team.csms
    if config.tier_names.index(tier) == len(config.tiers) - 1:
        return ShadowPrice(tier, csms, None, 0.0, None, f"{tier} takes the rest, whatever its team")
    if room is None:
        return ShadowPrice(tier, csms, None, 0.0, None, "the tiers above it cannot be fitted")
    hours = config.capacity.client_hours_per_csm

    def fitting_with(n: float) -> float | None:
        return _lowest_fitting(room, accounts_served(replace(team, csms=n), hours))

    now = fitting_with(csms)
    if now is None:
        return ShadowPrice(tier, csms, None, 0.0, None, "the team as it is cannot be fitted")
    gained = room.between(fitting_with(csms + 1), now)
    lost, note = None, f"one CSM fewer leaves {tier} no CSM"
    if csms > 1:
        less = fitting_with(csms - 1)
        if less is None:
            note = f"one CSM fewer cannot hold what guard-rails put in {tier}"
        else:
            columns = [c for c in LOST_COLUMNS if c in result.columns]
            rows = room.between(now, less)
            lost = result.iloc[rows][columns].sort_values("priority", ascending=False)
            note = ""
    return ShadowPrice(tier, csms, len(gained), float(arr_values(result)[gained].sum()), lost, note)
