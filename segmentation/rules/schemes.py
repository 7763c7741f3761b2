"""Metric schemes: one column of values -> a 0-100 score per account (NaN where missing).

The registry is the one home of a scheme: its settings fields, their constraints, its
vectorised score, its plain words and its label in the app. A new scheme is one
`register(Scheme(...))` (plus its tests); config validation, JSON, descriptions, reasons
and the Workshop's scheme list all read the registry.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from segmentation.columns import column_label
from segmentation.rules import sql
from segmentation.rules.constraints import Choice, Number, Table, Text, check_fields, fail
from segmentation.rules.inputs import SQL_READERS, as_flags, as_numbers

DIRECTIONS: tuple[str, ...] = ("higher", "lower")
MISSING_POLICIES: tuple[str, ...] = ("skip", "neutral", "worst")
MISSING_HELP = {
    "skip": "left out, the other metrics of the pillar re-weighted",
    "neutral": "scored 50",
    "worst": "scored as the worst value (0)",
}
MISSING_FILL = {"skip": np.nan, "neutral": 50.0, "worst": 0.0}
MAX_WEIGHT = 1_000_000.0  # weights are relative; beyond this, float sums lose the small ones


@dataclass(frozen=True)
class Band:
    up_to: float | None  # None: no upper bound (the last band)
    score: float


@dataclass(frozen=True)
class Metric:
    """One input column turned into a 0-100 score inside a pillar."""

    column: str
    weight: float = 1.0
    scheme: str = "percentile"
    direction: str = "higher"  # "higher": a higher value gives a higher score
    missing: str = "skip"
    low: float | None = None  # linear
    high: float | None = None  # linear
    bands: tuple[Band, ...] = ()
    categories: tuple[tuple[str, float], ...] = ()
    other: float | None = None  # category score for values not listed; None = missing
    # Settings of a scheme registered beyond the built-in ones: (field, value) pairs.
    params: tuple[tuple[str, Any], ...] = ()

    def setting(self, name: str) -> Any:
        """A scheme setting by name: a field of its own, or one of `params`."""
        if name in METRIC_FIELDS:
            return getattr(self, name)
        return dict(self.params).get(name)

    def scoring_key(self) -> tuple:
        """Everything that changes the metric's score: every field but its weight (derived)."""
        return tuple(getattr(self, name) for name in METRIC_FIELDS if name != "weight")


METRIC_FIELDS: tuple[str, ...] = tuple(Metric.__dataclass_fields__)

# Read by every scheme: the metric's own settings, as constraints.
METRIC_CONSTRAINTS: Table = (
    ("column", Text("must name a column")),
    ("weight", Number(minimum=0, maximum=MAX_WEIGHT)),
    ("scheme", Choice(lambda: tuple(SCHEMES))),
    ("direction", Choice(DIRECTIONS)),
    ("missing", Choice(MISSING_POLICIES)),
)


@dataclass(frozen=True)
class Scheme:
    """A way to turn a column into a 0-100 score, with everything that belongs to it."""

    name: str
    label: str  # in the Workshop's scheme list
    help: str  # one phrase: what the scheme does
    score: Callable[[Any, Metric], np.ndarray]  # values as `reads` gives them -> 0-100
    reads: str = "numbers"  # "numbers", "flags" or "values" (the column as it is)
    directional: bool = True  # False: the scheme's own points already say what is good
    fields: tuple[str, ...] = ()  # the settings this scheme owns (Metric fields or params)
    constraints: Table = ()
    check: Callable[[str, Metric], None] | None = None  # rules across fields
    describe: Callable[[Metric], str] | None = None  # the rule in words; default: `help`
    inputs: tuple[tuple[str, str, float], ...] = ()  # (field, label, default) number inputs
    ready: Callable[[Metric], bool] = field(default=lambda metric: True)  # pickable in the app
    # The score as SQL: (value expression as `reads` gives it, metric) -> 0-100, NULL if none.
    sql: Callable[[str, Metric], str] | None = None

    def words(self, metric: Metric) -> str:
        return self.describe(metric) if self.describe else self.help


SCHEMES: dict[str, Scheme] = {}


