"""SQL text shared by the rules' SQL forms: quoting, literals, and reading a value.

Every rule writes its SQL form in DuckDB's dialect next to its numpy form; the warehouse
package composes them into one query and transpiles it (sqlglot) to other dialects.
"""

from __future__ import annotations

import math
from collections.abc import Callable

FINITE = "1.7976931348623157e308"  # the largest double: NaN and infinities fall outside


def ident(name: str) -> str:
    """A quoted identifier: any header, spaces and quotes included."""
    return '"' + name.replace('"', '""') + '"'


def table_name(name: str) -> str:
    """A table, schema-qualified or not: `crm.accounts` -> "crm"."accounts"."""
    return ".".join(ident(part) for part in name.split("."))


def text(value: str) -> str:
    """A quoted string literal."""
    return "'" + str(value).replace("'", "''") + "'"


def number(value: float) -> str:
    """A double literal that reads back as exactly `value` (repr is round-trip exact)."""
    if not math.isfinite(value):
        raise ValueError(f"no SQL literal for {value!r}")
    return f"CAST({float(value)!r} AS DOUBLE)"


def case(whens: list[tuple[str, str]], default: str = "NULL") -> str:
    """CASE WHEN ... THEN ... [ELSE ...] END."""
    body = " ".join(f"WHEN {cond} THEN {then}" for cond, then in whens)
    return f"CASE {body} ELSE {default} END" if whens else default


def finite(expr: str) -> str:
    """The value as a double; NULL where missing, NaN or infinite (as `inputs.as_numbers`)."""
    value = f"CAST({expr} AS DOUBLE)"
    return f"CASE WHEN {value} BETWEEN -{FINITE} AND {FINITE} THEN {value} END"


def round_half_even(expr: str, digits: int) -> str:
    """`np.round(x, digits)` in SQL: x * 10^d, rounded half to even, / 10^d (same doubles).

    `expr` is used four times: pass a column, not a long expression.
    """
    scale = number(10.0**digits)
    scaled = f"({expr} * {scale})"
    low = f"FLOOR({scaled})"
    odd = f"({low} - 2.0 * FLOOR({low} / 2.0))"
    return (
        f"({case([(f'{scaled} - {low} = 0.5', f'{low} + {odd}')], f'ROUND({scaled})')} / {scale})"
    )


def weighted_mean(terms: list[tuple[str, float]]) -> str:
    """`pillars.weighted_mean` in SQL: over the known terms only (skip and re-weight)."""
    terms = [(expr, weight) for expr, weight in terms if weight > 0]
    if not terms:
        return "CAST(NULL AS DOUBLE)"
    total = " + ".join(case([(f"{expr} IS NULL", "0.0")], number(weight)) for expr, weight in terms)
    sums = " + ".join(f"COALESCE({expr}, 0.0) * {number(weight)}" for expr, weight in terms)
    return case([(f"({total}) > 0.0", f"({sums}) / ({total})")])


class Column(str):
    """A column of the query, quoted; `ranks` (set by the query builder) joins in its counts."""

    ranks: Callable[[], tuple[str, str, str]] | None = None


def tie_counts(value: str) -> tuple[str, str, str]:
    """`schemes.distinct_ranks` in SQL: (known values <= it, known values equal to it, known
    values).

    A query column whose builder provides them (per-value counts joined in: cheap at any
    scale) uses those; any other expression gets window functions.
    """
    ranks = getattr(value, "ranks", None)
    if ranks is not None:
        return ranks()
    return (
        f"COUNT({value}) OVER (ORDER BY {value})",
        f"COUNT({value}) OVER (PARTITION BY {value})",
        f"COUNT({value}) OVER ()",
    )
