"""Profiles in the app: the Workshop's profile selector, the Segments page's editors (profiles
and the ideal customer profile), its tables, the layered chart's spec, the Accounts filter.

Every widget owns its key (prefix `profile_`, `icp_` or `layer_`); values from the book are
shown as plain text.
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd
import streamlit as st

import segmentation as seg
from segmentation.config import profile_config
from segmentation.profiles import (
    PROFILE_COLUMN,
    column_values,
    override_document,
    pin_profiles,
    profile_columns,
    tiers_by_profile,
    with_profile,
    without_profile,
)
from segmentation.rules.icp import Icp, IcpCriterion
from segmentation.rules.profiles import DEFAULT_PROFILE, Profile, describe_profile, profile_index
from segmentation.rules.tiers import is_relative
from segmentation.views.layers import (
    HEALTH_BANDS,
    LAYER_LABELS,
    LAYERS,
    NO_DATA,
    account_layers,
    in_layers,
    layer_options,
)
from ui import components, state
from ui import format as fmt
from ui.tables import MONEY_FORMAT

SELECT_KEY = "profile_edit"
SCOPE_KEY = "profile_scope"  # the Workshop counts the edited profile only, or the whole book
HEALTH_ORDER = [name for _, name in HEALTH_BANDS] + [NO_DATA]
HEALTH_COLOURS = ["#2e7d32", "#f9a825", "#c62828", "#9e9e9e"]


def _seeded(key: str, value: Any) -> str:
    """The widget's key, its value seeded once (so a widget never gets both a default and a
    session value, and an edit survives reruns)."""
    if key not in st.session_state:
        st.session_state[key] = value
    return key


def _editing_label(name: str | None) -> str:
    return "Default settings (accounts in no profile)" if name is None else f"Profile {name}"


# --- the Workshop ---------------------------------------------------------------------------


def profile_selector() -> seg.Config:
    """Which settings the Workshop's controls edit: the default ones or one profile's.

    Returns those settings; `state.set_config` puts a profile's back into its profile
    (`state.EDITING`). Switching re-seeds the controls from the settings chosen.
    """
    cfg = state.config()
    session = st.session_state
    names = [p.name for p in cfg.profiles]
    if not names:
        session[state.EDITING] = None
        return cfg
    if any(is_relative(profile_config(cfg, name).tiers) for name in names):
        # a profile's own relative cut-offs become its accounts' numbers, as the sliders show
        cfg = pin_profiles(state.accounts(), cfg, state.as_of())
        state.set_config(cfg)
    options: list[str | None] = [None, *names]
    if session.get(SELECT_KEY, None) not in options:
        session[SELECT_KEY] = session[state.EDITING] if session[state.EDITING] in names else None
    editing = st.selectbox(
        "Settings the controls edit",
        options,
        key=SELECT_KEY,
        format_func=_editing_label,
        help="Each profile's accounts are scored with its own settings (Segments page).",
    )
    if editing != session[state.EDITING]:
        session[state.EDITING] = editing
        components.forget_config_widgets()
    if editing is None:
        return cfg
    only = st.toggle(
        "Count only this profile's accounts",
        value=True,
        key=SCOPE_KEY,
        help="The cards, coverage, quadrant, histogram and who moved; capacity and the "
        "comparison with the book's current tier always count the whole book.",
    )
    scope = "its accounts" if only else "the whole book"
    st.caption(
        fmt.plain(f"The controls edit profile {editing}; only its accounts change. The cards "
                  f"and charts count {scope}.")
    )  # fmt: skip
    return profile_config(cfg, editing)


def scoped(result: pd.DataFrame, baseline: pd.Categorical) -> tuple[pd.DataFrame, pd.Categorical]:
    """What the Workshop's cards and charts count: the edited profile's accounts (when the
    room asked for that), else the whole book; the baseline's tiers taken alike."""
    editing = st.session_state.get(state.EDITING)
    if editing is None or not st.session_state.get(SCOPE_KEY, True) or "profile" not in result:
        return result, baseline
    mask = (result["profile"] == editing).to_numpy(dtype=bool, na_value=False)
    return result[mask], baseline[mask]


