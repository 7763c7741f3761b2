"""The Scenarios page's panels and the Workshop's tier-confidence panel (issue 14).

Scenarios live in the session's settings (`Config.scenarios`), so the existing Save / Load
settings carry them. Saving, renaming, deleting and duplicating change no account's tier and
go straight into the session; applying one is a settings change, recorded for undo.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import streamlit as st

import segmentation as seg
from segmentation import confidence as conf
from segmentation import scenarios as core
from segmentation.config import SHORT_LABELS
from segmentation.rules.tiers import is_relative
from segmentation.views import scenarios as views
from ui import calibration as cal_ui
from ui import format as fmt
from ui import history, state

MESSAGE = "tw_scenario_message"  # (kind, text) of the last scenario action, shown once
CONFIDENCE = "tw_confidence"  # ((version, settings, ranges, draws), Confidence)


def _store(new: seg.Config, kind: str, text: str) -> None:
    """Scenarios only: the settings' tiers are unchanged, so this is no step to undo."""
    st.session_state[state.CONFIG] = new
    st.session_state[MESSAGE] = (kind, text)


def _attempt(action: Any, *args: Any, done: str) -> None:
    """Run a scenario action on the session's settings; its ConfigError is said, not raised."""
    try:
        _store(action(state.config(), *args), "success", done)
    except seg.ConfigError as exc:
        st.session_state[MESSAGE] = ("error", str(exc))


def show_message() -> None:
    message = st.session_state.pop(MESSAGE, None)
    if message:
        kind, text = message
        (st.success if kind == "success" else st.error)(fmt.plain(text))


# --- save, rename, delete, duplicate, apply --------------------------------------------------


def save_form(cfg: seg.Config) -> None:
    """Keep the settings as they are now under a name."""
    with st.form("scenario_save", border=False):
        left, right = st.columns([3, 1], vertical_alignment="bottom")
        name = left.text_input(
            "Save the current settings as", key="scenario_name", placeholder="e.g. Finance view"
        )
        submitted = right.form_submit_button(
            "Save scenario", key="scenario_save", type="primary", width="stretch"
        )
    if submitted:
        updated = name.strip().casefold() in {n.casefold() for n in core.scenario_names(cfg)}
        verb = "updated with the current settings" if updated else "saved"
        _attempt(core.save_scenario, name, done=f"Scenario '{name.strip()}' {verb}.")
        st.rerun()


def _apply(name: str) -> None:
    try:
        new = core.apply_scenario(state.config(), name)
    except seg.ConfigError as exc:
        st.session_state[MESSAGE] = ("error", str(exc))
        return
    history.change(new, f"applied scenario '{name}'")
    st.session_state[MESSAGE] = ("success", f"Scenario '{name}' applied: the Workshop uses it.")


def _rename(name: str) -> None:
    new_name = st.session_state.get("scenario_new_name", "")
    _attempt(core.rename_scenario, name, new_name, done=f"'{name}' renamed '{new_name.strip()}'.")


def scenario_actions(cfg: seg.Config) -> None:
    """Pick a scenario; apply, duplicate, rename or delete it; see what it changes."""
    names = list(core.scenario_names(cfg))
    if not names:
        st.info("No scenarios yet: save the current settings under a name.", icon=":material/info:")
        return
    name = st.selectbox("Scenario", names, key="scenario_pick")
    if name not in names:
        return
    changes = core.settings_diff(cfg, core.find_scenario(cfg, name).settings)
    st.caption(
        fmt.plain("Against the current settings: " + ("; ".join(changes) or "the same settings"))
    )
    actions = (
        ("Apply", "scenario_apply", _apply, (name,), {}, ":material/check:"),
        ("Duplicate", "scenario_duplicate", _attempt, (core.duplicate_scenario, name),
         {"done": f"'{name}' duplicated."}, ":material/content_copy:"),
        ("Delete", "scenario_delete", _attempt, (core.delete_scenario, name),
         {"done": f"Scenario '{name}' deleted."}, ":material/delete:"),
    )  # fmt: skip
    for column, (label, key, action, args, kwargs, icon) in zip(
        st.columns(len(actions)), actions, strict=True
    ):
        column.button(
            label, key=key, on_click=action, args=args, kwargs=kwargs, icon=icon,
            type="primary" if key == "scenario_apply" else "secondary", width="stretch",
        )  # fmt: skip
    left, right = st.columns([3, 1], vertical_alignment="bottom")
    left.text_input("New name", key="scenario_new_name")
    right.button("Rename", key="scenario_rename", on_click=_rename, args=(name,), width="stretch")


# --- compare -----------------------------------------------------------------------------------


