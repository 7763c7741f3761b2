"""`python -m segmentation calibrate`, run as a user runs it: a subprocess, files, exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from calibration_books import churn_book, validate_document
from python_calamine import CalamineWorkbook

import segmentation as seg
from segmentation.sample import write_book
from tests.test_cli import run as run_cli  # the one CLI runner

ROOT = Path(__file__).resolve().parents[2]


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return run_cli("calibrate", *args, cwd=cwd, timeout=120)


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    where = tmp_path_factory.mktemp("calibrate")
    accounts = churn_book(1500, seed=3)
    write_book(accounts, where / "book.csv")
    write_book(accounts.drop(columns=["Churned"]), where / "bare.csv")
    outcomes = accounts[["account_id", "Churned"]].rename(columns={"account_id": "Account ID"})
    write_book(
        pd.concat(
            [outcomes.iloc[:1200], pd.DataFrame({"Account ID": ["ACC-999999"], "Churned": ["Yes"]})]
        ),
        where / "outcomes.xlsx",
    )
    write_book(
        pd.DataFrame({"Account ID": ["X-1", "X-2"], "Churned": ["Yes", "No"]}),
        where / "strangers.csv",
    )
    write_book(accounts.assign(Churned="No"), where / "one_class.csv")
    grown = accounts["arr"] * np.where(accounts["account_id"].str[-1].isin(list("0123")), 1.2, 0.9)
    write_book(
        pd.DataFrame({"Account ID": accounts["account_id"], "Next ARR": grown}),
        where / "renewals.csv",
    )
    return where


def test_calibrate_prints_the_tiers_and_writes_the_document(folder):
    done = run(
        "book.csv",
        "--outcome",
        "Churned",
        "--as-of",
        "2026-11-01",
        "--json",
        "cal.json",
        cwd=folder,
    )
    assert done.returncode == 0, done.stderr
    doc = json.loads((folder / "cal.json").read_text())
    validate_document(doc)
    assert doc["accounts"] == 1500 and doc["signal"] is True
    for tier in doc["tiers"]:
        assert f"{tier['tier']} | {tier['accounts']:,} | {tier['with_outcome']:,}" in done.stdout
    assert "priority:" in done.stdout and "best single column" in done.stdout
    assert "Suggested weights" in done.stdout


def test_calibrate_with_an_outcomes_file_reports_the_ids_it_could_not_match(folder):
    done = run(
        "bare.csv",
        "--outcome",
        "Churned",
        "--outcomes",
        "outcomes.xlsx",
        "--json",
        "o.json",
        cwd=folder,
    )
    assert done.returncode == 0, done.stderr
    assert (
        "1,200 of 1,500 accounts matched by id; 1 ids of the file match no account" in done.stdout
    )
    assert "300 accounts have no known outcome" in done.stdout
    doc = json.loads((folder / "o.json").read_text())
    validate_document(doc)
    assert doc["accounts"] == 1200


@pytest.mark.parametrize(
    "which, share",
    [("expansion", 0.4), ("contraction", 0.6)],  # ids ending 0-3 grow by 20%
)
def test_next_period_arr_counts_expansion_or_contraction(folder, which, share):
    args = ["bare.csv", "--outcome", "Next ARR", "--outcomes", "renewals.csv"]
    done = run(*args, "--number-event", which, "--json", f"{which}.json", cwd=folder)
    assert done.returncode == 0, done.stderr
    doc = json.loads((folder / f"{which}.json").read_text())
    validate_document(doc)
    assert doc["rate"] == pytest.approx(share, abs=0.01)
    assert f"({which})" in done.stdout
    book = seg.load(folder / "book.csv").accounts
    ids = book["account_id"].str[-1].isin(list("0123"))
    nrr = (book["arr"] * np.where(ids, 1.2, 0.9)).sum() / book["arr"].sum()
    assert f"Net revenue retention of these accounts: {nrr:.1%}." in done.stdout


@pytest.mark.parametrize(
    "args, message",
    [
        (["one_class.csv", "--outcome", "Churned"], "one class only"),
        (
            ["bare.csv", "--outcome", "Churned", "--outcomes", "strangers.csv"],
            "match an account id",
        ),
        (["book.csv", "--outcome", "csm"], "is not yes/no, a date or a number"),
        (["book.csv", "--outcome", "Churn"], "no column 'Churn'"),
    ],
)
def test_bad_outcomes_exit_2_with_one_error_line(folder, args, message):
    done = run(*args, "--json", "bad.json", cwd=folder)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and message in lines[0]
    assert "Traceback" not in done.stderr
    assert not (folder / "bad.json").exists()


def run_score(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "segmentation", "score", *args, "--as-of", "2026-11-01"],
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_score_with_an_outcome_puts_the_calibration_in_the_summary(folder):
    done = run_score("book.csv", "--out", "scored.xlsx", "--outcome", "Churned", cwd=folder)
    assert done.returncode == 0, done.stderr
    assert "note: the Summary sheet holds the calibration against Churned: yes." in done.stdout
    doc = run("book.csv", "--outcome", "Churned", "--as-of", "2026-11-01", "--json", "c.json",
              cwd=folder)  # fmt: skip
    assert doc.returncode == 0, doc.stderr
    want = json.loads((folder / "c.json").read_text())
    rows = CalamineWorkbook.from_path(str(folder / "scored.xlsx")).get_sheet_by_name("Summary")
    rows = rows.to_python()
    start = next(i for i, r in enumerate(rows) if r[:2] == ["Tier", "Accounts with an outcome"])
    shown = {r[0]: r[1:5] for r in rows[start + 1 : start + 1 + len(want["tiers"])]}
    for tier in want["tiers"]:
        accounts, hits, rate, lift = shown[tier["tier"]]
        assert (accounts, hits) == (tier["accounts"], tier["with_outcome"])
        assert (rate, lift) == pytest.approx((tier["rate"], tier["lift"]), abs=1e-4)
    start = next(i for i, r in enumerate(rows) if str(r[0]).startswith("ROC AUC"))
    assert rows[start + 1][0] == "Priority"
    assert rows[start + 1][1] == pytest.approx(want["auc"]["priority"]["value"], abs=1e-4)


def test_score_with_an_outcome_and_a_csv_says_the_csv_has_no_calibration(folder):
    done = run_score("book.csv", "--out", "scored.csv", "--outcome", "Churned", cwd=folder)
    assert done.returncode == 0, done.stderr
    assert "a CSV has none" in done.stdout
    assert len(pd.read_csv(folder / "scored.csv")) == 1500


@pytest.mark.parametrize(
    "book, column, message",
    [("one_class.csv", "Churned", "one class only"), ("book.csv", "Churn", "no column 'Churn'")],
)
def test_score_with_a_bad_outcome_exits_2_and_writes_nothing(folder, book, column, message):
    done = run_score(book, "--out", "bad.xlsx", "--outcome", column, cwd=folder)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and message in lines[0]
    assert not (folder / "bad.xlsx").exists()
