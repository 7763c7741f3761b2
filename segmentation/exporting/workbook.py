"""The XLSX workbook: the Accounts sheet (fast_sheet), Summary, Settings and Data report."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Iterator
from typing import Any, BinaryIO

import pandas as pd
import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from segmentation.config import default_config
from segmentation.errors import InputError
from segmentation.exporting.fast_sheet import EXCEL_MAX_CELL_CHARS, _AccountsSheet, _looks_rich
from segmentation.views.book import arr_values
from segmentation.views.tiers import Coverage, csm_coverage, group_summary

EXCEL_MAX_ROWS = 1_048_576  # header row included


EXCEL_MAX_COLUMNS = 16_384


# Tier colours by position in config.tiers: top strong green, middle amber, bottom grey.
TIER_COLOURS = {
    "top": {"bg_color": "#C6EFCE", "font_color": "#006100", "bold": True},
    "middle": {"bg_color": "#FFEB9C", "font_color": "#9C5700"},
    "bottom": {"bg_color": "#EDEDED", "font_color": "#3F3F3F"},
}


def write_xlsx(
    result: pd.DataFrame, handle: BinaryIO, config: Any, report: Any, outcome: Any = None
) -> None:
    """`outcome`: a calibration Outcome with one event per row of `result`, or None."""
    tiers = tier_names(result, config)
    workbook, styles = _accounts_workbook(result, handle, tiers)
    summary = workbook.add_worksheet("Summary")
    row = _write_summary_sheet(summary, result, config, tiers, styles)
    if outcome is not None:
        _write_calibration(summary, row, _tier_ordered(result, tiers), outcome, config, styles)
    _write_settings_sheet(workbook.add_worksheet("Settings"), config, styles)
    _write_report_sheet(workbook.add_worksheet("Data report"), report, styles)
    workbook.close()


def write_plain_xlsx(
    table: pd.DataFrame, handle: BinaryIO, created: dt.datetime | None = None
) -> None:
    """A workbook with the table as its only sheet, "Accounts" (as a CRM export looks).

    `created` fixes the document's creation time (else xlsxwriter uses the clock).
    """
    workbook, _ = _accounts_workbook(table, handle, tiers=[])
    if created is not None:
        workbook.set_properties({"created": created})
    workbook.close()


def _accounts_workbook(
    table: pd.DataFrame, handle: BinaryIO, tiers: list[str]
) -> tuple[xlsxwriter.Workbook, _Styles]:
    _check_fits_excel(table)
    options = {
        "in_memory": True,
        # Text stays text: never turned into a formula, a link or a number.
        "strings_to_formulas": False,
        "strings_to_urls": False,
        "strings_to_numbers": False,
    }
    workbook = xlsxwriter.Workbook(handle, options)
    styles = _Styles(workbook, len(tiers))
    accounts = workbook.add_worksheet("Accounts", worksheet_class=_AccountsSheet)
    accounts.fill(table, styles, tiers)
    return workbook, styles


def _check_fits_excel(result: pd.DataFrame) -> None:
    if len(result) + 1 > EXCEL_MAX_ROWS:
        raise InputError(
            f"The result has {len(result):,} rows but an Excel sheet holds at most "
            f"{EXCEL_MAX_ROWS - 1:,} below its header: export it as CSV instead."
        )
    if len(result.columns) > EXCEL_MAX_COLUMNS:
        raise InputError(
            f"The result has {len(result.columns):,} columns but an Excel sheet holds at most "
            f"{EXCEL_MAX_COLUMNS:,}: export it as CSV instead."
        )


class _Styles:
    """The cell formats of the workbook, with the style indices the raw sheet XML needs."""

    def __init__(self, workbook: xlsxwriter.Workbook, tier_count: int) -> None:
        add = workbook.add_format
        self.header = add({"bold": True, "bg_color": "#DDEBF7", "bottom": 1, "text_wrap": True})
        self.title = add({"bold": True, "font_size": 13})
        self.bold = add({"bold": True})
        self.money = add({"num_format": "$#,##0"})
        self.score = add({"num_format": "0"})
        self.percent = add({"num_format": "0%"})
        self.rate = add({"num_format": "0.0%"})
        self.ratio = add({"num_format": "0.00"})
        self.auc = add({"num_format": "0.000"})
        self.date = add({"num_format": "yyyy-mm-dd"})
        self.decimal = add({"num_format": "0.0"})
        self.quoted = add({"quote_prefix": True})
        self.tiers = [add({"quote_prefix": True, **TIER_COLOURS[_tier_position(i, tier_count)]})
                      for i in range(tier_count)]  # fmt: skip
        # Cells in the raw sheet XML name their style by index: fix the indices now.
        for style in [self.header, self.money, self.score, self.percent, self.date,
                      self.quoted, *self.tiers]:  # fmt: skip
            style._get_xf_index()


def _tier_position(index: int, count: int) -> str:
    if index == 0:
        return "top"
    return "bottom" if index == count - 1 else "middle"


def tier_names(result: pd.DataFrame, config: Any = None) -> list[str]:
    """Tier names, top tier first: the config's, else the tier column's categories, else the
    default config's (with any other names found appended)."""
    if config is not None:
        return [tier.name for tier in config.tiers]
    tier = result["tier"] if "tier" in result.columns else pd.Series(dtype="str")
    if isinstance(tier.dtype, pd.CategoricalDtype):
        return [str(name) for name in tier.cat.categories]
    from segmentation.config import default_config

    names = [t.name for t in default_config().tiers]
    return names + sorted(str(n) for n in tier.dropna().unique() if str(n) not in names)


