"""Header aliases: which input headers feed which canonical column.

Headers are compared case-, space- and punctuation-insensitively ("No. of Employees" ==
"no of employees").  Aliases are listed best first: when two headers match one canonical
column, the header matching the earlier alias wins; each header feeds at most one column.

Decisions worth knowing:

* "Annual Revenue" (Salesforce, HubSpot) is the customer's own revenue -> company_revenue,
  never arr.
* "Tier", "Current Tier" and "Segment" are the tier the account has today -> previous_tier
  (the tier given last period); "Tier" is never plan.
* "Region" feeds country only when there is no country column.
* "Account Owner" feeds csm only when there is no CSM column (in many CRMs it is the AE).
"""

from __future__ import annotations

import re

HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "account_id": (
        "Account ID",
        "Account 18 Digit ID",
        "Account ID (18)",
        "Account ID 18",
        "18 Digit Account ID",
        "Account ID (15)",
        "Account Number",
        "Account No",
        "Account #",
        "SFDC Account ID",
        "Salesforce Account ID",
        "Salesforce ID",
        "SFDC ID",
        "CRM ID",
        "Record ID",
        "Company ID",
        "Customer ID",
        "Customer Number",
        "Client ID",
        "GSID",
        "Company GSID",
        "ID",
        "Id",
    ),
    "account_name": (
        "Account Name",
        "Account",
        "Company name",
        "Company",
        "Customer Name",
        "Customer",
        "Client Name",
        "Client",
        "Organization Name",
        "Organisation Name",
        "Organization",
        "Name",
    ),
    "arr": (
        "ARR",
        "Annual Recurring Revenue",
        "Current ARR",
        "ARR (USD)",
        "Total ARR",
        "Account ARR",
        "Contract ARR",
        "Subscription ARR",
        "Annual Contract Value",
        "ACV",
    ),
    "mrr": ("MRR", "Monthly Recurring Revenue", "Current MRR", "Total MRR"),
    "potential_arr": (
        "Potential ARR",
        "Account Potential",
        "Total Addressable ARR",
        "Addressable ARR",
        "ARR Potential",
        "Expansion Potential",
        "Whitespace",
        "White Space",
        "TAM",
        "Potential",
    ),
    "plan": ("Plan", "Edition", "Product Edition", "Subscription Plan", "Pricing Plan", "Package"),
    "industry": ("Industry", "Vertical", "Sector", "Industry Vertical"),
    "employees": (
        "Employees",
        "No. of Employees",
        "Number of Employees",
        "Employee Count",
        "Company Size",
        "Headcount",
        "Head Count",
        "FTEs",
    ),
    "company_revenue": (
        "Annual Revenue",
        "Company Revenue",
        "Company Annual Revenue",
        "Customer Revenue",
        "Revenue (Company)",
    ),
    "country": (
        "Billing Country",
        "Country",
        "Country/Region",
        "Country Code",
        "Billing Country Code",
        "Shipping Country",
        "Mailing Country",
        "HQ Country",
        "Region",
    ),
    "health_score": (
        "Health Score",
        "Customer Health Score",
        "Overall Score",
        "Health",
        "Overall Health",
        "CS Health Score",
        "Account Health",
    ),
    "nps": (
        "NPS",
        "NPS Score",
        "Likelihood to recommend",
        "Latest NPS",
        "NPS Rating",
        "Net Promoter Score",
    ),
    "active_users": (
        "Active Users",
        "Monthly Active Users",
        "MAU",
        "Active Seats",
        "Users Active",
        "Weekly Active Users",
        "WAU",
    ),
    "licensed_seats": (
        "Licensed Seats",
        "Seats",
        "Licenses",
        "Licences",
        "Purchased Seats",
        "Seats Purchased",
        "Paid Seats",
        "Number of Licenses",
    ),
    "support_tickets": (
        "Support Tickets",
        "Open Cases",
        "Cases (Last 90 Days)",
        "Cases",
        "Tickets",
        "Number of Cases",
        "Support Cases",
        "Open Tickets",
    ),
    "integrations": ("Integrations", "Active Integrations", "Number of Integrations", "Connectors"),
    "products": ("Products", "Products Owned", "Number of Products", "Product Count", "Modules"),
    "renewal_date": (
        "Renewal Date",
        "Contract End Date",
        "Next Renewal",
        "Next Renewal Date",
        "Contract Renewal Date",
        "Subscription End Date",
        "End Date",
    ),
    "referenceable": (
        "Referenceable",
        "Reference Account",
        "Reference",
        "Reference Customer",
        "Case Study",
    ),
    "strategic_account": ("Strategic", "Strategic Account", "Is Strategic", "Key Account"),
    "lifecycle_stage": (
        "Lifecycle Stage",
        "Stage",
        "Customer Stage",
        "Journey Stage",
        "Customer Lifecycle Stage",
        "Lifecycle",
    ),
    "csm": (
        "CSM",
        "Customer Success Manager",
        "CSM Name",
        "Success Manager",
        "Account Manager",
        "Account Owner",
        "Owner",
    ),
    "previous_tier": (
        "Previous Tier",
        "Current Tier",
        "Tier",
        "Service Tier",
        "Customer Tier",
        "Segment",
        "Customer Segment",
    ),
}


def normalise_header(header: object) -> str:
    """Lower-case letters and digits only: "No. of Employees" -> "noofemployees"."""
    text = str(header).lower().replace("&", "and").replace("#", "number")
    return re.sub(r"[^0-9a-z]+", "", text)


def _variants(header: str) -> list[str]:
    """The normalised header, then without "(...)" parts, then without an owner prefix."""
    out = [normalise_header(header)]
    bare = normalise_header(re.sub(r"\([^)]*\)|\[[^\]]*\]", " ", header))
    if bare and bare not in out:
        out.append(bare)
    for prefix in ("account", "company", "customer"):
        for key in list(out):
            if key.startswith(prefix) and len(key) > len(prefix) + 1:
                stripped = key[len(prefix) :]
                if stripped not in out:
                    out.append(stripped)
    return out


_ALIAS_RANK: dict[str, tuple[str, int]] = {}
for _canonical, _aliases in HEADER_ALIASES.items():
    for _rank, _alias in enumerate(_aliases):
        _ALIAS_RANK.setdefault(normalise_header(_alias), (_canonical, _rank))


def auto_map(headers: list[str]) -> dict[str, str]:
    """Map canonical column -> input header, for the headers that match a known alias."""
    candidates: list[tuple[int, int, int, str, str]] = []
    for position, header in enumerate(headers):
        for level, key in enumerate(_variants(str(header))):
            if key in _ALIAS_RANK:
                canonical, rank = _ALIAS_RANK[key]
                candidates.append((level, rank, position, canonical, header))
                break
    mapping: dict[str, str] = {}
    used: set[str] = set()
    for _level, _rank, _position, canonical, header in sorted(candidates):
        if canonical in mapping or header in used:
            continue
        mapping[canonical] = header
        used.add(header)
    return {name: mapping[name] for name in HEADER_ALIASES if name in mapping}
