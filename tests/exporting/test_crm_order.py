"""Exports for a CRM import (issue 18, finding 9): the id, the name, the new tier, the previous
tier, the change and the reasons first, the rest after; dates as dates; the contract's names."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

import segmentation as seg

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "sample_data" / "accounts.csv"
PREVIOUS = ROOT / "sample_data" / "accounts_previous_quarter.csv"
CONTRACT = ["score_growth", "score_strategic", "score_complexity", "score_health", "priority",
            "tier", "quadrant", "reasons", "data_issues"]  # fmt: skip


def exported(frame_or_path, fmt: str) -> tuple[bytes, seg.Book]:
    book = seg.load(frame_or_path, filename="book.csv") if not isinstance(
        frame_or_path, Path) else seg.load(frame_or_path)  # fmt: skip
    result = seg.segment(book.accounts, seg.default_config())
    return seg.export_bytes(result, fmt=fmt, config=seg.default_config(), report=book.report), book


def csv_frame(data: bytes) -> pd.DataFrame:
    return pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", dtype=str, keep_default_na=False)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_crm_import_finds_its_columns_first(fmt):
    data, book = exported(SAMPLE, fmt)
    if fmt == "csv":
        header = list(csv_frame(data).columns)
    else:
        sheet = openpyxl.load_workbook(io.BytesIO(data), read_only=True)["Accounts"]
        header = [c.value for c in next(sheet.iter_rows(max_row=1))]
    assert header[:5] == ["Account ID", "Account Name", "tier", "Previous Tier", "reasons"]
    assert set(CONTRACT) <= set(header)  # every output column, under the contract's name
    assert sorted(header) == sorted(set(header))  # each once
    assert set(book.raw.columns) <= set(header)  # the input's own columns, all of them


def test_the_change_follows_the_previous_tier_with_a_previous_snapshot(tmp_path):
    out = tmp_path / "scored.csv"
    done = subprocess.run(
        [sys.executable, "-m", "segmentation", "score", str(SAMPLE), "--out", str(out),
         "--previous", str(PREVIOUS)],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    header = list(csv_frame(out.read_bytes()).columns)
    assert header[:6] == [
        "Account ID", "Account Name", "tier", "previous_tier", "tier_change", "reasons"
    ]  # fmt: skip


US_DATES = (
    "Account ID,Account Name,ARR,Renewal Date\n"
    "A1,Acme,12000,08/18/2027\nA2,Beta,30000,12/01/2026\nA3,Gamma,9000,\n"
)


def test_dates_are_written_as_dates():
    csv_data, _ = exported(io.BytesIO(US_DATES.encode()), "csv")
    assert list(csv_frame(csv_data)["Renewal Date"]) == ["2027-08-18", "2026-12-01", ""]
    xlsx_data, _ = exported(io.BytesIO(US_DATES.encode()), "xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx_data))["Accounts"]
    header = [c.value for c in sheet[1]]
    cell = sheet.cell(row=2, column=header.index("Renewal Date") + 1)
    assert cell.is_date and cell.value.date().isoformat() == "2027-08-18"


def test_a_date_column_with_an_unreadable_value_stays_as_written():
    text = US_DATES.replace("12/01/2026", "next spring")
    csv_data, _ = exported(io.BytesIO(text.encode()), "csv")
    assert list(csv_frame(csv_data)["Renewal Date"]) == ["08/18/2027", "next spring", ""]