def _write_text(sheet: Worksheet, row: int, col: int, text: str, style: Any = None) -> None:
    """write_string, except that text shaped like "<r>...</r>" is kept as plain text."""
    if _looks_rich(text):  # two fragments make xlsxwriter escape it as a rich string
        sheet.write_rich_string(row, col, text[:1], text[1:], *([style] if style else []))
    else:
        sheet.write_string(row, col, text, style)


def _write_summary_sheet(
    sheet: Worksheet, result: pd.DataFrame, config: Any, tiers: list[str], styles: _Styles
) -> int:
    """The Summary sheet's tables; returns the first free row below them."""
    sheet.set_column(0, 0, 34)
    sheet.set_column(1, 4, 16)
    _write_text(sheet, 0, 0, "Segmentation summary", styles.title)
    _write_text(sheet, 2, 0, "Accounts", styles.bold)
    sheet.write_number(2, 1, len(result))
    _write_text(sheet, 3, 0, "ARR", styles.bold)
    sheet.write_number(3, 1, float(arr_values(result).sum()), styles.money)
    row = 5
    for column, title, order in (("tier", "Tier", tiers), ("quadrant", "Quadrant", ())):
        if column in result.columns:
            table = group_summary(result, column, order)
            row = _write_group_table(sheet, row, title, table, styles)
    coverage = _coverage(result, config, tiers)
    if coverage is not None:
        per_csm = coverage.arr_per_csm
        rule = f"one per ${per_csm:,.0f} ARR"
        _write_text(sheet, row, 0, f"CSMs needed for {coverage.tier} ({rule})", styles.bold)
        sheet.write_number(row, 1, coverage.csms)
        _write_text(sheet, row + 1, 0, f"{coverage.tier} ARR / ${per_csm:,.0f} (exact)")
        sheet.write_number(row + 1, 1, coverage.exact, styles.decimal)
        row += 3
    return row


def _coverage(result: pd.DataFrame, config: Any, tiers: list[str]) -> Coverage | None:
    """The top tier's CSM coverage, computed by views.tiers.csm_coverage; without settings, at
    the default ARR per CSM for `tiers[0]`. None when the result has no tier column."""
    if "tier" not in result.columns or not tiers:
        return None
    # csm_coverage reads each tier's position (0 = top): give the column those categories.
    result = _tier_ordered(result, tiers)
    if config is not None:
        return csm_coverage(result, config)
    return dataclasses.replace(csm_coverage(result, default_config()), tier=tiers[0])


def _tier_ordered(result: pd.DataFrame, tiers: list[str]) -> pd.DataFrame:
    """`result` with its tier column a categorical of `tiers`, top first."""
    tier = result.get("tier")
    if tier is None or not tiers:
        return result
    if isinstance(tier.dtype, pd.CategoricalDtype) and list(tier.cat.categories) == tiers:
        return result
    return result.assign(tier=pd.Categorical(tier.astype(object), categories=tiers))


CALIBRATION_HEADERS = (
    ("accounts", "Accounts with an outcome", None),
    ("with_outcome", "With the outcome", None),
    ("rate", "Rate", "rate"),
    ("lift", "Lift", "ratio"),
    ("arr", "ARR", "money"),
    ("share_of_outcome_arr", "Share of the outcome's ARR", "rate"),
)


def _write_calibration(
    sheet: Worksheet,
    row: int,
    result: pd.DataFrame,
    outcome: Any,
    config: Any,
    styles: _Styles,
) -> int:
    """The calibration block of the Summary: the outcome's rate, its tables per tier and
    quadrant cell, and the AUCs with their 95% intervals; returns the first free row."""
    from segmentation.calibration import result_calibration

    found = result_calibration(result, outcome)
    _write_text(sheet, row, 0, f"Calibration: {found.label}", styles.title)
    lines = [
        ("Accounts with a known outcome", found.accounts, None),
        ("With the outcome", found.with_outcome, None),
        ("Rate", found.rate, styles.rate),
    ]
    for offset, (label, value, style) in enumerate(lines, start=1):
        _write_text(sheet, row + offset, 0, label, styles.bold)
        _write_value(sheet, row + offset, 1, value, style)
    row += len(lines) + 1
    if not found.signal:
        _write_text(sheet, row, 0, found.no_signal_message)
        row += 1
    for title, table in (("Tier", found.tiers), ("Quadrant", found.quadrants)):
        if table is not None:
            row = _write_calibration_table(sheet, row + 1, title, table, styles)
    return _write_auc_table(sheet, row + 1, found.auc, _pillar_labels(config), styles)


