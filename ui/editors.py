"""The Workshop's editors that need room: they open full width, below the toolbar.

Pillar metrics as an editable table (weight, scheme, direction, missing values, bounds),
the tiers (names, count, cut-offs, engagement models), the guard-rails and the manual
overrides, and the coverage rule with money typed and shown as money. Each editor returns
plain values or settings; the settings are validated by the core (a ConfigError becomes one
sentence and the last valid settings stay). Keys start with a settings-widget prefix so a
reset re-seeds them (`components.forget_config_widgets`).
"""

from __future__ import annotations

import datetime as dt
import io
import math
import re
from dataclasses import replace
from typing import Any

import pandas as pd
import streamlit as st

import segmentation as seg
from segmentation.config import Metric, Override, Tier, with_tiers
from segmentation.exporting.csv_file import write_csv
from segmentation.rules import schemes as scheme_registry
from segmentation.rules.schemes import MISSING_HELP
from ui import components, state
from ui import format as fmt

EDITORS = {
    "metrics": "Pillar metrics",
    "tiers": "Tiers",
    "rails": "Guard-rails & overrides",
    "coverage": "Coverage rule",
}
EDITOR_KEY = "open_editor"
NO_FLOOR = "— no floor —"
MISSING_LABELS = {
    "skip": "Leave out",
    "neutral": "Score 50",
    "worst": "Score 0 (worst)",
}
BY_KEY = "override_by"  # who is making overrides in this session (not a settings widget)
NOTES = "tw_editor_notes"  # what applying a form did, said on the run after it


def editor_picker() -> str | None:
    """Which wide editor is open (one at a time): a row of buttons in the controls."""
    return st.segmented_control(
        "Edit",
        list(EDITORS),
        format_func=EDITORS.get,
        key=EDITOR_KEY,
        selection_mode="single",
        help="Opens a full-width editor: metrics, tiers, guard-rails and overrides, coverage.",
    )


def close_button() -> None:
    def close() -> None:
        st.session_state[EDITOR_KEY] = None

    st.button("Close editor", key="close_editor", on_click=close, icon=":material/close:")


def settings_problem(exc: seg.ConfigError) -> None:
    st.error(fmt.plain(f"These settings cannot be used: {exc}"), icon=":material/error:")


# --- money ----------------------------------------------------------------------------------

_MONEY = re.compile(r"^\$?\s*(-?[0-9]+(?:\.[0-9]+)?)\s*([kmb]?)$", re.IGNORECASE)
_SCALE = {"": 1.0, "k": 1e3, "m": 1e6, "b": 1e9}


def parse_money(text: str) -> float:
    """'$2,000,000', '2000000', '2m', '1.5M', '$250k' -> the amount; ValueError otherwise."""
    cleaned = re.sub(r"[,\s_]", "", str(text)).replace("$", "", 1)
    match = _MONEY.match(cleaned)
    if not match:
        raise ValueError(f"{text!r} is not an amount (type it as $2,000,000, 2000000 or 2M)")
    return float(match.group(1)) * _SCALE[match.group(2).lower()]


def money_text(value: float | None) -> str:
    return "" if value is None else f"${value:,.0f}"


def money_input(
    label: str, key: str, value: float | None, minimum: float, help: str, optional: bool = False
) -> float | None:
    """A money amount typed as text and shown as $2,000,000; the last valid one on a typo."""
    components.seed(key, money_text(value))
    text = st.text_input(label, key=key, help=help, placeholder="none" if optional else None)
    if optional and not text.strip():
        return None
    try:
        amount = parse_money(text)
        if amount < minimum:
            raise ValueError(f"{label} must be at least {money_text(minimum)}")
    except ValueError as exc:
        st.error(fmt.plain(f"{exc}; still using {money_text(value) or 'none'}."))
        return value
    return amount


def coverage_editor(cfg: seg.Config) -> float:
    """The coverage rule of thumb: ARR one CSM covers in the top tier."""
    return money_input(
        "ARR one CSM covers",
        "arr_per_csm",
        cfg.arr_per_csm,
        50_000.0,
        "The coverage rule of thumb: one CSM per this much ARR in the top tier.",
    )


# --- pillar metrics -------------------------------------------------------------------------


def input_columns() -> list[str]:
    """One column per number-input label the registered schemes declare ("Scores 0 at"...):
    schemes whose inputs share a label share the column."""
    labels: dict[str, None] = {}
    for scheme in scheme_registry.SCHEMES.values():
        labels.update(dict.fromkeys(label for _, label, _ in scheme.inputs))
    return list(labels)


