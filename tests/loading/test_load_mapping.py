"""Header aliases -> canonical columns, and remap() with a user-edited mapping."""

from __future__ import annotations

import pytest

from segmentation.columns import CANONICAL_NAMES
from segmentation.errors import InputError
from segmentation.loading import HEADER_ALIASES, auto_map, load, remap


@pytest.mark.parametrize(
    ("header", "canonical"),
    [
        ("Account ID", "account_id"),
        ("Account 18 Digit ID", "account_id"),
        ("Record ID", "account_id"),
        ("Company ID", "account_id"),
        ("account_name", "account_name"),
        ("Company name", "account_name"),
        ("ARR", "arr"),
        ("Annual Recurring Revenue", "arr"),
        ("Current ARR", "arr"),
        ("ARR (USD)", "arr"),
        ("MRR", "mrr"),
        ("Monthly Recurring Revenue", "mrr"),
        ("Potential ARR", "potential_arr"),
        ("Account Potential", "potential_arr"),
        ("Total Addressable ARR", "potential_arr"),
        ("Plan", "plan"),
        ("Edition", "plan"),
        ("Industry", "industry"),
        ("Account: Industry", "industry"),
        ("Employees", "employees"),
        ("No. of Employees", "employees"),
        ("Number of Employees", "employees"),
        ("Annual Revenue", "company_revenue"),
        ("Billing Country", "country"),
        ("Country", "country"),
        ("Region", "country"),
        ("Health Score", "health_score"),
        ("Overall Score", "health_score"),
        ("NPS", "nps"),
        ("NPS Score", "nps"),
        ("Likelihood to recommend", "nps"),
        ("Active Users", "active_users"),
        ("Licensed Seats", "licensed_seats"),
        ("Seats", "licensed_seats"),
        ("Licenses", "licensed_seats"),
        ("Support Tickets", "support_tickets"),
        ("Open Cases", "support_tickets"),
        ("Cases (Last 90 Days)", "support_tickets"),
        ("Integrations", "integrations"),
        ("Products", "products"),
        ("Renewal Date", "renewal_date"),
        ("Contract End Date", "renewal_date"),
        ("Next Renewal", "renewal_date"),
        ("Referenceable", "referenceable"),
        ("Reference Account", "referenceable"),
        ("Strategic", "strategic_account"),
        ("Strategic Account", "strategic_account"),
        ("Lifecycle Stage", "lifecycle_stage"),
        ("Stage", "lifecycle_stage"),
        ("CSM", "csm"),
        ("Customer Success Manager", "csm"),
        ("Account Owner", "csm"),
        ("Previous Tier", "previous_tier"),
        ("Current Tier", "previous_tier"),
        ("Tier", "previous_tier"),
        ("Segment", "previous_tier"),
        ("  health   SCORE ", "health_score"),
        ("health-score", "health_score"),
    ],
)
def test_known_headers_are_recognised(header: str, canonical: str) -> None:
    assert auto_map([header]) == {canonical: header}


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        (["Annual Revenue", "ARR"], {"arr": "ARR", "company_revenue": "Annual Revenue"}),
        (["Annual Revenue"], {"company_revenue": "Annual Revenue"}),  # never ARR
        (["Region", "Billing Country"], {"country": "Billing Country"}),
        (["Account Owner", "CSM"], {"csm": "CSM"}),
        (["Tier", "Plan"], {"plan": "Plan", "previous_tier": "Tier"}),
        (["Notes", "Foo"], {}),
    ],
)
def test_best_alias_wins(headers, expected) -> None:
    assert auto_map(headers) == expected


def test_aliases_cover_every_canonical_column() -> None:
    assert set(HEADER_ALIASES) == set(CANONICAL_NAMES)


def test_remap_rederives_columns(fixtures) -> None:
    book = load(fixtures["salesforce_report.csv"])
    edited = dict(book.mapping, arr=None, potential_arr="ARR", csm=None)
    again = remap(book, edited)
    assert "arr" not in again.accounts and "csm" not in again.accounts
    assert again.accounts["potential_arr"].tolist() == [120_000.0, 60_000.0, 30_000.0]
    assert again.mapping["potential_arr"] == "ARR"
    assert again.report.mapping == again.mapping
    assert again.report.rows_skipped == book.report.rows_skipped
    assert list(again.raw.columns) == list(book.raw.columns)
    assert book.accounts["arr"].tolist() == [120_000.0, 60_000.0, 30_000.0]  # unchanged


def test_remap_keeps_excel_facts(fixtures) -> None:
    book = load(fixtures["workbook.xlsx"])
    again = remap(book, dict(book.mapping, nps="Health Score"))
    assert again.accounts["nps"].tolist()[:2] == [80.0, 85.0]
    assert again.accounts["input_issues"].tolist() == book.accounts["input_issues"].tolist()


@pytest.mark.parametrize(
    ("mapping", "message"),
    [
        ({"account_id": "Nope"}, "has no column 'Nope'"),
        ({"bogus": "ARR"}, "'bogus' is not a column"),
        ({"arr": "ARR"}, "no account id or name column"),
    ],
)
def test_remap_refuses_bad_mappings(fixtures, mapping, message) -> None:
    book = load(fixtures["salesforce_report.csv"])
    with pytest.raises(InputError, match=message):
        remap(book, mapping)
