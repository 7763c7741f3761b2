"""Real-shaped books: the exact mapping, the confidence of each match, ARR, and the CLI's words."""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path

import pytest

import segmentation as seg
from tests.test_cli import run as run_cli  # the one CLI runner

ROOT = Path(__file__).resolve().parents[2]

# canonical -> (header, confidence): every automatic match of each book, nothing more.
EXPECTED: dict[str, dict[str, tuple[str, str]]] = {
    "warehouse_extract.csv": {
        "account_id": ("account_id", "exact"),
        "account_name": ("account_name", "exact"),
        "mrr": ("mrr_usd", "exact"),
        "plan": ("plan_tier", "exact"),
        "active_users": ("weekly_active_users", "exact"),
        "licensed_seats": ("seats_purchased", "exact"),
        "support_tickets": ("tickets_per_month", "strong"),
        "usage_score": ("product_usage_score", "exact"),
        "usage_events": ("events_30d", "strong"),
        "csat": ("avg_csat_90d", "strong"),
        "customer_since": ("customer_since_ts", "strong"),
        "auto_renew": ("auto_renew", "exact"),
        "escalations": ("escalations_90d", "strong"),
        "market_segment": ("market_segment", "exact"),
    },
    "crm_report.xlsx": {
        "account_id": ("Account ID (18)", "exact"),
        "account_name": ("Account Name", "exact"),
        "arr": ("Subscription ARR (USD)", "exact"),
        "industry": ("Industry", "exact"),
        "employees": ("Employees", "exact"),
        "company_revenue": ("Annual Revenue", "exact"),
        "country": ("Billing Country", "exact"),
        "health_score": ("Health_Score__c", "exact"),
        "nps": ("Last NPS", "strong"),
        "csm": ("CSM", "exact"),
        "previous_tier": ("Tier", "exact"),
        "csat": ("CSAT (Avg)", "exact"),
        "customer_since": ("Customer Since", "exact"),
        "contract_term": ("Contract Term (Months)", "exact"),
        "auto_renew": ("Auto-Renew", "exact"),
        "escalations": ("Open Escalations", "exact"),
        "market_segment": ("Customer Segment", "strong"),
    },
    "telecom_customers.xlsx": {
        "account_id": ("customerID", "exact"),
        "mrr": ("MonthlyCharges", "strong"),
        "tenure_months": ("tenure", "exact"),
        "contract_term": ("Contract", "strong"),
    },
    "saas_billing.csv": {
        "account_id": ("Customer ID", "exact"),
        "account_name": ("Company", "exact"),
        "mrr": ("MRR", "exact"),
        "plan": ("Plan Tier", "exact"),
        "licensed_seats": ("Seats", "exact"),
        "renewal_date": ("Next Renewal", "exact"),
        "customer_since": ("Customer Since", "exact"),
        "contract_term": ("Billing Frequency", "exact"),
        "auto_renew": ("Auto Renew", "exact"),
    },
    "pipeline_rollup.csv": {
        "account_name": ("Account Name", "exact"),
        "arr": ("Amount", "weak"),
    },
}
# (file, header the ARR values come from, factor): 12 x a monthly column, else as written.
ARR_SOURCE = [
    ("warehouse_extract.csv", "mrr_usd", 12),
    ("crm_report.xlsx", "Subscription ARR (USD)", 1),
    ("telecom_customers.xlsx", "MonthlyCharges", 12),
    ("saas_billing.csv", "MRR", 12),
    ("pipeline_rollup.csv", "Amount", 1),
]
WARNINGS = {
    "pipeline_rollup.csv": [
        "warning: column 'Amount' matched to arr with low confidence (an amount with no "
        "period, taken as yearly); choose with --map arr=HEADER"
    ],
}
NOTES = {
    "warehouse_extract.csv": [
        "'lifetime_billed_amount_usd' was not used as arr: it looks like a lifetime or contract "
        "total, not revenue per year; map it as arr yourself if it is.",
        "ARR computed as MRR x 12 (from 'mrr_usd').",
    ],
    "telecom_customers.xlsx": [
        "'TotalCharges' was not used as arr: it looks like a lifetime or contract total, not "
        "revenue per year; map it as arr yourself if it is.",
        "ARR computed as MRR x 12 (from 'MonthlyCharges').",
    ],
    "saas_billing.csv": ["ARR computed as MRR x 12 (from 'MRR')."],
    "pipeline_rollup.csv": [
        "'Stage' was not used as lifecycle_stage: values look like opportunity stages "
        "(Prospecting, Qualification, Needs Analysis), a sales pipeline's stages, not the "
        "customer's lifecycle; map it as lifecycle_stage yourself if it is."
    ],
}


def load(books, name: str) -> seg.Book:
    return seg.load(books[name].path)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_book_maps_exactly_as_expected(books, name) -> None:
    book = load(books, name)
    expected = EXPECTED[name]
    assert book.mapping == {c: header for c, (header, _) in expected.items()}
    assert {m.canonical: (m.header, m.confidence) for m in book.report.matches} == expected
    assert list(book.mapping) == [m.canonical for m in book.report.matches]


