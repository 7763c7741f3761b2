"""A realistic synthetic book of business, for the sample files, the tests and the benchmark.

Everything is vectorised numpy so a million accounts take a few seconds, and everything is
derived from the seed and a fixed reference date, so the same call gives the same book.
"""

from __future__ import annotations

import datetime as dt
import os
from typing import BinaryIO

import numpy as np
import pandas as pd

REFERENCE_DATE = dt.date(2026, 11, 1)

CRM_HEADERS: dict[str, str] = {
    "account_id": "Account ID",
    "account_name": "Account Name",
    "arr": "ARR",
    "potential_arr": "Potential ARR",
    "plan": "Plan",
    "industry": "Industry",
    "employees": "Employees",
    "company_revenue": "Annual Revenue",
    "country": "Billing Country",
    "health_score": "Health Score",
    "nps": "NPS",
    "active_users": "Active Users",
    "licensed_seats": "Licensed Seats",
    "support_tickets": "Support Tickets",
    "integrations": "Integrations",
    "products": "Products",
    "renewal_date": "Renewal Date",
    "referenceable": "Referenceable",
    "strategic_account": "Strategic Account",
    "lifecycle_stage": "Lifecycle Stage",
    "csm": "CSM",
    "previous_tier": "Previous Tier",
}

PLANS = ("Starter", "Pro", "Business", "Enterprise")
TIERS = ("High-touch", "Mid-touch", "Low-touch")
LIFECYCLE_STAGES = ("Onboarding", "Adoption", "Expansion", "Renewal", "At risk")

INDUSTRIES = (
    ("Software", 0.22),
    ("Financial Services", 0.12),
    ("Healthcare", 0.10),
    ("Manufacturing", 0.10),
    ("Retail", 0.09),
    ("Education", 0.07),
    ("Media", 0.06),
    ("Logistics", 0.06),
    ("Professional Services", 0.08),
    ("Public Sector", 0.04),
    ("Energy", 0.03),
    ("Non-profit", 0.03),
)

# ISO-2 codes; "NA" (Namibia) is there on purpose: loaders must not read it as missing.
COUNTRIES = (
    ("US", 0.38),
    ("GB", 0.10),
    ("DE", 0.08),
    ("FR", 0.06),
    ("CA", 0.05),
    ("NL", 0.04),
    ("AU", 0.04),
    ("SE", 0.03),
    ("ES", 0.03),
    ("IT", 0.03),
    ("IE", 0.02),
    ("DK", 0.02),
    ("JP", 0.03),
    ("SG", 0.02),
    ("IN", 0.03),
    ("BR", 0.02),
    ("ZA", 0.012),
    ("NA", 0.008),
)

CSMS = (
    "Alex Morgan",
    "Priya Shah",
    "Jordan Lee",
    "Maria Garcia",
    "Tom Becker",
    "Aisha Bello",
    "Lukas Novak",
    "Chloe Martin",
    "Sam Okafor",
    "Hannah Kim",
    "Diego Rossi",
    "Emma Larsen",
)

NAME_FIRST = (
    "Acme", "Apex", "Blue", "Bright", "Cedar", "Clear", "Coastal", "Crest", "Delta", "Echo",
    "Ever", "Falcon", "First", "Granite", "Green", "Harbor", "Horizon", "Iron", "Juniper",
    "Keystone", "Lumen", "Maple", "Meridian", "North", "Nova", "Oak", "Orbit", "Pacific",
    "Pine", "Pioneer", "Prime", "Quantum", "Red", "Redwood", "River", "Silver", "Summit",
    "Sun", "Terra", "True", "Union", "Vertex", "Vista", "West", "Zenith",
)  # fmt: skip
NAME_SECOND = (
    "Analytics", "Bank", "Bio", "Capital", "Cloud", "Data", "Dynamics", "Energy", "Foods",
    "Freight", "Health", "Industries", "Insights", "Labs", "Learning", "Logistics", "Media",
    "Medical", "Networks", "Partners", "Retail", "Robotics", "Security", "Solutions",
    "Systems", "Technologies", "Ventures", "Works",
)  # fmt: skip
NAME_SUFFIX = ("Inc", "LLC", "Ltd", "GmbH", "Group", "Co", "Corp", "SA", "BV", "plc", "AB", "")

# Plan list price per licensed seat per year, used to derive seats from ARR.
SEAT_PRICE = np.array([240.0, 420.0, 600.0, 900.0])


