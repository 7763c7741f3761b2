"""Real-shaped account books, written the way the tools that produce them write them.

Each builder returns the file's bytes and the values it put in, so that the tests compare what
the loader read with what the tool wrote. Run ``python tests/realbooks/books.py OUT_DIR`` to
look at the files.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import sys
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import openpyxl

ROWS = 40
SEGMENTS = ("SMB", "Mid-Market", "Enterprise")
TIERS = ("Tier 1", "Tier 2", "Tier 3")
OPPORTUNITY_STAGES = (
    "Prospecting",
    "Qualification",
    "Needs Analysis",
    "Proposal/Price Quote",
    "Negotiation/Review",
    "Closed Won",
    "Closed Lost",
)
SF_FOOTER = (
    "Grand Totals ({n} records)",
    "Confidential Information - Do Not Distribute",
    "Copyright (c) 2000-2026 salesforce.com, inc. All rights reserved.",
)


@dataclass
class Built:
    """A file and the truth behind it: the values the producing tool wrote, by header."""

    name: str
    data: bytes
    truth: dict[str, list] = field(default_factory=dict)
    path: Path | None = None  # where build_all() wrote it


def _rng(seed: int) -> np.random.Generator:
    return np.random.default_rng(seed)


def _csv(header: list[str], rows: list[list], newline: str = "\n") -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=newline)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def _pick(rng: np.random.Generator, options: tuple, n: int = ROWS) -> list:
    return [options[i] for i in rng.integers(0, len(options), n)]


def warehouse_extract() -> Built:
    """A product-usage extract unloaded from the warehouse (dbt model, Snowflake-style CSV)."""
    rng = _rng(11)
    n = ROWS
    mrr = np.round(rng.lognormal(7, 1, n), 2)
    since = [dt.datetime(2019, 1, 1) + dt.timedelta(days=int(d)) for d in rng.integers(0, 2000, n)]
    rows = []
    for i in range(n):
        rows.append(
            [
                f"0018c00002{i:08d}",
                f"Account {i:02d}",
                ["starter", "growth", "enterprise"][i % 3],
                f"{mrr[i]:.2f}",
                f"{mrr[i] * (i % 30 + 1):.2f}",
                int(rng.integers(5, 500)),
                int(rng.integers(1, 400)),
                int(rng.integers(0, 20_000)),
                f"{rng.uniform(0, 100):.1f}",
                f"{rng.uniform(1, 5):.2f}",
                f"{rng.uniform(0, 12):.1f}",
                int(rng.integers(0, 4)),
                since[i].strftime("%Y-%m-%d %H:%M:%S.000"),
                "true" if i % 4 else "false",
                SEGMENTS[i % 3],
                (since[i] - dt.timedelta(days=30)).strftime("%Y-%m-%d %H:%M:%S.000"),
                "2026-11-30 04:12:55.000",
            ]
        )
    header = [
        "account_id",
        "account_name",
        "plan_tier",
        "mrr_usd",
        "lifetime_billed_amount_usd",
        "seats_purchased",
        "weekly_active_users",
        "events_30d",
        "product_usage_score",
        "avg_csat_90d",
        "tickets_per_month",
        "escalations_90d",
        "customer_since_ts",
        "auto_renew",
        "market_segment",
        "created_at",
        "_loaded_at",
    ]
    data = _csv(header, rows).encode("utf-8")
    return Built(
        "warehouse_extract.csv",
        data,
        {"mrr_usd": mrr.tolist(), "customer_since_ts": [d.date() for d in since]},
    )


def crm_report() -> Built:
    """A Salesforce report relabelled by CS ops, exported formatted: title rows, the footer."""
    rng = _rng(12)
    n = ROWS
    arr = (rng.integers(10, 900, n) * 100).astype(float)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "CS Book of Business"
    sheet.append(["Customer Success - Book of Business"])
    sheet.append(["As of 11/30/2026"])
    sheet.append([])
    header = [
        "Account Name",
        "Account ID (18)",
        "Subscription ARR (USD)",
        "Annual Revenue",
        "Employees",
        "Industry",
        "Billing Country",
        "Customer Segment",
        "Tier",
        "Health_Score__c",
        "Last NPS",
        "CSAT (Avg)",
        "Open Escalations",
        "Customer Since",
        "Contract Term (Months)",
        "Auto-Renew",
        "CSM",
        "Churn_Risk__c",
    ]
    sheet.append(header)
    for i in range(n):
        sheet.append(
            [
                f"Customer {i:02d} Inc.",
                f"0015g00000{i:08d}AAA",
                arr[i],
                float(rng.integers(1, 500)) * 1e6,
                int(rng.integers(20, 20_000)),
                ["Software", "Retail", "Healthcare"][i % 3],
                ["US", "DE", "GB"][i % 3],
                SEGMENTS[i % 3],
                TIERS[(i + 1) % 3],
                int(rng.integers(20, 100)),
                int(rng.integers(0, 11)),
                round(float(rng.uniform(1, 5)), 1),
                int(rng.integers(0, 3)),
                dt.date(2018, 1, 1) + dt.timedelta(days=int(rng.integers(0, 2500))),
                [12, 24, 36][i % 3],
                "Yes" if i % 2 else "No",
                ["Dana Reyes", "Lee Park"][i % 2],
                ["Low", "Medium", "High"][i % 3],
            ]
        )
    sheet.append([])
    for line in SF_FOOTER:
        sheet.append([line.format(n=n)])
    out = io.BytesIO()
    book.save(out)
    return Built("crm_report.xlsx", out.getvalue(), {"Subscription ARR (USD)": arr.tolist()})


def telecom_workbook() -> Built:
    """A telecom customer workbook (the IBM Telco churn layout), saved from Excel."""
    rng = _rng(13)
    n = ROWS
    tenure = rng.integers(0, 72, n)
    monthly = np.round(rng.uniform(18.25, 118.75, n), 2)
    header = [
        "customerID",
        "gender",
        "SeniorCitizen",
        "Partner",
        "Dependents",
        "tenure",
        "PhoneService",
        "InternetService",
        "TechSupport",
        "Contract",
        "PaperlessBilling",
        "PaymentMethod",
        "MonthlyCharges",
        "TotalCharges",
        "Churn",
    ]
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Telco-Customer-Churn"
    sheet.append(header)
    for i in range(n):
        sheet.append(
            [
                f"{7590 + i}-VHVEG",
                ["Female", "Male"][i % 2],
                int(i % 5 == 0),
                ["Yes", "No"][i % 2],
                ["No", "Yes"][i % 3 == 0],
                int(tenure[i]),
                "Yes",
                ["DSL", "Fiber optic", "No"][i % 3],
                ["No", "Yes", "No internet service"][i % 3],
                ["Month-to-month", "One year", "Two year"][i % 3],
                ["Yes", "No"][i % 2],
                ["Electronic check", "Mailed check", "Bank transfer (automatic)"][i % 3],
                float(monthly[i]),
                # The real file holds the total as text, blank for accounts in their first month.
                " " if tenure[i] == 0 else f"{monthly[i] * tenure[i]:.2f}",
                ["No", "Yes"][i % 4 == 0],
            ]
        )
    out = io.BytesIO()
    book.save(out)
    return Built(
        "telecom_customers.xlsx",
        out.getvalue(),
        {"MonthlyCharges": monthly.tolist(), "tenure": tenure.astype(float).tolist()},
    )


def saas_billing() -> Built:
    """A SaaS billing table exported from the billing system (money as text, ISO dates)."""
    rng = _rng(14)
    n = ROWS
    mrr = (rng.integers(5, 2000, n) * 10).astype(float)
    plans = ("Starter (Monthly)", "Pro (Annual)", "Enterprise (Annual)")
    header = [
        "Customer ID",
        "Company",
        "Plan Tier",
        "Billing Frequency",
        "Seats",
        "MRR",
        "Customer Since",
        "Next Renewal",
        "Auto Renew",
        "Status",
    ]
    rows = [
        [
            f"cus_{i:010d}",
            f"Company {i:02d} Ltd",
            plans[i % 3],
            ["Monthly", "Annual", "Annual"][i % 3],
            int(rng.integers(1, 300)),
            f"${mrr[i]:,.2f}",
            (dt.date(2020, 1, 1) + dt.timedelta(days=int(rng.integers(0, 1800)))).isoformat(),
            (dt.date(2027, 1, 1) + dt.timedelta(days=int(rng.integers(0, 365)))).isoformat(),
            ["TRUE", "FALSE"][i % 5 == 0],
            ["active", "past_due"][i % 7 == 0],
        ]
        for i in range(n)
    ]
    return Built(
        "saas_billing.csv", _csv(header, rows, "\r\n").encode("utf-8"), {"MRR": mrr.tolist()}
    )


def pipeline_rollup() -> Built:
    """A sales-pipeline roll-up per account, exported from a Salesforce opportunity report."""
    rng = _rng(15)
    n = ROWS
    amount = (rng.integers(50, 5000, n) * 100).astype(float)
    header = [
        "Account Name",
        "Opportunity Owner",
        "Amount",
        "Stage",
        "Close Date",
        "Probability (%)",
        "Type",
    ]
    rows = [
        [
            f"Prospect {i:02d} Corp",
            ["Sam Diaz", "Ari Cohen"][i % 2],
            f"${amount[i]:,.2f}",
            OPPORTUNITY_STAGES[i % len(OPPORTUNITY_STAGES)],
            (dt.date(2026, 12, 1) + dt.timedelta(days=int(rng.integers(0, 180)))).strftime(
                "%m/%d/%Y"
            ),
            f"{[10, 20, 40, 60, 80, 100, 0][i % 7]}%",
            ["New Business", "Renewal", "Upsell"][i % 3],
        ]
        for i in range(n)
    ]
    lines = _csv(header, rows).rstrip("\n").split("\n")
    lines += ["", *(f'"{line.format(n=n)}"' for line in SF_FOOTER)]
    return Built(
        "pipeline_rollup.csv",
        ("\n".join(lines) + "\n").encode("utf-8"),
        {"Amount": amount.tolist()},
    )


BUILDERS = (warehouse_extract, crm_report, telecom_workbook, saas_billing, pipeline_rollup)


def build_all(folder: Path) -> dict[str, Built]:
    """Write every book into `folder`; returns them by file name."""
    books = {}
    for builder in BUILDERS:
        built = builder()
        built.path = folder / built.name
        built.path.write_bytes(built.data)
        books[built.name] = built
    return books


if __name__ == "__main__":  # pragma: no cover
    target = Path(sys.argv[1])
    target.mkdir(parents=True, exist_ok=True)
    for name in build_all(target):
        print(target / name)
