"""Outcomes in: what happened to each account (churned, renewed, a churn date, next-period ARR).

An outcome is read from a column of the book, or from a second file joined by account id
(both read by the loader, so ids are matched exactly as the loader cleans them). It becomes
one yes/no event per account of the book, or missing where the book does not say.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from segmentation.errors import InputError
from segmentation.values import parse_bool, parse_date, parse_number

KINDS: tuple[str, ...] = ("yes/no", "date", "number")
NUMBER_EVENTS: tuple[str, ...] = ("contraction", "expansion")
DEFAULT_WINDOW_DAYS = 365


@dataclass(frozen=True)
class OutcomeSpec:
    """How to read an outcome: its column, and for dates and numbers what counts as the event."""

    column: str
    window_days: int = DEFAULT_WINDOW_DAYS  # date: the event is a date up to as_of + this
    number_event: str = "contraction"  # number (next-period ARR): below or above today's ARR


@dataclass(frozen=True)
class Outcome:
    """One event per account row of the book: 1.0, 0.0, or NaN where unknown."""

    column: str
    kind: str
    event: np.ndarray
    label: str  # what the event means, in plain words
    dates: np.ndarray | None = None  # date outcomes: the event's day (NaT where none)
    next_value: np.ndarray | None = None  # number outcomes: next-period ARR
    notes: tuple[str, ...] = field(default=())  # the decisions made reading it

    @property
    def known(self) -> np.ndarray:
        return ~np.isnan(self.event)

    def take(self, positions: np.ndarray) -> Outcome:
        """The outcome of the book's rows at `positions` (a filtered export, say)."""

        def pick(values: np.ndarray | None) -> np.ndarray | None:
            return None if values is None else values[positions]

        return replace(
            self,
            event=self.event[positions],
            dates=pick(self.dates),
            next_value=pick(self.next_value),
        )


def _first_unreadable(column: pd.Series, unreadable: pd.Series) -> str:
    return str(column[unreadable.to_numpy()].iloc[0])


def detect_kind(column: pd.Series, name: str) -> str:
    """yes/no, number or date: the first kind that reads every filled cell of the column."""
    filled = column.notna() & (column.astype("str").str.strip() != "")
    if not filled.any():
        raise InputError(f"The outcome column '{name}' is empty: no account has an outcome.")
    if not parse_bool(column).unreadable.any():
        return "yes/no"
    # Numbers before dates: text such as "45000" would also read as an Excel day serial.
    parsed = parse_number(column)
    if not parsed.unreadable.any():
        return "number"
    if not parse_date(column).unreadable.any():
        return "date"
    example = _first_unreadable(column, parsed.unreadable)
    raise InputError(
        f"The outcome column '{name}' is not yes/no, a date or a number "
        f"('{example[:40]}' reads as none of them); give a column of one kind."
    )


def _days(dates: pd.Series) -> np.ndarray:
    return dates.to_numpy(dtype="datetime64[D]")


def read_outcome(
    values: pd.Series,
    spec: OutcomeSpec,
    *,
    arr: pd.Series | None = None,
    as_of: dt.date | None = None,
) -> Outcome:
    """Turn the outcome column (aligned with the book's rows) into one event per account."""
    kind = detect_kind(values, spec.column)
    if kind == "yes/no":
        parsed = parse_bool(values).values
        event = parsed.astype("Float64").to_numpy(dtype="float64", na_value=np.nan)
        return Outcome(spec.column, kind, event, f"{spec.column}: yes")
    if kind == "date":
        return _date_outcome(values, spec, as_of)
    return _number_outcome(values, spec, arr)