def _input_value(metric: Metric, label: str) -> float | None:
    """The metric's value in an input column: its own scheme's field of that label first."""
    own = scheme_registry.SCHEMES.get(metric.scheme)
    fields = [n for n, shown, _ in (own.inputs if own else ()) if shown == label]
    fields += [
        n for s in scheme_registry.SCHEMES.values() for n, shown, _ in s.inputs if shown == label
    ]
    for name in fields:
        value = metric.setting(name)
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
    return None


def metric_table(pillar: seg.config.Pillar) -> pd.DataFrame:
    """One row per metric of the pillar, in the words the editor shows."""
    rows = []
    for metric in pillar.metrics:
        scheme = scheme_registry.SCHEMES.get(metric.scheme)
        row: dict[str, Any] = {
            "Metric": metric.column,
            "Weight": float(metric.weight),
            "Scheme": components.scheme_label(metric.scheme),
            "Direction": components.DIRECTION_LABELS[metric.direction],
            "Missing values": MISSING_LABELS[metric.missing],
        }
        row.update({label: _input_value(metric, label) for label in input_columns()})
        row["How it scores"] = scheme.words(metric) if scheme else metric.scheme
        rows.append(row)
    return pd.DataFrame(rows)


def _by_label(labels: dict[str, str], label: Any, current: str) -> str:
    return next((name for name, shown in labels.items() if shown == label), current)


def _number(value: Any) -> float | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return float(value)


def metric_from_row(metric: Metric, row: pd.Series) -> Metric:
    """The metric as one edited row says: weight, scheme, direction, missing values, bounds."""
    scheme_labels = {n: components.scheme_label(n) for n in scheme_registry.SCHEMES}
    scheme = _by_label(scheme_labels, row["Scheme"], metric.scheme)
    weight = _number(row["Weight"])
    changes: dict[str, Any] = {
        "weight": math.nan if weight is None else weight,  # refused by the core, by name
        "scheme": scheme,
        "direction": _by_label(components.DIRECTION_LABELS, row["Direction"], metric.direction),
        "missing": _by_label(MISSING_LABELS, row["Missing values"], metric.missing),
    }
    for name, label, default in scheme_registry.SCHEMES[scheme].inputs:
        value = _number(row.get(label))
        changes[name] = default if value is None else value
    return components.with_settings(metric, changes)


def metric_column_config() -> dict[str, Any]:
    scheme_labels = [components.scheme_label(n) for n in scheme_registry.SCHEMES]
    config: dict[str, Any] = {
        "Metric": st.column_config.TextColumn("Metric", disabled=True, pinned=True),
        "Weight": st.column_config.NumberColumn(
            "Weight", min_value=0.0, step=0.5, format="%g", required=True
        ),
        "Scheme": st.column_config.SelectboxColumn("Scheme", options=scheme_labels, required=True),
        "Direction": st.column_config.SelectboxColumn(
            "Direction", options=list(components.DIRECTION_LABELS.values()), required=True
        ),
        "Missing values": st.column_config.SelectboxColumn(
            "Missing values",
            options=list(MISSING_LABELS.values()),
            required=True,
            help=" · ".join(f"{MISSING_LABELS[k]}: {v}" for k, v in MISSING_HELP.items()),
        ),
        "How it scores": st.column_config.TextColumn("How it scores", disabled=True),
    }
    for label in input_columns():
        config[label] = st.column_config.NumberColumn(label, format="%g")
    return config


def metrics_editor(pillar: seg.config.Pillar) -> tuple[str, tuple[Metric, ...]]:
    """The pillar's effect on priority and its metrics as a table (edits apply at once)."""
    st.markdown(f"**{fmt.plain(pillar.label)}**")
    effect = components.effect_radio(pillar)
    edited = st.data_editor(
        metric_table(pillar),
        key=f"metric_table_{pillar.key}",
        hide_index=True,
        width="stretch",
        column_config=metric_column_config(),
        num_rows="fixed",
    )
    metrics = tuple(metric_from_row(m, edited.iloc[i]) for i, m in enumerate(pillar.metrics))
    st.caption(
        "Bounds are read by the schemes that use them (linear: where a value scores 0 and "
        "100). Category and band points are kept as the settings file has them."
    )
    return effect, metrics


# --- tiers ----------------------------------------------------------------------------------

TIER_KEY = "tiers_table"  # not a settings-widget prefix: the form is applied, then cleared


def tier_table(cfg: seg.Config) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Tier": [t.name for t in cfg.tiers],
            "From priority": [float(t.threshold) for t in cfg.tiers[:-1]] + [None],
            "Engagement model": [t.engagement for t in cfg.tiers],
        }
    )


