"""Column recognition: which input header feeds which canonical column, by meaning.

A header is matched at one of three levels of confidence, best first:

* ``exact``: the header, compared case-, space- and punctuation-insensitively (also without
  "(...)" parts, unit words such as "USD", a Salesforce "__c" suffix or an "Account:" prefix),
  is one of the column's aliases (``HEADER_ALIASES``, listed best first).
* ``strong``: its words, normalised (snake_case, camelCase, CRM labels, plurals, synonyms such
  as "monthly"/"mo"/"per month"), hold one of the column's word patterns and nothing else that
  changes the meaning ("product_usage_score", "MonthlyCharges", "tenure", "avg_csat_90d"), or
  its values confirm a header that alone says little ("Contract" holding "One year").
* ``weak``: a generic header ("Amount", "Revenue"), a pattern with extra unknown words, or values
  that do not confirm the header. Weak matches are used, listed in the report and warned about
  by the command line, so that a person confirms or overrides them.

Each header feeds at most one column; each column takes its best header. Every automatic match
is a ``Match`` (confidence, reason, the other headers that could feed the column), kept on
``book.report.matches``; a mapping given by the user (``load(path, mapping=...)``, ``remap``,
``--map``) is ``manual``.

Money and periods, and what was chosen:

* A monthly money column ("MRR", "mrr_usd", "MonthlyCharges", "monthly fee", "monthly_amount",
  "Monthly Revenue") is ``mrr``; when no ARR column is mapped the loader derives ARR = 12 x MRR
  and the report says so. An annual one ("ARR", "annual_contract_amount", "ACV", "yearly fee")
  is ``arr``.
* A CRM's "Annual Revenue" is the customer company's own revenue (``company_revenue``), never ARR.
* Cumulative totals ("TotalCharges", "total_amount", "lifetime_billed_usd", "LTV", "TCV") are what
  an account paid or will pay over its whole life or contract, not what it pays per year: they
  are NOT ARR (dividing by tenure would guess), so they are left unmapped and the report names
  them. "Total ARR" / "Total MRR" are sums across products of a recurring figure, so they are.
* A bare money header without a period ("Amount", "contract_amount_usd", "Revenue") is ``arr``
  with weak confidence: in an account-level export it is most often the contract's yearly value,
  and a segmentation without revenue is not usable; the warning asks for a confirmation. Where a
  monthly column is matched with confidence, 12 x MRR is preferred to such a weak ARR.

Values decide where a header is ambiguous (a small sample, vectorised):

* ``previous_tier`` only where the values look like tiers ("Tier 1", "High-touch", "Gold"...).
  A "Segment" or "Tier" column holding SMB / Mid-Market / Enterprise is ``market_segment``; a
  "Tier" column holding Starter / Pro / Enterprise is ``plan``.
* A "Stage" whose values are opportunity stages (Prospecting, Negotiation, Closed Won...) is a
  sales pipeline's, not the customer's lifecycle: it is left unmapped and the report says so.
* "Contract" is ``contract_term`` only where its values are terms (Month-to-month, One year...).

Other decisions kept from the first version: "Region" feeds country only when there is no
country column; "Account Owner" feeds csm only when there is no CSM column.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace

import pandas as pd

from segmentation.columns import CANONICAL_COLUMNS, CANONICAL_NAMES, COLUMN_BY_NAME
from segmentation.errors import InputError
from segmentation.formats import money

CONFIDENCE_LEVELS = ("manual", "exact", "strong", "weak")
_SAMPLE_ROWS = 200

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
    "plan": (
        "Plan",
        "Edition",
        "Product Edition",
        "Subscription Plan",
        "Pricing Plan",
        "Package",
        "Plan Tier",
        "Plan Type",
        "Plan Name",
    ),
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
    "usage_score": (
        "Usage Score",
        "Product Usage Score",
        "Adoption Score",
        "Engagement Score",
        "Product Engagement Score",
    ),
    "usage_events": (
        "Usage Events",
        "Product Events",
        "Events",
        "Event Count",
        "Logins",
        "Sessions",
        "API Calls",
    ),
    "csat": (
        "CSAT",
        "CSAT Score",
        "Customer Satisfaction",
        "Satisfaction Score",
        "Avg CSAT",
        "Satisfaction",
    ),
    "customer_since": (
        "Customer Since",
        "Customer Start Date",
        "Start Date",
        "Contract Start Date",
        "Subscription Start Date",
        "First Purchase Date",
        "Signup Date",
    ),
    "tenure_months": ("Tenure", "Tenure (Months)", "Tenure Months", "Months as Customer"),
    "contract_term": (
        "Contract Term",
        "Contract Length",
        "Term",
        "Commitment",
        "Billing Frequency",
        "Billing Cycle",
        "Billing Period",
        "Subscription Term",
    ),
    "auto_renew": ("Auto Renew", "Auto-Renewal", "Auto Renewal", "Autorenew", "Evergreen"),
    "escalations": (
        "Escalations",
        "Open Escalations",
        "Number of Escalations",
        "Escalated Cases",
        "Exec Escalations",
    ),
    "market_segment": (
        "Market Segment",
        "Sales Segment",
        "Company Segment",
        "Size Segment",
        "Segment (Size)",
    ),
}

# --------------------------------------------------------------------------- words


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_UNITS = _words("usd eur gbp cad aud chf jpy inr sek nok dkk dollar currency c")
_FILLERS = _words(
    "the of in per a an for by to and on as is has flag yn type kind current latest actual"
    " overall avg average mean median rolling recent this count number num no nbr cnt qty pct"
    " percent last d"
)
# Word -> the concept word it stands for ("mo" -> month, "fee" -> money).
_SYNONYM_GROUPS: tuple[tuple[str, str], ...] = (
    ("month", "monthly month mo mth mthly permonth"),
    ("day", "day daily"),
    ("week", "week weekly wk"),
    ("quarter", "quarter quarterly qtr"),
    ("year", "annual annually annualized annualised yearly year yr pa"),
    ("revenue", "revenue rev"),
    ("money", "charge fee spend payment price"),
    ("amount", "amount amt value val"),
    ("total", "total lifetime cumulative ltd alltime todate sum"),
    ("ltv", "ltv clv cltv tcv"),
    ("potential", "potential addressable tam whitespace"),
    ("account", "account acct customer cust client company org organization"),
    ("account", "organisation tenant"),
    ("score", "score rating index grade"),
    ("csat", "csat satisfaction satisfied"),
    ("usage", "usage utilization utilisation adoption engagement"),
    ("event", "event login logon session action click pageview visit apicall"),
    ("seat", "seat license licence entitlement"),
    ("ticket", "ticket case incident"),
    ("escalation", "escalation escalated escalate"),
    ("renewal", "renewal renew renews renewing expiry expiration"),
    ("auto", "auto automatic"),
    ("date", "date dt at ts timestamp time"),
    ("start", "start started begin began signup signed joined onboarded"),
    ("term", "term commitment commit duration length"),
    ("frequency", "frequency cycle cadence interval period"),
    ("contract", "contract agreement"),
    ("segment", "segment segmentation"),
    ("tier", "tier touch"),
    ("previous", "previous prior prev former"),
    ("plan", "plan edition package sku bundle"),
    ("stage", "stage phase"),
    ("lifecycle", "lifecycle journey"),
    ("employee", "employee headcount fte staff"),
    ("integration", "integration connector"),
    ("product", "product module"),
)
_SYNONYMS: dict[str, str] = {
    **{word: to for to, words in _SYNONYM_GROUPS for word in words.split()},
    "autorenew": "auto renewal",
    "autorenewal": "auto renewal",
    "evergreen": "auto renewal",
}
_KEEP_PLURAL = _words("sales")


def _split_words(header: object) -> list[str]:
    """Raw lower-case words: snake_case, camelCase, "__c" suffixes and "(USD)" all split."""
    text = str(header).strip()
    text = re.sub(r"__c$", "", text, flags=re.I)
    text = re.sub(r"^[A-Za-z0-9]+__(?=\w)", "", text)  # a managed package's namespace
    text = text.replace("&", " and ").replace("#", " number ").replace("%", " percent ")
    text = text.replace("$", " usd ").replace("€", " eur ").replace("£", " gbp ")
    text = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", text)
    text = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1 \2", text)
    text = re.sub(r"([A-Za-z])(\d)", r"\1 \2", text)
    return [w for w in re.split(r"[^0-9a-z]+", text.lower()) if w]


def _singular(word: str) -> str:
    if word in _KEEP_PLURAL or len(word) <= 3 or not word.endswith("s") or word.endswith("ss"):
        return word
    return word[:-1]


@functools.lru_cache(maxsize=4096)
def header_tokens(header: str) -> frozenset[str]:
    """The meaningful words of a header, normalised: "MonthlyCharges" -> {month, money}."""
    words = [_singular(w) for w in _split_words(header)]
    joined = " ".join(words)
    joined = re.sub(r"\bapi calls?\b", "apicall", joined)
    joined = re.sub(r"\bsign(ed)? up\b", "signup", joined)
    joined = re.sub(r"\bwhite space\b", "whitespace", joined)
    joined = re.sub(r"\bauto ?renew(al)?\b", "autorenew", joined)
    tokens: set[str] = set()
    for word in joined.split():
        if word in _UNITS or word in _FILLERS or re.fullmatch(r"l?\d+[dwmqy]?|d\d+", word):
            continue
        tokens.update(_SYNONYMS.get(word, word).split())
    return frozenset(tokens)


def normalise_header(header: object) -> str:
    """Lower-case letters and digits only: "No. of Employees" -> "noofemployees"."""
    text = str(header).lower().replace("&", "and").replace("#", "number")
    return re.sub(r"[^0-9a-z]+", "", text)


def _variants(header: str) -> list[str]:
    """Keys compared with the aliases: as is, without units or "__c", without "(...)", without
    prefix (units go first, so "Segment (Size) (USD)" is still "Segment (Size)")."""
    out = [normalise_header(header)]

    def add(key: str) -> None:
        if key and key not in out:
            out.append(key)

    add("".join(w for w in _split_words(header) if w not in _UNITS))
    add(normalise_header(re.sub(r"\([^)]*\)|\[[^\]]*\]", " ", header)))
    for prefix in ("account", "company", "customer"):
        for key in list(out):
            if key.startswith(prefix) and len(key) > len(prefix) + 1:
                add(key[len(prefix) :])
    return out


_ALIAS_RANK: dict[str, tuple[str, int]] = {}
for _canonical, _aliases in HEADER_ALIASES.items():
    for _rank, _alias in enumerate(_aliases):
        _ALIAS_RANK.setdefault(normalise_header(_alias), (_canonical, _rank))

# --------------------------------------------------------------------------- patterns


@dataclass(frozen=True)
class Pattern:
    """Words a header must hold; `allow`: other words that do not weaken the match."""

    words: frozenset[str]
    confidence: str = "strong"  # "strong" | "weak"
    allow: frozenset[str] = frozenset()
    forbid: frozenset[str] = frozenset()
    needs_values: str | None = None  # the kind of values that must confirm this header
    why: str = ""  # plain words for the reason, where "header words ..." says too little


def _p(
    words: str,
    confidence: str = "strong",
    allow: str = "",
    forbid: str = "",
    needs: str | None = None,
    why: str = "",
) -> Pattern:
    return Pattern(
        frozenset(words.split()),
        confidence,
        frozenset(allow.split()),
        frozenset(forbid.split()),
        needs,
        why,
    )


# Words that change what a money or count column measures: never the column itself.
_CHANGERS = (
    "growth change delta diff expansion churn churned contraction lost new upsell rate ratio share"
    " target quota forecast budget goal previous potential ltv risk"
)
_MONEY = "revenue money amount recurring subscription contract"


def _periodic(period: str, words: str) -> tuple[Pattern, ...]:
    """A period word with each money word: "monthly fee", "annual contract amount"..."""
    said = {"month": "a monthly amount, so MRR", "year": "a yearly amount, so ARR"}[period]
    return tuple(_p(f"{period} {word}", allow=_MONEY, why=said) for word in words.split())


# Headers recognised as *not* a column: "not:arr" takes a header so that nothing else does.
DECLINED = "not:"
_DECLINED_WHY = {
    "arr": "it looks like a lifetime or contract total, not revenue per year",
}

PATTERNS: dict[str, tuple[Pattern, ...]] = {
    "account_id": (_p("account id"), _p("id", "weak")),
    "account_name": (_p("account name"),),
    "arr": (
        _p("arr", allow="total account amount " + _MONEY),
        _p("acv", allow=_MONEY),
        *_periodic("year", "recurring contract subscription money amount"),
        _p("recurring revenue", "weak"),
        _p(
            "amount",
            "weak",
            allow="contract subscription",
            forbid="total",
            why="an amount with no period, taken as yearly",
        ),
        _p(
            "revenue",
            "weak",
            forbid="total year month account",
            why="revenue with no period and no 'recurring'",
        ),
    ),
    # "monthly revenue" is MRR, while "annual revenue" is the company's own revenue.
    "mrr": (
        _p("mrr", allow="total account amount " + _MONEY),
        *_periodic("month", "recurring revenue contract subscription money amount"),
    ),
    DECLINED + "arr": (
        _p("total money", allow=_MONEY),
        _p("total amount", allow=_MONEY),
        _p("total revenue", allow=_MONEY),
        _p("ltv", allow=_MONEY + " total"),
    ),
    "potential_arr": (
        _p("potential", allow="arr amount revenue account"),
        _p("potential arr", allow="total"),
    ),
    "plan": (
        _p("plan", allow="tier name subscription product"),
        _p("subscription tier"),
        _p("product tier"),
        _p("tier", "weak", needs="plan"),
    ),
    "industry": (_p("industry", allow="account"), _p("vertical"), _p("sector")),
    "employees": (_p("employee", allow="account"),),
    "company_revenue": (
        _p("year revenue", allow="account"),
        _p("account revenue", allow="year"),
    ),
    "country": (_p("country", allow="billing shipping hq code account"),),
    "health_score": (_p("health", allow="score account overall"),),
    "nps": (_p("nps", allow="score"), _p("net promoter", allow="score")),
    "active_users": (
        _p("active user", allow="month week"),
        _p("mau"),
        _p("wau"),
        _p("dau"),
        _p("active seat"),
        _p("seat used"),
    ),
    "licensed_seats": (
        _p("seat", allow="purchased paid licensed contract", forbid="usage used money amount"),
    ),
    "support_tickets": (
        _p("ticket", allow="support open month week quarter"),
        _p("support request"),
    ),
    "integrations": (_p("integration", allow="active"),),
    "products": (_p("product", "weak", allow="owned"),),
    "renewal_date": (
        _p("renewal date", allow="next contract subscription"),
        _p("renewal", "weak", allow="next contract subscription", forbid="auto"),
        _p("contract end", allow="date"),
    ),
    "referenceable": (_p("referenceable"), _p("reference", allow="account")),
    "strategic_account": (_p("strategic", allow="account"),),
    "lifecycle_stage": (
        _p("lifecycle", allow="stage account"),
        _p("stage", "weak", allow="account"),
    ),
    "csm": (_p("csm", allow="name owner"), _p("success manager", allow="name account")),
    "previous_tier": (
        _p("previous tier", allow="service account"),
        _p("tier", allow="service account"),
    ),
    "usage_score": (_p("usage score", allow="product account"), _p("usage", "weak")),
    "usage_events": (_p("event", allow="product usage"), _p("active day")),
    "csat": (_p("csat", allow="score"),),
    "customer_since": (
        _p("account since", allow="date"),
        _p("start date", allow="account contract subscription"),
        _p("first purchase", allow="date"),
        _p("since", "weak", allow="date"),
        _p("created date", "weak", allow="account"),
    ),
    "tenure_months": (
        _p("tenure", allow="month account"),
        _p("month account"),
        _p("account age", allow="month"),
    ),
    "contract_term": (
        _p("contract term", allow="month"),
        _p("term", allow="month subscription"),
        _p("billing frequency"),
        _p("payment frequency"),
        _p("contract", needs="term"),
    ),
    "auto_renew": (_p("auto renewal", allow="contract subscription"),),
    "escalations": (_p("escalation", allow="open exec executive ticket"),),
    "market_segment": (
        _p("market segment", allow="account"),
        _p("segment", allow="account sales size"),
        _p("tier", "weak", needs="segment"),
    ),
}
for _name in ("arr", "mrr"):
    PATTERNS[_name] = tuple(
        replace(p, forbid=p.forbid | frozenset(_CHANGERS.split())) for p in PATTERNS[_name]
    )
# Counts and scores over a window ("tickets_last_90_days", "weekly_active_users") are still
# the column; a date or a trend of one is not.
_WINDOW = _words("day week month quarter year")
_NUMERIC_KINDS = ("count", "score", "number")
for _name, _patterns in PATTERNS.items():
    if _name in COLUMN_BY_NAME and COLUMN_BY_NAME[_name].kind in ("count", "score"):
        PATTERNS[_name] = tuple(replace(p, allow=p.allow | _WINDOW) for p in _patterns)
_FORBID_BY_CANONICAL: dict[str, frozenset[str]] = {
    column.name: _words("date trend change delta")
    for column in CANONICAL_COLUMNS
    if column.kind in _NUMERIC_KINDS
}
_FORBID_BY_CANONICAL |= {
    "arr": _words("month week day quarter"),
    "mrr": _words("year week day quarter"),
    "tenure_months": _words("year week day date trend"),
    "renewal_date": _words("day"),
}


def _forbidden(canonical: str, tokens: frozenset[str]) -> bool:
    """Whether a header's words rule the column out ("Tenure (Years)" is not tenure_months)."""
    return bool(tokens & _FORBID_BY_CANONICAL.get(canonical, frozenset()))


