"""A date beyond what datetime64[ns] holds (before 1677-09-21 or after 2262-04-11: a typo such
as 3027 for 2027) is a cell that cannot be read, flagged with its value, never an error that
refuses the book."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys

import pandas as pd
import pytest

import segmentation as seg
from segmentation import values


@pytest.mark.parametrize(
    ("cell", "readable"),
    [
        ("1000-01-01", False),
        ("1677-09-21", False),  # midnight is before pandas' first instant (00:12:43)
        ("1677-09-22", True),
        ("2262-04-11", True),
        ("2262-04-12", False),
        ("3024-05-01", False),
        ("05/01/3024", False),
        ("2027-02-30", False),  # no such day
        ("2027-02-28", True),
    ],
)
def test_a_text_date_beyond_the_range_is_unreadable(cell, readable):
    parsed = values.parse_date(pd.Series([cell, "2027-01-15"], dtype="str"))
    assert parsed.values.notna().tolist() == [readable, True]
    assert parsed.unreadable.tolist() == [not readable, False]
    if readable:
        assert parsed.values[0] == pd.Timestamp(cell)


@pytest.mark.parametrize(
    "column",
    [
        pd.Series([dt.datetime(3026, 3, 1), dt.datetime(2026, 3, 1), None], dtype=object),
        pd.Series(pd.to_datetime(["3026-03-01", "2026-03-01", None]).as_unit("us")),
        pd.Series(pd.to_datetime(["3026-03-01", "2026-03-01", None]).as_unit("s")).dt.tz_localize(
            "UTC"
        ),
    ],
    ids=["datetime objects (a workbook's cells)", "datetime64[us] (Parquet)", "tz-aware seconds"],
)
def test_datetimes_beyond_the_range_are_unreadable(column):
    parsed = values.parse_date(column)
    assert str(parsed.values.dtype) == "datetime64[ns]"
    assert parsed.values.isna().tolist() == [True, False, True]
    assert parsed.unreadable.tolist() == [True, False, False]
    assert parsed.values[1] == pd.Timestamp("2026-03-01")


def test_a_crm_export_with_date_typos_loads_every_row(fixtures):
    book = seg.load(fixtures["date_typos.csv"])
    assert len(book.accounts) == 4
    renewal = book.accounts["renewal_date"]
    assert renewal.notna().tolist() == [True, False, False, True]
    flagged = {(f.row, f.problem) for f in book.report.cells_flagged if f.column == "renewal_date"}
    assert flagged == {(1, "could not read '3027-06-30'"), (2, "could not read '06/30/1027'")}


def test_a_workbook_date_cell_typed_3026_is_flagged_not_refused(fixtures):
    book = seg.load(fixtures["date_typos.xlsx"])
    assert book.accounts["account_id"].tolist() == ["D1", "D2"]
    assert book.accounts["renewal_date"].isna().tolist() == [True, False]
    problems = [f.problem for f in book.report.cells_flagged if f.column == "renewal_date"]
    assert problems == ["could not read '3026-03-01'"]


def test_the_command_line_scores_a_book_with_date_typos(fixtures, tmp_path):
    out = tmp_path / "tiers.csv"
    done = subprocess.run(
        [sys.executable, "-m", "segmentation", "score", str(fixtures["date_typos.csv"]),
         "--out", str(out), "--as-of", "2026-11-22"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    written = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert len(written) == 4
    assert "could not read '3027-06-30'" in " ".join(written["data_issues"])