def register(scheme: Scheme) -> Scheme:
    """Add a scheme (or replace one of the same name); returns it."""
    SCHEMES[scheme.name] = scheme
    return scheme


def unregister(name: str) -> None:
    SCHEMES.pop(name, None)


def get_scheme(name: str) -> Scheme:
    return SCHEMES[name]


def scheme_names() -> tuple[str, ...]:
    return tuple(SCHEMES)


def param_fields(scheme_name: str) -> tuple[str, ...]:
    """The settings of a scheme that are not Metric fields (kept in `Metric.params`)."""
    scheme = SCHEMES.get(scheme_name)
    return tuple(f for f in scheme.fields if f not in METRIC_FIELDS) if scheme else ()


# --- the numbers ----------------------------------------------------------------------------


@dataclass(frozen=True)
class DistinctRanks:
    """The tie rule's numbers per distinct value of a column, and each row's distinct value.

    Whatever a caller makes of the ranks (a percentile, an ARR rank) is worked out once per
    distinct value and then given to the rows in one gather (`per_row`): a book's columns hold
    far fewer distinct values than rows, and every row gets the very same double it would
    have got from its own arithmetic.
    """

    codes: np.ndarray  # per row, its distinct value's position; -1 where missing
    average: np.ndarray  # per distinct value: its average rank (1 = lowest, ties share)
    at_or_below: np.ndarray  # per distinct value: the count of known values <= it
    known: int  # the count of known (non-missing) values

    def per_row(self, per_value: np.ndarray) -> np.ndarray:
        """Each row's entry of `per_value` (one per distinct value); NaN where missing."""
        return np.append(per_value, np.nan)[self.codes]  # code -1 picks the trailing NaN


def distinct_ranks(numbers: np.ndarray) -> DistinctRanks:
    """Average rank and count of values <= each distinct value; NaN is missing.

    The distinct values are found by hashing (pd.factorize) and only they are sorted: a book's
    columns hold far fewer distinct values than rows (NPS 11, health 101, ARR a few thousand),
    so this is 2-3 times faster than sorting every row (np.unique), and no slower when
    every value is distinct.
    """
    codes, uniques = pd.factorize(numbers, use_na_sentinel=True)
    codes = np.asarray(codes)
    uniques = np.asarray(uniques, dtype="float64")
    known_codes = codes if not len(codes) or codes.min() >= 0 else codes[codes >= 0]
    counts = np.bincount(known_codes, minlength=len(uniques))
    order = np.argsort(uniques)
    at_or_below = np.empty(len(uniques))
    at_or_below[order] = np.cumsum(counts[order])
    average = at_or_below - (counts - 1) / 2.0
    return DistinctRanks(codes, average, at_or_below, len(known_codes))


def percentile_score(numbers: np.ndarray, metric: Metric | None = None) -> np.ndarray:
    """Rank within the book: lowest 0, highest 100, ties share their average rank."""
    ranks = distinct_ranks(numbers)
    if ranks.known <= 1:
        return ranks.per_row(np.full(len(ranks.average), 50.0))
    return ranks.per_row((ranks.average - 1.0) / (ranks.known - 1) * 100.0)


def linear_score(numbers: np.ndarray, low: float, high: float) -> np.ndarray:
    """clip((numbers - low) / (high - low), 0, 1) * 100, the steps done in one new array."""
    scores = numbers - low
    scores /= high - low
    np.clip(scores, 0.0, 1.0, out=scores)
    scores *= 100.0
    return scores


def bands_score(numbers: np.ndarray, metric: Metric) -> np.ndarray:
    """First band whose `up_to` the value does not exceed; the open last band takes the rest."""
    scores = np.full(len(numbers), np.nan)
    unassigned = ~np.isnan(numbers)
    for band in metric.bands:
        hit = unassigned if band.up_to is None else unassigned & (numbers <= band.up_to)
        scores[hit] = band.score
        unassigned &= ~hit
    return scores


# Words a plan or contract label carries that do not change what it is ("Pro (Annual)").
_LABEL_NOISE = frozenset(
    (
        "annual", "annually", "yearly", "monthly", "quarterly", "billing", "billed", "plan",
        "edition", "package", "subscription", "license", "licence", "tier",
    )
)  # fmt: skip