def compare_picker(cfg: seg.Config) -> list[str]:
    names = list(core.scenario_names(cfg))
    chosen = st.multiselect(
        "Compare (the first is the base)",
        names,
        key="scenario_compare",
        max_selections=views.MAX_COMPARED,
        placeholder="Choose two to four scenarios",
    )
    return [n for n in chosen if n in names]


def comparison(cfg: seg.Config, names: list[str]) -> views.ComparisonView:
    """The comparison of these scenarios on the session's book, computed once per choice."""
    chosen = core.scenario_settings(cfg, names)
    outcome = cal_ui.outcome_for(state.accounts())
    event = None if outcome is None else outcome.event
    key = (tuple((s.name, s.settings) for s in chosen), outcome is not None)

    def compute() -> views.ComparisonView:
        results = views.scenario_results(state.accounts(), chosen, state.metric_scores)
        return views.comparison_view(results, event)

    return state.panel_memo("scenarios", key, compute)


FORMATS = {
    "accounts": lambda v: fmt.count(v),
    "arr": lambda v: fmt.money(v),
    "csms": lambda v: f"{v:,.0f}",
    "auc": lambda v: f"{v:.3f}",
    "lift": lambda v: f"{v:.2f}x",
}


def _cell(kind: str, value: float, signed: bool) -> str:
    if value is None or np.isnan(value):
        return "—"
    text = FORMATS[kind](abs(value) if signed else value)
    if not signed:
        return text
    return "0" if value == 0 else ("+" if value > 0 else "-") + text


def display_table(view: views.ComparisonView) -> pd.DataFrame:
    """The comparison's numbers as text, each row in its own unit."""
    table = view.table
    names = list(view.names)
    shown = pd.DataFrame(index=table.index)
    for column in table.columns[1:]:
        signed = column not in names
        shown[column] = [
            _cell(kind, value, signed)
            for kind, value in zip(table["kind"], table[column], strict=True)
        ]
    return shown


def draw_comparison(view: views.ComparisonView) -> None:
    st.dataframe(display_table(view), width="stretch")
    base = view.names[0]
    for pair in view.pairs:
        st.markdown(f"**{fmt.plain(base)} vs {fmt.plain(pair.other)}**")
        st.caption(
            fmt.plain(
                f"What {pair.other} changes: {'; '.join(pair.changes) or 'nothing'}. "
                f"{fmt.accounts(pair.moved)} differ in tier, holding "
                f"{fmt.money(pair.arr_moved)} ARR."
            )
        )
        if pair.moved == 0:
            continue
        left, right = st.columns([2, 3])
        left.caption(fmt.plain(f"Accounts by {base}'s tier (rows) and {pair.other}'s (columns)"))
        left.dataframe(pair.matrix, width="content")
        right.caption(f"The {len(pair.differing)} largest by ARR whose tier differs")
        right.dataframe(pair.differing, hide_index=True, width="stretch")


# --- tier confidence in the Workshop -----------------------------------------------------------


@dataclass(frozen=True)
class ConfidenceForm:
    ranges: conf.Ranges
    draws: int
    level: float
    run: bool


def _stated(cfg: seg.Config) -> seg.Config:
    """The settings the room stated: the relative ones while the cut-offs are still pinned
    from them (their ranges are then points of share), else `cfg`."""
    pinned = st.session_state.get(state.PINNED)
    return pinned[0] if pinned and pinned[1] == cfg else cfg


def _plus_minus(column: Any, label: str, key: str, value: float, maximum: float) -> float:
    """One range input (+/- this much around the stated value)."""
    return column.number_input(
        fmt.plain(label), min_value=0.0, max_value=maximum, value=value, step=1.0, key=key
    )


def confidence_form(stated: seg.Config) -> ConfidenceForm:
    unit = "points of share" if is_relative(stated.tiers) else "priority points"
    with st.form("confidence_form", border=False):
        st.caption("How sure is the room? ± on each weight and each cut-off.")
        columns = st.columns(len(stated.pillars))
        weights = tuple(
            _plus_minus(column, f"{SHORT_LABELS[p.key]} ±", f"confidence_w_{p.key}", 10.0, 100.0)
            for column, p in zip(columns, stated.pillars, strict=True)
        )
        columns = st.columns(len(stated.tiers) + 1)
        cutoffs = tuple(
            _plus_minus(column, f"{t.name} cut-off ± ({unit})", f"confidence_cut_{i}", 5.0, 50.0)
            for i, (column, t) in enumerate(zip(columns[:-2], stated.tiers[:-1], strict=True))
        )
        draws = columns[-2].number_input(
            "Draws",
            min_value=100,
            max_value=20_000,
            value=conf.DEFAULT_DRAWS,
            step=100,
            key="confidence_draws",
        )
        level = columns[-1].slider(
            "Borderline below",
            0.5,
            0.99,
            0.8,
            0.01,
            key="confidence_level",
            help="Accounts kept in their tier by fewer than this share of the draws.",
        )
        run = st.form_submit_button(
            "Run", key="confidence_run", type="primary", icon=":material/casino:"
        )
    return ConfidenceForm(conf.Ranges(weights, cutoffs), int(draws), float(level), run)