def generate_accounts(
    rows: int, seed: int = 7, reference_date: dt.date = REFERENCE_DATE
) -> pd.DataFrame:
    """A synthetic book of `rows` accounts with canonical column names and parsed dtypes."""
    if rows < 0:
        raise ValueError("rows must be zero or more")
    rng = np.random.default_rng(seed)
    n = rows

    # Lognormal body plus a thin tail of very large customers (a few over $1M per 500).
    log_arr = rng.normal(np.log(25_000), 1.4, n)
    log_arr += np.where(rng.random(n) < 0.012, rng.uniform(1.5, 3.0, n), 0.0)
    arr = np.round(np.clip(np.exp(log_arr), 1_200, None), -1)
    size = (log_arr - np.log(25_000)) / 1.4  # standardised account size, drives correlations

    whitespace_factor = np.exp(rng.normal(0.6, 0.7, n))
    penetrated = rng.random(n) < 0.06  # a few accounts already spend more than "potential"
    potential_arr = np.where(
        penetrated, arr * rng.uniform(0.7, 1.0, n), arr * (1 + whitespace_factor)
    )
    potential_arr = np.round(potential_arr, -2)

    plan_code = np.digitize(size + rng.normal(0, 0.6, n), [-0.6, 0.3, 1.2])
    employees = np.maximum(
        5, np.round(np.exp(np.log(120) + 1.1 * size + rng.normal(0, 0.6, n)))
    ).astype(np.int64)
    company_revenue = np.round(employees * np.exp(rng.normal(np.log(180_000), 0.5, n)), -3)

    licensed_seats = np.maximum(3, np.round(arr / SEAT_PRICE[plan_code])).astype(np.int64)
    adoption = np.clip(rng.beta(4, 2, n) + np.where(rng.random(n) < 0.05, 0.15, 0), 0, 1.12)
    active_users = np.round(licensed_seats * adoption).astype(np.int64)

    nps = np.clip(np.round(rng.normal(1.5 + 8 * adoption, 1.8, n)), 0, 10)
    health_score = np.clip(
        np.round(20 + 55 * adoption + 2.5 * (nps - 5) + rng.normal(0, 10, n)), 0, 100
    )

    support_tickets = rng.poisson(np.sqrt(licensed_seats) * 0.8 * np.exp(rng.normal(0, 0.4, n)))
    integrations = rng.poisson(np.clip(1.5 + 1.6 * size, 0.2, None))
    products = 1 + rng.binomial(4, np.clip(0.15 + 0.12 * size, 0.02, 0.9))

    renewal_offset = np.where(
        rng.random(n) < 0.04, rng.integers(-60, 0, n), rng.integers(0, 456, n)
    )
    renewal_date = np.datetime64(reference_date, "D") + renewal_offset

    referenceable = rng.random(n) < np.where(nps >= 9, 0.35, 0.05)
    strategic_account = rng.random(n) < np.clip(0.02 + 0.06 * np.exp(size), 0, 0.9)

    lifecycle_code = _lifecycle_codes(rng, health_score, renewal_offset, adoption, n)
    previous_tier_code = _previous_tier_codes(rng, arr, strategic_account, n)

    accounts = pd.DataFrame(
        {
            "account_id": _account_ids(n),
            "account_name": _account_names(rng, n),
            "arr": arr,
            "potential_arr": _with_missing(rng, potential_arr, 0.03),
            "plan": _pick(PLANS, plan_code),
            "industry": _pick_weighted(rng, INDUSTRIES, n),
            "employees": employees,
            "company_revenue": company_revenue,
            "country": _pick_weighted(rng, COUNTRIES, n),
            "health_score": _with_missing(rng, health_score, 0.04),
            "nps": _with_missing(rng, nps, 0.05),
            "active_users": active_users,
            "licensed_seats": licensed_seats,
            "support_tickets": support_tickets.astype(np.int64),
            "integrations": integrations.astype(np.int64),
            "products": products.astype(np.int64),
            "renewal_date": pd.Series(renewal_date.astype("datetime64[s]")),
            "referenceable": pd.array(referenceable, dtype="boolean"),
            "strategic_account": pd.array(strategic_account, dtype="boolean"),
            "lifecycle_stage": _pick(LIFECYCLE_STAGES, lifecycle_code),
            "csm": _pick(CSMS, rng.integers(0, len(CSMS), n)),
            "previous_tier": _pick(TIERS, previous_tier_code),
        }
    )
    return accounts


def _account_ids(n: int, start: int = 1) -> pd.Series:
    if n == 0:
        return pd.Series([], dtype="str")
    digits = np.arange(start, start + n).astype(str)
    return pd.Series(np.strings.add("ACC-", np.strings.zfill(digits, 6)), dtype="str")