def _date_outcome(values: pd.Series, spec: OutcomeSpec, as_of: dt.date | None) -> Outcome:
    if as_of is None:
        raise InputError(
            f"The outcome column '{spec.column}' holds dates: give the as-of day to count from."
        )
    days = _days(parse_date(values).values)
    limit = np.datetime64(as_of, "D") + np.timedelta64(spec.window_days, "D")
    event = np.where(np.isnat(days), 0.0, (days <= limit).astype("float64"))
    label = f"{spec.column} within {spec.window_days} days of {as_of.isoformat()}"
    note = (
        f"'{spec.column}' read as dates: the outcome is a date on or before "
        f"{(as_of + dt.timedelta(days=spec.window_days)).isoformat()}; a blank cell counts as no."
    )
    return Outcome(spec.column, "date", event, label, dates=days, notes=(note,))


def _number_outcome(values: pd.Series, spec: OutcomeSpec, arr: pd.Series | None) -> Outcome:
    if arr is None:
        raise InputError(
            f"The outcome column '{spec.column}' holds numbers (next-period ARR), but the book "
            "has no ARR column to compare them with; map an ARR column first."
        )
    if spec.number_event not in NUMBER_EVENTS:
        raise InputError(f"number_event must be one of {', '.join(NUMBER_EVENTS)}.")
    nxt = parse_number(values).values.to_numpy(dtype="float64")
    now = pd.to_numeric(arr, errors="coerce").to_numpy(dtype="float64")
    usable = ~np.isnan(nxt) & ~np.isnan(now)
    grew = nxt > now if spec.number_event == "expansion" else nxt < now
    event = np.where(usable, grew.astype("float64"), np.nan)
    word = "above" if spec.number_event == "expansion" else "below"
    label = f"{spec.column} {word} today's ARR ({spec.number_event})"
    note = (
        f"'{spec.column}' read as next-period ARR: the outcome is {spec.number_event} "
        f"(next-period ARR {word} today's)."
    )
    return Outcome(spec.column, "number", event, label, next_value=nxt, notes=(note,))


# --- a second file joined by account id --------------------------------------------------------


@dataclass(frozen=True)
class Joined:
    """An outcomes file's column lined up with the book's rows."""

    values: pd.Series  # aligned with the book; missing where no id matched
    matched: np.ndarray  # bool per book row: its id is in the file
    unmatched_ids: int  # ids of the file that match no account of the book
    notes: tuple[str, ...]


def join_outcomes(
    book_accounts: pd.DataFrame, outcomes: pd.DataFrame, column: str, source: str
) -> Joined:
    """The outcome column of `outcomes` (a loaded file) for each account of the book, by id."""
    for frame, what in ((book_accounts, "the book"), (outcomes, source)):
        if "account_id" not in frame:
            raise InputError(f"{what} has no account id column to join the outcomes on.")
    if column not in outcomes:
        raise InputError(f"{source} has no column '{column}'; name one of its columns.")
    ids = outcomes["account_id"]
    present = ids.notna().to_numpy()
    by_id = pd.Series(outcomes[column].to_numpy()[present], index=ids[present].to_numpy())
    duplicated = int(by_id.index.duplicated().sum())
    by_id = by_id[~by_id.index.duplicated(keep="first")]
    book_ids = book_accounts["account_id"]
    hit = book_ids.isin(by_id.index).to_numpy() & book_ids.notna().to_numpy()
    if not hit.any():
        raise InputError(
            f"None of the {len(by_id):,} account ids in {source} match an account id of the "
            "book; check that both files hold the same ids."
        )
    values = pd.Series(by_id.reindex(book_ids.where(hit)).to_numpy(), index=book_accounts.index)
    unmatched = int((~by_id.index.isin(book_ids[hit].to_numpy())).sum())
    notes = [
        f"{source}: {int(hit.sum()):,} of {len(book_ids):,} accounts matched by id; "
        f"{unmatched:,} ids of the file match no account of the book."
    ]
    if duplicated:
        notes.append(f"{source}: {duplicated:,} repeated ids; the first row of each is used.")
    if not present.all():
        notes.append(f"{source}: {int((~present).sum()):,} rows without an account id left out.")
    return Joined(values, hit, unmatched, tuple(notes))
