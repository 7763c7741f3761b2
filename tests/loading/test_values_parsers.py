"""segmentation.values: the cell parsers, table-driven, plus properties with hypothesis."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from segmentation.values import (
    format_number,
    parse_bool,
    parse_date,
    parse_number,
    parse_text,
    placeholder_mask,
    to_bool,
    to_date,
    to_number,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("$1,234.50", 1234.5),
        ("USD 1,234.50", 1234.5),
        ("1,234.50 USD", 1234.5),
        ("(1,200)", -1200.0),
        ("$(1,200)", -1200.0),
        ("-$5", -5.0),
        ("1,200-", -1200.0),
        ("1.2M", 1_200_000.0),
        ("45k", 45_000.0),
        ("3bn", 3e9),
        ("85%", 85.0),
        ("85 %", 85.0),
        ("1.5E+06", 1_500_000.0),
        ("  42  ", 42.0),
        ("1\u00a0234.5", 1234.5),
        ("−7", -7.0),
        ("0.85", 0.85),
    ],
)
def test_to_number_reads_one_cell(text: str, expected: float) -> None:
    assert to_number(pd.Series([text])).tolist() == [expected]


@pytest.mark.parametrize(
    ("cells", "expected", "decision_starts"),
    [
        (["€1.234,50", "1.234,50 €", "12,5"], [1234.5, 1234.5, 12.5], "decimal comma"),
        (["1,5", "2,25", "3"], [1.5, 2.25, 3.0], "decimal comma"),
        (["1,234", "2,500.75"], [1234.0, 2500.75], "decimal point"),
        (["1.234.567", "2,5"], [1234567.0, 2.5], "decimal comma"),
        (["1,234", "5,678"], [1234.0, 5678.0], "decimal point"),  # no evidence: point
    ],
)
def test_decimal_mark_is_decided_per_column(cells, expected, decision_starts) -> None:
    parsed = parse_number(pd.Series(cells))
    assert parsed.values.tolist() == expected
    assert parsed.decision.startswith(decision_starts)
    assert not parsed.unreadable.any()


def test_ambiguous_column_uses_the_hint() -> None:
    assert to_number(pd.Series(["1.200", "15"])).tolist() == [1.2, 15.0]
    parsed = parse_number(pd.Series(["1.200", "15"]), hint=",")
    assert parsed.values.tolist() == [1200.0, 15.0]


@pytest.mark.parametrize(
    ("cells", "values", "unreadable"),
    [
        (["12,3,4", "5"], [np.nan, 5.0], [True, False]),
        (["abc", "N/A", "-", "—", "null", "", None], [np.nan] * 7, [True] + [False] * 6),
        (["#DIV/0!", "#N/A"], [np.nan, np.nan], [False, False]),  # errors: flagged by loader
        (["NA", "na", "n/a"], [np.nan] * 3, [False] * 3),
    ],
)
def test_unreadable_and_placeholders(cells, values, unreadable) -> None:
    parsed = parse_number(pd.Series(cells, dtype=object))
    np.testing.assert_array_equal(parsed.values.to_numpy(), np.array(values, dtype=float))
    assert parsed.unreadable.tolist() == unreadable


def test_numeric_and_mixed_columns() -> None:
    assert to_number(pd.Series([1, 2, 3])).dtype == "float64"
    mixed = pd.Series([1.5, "2,000", None, "x"], dtype=object)
    parsed = parse_number(mixed)
    assert parsed.values.tolist()[:2] == [1.5, 2000.0]
    assert parsed.unreadable.tolist() == [False, False, False, True]


def test_na_is_kept_in_text_and_category_columns() -> None:
    cells = pd.Series(["NA", "N/A", " 00123 ", "null", "-", None])
    assert parse_text(cells, "category").values.tolist() == ["NA", np.nan, "00123"] + [np.nan] * 3
    assert placeholder_mask(cells, "category").tolist() == [False, True, False, True, True, False]
    assert placeholder_mask(cells, "number").tolist() == [True, True, False, True, True, False]


def test_excel_numbers_as_ids_lose_the_point_zero() -> None:
    ids = parse_text(pd.Series([1002.0, "00123", 12.5], dtype=object), "id").values
    assert ids.tolist() == ["1002", "00123", "12.5"]


@pytest.mark.parametrize(
    ("cells", "expected", "order"),
    [
        (["03/25/2026", "04/01/2026"], ["2026-03-25", "2026-04-01"], "month/day/year"),
        (["25/03/2026", "01/04/2026"], ["2026-03-25", "2026-04-01"], "day/month/year"),
        (["25.03.2026", "13.12.26"], ["2026-03-25", "2026-12-13"], "day/month/year"),
        (["2026-03-25", "2026/04/01 10:30"], ["2026-03-25", "2026-04-01"], None),
        (["15 Mar 2026", "Mar 15, 2026", "March 15 2026"], ["2026-03-15"] * 3, None),
        (["46112", "20260331"], ["2026-03-31", "2026-03-31"], None),
    ],
)
def test_to_date(cells, expected, order) -> None:
    parsed = parse_date(pd.Series(cells))
    assert parsed.values.dt.strftime("%Y-%m-%d").tolist() == expected
    assert parsed.values.dtype == "datetime64[ns]"
    if order is None:
        assert parsed.decision is None
    else:
        assert parsed.decision.startswith(order)


def test_dates_default_and_hint_and_conflicts() -> None:
    assert to_date(pd.Series(["03/04/2026"])).tolist() == [pd.Timestamp("2026-03-04")]
    dmy = parse_date(pd.Series(["03/04/2026"]), hint="DMY").values
    assert dmy.tolist() == [pd.Timestamp("2026-04-03")]
    mixed = parse_date(pd.Series(["25/03/2026", "26/03/2026", "03/27/2026"]))
    assert mixed.unreadable.tolist() == [False, False, True]


def test_excel_serials_in_both_date_systems() -> None:
    assert parse_date(pd.Series([46112.0])).values.tolist() == [pd.Timestamp("2026-03-31")]
    in_1904 = parse_date(pd.Series([44620.0]), epoch=1904).values
    assert in_1904.tolist() == [pd.Timestamp("2026-03-01")]


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        (["Yes", "no", "TRUE", "false", "1", "0", "y", "N"], [1, 0, 1, 0, 1, 0, 1, 0]),
        (["x", "", "X", None], [1, 0, 1, 0]),  # a column of marks: blank is no
        (["yes", "", "N/A"], [1, None, None]),
    ],
)
def test_to_bool(cells, expected) -> None:
    values = to_bool(pd.Series(cells, dtype=object))
    assert values.dtype == "boolean"
    assert [None if pd.isna(v) else int(v) for v in values] == expected


def test_bool_flags_unreadable() -> None:
    assert parse_bool(pd.Series(["yes", "maybe"])).unreadable.tolist() == [False, True]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(), max_size=40))
def test_parsers_never_raise_on_any_text(cells: list[str]) -> None:
    series = pd.Series(cells, dtype=object)
    assert len(to_number(series)) == len(cells)
    assert len(to_date(series)) == len(cells)
    assert len(to_bool(series)) == len(cells)
    parsed = parse_number(series)
    assert (parsed.unreadable & parsed.values.notna()).sum() == 0


_VALUES = st.one_of(
    st.integers(min_value=-(10**12), max_value=10**12).map(float),
    st.integers(min_value=-(10**11), max_value=10**11).map(lambda cents: cents / 100),
)


@settings(max_examples=60, deadline=None)
@given(
    values=st.lists(_VALUES, min_size=1, max_size=30),
    convention=st.sampled_from([(".", ","), (",", "."), (".", " "), (",", " "), (".", "'")]),
    currency=st.sampled_from(["", "$", "€", "£", "USD ", "EUR"]),
    parentheses=st.booleans(),
)
def test_format_then_parse_round_trips(values, convention, currency, parentheses) -> None:
    decimal, thousands = convention
    after = currency == "EUR"
    texts = [
        format_number(
            value,
            decimal=decimal,
            thousands=thousands,
            currency=currency.strip() if after else currency,
            currency_after=after,
            parentheses=parentheses,
        )
        for value in values
    ]
    parsed = parse_number(pd.Series(texts), decimal=decimal)
    assert not parsed.unreadable.any(), texts
    np.testing.assert_allclose(parsed.values.to_numpy(), values, rtol=0, atol=1e-6)


@settings(max_examples=40, deadline=None)
@given(values=st.lists(_VALUES, min_size=2, max_size=30))
def test_decided_convention_round_trips_with_two_decimals(values) -> None:
    """Without being told, a column formatted with 2 decimals is read back exactly."""
    for decimal, thousands in ((".", ","), (",", ".")):
        texts = [format_number(v, decimal=decimal, thousands=thousands) for v in values]
        parsed = parse_number(pd.Series(texts))
        np.testing.assert_allclose(parsed.values.to_numpy(), values, rtol=0, atol=1e-6)