# --- the Segments page: profiles ------------------------------------------------------------


def profiles_table(cfg: seg.Config) -> None:
    if not cfg.profiles:
        st.info(
            "No profiles yet: every account is scored with the default settings.",
            icon=":material/info:",
        )
        return
    for profile in cfg.profiles:
        st.text(describe_profile(profile))


def _weights(cfg: seg.Config) -> dict[str, float] | None:
    if not st.checkbox("Own pillar weights", key="profile_own_weights"):
        return None
    columns = st.columns(len(cfg.pillars))
    weights = {}
    for column, pillar in zip(columns, cfg.pillars, strict=True):
        weights[pillar.key] = column.number_input(
            pillar.label,
            min_value=0.0,
            max_value=100.0,
            step=1.0,
            key=_seeded(f"profile_weight_{pillar.key}", float(pillar.weight)),
        )
    return weights


def _shares(cfg: seg.Config) -> list[float] | None:
    if not st.checkbox("Own cut-offs (share of the profile's accounts)", key="profile_own_cuts"):
        return None
    columns = st.columns(len(cfg.tiers) - 1)
    defaults = [15.0, 35.0] + [10.0] * len(cfg.tiers)
    return [
        column.number_input(
            f"{tier.name} %",
            min_value=1.0,
            max_value=98.0,
            step=1.0,
            key=_seeded(f"profile_share_{i}", float(tier.share) if tier.share else defaults[i]),
        )
        for i, (column, tier) in enumerate(zip(columns, cfg.tiers[:-1], strict=True))
    ]


def profile_editor(cfg: seg.Config, accounts: pd.DataFrame) -> None:
    """Define a profile (or redefine one by its name) and remove one."""
    mapped = set(state.book().mapping) if state.book() is not None else set()
    columns = [c for c in profile_columns(accounts) if c not in mapped]  # the file's headers
    if not columns:
        st.info("This book has no text column with a few distinct values to key profiles by.")
        return
    if cfg.profiles:
        st.selectbox(
            "Start from",
            [None, *(p.name for p in cfg.profiles)],
            key="profile_pick",
            format_func=lambda n: "A new profile" if n is None else f"Profile {n}",
            on_change=_fill_from, args=(cfg, columns),
        )  # fmt: skip
    name = st.text_input("Profile name", key="profile_name", placeholder="e.g. SMB")
    column = st.selectbox("Accounts whose column", columns, key="profile_column")
    values = st.multiselect("is one of", column_values(accounts, column), key="profile_values")
    within = st.checkbox(
        "Rank within the profile's accounts",
        key=_seeded("profile_ranks_within", True),
        help="Percentiles and relative cut-offs among its own accounts; off: over the whole book.",
    )
    settings = override_document(cfg, _weights(cfg), _shares(cfg))
    if st.button("Save profile", key="profile_save", type="primary", icon=":material/save:"):
        _save(cfg, Profile(name.strip(), column, tuple(values), within, settings))
    if cfg.profiles:
        left, right = st.columns([3, 1], vertical_alignment="bottom")
        gone = left.selectbox("Profile", [p.name for p in cfg.profiles], key="profile_remove_name")
        if right.button("Remove", key="profile_remove", icon=":material/delete:"):
            _store(without_profile(cfg, gone), f"Profile {gone} removed.")


