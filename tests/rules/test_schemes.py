"""Every metric scheme, table-driven: at, just below and just above each boundary."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from segmentation.config import NPS_BANDS, Band, Metric
from segmentation.rules.schemes import metric_score


def score(values, **metric) -> list[float]:
    result = metric_score(pd.Series(values), Metric("x", **metric))
    return [None if np.isnan(v) else round(float(v), 6) for v in result]


@pytest.mark.parametrize(
    "values, expected",
    [
        ([10, 20, 30], [0, 50, 100]),
        ([30, 10, 20], [100, 0, 50]),
        ([5, 5, 10], [25, 25, 100]),  # ties share their average rank
        ([7], [50]),  # a book of one sits in the middle
        ([1, None, 3], [0, None, 100]),  # missing stays missing, the rest ranks without it
        ([1_000_000, 1, 2, 3, 4], [100, 0, 25, 50, 75]),  # heavy tails do not squash the rest
    ],
)
def test_percentile(values, expected):
    assert score(values) == expected


def test_percentile_lower_is_better():
    assert score([10, 20, 30], direction="lower") == [100, 50, 0]


@pytest.mark.parametrize(
    "value, expected",
    [
        (-1, 0),  # below low: clipped
        (0, 0),  # at low
        (0.01, 0.01),  # just above low
        (50, 50),
        (99.99, 99.99),  # just below high
        (100, 100),  # at high
        (101, 100),  # above high: clipped
        (None, None),
    ],
)
def test_linear(value, expected):
    assert score([value], scheme="linear", low=0, high=100) == [expected]


def test_linear_lower_is_better():
    assert score([0, 25, 100], scheme="linear", low=0, high=100, direction="lower") == [100, 75, 0]


@pytest.mark.parametrize(
    "nps, expected",
    [
        (0, 0),
        (5.99, 0),
        (6, 0),  # at the detractor limit
        (6.01, 50),  # just above it
        (7, 50),
        (8, 50),  # at the passive limit
        (8.01, 100),  # just above it
        (9, 100),
        (10, 100),
        (None, None),
    ],
)
def test_nps_bands(nps, expected):
    assert score([nps], scheme="bands", bands=NPS_BANDS) == [expected]


def test_bands_without_open_end_leave_values_above_the_last_band_missing():
    assert score([5, 11], scheme="bands", bands=(Band(10, 40),)) == [40, None]


@pytest.mark.parametrize(
    "values, direction, expected",
    [
        ([True, False, None], "higher", [100, 0, None]),
        ([True, False, None], "lower", [0, 100, None]),
        ([1, 0], "higher", [100, 0]),
    ],
)
def test_boolean(values, direction, expected):
    series = pd.Series(values, dtype="boolean") if None in values else values
    assert score(series, scheme="boolean", direction=direction) == expected


PLANS = (("Enterprise", 100), ("Pro", 60), ("Starter", 20))


@pytest.mark.parametrize(
    "value, other, expected",
    [
        ("Enterprise", 50, 100),
        ("  enterprise ", 50, 100),  # case and spaces do not matter
        ("Pro", 50, 60),
        ("Starter", 50, 20),
        ("Legacy", 50, 50),  # not listed: `other`
        ("Legacy", None, None),  # not listed and no `other`: missing
        ("", 50, None),  # blank is missing, not "other"
        (None, 50, None),
    ],
)
def test_category(value, other, expected):
    assert score([value], scheme="category", categories=PLANS, other=other) == [expected]


@pytest.mark.parametrize(
    "policy, expected", [("skip", [None, 100]), ("neutral", [50, 100]), ("worst", [0, 100])]
)
def test_missing_value_policy(policy, expected):
    assert score([None, 80], scheme="linear", low=0, high=80, missing=policy) == expected


def test_a_text_column_picked_as_metric_is_read_as_numbers():
    assert score(["$1,000", "2k", "n/a"], scheme="linear", low=0, high=2000) == [50, 100, None]
