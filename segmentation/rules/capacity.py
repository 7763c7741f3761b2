"""Capacity: the coverage model per tier (accounts per CSM, hours per account), and its words.

The one home of the `capacity` settings section (docs/interfaces.md section 7): how many
accounts a tier's CSMs serve, how many CSMs a tier needs by accounts and by bottom-up
hours, and what that costs. The defaults come from practitioner ranges (issue 12), each
with its source in `SOURCES`; the ARR-per-CSM rule of thumb stays as a cross-check.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from segmentation.rules.constraints import Number, Table, check_fields, fail

# A little slack so that 4 x 1560 / 80 = 78 is 78, not 77.99999.
_EPSILON = 1e-9


@dataclass(frozen=True)
class Touch:
    """One line of the service catalogue: a touch, how often a year, how long each time."""

    name: str
    per_year: float
    hours: float
    source: str

    @property
    def hours_per_year(self) -> float:
        return self.per_year * self.hours


@dataclass(frozen=True)
class TierCapacity:
    tier: str
    csms: float | None = None  # CSMs available to the tier (FTE); None: head-count not given
    accounts_per_csm: float | None = None  # coverage ratio: accounts one CSM serves
    hours_per_account: float | None = None  # CSM hours one account takes a year


@dataclass(frozen=True)
class Capacity:
    client_hours_per_csm: float = 1560.0  # 130 client hours a month x 12
    cost_per_csm: float = 150_000.0  # loaded cost a year: salary, benefits, tools
    tiers: tuple[TierCapacity, ...] = ()

    def for_tier(self, name: str) -> TierCapacity | None:
        return next((t for t in self.tiers if t.tier == name), None)

    @property
    def staffed(self) -> tuple[TierCapacity, ...]:
        """The tiers that have a head-count, in the order the settings list them."""
        return tuple(t for t in self.tiers if t.csms is not None)


# --- defaults, with their sources -------------------------------------------------------------

ISSUE = "practitioner ranges gathered in Tierwise issue 12"
SOURCES = {
    "accounts_per_csm": (
        "Coverage ratios practitioners use: high-touch 1 CSM per 8-20 accounts, pooled 1 per "
        f"30-75, digital 1 per 200-1,000 ({ISSUE}; ChurnZero calls one ratio for all a myth)."
    ),
    "hours_per_account": (
        "Bottom-up: touches a year x hours per touch, from the service catalogue (a business "
        f"review 2-3 h, renewal preparation 10-15 h a cycle; {ISSUE})."
    ),
    "client_hours_per_csm": (
        "About 130 client hours a month per CSM (1,560 a year): 30-40% of a CSM's time goes to "
        f"non-customer work ({ISSUE})."
    ),
    "cost_per_csm": (
        "Fully loaded cost of one CSM a year (salary, benefits, tools): $150,000 is the example "
        "of the settings format (docs/interfaces.md section 7), not a benchmark: put your own."
    ),
    "csms": "CSMs available to the tier (full-time equivalents): your team, not a benchmark.",
}
ASSUMED = "Tierwise assumption"
BUSINESS_REVIEW = "practitioners: 2-3 h, issue 12"
RENEWAL_PREP = "practitioners: 10-15 h a cycle, issue 12"

# Per position of a tier: (accounts per CSM, service catalogue). The ratio sits in the
# practitioner range; the catalogue's hours give about the same coverage bottom-up.
DEFAULT_MODELS: dict[str, tuple[float, tuple[Touch, ...]]] = {
    "top": (
        15.0,
        (
            Touch("Business review", 4, 2.5, BUSINESS_REVIEW),
            Touch("Renewal preparation", 1, 12.0, RENEWAL_PREP),
            Touch("Check-in call", 24, 1.0, ASSUMED),
            Touch("Success plan, escalations, sponsors", 12, 2.5, ASSUMED),
            Touch("Onboarding of new users", 4, 1.0, ASSUMED),
        ),
    ),
    "middle": (
        50.0,
        (
            Touch("Business review", 1, 2.5, BUSINESS_REVIEW),
            Touch("Renewal preparation", 1, 10.0, RENEWAL_PREP),
            Touch("Pooled check-in", 4, 1.0, ASSUMED),
            Touch("Ad-hoc help", 6, 1.5, ASSUMED),
        ),
    ),
    "bottom": (
        500.0,
        (
            Touch("Renewal check", 1, 1.0, ASSUMED),
            Touch("Health-alert follow-up", 2, 1.0, ASSUMED),
        ),
    ),
}


def position(index: int, count: int) -> str:
    """A tier's place in the order: top, middle or bottom (what its default model is)."""
    if index == 0:
        return "top"
    return "bottom" if index == count - 1 else "middle"


def catalogue_hours(touches: tuple[Touch, ...]) -> float:
    """Hours per account a year from a service catalogue: touches x hours per touch."""
    return float(sum(t.hours_per_year for t in touches))


def catalogue_words(index: int, count: int) -> str:
    """The default service catalogue of a tier's position, as the hours input's help says it."""
    _, touches = DEFAULT_MODELS[position(index, count)]
    items = "; ".join(
        f"{t.name} {t.per_year:g} a year x {t.hours:g} h ({t.source})" for t in touches
    )
    return f"Default catalogue: {items} = {catalogue_hours(touches):g} h a year."


def default_capacity(tier_names: tuple[str, ...]) -> Capacity:
    """The coverage model Tierwise starts from, no head-count given (that is the team's)."""
    tiers = []
    for i, name in enumerate(tier_names):
        ratio, touches = DEFAULT_MODELS[position(i, len(tier_names))]
        tiers.append(TierCapacity(name, None, ratio, catalogue_hours(touches)))
    return Capacity(tiers=tuple(tiers))


