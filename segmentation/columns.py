"""The canonical account columns: the names the scoring model and the pages speak."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CanonicalColumn:
    name: str
    # "id" | "text" | "category" | "money" | "number" | "count" | "score" | "date" | "bool"
    kind: str
    label: str
    description: str


CANONICAL_COLUMNS: tuple[CanonicalColumn, ...] = (
    CanonicalColumn("account_id", "id", "Account ID", "Unique id of the account (kept as text)."),
    CanonicalColumn("account_name", "text", "Account name", "Customer name."),
    CanonicalColumn(
        "arr", "money", "ARR", "Annual recurring revenue (MRR x 12 when only MRR is given)."
    ),
    CanonicalColumn("mrr", "money", "MRR", "Monthly recurring revenue."),
    CanonicalColumn(
        "potential_arr", "money", "Potential ARR", "What the account could spend with you."
    ),
    CanonicalColumn("plan", "category", "Plan", "Plan or edition."),
    CanonicalColumn("industry", "category", "Industry", "Customer industry."),
    CanonicalColumn("employees", "count", "Employees", "Customer head-count."),
    CanonicalColumn(
        "company_revenue",
        "money",
        "Company revenue",
        "The customer's own annual revenue (a CRM's 'Annual Revenue').",
    ),
    CanonicalColumn("country", "category", "Country", "Country or region code."),
    CanonicalColumn("health_score", "score", "Health score", "Health score, 0-100."),
    CanonicalColumn("nps", "score", "NPS", "Latest NPS answer, 0-10."),
    CanonicalColumn("active_users", "count", "Active users", "Users active in the last period."),
    CanonicalColumn("licensed_seats", "count", "Licensed seats", "Seats paid for."),
    CanonicalColumn(
        "support_tickets", "count", "Support tickets", "Support tickets in the last period."
    ),
    CanonicalColumn("integrations", "count", "Integrations", "Integrations in use."),
    CanonicalColumn("products", "count", "Products", "Number of products owned."),
    CanonicalColumn("renewal_date", "date", "Renewal date", "Next renewal date."),
    CanonicalColumn("referenceable", "bool", "Referenceable", "Reference or case-study account."),
    CanonicalColumn(
        "strategic_account", "bool", "Strategic account", "Flagged as strategic (logo, brand)."
    ),
    CanonicalColumn(
        "lifecycle_stage",
        "category",
        "Lifecycle stage",
        "Onboarding, adoption, expansion, renewal...",
    ),
    CanonicalColumn("csm", "text", "CSM", "Owner (Customer Success Manager)."),
    CanonicalColumn("previous_tier", "category", "Previous tier", "Tier given last period."),
    CanonicalColumn(
        "usage_score", "score", "Usage score", "Product usage or adoption score, 0-100."
    ),
    CanonicalColumn(
        "usage_events",
        "count",
        "Usage events",
        "Product events in the last period (logins, sessions, API calls).",
    ),
    CanonicalColumn("csat", "score", "CSAT", "Customer satisfaction (CSAT) score or average."),
    CanonicalColumn(
        "customer_since", "date", "Customer since", "Date the account became a customer."
    ),
    CanonicalColumn("tenure_months", "number", "Tenure (months)", "Months as a customer."),
    CanonicalColumn(
        "contract_term",
        "category",
        "Contract term",
        "Commitment or billing frequency: monthly, annual, multi-year.",
    ),
    CanonicalColumn("auto_renew", "bool", "Auto-renew", "The contract renews automatically."),
    CanonicalColumn(
        "escalations", "count", "Escalations", "Escalated support cases in the last period."
    ),
    CanonicalColumn(
        "market_segment",
        "category",
        "Market segment",
        "Sales segment by company size: SMB, Mid-Market, Enterprise...",
    ),
)

CANONICAL_NAMES: tuple[str, ...] = tuple(c.name for c in CANONICAL_COLUMNS)
COLUMN_BY_NAME: dict[str, CanonicalColumn] = {c.name: c for c in CANONICAL_COLUMNS}

DERIVED_LABELS = {  # columns Tierwise derives (segmentation.rules.lenses), as a person says them
    "whitespace": "Whitespace",  # potential ARR minus ARR
    "adoption": "Adoption",  # active users / licensed seats
    "tenure": "Tenure",
    "days_to_renewal": "Days to renewal",
}


def column_label(name: str) -> str:
    """A column as the screens and the criteria name it: 'potential_arr' -> 'Potential ARR';
    a header from the book stays as it was written."""
    known = COLUMN_BY_NAME.get(name)
    return known.label if known is not None else DERIVED_LABELS.get(name, name)
