"""Shell helpers of the Calibration page: the outcome's widgets, the cached calibration, the
tables and the decile chart. The numbers all come from `segmentation.calibration`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import altair as alt
import numpy as np
import pandas as pd
import streamlit as st

import segmentation as seg
from segmentation import calibration
from segmentation.calibration.calibrate import outcome_columns, without_outcome
from segmentation.calibration.outcomes import DEFAULT_WINDOW_DAYS
from segmentation.calibration.stats import Auc
from segmentation.columns import CANONICAL_NAMES
from ui import components, state
from ui.format import plain

SOURCE_BOOK, SOURCE_FILE = "book", "file"
SOURCE_LABELS = {SOURCE_BOOK: "A column of this book", SOURCE_FILE: "A second file, by account id"}
EVENT_LABELS = {
    "contraction": "Contraction (next ARR below today's)",
    "expansion": "Expansion (next ARR above today's)",
}
OUTCOMES = "tw_cal_outcomes"  # (file_id, file name, DataFrame or None, error or None)
CACHE = "tw_cal_cache"  # (key, Calibration or error message)
UNDO = "tw_cal_undo"  # the settings before "Apply suggested weights"
MARKED = "tw_outcome_column"  # the book's column marked as the outcome: never a metric
CHOICES = "tw_cal_choices"  # the page's widget values, kept across page switches
LIVE = "tw_cal_live"  # (data version, Outcome) of the last calibration: the Workshop's live block
LIVE_BASE = "tw_cal_live_base"  # (Outcome, baseline config, its LiveSummary or None)
NOT_OUTCOMES = {"account_id", "account_name", "input_issues"}


def _ss() -> Any:
    for key in (OUTCOMES, CACHE, UNDO, MARKED, LIVE, LIVE_BASE):
        st.session_state.setdefault(key, None)
    st.session_state.setdefault(CHOICES, {})
    return st.session_state


def _restore(key: str) -> None:
    """Seed a widget with its last value: Streamlit forgets it while another page shows."""
    saved = _ss()[CHOICES]
    if key not in st.session_state and key in saved:
        st.session_state[key] = saved[key]


def _kept(key: str, value: Any) -> Any:
    _ss()[CHOICES][key] = value
    return value


# --- choosing the outcome ---------------------------------------------------------------------


def book_columns(accounts: pd.DataFrame, mapping: dict[str, str]) -> list[str]:
    """The book's own columns an outcome can come from (its headers, as in the file)."""
    ids = {mapping.get("account_id"), mapping.get("account_name")}
    return [
        str(c)
        for c in accounts.columns
        if c not in CANONICAL_NAMES
        and c not in NOT_OUTCOMES
        and c not in ids
        and not str(c).endswith(" (raw)")
    ]


def source_radio() -> str:
    _restore("outcome_source")
    return _kept(
        "outcome_source",
        st.radio(
            "Where is the outcome?",
            list(SOURCE_LABELS),
            format_func=SOURCE_LABELS.get,
            key="outcome_source",
            horizontal=True,
        ),
    )


def column_select(label: str, options: list[str], key: str) -> str | None:
    _restore(key)
    if st.session_state.get(key) not in options:
        st.session_state.pop(key, None)
    chosen = st.selectbox(label, options, index=None, key=key, placeholder="Choose a column")
    return _kept(key, chosen)


def outcomes_uploader() -> Any:
    return st.file_uploader(
        "Outcomes file (CSV or Excel): the account id column and the outcome",
        type=["csv", "txt", "xlsx", "xlsm"],
        key="outcomes_upload",
    )


def outcome_options() -> tuple[int, str]:
    """How a date or a number counts as the outcome: the window (days), and which change."""
    left, right = st.columns(2)
    _restore("outcome_window")
    _restore("outcome_event")
    st.session_state.setdefault("outcome_window", DEFAULT_WINDOW_DAYS)
    days = left.number_input(
        "A date counts when it is up to this many days after the as-of day",
        min_value=1,
        max_value=3650,
        step=1,
        key="outcome_window",
    )
    event = right.radio(
        "A number (next-period ARR) counts as",
        list(EVENT_LABELS),
        format_func=EVENT_LABELS.get,
        key="outcome_event",
    )
    return int(_kept("outcome_window", days)), _kept("outcome_event", event)


