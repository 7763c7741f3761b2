"""Widgets wrapped in small components: each owns its key and returns plain values.

Widgets that edit the settings are seeded from the session's Config (the source of truth)
the first time they are drawn, so they come back right after a page switch, a settings
load or a reset: `forget_config_widgets()` drops their state and the next draw re-seeds it.
"""

from __future__ import annotations

import time
from dataclasses import replace
from typing import Any

import numpy as np
import streamlit as st

import segmentation as seg
from segmentation.config import AXES, Metric, Quadrant
from segmentation.loading import MAX_UPLOAD_MB
from segmentation.rules import schemes as scheme_registry
from segmentation.rules.pillars import shares_of
from segmentation.rules.tiers import crossed_threshold
from ui import format as fmt
from ui import state
from ui.format import plain_label

CONFIG_WIDGET_PREFIXES = ("weight_", "threshold_", "effect_", "metric_", "quadrant_", "arr_per_csm")
CONFIG_WIDGET_PREFIXES += ("capacity_", "rails_")  # ui/capacity.py's coverage-model inputs
DIRECTION_LABELS = {"higher": "Higher is better", "lower": "Lower is better"}
EFFECT_LABELS = {"raises": "High score → more touch", "lowers": "Low score → more touch"}
NOT_MAPPED = "— not mapped —"


def seed(key: str, value: Any) -> None:
    """A widget's first value, from the settings, unless it already has one."""
    if key not in st.session_state:
        st.session_state[key] = value


_seed = seed


def forget_config_widgets() -> None:
    """Drop the settings widgets' state so that they re-seed from the session's Config."""
    for key in list(st.session_state):
        if isinstance(key, str) and key.startswith(CONFIG_WIDGET_PREFIXES):
            del st.session_state[key]


# --- Data page ------------------------------------------------------------------------------


def upload_widget() -> Any:
    return st.file_uploader(
        "Upload your accounts (CSV or Excel)",
        type=["csv", "txt", "xlsx", "xlsm"],
        key="upload",
        help=f"One row per account. Up to {MAX_UPLOAD_MB} MB. The file stays in this session "
        "only: nothing is stored on the server.",
    )


def sample_button() -> bool:
    return st.button(
        "Try the sample book",
        key="use_sample",
        icon=":material/science:",
        width="stretch",
        help="500 invented accounts, to see how Tierwise works before using your own.",
    )


def mapping_form(
    headers: list[str], mapping: dict[str, str], rows: list[tuple[str, str, str]]
) -> dict | None:
    """One select per canonical column; the new mapping when the form is applied, else None."""
    options = [NOT_MAPPED, *headers]
    with st.form("mapping_form", border=False):
        cols = st.columns(3)
        values: dict[str, str | None] = {}
        for i, (name, label, feeds) in enumerate(rows):
            key = f"map_{name}"
            current = mapping.get(name, NOT_MAPPED)
            if st.session_state.get(key) not in options:
                st.session_state[key] = current if current in options else NOT_MAPPED
            with cols[i % 3]:
                choice = st.selectbox(label, options, key=key, help=feeds or None)
            values[name] = None if choice == NOT_MAPPED else choice
        submitted = st.form_submit_button("Apply mapping", key="apply_mapping", type="primary")
    return values if submitted else None


def confirm_matches(matches: list[Any]) -> dict[str, str | None] | None:
    """Weak or ambiguous column matches, each with its best alternatives to pick from.

    Returns canonical -> chosen header (None: leave unmapped) when confirmed, else None.
    """
    st.warning(
        "Tierwise is not sure of these column matches: check each one and confirm.",
        icon=":material/help:",
    )
    choices: dict[str, str | None] = {}
    for match in matches:
        options = [match.header, *match.alternatives, NOT_MAPPED]
        choice = st.selectbox(
            fmt.plain(f"{match.canonical}: {match.reason}"),
            options,
            key=f"confirm_{match.canonical}",
        )
        choices[match.canonical] = None if choice == NOT_MAPPED else choice
    confirmed = st.button("Confirm these matches", key="confirm_matches", type="primary")
    return choices if confirmed else None