def tiers_from_table(cfg: seg.Config, table: pd.DataFrame) -> tuple[tuple[Tier, ...], dict]:
    """The tiers an edited table gives (top first; the last one takes the rest) and the
    renames of the tiers that were kept (old name -> new). Raises seg.ConfigError."""
    table = table[table["Tier"].fillna("").astype(str).str.strip() != ""]
    if len(table) < 2:
        raise seg.ConfigError("tiers: at least two tiers are needed, each with a name")
    tiers = []
    for position, (_, row) in enumerate(table.iterrows()):  # a handful of tiers, not accounts
        last = position == len(table) - 1
        threshold = 0.0 if last else _number(row["From priority"])
        if threshold is None:
            raise seg.ConfigError(
                f"tiers[{position}].threshold: give {row['Tier']} the priority it starts at"
            )
        engagement = row["Engagement model"]
        engagement = "" if engagement is None or engagement != engagement else str(engagement)
        tiers.append(Tier(str(row["Tier"]).strip(), threshold, engagement.strip()))
    old = [t.name for t in cfg.tiers]
    renames = {
        old[i]: str(row["Tier"]).strip()
        for i, row in table.iterrows()
        if isinstance(i, int) and 0 <= i < len(old)
    }
    return tuple(tiers), renames


def tiers_editor(cfg: seg.Config) -> seg.Config | None:
    """Names, count, cut-offs and engagement models; the new settings when applied."""
    st.markdown("**Tiers, from the top**")
    st.caption(
        "Add a row for another tier, delete one to merge it away. The last tier takes every "
        "account left: its cut-off is not used. Guard-rails, overrides and the coverage model "
        "follow a renamed tier."
    )
    with st.form("tiers_form", border=False):
        edited = st.data_editor(
            tier_table(cfg),
            key=TIER_KEY,
            hide_index=True,
            width="stretch",
            num_rows="dynamic",
            column_config={
                "Tier": st.column_config.TextColumn("Tier", required=True, width="medium"),
                "From priority": st.column_config.NumberColumn(
                    "From priority", min_value=0.0, max_value=100.0, step=1.0, format="%g"
                ),
                "Engagement model": st.column_config.TextColumn("Engagement model", width="large"),
            },
        )
        applied = st.form_submit_button("Apply tiers", key="apply_tiers", type="primary")
    if not applied:
        return None
    try:
        tiers, renames = tiers_from_table(cfg, edited)
        new, notes = with_tiers(cfg, tiers, renames)
    except seg.ConfigError as exc:
        settings_problem(exc)
        return None
    st.session_state[NOTES] = ["Tiers applied.", *notes]
    return new


# --- guard-rails and overrides --------------------------------------------------------------


def guardrail_inputs(cfg: seg.Config) -> seg.config.Guardrails:
    """The minimum ARR of the top tier and the strategic floor (edits apply at once)."""
    rails = cfg.guardrails
    top = cfg.tiers[0].name
    left, right = st.columns(2)
    with left:
        minimum = money_input(
            f"Minimum ARR for {top}",
            "rails_min_arr",
            rails.min_arr_top_tier,
            0.0,
            f"Below it, an account that would be {top} drops one tier. Empty: no minimum.",
            optional=True,
        )
    with right:
        options = [NO_FLOOR, *cfg.tier_names]
        components.seed("rails_floor", rails.strategic_floor or NO_FLOOR)
        if st.session_state["rails_floor"] not in options:
            st.session_state["rails_floor"] = NO_FLOOR
        floor = st.selectbox(
            "Strategic accounts never below",
            options,
            key="rails_floor",
            help="Accounts flagged strategic are lifted to this tier at least.",
        )
    return replace(
        rails, min_arr_top_tier=minimum, strategic_floor=None if floor == NO_FLOOR else floor
    )


OVERRIDE_KEY = "overrides_table"
OVERRIDE_COLUMNS = ["Account id", "Tier", "Reason", "Last day", "Set by", "Set at", "Status"]


def override_table(cfg: seg.Config, as_of: dt.date) -> pd.DataFrame:
    rows = [
        {
            "Account id": o.account_id,
            "Tier": o.tier,
            "Reason": o.reason,
            "Last day": o.expires,
            "Set by": o.by,
            "Set at": o.at,
            "Status": f"expired after {o.expires:%Y-%m-%d}: not applied"
            if o.expired(as_of)
            else "applied",
        }
        for o in cfg.guardrails.overrides
    ]
    frame = pd.DataFrame(rows, columns=OVERRIDE_COLUMNS)
    frame["Last day"] = pd.to_datetime(frame["Last day"]).dt.date
    return frame