def _run_confidence(stated: seg.Config, form: ConfidenceForm) -> conf.Confidence:
    bar = st.progress(0.0, text="Drawing settings…")
    result = conf.tier_confidence(
        state.metric_scores(stated),
        stated,
        form.ranges,
        draws=form.draws,
        progress=lambda done: bar.progress(done, text=f"Drawing settings… {done:.0%}"),
    )
    bar.empty()
    return result


def tornado_spec(table: pd.DataFrame) -> dict:
    """ARR that changes tier at each end of each setting's range, largest first."""
    rows = [
        {
            "setting": r.setting,
            "end": end,
            "arr": float(arr) * (-1 if end == "low" else 1),
            "value": float(value),
        }
        for r in table.itertuples()
        for end, arr, value in (("low", r.arr_low, r.low), ("high", r.arr_high, r.high))
    ]
    return {
        "data": {"values": rows},
        "mark": {"type": "bar"},
        "encoding": {
            "y": {
                "field": "setting",
                "type": "nominal",
                "sort": list(table["setting"]),
                "title": None,
            },
            "x": {
                "field": "arr",
                "type": "quantitative",
                "title": "ARR that changes tier",
                "axis": {"format": "$~s", "labelExpr": "replace(datum.label, '−', '')"},
            },
            "color": {
                "field": "end",
                "type": "nominal",
                "title": "End of range",
                "scale": {"domain": ["low", "high"], "range": ["#8da0cb", "#fc8d62"]},
            },
            "tooltip": [
                {"field": "setting", "type": "nominal"},
                {"field": "end", "type": "nominal"},
                {"field": "value", "type": "quantitative", "title": "set to", "format": ".1f"},
            ],
        },
        "height": 40 * len(table) + 20,
    }


def borderline_panel(result: pd.DataFrame, cfg: seg.Config) -> None:
    """The Workshop's tier-confidence panel: ranges, Run, the borderline accounts, the tornado."""
    with st.expander(
        "Tier confidence: which accounts hinge on the exact settings", icon=":material/balance:"
    ):
        stated = _stated(cfg)
        form = confidence_form(stated)
        key = (st.session_state[state.VERSION], stated, form.ranges, form.draws)
        if form.run:
            try:
                st.session_state[CONFIDENCE] = (key, _run_confidence(stated, form))
            except seg.ConfigError as exc:
                st.error(fmt.plain(str(exc)))
                return
        kept = st.session_state.get(CONFIDENCE)
        if kept is None:
            st.caption("Set the ranges and press Run.")
            return
        confidence = current_confidence(cfg)
        if confidence is None:
            st.caption("The settings changed since the last run: press Run again.")
            return
        draw_confidence(result, stated, confidence, form.level)


def current_confidence(cfg: seg.Config) -> conf.Confidence | None:
    """The last tier-confidence run, if it was made on this book under these settings (what
    the Accounts page's downloads then carry as `tier_confidence`); else None."""
    kept = st.session_state.get(CONFIDENCE)
    if kept is None or state.VERSION not in st.session_state:
        return None
    return kept[1] if kept[0][:2] == (st.session_state[state.VERSION], _stated(cfg)) else None


def draw_confidence(
    result: pd.DataFrame, stated: seg.Config, confidence: conf.Confidence, level: float
) -> None:
    st.caption(
        fmt.plain(
            conf.describe_ranges(confidence.space, is_relative(stated.tiers), confidence.draws)
        )
    )
    count = conf.borderline_count(confidence, level)
    st.markdown(
        f"**{fmt.accounts(count)}** keep their tier in fewer than {level:.0%} of the draws."
    )
    table = conf.borderline_accounts(result, confidence, stated, level)
    if len(table):
        st.dataframe(
            table,
            hide_index=True,
            width="stretch",
            column_config={
                "tier_confidence": st.column_config.ProgressColumn(
                    "Tier confidence", min_value=0.0, max_value=1.0, format="percent"
                ),
                "likeliest_other": "Else most often",
            },
        )
    st.markdown("**Which setting moves the most ARR between tiers**")
    tornado = conf.tornado(result, confidence.space)
    st.vega_lite_chart(spec=tornado_spec(tornado), width="stretch")
    st.caption("Each setting alone at the low and the high end of its range, the others as stated.")