def add_metric_controls(candidates: list[str], cfg: seg.Config) -> tuple[str, str] | None:
    """Pick an unmapped numeric column and a pillar; (column, pillar key) when added."""
    left, middle, right = st.columns([2, 2, 1], vertical_alignment="bottom")
    column = left.selectbox("Numeric column", candidates, key="add_metric_column")
    labels = {p.key: p.label for p in cfg.pillars}
    pillar = middle.selectbox(
        "Add to pillar", list(labels), format_func=labels.get, key="add_metric_pillar"
    )
    if right.button("Add as metric", key="add_metric", icon=":material/add:"):
        return column, pillar
    return None


# --- Workshop controls ----------------------------------------------------------------------


def weight_values(cfg: seg.Config) -> dict[str, float]:
    """Each pillar's weight as its slider holds it now (this run's value), before drawing."""
    for pillar in cfg.pillars:
        _seed(f"weight_{pillar.key}", float(pillar.weight))
    return {p.key: float(st.session_state[f"weight_{p.key}"]) for p in cfg.pillars}


def weight_shares_now(cfg: seg.Config) -> dict[str, float]:
    """Each pillar's share of priority from the sliders' current values, not the last run's."""
    return shares_of(weight_values(cfg))


def weight_slider(pillar: seg.config.Pillar, share: float) -> float:
    key = f"weight_{pillar.key}"
    _seed(key, float(pillar.weight))
    return st.slider(
        plain_label(pillar.label),
        min_value=0.0,
        max_value=100.0,
        step=1.0,
        format="%d",
        key=key,
        help=f"Relative weight; now {fmt.share(share)} of priority.",
        on_change=_slider_moved,
    )


SLIDER_MOVED = "tw_slider_moved"  # set by a weight or cut-off slider's callback, read once


def _slider_moved() -> None:
    st.session_state[SLIDER_MOVED] = True


def slider_moved() -> bool:
    """Whether this run follows a move of a weight or cut-off slider (its callback ran before
    the run, with the new value in the session); read once."""
    return bool(st.session_state.pop(SLIDER_MOVED, False))


# Streamlit's browser code draws, in one go, every change that reached it within 10 ms of the
# first change it holds (its ELEMENT_LIST_BUFFER_TIMEOUT_MS). After a slider move the run pauses
# this long once the tier cards are out, so that they are drawn in a batch of their own: without
# the pause the controls and views that follow join the cards' batch, and drawing it took
# 30-50 ms more (`python -m bench browser`).
COUNTS_ALONE_S = 0.02


def let_counts_out() -> None:
    """The pause after the tier cards of a slider move (COUNTS_ALONE_S)."""
    time.sleep(COUNTS_ALONE_S)


def slider_config(cfg: seg.Config) -> seg.Config:
    """`cfg` with the weight and cut-off sliders' values as the session holds them now, before
    the sliders are drawn (what the Workshop's counts are drawn from first)."""
    thresholds, _ = checked_thresholds(cfg, threshold_values(cfg))
    try:
        return build_config(
            cfg,
            weight_values(cfg),
            {p.key: p.effect for p in cfg.pillars},
            {p.key: p.metrics for p in cfg.pillars},
            thresholds,
            cfg.quadrant,
            cfg.arr_per_csm,
        )
    except seg.ConfigError:  # the control panel says why; the last valid settings count
        return cfg


def _within(value: float, low: float, high: float) -> float:
    return float(min(max(value, low), high))


# Fixed (min, max) per cut-off slider, top first: Streamlit keys a slider's identity on its
# min and max, so a range that followed the other sliders would make a new widget, which can
# fall back to its minimum when quick reruns interrupt each other.
HIGH_RANGE = (2.0, 100.0)
MID_RANGE = (1.0, 99.0)
EXTRA_RANGE = (0.0, 99.0)


def threshold_key(index: int) -> str:
    """The slider key of tier `index`'s cut-off (docs/interfaces.md section 6 names the top two)."""
    return {0: "threshold_high", 1: "threshold_mid"}.get(index, f"threshold_{index}")


def _threshold_range(index: int) -> tuple[float, float]:
    return {0: HIGH_RANGE, 1: MID_RANGE}.get(index, EXTRA_RANGE)


def _seed_threshold(index: int, tier: seg.config.Tier) -> str:
    key, (low, high) = threshold_key(index), _threshold_range(index)
    _seed(key, _within(tier.threshold, low, high))
    return key


def threshold_values(cfg: seg.Config) -> tuple[float, ...]:
    """Each cut-off as its slider holds it now (this run's value), before drawing."""
    keys = [_seed_threshold(index, tier) for index, tier in enumerate(cfg.tiers[:-1])]
    return tuple(float(st.session_state[key]) for key in keys)


