"""Column recognition by meaning: header words, values, confidence, overrides."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import segmentation as seg
from segmentation.cli import main
from segmentation.loading.mapping import (
    HEADER_ALIASES,
    auto_map,
    match_columns,
    matches_for,
    value_kind,
)


@pytest.mark.parametrize(
    ("header", "canonical", "confidence"),
    [
        # money and periods
        ("mrr_usd", "mrr", "exact"),
        ("MonthlyCharges", "mrr", "strong"),
        ("monthly_fee", "mrr", "strong"),
        ("Monthly Revenue", "mrr", "strong"),
        ("monthly_amount", "mrr", "strong"),
        ("Fee per Month", "mrr", "strong"),
        ("arr_usd", "arr", "exact"),
        ("current_arr_amount", "arr", "strong"),
        ("annual_contract_amount", "arr", "strong"),
        ("Yearly Subscription Fee", "arr", "strong"),
        ("ACV (EUR)", "arr", "exact"),
        ("Amount", "arr", "weak"),
        ("contract_amount_usd", "arr", "weak"),
        ("Revenue", "arr", "weak"),
        ("AnnualRevenue", "company_revenue", "exact"),
        ("Annual Revenue (USD)", "company_revenue", "exact"),
        # the new columns
        ("product_usage_score", "usage_score", "exact"),
        ("Adoption Score", "usage_score", "exact"),
        ("events_30d", "usage_events", "strong"),
        ("Logins (30d)", "usage_events", "exact"),
        ("api_calls_last_30_days", "usage_events", "strong"),
        ("avg_csat_90d", "csat", "strong"),
        ("CSAT__c", "csat", "exact"),
        ("Customer Satisfaction (Avg)", "csat", "exact"),
        ("customer_since_ts", "customer_since", "strong"),
        ("Contract Start Date", "customer_since", "exact"),
        ("tenure", "tenure_months", "exact"),
        ("TenureMonths", "tenure_months", "exact"),
        ("Contract Length", "contract_term", "exact"),
        ("billing_frequency", "contract_term", "exact"),
        ("Auto-Renew", "auto_renew", "exact"),
        ("is_auto_renewal", "auto_renew", "strong"),
        ("Evergreen", "auto_renew", "exact"),
        ("escalations_90d", "escalations", "strong"),
        ("Open Escalations", "escalations", "exact"),
        ("Market Segment", "market_segment", "exact"),
        ("sales_segment", "market_segment", "exact"),
        # CRM and warehouse spellings of the first columns
        ("Health_Score__c", "health_score", "exact"),
        ("tickets_per_month", "support_tickets", "strong"),
        ("seats_purchased", "licensed_seats", "exact"),
        ("Plan Type", "plan", "exact"),
        ("subscription_tier", "plan", "strong"),
        ("tickets_last_90_days", "support_tickets", "strong"),
        ("Logins per Week", "usage_events", "strong"),
        ("Seats Used", "active_users", "strong"),
        ("Tenure (Months)", "tenure_months", "exact"),
    ],
)
def test_headers_are_recognised_by_meaning(header, canonical, confidence) -> None:
    result = match_columns([header])
    assert result.mapping == {canonical: header}
    assert [(m.canonical, m.confidence) for m in result.matches] == [(canonical, confidence)]


@pytest.mark.parametrize(
    "header",
    [
        "TotalCharges",  # lifetime total: not ARR
        "total_amount",
        "lifetime_billed_amount_usd",
        "Customer LTV",
        "ARR Growth %",  # a change, not the figure
        "Prior ARR",
        "mrr_churned",
        "PaperlessBilling",
        "PaymentMethod",
        "Net Amount",  # unknown qualifier on a generic word
        "Close Date",
        "Opportunity Owner",
        "Contract",  # says nothing without values
        "_loaded_at",
        "Tenure (Years)",  # the wrong unit for tenure_months
        "Account Age (days)",
        "Days to Renewal",  # a number, not the renewal date
        "Last Login Date",  # a date, not a count of logins
        "NPS Date",
        "Health Trend",
        "License Utilization %",
        "Price per Seat",
        "Account Type",
        "quarterly_fee",
    ],
)
def test_headers_that_are_not_a_canonical_column(header) -> None:
    assert auto_map([header]) == {}


def _table(**columns: list) -> pd.DataFrame:
    return pd.DataFrame({"Account Name": [f"A{i}" for i in range(5)], **columns})


@pytest.mark.parametrize(
    ("header", "values", "canonical", "confidence"),
    [
        ("Segment", ["SMB", "Mid-Market", "Enterprise", "SMB", "smb"], "market_segment", "strong"),
        ("Segment", ["Tier 1", "Tier 2", "Tier 3", "Tier 1", "T2"], "previous_tier", "exact"),
        ("Segment", ["North", "South", "East", "West", "North"], "market_segment", "weak"),
        ("Tier", ["Gold", "Silver", "Bronze", "Gold", "Platinum"], "previous_tier", "exact"),
        (
            "Tier",
            ["High-touch", "Mid-touch", "Low-touch", "Tech touch", "High touch"],
            "previous_tier",
            "exact",
        ),
        ("Tier", ["SMB", "Enterprise", "Mid Market", "SMB", "SMB"], "market_segment", "strong"),
        ("Tier", ["Starter", "Pro", "Enterprise (Annual)", "Pro", "Basic"], "plan", "strong"),
        ("Tier", ["North", "South", "East", "West", "North"], "previous_tier", "weak"),
        (
            "Contract",
            ["Month-to-month", "One year", "Two year", "One year", "1 yr"],
            "contract_term",
            "strong",
        ),
        ("Contract", [12, 24, 36, 12, 12], "contract_term", "strong"),
        (
            "Stage",
            ["Onboarding", "Adoption", "Renewal", "Adoption", "Expansion"],
            "lifecycle_stage",
            "exact",
        ),
    ],
)
def test_values_decide_where_the_header_says_little(header, values, canonical, confidence) -> None:
    result = match_columns(["Account Name", header], _table(**{header: values}))
    match = next(m for m in result.matches if m.header == header)
    assert (match.canonical, match.confidence) == (canonical, confidence)


@pytest.mark.parametrize(
    "values",
    [
        ["Prospecting", "Closed Won", "Negotiation/Review", "Qualification", "Closed Lost"],
        ["1 - Prospecting", "2 - Discovery", "5 - Closed Won", "3 - Proposal", "4 - Negotiation"],
    ],
)
def test_opportunity_stages_are_not_the_lifecycle(values) -> None:
    result = match_columns(["Account Name", "Stage"], _table(Stage=values))
    assert "lifecycle_stage" not in result.mapping
    assert len(result.notes) == 1 and result.notes[0].startswith("'Stage' was not used as")


@pytest.mark.parametrize(
    ("fitting", "kind"),
    [(5, None), (6, "tier"), (7, "tier")],  # of 10 values; the share needed is 0.6
)
def test_value_kind_needs_six_in_ten(fitting, kind) -> None:
    values = ["Tier 1"] * fitting + ["Northwest"] * (10 - fitting)
    assert value_kind(pd.Series(values)) == kind


def test_value_kind_of_an_empty_column_is_unknown() -> None:
    assert value_kind(pd.Series([None, None], dtype=object)) is None


STYLES = {
    "as is": lambda a: a,
    "snake": lambda a: re.sub(r"[^0-9a-z]+", "_", a.lower()).strip("_"),
    "camel": lambda a: "".join(w[:1].upper() + w[1:] for w in re.split(r"[^0-9A-Za-z]+", a)),
    "upper": str.upper,
    "unit": lambda a: f"{a} (USD)",
    "salesforce": lambda a: re.sub(r"[^0-9A-Za-z]+", "_", a).strip("_") + "__c",
}


@given(
    pair=st.sampled_from(
        [(c, a) for c, aliases in HEADER_ALIASES.items() for a in aliases if "#" not in a]
    ),
    style=st.sampled_from(sorted(STYLES)),
)
def test_every_alias_is_recognised_whatever_its_style(pair, style) -> None:
    canonical, alias = pair
    header = STYLES[style](alias)
    result = match_columns([header])
    assert result.mapping == {canonical: header}
    assert result.matches[0].confidence == "exact"


def test_two_equally_good_headers_are_ambiguous() -> None:
    result = match_columns(["Account Name", "Monthly Fee", "Monthly Charges"])
    match = next(m for m in result.matches if m.canonical == "mrr")
    assert match.header == "Monthly Fee" and match.alternatives == ("Monthly Charges",)
    assert match.ambiguous and match.needs_confirmation
    assert match.warning().startswith(
        "column 'Monthly Fee' matched to mrr, but 'Monthly Charges' fits as well"
    )


def test_a_better_alias_is_not_ambiguous() -> None:
    match = next(m for m in match_columns(["Current ARR", "ARR"]).matches)
    assert (match.header, match.alternatives, match.ambiguous) == ("ARR", ("Current ARR",), False)


def test_a_weak_arr_gives_way_to_twelve_times_a_clear_mrr() -> None:
    result = match_columns(["Account Name", "Amount", "monthly_fee"])
    assert result.mapping == {"account_name": "Account Name", "mrr": "monthly_fee"}
    assert result.notes == [
        "'Amount' was not used as arr: 12 x 'monthly_fee' (a monthly recurring column) is more "
        "certain; map it as arr yourself if it is."
    ]


# --- overrides --------------------------------------------------------------------------------

CSV = 'Account Name,Net Amount,Plan,Monthly Fee\nAcme,"1,200",Pro,100\nBeta,2400,Starter,200\n'


@pytest.fixture
def csv_path(tmp_path: Path) -> Path:
    path = tmp_path / "book.csv"
    path.write_text(CSV)
    return path


def test_load_takes_a_mapping_override(csv_path) -> None:
    book = seg.load(csv_path, mapping={"arr": "Net Amount", "plan": None})
    assert book.mapping == {
        "account_name": "Account Name",
        "arr": "Net Amount",
        "mrr": "Monthly Fee",
    }
    assert book.accounts["arr"].tolist() == [1200.0, 2400.0]  # given, not 12 x MRR
    assert "plan" not in book.accounts
    confidence = {m.canonical: m.confidence for m in book.report.matches}
    assert confidence == {"account_name": "exact", "arr": "manual", "mrr": "strong"}


def test_without_override_arr_is_twelve_times_the_monthly_fee(csv_path) -> None:
    book = seg.load(csv_path)
    assert book.accounts["arr"].tolist() == [1200.0, 2400.0]
    assert "ARR computed as MRR x 12 (from 'Monthly Fee')." in book.report.notes


@pytest.mark.parametrize(
    ("mapping", "message"),
    [
        ({"bogus": "Plan"}, "'bogus' is not a column Tierwise knows"),
        ({"arr": "Nope"}, "has no column 'Nope' to use as arr"),
    ],
)
def test_load_refuses_a_bad_override(csv_path, mapping, message) -> None:
    with pytest.raises(seg.InputError, match=message):
        seg.load(csv_path, mapping=mapping)


def test_remap_marks_what_the_user_changed_as_manual(csv_path) -> None:
    book = seg.load(csv_path)
    again = seg.remap(book, {**book.mapping, "arr": "Net Amount"})
    confidence = {m.canonical: m.confidence for m in again.report.matches}
    assert confidence == {
        "account_name": "exact",
        "arr": "manual",
        "mrr": "strong",
        "plan": "exact",
    }
    assert matches_for({}, book.report.matches) == []


def test_map_is_repeatable_on_the_command_line(csv_path, tmp_path, capsys) -> None:
    out = tmp_path / "out.csv"
    code = main(
        [
            "score",
            str(csv_path),
            "--out",
            str(out),
            "--map",
            "arr=Net Amount",
            "--map",
            "plan=",
            "--as-of",
            "2026-11-30",
        ]
    )
    assert code == 0, capsys.readouterr().err
    exported = pd.read_csv(out)
    assert exported["arr"].tolist() == [1200.0, 2400.0]
    assert "plan" not in exported.columns and "Plan" in exported.columns