# --------------------------------------------------------------------------- values

_VOCABULARY: dict[str, str] = {
    "tier": r"(tier|level|t) ?([0-9]|[a-d]|i{1,3}|iv|one|two|three|four)|[1-4]|[a-d]"
    r"|(high|mid|medium|low|tech|digital|light|no|full|scaled?) ?touch|platinum|gold|silver|bronze"
    r"|diamond|dedicated|pooled|scaled?|self ?serve|premier|high touch|low touch|mid touch",
    "segment": r"smb|sme|small( business| and medium( business)?)?|startup|start up|mid ?market"
    r"|mm|mid ?size|medium|commercial|corporate|enterprise|ent|large( enterprise)?|global"
    r"|public sector|government|micro|vsb|very small business",
    "plan": r"(free|trial|starter|basic|lite|essentials?|standard|team|teams|pro|professional"
    r"|plus|premium|business|growth|scale|advanced|enterprise|ultimate|unlimited|elite)"
    r"( (plan|edition|tier|annual|monthly|yearly))*",
    "opportunity_stage": r"prospecting|qualification|qualify|discovery|needs analysis"
    r"|value proposition|id decision makers|perception analysis|proposal( price quote)?"
    r"|negotiation( review)?|closed won|closed lost|won|lost|commit|demo|evaluation|verbal"
    r"|contracting|pipeline|closed",
    "term": r"month to month|monthly|annual|annually|yearly|quarterly|multi ?year|evergreen"
    r"|(one|two|three|four|five|1|2|3|4|5) ?(year|yr|y)s?|(12|24|36|48|60)( months?| mo)?",
}
_VOCABULARY_RE = {kind: re.compile(rf"(?:{rx})") for kind, rx in _VOCABULARY.items()}
_KIND_CANONICAL = {"tier": "previous_tier", "segment": "market_segment", "plan": "plan"}
_KIND_WORDS = {
    "tier": "tiers",
    "segment": "market segments",
    "plan": "plans",
    "opportunity_stage": "opportunity stages",
    "term": "contract terms",
}
_VALUE_CHECKED = frozenset({"previous_tier", "market_segment", "lifecycle_stage"})
_FIT_SHARE = 0.6