def earlier_outcomes() -> tuple[pd.DataFrame, str, str] | None:
    """The outcomes file read earlier in this session (the uploader forgets it on a page
    switch): its table, file id and name."""
    seen = _ss()[OUTCOMES]
    return (seen[2], seen[0], seen[1]) if seen and seen[2] is not None else None


def load_outcomes(uploaded: Any) -> tuple[pd.DataFrame | None, str | None]:
    """The uploaded outcomes file, read once per upload by the loader (ids cleaned alike)."""
    session = _ss()
    seen = session[OUTCOMES]
    if seen and seen[0] == uploaded.file_id:
        return seen[2], seen[3]
    try:
        table, error = seg.load(uploaded, filename=uploaded.name).accounts, None
    except seg.InputError as exc:
        table, error = None, str(exc)
    session[OUTCOMES] = (uploaded.file_id, uploaded.name, table, error)
    return table, error


def file_columns(table: pd.DataFrame) -> list[str]:
    return [str(c) for c in table.columns if c not in CANONICAL_NAMES and c not in NOT_OUTCOMES]


def marked_outcome() -> str | None:
    """The book's column marked as the outcome on this page (None: none marked): the Data
    page's list of columns to add as metrics should leave it out."""
    return _ss()[MARKED]


def not_outcomes(columns: list[str]) -> list[str]:
    """`columns` without the one marked as the outcome."""
    return [c for c in columns if c != marked_outcome()]


def mark_outcome(column: str) -> str | None:
    """Mark a column of the book as the outcome: any metric reading it is switched off."""
    session = _ss()
    session[MARKED] = column
    mapping = state.book().mapping if state.book() is not None else {}
    names = outcome_columns(column, mapping)
    try:
        cleaned, notes = without_outcome(state.config(), names)
    except seg.InputError as exc:
        return str(exc)
    if notes:
        state.set_config(cleaned)
        components.forget_config_widgets()
    return None


# --- the calibration, once per data, settings and outcome ----------------------------------------


@dataclass(frozen=True)
class Request:
    column: str
    window_days: int
    number_event: str
    table: pd.DataFrame | None = None  # the outcomes file, or None: the book's column
    file_id: str | None = None
    file_name: str = "the outcomes file"


def run(request: Request) -> calibration.Calibration | str:
    """The calibration for the session's book and settings, or the sentence that stops it."""
    session = _ss()
    key = (
        st.session_state[state.VERSION],
        state.config(),
        request.column,
        request.window_days,
        request.number_event,
        request.file_id,
    )
    cached = session[CACHE]
    if cached and cached[0] == key:
        return _remember(cached[1])
    spec = calibration.OutcomeSpec(request.column, request.window_days, request.number_event)
    book = state.book()
    try:
        outcome = calibration.outcome_from_book(
            state.accounts(),
            spec,
            as_of=state.as_of(),
            outcomes=request.table,
            source=request.file_name,
        )
        found: calibration.Calibration | str = calibration.calibrate(
            state.accounts(),
            state.config(),
            outcome,
            as_of=state.as_of(),
            mapping=book.mapping if book is not None else None,
        )
    except (seg.InputError, seg.ConfigError) as exc:
        found = str(exc)
    session[CACHE] = (key, found)
    return _remember(found)


def _remember(found: calibration.Calibration | str) -> calibration.Calibration | str:
    """A calibration that could be computed makes its outcome the Workshop's live one."""
    ok = not isinstance(found, str)
    _ss()[LIVE] = (st.session_state[state.VERSION], found.outcome) if ok else None
    return found


def forget_outcome() -> None:
    """No outcome chosen on the page: the Workshop stops showing the live calibration."""
    _ss()[LIVE] = None


# --- live in the Workshop ----------------------------------------------------------------------


def live_view(result: pd.DataFrame) -> calibration.LiveView | None:
    """Priority AUC and top-tier lift of `result` (the current settings) against the outcome
    of the last calibration, beside the baseline's; None when no outcome is live."""
    outcome = _live_outcome()
    if outcome is None:
        return None
    return calibration.live_view(result, outcome, _baseline_summary(outcome))


def _live_outcome() -> calibration.Outcome | None:
    live = _ss()[LIVE]
    return live[1] if live and live[0] == st.session_state[state.VERSION] else None


