"""The settings compiled to one SQL query over a table of the canonical columns.

Each rule's SQL form lives next to its numpy form (`segmentation/rules/*.py`, `*_sql`);
this module only names the intermediate columns, chains them as CTEs in DuckDB's dialect,
and transpiles the result with sqlglot. Columns the table does not have are left out at
compile time (a metric on an absent column is not scored at all; a pillar that no column
feeds is empty, and a pillar empty in the whole book leaves priority, by a window count).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass, replace

import sqlglot
from sqlglot import exp

from segmentation.columns import CANONICAL_COLUMNS
from segmentation.config import Config, profile_config
from segmentation.profiles import PROFILE_COLUMN
from segmentation.rules import sql
from segmentation.rules.constraints import fail
from segmentation.rules.inputs import SQL_READERS
from segmentation.rules.lenses import derived_columns_sql, lens_columns_sql
from segmentation.rules.pillars import (
    SCORE_COLUMNS,
    entering_sql,
    raw_priority_sql,
    rounding_sql,
)
from segmentation.rules.profiles import DEFAULT_PROFILE, describe_profiles
from segmentation.rules.quadrant import quadrant_sql
from segmentation.rules.reasons import strongest_pillar_sql
from segmentation.rules.schemes import (
    WORD_BREAKS,
    category_key,
    category_key_sql,
    ordered_by_evidence_sql,
    raw_metric_score_sql,
    reading_sql,
    with_missing_policy_sql,
)
from segmentation.rules.tiers import (
    cut_tiers_sql,
    guardrails_sql,
    is_relative,
    relative_cutoffs_words,
    share_thresholds_sql,
    thresholds_sql,
    tier_name_sql,
)
from segmentation.segment import LENS_COLUMNS

DIALECTS: tuple[str, ...] = ("duckdb", "snowflake", "bigquery", "spark", "postgres")
RESULT_COLUMNS: tuple[str, ...] = (
    "account_id",
    *SCORE_COLUMNS,
    *("priority", "tier", "quadrant", "driver", "driver_score"),
    *LENS_COLUMNS,
)
MATERIALIZES = ("duckdb", "postgres")  # the dialects with WITH ... AS MATERIALIZED
RANK_COUNTS = ("at_or_below", "ties", "known")
DERIVED = ("whitespace", "adoption", "days_to_renewal", "tenure")  # computed, never read
NUMBER_INPUTS = ("arr", "potential_arr", "active_users", "licensed_seats", "nps", "tenure_months")


@dataclass(frozen=True)
class Query:
    """The query, and what compiling it decided (said aloud by the CLI)."""

    sql: str
    dialect: str
    left_out: tuple[str, ...]  # metric columns the table does not have
    empty_pillars: tuple[str, ...]  # pillars none of whose metrics the table can feed
    not_in_sql: tuple[str, ...] = ()  # settings the query does not apply, in words
    notes: tuple[str, ...] = ()  # what the query decides per run, in words


DERIVED_FROM = {
    "whitespace": "potential_arr and arr",
    "adoption": "active_users and licensed_seats",
    "days_to_renewal": "renewal_date",
    "tenure": "tenure_months or customer_since",
}


def left_out_words(column: str) -> str:
    """Why a metric's column is not in the query, for the CLI's `warning:` line."""
    made_from = DERIVED_FROM.get(column)
    named = f"{column} (made from {made_from})" if made_from else column
    return f"the table has no column {named}: its metric is left out"


def _metric_name(pillar: str, index: int) -> str:
    return f"metric_{pillar}_{index}"


def _select(columns: dict[str, str], source: str, star: bool = True) -> str:
    items = (["*"] if star else []) + [
        f"{expr} AS {sql.ident(name)}" for name, expr in columns.items()
    ]
    return f"SELECT {', '.join(items)} FROM {source}"


class Reads:
    """Each (column, reader) the query needs, read once in the first CTE under one name,
    and the per-value counts of the columns a rank needs, joined in after the derived ones.
    """

    def __init__(self, has: set[str]) -> None:
        self.has = has
        self.columns: dict[str, str] = {}  # name in the query -> SQL over the table
        self.names: dict[tuple[str, str], str] = {}
        self.ranked: list[str] = []  # names whose tie counts are joined in

    def get(self, column: str, reads: str) -> sql.Column | None:
        """The read value's column (quoted), or None where the table does not have it."""
        if column not in self.has:
            return None
        if (column, reads) not in self.names:
            name = column if column not in self.columns else f"{column}__{reads}"
            self.columns[name] = SQL_READERS[reads](sql.ident(column))
            self.names[(column, reads)] = name
        return self.column(self.names[(column, reads)])

    def column(self, name: str) -> sql.Column:
        value = sql.Column(sql.ident(name))
        value.ranks = lambda: self._ranks(name)
        return value

    def _ranks(self, name: str) -> tuple[str, str, str]:
        if name not in self.ranked:
            self.ranked.append(name)
        return tuple(sql.ident(f"{name}__{count}") for count in RANK_COUNTS)

    def rank_ctes(self, source: str) -> list[str]:
        """Per distinct value: how many known values are at or below it, equal, in all."""
        ctes = []
        for i, name in enumerate(self.ranked):
            column = sql.ident(name)
            ctes.append(
                f"ranks_{i} AS (SELECT value, SUM(ties) OVER (ORDER BY value) AS at_or_below, "
                f"ties, SUM(ties) OVER () AS known FROM (SELECT {column} AS value, "
                f"COUNT(*) AS ties FROM {source} WHERE {column} IS NOT NULL "
                f"GROUP BY {column}) AS distinct_values)"
            )
        joined = [
            f"ranks_{i}.{count} AS {sql.ident(f'{name}__{count}')}"
            for i, name in enumerate(self.ranked)
            for count in RANK_COUNTS
        ]
        joins = " ".join(
            f"LEFT JOIN ranks_{i} ON {source}.{sql.ident(name)} = ranks_{i}.value"
            for i, name in enumerate(self.ranked)
        )
        select = ", ".join([f"{source}.*", *joined])
        return [*ctes, f"ranked AS (SELECT {select} FROM {source} {joins})"]


