"""Text dates read through Arrow (issue 16, loading) give the dates of the plain path they
replaced: `_date_parts` in one regex pass, `_assemble`'s numbers in one cast."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from segmentation import values


def plain_date_parts(text: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series]:
    """`values._date_parts` as main had it (b4c18f2): three regex replaces."""
    sep = r"[/.\-]"
    first = text.str.replace(f"^([0-9]+){sep}.*$", r"\1", regex=True)
    second = text.str.replace(f"^[0-9]+{sep}([0-9]+){sep}.*$", r"\1", regex=True)
    third = text.str.replace(f"^[0-9]+{sep}[0-9]+{sep}([0-9]+).*$", r"\1", regex=True)
    return first, second, third


def plain_date_number(part: pd.Series) -> pd.Series:
    """How `values._assemble` read each part on main: pd.to_numeric."""
    return pd.to_numeric(part, errors="coerce")


def plain_parse_date(column: pd.Series, **options) -> values.Parsed:
    """`values.parse_date` on the plain path: the replaced helpers put back for one call."""
    with pytest.MonkeyPatch.context() as plain:
        plain.setattr(values, "_date_parts", plain_date_parts)
        plain.setattr(values, "_date_number", plain_date_number)
        return values.parse_date(column, **options)


DIGITS = st.text("0123456789", min_size=0, max_size=12)
ODD = st.sampled_from(["", " 7", "7 ", "+5", "-3", "1.5", "1e3", "٣", "１２", "12a", "0x1f", "nan"])
PARTS = st.lists(st.one_of(DIGITS, ODD, st.none()), max_size=40)


@settings(max_examples=300, deadline=None)
@given(PARTS)
def test_a_date_part_reads_as_pd_to_numeric_reads_it(cells):
    part = pd.Series(cells, dtype="str")
    got, want = values._date_number(part), plain_date_number(part)
    np.testing.assert_array_equal(got.to_numpy(dtype="float64"), want.to_numpy(dtype="float64"))
    assert got.index.equals(want.index)


DAY = st.integers(0, 40).map(str)
YEAR = st.sampled_from(["1000", "1677", "1678", "1899", "1970", "2026", "2262", "2263", "9999"])
SEP = st.sampled_from(["-", "/", ".", "--", " "])
DATE_TEXT = st.one_of(
    st.builds(lambda y, s, m, d: f"{y}{s}{m}{s}{d}", YEAR | DIGITS, SEP, DAY, DAY),
    st.builds(
        lambda d, s, m, y: f"{d}{s}{m}{s}{y}", DAY, SEP, DAY, YEAR | st.integers(0, 99).map(str)
    ),
    st.builds(
        lambda d, s, m, y, tail: f"{d}{s}{m}{s}{y}{tail}",
        DAY,
        SEP,
        DAY,
        YEAR,
        st.sampled_from([" 10:00", "T09:30", ",", "x"]),
    ),
    st.builds(lambda y, m, d: f"{y}{int(m):02d}{int(d):02d}", YEAR, DAY, DAY),  # compact
    st.sampled_from(
        ["13 March 2027", "March 13, 2027", "31 févr. 2027", "n/a", "#N/A", "soon", ""]
    ),
    st.none(),
)


@pytest.mark.parametrize("order", ["MDY", "DMY", None])
@settings(max_examples=150, deadline=None)
@given(cells=st.lists(DATE_TEXT, max_size=30))
def test_text_dates_parse_as_on_the_plain_path(cells, order):
    column = pd.Series(cells, dtype="str")
    got, want = values.parse_date(column, order=order), plain_parse_date(column, order=order)
    pd.testing.assert_series_equal(got.values, want.values)
    pd.testing.assert_series_equal(got.unreadable, want.unreadable)
    assert (got.cleaned, got.decision, got.date_order) == (
        want.cleaned,
        want.decision,
        want.date_order,
    )


def test_a_real_export_date_column_parses_as_on_the_plain_path():
    """A CRM export's renewal dates (ISO text), a column of d/m/y text and a mixed one."""
    from segmentation.sample import generate_accounts, to_crm_headers

    iso = to_crm_headers(generate_accounts(5_000, seed=3))["Renewal Date"].astype("str")
    dmy = pd.to_datetime(iso).dt.strftime("%d/%m/%Y").astype("str")
    mixed = pd.concat([iso[:100], dmy[:100], pd.Series(["2027-02-30", "31/04/2027", "x"])])
    for column in (iso, dmy, mixed.reset_index(drop=True).astype("str")):
        got, want = values.parse_date(column), plain_parse_date(column)
        pd.testing.assert_series_equal(got.values, want.values)
        pd.testing.assert_series_equal(got.unreadable, want.unreadable)
        assert got.values.notna().sum() > 0