def effective_capacity(capacity: Capacity | None, tier_names: tuple[str, ...]) -> Capacity:
    """The settings' coverage model, or the default one when the settings have none."""
    return capacity if capacity is not None else default_capacity(tier_names)


# --- validation -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Positive(Number):
    """A number above 0 (a capacity of 0 or less serves nobody)."""

    def check(self, path: str, value: Any) -> None:
        super().check(path, value)
        if value is not None and value <= 0:
            fail(path, f"must be above 0, got {value:g}")

    def invalid(self) -> list[tuple[Any, str]]:
        return [*super().invalid(), (0, "must be above 0"), (-1, "must be above 0")]

    def valid(self) -> list[Any]:
        return [0.5, 40]


CAPACITY_CONSTRAINTS: Table = (
    ("client_hours_per_csm", Positive(maximum=8_760)),  # the hours in a year
    ("cost_per_csm", Number(minimum=0)),
)
TIER_CAPACITY_CONSTRAINTS: Table = (
    ("csms", Positive(optional=True)),
    ("accounts_per_csm", Positive(optional=True)),
    ("hours_per_account", Positive(optional=True, maximum=8_760)),
)


def tier_path(name: str) -> str:
    return f"capacity.tiers.{name}"


def validate_capacity(capacity: Capacity, tier_names: tuple[str, ...]) -> None:
    check_fields("capacity", lambda name: getattr(capacity, name), CAPACITY_CONSTRAINTS)
    seen: set[str] = set()
    for tier in capacity.tiers:
        path = tier_path(tier.tier)
        if tier.tier not in tier_names:
            fail(path, f"is not a tier of these settings ({', '.join(tier_names)})")
        if tier.tier in seen:
            fail(path, "is listed twice")
        seen.add(tier.tier)
        check_fields(path, lambda name, t=tier: getattr(t, name), TIER_CAPACITY_CONSTRAINTS)
        if tier.csms is None:
            continue
        if tier.accounts_per_csm is None and tier.hours_per_account is None:
            fail(
                f"{path}.csms",
                "a head-count needs accounts_per_csm or hours_per_account to say how many "
                "accounts it serves",
            )
        if accounts_served(tier, capacity.client_hours_per_csm) < 1:
            fail(f"{path}.csms", f"{team_serves(tier.csms)} no account at this coverage")


# --- the numbers ------------------------------------------------------------------------------


def _whole(value: float) -> int:
    return math.floor(value + _EPSILON)


def accounts_served(tier: TierCapacity, client_hours_per_csm: float) -> int | None:
    """Accounts the tier's CSMs serve: the tighter of the ratio and the hours; None if no team."""
    if tier.csms is None:
        return None
    limits = []
    if tier.accounts_per_csm is not None:
        limits.append(_whole(tier.csms * tier.accounts_per_csm))
    if tier.hours_per_account is not None:
        limits.append(_whole(tier.csms * client_hours_per_csm / tier.hours_per_account))
    return min(limits) if limits else None


def csms_by_accounts(accounts: int, tier: TierCapacity | None) -> float | None:
    """CSMs the tier needs at its coverage ratio (FTE, exact)."""
    if tier is None or tier.accounts_per_csm is None:
        return None
    return accounts / tier.accounts_per_csm


def csms_by_hours(accounts: int, tier: TierCapacity | None, client_hours: float) -> float | None:
    """CSMs the tier needs bottom-up: accounts x hours per account / client hours per CSM."""
    if tier is None or tier.hours_per_account is None:
        return None
    return accounts * tier.hours_per_account / client_hours


def csms_needed(by_accounts: float | None, by_hours: float | None) -> float | None:
    """The coverage model's need: the larger of the two rules given (FTE, exact)."""
    given = [v for v in (by_accounts, by_hours) if v is not None]
    return max(given) if given else None


def whole_csms(fte: float) -> int:
    """People to hire for this many FTE, rounded up (2.0 stays 2)."""
    return math.ceil(fte - _EPSILON) if fte > 0 else 0


# --- plain words ------------------------------------------------------------------------------


def team_serves(csms: float) -> str:
    """'1 CSM serves', '4 CSMs serve', '0.5 CSMs serve'."""
    return f"{csms:g} CSM serves" if csms == 1 else f"{csms:g} CSMs serve"


def _tier_words(tier: TierCapacity, client_hours: float) -> str:
    parts = []
    if tier.accounts_per_csm is not None:
        parts.append(f"{tier.accounts_per_csm:g} accounts per CSM")
    if tier.hours_per_account is not None:
        parts.append(f"{tier.hours_per_account:g} CSM hours per account a year")
    rule = " and ".join(parts) or "no coverage rule"
    if tier.csms is None:
        return f"- {tier.tier}: {rule}; no head-count given."
    served = accounts_served(tier, client_hours)
    return f"- {tier.tier}: {rule}; {team_serves(tier.csms)} at most {served:,} accounts."


def describe_capacity(capacity: Capacity | None, tier_names: tuple[str, ...]) -> list[str]:
    model = effective_capacity(capacity, tier_names)
    origin = "" if capacity is not None else " (Tierwise defaults: the settings give none)"
    lines = [
        f"Coverage model{origin}: a CSM gives {model.client_hours_per_csm:,.0f} client hours a "
        f"year and costs ${model.cost_per_csm:,.0f} loaded; a tier needs the larger of its "
        "accounts-per-CSM and its hours rule; where both are given with a head-count, the "
        "tighter one sets how many accounts the team serves."
    ]
    lines += [_tier_words(t, model.client_hours_per_csm) for t in model.tiers]
    return lines