def _account_names(rng: np.random.Generator, n: int) -> pd.Series:
    first = np.array(NAME_FIRST)
    second = np.array(NAME_SECOND)
    suffix = np.array([" " + s if s else "" for s in NAME_SUFFIX])
    # Build the small vocabulary of full names once, then index it: fast at any size.
    stems = np.strings.add(np.strings.add(first[:, None], " "), second[None, :]).ravel()
    names = np.strings.add(stems[:, None], suffix[None, :]).ravel()
    return _pick(tuple(names.tolist()), rng.integers(0, len(names), n))


def _pick(choices: tuple[str, ...], codes: np.ndarray) -> pd.Series:
    return pd.Series(np.asarray(choices, dtype=object)[codes], dtype="str")


def _pick_weighted(
    rng: np.random.Generator, weighted: tuple[tuple[str, float], ...], n: int
) -> pd.Series:
    names = tuple(name for name, _ in weighted)
    weights = np.array([w for _, w in weighted])
    return _pick(names, rng.choice(len(names), size=n, p=weights / weights.sum()))


def _with_missing(rng: np.random.Generator, values: np.ndarray, share: float) -> np.ndarray:
    out = values.astype(float)
    out[rng.random(len(out)) < share] = np.nan
    return out


def _lifecycle_codes(
    rng: np.random.Generator,
    health_score: np.ndarray,
    renewal_offset: np.ndarray,
    adoption: np.ndarray,
    n: int,
) -> np.ndarray:
    """Stage follows the numbers most of the time, with some noise like a real CRM field."""
    code = np.where(adoption > 0.75, 2, 1)  # Expansion when well adopted, else Adoption
    code = np.where(renewal_offset < 90, 3, code)
    code = np.where(health_score < 40, 4, code)
    code = np.where(rng.random(n) < 0.08, 0, code)  # new logos still onboarding
    noise = rng.random(n) < 0.1
    return np.where(noise, rng.integers(0, len(LIFECYCLE_STAGES), n), code)


def _previous_tier_codes(
    rng: np.random.Generator, arr: np.ndarray, strategic: np.ndarray, n: int
) -> np.ndarray:
    """Last period's tier: mostly by ARR rank, strategic accounts lifted, some drift."""
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    rank = np.argsort(np.argsort(-arr)) / n
    code = np.digitize(rank, [0.1, 0.4])
    code = np.where(strategic, np.minimum(code, 1), code)
    drift = rng.random(n) < 0.12
    return np.clip(code + np.where(drift, rng.choice([-1, 1], n), 0), 0, 2)


