"""Mapping sanity (issue 18, finding 8): a column read as ARR that adds up like company
revenue is said, on the CLI as a `warning:` line and on the Data page as a question."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import segmentation as seg
from segmentation.loading.mapping import (
    ARR_PER_ACCOUNT_LIMIT,
    ARR_PER_EMPLOYEE_LIMIT,
    implausible_arr,
)

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "sample_data" / "accounts.csv"


def book(frame: pd.DataFrame, **mapping: str) -> seg.Book:
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False)
    loaded = seg.load(io.BytesIO(buffer.getvalue().encode()), filename="book.csv")
    return seg.remap(loaded, {**loaded.mapping, **mapping}) if mapping else loaded


def crm_export(n: int = 12, arr_per_head: float = 200.0, revenue_per_head: float = 250_000.0):
    """A CRM export shaped like the issue's: ARR, the customer's Annual Revenue, employees."""
    employees = pd.Series([40 + 35 * i for i in range(n)], dtype="float64")
    return pd.DataFrame(
        {
            "Account Name": [f"Account {i}" for i in range(n)],
            "ARR": (employees * arr_per_head).round(),
            "Annual Revenue": (employees * revenue_per_head).round(),
            "Employees": employees.astype(int),
        }
    )


def test_the_sample_book_is_plausible():
    loaded = seg.load(SAMPLE)
    assert implausible_arr(loaded.accounts, loaded.mapping) is None


def test_arr_mapped_to_the_company_revenue_column_is_said():
    loaded = book(crm_export(), arr="Annual Revenue", company_revenue="Annual Revenue")
    problem = implausible_arr(loaded.accounts, loaded.mapping)
    assert problem is not None and "ARR ('Annual Revenue')" in problem
    assert "company revenue" in problem and "--map arr=HEADER" in problem


@pytest.mark.parametrize(
    "arr_scale, said",
    [(0.999, False), (1.0, True), (1.001, True)],  # ARR's sum below / at / above revenue's
)
def test_arr_adding_up_to_more_than_company_revenue(arr_scale, said):
    frame = crm_export()
    frame["ARR"] = frame["Annual Revenue"] * arr_scale
    frame["Employees"] = 10**7  # keep the per-employee rule out of it
    loaded = book(frame)
    problem = implausible_arr(loaded.accounts, loaded.mapping)
    assert (problem is not None and "more than the customers' own revenue" in problem) is said


@pytest.mark.parametrize(
    "per_head, said",
    [
        (ARR_PER_EMPLOYEE_LIMIT * 0.99, False),
        (ARR_PER_EMPLOYEE_LIMIT, False),  # at the limit: still a (very rich) SaaS contract
        (ARR_PER_EMPLOYEE_LIMIT * 1.01, True),
    ],
)
def test_arr_per_employee_beyond_a_saas_range(per_head, said):
    frame = crm_export(arr_per_head=per_head).drop(columns=["Annual Revenue"])
    loaded = book(frame)
    assert "company_revenue" not in loaded.mapping
    problem = implausible_arr(loaded.accounts, loaded.mapping)
    assert (problem is not None and "per customer employee" in problem) is said


@pytest.mark.parametrize(
    "median, said",
    [(ARR_PER_ACCOUNT_LIMIT * 0.99, False), (ARR_PER_ACCOUNT_LIMIT * 1.01, True)],
)
def test_a_median_arr_no_saas_book_has(median, said):
    frame = pd.DataFrame({"Account Name": list("abcde"), "ARR": [median] * 5})
    loaded = book(frame)
    problem = implausible_arr(loaded.accounts, loaded.mapping)
    assert (problem is not None and "per account" in problem) is said


def test_the_cli_warns_on_arr_mapped_to_annual_revenue(tmp_path):
    source = tmp_path / "crm.csv"
    crm_export().to_csv(source, index=False)
    done = subprocess.run(
        [sys.executable, "-m", "segmentation", "score", str(source), "--out",
         str(tmp_path / "out.csv"), "--map", "arr=Annual Revenue"],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    lines = [line for line in done.stderr.splitlines() if "ARR ('Annual Revenue')" in line]
    assert len(lines) == 1 and lines[0].startswith("warning: ")
    plain = subprocess.run(
        [sys.executable, "-m", "segmentation", "score", str(source), "--out",
         str(tmp_path / "out2.csv")],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert plain.returncode == 0 and "looks like company revenue" not in plain.stderr