def category_key(label: object) -> str:
    """A label as categories compare it: case, punctuation and billing suffixes ignored.

    "Enterprise (Annual)", "enterprise" and "ENTERPRISE - yearly" are all "enterprise"; a
    label made only of such words ("Annual", "Monthly") is kept as it is.
    """
    words = re.sub(r"[\W_]+", " ", str(label).casefold()).split()
    kept = [w for w in words if w not in _LABEL_NOISE]
    return " ".join(kept or words)


def category_table(metric: Metric) -> dict[str, float]:
    """Each listed category's score by its lenient key (the first listing of a key wins)."""
    table: dict[str, float] = {}
    for name, score in metric.categories:
        table.setdefault(category_key(name), float(score))
    return table


def factorized(values: pd.Series) -> tuple[np.ndarray, list]:
    """Per row a code into the distinct values (-1: missing), and those values in the order
    they first appear. Text is hashed where it lives (Arrow), not turned into a million
    Python strings first; anything else is compared as Python objects."""
    if isinstance(values.dtype, pd.StringDtype):
        codes, uniques = pd.factorize(values.array, use_na_sentinel=True)
    else:
        codes, uniques = pd.factorize(values.astype("object"), use_na_sentinel=True)
    return np.asarray(codes), list(uniques)


def category_score(values: pd.Series, metric: Metric) -> np.ndarray:
    """Lenient lookup (see `category_key`), done once per distinct value, not per row."""
    codes, uniques = factorized(values)
    table = category_table(metric)
    other = np.nan if metric.other is None else float(metric.other)
    unique_scores = np.array(
        [table.get(category_key(u), other) for u in uniques] + [np.nan], dtype="float64"
    )
    blank = np.array([not str(u).strip() for u in uniques] + [True])
    unique_scores[blank] = np.nan
    return unique_scores[codes]  # code -1 (missing) picks the trailing NaN


def _label_keys(values: pd.Series) -> tuple[np.ndarray, list[str], list[str]]:
    """Per row a code into the distinct labels (-1: blank or missing), the labels, their keys.

    Keys are made once per distinct label, not per row.
    """
    codes, uniques = factorized(values)
    labels = [str(u).strip() for u in uniques]
    codes = np.where(codes >= 0, codes, -1)
    blank = np.array([not label for label in labels] + [True])
    codes = np.where(blank[codes], -1, codes)
    return codes, labels, [category_key(label) for label in labels]


def ordered_by_evidence(
    values: pd.Series, evidence: np.ndarray, metric: Metric
) -> tuple[tuple[str, float], ...]:
    """Scores for the labels the metric does not list, from the book's own evidence.

    Each label's median evidence (e.g. ARR) places it among the listed labels found in the
    book, by interpolating their scores; with no listed label in the book, the labels are
    spread from 0 to 100 in order of their medians. Labels without evidence are left out.
    """
    codes, labels, keys = _label_keys(values)
    table = category_table(metric)
    if all(key in table for key in keys):
        return ()
    key_codes, key_names = pd.factorize(pd.Series(keys, dtype="object"))
    row_keys = np.where(codes >= 0, key_codes[np.maximum(codes, 0)], -1)
    usable = (row_keys >= 0) & ~np.isnan(evidence)
    medians = pd.Series(evidence[usable]).groupby(row_keys[usable]).median()
    median_of = {key_names[k]: m for k, m in medians.items()}
    first_label = {}
    for label, key in zip(labels, keys, strict=True):
        first_label.setdefault(key, label)
    listed = sorted((median_of[k], s) for k, s in table.items() if k in median_of)
    found = sorted(
        (median_of[k], first_label[k]) for k in first_label if k not in table and k in median_of
    )
    if not found:
        return ()
    if listed:
        xs, ys = zip(*listed, strict=True)
        scores = np.interp([m for m, _ in found], xs, ys)
    else:
        ranks = pd.Series([m for m, _ in found]).rank(method="average").to_numpy()
        scores = (ranks - 1) / max(len(found) - 1, 1) * 100.0
    return tuple((label, round(float(s), 1)) for (_, label), s in zip(found, scores, strict=True))


READERS: dict[str, Callable[[pd.Series], Any]] = {
    "numbers": as_numbers,
    "flags": as_flags,
    "values": lambda values: values,
}


