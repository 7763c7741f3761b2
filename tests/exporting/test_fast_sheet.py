"""The fast Accounts sheet against xlsxwriter's own writer: same cells, same styles."""

from __future__ import annotations

import io

import numpy as np
import openpyxl
import pandas as pd
import pytest
import xlsxwriter

import segmentation as seg
from segmentation.exporting import fast_sheet
from segmentation.exporting.columns import export_columns
from segmentation.exporting.safety import formula_like
from segmentation.exporting.workbook import _Styles

TIERS = ["High-touch", "Mid-touch", "Low-touch"]
OPTIONS = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}


def small_frame() -> pd.DataFrame:
    """Every kind of column the Accounts sheet writes, missing values included."""
    return pd.DataFrame(
        {
            "account_id": pd.array(["A-1", "00123", "A-3", "A-4"], dtype="str"),
            "account_name": pd.array(["Acme", "=HYPERLINK(1)", "-minus", None], dtype="str"),
            "arr": [1200.5, np.nan, -30.0, 1e6],
            "adoption": [0.25, 1.0, np.nan, 0.5],
            "score_growth": [12.3, 99.9, np.nan, 0.0],
            "priority": [70.0, 45.0, 10.5, np.nan],
            "tier": pd.Categorical(["High-touch", "Mid-touch", "Low-touch", "Low-touch"], TIERS),
            "strategic_account": [True, False, True, False],
            "renewal_date": pd.to_datetime(["2026-01-31", None, "2027-12-01", "2026-06-30"]),
            "notes": pd.Series([1.5, "2", "abc", None], dtype=object),
            "Amount": pd.array(["-5", "00123", "1e3", "x"], dtype="str"),
        }
    )


def _number_style(name: str, styles: _Styles):
    if name == "arr":
        return styles.money
    if name == "priority" or name.startswith("score_"):
        return styles.score
    return styles.percent if name == "adoption" else None


def _plain_number(name: str, text: str) -> float | None:
    """Text that is wholly a plain number, outside the canonical text columns: a number."""
    if name in ("account_id", "account_name") or text.startswith("00"):
        return None
    try:
        return float(text)
    except ValueError:
        return None


def reference_workbook(frame: pd.DataFrame) -> bytes:
    """The same sheet through xlsxwriter's public, per-cell API (columns in the export's order)."""
    frame = export_columns(frame, None)
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, **OPTIONS})
    styles = _Styles(book, len(TIERS))
    sheet = book.add_worksheet("Accounts")
    for col, name in enumerate(frame.columns):
        sheet.write_string(0, col, name, styles.header)
        quoted = formula_like(frame[name])
        for row, value in enumerate(frame[name].astype(object), start=1):
            if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NaT:
                continue
            if isinstance(value, bool | np.bool_):
                sheet.write_boolean(row, col, bool(value))
            elif isinstance(value, pd.Timestamp):
                sheet.write_datetime(row, col, value.to_pydatetime(), styles.date)
            elif isinstance(value, int | float):
                sheet.write_number(row, col, value, _number_style(name, styles))
            elif name == "tier":
                sheet.write_string(row, col, value, styles.tiers[TIERS.index(value)])
            elif _plain_number(name, value) is not None:
                sheet.write_number(row, col, _plain_number(name, value))
            else:
                sheet.write_string(row, col, value, styles.quoted if quoted[row - 1] else None)
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, len(frame), len(frame.columns) - 1)
    book.close()
    return buffer.getvalue()


def cells(data: bytes) -> tuple[dict, str | None, str | None]:
    sheet = openpyxl.load_workbook(io.BytesIO(data))["Accounts"]
    found = {}
    for row in sheet.iter_rows():
        for cell in row:
            if cell.value is None:
                continue
            found[cell.coordinate] = (
                cell.value,
                cell.data_type,
                cell.number_format,
                bool(cell.font.b),
                cell.fill.fgColor.rgb if cell.fill.fill_type else None,
                bool(cell.quotePrefix),
            )
    return found, sheet.freeze_panes, sheet.auto_filter.ref


def test_fast_sheet_matches_xlsxwriters_own_writer_cell_by_cell():
    frame = small_frame()
    fast, fast_panes, fast_filter = cells(seg.export_bytes(frame, "xlsx"))
    slow, slow_panes, slow_filter = cells(reference_workbook(frame))
    assert fast.keys() == slow.keys()
    for ref in slow:
        assert fast[ref] == slow[ref], ref
    assert (fast_panes, fast_filter) == (slow_panes, slow_filter) == ("A2", "A1:K5")
    assert fast["B3"][5] and fast["A3"] == ("00123", "s", "General", False, None, False)
    assert fast["J3"][0] == 2 and fast["K2"][0] == -5


@pytest.mark.parametrize(
    ("version", "ok"),
    [("3.3.0", True), ("3.2.9", False), ("3.3.99", True), ("3.4.0", False), ("4.0", False)],
)
def test_the_fast_sheet_refuses_an_untested_xlsxwriter(version, ok):
    if ok:
        fast_sheet.check_xlsxwriter_version(version)
    else:
        with pytest.raises(RuntimeError, match=f"xlsxwriter {version} is outside the range"):
            fast_sheet.check_xlsxwriter_version(version)


def test_the_installed_xlsxwriter_is_in_the_tested_range_and_the_pin_agrees():
    fast_sheet.check_xlsxwriter_version(xlsxwriter.__version__)
    with open("requirements.txt", encoding="utf-8") as handle:
        (line,) = [line for line in handle if line.startswith("xlsxwriter")]
    low, high = (".".join(map(str, v)) for v in fast_sheet.TESTED_XLSXWRITER)
    assert line.split("#")[0].strip() == f"xlsxwriter>={low},<{high}"