def _write_value(sheet: Worksheet, row: int, col: int, value: float, style: Any = None) -> None:
    """A number, or an empty cell where there is none (a rate of no accounts)."""
    if pd.isna(value):
        sheet.write_blank(row, col, None, style)
    else:
        sheet.write_number(row, col, float(value), style)


def _write_calibration_table(
    sheet: Worksheet, row: int, title: str, table: pd.DataFrame, styles: _Styles
) -> int:
    for col, header in enumerate([title, *(h for _, h, _ in CALIBRATION_HEADERS)]):
        _write_text(sheet, row, col, header, styles.header)
    for offset, (name, line) in enumerate(table.iterrows(), start=1):
        _write_text(sheet, row + offset, 0, str(name))
        for col, (key, _, style) in enumerate(CALIBRATION_HEADERS, start=1):
            _write_value(sheet, row + offset, col, line[key], style and getattr(styles, style))
    return row + len(table) + 1


def _pillar_labels(config: Any) -> dict[str, str]:
    labels = {"priority": "Priority"}
    if config is not None:
        labels |= {f"score_{p.key}": p.label for p in config.pillars}
    return labels


def _write_auc_table(
    sheet: Worksheet, row: int, aucs: dict[str, Any], labels: dict[str, str], styles: _Styles
) -> int:
    headers = ["ROC AUC (95% interval, DeLong)", "AUC", "95% low", "95% high", "Clears 0.5"]
    for col, header in enumerate(headers):
        _write_text(sheet, row, col, header, styles.header)
    for offset, (name, a) in enumerate(aucs.items(), start=1):
        _write_text(sheet, row + offset, 0, labels.get(name, name))
        for col, value in enumerate((a.value, a.low, a.high), start=1):
            _write_value(sheet, row + offset, col, value, styles.auc)
        _write_text(sheet, row + offset, 4, "yes" if a.clears_half else "no")
    return row + len(aucs) + 1


def _write_group_table(
    sheet: Worksheet, row: int, title: str, table: pd.DataFrame, styles: _Styles
) -> int:
    headers = [title, "Accounts", "Share of accounts", "ARR", "Share of ARR"]
    for col, header in enumerate(headers):
        _write_text(sheet, row, col, header, styles.header)
    for offset, (name, line) in enumerate(table.iterrows(), start=1):
        _write_text(sheet, row + offset, 0, str(name))
        sheet.write_number(row + offset, 1, int(line["accounts"]))
        sheet.write_number(row + offset, 2, float(line["share_of_accounts"]), styles.percent)
        sheet.write_number(row + offset, 3, float(line["arr"]), styles.money)
        sheet.write_number(row + offset, 4, float(line["share_of_arr"]), styles.percent)
    return row + len(table) + 2


def _write_settings_sheet(sheet: Worksheet, config: Any, styles: _Styles) -> None:
    sheet.set_column(0, 0, 100)
    if config is None:
        _write_text(sheet, 0, 0, "No settings were given with this export.")
        return
    from segmentation.config import config_to_json, describe_config

    _write_text(sheet, 0, 0, "Criteria", styles.title)
    row = _write_lines(sheet, 1, describe_config(config)) + 1
    _write_text(sheet, row, 0, "Settings JSON", styles.title)
    _write_text(
        sheet,
        row + 1,
        0,
        "One line per row; a line too long for one cell continues in the next cells.",
    )
    for offset, line in enumerate(config_to_json(config).splitlines()):
        _write_long_text(sheet, row + 2 + offset, line)


def _write_lines(sheet: Worksheet, row: int, lines: Iterable[object]) -> int:
    """Each line on its own row from `row` down; returns the row after the last."""
    for line in lines:
        _write_long_text(sheet, row, str(line))
        row += 1
    return row


def _write_long_text(sheet: Worksheet, row: int, text: str) -> None:
    """Write text across as many cells of the row as it needs: never truncated."""
    step = EXCEL_MAX_CELL_CHARS
    for col, start in enumerate(range(0, max(len(text), 1), step)):
        _write_text(sheet, row, col, text[start : start + step])


def _write_report_sheet(sheet: Worksheet, report: Any, styles: _Styles) -> None:
    sheet.set_column(0, 0, 12)
    sheet.set_column(1, 1, 90)
    if report is None:
        _write_text(sheet, 0, 0, "No data report was given with this export.")
        return
    _write_text(sheet, 0, 0, "Data report", styles.title)
    row = _write_lines(sheet, 1, report.summary_lines()) + 1
    skipped = list(report.rows_skipped)
    _write_text(sheet, row, 0, f"Rows skipped: {len(skipped)}", styles.bold)
    if skipped:
        _write_text(sheet, row + 1, 0, "Line", styles.header)
        _write_text(sheet, row + 1, 1, "Reason", styles.header)
        for offset, (line, reason) in enumerate(_rows(skipped), start=2):
            sheet.write_number(row + offset, 0, line)
            _write_text(sheet, row + offset, 1, reason)


def _rows(skipped: list) -> Iterator[tuple[int, str]]:
    for line, reason in skipped:
        yield int(line), str(reason)
