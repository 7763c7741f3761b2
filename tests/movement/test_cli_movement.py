"""`score --previous` / `--history` and `sample --quarters` as a subprocess: the movement rules
applied, `tier_change` and `held` written, moves up/down/held said in the summary."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pandas as pd
import pytest

import segmentation as seg
from tests.test_cli import run  # the one way the tests run the command line

AS_OF = "2026-11-01"


def settings(folder: Path, **movement) -> Path:
    doc = seg.config_to_dict(seg.default_config())
    doc["movement"].update(movement)
    path = folder / "settings.json"
    path.write_text(json.dumps(doc))
    return path


@pytest.fixture(scope="module")
def quarters(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("quarters")
    done = run("sample", "--rows", "1500", "--seed", "3", "--out", "book.csv", "--quarters", "3",
               cwd=folder)  # fmt: skip
    assert done.returncode == 0, done.stderr
    return folder


def test_sample_quarters_writes_dated_snapshots(quarters):
    names = sorted(p.name for p in quarters.glob("book_*.csv"))
    assert names == ["book_2026-05-03.csv", "book_2026-08-02.csv", "book_2026-11-01.csv"]
    books = [seg.load(quarters / name).accounts for name in names]
    assert all(len(b) == 1500 for b in books)
    assert not books[0]["health_score"].equals(books[-1]["health_score"])  # drift


def score(folder: Path, *extra: str) -> tuple[subprocess.CompletedProcess, pd.DataFrame]:
    out = folder / "out.csv"
    done = run("score", "book_2026-11-01.csv", "--out", str(out), "--as-of", AS_OF, *extra,
               cwd=folder)  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done, pd.read_csv(out, encoding="utf-8-sig", keep_default_na=False)


@pytest.mark.parametrize("margin", [0, 5])
def test_previous_applies_the_margin_and_says_what_it_held(quarters, margin):
    config = settings(quarters, margin=margin)
    done, out = score(quarters, "--previous", "book_2026-08-02.csv", "--config", str(config))
    held = out["held"]
    assert set(out["tier_change"]) <= {"up", "down", "same", "new"}
    assert {"previous_tier", "tier_change", "held"} <= set(out.columns)
    if margin == 0:
        assert (held == "").all() and "Held by" not in done.stdout
        plain = seg.segment(
            seg.load(quarters / "book_2026-11-01.csv").accounts, seg.default_config()
        )
        assert out["tier"].tolist() == plain["tier"].astype(str).tolist()
    else:
        assert (held == "margin").sum() > 0
        assert f"Held by the movement rules: {(held != '').sum():,} account" in done.stdout
        kept = out[held == "margin"]
        assert kept["reasons"].str.contains("within the 5-point margin").all()
        assert (kept["tier"] == kept["previous_tier"]).all()
    counts = out["tier_change"].value_counts()
    assert f"{counts.get('up', 0):,} up, {counts.get('down', 0):,} down" in done.stdout


def test_history_feeds_min_periods(quarters):
    """Two snapshots in a row: a move seen at 08-02 and still there today is made; against
    08-02 alone (a raw export, scored with these settings) no move can be confirmed yet."""
    config = settings(quarters, min_periods=2)
    history = ["--history", "book_2026-08-02.csv", "book_2026-05-03.csv"]  # any order
    _, with_history = score(quarters, *history, "--config", str(config))
    _, alone = score(quarters, "--previous", "book_2026-08-02.csv", "--config", str(config))
    moved = {
        name: int(out["tier_change"].isin(["up", "down"]).sum())
        for name, out in (("history", with_history), ("alone", alone))
    }
    assert moved["alone"] == 0 and (alone["held"] == "min_periods").sum() > 0
    assert moved["history"] > 0 and (with_history["held"] == "min_periods").sum() > 0
    reasons = with_history.loc[with_history["held"] == "min_periods", "reasons"]
    assert reasons.str.contains("a move needs 2 consecutive snapshots").all()


def test_a_missing_history_file_is_one_error_line(quarters):
    done = run("score", "book_2026-11-01.csv", "--out", "x.csv", "--history", "nope.csv",
               cwd=quarters)  # fmt: skip
    assert done.returncode == 2
    assert done.stderr.startswith("error:") and len(done.stderr.strip().splitlines()) == 1
    assert not (quarters / "x.csv").exists()