def _fill_from(cfg: seg.Config, columns: list[str]) -> None:
    """Seed the editor's fields from the profile picked, to change it and save it again."""
    session = st.session_state
    picked = session.get("profile_pick")
    profile = next((p for p in cfg.profiles if p.name == picked), None)
    if profile is None:
        return
    settings = profile_config(cfg, profile.name)
    session["profile_name"] = profile.name
    if profile.column in columns:
        session["profile_column"] = profile.column
    options = column_values(state.accounts(), session.get("profile_column", columns[0]))
    session["profile_values"] = [v for v in profile.values if v in options]
    session["profile_ranks_within"] = profile.ranks_within
    session["profile_own_weights"] = "pillars" in profile.settings
    for pillar in settings.pillars:
        session[f"profile_weight_{pillar.key}"] = float(pillar.weight)
    session["profile_own_cuts"] = "tiers" in profile.settings
    for i, tier in enumerate(settings.tiers[:-1]):
        if tier.share:
            session[f"profile_share_{i}"] = float(tier.share)


def _save(cfg: seg.Config, profile: Profile) -> None:
    try:
        new = with_profile(cfg, profile)
        profile_index(state.accounts(), new.profiles)  # the column named is in this book
    except seg.ConfigError as exc:
        st.error(fmt.plain(f"This profile cannot be used: {exc}"), icon=":material/error:")
        return
    _store(new, f"Profile {profile.name} saved.")


def _store(new: seg.Config, message: str) -> None:
    state.set_config(new)
    components.forget_config_widgets()  # the Workshop's controls re-seed from the new settings
    st.success(fmt.plain(message), icon=":material/check:")


def tiers_by_profile_table(result: pd.DataFrame) -> None:
    """Accounts per tier in each profile (and in none)."""
    table = tiers_by_profile(result)
    wide = table.pivot_table(
        index="profile",
        columns="tier",
        values="accounts",
        aggfunc="sum",
        fill_value=0,
        observed=True,
    )
    wide = wide[[t for t in result["tier"].cat.categories if t in wide.columns]]
    wide["ARR"] = table.groupby("profile", observed=True)["arr"].sum()
    st.dataframe(
        wide,
        width="stretch",
        column_config={"ARR": st.column_config.NumberColumn("ARR", format=MONEY_FORMAT)},
    )


# --- the Segments page: the ideal customer profile ------------------------------------------


def _current(cfg: seg.Config, column: str) -> IcpCriterion | None:
    if cfg.icp is None:
        return None
    return next((c for c in cfg.icp.criteria if c.column == column), None)


def _values_criterion(cfg: seg.Config, accounts: pd.DataFrame, column: str, label: str):
    if column not in accounts.columns:
        return None
    options = column_values(accounts, column)
    current = _current(cfg, column)
    chosen = st.multiselect(
        label,
        options,
        default=[v for v in (current.values if current else ()) if v in options],
        key=f"icp_{column}",
    )
    return IcpCriterion(column, tuple(chosen)) if chosen else None


def _size_criterion(cfg: seg.Config, accounts: pd.DataFrame):
    if "employees" not in accounts.columns:
        return None
    current = _current(cfg, "employees")
    low_col, high_col = st.columns(2)
    low = low_col.number_input(
        "Employees from", min_value=0.0, step=10.0,
        key=_seeded("icp_employees_min", (current.low or 0.0) if current else 0.0),
    )  # fmt: skip
    high = high_col.number_input(
        "to (0: no limit)", min_value=0.0, step=10.0,
        key=_seeded("icp_employees_max", (current.high or 0.0) if current else 0.0),
    )  # fmt: skip
    if not low and not high:
        return None
    return IcpCriterion("employees", (), low or None, high or None)


def icp_editor(cfg: seg.Config, accounts: pd.DataFrame) -> None:
    """The room's ideal customer: industries, size, regions, plans."""
    region = "Region" if "Region" in accounts.columns else "country"
    criteria = [
        _values_criterion(cfg, accounts, "industry", "Industries"),
        _size_criterion(cfg, accounts),
        _values_criterion(cfg, accounts, region, "Regions"),
        _values_criterion(cfg, accounts, "plan", "Plans"),
    ]
    chosen = tuple(c for c in criteria if c is not None)
    save, clear = st.columns(2)
    if save.button("Save ICP", key="icp_save", type="primary", disabled=not chosen):
        keep = cfg.icp or Icp(chosen)
        _store(replace(cfg, icp=replace(keep, criteria=chosen)), "Ideal customer profile saved.")
    if cfg.icp is not None and clear.button("Clear ICP", key="icp_clear"):
        _store(replace(cfg, icp=None), "Ideal customer profile cleared.")


