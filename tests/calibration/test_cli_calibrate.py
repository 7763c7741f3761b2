"""`python -m segmentation calibrate`, run as a user runs it: a subprocess, files, exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from calibration_books import churn_book

from segmentation.config import SCORE_COLUMNS
from segmentation.sample import write_book

ROOT = Path(__file__).resolve().parents[2]
TIER_KEYS = {"tier", "accounts", "with_outcome", "rate", "lift", "arr", "arr_with_outcome"}


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "segmentation", "calibrate", *args],
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
    )


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
    return where


def validate_document(doc: dict) -> None:
    """The calibration document of CONTRACT.md section 7, key by key."""
    assert set(doc) == {"accounts", "with_outcome", "rate", "tiers", "auc", "signal"}
    assert isinstance(doc["accounts"], int) and isinstance(doc["with_outcome"], int)
    assert 0 <= doc["rate"] <= 1 and isinstance(doc["signal"], bool)
    assert sum(t["accounts"] for t in doc["tiers"]) == doc["accounts"]
    assert sum(t["with_outcome"] for t in doc["tiers"]) == doc["with_outcome"]
    for tier in doc["tiers"]:
        assert set(tier) == TIER_KEYS
        assert tier["arr_with_outcome"] <= tier["arr"]
    assert {"priority", *SCORE_COLUMNS} == set(doc["auc"])
    for value in doc["auc"].values():
        assert set(value) == {"value", "low", "high"}
        assert 0 <= value["low"] <= value["value"] <= value["high"] <= 1


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
