"""The Capacity panel's view and the XLSX Summary sheet, against plain pandas arithmetic."""

from __future__ import annotations

import io
import math

import numpy as np
import openpyxl
import pytest
from capacity_helpers import AS_OF, staffed

import segmentation as seg
from segmentation.exporting.workbook import CAPACITY_COLUMN
from segmentation.views.capacity import CAPACITY_COLUMNS, capacity_lines, capacity_view

CONFIG = staffed(
    seg.default_config(),
    High_touch=(4, 15, 80),
    Mid_touch=(3, 60, None),
)
HOURS, COST = 1560.0, 150_000.0


def direct(result, tier: str, ratio, hours_each, csms) -> dict:
    """The figures of one tier, by hand from the result's tier and arr columns."""
    rows = result[result["tier"] == tier]
    accounts, arr = len(rows), float(rows["arr"].fillna(0).sum())
    by_accounts = accounts / ratio if ratio else math.nan
    by_hours = accounts * hours_each / HOURS if hours_each else math.nan
    need = np.nanmax([by_accounts, by_hours]) if ratio or hours_each else math.nan
    return {
        "accounts": accounts,
        "arr": arr,
        "csms_by_accounts": by_accounts,
        "csms_by_hours": by_hours,
        "csms_by_arr": arr / 2_000_000,
        "csms_needed": math.ceil(need) if not math.isnan(need) else math.nan,
        "csms_available": csms if csms else math.nan,
        "gap": csms - math.ceil(need) if csms else math.nan,
        "cost_to_serve": need * COST,
        "cost_share_of_arr": need * COST / arr if arr else math.nan,
    }


@pytest.fixture(scope="module")
def result(accounts):
    return seg.segment(accounts, CONFIG, as_of=AS_OF)


EXPECTED = {
    "High-touch": (15, 80, 4),
    "Mid-touch": (60, None, 3),
    "Low-touch": (None, None, None),
}


@pytest.mark.parametrize("tier", list(EXPECTED))
def test_each_tier_row_matches_a_direct_computation(result, tier):
    view = capacity_view(result, CONFIG)
    assert list(view.table.columns) == list(CAPACITY_COLUMNS)
    assert list(view.table.index) == list(CONFIG.tier_names) and view.from_settings
    row = view.table.loc[tier]
    for column, value in direct(result, tier, *EXPECTED[tier]).items():
        assert row[column] == pytest.approx(value, nan_ok=True), column


def test_without_a_capacity_section_the_default_model_is_shown(result):
    view = capacity_view(result, seg.default_config())
    assert not view.from_settings
    top = direct(result, "High-touch", 15, 80, None)
    assert view.table.loc["High-touch", "csms_needed"] == top["csms_needed"]
    assert np.isnan(view.table.loc["High-touch", "gap"])
    assert not view.table["csms_needed"].isna().any()  # every default tier has a rule


def test_the_lines_the_cli_prints_say_each_tier(result):
    lines = capacity_lines(capacity_view(result, CONFIG))
    top = direct(result, "High-touch", 15, 80, 4)
    assert lines[0].startswith(f"  High-touch: CSMs {top['csms_by_accounts']:.1f} by accounts")
    assert f"-> {top['csms_needed']} needed" in lines[0] and "4 available" in lines[0]
    assert lines[2].endswith("no coverage rule")


def test_the_xlsx_summary_holds_the_coverage_model(result):
    buffer = io.BytesIO()
    seg.export(result, buffer, "xlsx", config=CONFIG)
    sheet = openpyxl.load_workbook(io.BytesIO(buffer.getvalue()))["Summary"]
    rows = [list(r)[CAPACITY_COLUMN:] for r in sheet.iter_rows(values_only=True)]
    start = next(
        i for i, r in enumerate(rows) if r and r[0] == "Coverage model (from the settings)"
    )
    header = rows[start + 1]
    assert header[:3] == ["Tier", "Accounts", "CSMs by accounts"]
    tier_rows = {r[0]: i for i, r in enumerate(sheet.iter_rows(values_only=True))}
    for offset, tier in enumerate(EXPECTED, start=2):
        line = dict(zip(header, rows[start + offset], strict=True))
        want = direct(result, tier, *EXPECTED[tier])
        assert line["Tier"] == tier and line["Accounts"] == want["accounts"]
        assert tier_rows[tier] == start + offset  # beside the tier table's row
        assert (line["CSMs needed"] or math.nan) == pytest.approx(want["csms_needed"], nan_ok=True)
        assert (line["Cost to serve / ARR"] or math.nan) == pytest.approx(
            want["cost_share_of_arr"], nan_ok=True
        )
    settings_text = "\n".join(
        str(r[0])
        for r in openpyxl.load_workbook(io.BytesIO(buffer.getvalue()))["Settings"].iter_rows(
            values_only=True
        )
    )
    assert "4 CSMs serve at most 60 accounts" in settings_text
