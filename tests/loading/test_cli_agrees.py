"""The command line and seg.load() agree on every fixture: same accounts, or the same refusal."""

from __future__ import annotations

import pandas as pd
import pytest
from build_fixtures import csv_files, excel_files

import segmentation as seg
from segmentation.cli import main

FIXTURE_NAMES = sorted({**csv_files(), **excel_files()})


@pytest.mark.parametrize("name", FIXTURE_NAMES)
def test_cli_and_load_agree(name, fixtures, tmp_path, capsys):
    path = fixtures[name]
    out = tmp_path / "out.csv"
    try:
        book = seg.load(path)
    except seg.InputError as refusal:
        assert main(["score", str(path), "--out", str(out), "--as-of", "2026-11-22"]) == 2
        stderr = capsys.readouterr().err.strip().splitlines()
        assert len(stderr) == 1 and stderr[0].startswith("error: ")
        assert " ".join(str(refusal).split()).removesuffix(".")[-60:] in stderr[0]
        assert not out.exists()
        return
    assert main(["score", str(path), "--out", str(out), "--as-of", "2026-11-22"]) == 0
    written = pd.read_csv(out, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert len(written) == book.report.rows_kept
    if "account_id" in book.mapping:  # exported under the input's own header, as uploaded
        header = book.mapping["account_id"]
        expected = book.accounts["account_id"].fillna("").astype(str).tolist()
        assert written[header].str.lstrip("'").str.strip().tolist() == expected
    summary = capsys.readouterr().out
    assert f"{book.report.rows_kept:,} accounts kept" in summary