def _sample(column: pd.Series) -> pd.Series:
    """Up to _SAMPLE_ROWS filled values from the top of the column, as text ("12.0" -> "12")."""
    head = column.iloc[: 10 * _SAMPLE_ROWS].dropna().head(_SAMPLE_ROWS)
    return head.astype("str").str.strip().str.replace(r"\.0$", "", regex=True)


def value_kind(column: pd.Series) -> str | None:
    """What a text column's values look like (tiers, market segments, plans...), or None."""
    sample = _sample(column)
    text = sample.str.lower().str.replace(r"[^a-z0-9]+", " ", regex=True).str.strip()
    text = text.str.replace(r"^\d+ (?=[a-z])", "", regex=True)  # "1 - Prospecting"
    text = text[text.ne("")]
    if text.empty:
        return None
    # A sample holds few distinct values: match those, weighted by how often each appears.
    counts = text.value_counts(normalize=True)
    shares = {
        kind: sum(share for value, share in counts.items() if rx.fullmatch(value))
        for kind, rx in _VOCABULARY_RE.items()
    }
    best = max(shares, key=shares.get)
    ties = [k for k, s in shares.items() if s == shares[best]]
    if shares[best] < _FIT_SHARE or len(ties) > 1:
        return None
    return best


def _examples(column: pd.Series, limit: int = 3) -> str:
    values = _sample(column)
    return ", ".join(values[values.ne("")].unique()[:limit])


