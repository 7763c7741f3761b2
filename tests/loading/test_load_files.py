"""load() on every messy fixture file: exact values, skipped lines and report fields."""

from __future__ import annotations

import io
import json

import numpy as np
import pandas as pd
import pytest

from segmentation.errors import InputError
from segmentation.loading import load

NaN = np.nan

# name: (rows_read, rows_kept, skipped [(line, reason)], header_row, {column: values})
CASES = {
    "utf8_bom_crlf.csv": (
        3,
        3,
        [],
        1,
        {
            "account_id": ["00123", "00124", "A-3"],
            "account_name": ["Acme, Inc.", "Beta GmbH", "Gamma"],
            "arr": [1234.5, 2000.0, -1200.0],
            "Notes": ['said "hi"', "line one\r\nline two", NaN],
        },
    ),
    "utf8_lf.csv": (
        2,
        2,
        [],
        1,
        {
            "account_name": ["Naïve Café", "Zeta"],
            "arr": [1_200_000.0, 45_000.0],
            "country": ["NA", "DE"],
        },
    ),
    "cp1252.csv": (
        3,
        3,
        [],
        1,
        {
            "account_name": ["Société Générale", "Müller GmbH", "Ørsted A/S"],
            "arr": [1234.5, 1_234_567.0, 12.5],
            "industry": ["Banque", "Maschinenbau", "Énergie"],
        },
    ),
    "utf16_tab.csv": (
        2,
        2,
        [],
        1,
        {
            "account_name": ["Łódź Sp. z o.o.", "東京株式会社"],
            "mrr": [100.0, 250.5],
            "arr": [1200.0, 3006.0],
            "health_score": [85.0, 70.0],
        },
    ),
    "semicolon_decimal_comma.csv": (
        3,
        3,
        [],
        1,
        {
            "arr": [1234.5, 99.9, 1_000_000.0],
            "employees": [1200.0, 15.0, NaN],
            "renewal_date": ["2026-03-25", "2026-04-01", "2026-12-13"],
            "Kunden-ID": ["K-1", "K-2", "K-3"],
        },
    ),
    "pipe.csv": (
        2,
        2,
        [],
        1,
        {"account_id": ["101", "102"], "account_name": ["Pipe One", "Pipe | Two"]},
    ),
    "salesforce_report.csv": (
        14,
        3,
        [
            (1, "title above the header"),
            (2, "title above the header"),
            (3, "blank line"),
            (8, "total row"),
            (9, "blank line"),
            (10, "report footer (totals)"),
            (11, "blank line"),
            (12, "report footer (confidentiality notice)"),
            (13, "report footer (copyright)"),
            (14, "report footer (filter description)"),
            (15, "report footer"),
        ],
        4,
        {
            "account_id": ["0015g00000ABCDEAA1", "0015g00000ABCDEAA2", "0015g00000ABCDEAA3"],
            "arr": [120_000.0, 60_000.0, 30_000.0],
            "company_revenue": [5_000_000.0, 1_000_000.0, NaN],
            "csm": ["Ann Lee", "Bo Chan", "Ann Lee"],
        },
    ),
    "placeholders.csv": (
        4,
        4,
        [],
        1,
        {
            "country": ["NA", NaN, "US", "FR"],
            "arr": [NaN, NaN, NaN, NaN],
            "nps": [NaN, NaN, 7.0, 8.0],
            "renewal_date": [None, None, None, "2026-06-30"],
            "csm": [NaN, "Kim", "NA", NaN],
            "input_issues": [
                "",
                "nps: Excel error #N/A",
                "arr: could not read '12;3'; renewal_date: could not read '2026-13-45'",
                "arr: Excel error #DIV/0!",
            ],
        },
    ),
    "duplicates.csv": (
        3,
        3,
        [],
        1,
        {
            "arr": [5.0, 6.0, 7.0],
            "Notes": ["n1", "n2", "n3"],
            "Notes (2)": ["m1", "m2", "m3"],
            "arr (raw)": ["5", "6", "7"],
            "ARR (2)": ["10", "20", "30"],
            "input_issues": [
                "account_id: duplicate account_id 'A-17'",
                "",
                "account_id: duplicate account_id 'A-17'",
            ],
        },
    ),
    "mrr_only.csv": (
        3,
        3,
        [],
        1,
        {
            "arr": [12_000.0, NaN, NaN],
            "mrr": [1000.0, NaN, NaN],
            "potential_arr": [50_000.0, NaN, 1500.0],
            "input_issues": ["", "", "mrr: could not read 'abc'"],
        },
    ),
    "dates_us.csv": (
        4,
        4,
        [],
        1,
        {
            "renewal_date": ["2026-03-25", "2026-04-01", "2026-12-31", "2027-01-05"],
            "referenceable": [True, False, True, None],
            "strategic_account": [True, False, True, False],
        },
    ),
    "trailing_blank_columns.csv": (
        5,
        2,
        [(3, "blank line"), (5, "blank line"), (6, "blank line")],
        1,
        {"account_id": ["T1", "T2"], "arr": [1.0, 2.0]},
    ),
    "csv_renamed.xlsx": (1, 1, [], 1, {"account_id": ["R1"]}),
    "workbook.xlsx": (
        7,
        4,
        [(1, "title above the header"), (2, "blank line"), (8, "total row")],
        3,
        {
            "account_id": ["00123", "1002", "X-3", "X-4"],
            "arr": [1200.5, 2000.0, NaN, NaN],
            "health_score": [80.0, 85.0, NaN, NaN],
            "renewal_date": ["2026-03-31", "2026-03-31", "2026-05-01", None],
            "csm": ["Ann", "Ann", "Ann", NaN],
            "Churn Rate %": [0.05, 0.1, 0.2, NaN],
            "input_issues": [
                "",
                "",
                "arr: Excel error #REF!; health_score: Excel error #N/A",
                "health_score: Excel error #DIV/0!; arr: formula without a saved value",
            ],
        },
    ),
    "date1904.xlsx": (
        2,
        2,
        [],
        1,
        {"renewal_date": ["2026-03-01", "2026-03-01"], "licensed_seats": [10.0, 12.0]},
    ),
    "xlsx_renamed.csv": (2, 2, [], 1, {"account_id": ["E1", "E2"]}),
}


