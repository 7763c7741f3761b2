"""A CRM export with a market segment column, written the way Salesforce writes a CSV export.

The accounts come from Tierwise's realistic generator; the CRM's own headers, its
"Segment" picklist (SMB / Mid-Market / Enterprise, set from employee count as sales ops do)
and a "Region" picklist are what a report export holds.
"""

from __future__ import annotations

import csv
import io

import numpy as np

import segmentation as seg

SEGMENTS = ("SMB", "Mid-Market", "Enterprise")
HEADERS = {
    "account_id": "Account ID",
    "account_name": "Account Name",
    "arr": "ARR",
    "potential_arr": "Potential ARR",
    "plan": "Plan",
    "industry": "Industry",
    "employees": "Employees",
    "country": "Billing Country",
    "health_score": "Health Score",
    "nps": "NPS",
    "active_users": "Active Users",
    "licensed_seats": "Licensed Seats",
    "support_tickets": "Support Tickets",
    "renewal_date": "Renewal Date",
    "strategic_account": "Strategic Account",
    "csm": "Account Owner",
}
REGIONS = {"US": "AMER", "CA": "AMER", "BR": "AMER", "DE": "EMEA", "GB": "EMEA", "FR": "EMEA"}


def segment_of(employees: np.ndarray) -> np.ndarray:
    return np.select([employees < 100, employees < 500], list(SEGMENTS[:2]), SEGMENTS[2])


def crm_export(rows: int = 400, seed: int = 15) -> bytes:
    """The CSV bytes: CRLF lines, quoted where needed, booleans as the CRM's true/false."""
    accounts = seg.generate_accounts(rows, seed=seed)
    frame = accounts[list(HEADERS)].rename(columns=HEADERS)
    frame["Renewal Date"] = accounts["renewal_date"].dt.strftime("%m/%d/%Y")
    frame["Strategic Account"] = np.where(accounts["strategic_account"], "true", "false")
    frame["Segment"] = segment_of(accounts["employees"].to_numpy())
    frame["Region"] = [REGIONS.get(c, "APAC") for c in accounts["country"]]
    out = io.StringIO()
    frame.to_csv(out, index=False, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    return out.getvalue().encode("utf-8")


def load_crm_export(rows: int = 400, seed: int = 15) -> seg.Book:
    return seg.load(io.BytesIO(crm_export(rows, seed)), filename="Accounts_Report.csv")
