"""The ideal customer profile (ICP): who the room wants as a customer, and each account's fit.

The one home of the ICP's settings (criteria on the book's columns: listed values such as
industries, regions or plans, or a number range such as employees), their constraints, the
fit score and its words. The fit is the share of criteria an account matches, 0-100; a value
the account lacks does not match (and the view says how many lacked it).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from segmentation.rules.constraints import Number, Text, fail
from segmentation.rules.profiles import book_column, value_matches
from segmentation.rules.schemes import category_key

FIT_BANDS = ("Strong fit", "Partial fit", "Weak fit")


@dataclass(frozen=True)
class IcpCriterion:
    column: str
    values: tuple[str, ...] = ()  # listed values (industry, region, plan...)
    low: float | None = None  # or a number range (employees...), either end open
    high: float | None = None

    @property
    def is_range(self) -> bool:
        return not self.values


@dataclass(frozen=True)
class Icp:
    criteria: tuple[IcpCriterion, ...]
    strong: float = 75.0  # fit from which an account is a strong fit
    partial: float = 40.0  # ... a partial fit; below it a weak fit


@dataclass(frozen=True)
class IcpFit:
    score: np.ndarray  # 0-100 per account
    band: pd.Categorical  # FIT_BANDS
    lacking: tuple[tuple[str, int], ...]  # (column, accounts without a value), where any
    absent: tuple[str, ...]  # columns the book does not have: nobody matches them


def _validate_criterion(path: str, criterion: IcpCriterion) -> None:
    Text("must name a column of the book").check(f"{path}.column", criterion.column)
    for i, value in enumerate(criterion.values):
        Text("must be a non-empty value").check(f"{path}.values[{i}]", value)
    Number(optional=True).check(f"{path}.min", criterion.low)
    Number(optional=True).check(f"{path}.max", criterion.high)
    if criterion.is_range and criterion.low is None and criterion.high is None:
        fail(path, "needs values to match, or a min or max")
    if criterion.values and (criterion.low is not None or criterion.high is not None):
        fail(path, "takes values or a min/max range, not both")
    if criterion.low is not None and criterion.high is not None and criterion.low > criterion.high:
        fail(f"{path}.max", f"must be at least min ({criterion.low:g}), got {criterion.high:g}")


def validate_icp(icp: Icp) -> None:
    if not isinstance(icp, Icp) or not isinstance(icp.criteria, tuple) or not icp.criteria:
        fail("icp.criteria", "must list at least one criterion")
    for i, criterion in enumerate(icp.criteria):
        if not isinstance(criterion, IcpCriterion):
            fail(f"icp.criteria[{i}]", "must be a criterion")
        _validate_criterion(f"icp.criteria[{i}]", criterion)
    Number(minimum=0, maximum=100).check("icp.strong", icp.strong)
    Number(minimum=0, maximum=100).check("icp.partial", icp.partial)
    if icp.partial > icp.strong:
        fail("icp.partial", f"must not be above icp.strong ({icp.strong:g})")


def _criterion_hits(values: pd.Series, criterion: IcpCriterion) -> tuple[np.ndarray, np.ndarray]:
    """(matched, lacking a value) per account."""
    if criterion.is_range:
        numbers = pd.to_numeric(values, errors="coerce").to_numpy(dtype="float64")
        low = -np.inf if criterion.low is None else criterion.low
        high = np.inf if criterion.high is None else criterion.high
        return (numbers >= low) & (numbers <= high), np.isnan(numbers)
    keys = frozenset(category_key(v) for v in criterion.values)
    lacking = values.isna().to_numpy() | (values.astype("string").str.strip() == "").fillna(True)
    return value_matches(values, keys), np.asarray(lacking, dtype=bool)


def icp_fit(accounts: pd.DataFrame, icp: Icp) -> IcpFit:
    """Each account's fit: the percent of criteria it matches (missing = not matched)."""
    matched = np.zeros(len(accounts), dtype="float64")
    lacking, absent = [], []
    for criterion in icp.criteria:
        column = book_column(accounts, criterion.column)
        if column is None:
            absent.append(criterion.column)
            continue
        hits, missing = _criterion_hits(accounts[column], criterion)
        matched += hits
        if missing.any():
            lacking.append((criterion.column, int(missing.sum())))
    score = np.round(100 * matched / len(icp.criteria), 1)
    codes = np.where(score >= icp.strong, 0, np.where(score >= icp.partial, 1, 2))
    band = pd.Categorical.from_codes(codes, FIT_BANDS, ordered=True)
    return IcpFit(score, band, tuple(lacking), tuple(absent))


def _criterion_words(criterion: IcpCriterion) -> str:
    if criterion.values:
        return f"{criterion.column} is {' or '.join(criterion.values)}"
    if criterion.low is not None and criterion.high is not None:
        return f"{criterion.column} from {criterion.low:,g} to {criterion.high:,g}"
    if criterion.low is not None:
        return f"{criterion.column} at least {criterion.low:,g}"
    return f"{criterion.column} at most {criterion.high:,g}"


def describe_icp(icp: Icp | None) -> list[str]:
    if icp is None:
        return []
    criteria = "; ".join(_criterion_words(c) for c in icp.criteria)
    return [
        f"Ideal customer profile: {criteria}. An account's fit is the percent of these it "
        f"matches (a value it lacks does not match): {FIT_BANDS[0]} from {icp.strong:g}, "
        f"{FIT_BANDS[1]} from {icp.partial:g}, {FIT_BANDS[2]} below."
    ]


def fit_notes(fit: IcpFit) -> list[str]:
    """What the fit could not see, said aloud."""
    lines = [
        f"the book has no column '{column}': no account matches that ICP criterion"
        for column in fit.absent
    ]
    lines += [
        f"{count:,} accounts have no {column}: counted as not matching that ICP criterion"
        for column, count in fit.lacking
    ]
    return lines