def outcome_for(rows: pd.DataFrame) -> calibration.Outcome | None:
    """The live outcome of `rows` (accounts of the session's book, filtered or not), for the
    export's Summary; None when no outcome is live."""
    outcome = _live_outcome()
    if outcome is None:
        return None
    positions = state.accounts().index.get_indexer(rows.index)
    return None if (positions < 0).any() else outcome.take(positions)


def _baseline_summary(outcome: calibration.Outcome) -> calibration.LiveSummary | None:
    """The baseline settings' summary, without metrics that read the outcome (as calibrate
    scores them), computed once per baseline and outcome."""
    session, baseline = _ss(), state.baseline()
    cached = session[LIVE_BASE]
    if cached and cached[0] is outcome and cached[1] == baseline:
        return cached[2]
    mapping = state.book().mapping if state.book() is not None else None
    try:
        cfg, _ = without_outcome(baseline, outcome_columns(outcome.column, mapping))
    except seg.InputError:
        summary = None
    else:
        tiered = seg.tier_accounts(state.metric_scores(cfg), cfg)
        summary = calibration.live_summary(tiered, outcome)
    session[LIVE_BASE] = (outcome, baseline, summary)
    return summary


def _number(value: float | None, digits: int, sign: bool = False) -> str:
    if value is None or np.isnan(value):
        return "—"
    return f"{value:+.{digits}f}" if sign else f"{value:.{digits}f}"


def _change(value: float | None, digits: int) -> str | None:
    if value is None or np.isnan(value):
        return None
    if round(value, digits) == 0:
        return "no change"
    return f"{_number(value, digits, sign=True)} vs baseline"


def live_lines(view: calibration.LiveView) -> tuple[str, str]:
    """The interval line and, without a signal, the warning: plain text."""
    now = view.now
    interval = (
        f"95% intervals: AUC {_number(now.auc.low, 3)}–{_number(now.auc.high, 3)} (DeLong), "
        f"lift {_number(now.top_lift_low, 2)}–{_number(now.top_lift_high, 2)} (Wilson). "
        f"{now.top_tier}: {_number(now.top_rate * 100, 1)}% have the outcome, "
        f"the book {_number(now.rate * 100, 1)}%. Baseline: {state.baseline_label()}."
    )
    warning = (
        ""
        if view.signal
        else "No reliable signal: priority's 95% AUC interval holds 0.5, so these settings "
        f"rank {view.label} no better than chance."
    )
    return interval, warning


def draw_live(view: calibration.LiveView | None) -> None:
    """The Workshop's live calibration block (nothing when no outcome is marked)."""
    if view is None:
        return
    interval, warning = live_lines(view)
    with st.container(border=True):
        st.caption(plain(f"Against the outcome: {view.label}"))
        left, right = st.columns(2)
        left.metric(
            "Priority AUC",
            _number(view.now.auc.value, 3),
            delta=_change(view.auc_change, 3),
            delta_color="off",
            help="0.5 = no signal; above, higher priority goes with the outcome.",
        )
        right.metric(
            "Top-tier lift",
            _number(view.now.top_lift, 2),
            delta=_change(view.lift_change, 2),
            delta_color="off",
            help="The top tier's outcome rate / the book's rate.",
        )
        st.caption(plain(interval))
        if warning:
            st.warning(plain(warning), icon=":material/warning:")


# --- apply and undo -----------------------------------------------------------------------------


def _apply(config: seg.Config) -> None:
    _ss()[UNDO] = state.config()
    state.set_config(config)
    components.forget_config_widgets()


def _undo() -> None:
    session = _ss()
    if session[UNDO] is not None:
        state.set_config(session[UNDO])
        session[UNDO] = None
        components.forget_config_widgets()


def apply_buttons(proposal: calibration.Proposal) -> None:
    """Apply the suggested weights to the workshop's settings, or undo that."""
    row = st.container(horizontal=True)
    row.button(
        "Apply suggested weights",
        key="apply_weights",
        on_click=_apply,
        args=(proposal.config,),
        icon=":material/done_all:",
        disabled=proposal.config is None or proposal.config == state.config(),
    )
    row.button(
        "Undo",
        key="undo_weights",
        on_click=_undo,
        icon=":material/undo:",
        disabled=_ss()[UNDO] is None,
    )


