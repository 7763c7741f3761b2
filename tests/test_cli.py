"""The command line, run as a user runs it: a subprocess, exit codes, stdout and stderr."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest

import segmentation as seg
from segmentation.cli import build_parser, main
from segmentation.config import with_thresholds
from segmentation.movement import tier_changes
from segmentation.sample import generate_accounts, previous_quarter, write_book

ROOT = Path(__file__).resolve().parents[1]
AS_OF = "2026-11-01"


def run(*args: str, cwd: Path, timeout: float = 60) -> subprocess.CompletedProcess:
    """The command line as a user runs it (the one runner every CLI test uses)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "segmentation", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.fixture(scope="module")
def workdir(tmp_path_factory) -> Path:
    """A folder with a book, its previous quarter and a bad settings file."""
    folder = tmp_path_factory.mktemp("cli")
    accounts = generate_accounts(300, seed=5)
    write_book(accounts, folder / "accounts.csv")
    write_book(previous_quarter(accounts, seed=5), folder / "previous.csv")
    (folder / "empty.csv").write_bytes(b"")
    (folder / "bad.json").write_text("{not json")
    return folder


def test_help_lists_every_command_with_an_example(workdir):
    result = run("--help", cwd=workdir)
    assert result.returncode == 0
    commands = build_parser()._subparsers._group_actions[0].choices
    assert set(commands) == {"score", "sample", "config", "calibrate", "fit", "sql"}
    for name, command in commands.items():
        assert name in result.stdout
        assert (
            "Example:" in command.format_help() and f"segmentation {name}" in command.format_help()
        )


BOOK_FILES = {"accounts.csv", "previous.csv", "empty.csv", "bad.json", "out.csv"}


def check_one_error_line(workdir: Path, code: int, stdout: str, stderr: str, named: str) -> None:
    assert code == 2
    assert stdout == ""
    lines = stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and named in lines[0]
    assert "Traceback" not in stderr
    assert (workdir / "out.csv").read_text() == "an earlier export"  # not clobbered
    assert {p.name for p in workdir.iterdir()} == BOOK_FILES  # no partial or temporary file


@pytest.mark.parametrize(
    "args,named",
    [
        (["score", "missing.csv", "--out", "out.csv"], "missing.csv"),
        (["score", "empty.csv", "--out", "out.csv"], "empty.csv"),
        (["score", "accounts.csv", "--out", "out.csv", "--config", "bad.json"], "bad.json"),
        (["score", "accounts.csv", "--out", "out.txt"], "out.txt"),
    ],
)
def test_unusable_input_is_one_error_line_and_exit_2(workdir, args, named):
    (workdir / "out.csv").write_text("an earlier export")
    result = run(*args, cwd=workdir)
    check_one_error_line(workdir, result.returncode, result.stdout, result.stderr, named)


@pytest.mark.parametrize(
    "args,named",
    [
        (["score", "accounts.csv", "--out", "no/such/dir/out.csv"], "out.csv"),
        (["score", "accounts.csv", "--out", "out.csv", "--previous", "missing.csv"], "missing"),
        (["score", "accounts.csv", "--out", "out.csv", "--previous", "empty.csv"], "empty.csv"),
        (["sample", "--rows", "5", "--out", "sample.json"], "sample.json"),
        (["config", "--out", "no/such/dir/settings.json"], "settings.json"),
    ],
)
def test_more_unusable_paths_in_process(workdir, args, named, capsys, monkeypatch):
    (workdir / "out.csv").write_text("an earlier export")
    monkeypatch.chdir(workdir)
    code = main([*args, "--as-of", AS_OF] if args[0] == "score" else args)
    captured = capsys.readouterr()
    check_one_error_line(workdir, code, captured.out, captured.err, named)