def _text(value: Any) -> str:
    return "" if value is None or value != value else str(value).strip()


def overrides_from_table(
    cfg: seg.Config, table: pd.DataFrame, by: str, now: dt.datetime
) -> tuple[Override, ...]:
    """The overrides an edited table gives; new or changed ones are signed `by` at `now`.

    Raises seg.ConfigError for a row without an account, a tier or a reason."""
    before = {(o.account_id, o.tier, o.reason, o.expires): o for o in cfg.guardrails.overrides}
    overrides = []
    for position, (_, row) in enumerate(table.iterrows()):  # a few overrides, not accounts
        account, tier, reason = _text(row["Account id"]), _text(row["Tier"]), _text(row["Reason"])
        if not (account or tier or reason):
            continue
        path = f"guardrails.overrides[{position}]"
        if not account:
            raise seg.ConfigError(f"{path}.account_id: name the account")
        if not reason:
            raise seg.ConfigError(f"{path}.reason: say why account {account} is overridden")
        expires = row["Last day"]
        expires = None if expires is None or pd.isna(expires) else pd.Timestamp(expires).date()
        kept = before.get((account, tier, reason, expires))
        overrides.append(
            kept or Override(account, tier, reason, expires, by.strip(), f"{now:%Y-%m-%dT%H:%M}")
        )
    return tuple(overrides)


def overrides_csv(cfg: seg.Config, as_of: dt.date) -> bytes:
    """The overrides as a CSV (text neutralised as in every export)."""
    handle = io.BytesIO()
    write_csv(override_table(cfg, as_of), handle)
    return handle.getvalue()


def overrides_editor(cfg: seg.Config, as_of: dt.date, known_ids: pd.Index) -> seg.Config | None:
    """Add, change or remove manual overrides (a reason is required); the new settings when
    applied. Who and when are recorded; an override past its last day is not applied."""
    st.markdown("**Manual overrides**")
    st.caption(
        "One row per account that must sit in a tier whatever its priority. A reason is "
        "required; the last day is optional (the day after it, the override stops)."
    )
    by = st.text_input("Your name (recorded with each new override)", key=BY_KEY)
    with st.form("overrides_form", border=False):
        edited = st.data_editor(
            override_table(cfg, as_of),
            key=OVERRIDE_KEY,
            hide_index=True,
            width="stretch",
            num_rows="dynamic",
            column_config={
                "Account id": st.column_config.TextColumn("Account id", required=True),
                "Tier": st.column_config.SelectboxColumn(
                    "Tier", options=list(cfg.tier_names), required=True
                ),
                "Reason": st.column_config.TextColumn("Reason", required=True, width="large"),
                "Last day": st.column_config.DateColumn("Last day", format="YYYY-MM-DD"),
                "Set by": st.column_config.TextColumn("Set by", disabled=True),
                "Set at": st.column_config.TextColumn("Set at", disabled=True),
                "Status": st.column_config.TextColumn("Status", disabled=True),
            },
        )
        applied = st.form_submit_button("Apply overrides", key="apply_overrides", type="primary")
    unknown = [o.account_id for o in cfg.guardrails.overrides if o.account_id not in known_ids]
    if unknown:
        st.warning(
            fmt.plain(f"Not in this book, so nothing to override: {', '.join(unknown)}."),
            icon=":material/warning:",
        )
    if cfg.guardrails.overrides:
        st.download_button(
            "Download overrides (CSV)",
            data=overrides_csv(cfg, as_of),
            file_name="tierwise-overrides.csv",
            mime="text/csv",
            key="download_overrides",
            icon=":material/download:",
        )
    if not applied:
        return None
    try:
        overrides = overrides_from_table(cfg, edited, by, dt.datetime.now())
        new = replace(cfg, guardrails=replace(cfg.guardrails, overrides=overrides))
    except seg.ConfigError as exc:
        settings_problem(exc)
        return None
    st.session_state[NOTES] = [f"{len(overrides)} override(s) applied."]
    return new


def applied_notes() -> None:
    """What the last applied form did (the tiers it renamed away, the overrides it kept)."""
    for note in st.session_state.pop(NOTES, []):
        st.success(fmt.plain(note), icon=":material/check:")


def applied(new: seg.Config | None) -> None:
    """Settings from an applied form become the session's, and every widget re-seeds."""
    if new is None:
        return
    state.set_config(new)
    components.forget_config_widgets()
    for key in (TIER_KEY, OVERRIDE_KEY):
        st.session_state.pop(key, None)
    st.rerun()