def threshold_sliders(cfg: seg.Config) -> tuple[float, ...]:
    """Each tier's cut-off but the last one's as the sliders show them (not yet checked).

    The last tier takes every account left and has no cut-off: two tiers give one slider
    (`threshold_high`), three give two (`threshold_mid` too), more give `threshold_2`...
    """
    values = []
    for index, tier in enumerate(cfg.tiers[:-1]):
        key, (low, high) = _seed_threshold(index, tier), _threshold_range(index)
        above = cfg.tiers[index - 1].name if index else None
        values.append(
            st.slider(
                plain_label(f"{tier.name} from priority"),
                min_value=low,
                max_value=high,
                step=1.0,
                format="%d",
                key=key,
                help=fmt.plain(f"Must stay below the {above} cut-off.") if above else None,
                on_change=_slider_moved,
            )
        )
    return tuple(values)


def checked_thresholds(
    cfg: seg.Config, values: tuple[float, ...]
) -> tuple[tuple[float, ...], str | None]:
    """The cut-offs to use and, when two sliders cross, why the last valid ones are kept.

    Nothing writes the sliders back: a slider the user is dragging is never moved under them.
    """
    cut = cfg.tiers[:-1]
    index = crossed_threshold(values)
    if index is None:
        return tuple(values), None
    kept = tuple(float(t.threshold) for t in cut)
    return kept, (
        f"{cut[index].name} ({values[index]:g}) must be below {cut[index - 1].name} "
        f"({values[index - 1]:g}): still using {' / '.join(f'{v:g}' for v in kept)}."
    )


def effect_radio(pillar: seg.config.Pillar) -> str:
    key = f"effect_{pillar.key}"
    _seed(key, pillar.effect)
    return st.radio(
        "Effect on priority",
        list(EFFECT_LABELS),
        format_func=EFFECT_LABELS.get,
        key=key,
        horizontal=True,
    )


def scheme_choices(metric: Metric) -> list[str]:
    """The schemes a metric can switch to, from the registry (its own scheme always)."""
    names = [n for n, scheme in scheme_registry.SCHEMES.items() if scheme.ready(metric)]
    return names if metric.scheme in names else [*names, metric.scheme]


def scheme_label(name: str) -> str:
    scheme = scheme_registry.SCHEMES.get(name)
    return scheme.label if scheme else name


def with_settings(metric: Metric, changes: dict[str, Any]) -> Metric:
    """`metric` with fields changed; settings that are not Metric fields go to `params`."""
    fields = {k: v for k, v in changes.items() if k in scheme_registry.METRIC_FIELDS}
    params = {k: v for k, v in changes.items() if k not in fields}
    if params:
        fields["params"] = tuple({**dict(metric.params), **params}.items())
    return replace(metric, **fields)


def pillar_picker(cfg: seg.Config) -> str | None:
    """Which pillar's effect and metrics to open (one at a time keeps the panel light)."""
    labels = {p.key: p.label for p in cfg.pillars}
    return st.selectbox(
        "Pillar details",
        list(labels),
        index=None,
        format_func=labels.get,
        key="pillar_details",
        placeholder="Choose a pillar",
        help="Its effect on priority and its metrics' weights and scoring.",
    )


def arr_split_options(values: np.ndarray) -> list[float]:
    """Round ARR values (1, 2, 5 x 10^k) across the book's range, for the ARR split."""
    positive = values[values > 0]
    top = float(positive.max()) if positive.size else 1_000_000.0
    options, base = [0.0], 1_000.0
    while base <= top * 1.0001:
        options.extend(v for v in (base, 2 * base, 5 * base) if v <= top)
        base *= 10
    return options


def split_control(axis: str, which: str, current: float, arr: np.ndarray, label: str) -> float:
    if axis == "arr":
        options = arr_split_options(arr)
        key = f"quadrant_{which}_split_arr"
        nearest = min(options, key=lambda v: abs(v - current))
        _seed(key, nearest)
        if st.session_state[key] not in options:
            st.session_state[key] = nearest
        return st.select_slider(label, options, key=key, format_func=fmt.money)
    key = f"quadrant_{which}_split"
    _seed(key, _within(current, 0.0, 100.0))
    return st.slider(label, 0.0, 100.0, step=1.0, format="%d", key=key)