def raw_metric_score(values: pd.Series, metric: Metric) -> np.ndarray:
    """The metric's 0-100 score before the missing-value policy (NaN where unusable)."""
    scheme = SCHEMES[metric.scheme]
    scores = np.asarray(scheme.score(READERS[scheme.reads](values), metric), dtype="float64")
    if scheme.directional and metric.direction == "lower":
        return 100.0 - scores
    return scores


def metric_score(values: pd.Series, metric: Metric) -> np.ndarray:
    """The metric's 0-100 score with its missing-value policy applied."""
    return with_missing_policy(raw_metric_score(values, metric), metric)


def with_missing_policy(scores: np.ndarray, metric: Metric) -> np.ndarray:
    """Missing scores filled as the metric says: left missing (skip), 50 or 0."""
    fill = MISSING_FILL[metric.missing]
    if not np.isnan(fill):
        scores = np.where(np.isnan(scores), fill, scores)
    return scores


# --- the SQL form (DuckDB dialect; segmentation/warehouse composes and transpiles it) ---------


def percentile_sql(value: str, metric: Metric | None = None) -> str:
    """`percentile_score` in SQL: the same average rank of ties, from the same counts."""
    at_or_below, ties, known = sql.tie_counts(value)
    average = f"(CAST({at_or_below} AS DOUBLE) - (CAST({ties} AS DOUBLE) - 1.0) / 2.0)"
    ranked = f"({average} - 1.0) / CAST({known} - 1 AS DOUBLE) * 100.0"
    return sql.case([(f"{value} IS NULL", "NULL"), (f"{known} <= 1", "50.0")], ranked)


def linear_sql(value: str, metric: Metric) -> str:
    ratio = f"(({value} - {sql.number(metric.low)}) / {sql.number(metric.high - metric.low)})"
    clipped = sql.case([(f"{ratio} < 0.0", "0.0"), (f"{ratio} > 1.0", "1.0")], ratio)
    return f"({clipped} * 100.0)"


def bands_sql(value: str, metric: Metric) -> str:
    whens = [(f"{value} IS NULL", "NULL")]
    for band in metric.bands:
        hit = "TRUE" if band.up_to is None else f"{value} <= {sql.number(band.up_to)}"
        whens.append((hit, sql.number(band.score)))
    return sql.case(whens)


WORD_BREAKS = r"[^\pL\pN]+"  # `category_key`'s [\W_]+: anything but letters and digits


def category_key_sql(value: str) -> str:
    """`category_key` in SQL: casefold, words split at punctuation, billing words dropped.

    NULL where the label is missing or blank (`category_score` leaves those unscored).
    """
    lower = f"LOWER(CAST({value} AS VARCHAR))"
    words = f"TRIM(REGEXP_REPLACE({lower}, {sql.text(WORD_BREAKS)}, ' ', 'g'))"
    noise = "|".join(sorted(_LABEL_NOISE))
    runs = f"' ({noise})( ({noise}))* '"  # each run of noise words, spaces around
    kept = f"TRIM(REGEXP_REPLACE(' ' || {words} || ' ', {runs}, ' ', 'g'))"
    blank = f"{value} IS NULL OR TRIM(CAST({value} AS VARCHAR)) = ''"
    return sql.case([(blank, "NULL"), (f"{kept} = ''", words)], kept)


def category_sql(value: str, metric: Metric) -> str:
    """`category_score` in SQL on the label's key (`category_key_sql`, or the query's column
    `value.key`); an unlisted label takes its learned score (`value.learned`), else `other`.
    """
    key = getattr(value, "key", None) or category_key_sql(value)
    whens = [(f"{key} IS NULL", "NULL")]
    table = category_table(metric)
    whens += [(f"{key} = {sql.text(name)}", sql.number(score)) for name, score in table.items()]
    other = "NULL" if metric.other is None else sql.number(metric.other)
    learned = getattr(value, "learned", None)
    return sql.case(whens, f"COALESCE({learned}, {other})" if learned else other)


