"""Profiles through the command line: `score --config` with a profiles section."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

import segmentation as seg
from tests.profiles.books import crm_export
from tests.test_cli import run

AS_OF = "2026-11-01"
PROFILE = {
    "name": "SMB",
    "when": {"column": "Segment", "values": ["SMB"]},
    "ranks_within": True,
    "settings": {"pillars": {"growth": {"weight": 80}}},
}


def write_settings(folder: Path, profile: dict) -> Path:
    doc = seg.config_to_dict(seg.default_config())
    doc["profiles"] = [profile]
    path = folder / "settings.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def test_score_writes_the_profile_column_and_the_library_result(tmp_path):
    book = tmp_path / "Accounts_Report.csv"
    book.write_bytes(crm_export(rows=200))
    settings = write_settings(tmp_path, PROFILE)
    done = run(
        "score",
        str(book),
        "--out",
        "out.csv",
        "--config",
        str(settings),
        "--as-of",
        AS_OF,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    written = pd.read_csv(tmp_path / "out.csv")
    loaded = seg.load(book)
    expected = seg.segment(
        loaded.accounts, seg.load_config(settings), as_of=pd.Timestamp(AS_OF).date()
    )
    assert written["profile"].tolist() == expected["profile"].astype(str).tolist()
    assert written["tier"].tolist() == expected["tier"].astype(str).tolist()
    assert set(written["profile"]) == {"SMB", "Default"}
    assert (
        written["reasons"].str.startswith("Profile SMB. ").sum()
        == (written["profile"] == "SMB").sum()
    )


def test_a_profile_on_a_column_the_book_lacks_is_one_error_line(tmp_path):
    book = tmp_path / "Accounts_Report.csv"
    book.write_bytes(crm_export(rows=50))
    settings = write_settings(
        tmp_path, {**PROFILE, "when": {"column": "Territory", "values": ["West"]}}
    )
    done = run("score", str(book), "--out", "out.csv", "--config", str(settings), cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.startswith("error: ")
    assert "profiles[0].when.column" in done.stderr and "Territory" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "out.csv").exists()
