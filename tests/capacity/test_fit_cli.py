"""`fit` and the CSMs-needed lines of `score`, run as a user runs them: a subprocess."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from capacity_helpers import AS_OF, CONTRACT_SECTION

import segmentation as seg
from segmentation.config import config_to_dict, with_thresholds
from segmentation.sample import generate_accounts, write_book

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests"))
from test_cli import run  # noqa: E402  (the one way the CLI tests run the command)


def settings(folder: Path, name: str, capacity, relative: bool = False, **changes) -> str:
    base = seg.default_config()
    doc = config_to_dict(base if relative else with_thresholds(base, [70, 45]))
    if capacity is not None:
        doc["capacity"] = capacity
    doc.update(changes)
    (folder / name).write_text(json.dumps(doc))
    return name


TEAM = {
    **CONTRACT_SECTION,
    "tiers": {**CONTRACT_SECTION["tiers"], "Mid-touch": {"csms": 4, "accounts_per_csm": 60}},
}


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("fit")
    write_book(generate_accounts(400, seed=21), folder / "accounts.csv")
    settings(folder, "team.json", TEAM)
    settings(folder, "relative_team.json", TEAM, relative=True)
    settings(folder, "no_team.json", None)
    floor = {"min_arr_top_tier": None, "strategic_floor": "High-touch", "overrides": []}
    small = {"tiers": {"High-touch": {"csms": 1, "accounts_per_csm": 10}}}
    settings(folder, "floor.json", small, guardrails=floor)
    return folder


def test_fit_from_relative_cut_offs_starts_from_this_books_numbers(folder):
    done = run("fit", "accounts.csv", "--config", "relative_team.json", "--out", "fitted_r.json",
               "--as-of", AS_OF.isoformat(), cwd=folder)  # fmt: skip
    assert done.returncode == 0, done.stderr
    relative = seg.load_config(folder / "relative_team.json")
    book = seg.load(folder / "accounts.csv")
    pinned = seg.fitted_config(seg.score_metrics(book.accounts, relative, as_of=AS_OF), relative)
    fitted = seg.load_config(folder / "fitted_r.json")
    assert (
        f"High-touch  {pinned.tiers[0].threshold:g} -> {fitted.tiers[0].threshold:g}" in done.stdout
    )
    counts = seg.segment(book.accounts, fitted, as_of=AS_OF)["tier"].value_counts()
    assert 0 < counts["High-touch"] <= 60 and 0 < counts["Mid-touch"] <= 240


def test_fit_writes_settings_whose_tiers_fit_the_team(folder):
    done = run("fit", "accounts.csv", "--config", "team.json", "--out", "fitted.json",
               "--as-of", AS_OF.isoformat(), cwd=folder)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    fitted = seg.load_config(folder / "fitted.json")
    assert fitted.capacity == seg.load_config(folder / "team.json").capacity
    book = seg.load(folder / "accounts.csv")
    counts = seg.segment(book.accounts, fitted, as_of=AS_OF)["tier"].value_counts()
    assert 0 < counts["High-touch"] <= 60 and 0 < counts["Mid-touch"] <= 240
    out = done.stdout
    assert f"High-touch  70 -> {fitted.tiers[0].threshold:g}" in out
    assert f"{counts['High-touch']:>9,}      60" in out
    assert "Ties: accounts with the same priority are never split" in out
    assert "+1 High-touch CSM brings " in out and "-1 Mid-touch CSM moves " in out
    assert out.strip().endswith("Wrote the fitted settings to fitted.json.")


def test_score_prints_csms_needed_per_tier_with_a_capacity_section(folder):
    done = run("score", "accounts.csv", "--config", "team.json", "--out", "out.csv", cwd=folder)
    assert done.returncode == 0, done.stderr
    assert "CSMs needed per tier (coverage model):" in done.stdout
    assert "  High-touch: CSMs " in done.stdout and "4 available" in done.stdout
    plain = run("score", "accounts.csv", "--out", "out.csv", cwd=folder)
    assert plain.returncode == 0 and "CSMs needed per tier" not in plain.stdout


FAILURES = [
    ("floor.json", "never1.json", "guard-rails and overrides alone put"),
    ("no_team.json", "never2.json", "no tier has a head-count"),
    ("team.json", "never3.csv", "never3.csv: the fitted settings are written as .json"),
    ("missing.json", "never4.json", "cannot read settings file missing.json"),
]


@pytest.mark.parametrize(("config", "out", "message"), FAILURES, ids=[f[2] for f in FAILURES])
def test_fit_that_cannot_be_met_exits_2_with_one_error_line(folder, config, out, message):
    done = run("fit", "accounts.csv", "--config", config, "--out", out, cwd=folder)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and message in lines[0], lines
    assert "Traceback" not in done.stderr
    assert not (folder / out).exists()  # nothing written when the fit fails


def test_fit_counts_no_capacity_for_an_override_past_its_last_day(folder):
    """An override that ended before --as-of is said (a warning) and not applied by `score`;
    `fit` must not count it either: the cut-offs equal those fitted without it."""
    book = seg.segment(seg.load(folder / "accounts.csv").accounts, seg.default_config())
    lowest = book.sort_values("priority")["account_id"].head(20)
    ended = [
        {"account_id": i, "tier": "High-touch", "reason": "board", "expires": "2026-10-01"}
        for i in lowest
    ]
    rails = {"min_arr_top_tier": None, "strategic_floor": None}
    settings(folder, "ended.json", TEAM, guardrails={**rails, "overrides": ended})
    settings(folder, "none.json", TEAM, guardrails={**rails, "overrides": []})
    for name in ("ended", "none"):
        done = run("fit", "accounts.csv", "--config", f"{name}.json", "--out",
                   f"fitted_{name}.json", "--as-of", AS_OF.isoformat(), cwd=folder)  # fmt: skip
        assert done.returncode == 0, done.stderr
    fitted = seg.load_config(folder / "fitted_ended.json")
    plain = seg.load_config(folder / "fitted_none.json")
    assert [t.threshold for t in fitted.tiers] == [t.threshold for t in plain.tiers]
    assert len(fitted.guardrails.overrides) == 20  # kept in the settings, not applied