@pytest.mark.parametrize(("name", "header", "factor"), ARR_SOURCE)
def test_arr_is_twelve_times_a_monthly_column(books, name, header, factor) -> None:
    arr = load(books, name).accounts["arr"]
    written = books[name].truth[header]
    assert arr.tolist() == pytest.approx([factor * v for v in written])


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_decisions_are_said_in_the_report(books, name) -> None:
    report = load(books, name).report
    for note in NOTES.get(name, []):
        assert note in report.notes
    lines = report.summary_lines()
    checks = [line for line in lines if line.startswith("Check: ")]
    assert checks == [
        f"Check: {w.removeprefix('warning: ').split('; choose')[0]}."
        for w in WARNINGS.get(name, [])
    ]


def test_the_telecom_book_reads_tenure_and_terms(books) -> None:
    accounts = load(books, "telecom_customers.xlsx").accounts
    assert accounts["tenure_months"].tolist() == books["telecom_customers.xlsx"].truth["tenure"]
    assert set(accounts["contract_term"]) == {"Month-to-month", "One year", "Two year"}
    assert "TotalCharges" in accounts and "arr" in accounts


def test_the_crm_report_keeps_segment_and_tier_apart(books) -> None:
    accounts = load(books, "crm_report.xlsx").accounts
    assert set(accounts["market_segment"]) == {"SMB", "Mid-Market", "Enterprise"}
    assert set(accounts["previous_tier"]) == {"Tier 1", "Tier 2", "Tier 3"}
    assert accounts["company_revenue"].min() >= 1e6  # the customer's revenue, not ARR


def test_the_warehouse_timestamps_are_customer_since_dates(books) -> None:
    built = books["warehouse_extract.csv"]
    since = load(books, "warehouse_extract.csv").accounts["customer_since"]
    assert [d.date() for d in since] == built.truth["customer_since_ts"]
    assert isinstance(built.truth["customer_since_ts"][0], dt.date)


def test_pipeline_stage_is_not_the_lifecycle(books) -> None:
    accounts = load(books, "pipeline_rollup.csv").accounts
    assert "lifecycle_stage" not in accounts
    assert "Stage" in accounts  # kept as the input's own column


# --- the command line -------------------------------------------------------------------------


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return run_cli(*args, cwd=cwd, timeout=120)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_the_cli_warns_of_each_low_confidence_match(books, name, tmp_path) -> None:
    done = run(
        "score", str(books[name].path), "--out", "out.csv", "--as-of", "2026-11-30", cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    warnings = [line for line in done.stderr.splitlines() if line.startswith("warning: column ")]
    assert warnings == WARNINGS.get(name, [])
    assert (tmp_path / "out.csv").is_file()


@pytest.mark.parametrize(
    ("maps", "arr_header"),
    [
        (["--map", "arr=Amount"], "Amount"),  # confirmed: manual, no warning
        (["--map", "arr="], None),  # left unmapped
        (["--map", "arr=Probability (%)"], "Probability (%)"),
    ],
)
def test_map_overrides_the_match_and_silences_its_warning(
    books, tmp_path, maps, arr_header
) -> None:
    done = run(
        "score", str(books["pipeline_rollup.csv"].path), "--out", "out.csv", *maps, cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    assert "warning: column 'Amount'" not in done.stderr
    book = seg.load(books["pipeline_rollup.csv"].path, mapping={"arr": arr_header})
    assert book.mapping.get("arr") == arr_header


@pytest.mark.parametrize(
    ("option", "named"),
    [
        ("bogus=Amount", "'bogus' is not a column Tierwise knows"),
        ("arr=Net Amount", "no column 'Net Amount' to use as arr"),
        ("arr", "--map 'arr': give it as canonical=Header"),
    ],
)
def test_a_bad_map_is_one_error_line(books, tmp_path, option, named) -> None:
    done = run(
        "score",
        str(books["pipeline_rollup.csv"].path),
        "--out",
        "out.csv",
        "--map",
        option,
        cwd=tmp_path,
    )
    assert done.returncode == 2
    lines = done.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and named in lines[0], lines
    assert not (tmp_path / "out.csv").exists()


def test_mapping_a_passed_over_header_drops_its_note(books) -> None:
    book = load(books, "telecom_customers.xlsx")
    again = seg.remap(book, {**book.mapping, "arr": "TotalCharges"})
    assert not any(n.startswith("'TotalCharges' was not used") for n in again.report.notes)
    assert any(n.startswith("'TotalCharges' was not used") for n in book.report.notes)
    matches = {m.canonical: m for m in again.report.matches}
    assert matches["arr"] == seg.loading.Match("arr", "TotalCharges", "manual", "given by the user")
    assert matches["mrr"] == next(m for m in book.report.matches if m.canonical == "mrr")