def ordered_by_evidence_sql(key: str, evidence: str, source: str, metric: Metric, name: str):
    """`ordered_by_evidence` in SQL: CTEs ending in `{name}` (key, score) for unlisted labels.

    `key` / `evidence`: columns of `source` (the label's key, the evidence as a number).
    """
    table = category_table(metric)
    keys = ", ".join(sql.text(k) for k in table)
    is_listed = f"key IN ({keys})" if table else "FALSE"
    points = sql.case([(f"key = {sql.text(k)}", sql.number(s)) for k, s in table.items()])
    m, listed, found = f"{name}_medians", f"{name}_listed", f"{name}_found"
    bounds = f"{name}_bounds"
    slope = "(y_hi - y_lo) / (x_hi - x_lo) * (median - x_lo) + y_lo"
    # as np.interp over the listed points sorted by (median, score): the last point at or
    # below the median, the first above it; outside them the end points' scores
    interp = sql.case(
        [("x_lo IS NULL", "y_hi"), ("x_hi IS NULL", "y_lo"), ("median = x_lo", "y_lo")], slope
    )
    at_or_below, ties, count = (f"CAST(COUNT(*) OVER ({w}) AS DOUBLE)" for w in (
        "ORDER BY median", "PARTITION BY median", ""))  # fmt: skip
    spread = f"({at_or_below} - ({ties} - 1.0) / 2.0 - 1.0) / GREATEST({count} - 1.0, 1.0) * 100.0"
    return [
        f"{m} AS (SELECT {key} AS key, MEDIAN({evidence}) AS median FROM {source} "
        f"WHERE {key} IS NOT NULL AND {evidence} IS NOT NULL GROUP BY {key})",
        f"{listed} AS (SELECT median AS x, {points} AS y FROM {m} WHERE {is_listed})",
        f"{found} AS (SELECT key, median FROM {m} WHERE NOT ({is_listed}))",
        f"{bounds} AS (SELECT key, median, MAX(CASE WHEN x <= median THEN x END) AS x_lo, "
        f"MIN(CASE WHEN x > median THEN x END) AS x_hi FROM {found} CROSS JOIN {listed} "
        "GROUP BY key, median)",
        f"{name}_points AS (SELECT key, {interp} AS score FROM (SELECT b.key, b.median, b.x_lo, "
        "b.x_hi, MAX(lo.y) AS y_lo, MIN(hi.y) AS y_hi "
        f"FROM {bounds} AS b LEFT JOIN {listed} AS lo ON lo.x = b.x_lo "
        f"LEFT JOIN {listed} AS hi ON hi.x = b.x_hi GROUP BY b.key, b.median, b.x_lo, b.x_hi) "
        f"AS interpolated UNION ALL SELECT key, {spread} AS score FROM {found} "
        f"WHERE NOT EXISTS (SELECT 1 FROM {listed}))",
        f"{name} AS (SELECT key, {sql.round_half_even('score', 1)} AS score FROM {name}_points)",
    ]


def reading_sql(column: str, metric: Metric) -> tuple[str, str]:
    """How the metric reads its column: (the reader's name, its SQL over the column)."""
    reads = SCHEMES[metric.scheme].reads
    return reads, SQL_READERS[reads](column)


def raw_metric_score_sql(value: str, metric: Metric) -> str:
    """`raw_metric_score` in SQL on the value as the scheme `reads` it (see `reading_sql`)."""
    scheme = SCHEMES[metric.scheme]
    if scheme.sql is None:
        fail(f"metric {metric.column}", f"the {metric.scheme} scheme has no SQL form yet")
    score = scheme.sql(value, metric)
    if scheme.directional and metric.direction == "lower":
        score = f"(100.0 - {score})"
    return score


def with_missing_policy_sql(score: str, metric: Metric, fed: str) -> str:
    """`with_missing_policy` where `fed` (the book gives the metric a score somewhere)."""
    fill = MISSING_FILL[metric.missing]
    if np.isnan(fill):
        return score
    return sql.case([(fed, f"COALESCE({score}, {sql.number(fill)})")], score)


# --- checks across fields -------------------------------------------------------------------

SCORE = Number(minimum=0, maximum=100)


def _check_linear(path: str, metric: Metric) -> None:
    if metric.high <= metric.low:
        fail(f"{path}.high", f"must be above low ({metric.low:g}), got {metric.high:g}")