def previous_quarter(accounts: pd.DataFrame, seed: int = 7) -> pd.DataFrame:
    """The same book one quarter earlier: numbers moved, new logos absent, churned ones present.

    Adds a `tier` column: the tier given last quarter (what the current book calls
    `previous_tier`), so the snapshot can be compared with a new segmentation.
    """
    rng = np.random.default_rng([seed, 1])
    n = len(accounts)
    is_new = rng.random(n) < 0.04  # signed this quarter: not in last quarter's snapshot
    before = accounts.loc[~is_new].copy()

    before = _a_quarter_of_drift(rng, before)
    before.insert(before.columns.get_loc("previous_tier"), "tier", before["previous_tier"])
    before["previous_tier"] = _drift_tiers(rng, before["previous_tier"], 0.1)

    churned = generate_accounts(max(1, n // 50), seed=seed + 1000).iloc[: max(1, n // 50)]
    churned["account_id"] = _account_ids(len(churned), start=n + 1).to_numpy()
    churned["tier"] = churned["previous_tier"]
    churned = churned[before.columns]
    return pd.concat([before, churned], ignore_index=True) if n else before


def _a_quarter_of_drift(rng: np.random.Generator, book: pd.DataFrame) -> pd.DataFrame:
    """The same accounts one quarter earlier: ARR, health, NPS, usage and tickets drifted."""
    before, m = book.copy(), len(book)
    growth = np.exp(rng.normal(0.02, 0.08, m))
    before["arr"] = np.round(before["arr"].to_numpy() / growth, -1)
    before["potential_arr"] = np.round(before["potential_arr"].to_numpy() / growth, -2)
    before["health_score"] = np.clip(
        np.round(before["health_score"].to_numpy() + rng.normal(0, 8, m)), 0, 100
    )
    nps_changed = rng.random(m) < 0.3
    before["nps"] = np.where(
        nps_changed,
        np.clip(before["nps"].to_numpy() + rng.integers(-2, 3, m), 0, 10),
        before["nps"],
    )
    before["active_users"] = np.round(
        before["active_users"].to_numpy() * np.exp(rng.normal(-0.03, 0.1, m))
    ).astype(np.int64)
    before["support_tickets"] = rng.poisson(before["support_tickets"].to_numpy() + 0.5)
    before["renewal_date"] = _renewal_a_quarter_earlier(before["renewal_date"])
    return before


STEP_SHARE = 0.03  # accounts per quarter with a real change, not drift


def quarter_history(
    accounts: pd.DataFrame, quarters: int, seed: int = 7
) -> list[tuple[dt.date, pd.DataFrame]]:
    """`quarters` snapshots of the book, oldest first, the last being `accounts` as of
    REFERENCE_DATE; each earlier one a quarter before (91 days): drift on every account, and a
    few real step changes (health and NPS collapsing, usage tripling) that a tier should follow."""
    rng = np.random.default_rng([seed, 2])
    books = [accounts]
    for _ in range(quarters - 1):
        before = _a_quarter_of_drift(rng, books[0]).drop(columns="previous_tier", errors="ignore")
        step = rng.random(len(before)) < STEP_SHARE
        # Seen backwards: a later collapse means the account was healthy the quarter before.
        before.loc[step, "health_score"] = np.clip(before.loc[step, "health_score"] + 50, 0, 100)
        before.loc[step, "nps"] = np.clip(before.loc[step, "nps"] + 6, 0, 10)
        before.loc[step, "active_users"] = (before.loc[step, "active_users"] // 3).astype(np.int64)
        books.insert(0, before)
    return [
        (REFERENCE_DATE - dt.timedelta(days=91 * (quarters - 1 - i)), b)
        for i, b in enumerate(books)
    ]


def _renewal_a_quarter_earlier(renewal_date: pd.Series) -> pd.Series:
    """Accounts that renewed during the quarter had last year's renewal date back then."""
    reference = pd.Timestamp(REFERENCE_DATE)
    renewed_since = renewal_date > reference + pd.Timedelta(days=365 - 91)
    return renewal_date.where(~renewed_since, renewal_date - pd.Timedelta(days=365))


def _drift_tiers(rng: np.random.Generator, tiers: pd.Series, share: float) -> pd.Series:
    code = pd.Series(tiers).map({t: i for i, t in enumerate(TIERS)}).to_numpy()
    drift = rng.random(len(code)) < share
    code = np.clip(code + np.where(drift, rng.choice([-1, 1], len(code)), 0), 0, 2)
    return _pick(TIERS, code.astype(np.int64)).set_axis(tiers.index)


def to_crm_headers(accounts: pd.DataFrame) -> pd.DataFrame:
    """The book as a CRM export shows it: CRM headers, booleans as Yes/No, ISO dates."""
    out = accounts.copy()
    for column in out.columns:
        values = out[column]
        if isinstance(values.dtype, pd.BooleanDtype) or values.dtype == bool:
            text = np.where(values.fillna(False).to_numpy(dtype=bool), "Yes", "No")
            out[column] = pd.Series(text, index=out.index, dtype="str").where(values.notna())
        elif pd.api.types.is_datetime64_any_dtype(values):
            iso = np.datetime_as_string(values.to_numpy().astype("datetime64[D]"), unit="D")
            out[column] = pd.Series(iso, index=out.index, dtype="str").where(values.notna())
    headers = {name: header for name, header in CRM_HEADERS.items()}
    headers["tier"] = "Tier"
    return out.rename(columns=headers)


def write_book(accounts: pd.DataFrame, path: str | os.PathLike[str]) -> None:
    """Write the book as a CRM export (CSV or XLSX by extension), never a partial file."""
    from segmentation.exporting import format_for_path, write_atomically

    fmt = format_for_path(path)
    table = to_crm_headers(accounts)
    write_atomically(path, lambda handle: _write_export(table, handle, fmt))


def _write_export(table: pd.DataFrame, handle: BinaryIO, fmt: str) -> None:
    from segmentation.exporting import write_plain_xlsx

    if fmt == "xlsx":
        # A fixed creation time keeps the file byte-for-byte the same for a seed.
        write_plain_xlsx(table, handle, created=dt.datetime(2026, 11, 1))
        return
    # %.15g: whole amounts as 25040, not 25040.0, as a CRM export shows them.
    csv = table.to_csv(index=False, lineterminator="\n", float_format="%.15g")
    handle.write(csv.encode("utf-8"))