# --- the layered view -----------------------------------------------------------------------


def layers_spec(levels: pd.DataFrame) -> dict:
    """Nested bars: a bar per market fit and growth band, stacked by health band."""
    data = levels[levels["level"] == len(LAYERS)][[*LAYERS, "accounts", "arr"]]
    data = data.assign(group=data["market"] + " · " + data["growth"])
    tooltip = [
        {"field": layer, "type": "nominal", "title": LAYER_LABELS[layer]} for layer in LAYERS
    ]
    tooltip += [
        {"field": "accounts", "type": "quantitative", "title": "Accounts"},
        {"field": "arr", "type": "quantitative", "title": "ARR", "format": "$,.0f"},
    ]
    return {
        "data": {"values": data.to_dict("records")},
        "mark": {"type": "bar", "tooltip": True},
        "encoding": {
            "y": {
                "field": "group",
                "type": "nominal",
                "sort": None,
                "title": f"{LAYER_LABELS['market']} · {LAYER_LABELS['growth']}",
                "axis": {"labelLimit": 320},
            },
            "x": {"field": "accounts", "type": "quantitative", "title": "Accounts"},
            "color": {
                "field": "health",
                "type": "nominal",
                "title": LAYER_LABELS["health"],
                "scale": {"domain": HEALTH_ORDER, "range": HEALTH_COLOURS},
            },
            "order": {"field": "health_rank", "type": "quantitative"},
            "tooltip": tooltip,
        },
        "transform": [
            {"calculate": f"indexof({json.dumps(HEALTH_ORDER)}, datum.health)", "as": "health_rank"}
        ],
    }


def levels_table(levels: pd.DataFrame) -> None:
    shown = levels[levels["level"] < len(LAYERS)]
    shown = shown[["level", "market", "growth", "accounts", "arr", "share_of_arr"]]
    st.dataframe(
        shown,
        hide_index=True,
        width="stretch",
        column_config={
            "level": st.column_config.NumberColumn("Level"),
            "market": LAYER_LABELS["market"],
            "growth": LAYER_LABELS["growth"],
            "accounts": st.column_config.NumberColumn("Accounts", format="localized"),
            "arr": st.column_config.NumberColumn("ARR", format=MONEY_FORMAT),
            "share_of_arr": st.column_config.NumberColumn("Share of ARR", format="percent"),
        },
    )


# --- the Accounts page ----------------------------------------------------------------------


def layer_filter(result: pd.DataFrame, cfg: seg.Config) -> np.ndarray:
    """Which accounts the profile and layer filters keep (all when nothing is chosen)."""
    keep = np.ones(len(result), dtype=bool)
    with st.expander("Filter by profile and layer", icon=":material/layers:"):
        if PROFILE_COLUMN in result:
            names = [DEFAULT_PROFILE, *(p.name for p in cfg.profiles)]
            chosen = components.multiselect_filter("Profile", "layer_profile", names)
            if chosen:
                keep &= result[PROFILE_COLUMN].astype(object).isin(chosen).to_numpy()
        options = layer_options(cfg)
        columns = st.columns(len(LAYERS))
        picked: dict[str, Any] = {}
        for column, layer in zip(columns, LAYERS, strict=True):
            with column:
                picked[layer] = components.multiselect_filter(
                    LAYER_LABELS[layer], f"layer_{layer}", options[layer]
                )
    if any(picked.values()):
        keep &= in_layers(account_layers(result, cfg), picked)
    return keep
