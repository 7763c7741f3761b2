"""Why each account sits in its tier, as a short sentence with the values behind it.

"High-touch: growth 86 (whitespace $410k), health risk 71 (NPS 3)".
Built column-wise: the drivers are picked with array arithmetic, each distinct value is
formatted once, and the sentences are joined by Arrow, so a million reasons cost a few
hundred milliseconds instead of a Python loop.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from segmentation.config import Config
from segmentation.formats import money
from segmentation.rules.inputs import as_flags, as_numbers
from segmentation.rules.metrics import MetricScores
from segmentation.rules.schemes import SCHEMES
from segmentation.rules.tiers import GuardrailEffects

# --- formatting values ------------------------------------------------------------------------


def whole(value: float) -> str:
    return f"{value:,.0f}"


def percent(value: float) -> str:
    return f"{value * 100:.0f}%"


def renewal(days: float) -> str:
    if days < 0:
        return f"renewal {-days:.0f} days overdue"
    return f"renews in {days:.0f} days"


def significant(values: np.ndarray, digits: int = 3) -> np.ndarray:
    """Round to `digits` significant digits, so that few distinct values need formatting."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        exponent = np.floor(np.log10(np.abs(values)))
        scale = np.where(np.isfinite(exponent), 10.0 ** (digits - 1 - exponent), 1.0)
        rounded = np.round(values * scale) / scale
    return np.where(np.isfinite(rounded), rounded, values)


NUMBER_TEMPLATES: dict[str, tuple[str, Callable[[float], str]]] = {
    "arr": ("ARR {}", money),
    "mrr": ("MRR {}", money),
    "potential_arr": ("potential ARR {}", money),
    "whitespace": ("whitespace {}", money),
    "company_revenue": ("company revenue {}", money),
    "adoption": ("{} of seats active", percent),
    "nps": ("NPS {}", whole),
    "health_score": ("health score {}", whole),
    "support_tickets": ("{} support tickets", whole),
    "integrations": ("{} integrations", whole),
    "products": ("{} products", whole),
    "employees": ("{} employees", whole),
    "active_users": ("{} active users", whole),
    "licensed_seats": ("{} licensed seats", whole),
    "days_to_renewal": ("{}", renewal),
    "usage_score": ("usage score {}", whole),
    "usage_events": ("{} usage events", whole),
    "csat": ("CSAT {}", lambda v: f"{v:,.3g}"),
    "tenure": ("{} months a customer", whole),
    "escalations": ("{} escalations", whole),
}
# Values that print alike are formatted once: round to what the text shows first.
ROUNDING: dict[Callable[[float], str], Callable[[np.ndarray], np.ndarray]] = {
    money: lambda v: significant(v, 3),
    whole: np.round,
    percent: lambda v: np.round(v, 2),
    renewal: np.round,
}
FLAG_TEXTS = {
    "strategic_account": ("strategic account", "not a strategic account"),
    "referenceable": ("referenceable", "not referenceable"),
    "auto_renew": ("renews automatically", "no auto-renew"),
}
CATEGORY_LABELS = {
    "plan": "plan",
    "lifecycle_stage": "stage",
    "industry": "industry",
    "contract_term": "contract",
    "market_segment": "segment",
}


Texts = tuple[np.ndarray, list[str]]  # a code per row, and the distinct texts they index


def _format_numbers(values: np.ndarray, column: str) -> Texts:
    template, fmt = NUMBER_TEMPLATES.get(column, (f"{column} {{}}", lambda v: f"{v:,.4g}"))
    rounded = ROUNDING.get(fmt, lambda v: significant(v, 4))(values)
    codes, uniques = pd.factorize(rounded)  # hashing: faster than sorting for a big book
    texts = [template.format(fmt(u)) for u in uniques] + [f"{column.replace('_', ' ')} missing"]
    return np.where(codes < 0, len(uniques), codes), texts


def _format_flags(values: pd.Series, column: str) -> Texts:
    yes, no = FLAG_TEXTS.get(column, (f"{column}: yes", f"{column}: no"))
    flags = as_flags(values)
    codes = np.where(np.isnan(flags), 2, np.where(flags != 0, 0, 1))
    return codes, [yes, no, f"{column.replace('_', ' ')} unknown"]


def _format_categories(values: pd.Series, column: str) -> Texts:
    label = CATEGORY_LABELS.get(column, column.replace("_", " "))
    codes, uniques = pd.factorize(values)
    texts = [f"{label} {u}" for u in uniques] + [f"{label} missing"]
    return np.where(codes < 0, len(uniques), codes), texts


