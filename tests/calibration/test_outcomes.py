"""Outcomes in: the three kinds, the date window and the number event at their edges, the
join by account id (ids cleaned as the loader cleans them), and every refusal."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from calibration_books import AS_OF

import segmentation as seg
from segmentation.calibration import OutcomeSpec, detect_kind, join_outcomes, outcome_from_book


@pytest.mark.parametrize(
    "cells, kind",
    [
        (["Yes", "No", "", "yes"], "yes/no"),
        (["TRUE", "FALSE", "TRUE", None], "yes/no"),
        ([1.0, 0.0, np.nan, 1.0], "yes/no"),
        (["2026-12-01", "", "2027-03-04", None], "date"),
        (["45000", "$1,200.50", "", "0"], "number"),
        ([12000.0, 0.0, 3.5, np.nan], "number"),
    ],
)
def test_the_kind_is_the_one_that_reads_every_cell(cells, kind):
    assert detect_kind(pd.Series(cells, dtype=object), "outcome") == kind


@pytest.mark.parametrize(
    "cells",
    [["Yes", "No", "maybe"], ["2026-12-01", "soon"], ["Gold", "Silver"]],
)
def test_a_column_of_no_kind_is_refused_with_one_sentence(cells):
    with pytest.raises(seg.InputError, match="is not yes/no, a date or a number"):
        detect_kind(pd.Series(cells, dtype=object), "Status")


def test_an_empty_column_is_refused():
    with pytest.raises(seg.InputError, match="is empty"):
        detect_kind(pd.Series(["", None], dtype=object), "Churned")


def _book(**columns) -> pd.DataFrame:
    n = len(next(iter(columns.values())))
    return pd.DataFrame({"account_id": [f"A-{i}" for i in range(n)], **columns})


@pytest.mark.parametrize(
    "days_after, event",
    [(89, 1.0), (90, 1.0), (91, 0.0), (-30, 1.0)],  # just inside, at, just past the window
)
def test_a_date_counts_within_the_window(days_after, event):
    day = AS_OF + dt.timedelta(days=days_after)
    accounts = _book(churn_date=[day.isoformat(), ""])
    outcome = outcome_from_book(accounts, OutcomeSpec("churn_date", window_days=90), as_of=AS_OF)
    assert outcome.kind == "date"
    assert list(outcome.event) == [event, 0.0]  # a blank date: did not happen
    assert any("blank cell counts as no" in note for note in outcome.notes)


@pytest.mark.parametrize(
    "next_arr, contraction, expansion",
    [(99.0, 1.0, 0.0), (100.0, 0.0, 0.0), (101.0, 0.0, 1.0), (0.0, 1.0, 0.0)],
)
def test_next_period_arr_at_below_and_above_today(next_arr, contraction, expansion):
    accounts = _book(arr=[100.0, 100.0, 80.0], next_arr=[next_arr, np.nan, 250.0])
    for which, expected in (("contraction", contraction), ("expansion", expansion)):
        outcome = outcome_from_book(accounts, OutcomeSpec("next_arr", number_event=which))
        assert outcome.event[0] == expected
        assert np.isnan(outcome.event[1])  # unknown next ARR: unknown, not "no"


def test_numbers_need_an_arr_column():
    with pytest.raises(seg.InputError, match="no ARR column"):
        outcome_from_book(_book(next_arr=[1.0, 2.0]), OutcomeSpec("next_arr"))


def test_an_unknown_column_is_refused():
    with pytest.raises(seg.InputError, match="no column 'Churn'"):
        outcome_from_book(_book(churned=["yes", "no"]), OutcomeSpec("Churn"))


def test_outcomes_file_is_joined_by_the_ids_the_loader_reads(tmp_path):
    book_file = tmp_path / "book.csv"
    book_file.write_text(
        "Account ID,Account Name,ARR\n 1001 ,Acme,100\n1002,Bolt,200\n1003,Cog,50\n"
    )
    outcomes_file = tmp_path / "outcomes.xlsx"
    pd.DataFrame(
        {"Account ID": [1001, 1002, 9999, 1002], "Churned": ["yes", "no", "yes", "yes"]}
    ).to_excel(outcomes_file, index=False)
    book, outcomes = seg.load(book_file), seg.load(outcomes_file)
    joined = join_outcomes(book.accounts, outcomes.accounts, "Churned", "outcomes.xlsx")
    assert list(joined.matched) == [True, True, False]
    assert joined.unmatched_ids == 1
    assert list(joined.values[:2]) == ["yes", "no"]  # the first row of a repeated id is used
    assert any("1 ids of the file match no account" in n for n in joined.notes)
    assert any("repeated ids" in n for n in joined.notes)
    outcome = outcome_from_book(
        book.accounts, OutcomeSpec("Churned"), outcomes=outcomes.accounts, source="outcomes.xlsx"
    )
    assert outcome.event[:2].tolist() == [1.0, 0.0]
    assert np.isnan(outcome.event[2])  # not in the file: unknown, never "no"


def test_outcomes_file_whose_ids_match_none_is_refused():
    book = _book(arr=[1.0, 2.0])
    other = pd.DataFrame({"account_id": ["X-1", "X-2"], "Churned": ["yes", "no"]})
    with pytest.raises(seg.InputError, match=r"None of the 2 account ids in o\.csv match"):
        join_outcomes(book, other, "Churned", "o.csv")


def test_dates_from_an_unmatched_file_row_stay_unknown():
    book = _book(arr=[1.0, 2.0, 3.0])
    other = pd.DataFrame({"account_id": ["A-0", "A-1"], "Churn date": ["2026-11-20", ""]})
    outcome = outcome_from_book(
        book, OutcomeSpec("Churn date", window_days=30), as_of=AS_OF, outcomes=other
    )
    assert outcome.event[:2].tolist() == [1.0, 0.0]
    assert np.isnan(outcome.event[2])