def _comparable(series: pd.Series) -> list:
    """Values in plain Python, missing as None, dates as YYYY-MM-DD text."""
    if pd.api.types.is_datetime64_any_dtype(series.dtype):
        return [None if pd.isna(v) else v.strftime("%Y-%m-%d") for v in series]
    return [None if pd.isna(v) else v for v in series.astype(object)]


@pytest.mark.parametrize("name", sorted(CASES))
def test_fixture_is_read_exactly(fixtures, name: str) -> None:
    rows_read, rows_kept, skipped, header_row, columns = CASES[name]
    book = load(fixtures[name])
    report = book.report
    assert (report.rows_read, report.rows_kept) == (rows_read, rows_kept)
    assert report.rows_read == report.rows_kept + len(report.rows_skipped)
    assert report.rows_skipped == skipped
    assert report.header_row == header_row
    assert len(book.accounts) == rows_kept == len(book.raw)
    assert isinstance(book.accounts.index, pd.RangeIndex)
    for column, expected in columns.items():
        expected_series = pd.Series(expected, dtype=object)
        assert _comparable(book.accounts[column]) == _comparable(expected_series), column
    json.dumps(report.to_dict())
    assert report.summary_lines()


def test_canonical_dtypes(fixtures) -> None:
    accounts = load(fixtures["workbook.xlsx"]).accounts
    assert accounts["account_id"].dtype == "str"
    assert accounts["arr"].dtype == "float64"
    assert accounts["renewal_date"].dtype == "datetime64[ns]"
    assert accounts["input_issues"].dtype == "str"
    assert list(accounts.columns[:6]) == [
        "account_id",
        "account_name",
        "arr",
        "health_score",
        "renewal_date",
        "csm",
    ]
    assert accounts.columns[-1] == "input_issues"
    bools = load(fixtures["dates_us.csv"]).accounts
    assert bools["referenceable"].dtype == "boolean"