# --------------------------------------------------------------------------- matching


@dataclass(frozen=True)
class Match:
    """One column match: which header feeds a canonical column, how sure, and the runners-up."""

    canonical: str
    header: str
    confidence: str  # "manual" | "exact" | "strong" | "weak"
    reason: str
    alternatives: tuple[str, ...] = ()  # other headers that could feed this column, best first
    ambiguous: bool = False  # an alternative fits exactly as well

    @property
    def needs_confirmation(self) -> bool:
        return self.confidence == "weak" or self.ambiguous

    def warning(self) -> str:
        """One sentence for a match a person should confirm (the CLI prefixes `warning:`)."""
        others = ", ".join(f"'{h}'" for h in self.alternatives)
        if self.confidence == "weak":
            tail = f"; other candidates: {others}" if others else ""
            return (
                f"column '{self.header}' matched to {self.canonical} with low confidence "
                f"({self.reason}){tail}"
            )
        return (
            f"column '{self.header}' matched to {self.canonical}, but {others} fits as well "
            f"({self.reason})"
        )


@dataclass(frozen=True)
class _Candidate:
    canonical: str
    header: str
    confidence: str
    specificity: int  # exact: -alias rank; words: number of pattern words
    position: int
    reason: str
    need: str | None = None  # the kind of values that must confirm this candidate

    @property
    def key(self) -> tuple:
        return (CONFIDENCE_LEVELS.index(self.confidence), -self.specificity, self.position)