def _check_bands(path: str, metric: Metric) -> None:
    if not metric.bands:
        fail(f"{path}.bands", "the bands scheme needs at least one band")
    previous = -math.inf
    for i, band in enumerate(metric.bands):
        SCORE.check(f"{path}.bands[{i}].score", band.score)
        if band.up_to is None:
            if i != len(metric.bands) - 1:
                fail(f"{path}.bands[{i}].up_to", "only the last band may be open-ended")
            continue
        Number().check(f"{path}.bands[{i}].up_to", band.up_to)
        if band.up_to <= previous:
            fail(f"{path}.bands[{i}].up_to", "bands must be in increasing order")
        previous = band.up_to


def _check_categories(path: str, metric: Metric) -> None:
    if not metric.categories:
        fail(f"{path}.categories", "the category scheme needs at least one category")
    for name, score in metric.categories:
        SCORE.check(f"{path}.categories[{name!r}]", score)


def validate_metric(path: str, metric: Metric) -> None:
    """Raise ConfigError naming the first invalid field of one metric."""
    check_fields(path, metric.setting, METRIC_CONSTRAINTS)
    scheme = SCHEMES[metric.scheme]
    check_fields(path, metric.setting, scheme.constraints)
    if scheme.check is not None:
        scheme.check(path, metric)


# --- plain words ----------------------------------------------------------------------------


def _bands_words(metric: Metric) -> str:
    return ", ".join(
        f"up to {b.up_to:g} -> {b.score:g}" if b.up_to is not None else f"above -> {b.score:g}"
        for b in metric.bands
    )


def _category_words(metric: Metric) -> str:
    rule = ", ".join(f"{name} {score:g}" for name, score in metric.categories)
    order_by = metric.setting("order_by")
    if order_by:
        rule += f"; labels not listed placed by their median {column_label(order_by)} in the book"
    return rule + (f", other {metric.other:g}" if metric.other is not None else "")


def describe_metric(metric: Metric) -> str:
    rule = SCHEMES[metric.scheme].words(metric)
    worse = "" if metric.direction == "higher" else ", lower is better"
    missing = "" if metric.missing == "skip" else f"; missing: {MISSING_HELP[metric.missing]}"
    scheme = SCHEMES[metric.scheme].label.lower()
    label = column_label(metric.column)
    return f"{label} (weight {metric.weight:g}, {scheme}: {rule}{worse}{missing})"


# --- the built-in schemes -------------------------------------------------------------------

register(
    Scheme(
        "percentile",
        "Percentile rank",
        "rank within the book, 0 (lowest) to 100 (highest)",
        percentile_score,
        sql=percentile_sql,
    )
)
register(
    Scheme(
        "linear",
        "Linear range",
        "straight line from `low` (0) to `high` (100), clipped",
        lambda numbers, m: linear_score(numbers, m.low, m.high),
        fields=("low", "high"),
        constraints=(("low", Number()), ("high", Number())),
        check=_check_linear,
        describe=lambda m: f"{m.low:g} -> 0 to {m.high:g} -> 100",
        inputs=(("low", "Scores 0 at", 0.0), ("high", "Scores 100 at", 100.0)),
        sql=linear_sql,
    )
)
register(
    Scheme(
        "bands",
        "Bands",
        "points per band: a value up to each band's `up_to` gets its `score`",
        bands_score,
        directional=False,
        fields=("bands",),
        check=_check_bands,
        describe=_bands_words,
        ready=lambda m: bool(m.bands),
        sql=bands_sql,
    )
)
register(
    Scheme(
        "boolean",
        "Yes / no",
        "yes = 100, no = 0",
        lambda flags, m: flags * 100.0,
        reads="flags",
        sql=lambda flag, m: f"({flag} * 100.0)",
    )
)
register(
    Scheme(
        "category",
        "Category points",
        "points per category, `other` for anything not listed",
        category_score,
        reads="values",
        directional=False,
        fields=("categories", "other", "order_by"),
        constraints=(
            ("other", Number(minimum=0, optional=True)),
            ("order_by", Text("must name a column, or be left out", optional=True)),
        ),
        check=_check_categories,
        describe=_category_words,
        ready=lambda m: bool(m.categories),
        sql=category_sql,
    )
)