# --- tables and chart ---------------------------------------------------------------------------


def group_view(table: pd.DataFrame, label: str) -> pd.DataFrame:
    """A tier or quadrant table as shown: percentages as 0-100, names as a column."""
    view = table.rename_axis(label).reset_index()
    view[label] = view[label].astype(str)
    for column in ("rate", "share_of_outcome_arr"):
        view[column] = view[column] * 100
    return view


def group_config(label: str) -> dict[str, Any]:
    col = st.column_config
    return {
        label: col.TextColumn(label),
        "accounts": col.NumberColumn("Accounts", format="localized"),
        "with_outcome": col.NumberColumn("With the outcome", format="localized"),
        "rate": col.NumberColumn("Rate", format="%.1f%%"),
        "lift": col.NumberColumn("Lift", format="%.2f", help="The rate / the book's rate"),
        "arr": col.NumberColumn("ARR", format="dollar"),
        "arr_with_outcome": col.NumberColumn("ARR with the outcome", format="dollar"),
        "share_of_outcome_arr": col.NumberColumn("Share of the outcome's ARR", format="%.1f%%"),
    }


def auc_rows(cal: calibration.Calibration, labels: dict[str, str]) -> pd.DataFrame:
    """Priority, each pillar, the best single column and each metric: AUC and its interval."""
    rows: list[tuple[str, str, Auc]] = [
        (labels.get(name, name), "priority" if name == "priority" else "pillar", a)
        for name, a in cal.auc.items()
    ]
    if cal.best:
        rows.append((f"{cal.best[0]} (best single column of the book)", "column", cal.best[1]))
    rows += [(name, "metric", a) for name, a in cal.metric_auc.items()]
    return pd.DataFrame(
        {
            "what": [r[0] for r in rows],
            "kind": [r[1] for r in rows],
            "auc": [r[2].value for r in rows],
            "low": [r[2].low for r in rows],
            "high": [r[2].high for r in rows],
            "clears 0.5": ["yes" if r[2].clears_half else "no" for r in rows],
        }
    )


def auc_config() -> dict[str, Any]:
    col = st.column_config
    return {
        "what": col.TextColumn("Column"),
        "kind": col.TextColumn("Kind"),
        "auc": col.NumberColumn("ROC AUC", format="%.3f"),
        "low": col.NumberColumn("95% low", format="%.3f"),
        "high": col.NumberColumn("95% high", format="%.3f"),
        "clears 0.5": col.TextColumn("Interval clears 0.5"),
    }


def decile_frame(cal: calibration.Calibration, labels: dict[str, str]) -> pd.DataFrame:
    parts = []
    for name, table in cal.deciles.items():
        part = table.rename_axis("decile").reset_index()[["decile", "rate", "accounts"]]
        part["score"] = f"{labels.get(name, name)} ({cal.shapes[name]})"
        parts.append(part)
    frame = pd.concat(parts, ignore_index=True)
    frame["decile"] = frame["decile"].astype("int64")
    return frame


def decile_chart(frame: pd.DataFrame, rate: float) -> alt.LayerChart:
    """Outcome rate per decile (1 = lowest score) of priority and each pillar; the book's rate."""
    lines = (
        alt.Chart(frame)
        .mark_line(point=True)
        .encode(
            x=alt.X("decile:O", title="Decile of the score (1 = lowest)"),
            y=alt.Y("rate:Q", title="Outcome rate", axis=alt.Axis(format="%")),
            color=alt.Color(
                "score:N", title=None, legend=alt.Legend(orient="top", columns=2, labelLimit=320)
            ),
            tooltip=[
                alt.Tooltip("score:N"),
                alt.Tooltip("decile:O"),
                alt.Tooltip("rate:Q", format=".1%"),
                alt.Tooltip("accounts:Q", format=","),
            ],
        )
    )
    book = alt.Chart(pd.DataFrame({"rate": [rate]})).mark_rule(strokeDash=[4, 4]).encode(y="rate:Q")
    return (lines + book).properties(height=320)


def weights_view(proposal: calibration.Proposal) -> pd.DataFrame:
    view = proposal.weights.copy()
    view["change"] = np.where(view["suggested"] != view["current"], "changed", "")
    return view
