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
from segmentation.sample import to_crm_headers

SEGMENTS = ("SMB", "Mid-Market", "Enterprise")
REGIONS = {"US": "AMER", "CA": "AMER", "BR": "AMER", "DE": "EMEA", "GB": "EMEA", "FR": "EMEA"}


def segment_of(employees: np.ndarray) -> np.ndarray:
    return np.select([employees < 100, employees < 500], list(SEGMENTS[:2]), SEGMENTS[2])


def crm_export(rows: int = 400, seed: int = 15) -> bytes:
    """The CSV bytes: the CRM's headers, US dates and true/false as Salesforce writes them,
    CRLF lines, quoted where needed, and the Segment and Region picklists."""
    accounts = seg.generate_accounts(rows, seed=seed)
    frame = to_crm_headers(accounts.drop(columns=["previous_tier"]))
    frame["Renewal Date"] = accounts["renewal_date"].dt.strftime("%m/%d/%Y")
    frame["Strategic Account"] = np.where(accounts["strategic_account"], "true", "false")
    frame["Segment"] = segment_of(accounts["employees"].to_numpy())
    frame["Region"] = [REGIONS.get(c, "APAC") for c in accounts["country"]]
    out = io.StringIO()
    frame.to_csv(out, index=False, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    return out.getvalue().encode("utf-8")


def load_crm_export(rows: int = 400, seed: int = 15) -> seg.Book:
    return seg.load(io.BytesIO(crm_export(rows, seed)), filename="Accounts_Report.csv")
