"""The account list: which columns it shows, how, and the export callables behind downloads."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pandas as pd
import streamlit as st

import segmentation as seg
from segmentation.exporting import workbook  # its row limit is read on every check
from segmentation.views import accounts as account_list
from ui import charts
from ui import format as fmt

MONEY_FORMAT = "$%,.0f"  # whole dollars: cents on an ARR column are noise
TABLE_LIMIT = 10_000  # rows sent to the browser; downloads always hold every row
FILTERS = {
    "tier": "Tier",
    "quadrant": "Quadrant",
    "nps_group": "NPS group",
    "renewal_window": "Renewal window",
    "arr_rank_band": "ARR rank",
    "industry": "Industry",
    "csm": "CSM",
}
TABLE_COLUMNS = (  # the answer first: who, which tier, why; then the numbers behind it
    "account_name",
    "tier",
    "reasons",
    "arr",
    "priority",
    "account_id",
    "quadrant",
    "score_growth",
    "score_strategic",
    "score_complexity",
    "score_health",
    "csm",
    "industry",
    "renewal_window",
    "nps_group",
    "data_issues",
)
EMPTY = ""  # what an empty cell shows (Streamlit's default is the word "None")
CHAR_PX = 8  # width of one character of the table's font, in pixels, with room to spare


def account_table(rows: pd.DataFrame, limit: int = TABLE_LIMIT) -> pd.DataFrame:
    """The columns the list shows; the highest-priority `limit` rows when there are more."""
    if len(rows) > limit:
        rows = rows.nlargest(limit, "priority")
    rows = seg.with_reasons(rows)  # the text of these rows only (stage 2 keeps codes)
    return rows[[c for c in TABLE_COLUMNS if c in rows.columns]]


def money_column(label: str, values: Any = None) -> Any:
    """Whole dollars, in a column wide enough for the largest amount (never clipped)."""
    return st.column_config.NumberColumn(label, format=MONEY_FORMAT, width=money_width(values))


def money_width(values: Any) -> int | None:
    """Pixels that hold the widest amount in `values` as $1,234,567 (None: Streamlit's own)."""
    if values is None:
        return None
    numbers = pd.to_numeric(pd.Series(values), errors="coerce").abs()
    largest = numbers.max() if numbers.notna().any() else 0.0
    digits = len(f"{largest:,.0f}") + 2  # the $ and a minus sign
    return max(80, 24 + CHAR_PX * digits)


def column_config(cfg: seg.Config, rows: pd.DataFrame | None = None) -> dict[str, Any]:
    """The account list's columns: whole dollars (as wide as `rows`' largest ARR), scores
    without and priority with a decimal."""
    labels = {p.key: p.label for p in cfg.pillars}
    config: dict[str, Any] = {
        "account_name": st.column_config.TextColumn("Account", pinned=True),
        "account_id": "ID",
        "tier": "Tier",
        "priority": st.column_config.ProgressColumn(
            "Priority", format="%.1f", min_value=0, max_value=100
        ),
        "arr": money_column("ARR", None if rows is None else rows.get("arr")),
        "quadrant": "Quadrant",
        "reasons": st.column_config.TextColumn("Why this tier", width="large"),
        "csm": "CSM",
        "industry": "Industry",
        "renewal_window": "Renewal",
        "nps_group": "NPS group",
        "data_issues": "Data issues",
    }
    for key, label in labels.items():  # short headers, so that more columns fit on screen
        config[f"score_{key}"] = st.column_config.NumberColumn(
            label.split()[0], format="%.0f", help=fmt.plain(f"{label} score, 0-100")
        )
    return config


def moved_column_config(columns: list[str], rows: pd.DataFrame | None = None) -> dict[str, Any]:
    """The 'Who moved' list's columns; the ID only when there is no name ("Why" needs room)."""
    return {
        "account_name": st.column_config.TextColumn("Account", pinned=True),
        "account_id": None if "account_name" in columns else "ID",
        "arr": money_column("ARR", None if rows is None else rows.get("arr")),
        "from_tier": "From",
        "to_tier": "To",
        "move": "Move",
        "priority": st.column_config.NumberColumn("Priority", format="%.1f"),
        "reasons": st.column_config.TextColumn("Why", width="large"),
    }


def movement_matrix_config(names: list[str]) -> dict[str, Any]:
    """The from/to matrix: every tier column wide enough to read its name."""
    config: dict[str, Any] = {"_index": st.column_config.TextColumn("Baseline tier")}
    for name in names:
        config[name] = st.column_config.NumberColumn(name, format="%,d", width="small")
    return config


def export_callable(
    rows: pd.DataFrame,
    fmt: str,
    cfg: seg.Config,
    report: Any,
    problems: dict[str, str],
    outcome: Any = None,
) -> Callable[[], bytes]:
    """The file is built only when the user clicks (an XLSX of 100k rows takes seconds).

    The build runs outside the page script, so a failure is kept in `problems` as one
    sentence for the page to show, then re-raised so the browser says the download failed.
    """

    def build() -> bytes:
        try:
            data = seg.export_bytes(rows, fmt=fmt, config=cfg, report=report, outcome=outcome)
        except Exception as exc:
            problems[fmt] = export_problem(fmt, exc)
            raise
        problems.pop(fmt, None)
        return data

    return build


def export_problem(fmt: str, exc: Exception) -> str:
    """One sentence saying why the download failed: the core's own words for bad input."""
    if isinstance(exc, seg.InputError):
        return f"The {fmt.upper()} file could not be built: {exc}"
    return (
        f"The {fmt.upper()} file could not be built ({type(exc).__name__}: {exc}); "
        "try the CSV download, and please report this."
    )


def fits_excel(rows: pd.DataFrame) -> bool:
    """Whether an Excel sheet holds these accounts below its header row."""
    return len(rows) < workbook.EXCEL_MAX_ROWS


def settings_callable(cfg: seg.Config, hints: seg.ParseHints | None) -> Callable[[], bytes]:
    """The settings file's bytes, with how the current book was read (when there is one)."""
    saved = replace(cfg, parsing=hints) if hints is not None else cfg

    def build() -> bytes:
        return seg.config_to_json(saved).encode("utf-8")

    return build


def save_settings_button(
    cfg: seg.Config, hints: seg.ParseHints | None, key: str, **where: Any
) -> None:
    """The settings as a JSON file (with how the book was read), on any page or column."""
    (where.pop("column", None) or st).download_button(
        "Save settings",
        data=settings_callable(cfg, hints),
        file_name="tierwise-settings.json",
        mime="application/json",
        key=key,
        icon=":material/save:",
        on_click="ignore",
        **where,
    )


def account_details(row: pd.Series, cfg: seg.Config, why: str | None = None) -> None:
    """One account: its name, tier, priority and ARR, why (`why`, else its `reasons`), its
    data issues, its pillars."""
    name_col, chart_col = st.columns([1.2, 1])
    with name_col:
        st.subheader(fmt.plain(row.get("account_name", row.get("account_id", ""))), anchor=False)
        st.markdown(
            f"**{fmt.plain(row['tier'])}** · priority **{row['priority']:.1f}** · "
            f"ARR {fmt.money(row.get('arr'))}"
        )
        st.markdown(f"**Why:** {fmt.plain(row['reasons'] if why is None else why)}")
        if row.get("data_issues"):
            st.warning(fmt.plain(f"Data issues: {row['data_issues']}"), icon=":material/warning:")
    with chart_col:
        st.altair_chart(
            charts.breakdown_chart(account_list.pillar_breakdown(row, cfg)), width="stretch"
        )
