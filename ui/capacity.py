"""The Workshop's Capacity panel: the coverage-model inputs, the table, the fit and its undo.

Widgets own their keys (all start with `capacity_`, so that resetting the settings re-seeds
them) and return plain values; the numbers come from `segmentation.views.capacity` and
`segmentation.fitting`. Tier names are the user's text: they are drawn as plain text.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pandas as pd
import streamlit as st

import segmentation as seg
from segmentation import fitting
from segmentation.fitting import CapacityError, fit_cutoffs, fit_inputs
from segmentation.rules.capacity import (
    SOURCES,
    Capacity,
    TierCapacity,
    catalogue_words,
    default_capacity,
    effective_capacity,
)
from segmentation.views.capacity import CapacityView
from segmentation.views.tiers import tier_engagement
from ui import components, state
from ui import format as fmt
from ui.tables import money_column

FIT_BUTTON = "fit_cutoffs"  # not capacity_*: a reset forgets those keys
UNDO_BUTTON = "undo_fit"


def _seed(key: str, value: Any) -> None:
    if key not in st.session_state:
        st.session_state[key] = value


def _optional_input(label: str, key: str, value: float | None, minimum: float, help: str) -> Any:
    _seed(key, None if value is None else float(value))
    # value=None: the input may be cleared (no head-count); the session state holds the value.
    return st.number_input(
        label, min_value=minimum, value=None, step=1.0, format="%g", key=key, help=help
    )


def _tier_inputs(index: int, count: int, tier: TierCapacity) -> TierCapacity:
    csms, ratio, hours = st.columns(3)
    with csms:
        c = _optional_input(
            "CSMs available", f"capacity_csms_{index}", tier.csms, 0.5, SOURCES["csms"]
        )
    with ratio:
        r = _optional_input(
            "Accounts per CSM",
            f"capacity_ratio_{index}",
            tier.accounts_per_csm,
            1.0,
            SOURCES["accounts_per_csm"],
        )
    with hours:
        h = _optional_input(
            "Hours per account a year",
            f"capacity_hours_{index}",
            tier.hours_per_account,
            0.5,
            f"{SOURCES['hours_per_account']} {catalogue_words(index, count)}",
        )
    return TierCapacity(tier.tier, c, r, h)


COVERAGE_MODEL_OPEN = "coverage_model_open"  # not a settings widget: a reset leaves it open


def capacity_settings(cfg: seg.Config) -> seg.Config:
    """The coverage-model inputs (in an expander); the settings with the capacity they show.

    The inputs are drawn only while the expander is open (opening it reruns the Workshop; they
    seed from the settings, which hold every value they took): a slider move does not send
    them to the browser while nobody edits them, and the settings stay as they are.
    While the inputs show Tierwise's default model and the settings have no capacity section,
    the section stays absent (the saved settings do not change by opening the panel).
    """
    panel = st.expander(
        "Coverage model and team",
        icon=":material/groups:",
        key=COVERAGE_MODEL_OPEN,
        on_change="rerun",
    )
    if not panel.open:
        return cfg
    model = effective_capacity(cfg.capacity, cfg.tier_names)
    with panel:
        team_hours, team_cost = st.columns(2)
        _seed("capacity_client_hours", float(model.client_hours_per_csm))
        _seed("capacity_cost", float(model.cost_per_csm))
        hours = team_hours.number_input(
            "Client hours per CSM a year",
            min_value=1.0,
            max_value=8760.0,
            step=10.0,
            format="%.0f",
            key="capacity_client_hours",
            help=SOURCES["client_hours_per_csm"],
        )
        cost = team_cost.number_input(
            "Loaded cost per CSM a year ($)",
            min_value=0.0,
            step=5_000.0,
            format="%.0f",
            key="capacity_cost",
            help=SOURCES["cost_per_csm"],
        )
        tiers = []
        for index, name in enumerate(cfg.tier_names):
            st.text(name)
            tier = model.for_tier(name) or TierCapacity(name)
            tiers.append(_tier_inputs(index, len(cfg.tier_names), tier))
    capacity = Capacity(hours, cost, tuple(tiers))
    if cfg.capacity is None and capacity == default_capacity(cfg.tier_names):
        return cfg
    try:
        return replace(cfg, capacity=capacity)
    except seg.ConfigError as exc:
        st.error("This coverage model cannot be used:", icon=":material/error:")
        st.text(str(exc))
        return cfg


# --- the fit and its undo -----------------------------------------------------------------


def _fit() -> None:
    before = state.config()
    try:
        fit = fit_cutoffs(state.result(), before, as_of=state.as_of())
    except CapacityError as exc:
        state.set_fit_outcome(None, ("error", str(exc)))
        return
    state.set_config(fit.config)
    components.forget_config_widgets()
    state.set_fit_outcome(before, ("success", "\n".join(fit.lines)))


def _undo() -> None:
    before = state.fit_undo()
    if before is None:
        return
    cutoffs = " / ".join(f"{t.threshold:g}" for t in before.tiers[:-1])
    state.set_config(before)
    components.forget_config_widgets()
    state.set_fit_outcome(None, ("undone", f"Fit undone: cut-offs back to {cutoffs}."))


def fit_buttons() -> None:
    left, right = st.columns(2)
    left.button(
        "Fit cut-offs to the team",
        key=FIT_BUTTON,
        on_click=_fit,
        icon=":material/fit_screen:",
        type="primary",
        width="stretch",
        help="Move the cut-off sliders so that each tier with a head-count holds as many "
        "accounts as its CSMs serve, and no more (guard-rails and overrides counted).",
    )
    right.button(
        "Undo fit",
        key=UNDO_BUTTON,
        on_click=_undo,
        icon=":material/undo:",
        width="stretch",
        disabled=state.fit_undo() is None,
        help="Put the settings back as they were before the last fit.",
    )


def fit_message() -> None:
    outcome = state.fit_outcome()
    if outcome is None:
        return
    kind, text = outcome
    if kind == "error":
        st.error("The cut-offs cannot be fitted to this team:", icon=":material/error:")
    elif kind == "success":
        st.success("Cut-offs fitted to the team; the sliders moved.", icon=":material/check:")
    st.text(text)


# --- the table and the value of one CSM --------------------------------------------------------

TABLE_LABELS = {  # short: the table must fit the Workshop's column on a projector
    "accounts": "Accounts",
    "arr": "ARR",
    "csms_by_accounts": "CSMs by accounts",
    "csms_by_hours": "by hours",
    "csms_by_arr": "by ARR (check)",
    "csms_needed": "Needed",
    "csms_available": "Available",
    "gap": "Gap",
    "accounts_served": "Team serves",
    "cost_to_serve": "Cost to serve",
    "cost_share_of_arr": "Cost / ARR",
}


def table_config() -> dict[str, Any]:
    config: dict[str, Any] = {
        name: st.column_config.NumberColumn(label, format="%.1f")
        for name, label in TABLE_LABELS.items()
    }
    for name in ("accounts", "csms_needed", "accounts_served"):
        config[name] = st.column_config.NumberColumn(TABLE_LABELS[name], format="%d")
    config["arr"] = money_column("ARR")
    config["cost_to_serve"] = money_column("Cost to serve")
    config["cost_share_of_arr"] = st.column_config.NumberColumn("Cost / ARR", format="percent")
    config["tier"] = st.column_config.TextColumn("Tier")
    return config


def capacity_table(view: CapacityView) -> None:
    origin = "your coverage model" if view.from_settings else "Tierwise's default coverage model"
    st.dataframe(view.table, width="stretch", column_config=table_config())
    st.caption(
        f"By {origin}: CSMs needed = the larger of accounts / accounts per CSM and accounts x "
        "hours per account / client hours per CSM, rounded up; gap = available - needed; cost "
        f"to serve = the needed FTE x {fmt.money(view.model.cost_per_csm)}. The ARR rule is "
        "the cross-check."
    )


LOST_SHOWN = 10
LOST_CONFIG = {
    "account_id": "Account ID",
    "account_name": "Account",
    "arr": money_column("ARR"),
    "priority": st.column_config.NumberColumn("Priority", format="%.1f"),
}


def shadow_prices(result: pd.DataFrame, cfg: seg.Config) -> None:
    """Per tier with a head-count: what +1 CSM brings in and which accounts -1 CSM moves out."""
    staffed = cfg.capacity.staffed if cfg.capacity else ()
    prices = state.panel_memo(
        "shadow_prices",
        fit_inputs(cfg),
        lambda: fitting.shadow_prices(result, cfg, as_of=state.as_of()) if staffed else (),
    )
    for tier, price in zip(staffed, prices, strict=True):
        plus, minus = price.words(tier_engagement(cfg, tier.tier) or "this tier's coverage")
        st.text(plus)
        if price.lost is None or price.lost.empty:
            st.text(minus)
            continue
        shown = price.lost.head(LOST_SHOWN)
        more = f" The first {len(shown)} by priority:" if len(shown) < len(price.lost) else ""
        st.text(f"{minus}{more}")
        st.dataframe(shown, hide_index=True, width="stretch", column_config=LOST_CONFIG)