def test_sample_then_score_round_trip(tmp_path):
    made = run("sample", "--rows", "150", "--seed", "3", "--out", "book.xlsx", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    scored = run("score", "book.xlsx", "--out", "scored.csv", "--as-of", AS_OF, cwd=tmp_path)
    assert scored.returncode == 0, scored.stderr
    out = pd.read_csv(tmp_path / "scored.csv", encoding="utf-8-sig")
    assert len(out) == 150
    assert out["Account ID"].tolist() == generate_accounts(150, seed=3)["account_id"].tolist()
    for tier in seg.default_config().tiers:
        assert tier.name in scored.stdout
    assert "150 accounts kept, 0 rows skipped" in scored.stdout


def test_score_with_saved_config_matches_segment_in_process(workdir, tmp_path):
    config = seg.default_config()
    config = replace(config, tiers=(replace(config.tiers[0], threshold=60), *config.tiers[1:]))
    seg.save_config(config, tmp_path / "settings.json")
    source = workdir / "accounts.csv"
    result = run(
        "score", str(source), "--out", "scored.xlsx", "--config", "settings.json",
        "--as-of", AS_OF, cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    written = pd.read_excel(tmp_path / "scored.xlsx", sheet_name="Accounts", engine="calamine")
    expected = seg.segment(seg.load(source).accounts, config, as_of=dt.date(2026, 11, 1))
    assert written["tier"].tolist() == expected["tier"].astype(str).tolist()
    assert written["renewal_window"].astype(str).tolist() == (
        expected["renewal_window"].astype(str).tolist()
    )


def test_previous_file_adds_tier_changes(workdir, tmp_path):
    result = run(
        "score", str(workdir / "accounts.csv"), "--out", "scored.csv",
        "--previous", str(workdir / "previous.csv"), "--as-of", AS_OF, cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    out = pd.read_csv(tmp_path / "scored.csv", encoding="utf-8-sig", keep_default_na=False)
    counts = out["tier_change"].value_counts()
    assert set(counts.index) <= {"up", "down", "same", "new", ""}
    assert counts["new"] > 0 and counts["same"] > counts["new"]
    assert f"{counts['new']} new" in result.stdout and "Tier changes since" in result.stdout


def score_against_previous(folder: Path) -> tuple[subprocess.CompletedProcess, pd.DataFrame]:
    """Score folder/book.csv against folder/prev.csv with fixed cut-offs (70 / 45)."""
    seg.save_config(with_thresholds(seg.default_config(), [70, 45]), folder / "fixed.json")
    result = run(
        "score", "book.csv", "--out", "out.csv", "--previous", "prev.csv", "--as-of", AS_OF,
        "--config", "fixed.json", cwd=folder,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return result, pd.read_csv(folder / "out.csv", encoding="utf-8-sig")


def test_previous_keeps_an_input_tier_change_column(tmp_path):
    (tmp_path / "book.csv").write_text(
        "Account ID,Account Name,ARR,tier_change\nA1,Acme,1000,mine\nA2,Beta,300,also mine\n"
    )
    (tmp_path / "prev.csv").write_text("Account ID,Tier\nA1,Low-touch\n")
    _, out = score_against_previous(tmp_path)
    assert out["tier_change (input)"].tolist() == ["mine", "also mine"]
    assert out["tier_change"][0] in ("up", "same", "down") and out["tier_change"][1] == "new"


def test_accounts_without_an_id_are_new(tmp_path):
    """A missing id matches nothing: not the first id-less account of the previous file."""
    (tmp_path / "book.csv").write_text(
        "Account ID,Account Name,ARR\nA1,Acme,100\n,Beta,200000\n ,Gamma,300\n"
    )
    (tmp_path / "prev.csv").write_text("Account ID,Tier\n,High-touch\nA1,Low-touch\n")
    result, out = score_against_previous(tmp_path)
    assert out["tier_change"].tolist() == ["same", "new", "new"]
    assert "0 down, 1 same, 2 new" in result.stdout


@pytest.mark.parametrize("missing", [None, pd.NA, float("nan"), "", "  "])
def test_tier_changes_never_match_missing_keys(missing):
    tiers = [t.name for t in seg.default_config().tiers]
    result = pd.DataFrame({"account_id": ["A1", missing], "tier": ["Low-touch", "Low-touch"]})
    previous = pd.DataFrame({"account_id": [missing, "A1"], "Tier": ["High-touch", "Low-touch"]})
    for ids in (object, "str"):
        result["account_id"] = result["account_id"].astype(ids)
        assert tier_changes(result, previous, tiers).tolist() == ["same", "new"]


@pytest.mark.parametrize("option", ["input", "--config", "--previous"])
def test_a_folder_given_as_a_file_says_so(workdir, option):
    (workdir / "out.csv").write_text("an earlier export")
    (workdir / "folder").mkdir(exist_ok=True)
    if option == "input":
        args = ["score", "folder", "--out", "out.csv"]
    else:
        args = ["score", "accounts.csv", "--out", "out.csv", option, "folder"]
    try:
        result = run(*args, cwd=workdir)
    finally:
        (workdir / "folder").rmdir()
    check_one_error_line(workdir, result.returncode, result.stdout, result.stderr, "folder")
    assert "is a folder, not a file" in result.stderr and "not found" not in result.stderr


def test_config_command_writes_the_defaults(tmp_path, capsys):
    assert main(["config", "--out", str(tmp_path / "settings.json")]) == 0
    assert "settings.json" in capsys.readouterr().out
    assert seg.load_config(tmp_path / "settings.json") == seg.default_config()


@pytest.mark.parametrize(
    "before,now,change",
    [
        ("Low-touch", "High-touch", "up"),
        ("Low-touch", "Mid-touch", "up"),
        ("Mid-touch", "Mid-touch", "same"),
        ("High-touch", "Mid-touch", "down"),
        ("Mid-touch", "Low-touch", "down"),
        ("Gold", "Mid-touch", None),  # a tier name the settings do not know
        (None, "Mid-touch", None),
    ],
)
def test_tier_changes_compare_positions(before, now, change):
    tiers = [t.name for t in seg.default_config().tiers]
    result = pd.DataFrame({"account_id": ["A1", "A2"], "tier": [now, "Low-touch"]})
    previous = pd.DataFrame({"account_id": [" A1 ", "A9"], "Tier": [before, "Low-touch"]})
    changes = tier_changes(result, previous, tiers)
    assert (None if pd.isna(changes[0]) else changes[0]) == change
    assert changes[1] == "new"


def test_tier_changes_fall_back_to_previous_tier_column():
    tiers = [t.name for t in seg.default_config().tiers]
    result = pd.DataFrame({"account_name": ["Acme"], "tier": ["High-touch"]})
    previous = pd.DataFrame({"account_name": ["Acme"], "previous_tier": ["Low-touch"]})
    assert tier_changes(result, previous, tiers).tolist() == ["up"]
    with pytest.raises(seg.InputError, match="no tier column"):
        tier_changes(result, previous.drop(columns="previous_tier"), tiers)


def test_an_unexpected_failure_is_one_line_not_a_traceback(tmp_path):
    """A bug must not spill a stack trace on the user; TIERWISE_DEBUG brings it back."""
    import os

    code = (
        "import segmentation.cli as cli, segmentation as seg; "
        "seg.segment = None; "  # any call to it now fails with a TypeError
        "import sys; sys.exit(cli.main(sys.argv[1:]))"
    )
    args = ["score", "sample_data/accounts.csv", "--out", str(tmp_path / "o.csv")]
    done = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, cwd=ROOT
    )
    assert done.returncode == 1
    assert done.stderr.startswith("error: unexpected TypeError")
    assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "o.csv").exists()
    debug = subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        env={**os.environ, "TIERWISE_DEBUG": "1"},
        cwd=ROOT,
    )
    assert "Traceback" in debug.stderr


@pytest.mark.parametrize(
    ("text", "warning"),
    [
        (
            "Account ID,Account Name,ARR\nA1,Acme,100\nA1,Acme again,200\nA2,Beta,300\n",
            "warning: 1 account ids appear more than once (2 rows): each row is scored as its "
            "own account",
        ),
        (
            "Account ID,Account Name,NPS\nA1,Acme,3\nA2,Beta,9\n",
            "warning: no revenue column (ARR or MRR) was found: revenue is left out of strategic "
            "value, and tier ARR and coverage read $0; map one (--map arr=HEADER or on the Data "
            "page)",
        ),
    ],
)
def test_score_warns_of_what_changes_the_result(tmp_path, text, warning):
    (tmp_path / "book.csv").write_text(text)
    done = run("score", "book.csv", "--out", "out.csv", "--as-of", AS_OF, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert warning in done.stderr.splitlines()
    assert done.stderr.splitlines().count(warning) == 1