def describe_values(values: pd.Series, column: str, scheme: str) -> Texts:
    """Readable text for each value of one metric, e.g. 'whitespace $410k' or 'NPS 3'."""
    reads = SCHEMES[scheme].reads
    if reads == "values":
        return _format_categories(values, column)
    if reads == "flags":
        return _format_flags(values, column)
    numbers = as_numbers(values)
    return _format_numbers(numbers, column)


def value_texts(metric_scores: MetricScores, config: Config) -> tuple[np.ndarray, pa.Array]:
    """Every metric's value text for every account, formatted once per book and kept.

    Returns a (metrics, accounts) matrix of codes into one table of texts ('NPS 3)'), metrics
    numbered pillar by pillar.
    """
    key = ("texts",)
    if key not in metric_scores.reason_cache:
        table, matrix = [], []
        for p, settings in enumerate(config.pillars):
            for m, metric in enumerate(settings.metrics):
                values = metric_scores.pillars[p].inputs[m]
                codes, texts = describe_values(values, metric.column, metric.scheme)
                matrix.append((codes + len(table)).astype("int32"))
                table.extend(f"{text})" for text in texts)
        metric_scores.reason_cache[key] = (np.vstack(matrix), pa.array(table, pa.string()))
    return metric_scores.reason_cache[key]


def _take(texts: list[str], codes: np.ndarray) -> pa.Array:
    return pc.take(pa.array(texts, pa.string()), pa.array(codes, pa.int64()))


# --- picking the drivers ----------------------------------------------------------------------


def driving_metric(metric_scores: MetricScores, config: Config, p: int, upward: bool) -> np.ndarray:
    """Per account, the metric of pillar `p` that set it furthest apart from a typical account.

    Measured against the book's mean score, not 50: a flag that almost nobody has (strategic
    account) would otherwise explain every account's low strategic value. Kept per metric
    weights, so that moving pillar weights or thresholds reuses it.
    """
    settings = config.pillars[p]
    weights = np.array([m.weight for m in settings.metrics])
    key = ("driver", p, upward, settings.effect, tuple(weights))
    if key not in metric_scores.reason_cache:
        pillar = metric_scores.pillars[p]
        sign = 1.0 if settings.effect == "raises" else -1.0
        pull = sign * weights * (pillar.filled - pillar.typical)
        usable = (pillar.known > 0) & (weights > 0)
        if upward:
            choice = np.argmax(np.where(usable, pull, -np.inf), axis=1)
        else:
            choice = np.argmin(np.where(usable, pull, np.inf), axis=1)
        metric_scores.reason_cache[key] = choice
    return metric_scores.reason_cache[key]


def _metric_texts(
    metric_scores: MetricScores, config: Config, pillar_of: np.ndarray, upward: np.ndarray
) -> pa.Array:
    """For each account, the text of the driving metric of its given pillar: 'NPS 3)'."""
    codes, table = value_texts(metric_scores, config)
    first_metric = np.cumsum([0] + [len(p.metrics) for p in config.pillars])
    drivers = np.vstack(
        [driving_metric(metric_scores, config, p, up) for p in range(len(config.pillars))
         for up in (True, False)]
    )  # fmt: skip
    rows = np.arange(len(pillar_of))
    metric_of = drivers[pillar_of * 2 + (~upward).astype("int64"), rows]
    return pc.take(table, pa.array(codes[first_metric[pillar_of] + metric_of, rows]))


def _second_largest(values: np.ndarray, first: np.ndarray) -> np.ndarray:
    rest = values.copy()
    rest[np.arange(len(first)), first] = -np.inf
    return np.argmax(rest, axis=1)


