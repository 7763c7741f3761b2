"""Why each account sits in its tier, as a short sentence with the values behind it.

"High-touch: growth 86 (whitespace $410k), health risk 71 (NPS 3)".
Built column-wise: the drivers are picked with array arithmetic, each distinct value is
formatted once, and the sentences are joined by Arrow, so a million reasons cost a few
hundred milliseconds instead of a Python loop.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

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
    # + 0.0 turns -0 into 0: values that hash alike print alike, whichever rows are asked for.
    rounded = ROUNDING.get(fmt, lambda v: significant(v, 4))(values) + 0.0
    codes, uniques = pd.factorize(rounded)  # hashing: faster than sorting for a big book
    texts = [template.format(fmt(u)) for u in uniques] + [f"{column.replace('_', ' ')} missing"]
    return np.where(codes < 0, len(uniques), codes), texts


def _format_flags(flags: np.ndarray, column: str) -> Texts:
    yes, no = FLAG_TEXTS.get(column, (f"{column}: yes", f"{column}: no"))
    codes = np.where(np.isnan(flags), 2, np.where(flags != 0, 0, 1))
    return codes, [yes, no, f"{column.replace('_', ' ')} unknown"]


def _format_categories(values: pd.Series, column: str) -> Texts:
    label = CATEGORY_LABELS.get(column, column.replace("_", " "))
    codes, uniques = pd.factorize(values)
    texts = [f"{label} {u}" for u in uniques] + [f"{label} missing"]
    return np.where(codes < 0, len(uniques), codes), texts


def _read_at(values: pd.Series, rows: np.ndarray | None, read: Callable) -> np.ndarray:
    """`read(values)` at the given positions. Numbers and booleans read cell by cell; text is
    read as a whole column (its decimal mark is the column's), then picked."""
    if rows is None:
        return read(values)
    if pd.api.types.is_bool_dtype(values) or pd.api.types.is_numeric_dtype(values):
        return read(values.iloc[rows])
    return read(values)[rows]


def describe_values(
    values: pd.Series, column: str, scheme: str, rows: np.ndarray | None = None
) -> Texts:
    """Readable text for each value of one metric, e.g. 'whitespace $410k' or 'NPS 3', for
    the rows at the given positions (default: every row)."""
    reads = SCHEMES[scheme].reads
    if reads == "values":
        return _format_categories(values if rows is None else values.iloc[rows], column)
    if reads == "flags":
        return _format_flags(_read_at(values, rows, as_flags), column)
    return _format_numbers(_read_at(values, rows, as_numbers), column)


def _value_texts(
    metric_scores: MetricScores,
    config: Config,
    pillar_of: np.ndarray,
    metric_of: np.ndarray,
    rows: np.ndarray,
    whole: bool,
) -> tuple[np.ndarray, list[str]]:
    """The text of each given row's driving metric value ('NPS 3)'): a code per row into a
    table of texts. Only the values asked for are formatted, each distinct one once; for the
    `whole` book, each metric's texts are kept in the book's reason cache."""
    codes, table = np.zeros(len(rows), dtype="int64"), []
    for p, settings in enumerate(config.pillars):
        for m, metric in enumerate(settings.metrics):
            picked = np.flatnonzero((pillar_of == p) & (metric_of == m))
            if not picked.size:
                continue
            values = metric_scores.pillars[p].inputs[m]
            if whole:  # every row's: formatted once per book, kept for the next slider move
                all_codes, texts = _kept(
                    metric_scores,
                    ("texts", p, m),
                    lambda v=values, c=metric.column, s=metric.scheme: describe_values(v, c, s),
                )
                codes[picked] = all_codes[picked] + len(table)
            else:
                value_codes, texts = describe_values(
                    values, metric.column, metric.scheme, rows[picked]
                )
                codes[picked] = value_codes + len(table)
            table.extend(f"{text})" for text in texts)
    return codes, table


def _kept(metric_scores: MetricScores, key: tuple, make: Callable[[], object]) -> object:
    """`make()`, kept in the metric scores' reason cache under `key` (per book + schemes)."""
    if key not in metric_scores.reason_cache:
        metric_scores.reason_cache[key] = make()
    return metric_scores.reason_cache[key]


def _take(texts: list[str], codes: np.ndarray) -> pa.Array:
    return pc.take(pa.array(texts, pa.string()), pa.array(codes, pa.int64()))


# --- picking the drivers ----------------------------------------------------------------------


def driving_metric(
    metric_scores: MetricScores, config: Config, p: int, upward: bool, rows: np.ndarray
) -> np.ndarray:
    """For the given accounts, the metric of pillar `p` that set each furthest apart from a
    typical account.

    Measured against the book's mean score, not 50: a flag that almost nobody has (strategic
    account) would otherwise explain every account's low strategic value.
    """
    settings = config.pillars[p]
    weights = np.array([m.weight for m in settings.metrics])
    pillar = metric_scores.pillars[p]
    sign = 1.0 if settings.effect == "raises" else -1.0
    pull = sign * weights * (pillar.filled[rows] - pillar.typical)
    usable = (pillar.known[rows] > 0) & (weights > 0)
    if upward:
        return np.argmax(np.where(usable, pull, -np.inf), axis=1)
    return np.argmin(np.where(usable, pull, np.inf), axis=1)


def _metric_texts(
    metric_scores: MetricScores,
    config: Config,
    pillar_of: np.ndarray,
    upward: np.ndarray,
    rows: np.ndarray,
    whole: bool,
) -> pa.Array:
    """For each given account, the text of the driving metric of its given pillar: 'NPS 3)'.

    For the `whole` book the drivers are picked for every row and kept per metric weights,
    so that moving pillar weights or thresholds reuses them."""
    metric_of = np.zeros(len(rows), dtype="int64")
    for p, settings in enumerate(config.pillars):
        weights = tuple(m.weight for m in settings.metrics)
        for up in (True, False):
            picked = np.flatnonzero((pillar_of == p) & (upward == up))
            if not picked.size:
                continue
            if whole:
                every = _kept(
                    metric_scores,
                    ("driver", p, up, settings.effect, weights),
                    lambda p=p, up=up: driving_metric(
                        metric_scores, config, p, up, slice(None)
                    ).astype("int16"),
                )
                metric_of[picked] = every[picked]
            else:
                metric_of[picked] = driving_metric(metric_scores, config, p, up, rows[picked])
    codes, table = _value_texts(metric_scores, config, pillar_of, metric_of, rows, whole)
    return _take(table, codes)


def _first_largest(columns: np.ndarray, skip: np.ndarray | None = None) -> np.ndarray:
    """Per account, the first of the (pillars, accounts) `columns` holding its largest value,
    column `skip` left out: `np.argmax` over a few columns, column by column (an argmax along
    rows of four values is several times slower)."""
    best, choice = np.full(columns.shape[1], -np.inf), np.zeros(columns.shape[1], dtype="int64")
    for j, column in enumerate(columns):
        value = column if skip is None else np.where(skip == j, -np.inf, column)
        better = value > best
        choice[better] = j
        np.maximum(best, value, out=best)
    return choice


@dataclass(frozen=True, eq=False)
class Reasons:
    """What makes each account's sentence, as compact codes; the text is built on request,
    for the rows asked for (`texts`)."""

    metric_scores: MetricScores
    config: Config
    prefix: np.ndarray  # code into `_tier_prefixes`: final tier x tier by priority alone
    head: np.ndarray  # code into `_heads`: first driving pillar and its score
    middle: np.ndarray  # code into `_middles`: joiner, second driving pillar and its score
    first: np.ndarray  # the first driving pillar (valid where has_first)
    second: np.ndarray  # the second (valid where has_second)
    has_first: np.ndarray
    has_second: np.ndarray
    first_up: np.ndarray  # the first pillar's driving metric is the one that pulled it up
    second_up: np.ndarray
    note: np.ndarray  # code into `notes`: the guard-rail that changed the tier, if any
    notes: tuple[str, ...]
    held: pa.Array | None = None  # the movement rule that held each account (text), if any

    def __len__(self) -> int:
        return len(self.prefix)

    def positions(self, index: pd.Index) -> np.ndarray | None:
        """The positions in the book of the rows with these index labels (None: all rows)."""
        book = self.metric_scores.accounts.index
        if index.equals(book):
            return None
        if not book.is_unique:
            raise ValueError("the book's index repeats: build the reasons before taking rows")
        rows = book.get_indexer(index)
        if (rows < 0).any():
            raise ValueError("rows that are not in the book: their reasons are unknown")
        return rows

    def with_held(self, held: pa.Array) -> Reasons:
        return replace(self, held=held)

    def texts(self, rows: np.ndarray | None = None) -> pa.Array:
        """The sentences of the rows at the given positions (default: every row)."""
        whole = rows is None
        rows = np.arange(len(self)) if whole else np.asarray(rows, dtype="int64")
        config, scores = self.config, self.metric_scores
        has_first, has_second = self.has_first[rows], self.has_second[rows]
        first, second = self.first[rows], self.second[rows]
        first_text = _metric_texts(scores, config, first, self.first_up[rows], rows, whole)
        second_text = _metric_texts(scores, config, second, self.second_up[rows], rows, whole)
        parts = [
            _take(_tier_prefixes(config), self.prefix[rows]),
            _take(_heads(config), self.head[rows]),
            pc.if_else(pa.array(has_first), first_text, ""),
            _take(_middles(config), self.middle[rows]),
            pc.if_else(pa.array(has_second), second_text, ""),
            _take(list(self.notes), self.note[rows]),
        ]
        if self.held is not None:
            parts.append(self.held.take(pa.array(rows)))
        return pc.binary_join_element_wise(*parts, "")


JOINERS = (", ", "; held back by ")


def _heads(config: Config) -> list[str]:
    """'<pillar> <score> (' for each pillar and score, then the text of no usable data."""
    labels = [p.driver_label for p in config.pillars]
    return [f"{label} {s} (" for label in labels for s in range(101)] + ["no usable data"]


def _middles(config: Config) -> list[str]:
    """'<joiner><pillar> <score> (' for each joiner, pillar and score, then nothing."""
    labels = [p.driver_label for p in config.pillars]
    return [f"{j}{label} {s} (" for j in JOINERS for label in labels for s in range(101)] + [""]


def explain(
    metric_scores: MetricScores,
    config: Config,
    effective: np.ndarray,
    rails: GuardrailEffects,
    cut_index: np.ndarray,
) -> Reasons:
    """Each account's reason as codes: its tier, the pillars behind it, any guard-rail applied.

    The top tier is explained by its two strongest pillars, the bottom tier by its two
    weakest, a middle tier by its strongest pillar and the one that held it back.
    """
    bottom, n_pillars = len(config.tiers) - 1, len(config.pillars)
    weights = np.array([p.weight for p in config.pillars], dtype="float64")
    pull = np.ascontiguousarray(effective.T)  # (pillars, accounts): a copy, made the pull
    scores = np.clip(np.round(np.nan_to_num(pull)), 0, 100).astype("int16")
    pull -= 50.0
    pull *= weights[:, None]
    pull[weights == 0] = np.nan
    known = ~np.isnan(pull)
    up = np.where(known, pull, -np.inf)
    np.negative(pull, out=pull)
    down = np.where(known, pull, -np.inf)
    del pull
    strongest, weakest = _first_largest(up), _first_largest(down)

    top, low = cut_index == 0, cut_index == bottom
    first = np.where(low, weakest, strongest)
    second = np.where(
        low, _first_largest(down, weakest), np.where(top, _first_largest(up, strongest), weakest)
    )
    del up, down
    has_first = np.choose(first, known)
    has_second = np.choose(second, known) & (second != first)
    score_first = np.where(has_first, np.choose(first, scores), 0)
    score_second = np.where(has_second, np.choose(second, scores), 0)
    per_tier = n_pillars * 101
    middle = np.where(
        has_second,
        np.where(low | top, 0, 1) * per_tier + second * 101 + score_second,
        2 * per_tier,
    )
    notes, note = _guardrail_notes(rails, config, cut_index)
    prefix = rails.tier_index * len(config.tier_names) + cut_index
    return Reasons(  # the codes in the smallest types that hold them: kept per book state
        metric_scores=metric_scores,
        config=config,
        prefix=prefix.astype("int32"),
        head=np.where(has_first, first * 101 + score_first, per_tier).astype("int32"),
        middle=middle.astype("int32"),
        first=first.astype("int8"),
        second=second.astype("int8"),
        has_first=has_first,
        has_second=has_second,
        first_up=~low,
        second_up=top,
        note=note.astype("int32"),
        notes=notes,
    )


def build_reasons(
    metric_scores: MetricScores,
    config: Config,
    effective: np.ndarray,
    rails: GuardrailEffects,
    cut_index: np.ndarray,
) -> pa.Array:
    """One sentence per account (see `explain`), every row's text built."""
    return explain(metric_scores, config, effective, rails, cut_index).texts()


def _tier_prefixes(config: Config) -> list[str]:
    """'Mid-touch: ', or 'Mid-touch (priority alone: Low-touch): ' where a guard-rail moved it,
    for each final tier x tier by priority alone.

    The drivers that follow always explain the priority, so a moved account names both tiers.
    """
    names = config.tier_names
    return [
        f"{final}: " if final == alone else f"{final} (priority alone: {alone}): "
        for final in names
        for alone in names
    ]


def _guardrail_notes(
    rails: GuardrailEffects, config: Config, cut_index: np.ndarray
) -> tuple[tuple[str, ...], np.ndarray]:
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
    return tuple(notes), codes


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