@dataclass
class MatchResult:
    """The automatic mapping, the matches behind it, and headers deliberately passed over."""

    mapping: dict[str, str]
    matches: list[Match]
    notes: list[str] = field(default_factory=list)


def _exact_candidates(header: str, position: int) -> list[_Candidate]:
    for level, key in enumerate(_variants(header)):
        if key in _ALIAS_RANK:
            canonical, rank = _ALIAS_RANK[key]
            if _forbidden(canonical, header_tokens(header)):
                return []
            alias = HEADER_ALIASES[canonical][rank]
            return [
                _Candidate(
                    canonical, header, "exact", -(100 * level + rank), position, f"alias '{alias}'"
                )
            ]
    return []


def _pattern_candidates(header: str, position: int) -> list[_Candidate]:
    tokens = header_tokens(header)
    out: list[_Candidate] = []
    for canonical, patterns in PATTERNS.items():
        best: _Candidate | None = None
        for pattern in patterns:
            if not pattern.words <= tokens or tokens & pattern.forbid:
                continue
            if _forbidden(canonical, tokens):
                continue
            leftover = tokens - pattern.words - pattern.allow
            if leftover and pattern.confidence == "weak":
                continue
            confidence = "weak" if leftover else pattern.confidence
            words = " + ".join(sorted(pattern.words))
            extra = f", other words: {' '.join(sorted(leftover))}" if leftover else ""
            reason = pattern.why or _DECLINED_WHY.get(
                canonical.removeprefix(DECLINED), f"header words {words}{extra}"
            )
            candidate = _Candidate(
                canonical,
                header,
                confidence,
                len(pattern.words),
                position,
                reason,
                pattern.needs_values,
            )
            if best is None or candidate.key < best.key:
                best = candidate
        if best is not None:
            out.append(best)
    return out


