"""Why each account sits in its tier, as a short sentence with the values behind it.

"High-touch: growth 86 (whitespace $410k), health risk 71 (NPS 3)".
Built column-wise: the drivers are picked with array arithmetic (the pillars by one
comparison per pair of pillars and a table of orders), each distinct value is formatted once
per book, and every row's pieces are put together by one Arrow take, so a million reasons
cost a few hundred milliseconds instead of a Python loop.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from segmentation.config import Config, Pillar
from segmentation.formats import money
from segmentation.rules.inputs import as_flags, as_numbers
from segmentation.rules.metrics import MetricScores, PillarMetrics
from segmentation.rules.schemes import SCHEMES
from segmentation.rules.tiers import GuardrailEffects

BLOCK = 1 << 16  # rows at a time where a few passes go over the same rows: they stay in cache

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
    """Round to `digits` significant digits, so that few distinct values need formatting
    (a block of rows at a time: its dozen passes stay in the CPU cache)."""
    if len(values) <= BLOCK:
        return _significant(values, digits)
    rounded = np.empty(len(values))
    for start in range(0, len(values), BLOCK):
        rounded[start : start + BLOCK] = _significant(values[start : start + BLOCK], digits)
    return rounded


def _significant(values: np.ndarray, digits: int) -> np.ndarray:
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


def _kept(metric_scores: MetricScores, key: tuple, make: Callable[[], object]) -> object:
    """`make()`, kept in the metric scores' reason cache under `key` (per book + schemes)."""
    if key not in metric_scores.reason_cache:
        metric_scores.reason_cache[key] = make()
    return metric_scores.reason_cache[key]


# --- picking the drivers ----------------------------------------------------------------------


def _first_of(columns: dict[int, np.ndarray], largest: bool, n: int) -> np.ndarray:
    """Per row, the key of the first of `columns` holding its largest (or smallest) value,
    column by column: NaN never wins, and a row of NaN gets 0 (np.argmax's pick in a row of
    -inf). An argmax along rows of a few values is several times slower."""
    best = np.full(n, -np.inf if largest else np.inf)
    choice = np.zeros(n, dtype="int16")
    beats, keep = (np.greater, np.fmax) if largest else (np.less, np.fmin)
    for key, column in columns.items():
        choice[beats(column, best)] = key
        keep(best, column, out=best)
    return choice


def driving_metric(
    metric_scores: MetricScores, config: Config, p: int, rows: np.ndarray | slice
) -> np.ndarray:
    """For the given accounts (a slice: the whole book), the metric of pillar `p` that set
    each furthest apart from a typical account: (2, rows) metric positions, the one that
    pulled it down, then the one that pulled it up.

    Measured against the book's mean score, not 50: a flag that almost nobody has (strategic
    account) would otherwise explain every account's low strategic value.
    """
    settings, pillar = config.pillars[p], metric_scores.pillars[p]
    if not isinstance(rows, slice):
        return _drivers(pillar, settings, rows, len(rows))
    n = len(metric_scores)
    drivers = np.empty((2, n), dtype="int16")
    for start in range(0, n, BLOCK):
        block = slice(start, min(start + BLOCK, n))
        drivers[:, block] = _drivers(pillar, settings, block, block.stop - block.start)
    return drivers


def _drivers(
    pillar: PillarMetrics, settings: Pillar, rows: np.ndarray | slice, n: int
) -> np.ndarray:
    weights = np.array([m.weight for m in settings.metrics])
    scale = (1.0 if settings.effect == "raises" else -1.0) * weights
    pulls = {
        m: np.where(
            pillar.known[rows, m], (pillar.filled[rows, m] - pillar.typical[m]) * scale[m], np.nan
        )
        for m in np.flatnonzero((weights > 0) & _fed(pillar))  # a metric with no value never drives
    }
    return np.stack([_first_of(pulls, False, n), _first_of(pulls, True, n)])


def _fed(pillar: PillarMetrics) -> np.ndarray:
    """Per metric, whether the book gives it any value."""
    fed = pillar.fed
    return fed if len(fed) == len(pillar.metrics) else pillar.known.any(axis=0)