class Chain:
    """CTEs in order, each one (by default) adding columns to the one before it."""

    def __init__(self, first: str, materialized: frozenset[str]) -> None:
        self.parts: list[str] = []
        self.previous = first
        self.materialized = materialized

    def add(self, name: str, body: dict[str, str] | str, *, chained: bool = True) -> None:
        text = body if isinstance(body, str) else _select(body, self.previous)
        hint = "MATERIALIZED " if name in self.materialized else ""
        self.parts.append(f"{name} AS {hint}({text})")
        if chained:
            self.previous = name

    def extend(self, parts: list[str]) -> None:
        self.parts.extend(parts)

    def with_book(self, name: str, columns: dict[str, str]) -> None:
        """The previous step with book-wide columns (one aggregate row) beside every row."""
        if not columns:
            return
        whole = ", ".join(f"{expr} AS {sql.ident(n)}" for n, expr in columns.items())
        self.add(
            name,
            f"SELECT * FROM {self.previous} CROSS JOIN (SELECT {whole} FROM {self.previous}) "
            f"AS {name}_whole",
        )


@dataclass
class Metrics:
    """What the query computes per metric: raw scores, then the policy where the book feeds it."""

    raw: dict[str, str]
    filled: dict[str, str]
    fed: dict[str, str]
    terms: dict[str, list[tuple[str, float]]]
    left_out: list[str]
    labels: dict[str, str]  # each category metric's key column -> the label column it keys
    learned: list[tuple[str, list[str]]]  # (CTE name, its CTEs) of learned category orders


def _category_value(
    value: sql.Column, metric, name: str, evidence: str | None, metrics: Metrics
) -> sql.Column:
    """A category metric's value with its key column and, if learned, its learned score."""
    key = f"key_{name}"
    metrics.labels[key] = value
    labelled = sql.Column(value)
    labelled.key = sql.ident(key)
    if evidence is not None:
        learned = f"learned_{name}"
        ctes = ordered_by_evidence_sql(sql.ident(key), evidence, "labelled", metric, learned)
        metrics.learned.append((learned, ctes))
        labelled.learned = sql.ident(f"learned_{name}")
    return labelled