def _candidates(header: str, position: int) -> list[_Candidate]:
    exact = _exact_candidates(header, position)
    taken = {c.canonical for c in exact}
    return exact + [c for c in _pattern_candidates(header, position) if c.canonical not in taken]


def _check_values(candidate: _Candidate, kind: str | None, column: pd.Series) -> _Candidate | None:
    """The candidate confirmed, redirected, weakened or dropped (None) by its values."""
    reason, need = candidate.reason, candidate.need
    seen = _KIND_WORDS.get(kind or "", "")
    said = f"values look like {seen} ({_examples(column)})" if kind else ""

    def as_(canonical: str, confidence: str, why: str) -> _Candidate:
        return _Candidate(
            canonical, candidate.header, confidence, candidate.specificity, candidate.position, why
        )

    if need:
        return as_(candidate.canonical, "strong", f"{reason}; {said}") if kind == need else None
    if candidate.canonical == "lifecycle_stage" and kind == "opportunity_stage":
        why = f"{said}, a sales pipeline's stages, not the customer's lifecycle"
        return as_(DECLINED + "lifecycle_stage", "strong", why)
    if candidate.canonical not in {"previous_tier", "market_segment"}:
        return as_(candidate.canonical, candidate.confidence, reason)
    target = _KIND_CANONICAL.get(kind or "")
    if target is not None:
        confidence = candidate.confidence if target == candidate.canonical else "strong"
        return as_(target, confidence, f"{reason}; {said}")
    if candidate.canonical == "previous_tier" and "tier" not in header_tokens(candidate.header):
        return as_("market_segment", "weak", f"{reason}; values do not look like tiers")
    expected = "tiers" if candidate.canonical == "previous_tier" else "market segments"
    return as_(candidate.canonical, "weak", f"{reason}; values do not look like {expected}")