def build_reasons(
    metric_scores: MetricScores,
    config: Config,
    effective: np.ndarray,
    rails: GuardrailEffects,
    cut_index: np.ndarray,
) -> pa.Array:
    """One sentence per account: its tier, the pillars behind it, and any guard-rail applied.

    The top tier is explained by its two strongest pillars, the bottom tier by its two
    weakest, a middle tier by its strongest pillar and the one that held it back.
    """
    n, bottom, n_pillars = len(cut_index), len(config.tiers) - 1, len(config.pillars)
    weights = np.array([p.weight for p in config.pillars], dtype="float64")
    pull = (effective - 50.0) * weights
    pull[:, weights == 0] = np.nan
    known = ~np.isnan(pull)
    up, down = np.where(known, pull, -np.inf), np.where(known, -pull, -np.inf)
    strongest, weakest = np.argmax(up, axis=1), np.argmax(down, axis=1)
    rows = np.arange(n)

    top, low = cut_index == 0, cut_index == bottom
    first = np.where(low, weakest, strongest)
    second = np.where(
        low, _second_largest(down, weakest), np.where(top, _second_largest(up, strongest), weakest)
    )
    has_first = known[rows, first]
    has_second = known[rows, second] & (second != first)
    scores = np.clip(np.round(np.nan_to_num(effective)), 0, 100).astype("int64")
    score_first = np.where(has_first, scores[rows, first], 0)
    score_second = np.where(has_second, scores[rows, second], 0)

    # "<pillar> <score> (" as one code, and "<joiner><pillar> <score> (" as another.
    labels = [p.driver_label for p in config.pillars]
    heads = [f"{label} {s} (" for label in labels for s in range(101)] + ["no usable data"]
    head_code = np.where(has_first, first * 101 + score_first, len(heads) - 1)
    per_tier = n_pillars * 101
    joiners = (", ", "; held back by ")
    middles = [f"{j}{label} {s} (" for j in joiners for label in labels for s in range(101)] + [""]
    middle_code = np.where(
        has_second,
        np.where(low | top, 0, 1) * per_tier + second * 101 + score_second,
        len(middles) - 1,
    )
    return pc.binary_join_element_wise(
        _tier_prefix(config, rails.tier_index, cut_index),
        _take(heads, head_code),
        pc.if_else(pa.array(has_first), _metric_texts(metric_scores, config, first, ~low), ""),
        _take(middles, middle_code),
        pc.if_else(pa.array(has_second), _metric_texts(metric_scores, config, second, top), ""),
        _guardrail_notes(rails, config, cut_index),
        "",
    )


def _tier_prefix(config: Config, tier_index: np.ndarray, cut_index: np.ndarray) -> pa.Array:
    """'Mid-touch: ', or 'Mid-touch (priority alone: Low-touch): ' where a guard-rail moved it.

    The drivers that follow always explain the priority, so a moved account names both tiers.
    """
    names, k = config.tier_names, len(config.tier_names)
    prefixes = [
        f"{final}: " if final == alone else f"{final} (priority alone: {alone}): "
        for final in names
        for alone in names
    ]
    return _take(prefixes, tier_index * k + cut_index)


def _guardrail_notes(rails: GuardrailEffects, config: Config, cut_index: np.ndarray) -> pa.Array:
    """'; raised to Mid-touch as a strategic account...' where a guard-rail changed the tier."""
    names = config.tier_names
    notes, codes = [""], np.zeros(len(cut_index), dtype="int64")
    if rails.below_min_arr.any():
        minimum = money(config.guardrails.min_arr_top_tier)
        notes.append(f"; kept out of {names[0]}: ARR under the {minimum} minimum")
        codes[rails.below_min_arr] = len(notes) - 1
    if rails.raised_strategic.any():
        notes.append(f"; raised to {config.guardrails.strategic_floor} as a strategic account")
        codes[rails.raised_strategic] = len(notes) - 1
    if rails.overridden.any():
        for reason in np.unique(rails.override_reason[rails.overridden]):
            notes.append("; set by manual override" + (f": {reason}" if reason else ""))
            codes[rails.overridden & (rails.override_reason == reason)] = len(notes) - 1
    return _take(notes, codes)


# --- the SQL form: reasons reduced to the strongest driver (docs/warehouse.md) --------------


def strongest_pillar_sql(config: Config, effective: dict[str, str]) -> tuple[str, str]:
    """The pillar that pulled priority up most, as `build_reasons` picks it, and its score.

    Returns (label expression, score expression); NULL where no pillar has a score.
    """
    from segmentation.rules import sql

    pillars = [p for p in config.pillars if p.weight > 0]
    pulls = {
        p.key: f"COALESCE(({effective[p.key]} - 50.0) * {sql.number(p.weight)}, -1e308)"
        for p in pillars
    }
    whens, scores = [], []
    for i, p in enumerate(pillars):
        beats = [f"{pulls[p.key]} >= {pulls[q.key]}" for q in pillars[i + 1 :]]
        first = " AND ".join([f"{effective[p.key]} IS NOT NULL", *beats])
        whens.append((first, sql.text(p.driver_label)))
        scores.append((first, sql.round_half_even(effective[p.key], 0)))
    return sql.case(whens), sql.case(scores)