def _keyed_labels(labels: dict[str, str], chain: Chain) -> str:
    """The rows with each category metric's label key, made once per distinct label (the
    key's regular expressions cost more than the rest of the query if run per row)."""
    source, columns, joins = chain.previous, [], []
    for i, value in enumerate(dict.fromkeys(labels.values())):
        text = f"CAST({source}.{value} AS VARCHAR)"
        chain.add(
            f"labels_{i}",
            f"SELECT label, {category_key_sql('label')} AS key FROM (SELECT DISTINCT "
            f"CAST({value} AS VARCHAR) AS label FROM {source}) AS distinct_labels",
            chained=False,
        )
        joins.append(f"LEFT JOIN labels_{i} ON {text} = labels_{i}.label")
        columns += [f"labels_{i}.key AS {sql.ident(k)}" for k, v in labels.items() if v == value]
    return f"SELECT {', '.join([f'{source}.*', *columns])} FROM {source} {' '.join(joins)}"


def _metrics(config: Config, reads: Reads, derived: dict[str, str]) -> Metrics:
    metrics = Metrics({}, {}, {}, {}, [], {}, [])

    def column(name: str, kind: str) -> sql.Column | None:
        if name in derived:  # derived columns are numbers already
            return reads.column(name) if kind == "numbers" else None
        return reads.get(name, kind)

    for pillar in config.pillars:
        terms = []
        for i, metric in enumerate(pillar.metrics):
            if metric.weight <= 0:
                continue
            kind, reading = reading_sql(sql.ident(metric.column), metric)
            value = column(metric.column, kind)
            if metric.column in derived and value is None:
                value = sql.Column(reading)
            if value is None:
                metrics.left_out.append(metric.column)
                continue
            name = _metric_name(pillar.key, i)
            if metric.scheme == "category":
                order_by = metric.setting("order_by")
                evidence = column(order_by, "numbers") if order_by else None
                value = _category_value(value, metric, name, evidence, metrics)
            raw = f"raw_{name}"
            metrics.raw[raw] = raw_metric_score_sql(value, metric)
            fed = f"fed_{name}"
            filled = with_missing_policy_sql(sql.ident(raw), metric, sql.ident(fed))
            if filled != sql.ident(raw):
                metrics.fed[fed] = f"COUNT({sql.ident(raw)}) > 0"
            metrics.filled[name] = filled
            terms.append((sql.ident(name), metric.weight))
        metrics.terms[pillar.key] = terms
    return metrics