def _value_checked(candidates: list[_Candidate], columns: pd.DataFrame | None) -> list[_Candidate]:
    """Candidates after their values had their say; without values, those that need none."""
    if columns is None:
        return [c for c in candidates if c.need is None]
    out: list[_Candidate] = []
    kinds: dict[str, str | None] = {}
    for candidate in candidates:
        if candidate.canonical not in _VALUE_CHECKED and candidate.need is None:
            out.append(candidate)
            continue
        column = columns[candidate.header]
        if candidate.header not in kinds:
            kinds[candidate.header] = value_kind(column)
        checked = _check_values(candidate, kinds[candidate.header], column)
        if checked is not None:
            out.append(checked)
    return out


def match_columns(
    headers: Iterable[str],
    columns: pd.DataFrame | None = None,
    overrides: Mapping[str, str | None] | None = None,
) -> MatchResult:
    """Match headers to canonical columns; `columns` (the table) lets values decide; `overrides`
    (canonical -> header, or None to leave it unmapped) are taken as given."""
    headers = [str(h) for h in headers]
    fixed = check_mapping(overrides or {}, headers)
    skipped = set(overrides or {})
    used = set(fixed.values())
    candidates = [c for i, h in enumerate(headers) if h not in used for c in _candidates(h, i)]
    candidates = sorted(_value_checked(candidates, columns), key=lambda c: c.key)
    chosen: dict[str, _Candidate] = {}
    taken: set[str] = set()
    declined: list[_Candidate] = []
    for candidate in candidates:
        if candidate.header in taken or candidate.canonical in chosen:
            continue
        if candidate.canonical.startswith(DECLINED):
            declined.append(candidate)
            taken.add(candidate.header)
            continue
        if candidate.canonical in skipped:
            continue
        chosen[candidate.canonical] = candidate
        taken.add(candidate.header)
    notes = [_declined_note(c) for c in declined]
    notes += _prefer_derived_arr(chosen, skipped)
    matches = {name: Match(name, h, "manual", "given by the user") for name, h in fixed.items()}
    for name, candidate in chosen.items():
        matches[name] = _as_match(candidate, candidates)
    mapping = {name: matches[name].header for name in CANONICAL_NAMES if name in matches}
    return MatchResult(mapping, [matches[name] for name in mapping], notes)


def _as_match(chosen: _Candidate, candidates: list[_Candidate]) -> Match:
    rivals = [
        c for c in candidates if c.canonical == chosen.canonical and c.header != chosen.header
    ]
    ambiguous = bool(rivals) and rivals[0].key[:2] == chosen.key[:2]
    return Match(
        chosen.canonical,
        chosen.header,
        chosen.confidence,
        chosen.reason,
        tuple(dict.fromkeys(c.header for c in rivals))[:3],
        ambiguous,
    )


def _declined_note(candidate: _Candidate) -> str:
    name = candidate.canonical.removeprefix(DECLINED)
    return (
        f"'{candidate.header}' was not used as {name}: {candidate.reason}; "
        f"map it as {name} yourself if it is."
    )


def _prefer_derived_arr(chosen: dict[str, _Candidate], skipped: set[str]) -> list[str]:
    """A weak ARR gives way to 12 x a confidently matched monthly column."""
    arr, mrr = chosen.get("arr"), chosen.get("mrr")
    if arr is None or mrr is None or arr.confidence != "weak" or mrr.confidence == "weak":
        return []
    if "arr" in skipped:
        return []
    del chosen["arr"]
    return [
        f"'{arr.header}' was not used as arr: 12 x '{mrr.header}' (a monthly recurring column) "
        "is more certain; map it as arr yourself if it is."
    ]


def check_mapping(mapping: Mapping[str, str | None], headers: list[str]) -> dict[str, str]:
    """A user's mapping, validated: canonical -> header, without the "leave unmapped" entries."""
    clean: dict[str, str] = {}
    for canonical, header in mapping.items():
        if canonical not in COLUMN_BY_NAME:
            raise InputError(
                f"'{canonical}' is not a column Tierwise knows; use one of "
                f"{', '.join(CANONICAL_NAMES)}."
            )
        if header is None or header == "":
            continue
        if header not in headers:
            raise InputError(f"The file has no column '{header}' to use as {canonical}.")
        clean[canonical] = header
    return {name: clean[name] for name in CANONICAL_NAMES if name in clean}