def quadrant_controls(cfg: seg.Config, arr: np.ndarray, median_arr: float) -> Quadrant:
    """Axes (any pillar, priority or ARR) and where each is split."""
    q = cfg.quadrant
    labels = {p.key: p.label for p in cfg.pillars}
    _seed("quadrant_x", q.x)
    _seed("quadrant_y", q.y)
    ax, ay = st.columns(2)
    sx, sy = st.columns(2)
    x = ax.selectbox(
        "Across", AXES, key="quadrant_x", format_func=lambda a: fmt.axis_label(a, labels)
    )
    y = ay.selectbox("Up", AXES, key="quadrant_y", format_func=lambda a: fmt.axis_label(a, labels))
    x_current = q.x_split if q.x == x else (median_arr if x == "arr" else 50.0)
    y_current = q.y_split if q.y == y else (median_arr if y == "arr" else 50.0)
    with sx:
        x_split = split_control(x, "x", x_current, arr, "Split across at")
    with sy:
        y_split = split_control(y, "y", y_current, arr, "Split up at")
    return replace(q, x=x, y=y, x_split=float(x_split), y_split=float(y_split))


def build_config(
    cfg: seg.Config,
    weights: dict[str, float],
    effects: dict[str, str],
    metrics: dict[str, tuple[Metric, ...]],
    thresholds: tuple[float, ...],
    quadrant: Quadrant,
    arr_per_csm: float,
    guardrails: seg.config.Guardrails | None = None,
) -> seg.Config:
    """The settings the controls show, validated in one go (raises seg.ConfigError)."""
    pillars = tuple(
        replace(p, weight=weights[p.key], effect=effects[p.key], metrics=metrics[p.key])
        for p in cfg.pillars
    )
    # Only the tiers above the last have a cut-off: the last one's threshold stays 0.
    cut = tuple(replace(t, threshold=v) for t, v in zip(cfg.tiers[:-1], thresholds, strict=True))
    tiers = (*cut, cfg.tiers[-1])
    rails = cfg.guardrails if guardrails is None else guardrails
    new = replace(
        cfg,
        pillars=pillars,
        tiers=tiers,
        quadrant=quadrant,
        arr_per_csm=arr_per_csm,
        guardrails=rails,
    )
    return cfg if new == cfg else new


def _pin() -> None:
    state.pin_baseline()


def _reset() -> None:
    state.set_config(state.baseline())
    forget_config_widgets()


def _defaults() -> None:
    state.set_config(seg.default_config())
    forget_config_widgets()


def baseline_buttons() -> None:
    """Stacked full width: the column is narrow and the labels must read in full."""
    st.button(
        "Pin as baseline",
        key="pin_baseline",
        on_click=_pin,
        icon=":material/push_pin:",
        width="stretch",
        help="Compare the next changes against the settings as they are now.",
    )
    st.button(
        "Reset to baseline",
        key="reset_to_baseline",
        on_click=_reset,
        icon=":material/undo:",
        width="stretch",
        help="Put every control back to the baseline.",
    )
    st.button(
        "Tierwise defaults",
        key="restore_defaults",
        on_click=_defaults,
        icon=":material/restart_alt:",
        type="tertiary",
        help="Put every control back to the settings Tierwise ships with.",
    )


PRESENTATION_KEY = "presentation_mode"


def presentation_toggle() -> bool:
    """Presentation mode: sidebar and controls away, large cards, the chart and the movers."""
    return st.toggle(
        "Presentation mode",
        key=PRESENTATION_KEY,
        help="For the projector: hides the controls and the sidebar; switch off to edit.",
    )


# --- Accounts page --------------------------------------------------------------------------


def multiselect_filter(label: str, key: str, options: list[str]) -> list[str]:
    return st.multiselect(label, options, key=key, placeholder="All")


def search_box() -> str:
    return st.text_input(
        "Search",
        key="filter_search",
        placeholder="Account name, id or CSM",
        icon=":material/search:",
    )


def export_scope(filtered: int, total: int) -> str:
    labels = {"filtered": f"Filtered list ({filtered:,})", "all": f"All accounts ({total:,})"}
    return st.radio(
        "Export", list(labels), format_func=labels.get, key="export_scope", horizontal=True
    )


def settings_uploader() -> Any:
    return st.file_uploader(
        "Load settings (JSON saved from Tierwise)", type=["json"], key="settings_upload"
    )