def compile_query(
    config: Config,
    columns: Iterable[str] | None = None,
    *,
    table: str = "accounts",
    dialect: str = "duckdb",
    as_of: dt.date | None = None,
    keep: tuple[str, ...] = (),
    pretty: bool = True,
) -> Query:
    """One query returning RESULT_COLUMNS (+ `keep`) per account row of `table`.

    `columns`: the table's columns (default: every canonical column); `as_of`: the day
    renewal windows and tenure count to (default: the engine's CURRENT_DATE, for a nightly
    job). `pretty=False` with DuckDB skips sqlglot: the text is DuckDB's already.
    """
    if dialect not in DIALECTS:
        raise ValueError(f"unknown dialect {dialect!r}; use one of {', '.join(DIALECTS)}")
    if config.profiles:
        return _compile_profiles(config, columns, table, dialect, as_of, keep, pretty)
    present = set(columns) if columns is not None else {c.name for c in CANONICAL_COLUMNS}
    reads = Reads(present - set(DERIVED))
    numbers = {
        name: value for name in NUMBER_INPUTS if (value := reads.get(name, "numbers")) is not None
    }
    today = "CURRENT_DATE" if as_of is None else f"DATE '{as_of.isoformat()}'"
    derived = derived_columns_sql(
        numbers,
        reads.get("renewal_date", "values"),
        today,
        reads.get("customer_since", "values"),
    )
    strategic = reads.get("strategic_account", "flags")
    account_id = reads.get("account_id", "values")
    metrics = _metrics(config, reads, derived)

    scores = {p.key: sql.ident(f"pillar_{p.key}") for p in config.pillars}
    in_book = {k: sql.ident(f"in_book_{k}") for k in scores}
    effective = {p.key: entering_sql(scores[p.key], p.effect) for p in config.pillars}
    lenses = lens_columns_sql({**numbers, **{n: reads.column(n) for n in derived}})
    axes = {f"score_{k}": s for k, s in scores.items()}
    axes |= {"priority": sql.ident("priority"), "arr": numbers.get("arr", "CAST(NULL AS DOUBLE)")}
    driver, driver_score = strongest_pillar_sql(config, effective)

    result = {name: sql.ident(name) for name in keep}
    result["account_id"] = account_id or "CAST(NULL AS VARCHAR)"
    result |= {f"score_{k}": rounding_sql(sql.ident(f"pillar_{k}_9"), 2) for k in scores}
    result["priority"] = sql.ident("priority")
    tier_index = guardrails_sql(
        sql.ident("tier_cut"), config, numbers.get("arr"), strategic, account_id
    )
    result["tier"] = tier_name_sql(tier_index, config)
    result["quadrant"] = quadrant_sql(config, axes)
    result["driver"], result["driver_score"] = driver, driver_score
    result |= lenses
    final = _select(result, "cut", star=False)  # built before the ranks: it may ask for some

    source = _select(
        {n: sql.ident(n) for n in keep} | reads.columns, sql.table_name(table), star=False
    )
    # The pillars are read twice (a book-wide count beside each row): computed once where
    # the dialect can say so (measured: materializing more steps is slower in DuckDB).
    twice = {"pillars"} if dialect in MATERIALIZES else set()
    chain = Chain("source", frozenset(twice))
    chain.add("derived", derived)
    chain.add("labelled", _keyed_labels(metrics.labels, chain))
    for _, ctes in metrics.learned:
        chain.extend(ctes)
    if metrics.learned:
        joined = ", ".join(f"{name}.score AS {name}" for name, _ in metrics.learned)
        joins = " ".join(
            f"LEFT JOIN {name} ON labelled.{sql.ident('key_' + name.removeprefix('learned_'))}"
            f" = {name}.key"
            for name, _ in metrics.learned
        )
        chain.add("learned", f"SELECT labelled.*, {joined} FROM labelled {joins}")
    ranks = reads.rank_ctes(chain.previous)
    chain.extend(ranks)
    chain.previous = "ranked"
    chain.add("metrics", metrics.raw)
    chain.with_book("fed", metrics.fed)
    chain.add("filled", metrics.filled)
    pillars = {f"pillar_{k}": sql.weighted_mean(t) for k, t in metrics.terms.items()}
    chain.add("pillars", pillars)
    chain.with_book("book", {f"in_book_{k}": f"COUNT({s}) > 0" for k, s in scores.items()})
    chain.add("raw", {"priority_raw": raw_priority_sql(config, scores, in_book)})
    noise = {f"pillar_{k}_9": rounding_sql(s, 1) for k, s in scores.items()}
    chain.add("noise", {"priority_9": rounding_sql(sql.ident("priority_raw"), 1), **noise})
    chain.add("scored", {"priority": rounding_sql(sql.ident("priority_9"), 2)})
    if is_relative(config.tiers):
        cutoffs = share_thresholds_sql(sql.ident("priority"), "scored", config)
        chain.add("cutoffs", cutoffs, chained=False)
        chain.add("pinned", "SELECT * FROM scored CROSS JOIN cutoffs")
    chain.add("cut", {"tier_cut": cut_tiers_sql(sql.ident("priority"), thresholds_sql(config))})
    text = f"WITH source AS ({source}), " + ", ".join(chain.parts) + f" {final}"
    return Query(
        sql=transpile(text, dialect) if pretty or dialect != "duckdb" else text,
        dialect=dialect,
        left_out=tuple(dict.fromkeys(metrics.left_out)),
        empty_pillars=tuple(k for k, t in metrics.terms.items() if not t),
        not_in_sql=not_in_sql(config),
        notes=(relative_cutoffs_words(config),) if is_relative(config.tiers) else (),
    )


# --- profiles (issue 15): each population scored by its own settings, then one union --------

PROFILE_INDEX = "tw_profile_index"  # which profile a row is in (-1: none), inside the query


def _profile_column(present: set[str], column: str, index: int) -> str:
    """The table's column a profile names: exactly, else ignoring case and spaces (as the
    core's `rules.profiles.book_column`)."""
    if column in present:
        return column
    for name in sorted(present):
        if category_key(name) == category_key(column):
            return name
    fail(f"profiles[{index}].when.column", f"this table has no column '{column}'")
    raise AssertionError  # fail raises


def _membership_sql(config: Config, present: set[str]) -> str:
    """Each row's profile index, the first profile that matches winning (as `profile_index`)."""
    whens = []
    for i, profile in enumerate(config.profiles):
        key = category_key_sql(sql.ident(_profile_column(present, profile.column, i)))
        keys = ", ".join(sql.text(k) for k in sorted(profile.keys()))
        whens.append((f"{key} IN ({keys})", str(i)))
    return sql.case(whens, "-1")