def matches_for(mapping: Mapping[str, str], previous: Iterable[Match]) -> list[Match]:
    """The matches of an edited mapping: unchanged pairs keep their match, others are manual."""
    known = {(m.canonical, m.header): m for m in previous}
    return [
        known.get((name, header), Match(name, header, "manual", "given by the user"))
        for name, header in mapping.items()
    ]


def confirmed(matches: Iterable[Match], why: Mapping[str, str]) -> list[Match]:
    """The matches with those of `why` (canonical -> reason) made manual: a person said so."""
    return [
        Match(m.canonical, m.header, "manual", why[m.canonical]) if m.canonical in why else m
        for m in matches
    ]


def still_true(notes: Iterable[str], mapping: Mapping[str, str]) -> list[str]:
    """The notes without "'X' was not used as c" for the pairs a user has since mapped."""
    stale = tuple(f"'{header}' was not used as {name}:" for name, header in mapping.items())
    return [note for note in notes if not note.startswith(stale)]


def auto_map(headers: list[str]) -> dict[str, str]:
    """Map canonical column -> input header from the headers alone (no values)."""
    return match_columns(headers).mapping


# --------------------------------------------------------------------------- README


def recognised_columns_markdown(examples: int = 5) -> str:
    """The README's table of recognised columns, generated from the code."""
    lines = [
        "| column | meaning | recognised headers (examples) |",
        "|---|---|---|",
    ]
    for column in CANONICAL_COLUMNS:
        aliases = ", ".join(HEADER_ALIASES[column.name][:examples])
        lines.append(f"| `{column.name}` | {column.description} | {aliases} |")
    return "\n".join(lines)


# --------------------------------------------------------------------------- sanity of ARR

# What one customer pays one SaaS vendor a year stays far below these:
ARR_PER_EMPLOYEE_LIMIT = 25_000.0  # median ARR per customer employee; revenue is ~$250k
ARR_PER_ACCOUNT_LIMIT = 20_000_000.0  # median ARR per account


def _positive(accounts: pd.DataFrame, column: str) -> pd.Series:
    if column not in accounts.columns:
        return pd.Series(float("nan"), index=accounts.index)
    values = pd.to_numeric(accounts[column], errors="coerce").astype("float64")
    return values.where(values > 0)


def _arr_source(mapping: Mapping[str, str]) -> str:
    if "arr" in mapping:
        return f"ARR ('{mapping['arr']}')"
    return f"ARR (12 x '{mapping['mrr']}')" if "mrr" in mapping else "ARR"


def implausible_arr(accounts: pd.DataFrame, mapping: Mapping[str, str]) -> str | None:
    """One sentence when the column read as ARR looks like something else (most often the
    customer company's own revenue, a CRM's "Annual Revenue"), else None.

    ARR is implausible when it adds up to more than the company-revenue column, when its
    median per customer employee is beyond what a SaaS contract costs, or when its median
    per account is beyond any SaaS book's.
    """
    arr = _positive(accounts, "arr")
    if arr.isna().all():
        return None
    source = _arr_source(mapping)
    revenue = _positive(accounts, "company_revenue")
    both = arr.notna() & revenue.notna()
    fix = "check the mapping (Change the mapping on the Data page, or --map arr=HEADER)"
    if both.any() and arr[both].sum() >= revenue[both].sum():
        header = mapping.get("company_revenue", "company revenue")
        return (
            f"{source} adds up to {money(arr[both].sum())}, more than the customers' own "
            f"revenue ('{header}', {money(revenue[both].sum())}) on the same accounts: it "
            f"looks like company revenue, not what they pay you; {fix}"
        )
    per_head = (arr / _positive(accounts, "employees")).median()
    if per_head > ARR_PER_EMPLOYEE_LIMIT:
        return (
            f"{source} is a median {money(per_head)} a year per customer employee, far beyond "
            f"what a SaaS contract costs (under {money(ARR_PER_EMPLOYEE_LIMIT)} a head): it "
            f"looks like company revenue, not what they pay you; {fix}"
        )
    if arr.median() > ARR_PER_ACCOUNT_LIMIT:
        return (
            f"{source} is a median {money(arr.median())} per account, more than any SaaS "
            f"book's (under {money(ARR_PER_ACCOUNT_LIMIT)}): it looks like company revenue, "
            f"not what they pay you; {fix}"
        )
    return None
