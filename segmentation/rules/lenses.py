"""Columns derived from the data alone: whitespace, adoption, renewal timing, NPS group, rank."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from segmentation.rules import sql
from segmentation.rules.inputs import column_numbers
from segmentation.rules.schemes import distinct_ranks

NPS_GROUPS = ("Detractor", "Passive", "Promoter")
NPS_LIMITS = (6, 8, 10)  # the highest NPS of each group
RENEWAL_WINDOWS = ("Overdue", "Within 90 days", "Within 120 days", "Later")
ARR_RANK_BANDS = ("Top 10", "Top 25", "Top 50", "Top 100")
ARR_RANK_LIMITS = (10, 25, 50, 100)


def whitespace(accounts: pd.DataFrame) -> np.ndarray:
    """Potential ARR minus ARR: what the account could still spend (never below 0)."""
    return np.clip(
        column_numbers(accounts, "potential_arr") - column_numbers(accounts, "arr"), 0.0, None
    )


def adoption(accounts: pd.DataFrame) -> np.ndarray:
    """Active users per licensed seat, as a ratio (0.22 = 22% of seats active)."""
    seats = column_numbers(accounts, "licensed_seats")
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = column_numbers(accounts, "active_users") / seats
    return np.where(seats > 0, ratio, np.nan)


def days_to_renewal(accounts: pd.DataFrame, as_of: dt.date | None) -> np.ndarray:
    """Days from `as_of` to the renewal date (negative: overdue); NaN without an as-of date."""
    if as_of is None or "renewal_date" not in accounts:
        return np.full(len(accounts), np.nan)
    dates = accounts["renewal_date"]
    if not pd.api.types.is_datetime64_any_dtype(dates):
        return np.full(len(accounts), np.nan)
    delta = dates.dt.normalize() - pd.Timestamp(as_of)
    return (delta / pd.Timedelta(days=1)).to_numpy(dtype="float64", na_value=np.nan)


DAYS_PER_MONTH = 365.25 / 12


def tenure(accounts: pd.DataFrame, as_of: dt.date | None) -> np.ndarray:
    """Months as a customer: `tenure_months`, else counted from `customer_since`.

    Counted to `as_of`, or without one to the book's latest start date: a metric ranks
    tenure, and ranks do not depend on the day they are counted to.
    """
    months = column_numbers(accounts, "tenure_months")
    since = accounts.get("customer_since")
    if since is None or not pd.api.types.is_datetime64_any_dtype(since):
        return months
    start = since.dt.normalize()
    end = pd.Timestamp(as_of) if as_of is not None else start.max()
    counted = ((end - start) / pd.Timedelta(days=1)).to_numpy("float64", na_value=np.nan)
    return np.where(np.isnan(months), counted / DAYS_PER_MONTH, months)


def derived_columns(accounts: pd.DataFrame, as_of: dt.date | None) -> dict[str, np.ndarray]:
    return {
        "whitespace": whitespace(accounts),
        "adoption": adoption(accounts),
        "days_to_renewal": days_to_renewal(accounts, as_of),
        "tenure": tenure(accounts, as_of),
    }


def _categorical(codes: np.ndarray, labels: tuple[str, ...]) -> pd.Categorical:
    return pd.Categorical.from_codes(codes, categories=list(labels), ordered=True)


def nps_group(accounts: pd.DataFrame) -> pd.Categorical:
    """Detractor 0-6, passive 7-8, promoter 9-10; empty where NPS is missing."""
    nps = column_numbers(accounts, "nps")
    codes = np.select([nps <= limit for limit in NPS_LIMITS], [0, 1, 2], default=-1)
    return _categorical(codes, NPS_GROUPS)


def renewal_window(days: np.ndarray) -> pd.Categorical:
    """T-90 / T-120 renewal windows; empty where the renewal date or as-of date is missing."""
    codes = np.select([days < 0, days <= 90, days <= 120, days > 120], [0, 1, 2, 3], default=-1)
    return _categorical(codes, RENEWAL_WINDOWS)


def arr_rank(accounts: pd.DataFrame) -> np.ndarray:
    """1 for the largest ARR; ties share the better rank; NaN where ARR is missing."""
    ranks = distinct_ranks(column_numbers(accounts, "arr"))
    return ranks.per_row(ranks.known - ranks.at_or_below + 1.0)  # 1 + accounts with more ARR


def arr_rank_band(ranks: np.ndarray) -> pd.Categorical:
    conditions = [ranks <= limit for limit in ARR_RANK_LIMITS]
    codes = np.select(conditions, list(range(len(ARR_RANK_LIMITS))), default=-1)
    return _categorical(codes, ARR_RANK_BANDS)


def lens_columns(accounts: pd.DataFrame, derived: dict[str, np.ndarray]) -> dict[str, object]:
    """The extra views the users expect beside the tier, in output order."""
    return {
        "whitespace": derived["whitespace"],
        "adoption": derived["adoption"],
        "days_to_renewal": derived["days_to_renewal"],
        "nps_group": nps_group(accounts),
        "renewal_window": renewal_window(derived["days_to_renewal"]),
        "arr_rank_band": arr_rank_band(arr_rank(accounts)),
    }


# --- the SQL form: `numbers` maps each column the table has to its value as a number --------


def tenure_sql(months: str | None, customer_since: str | None, as_of: str) -> str | None:
    """`tenure` in SQL, counted to `as_of` (the day the query is given, or CURRENT_DATE)."""
    if customer_since is None:
        return months
    days = f"DATE_DIFF('day', CAST({customer_since} AS DATE), {as_of})"
    counted = f"(CAST({days} AS DOUBLE) / {sql.number(DAYS_PER_MONTH)})"
    return counted if months is None else f"COALESCE({months}, {counted})"


def derived_columns_sql(
    numbers: dict[str, str],
    renewal_date: str | None,
    as_of: str,
    customer_since: str | None = None,
) -> dict:
    """`derived_columns` in SQL; a derived column whose inputs the table lacks is left out."""
    derived = {}
    if {"potential_arr", "arr"} <= numbers.keys():
        gap = f"({numbers['potential_arr']} - {numbers['arr']})"
        derived["whitespace"] = sql.case([(f"{gap} < 0.0", "0.0")], gap)
    if {"active_users", "licensed_seats"} <= numbers.keys():
        seats = numbers["licensed_seats"]
        derived["adoption"] = sql.case([(f"{seats} > 0.0", f"{numbers['active_users']} / {seats}")])
    if renewal_date is not None:
        days = f"DATE_DIFF('day', {as_of}, CAST({renewal_date} AS DATE))"
        derived["days_to_renewal"] = f"CAST({days} AS DOUBLE)"
    months = tenure_sql(numbers.get("tenure_months"), customer_since, as_of)
    if months is not None:
        derived["tenure"] = months
    return derived


def _bands_sql(value: str, bands: list[tuple[str, str]]) -> str:
    return sql.case([(f"{value} {test}", sql.text(label)) for test, label in bands])


def lens_columns_sql(numbers: dict[str, str]) -> dict[str, str]:
    """`lens_columns` in SQL, over the derived columns and the table's own (NULL if absent)."""

    def value(name: str) -> str:
        return numbers.get(name, "CAST(NULL AS DOUBLE)")

    arr = value("arr")
    at_or_below, _, known = sql.tie_counts(arr) if "arr" in numbers else ("NULL",) * 3
    rank = f"({known} - {at_or_below} + 1)"  # as `arr_rank`
    limits = [f"<= {limit}" for limit in ARR_RANK_LIMITS]
    return {
        "whitespace": value("whitespace"),
        "adoption": value("adoption"),
        "days_to_renewal": value("days_to_renewal"),
        "nps_group": _bands_sql(
            value("nps"),
            [(f"<= {limit}", g) for limit, g in zip(NPS_LIMITS, NPS_GROUPS, strict=True)],
        ),
        "renewal_window": _bands_sql(
            value("days_to_renewal"),
            list(zip(("< 0", "<= 90", "<= 120", "> 120"), RENEWAL_WINDOWS, strict=True)),
        ),
        "arr_rank_band": sql.case(
            [
                (f"{arr} IS NOT NULL AND {rank} {t}", sql.text(b))
                for t, b in zip(limits, ARR_RANK_BANDS, strict=True)
            ]
        ),
    }