def _compile_profiles(config, columns, table, dialect, as_of, keep, pretty) -> Query:
    """Accounts in no profile scored over the whole table with the default settings; each
    profile's accounts over their own rows (`ranks_within`) or the whole table, with the
    profile's settings: the rule of `segmentation/profiles.py`, as one UNION ALL."""
    present = set(columns) if columns is not None else {c.name for c in CANONICAL_COLUMNS}
    membership = _membership_sql(config, present)
    ctes = [f"members AS (SELECT *, {membership} AS {PROFILE_INDEX} FROM {sql.table_name(table)})"]
    inner_keep = (*keep, PROFILE_INDEX)
    parts, default = [], replace(config, profiles=())
    populations = [(-1, DEFAULT_PROFILE, default, False)] + [
        (i, p.name, profile_config(config, p.name), p.ranks_within)
        for i, p in enumerate(config.profiles)
    ]
    first = None
    for i, name, settings, within in populations:
        source = "members"
        if within:
            source = f"profile_{i}_rows"
            ctes.append(f"{source} AS (SELECT * FROM members WHERE {PROFILE_INDEX} = {i})")
        one = compile_query(
            settings, present | {PROFILE_INDEX}, table=source, as_of=as_of, keep=inner_keep,
            pretty=False,
        )  # fmt: skip
        first = first or one
        names = [n for n in sqlglot.parse_one(one.sql, read="duckdb").named_selects]
        shown = ", ".join(sql.ident(n) for n in names if n != PROFILE_INDEX)
        parts.append(
            f"SELECT {shown}, {sql.text(name)} AS {sql.ident(PROFILE_COLUMN)} "
            f"FROM ({one.sql}) AS part_{i + 1} WHERE {PROFILE_INDEX} = {i}"
        )
    text = "WITH " + ", ".join(ctes) + " " + " UNION ALL ".join(parts)
    return Query(
        sql=transpile(text, dialect) if pretty or dialect != "duckdb" else text,
        dialect=dialect,
        left_out=first.left_out,
        empty_pillars=first.empty_pillars,
        not_in_sql=first.not_in_sql,
        notes=(*first.notes, "profiles: " + "; ".join(describe_profiles(config.profiles))),
    )


def not_in_sql(config: Config) -> tuple[str, ...]:
    """The settings the query leaves to the app: movement rules need last period's tiers."""
    movement = getattr(config, "movement", None)
    if movement is not None and movement.active:
        return ("the movement rules (tiers are the plain cut, then guard-rails)",)
    return ()


# Regular-expression dialects without Unicode classes: POSIX's class instead (`[:alnum:]`
# is locale-aware in Postgres; the same as \pL\pN for ASCII labels everywhere).
POSIX_WORD_BREAKS = {"snowflake": "[^[:alnum:]]+", "postgres": "[^[:alnum:]]+"}


def _dialect_regexes(tree: exp.Expression, dialect: str) -> exp.Expression:
    """Snowflake replaces every match by default and reads a 4th argument as a position:
    drop DuckDB's 'g'; Snowflake and Postgres get the POSIX class for the word breaks."""
    for node in tree.find_all(exp.RegexpReplace):
        if dialect == "snowflake":
            node.set("modifiers", None)
        pattern = node.args.get("expression")
        if dialect in POSIX_WORD_BREAKS and pattern is not None and pattern.this == WORD_BREAKS:
            node.set("expression", exp.Literal.string(POSIX_WORD_BREAKS[dialect]))
    return tree


def transpile(text: str, dialect: str) -> str:
    """DuckDB SQL -> the dialect, pretty-printed (sqlglot).

    sqlglot warns that BigQuery cannot say NULLS LAST in a window's ORDER BY: the only such
    window orders the distinct known values of a column, where no NULL is left to place;
    and that BigQuery takes no regular-expression flags: it replaces every match anyway.
    """
    quiet = logging.getLogger("sqlglot")
    level = quiet.level
    quiet.setLevel(logging.ERROR)
    try:
        tree = _dialect_regexes(sqlglot.parse_one(text, read="duckdb"), dialect)
        return tree.sql(dialect=dialect, pretty=True)
    finally:
        quiet.setLevel(level)