@pytest.mark.parametrize(
    ("name", "field", "expected"),
    [
        ("utf8_bom_crlf.csv", "encoding", "utf-8-sig"),
        ("utf8_lf.csv", "encoding", "utf-8"),
        ("cp1252.csv", "encoding", "cp1252"),
        ("utf16_tab.csv", "encoding", "utf-16"),
        ("utf16_tab.csv", "delimiter", "\t"),
        ("cp1252.csv", "delimiter", ";"),
        ("pipe.csv", "delimiter", "|"),
        ("utf8_lf.csv", "delimiter", ","),
        ("workbook.xlsx", "sheet", "Accounts"),
        ("workbook.xlsx", "other_sheets", ["Read me", "Summary"]),
        ("workbook.xlsx", "kind", "xlsx"),
        ("csv_renamed.xlsx", "kind", "csv"),
        ("xlsx_renamed.csv", "kind", "xlsx"),
        ("duplicates.csv", "duplicate_headers", {"Notes (2)": "Notes", "ARR (2)": "ARR"}),
    ],
)
def test_report_fields(fixtures, name: str, field: str, expected) -> None:
    assert getattr(load(fixtures[name]).report, field) == expected


@pytest.mark.parametrize(
    ("name", "note"),
    [
        ("salesforce_report.csv", "Grand Totals says 3 records; 3 accounts read."),
        ("mrr_only.csv", "ARR computed as MRR x 12 (from 'Monthly Recurring Revenue')."),
        ("csv_renamed.xlsx", "csv_renamed.xlsx is not an Excel workbook but CSV text"),
        ("xlsx_renamed.csv", "xlsx_renamed.csv is an Excel workbook despite its name"),
        ("workbook.xlsx", "1 merged cell ranges filled with their top-left value."),
        ("duplicates.csv", "1 account ids appear more than once (2 rows); all kept and flagged."),
        ("dates_us.csv", "strategic_account: a column of marks: blank cells read as no."),
    ],
)
def test_report_notes(fixtures, name: str, note: str) -> None:
    assert any(line.startswith(note) for line in load(fixtures[name]).report.notes)


@pytest.mark.parametrize(
    ("name", "column", "kind", "decision"),
    [
        ("semicolon_decimal_comma.csv", "arr", "number_formats", "decimal comma"),
        ("semicolon_decimal_comma.csv", "renewal_date", "date_orders", "day/month/year"),
        ("dates_us.csv", "renewal_date", "date_orders", "month/day/year"),
        ("utf8_bom_crlf.csv", "arr", "number_formats", "decimal point"),
    ],
)
def test_per_column_decisions_are_reported(fixtures, name, column, kind, decision) -> None:
    assert getattr(load(fixtures[name]).report, kind)[column].startswith(decision)


def test_cells_cleaned_and_flagged(fixtures) -> None:
    report = load(fixtures["workbook.xlsx"]).report
    assert report.cells_cleaned["health_score"] == {"percent_format": 1}
    flagged = [(f.line, f.column, f.problem) for f in report.cells_flagged]
    assert flagged == [
        (6, "arr", "Excel error #REF!"),
        (6, "health_score", "Excel error #N/A"),
        (7, "arr", "formula without a saved value"),
        (7, "health_score", "Excel error #DIV/0!"),
    ]
    cleaned = load(fixtures["utf8_bom_crlf.csv"]).report.cells_cleaned["arr"]
    assert cleaned == {"currency": 2, "negative_parentheses": 1, "thousands_separator": 2}


def test_named_sheet_is_used(fixtures) -> None:
    book = load(fixtures["workbook.xlsx"], sheet="Accounts")
    assert (book.report.sheet, book.report.rows_kept) == ("Accounts", 4)
    with pytest.raises(InputError, match=r"'Metric', 'Value'"):
        load(fixtures["workbook.xlsx"], sheet="Summary")


@pytest.mark.parametrize("name", ["utf8_bom_crlf.csv", "workbook.xlsx", "cp1252.csv"])
def test_path_and_file_like_give_the_same_book(fixtures, name: str) -> None:
    path = fixtures[name]
    from_path = load(path)
    from_bytes = load(io.BytesIO(path.read_bytes()), filename=name)
    pd.testing.assert_frame_equal(from_path.accounts, from_bytes.accounts)
    assert from_path.report.to_dict() == from_bytes.report.to_dict()
    assert load(str(path)).mapping == from_path.mapping