@functools.cache
def _order_table(k: int) -> np.ndarray:
    """For `k` columns, each code of `_first_two`'s bits -> the first column of that order
    plus 16 x the second (a code whose bits no order gives reads as any order)."""
    pairs = list(itertools.combinations(range(k), 2))
    codes = np.arange(2 ** len(pairs))
    wins = np.zeros((len(codes), max(k, 2)), dtype="int64")
    wins[:, k:] = -1  # one column: it is first and second
    for bit, (j, k2) in enumerate(pairs):
        before = (codes >> (len(pairs) - 1 - bit)) & 1
        wins[:, j] += before
        wins[:, k2] += 1 - before
    order = np.argsort(-wins, axis=1, kind="stable")
    second = np.where(order[:, 1] < k, order[:, 1], order[:, 0])
    return (order[:, 0] + 16 * second).astype("uint8")


def _first_two(
    columns: list[np.ndarray], missing: list[np.ndarray], names: np.ndarray, largest: bool
) -> tuple[np.ndarray, np.ndarray]:
    """Per row, the names of the first and the second of a few `columns` in order (largest
    first, or smallest first), ties to the earlier column, `missing` values last.

    One pass per pair of columns: a bit says which of the two comes first, and the row's bits
    index a table of orders (4 columns: 6 bits, 64 orders)."""
    n = len(columns[0])
    pairs = list(itertools.combinations(range(len(columns)), 2))
    code = np.zeros(n, dtype="uint8" if len(pairs) <= 8 else "uint16")
    comes_first = np.greater_equal if largest else np.less_equal
    for j, k in pairs:
        bit = comes_first(columns[j], columns[k])
        bit |= missing[k]
        code <<= 1
        code |= bit
    table = _order_table(len(columns))
    named = (names[table % 16] + 16 * names[table // 16]).astype("uint8")
    both = named.take(code)
    return both % 16, both // 16


@dataclass(frozen=True, eq=False)
class Reasons:
    """What makes each account's sentence, as compact codes; the text is built on request,
    for the rows asked for (`texts`), from the codes and the values they point at."""

    metric_scores: MetricScores
    config: Config
    effective: np.ndarray  # (accounts, pillars): the pillar scores as they enter priority
    tier: np.ndarray  # the final tier
    cut: np.ndarray  # the tier by priority alone
    first: np.ndarray  # the first driving pillar (valid where has_first)
    second: np.ndarray  # the second (valid where has_second)
    has_first: np.ndarray
    has_second: np.ndarray
    note: np.ndarray  # code into `notes`: the guard-rail that changed the tier, if any
    notes: tuple[str, ...]
    held: pa.Array | None = None  # the movement rule that held each account (text), if any

    def __len__(self) -> int:
        return len(self.tier)

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
        at = slice(None) if rows is None else np.asarray(rows, dtype="int64")
        config, per_tier = self.config, len(self.config.pillars) * 101
        cut, has_first, has_second = self.cut[at], self.has_first[at], self.has_second[at]
        first, second = self.first[at].astype("int32"), self.second[at].astype("int32")
        low, top = cut == len(config.tiers) - 1, cut == 0
        effective = self.effective[at]
        head = np.where(has_first, first * 101 + _score(effective, first, has_first), per_tier)
        opening = (self.tier[at].astype("int32") * len(config.tiers) + cut) * (per_tier + 1)
        opening += head
        joiner = np.where(low | top, 0, per_tier)
        middle = np.where(
            has_second, joiner + second * 101 + _score(effective, second, has_second), 2 * per_tier
        )
        values, (first_codes, second_codes) = _value_codes(
            self.metric_scores, config, at, (first, ~low, has_first), (second, top, has_second)
        )
        notes = pa.array(self.notes, pa.string())
        parts = [
            (_openings(config), opening),
            (values, first_codes),
            (_middles(config), middle),
            (values, second_codes),
            (notes, self.note[at]),
        ]
        if self.held is not None:
            held = pc.dictionary_encode(self.held if rows is None else self.held.take(at))
            parts.append((held.dictionary, held.indices.to_numpy()))
        return _joined(parts)


def _joined(parts: list[tuple[pa.Array, np.ndarray]]) -> pa.Array:
    """Per row, its text of each part (a table of texts, and a code per row into it) one
    after another: one take of every row's codes in turn, whose text buffer holds the
    sentences back to back, read with every len(parts)-th offset (no join, no copy)."""
    tables: dict[int, tuple[int, pa.Array]] = {}
    size = 0
    for table, _ in parts:  # a table used twice (the values) goes in once
        if id(table) not in tables:
            tables[id(table)] = size, table
            size += len(table)
    n = len(parts[0][1])
    codes = np.empty((n, len(parts)), dtype="int32")
    for k, (table, part) in enumerate(parts):
        np.add(part, tables[id(table)][0], out=codes[:, k], casting="unsafe")
    pieces = pa.concat_arrays([table for _, table in tables.values()]).take(codes.ravel())
    offsets = np.frombuffer(pieces.buffers()[1], dtype="int32", count=len(pieces) + 1)
    sentences = pa.py_buffer(np.ascontiguousarray(offsets[:: len(parts)]))
    return pa.StringArray.from_buffers(n, sentences, pieces.buffers()[2])


def _score(effective: np.ndarray, pillar: np.ndarray, valid: np.ndarray) -> np.ndarray:
    """Each row's score of the given pillar as its text shows it (0 where not `valid`)."""
    picked = effective[np.arange(len(pillar)), pillar]
    return np.where(valid, np.clip(np.round(np.nan_to_num(picked)), 0, 100), 0).astype("int16")


def _value_codes(
    metric_scores: MetricScores,
    config: Config,
    at: np.ndarray | slice,
    *picks: tuple[np.ndarray, np.ndarray, np.ndarray],
) -> tuple[pa.Array, list[np.ndarray]]:
    """The text of the driving metric value ('NPS 3)') of each pick's pillar, per row: one
    table, and per pick (pillar, upward, valid) the codes into it ('' where not valid)."""
    tables, size = [], 0
    codes = [np.full(len(pillar), -1, dtype="int32") for pillar, _, _ in picks]
    keys = [np.where(valid, pillar * 2 + upward, -1) for pillar, upward, valid in picks]
    for p in range(len(config.pillars)):
        masks = [(key == 2 * p, key == 2 * p + 1) for key in keys]  # pulled down, up
        if not any(here.any() for pair in masks for here in pair):
            continue
        table, pillar_codes = _pillar_values(metric_scores, config, p, at)
        for pair, out in zip(masks, codes, strict=True):
            for direction, here in enumerate(pair):
                np.add(pillar_codes[direction], size, out=out, where=here)
        tables.append(table)
        size += len(table)
    for out in codes:
        out[out < 0] = size  # the empty text, last
    return pa.concat_arrays([*tables, pa.array([""])]), codes


def _pillar_values(
    metric_scores: MetricScores, config: Config, p: int, at: np.ndarray | slice
) -> tuple[pa.Array, np.ndarray]:
    """For the rows `at`, the value text of pillar `p`'s driving metrics: a table and
    (2, rows) codes into it (the metric that pulled down, then up).

    For the whole book: each metric's values formatted once per book, and the drivers' codes
    kept per metric weights (the latest only); for some rows, only their drivers' values."""
    if not isinstance(at, slice):
        return _row_values(metric_scores, config, p, at)
    settings = config.pillars[p]
    weights = (settings.effect, tuple(m.weight for m in settings.metrics))
    kept = metric_scores.reason_cache.get(("values", p))
    if kept is None or kept[0] != weights:
        table, stack = _kept(metric_scores, ("texts", p), lambda: _book_values(metric_scores, p))
        drivers = driving_metric(metric_scores, config, p, at).astype("int64")
        drivers *= stack.shape[1]
        drivers += np.arange(stack.shape[1])
        kept = weights, (table, stack.ravel().take(drivers))
        metric_scores.reason_cache[("values", p)] = kept
    return kept[1]


def _book_values(metric_scores: MetricScores, p: int) -> tuple[pa.Array, np.ndarray]:
    """Every value text of pillar `p`'s metrics, each distinct one once: the table, and
    (metrics, accounts) codes into it (a metric the book gives no value drives no account:
    its codes are left 0, but the first's, np.argmax's pick where none can drive)."""
    pillar = metric_scores.pillars[p]
    stack, texts = np.zeros((len(pillar.metrics), len(metric_scores)), dtype="int32"), []
    for m, (metric, fed) in enumerate(zip(pillar.metrics, _fed(pillar), strict=True)):
        if fed or m == 0:
            codes, metric_texts = describe_values(pillar.inputs[m], metric.column, metric.scheme)
            np.add(codes, len(texts), out=stack[m], casting="unsafe")
            texts.extend(metric_texts)
    return _closed(texts), stack


def _row_values(
    metric_scores: MetricScores, config: Config, p: int, rows: np.ndarray
) -> tuple[pa.Array, np.ndarray]:
    """`_pillar_values` for some rows: only the values of their drivers are formatted."""
    drivers = driving_metric(metric_scores, config, p, rows)
    codes, texts = np.zeros(drivers.shape, dtype="int32"), []
    for m, metric in enumerate(metric_scores.pillars[p].metrics):
        here = drivers == m
        wanted = np.flatnonzero(here.any(axis=0))
        if not wanted.size:
            continue
        values = metric_scores.pillars[p].inputs[m]
        value_codes = np.zeros(len(rows), dtype="int64")
        value_codes[wanted], metric_texts = describe_values(
            values, metric.column, metric.scheme, rows[wanted]
        )
        np.add(value_codes, len(texts), out=codes, where=here, casting="unsafe")
        texts.extend(metric_texts)
    return _closed(texts), codes


def _closed(texts: list[str]) -> pa.Array:
    """The value texts as they end a driver's bracket: 'NPS 3)'."""
    return pa.array([f"{text})" for text in texts], pa.string())


JOINERS = (", ", "; held back by ")


@functools.lru_cache(maxsize=16)
def _openings_for(names: tuple[str, ...], labels: tuple[str, ...]) -> pa.Array:
    """The tier prefix and the first pillar's '<pillar> <score> (', for each final tier x tier
    by priority alone x pillar and score, then each prefix with the text of no usable data."""
    heads = [f"{label} {s} (" for label in labels for s in range(101)] + ["no usable data"]
    return pa.array([prefix + head for prefix in _tier_prefixes(names) for head in heads])


def _openings(config: Config) -> pa.Array:
    return _openings_for(config.tier_names, tuple(p.driver_label for p in config.pillars))


@functools.lru_cache(maxsize=16)
def _middles_for(labels: tuple[str, ...]) -> pa.Array:
    """'<joiner><pillar> <score> (' for each joiner, pillar and score, then nothing."""
    texts = [f"{j}{label} {s} (" for j in JOINERS for label in labels for s in range(101)]
    return pa.array([*texts, ""])


def _middles(config: Config) -> pa.Array:
    return _middles_for(tuple(p.driver_label for p in config.pillars))


def explain(
    metric_scores: MetricScores,
    config: Config,
    effective: np.ndarray,
    rails: GuardrailEffects,
    cut_index: np.ndarray,
) -> Reasons:
    """Each account's reason as codes: its tier, the pillars behind it, any guard-rail applied.

    The top tier is explained by its two strongest pillars, the bottom tier by its two
    weakest, a middle tier by its strongest pillar and the one that held it back. Pillars
    pull by (score - 50) x weight; ties go to the earlier pillar, unscored pillars come last.
    """
    weighted = [j for j, p in enumerate(config.pillars) if p.weight > 0]
    names = np.array(weighted, dtype="uint8")
    pulls = [np.subtract(effective[:, j], 50.0) for j in weighted]
    for j, pull in zip(weighted, pulls, strict=True):
        pull *= config.pillars[j].weight
    missing = [np.isnan(pull) for pull in pulls]
    n = len(effective)
    if pulls:
        strongest, up_second = _first_two(pulls, missing, names, largest=True)
        weakest, down_second = _first_two(pulls, missing, names, largest=False)
        scored = len(pulls) - np.sum(missing, axis=0, dtype="int8")
    else:
        strongest = up_second = weakest = down_second = scored = np.zeros(n, dtype="int8")
    top, low = cut_index == 0, cut_index == len(config.tiers) - 1
    first = np.where(low, weakest, strongest)
    second = np.where(low, down_second, np.where(top, up_second, weakest))
    notes, note = _guardrail_notes(rails, config, cut_index)
    return Reasons(  # the codes in the smallest types that hold them: kept per book state
        metric_scores=metric_scores,
        config=config,
        effective=effective,
        tier=rails.tier_index.astype("int8"),
        cut=cut_index.astype("int8"),
        first=first,
        second=second,
        has_first=scored > 0,
        has_second=(scored > 1) & (second != first),
        note=note,
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


def _tier_prefixes(names: tuple[str, ...]) -> list[str]:
    """'Mid-touch: ', or 'Mid-touch (priority alone: Low-touch): ' where a guard-rail moved it,
    for each final tier x tier by priority alone.

    The drivers that follow always explain the priority, so a moved account names both tiers.
    """
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
    notes, codes = [""], np.zeros(len(cut_index), dtype="int32")
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
