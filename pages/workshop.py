"""Workshop: the room's main screen. Move the weights and cut-offs; everything follows at once.

Layout, top down: a toolbar row (the editors, presentation mode, save settings; other tools
add theirs here), the editor it opens (full width), then the controls beside the views:
tier cards, coverage, the book's current tier against the new one, capacity, quadrant and
distribution, who moved. Every user-supplied text (tier names, engagement, labels) is shown
as plain text.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

import segmentation as seg
from segmentation import movement
from segmentation.rules.metrics import learned_order_words
from segmentation.rules.pillars import SCORE_COLUMNS
from segmentation.views import book, capacity, histogram, quadrant, tiers
from ui import calibration as cal_ui
from ui import capacity as capacity_panel
from ui import charts, components, editors, history, persistence, state, tables, timing
from ui import format as fmt
from ui import movement as movement_panel
from ui import profiles as profiles_ui
from ui import scenarios as scenarios_ui
from ui.shell import ensure_router, require_book
from ui.theme import PRESENTATION_CSS, strip, tier_colour

ensure_router()
st.header("Workshop", anchor=False)

require_book("Then come back here to weigh the pillars and cut the tiers.")


@dataclass(frozen=True)
class Edits:
    """What the open editor changed (None: that part of the settings is as it was)."""

    pillar: str | None = None
    effect: str | None = None
    metrics: tuple | None = None
    arr_per_csm: float | None = None
    guardrails: seg.config.Guardrails | None = None


def draw_editor(which: str | None, cfg: seg.Config) -> Edits:
    """The wide editor the controls opened; forms (tiers, overrides) apply and rerun."""
    if which is None:
        return Edits()
    with st.container(border=True, key="editor_panel"):
        editors.applied_notes()
        edits = Edits()
        if which == "metrics":
            pillar = components.pillar_picker(cfg)
            if pillar is not None:
                effect, metrics = editors.metrics_editor(cfg.pillar(pillar))
                edits = Edits(pillar, effect, metrics)
        elif which == "tiers":
            editors.applied(editors.tiers_editor(cfg))
        elif which == "rails":
            edits = Edits(guardrails=editors.guardrail_inputs(cfg))
            editors.applied(editors.overrides_editor(cfg, state.as_of(), state.account_ids()))
        elif which == "coverage":
            edits = Edits(arr_per_csm=editors.coverage_editor(cfg))
        editors.close_button()
    return edits


def draw_controls(
    cfg: seg.Config, quadrant_settings: seg.config.Quadrant, panel: DeltaGenerator, editor: str
) -> seg.Config:
    """The control panel, and the `editor` open in the full-width `panel`; returns the
    settings they show (or the last valid ones)."""
    shares = components.weight_shares_now(cfg)
    st.markdown("**Pillar weights**")
    weights = {p.key: components.weight_slider(p, shares[p.key]) for p in cfg.pillars}
    st.caption(
        fmt.plain(
            "Share of priority: "
            + " · ".join(f"{p.label.split()[0]} {fmt.share(shares[p.key])}" for p in cfg.pillars)
        )
    )
    st.markdown("**Tier cut-offs**")
    thresholds, crossed = components.checked_thresholds(cfg, components.threshold_sliders(cfg))
    if crossed:
        st.warning(fmt.plain(crossed), icon=":material/warning:")
    components.baseline_buttons()
    with panel:
        edits = draw_editor(editor, cfg)
    effects = {p.key: p.effect for p in cfg.pillars}
    metrics = {p.key: p.metrics for p in cfg.pillars}
    if edits.pillar is not None:
        effects[edits.pillar], metrics[edits.pillar] = edits.effect, edits.metrics
    arr_per_csm = cfg.arr_per_csm if edits.arr_per_csm is None else edits.arr_per_csm
    try:
        return components.build_config(
            cfg,
            weights,
            effects,
            metrics,
            thresholds,
            quadrant_settings,
            arr_per_csm,
            edits.guardrails,
        )
    except seg.ConfigError as exc:
        with panel:
            editors.settings_problem(exc)
        return cfg


def tier_card_numbers(result, cfg: seg.Config, baseline: pd.Categorical) -> list[tiers.TierCard]:
    """Each tier card's numbers, worked out again only when the tiers or the settings they
    read changed."""
    return state.panel_memo(
        "tier_cards",
        (state.rows_key(result), state.rows_key(baseline), cfg.tiers),
        lambda: tiers.tier_cards(result, cfg, baseline),
    )


def draw_tier_cards(cards: list[tiers.TierCard], cfg: seg.Config) -> None:
    for column, card in zip(st.columns(len(cards)), cards, strict=True):
        with column, st.container(border=True, key=f"tier_card_{cards.index(card)}"):
            st.html(strip(tier_colour(cfg.tier_names, card.name)))
            st.metric(
                fmt.plain_label(card.name),
                fmt.count(card.accounts),
                delta=fmt.delta(card.change),
                delta_color="off",
                delta_arrow="off" if card.change == 0 else "auto",
                help=fmt.plain(card.engagement) if card.engagement else None,
            )
            st.caption(
                f"**{fmt.money(card.arr)}** ARR · {fmt.share(card.share_of_arr)} of ARR · "
                f"{fmt.share(card.share_of_accounts)} of accounts"
            )


def draw_coverage(result, cfg: seg.Config) -> None:
    cover = tiers.csm_coverage(result, cfg)
    csms = f"{cover.csms} CSM{'s' if cover.csms != 1 else ''}"
    with st.container(key="coverage_banner"):
        st.text(
            f"Coverage: {cover.tier} holds {fmt.money(cover.arr)} ARR → {csms} at one per "
            f"{fmt.money(cover.arr_per_csm)} ({cover.exact:.1f}, rounded up to whole people)"
        )


def draw_current_tier(result, cfg: seg.Config) -> None:
    """The book's own current tier against the new one: who changes coverage model (the
    numbers in the expander's label; the matrices written only while it is open)."""
    current = state.panel_memo(
        "current_tiers", cfg.tier_names, lambda: movement.current_tiers(result, cfg.tier_names)
    )
    if current is None:
        return
    view = state.panel_memo(
        "current_tier",
        (state.rows_key(result), cfg.tier_names),
        lambda: movement.current_tier_view(result, current),
    )
    moves = view.totals
    comparison = st.expander(
        f"Against the book's current tier: {fmt.accounts(moves.moved)} change coverage model",
        icon=":material/compare_arrows:",
        key="current_tier_open",
        on_change="rerun",
    )
    if not comparison.open:  # written only while open, like the criteria
        return
    with comparison:
        unknown = f" {fmt.accounts(view.unknown)} have no known current tier." * bool(view.unknown)
        st.text(
            f"{fmt.accounts(moves.moved)} of {fmt.count(view.compared)} change coverage model "
            f"({moves.up} to more touch, {moves.down} to less), holding "
            f"{fmt.money(moves.arr_moved)} ARR.{unknown}"
        )
        if moves.moved == 0:
            return
        left, right = st.columns(2)
        left.caption("Accounts by current tier (rows) and new tier (columns)")
        left.dataframe(
            view.matrix,
            width="stretch",
            column_config=tables.movement_matrix_config(list(view.matrix.columns)),
        )
        right.caption("ARR by current tier (rows) and new tier (columns)")
        right.dataframe(
            view.arr_matrix,
            width="stretch",
            column_config={c: tables.money_column(c) for c in view.arr_matrix.columns},
        )


def draw_capacity(result, cfg: seg.Config) -> None:
    st.subheader("Capacity", anchor=False)
    capacity_panel.capacity_table(capacity.capacity_view(result, cfg))
    capacity_panel.fit_buttons()
    capacity_panel.fit_message()
    capacity_panel.shadow_prices(result, cfg)


def priority_key(result: pd.DataFrame) -> str:
    return state.fingerprint(result["priority"].to_numpy(dtype="float64", na_value=np.nan))


QUADRANT_READS = ("tier", "priority", "quadrant", "arr", "account_name", "account_id")


def quadrant_panel(result, cfg: seg.Config) -> tuple[quadrant.QuadrantView, dict]:
    # The columns the view reads, taken first: its sample then copies a few, not the book's all.
    reads = [*QUADRANT_READS, *SCORE_COLUMNS, cfg.quadrant.x, cfg.quadrant.y]
    view = quadrant.quadrant_view(result[[c for c in dict.fromkeys(reads) if c in result]], cfg)
    return view, charts.quadrant_spec(view.points, view.cells, cfg, view.x_domain, view.y_domain)


def chart(spec: dict) -> None:
    """A memoised spec drawn (Streamlit takes the datasets out of the dict it is given)."""
    st.vega_lite_chart(spec={**spec, "datasets": dict(spec["datasets"])}, width="stretch")


def draw_quadrant(result, cfg: seg.Config) -> None:
    # The points follow the tiers, the priorities (tooltips) and the pillars' scores (axes).
    key = (state.rows_key(result), priority_key(result), cfg.pillars, cfg.profiles, cfg.quadrant)
    view, spec = state.panel_memo("quadrant", key, lambda: quadrant_panel(result, cfg))
    chart(spec)
    notes = [view.sample.words(cfg.tiers[0].name)]
    if view.cells.attrs["unplaced"]:
        notes.append(f"{fmt.accounts(view.cells.attrs['unplaced'])} lack a value on an axis.")
    notes.append("Point size: ARR.")
    st.caption(fmt.plain(" ".join(notes)))


def draw_histogram(result, cfg: seg.Config) -> None:
    st.markdown("**Priority distribution**")
    spec = state.panel_memo(
        "histogram",
        (state.rows_key(result), priority_key(result), cfg.tiers),
        lambda: charts.histogram_spec(histogram.priority_histogram(result, cfg), cfg),
    )
    chart(spec)
    st.caption("Accounts per 2 priority points, coloured by tier; dashed lines are the cut-offs.")


def movement_numbers(result, baseline: pd.Categorical) -> tuple[movement.Movement, pd.DataFrame]:
    """The totals and the from/to matrix (the list of movers is ui/movement.py's)."""
    moves = movement.movement_totals(result, baseline)
    if moves.moved == 0:
        return moves, pd.DataFrame()
    return moves, movement.movement_matrix(baseline, result["tier"].array)


def draw_movement(result, baseline: pd.Categorical) -> None:
    moves, matrix = state.panel_memo(
        "who_moved",
        (state.rows_key(result), state.rows_key(baseline)),
        lambda: movement_numbers(result, baseline),
    )
    st.subheader("Who moved", anchor=False)
    st.caption(fmt.plain(f"Against {state.baseline_label()}."))
    if moves.moved == 0:
        st.info("No account changes tier against the baseline.", icon=":material/check:")
        return
    st.markdown(
        f"**{fmt.accounts(moves.moved)}** change tier ({moves.up} up, {moves.down} down), "
        f"holding **{fmt.money(moves.arr_moved)}** ARR."
    )
    st.caption("Accounts by baseline tier (rows) and tier now (columns)")
    st.dataframe(
        matrix,
        width="content",
        column_config=tables.movement_matrix_config(list(matrix.columns)),
    )
    movement_panel.who_moved_list(result, baseline)  # every mover, filtered


def draw_toolbar(cfg: seg.Config) -> tuple[bool, str | None]:
    """The row above the cards: the editors, presentation mode and save settings; whether
    presenting, and the editor to open. Other tools (undo/redo, profile) add theirs here."""
    with st.container(horizontal=True, key="workshop_toolbar", vertical_alignment="bottom"):
        presenting = components.presentation_toggle()
        editor = None if presenting else editors.editor_picker()
        tables.save_settings_button(
            cfg,
            state.parse_hints(),
            "workshop_save_settings",
            help="Download these settings as a file: load it next quarter, or run the CLI on it.",
        )
    return presenting, editor


def draw_views(result, baseline, cfg: seg.Config, quad_col, hist_col, movement_box) -> None:
    with quad_col, timing.timed("quadrant"):
        draw_quadrant(result, cfg)
    with hist_col, timing.timed("histogram"):
        draw_histogram(result, cfg)
    with movement_box, timing.timed("who moved"):
        draw_movement(result, baseline)


def presentation(cfg: seg.Config) -> None:
    """For the room: no controls, large cards, the chart and the movers."""
    st.html(PRESENTATION_CSS)
    result, baseline = profiles_ui.scoped(state.result(), state.baseline_tiers())
    with st.container(key="presentation"):
        draw_tier_cards(tier_card_numbers(result, cfg, baseline), cfg)
        draw_coverage(result, cfg)
        quad_col, hist_col = st.columns(2, gap="medium")
        with quad_col:
            st.markdown("**Quadrant**")
        draw_views(result, baseline, cfg, quad_col, hist_col, st.container())


@dataclass
class Layout:
    """The Workshop's places, each made before anything is drawn in it: what is drawn first (the
    counts) need not be what sits first on the page. The views' places under the cards are
    made by `make_views`, after the cards when the counts go first."""

    panel: DeltaGenerator  # the editor opened from the toolbar, full width
    controls: DeltaGenerator
    views: DeltaGenerator
    cards: DeltaGenerator


@dataclass
class Views:
    """The places under the tier cards, top down."""

    coverage: DeltaGenerator
    current: DeltaGenerator
    capacity_box: DeltaGenerator
    capacity_inputs: DeltaGenerator
    quad_col: DeltaGenerator
    hist_col: DeltaGenerator
    movement_box: DeltaGenerator


def make_layout() -> Layout:
    panel = st.container()
    controls, views = st.columns([1, 3], gap="medium")
    return Layout(panel, controls, views, views.container())


def make_views(places: Layout) -> Views:
    with places.views:
        coverage, current = st.container(), st.container()
        capacity_box, capacity_inputs = st.container(border=True), st.container()
        quad_col, hist_col = st.columns(2, gap="medium")
        movement_box = st.container()
    return Views(coverage, current, capacity_box, capacity_inputs, quad_col, hist_col, movement_box)


@dataclass(frozen=True)
class Counted:
    """What the counts are drawn from, all worked out before any of them is drawn."""

    book_result: pd.DataFrame
    result: pd.DataFrame  # what the cards and charts count: the book, or the edited profile's
    baseline: Any  # the baseline's tiers of those accounts
    cards: list[tiers.TierCard]


def count(cfg: seg.Config) -> Counted:
    """Stage 2 under the session's settings and the tier cards' numbers."""
    with timing.timed("stage 2"):
        book_result = state.result()
        result, baseline = profiles_ui.scoped(book_result, state.baseline_tiers())
    with timing.timed("card numbers"):
        cards = tier_card_numbers(result, cfg, baseline)
    return Counted(book_result, result, baseline, cards)


def draw_counts(places: Layout, cfg: seg.Config, counted: Counted) -> None:
    """The tier cards: the numbers the room waits for."""
    with places.cards, timing.timed("cards"):
        draw_tier_cards(counted.cards, cfg)
        cal_ui.draw_live(cal_ui.live_view(counted.book_result))  # an outcome marked (Calibration)


def arr_and_split() -> tuple[Any, float]:
    """The book's ARR and its median (the quadrant's ARR split to start from)."""
    return book.arr_values(state.accounts()), quadrant.default_split(state.accounts(), "arr")


def draw_settings(places: Layout, views: Views, cfg: seg.Config, editor: str | None) -> seg.Config:
    """The quadrant controls, the control panel (and its editor), the coverage-model inputs;
    the settings they show, made the session's."""
    with views.quad_col, timing.timed("quadrant controls"):
        st.markdown("**Quadrant**")
        arr, split = state.panel_memo("arr_split", None, arr_and_split)
        controls_quadrant = components.quadrant_controls(cfg, arr, split)
    with (
        places.controls,
        st.container(border=True, key="workshop_controls"),
        timing.timed("controls"),
    ):
        new_cfg = draw_controls(cfg, controls_quadrant, places.panel, editor)
    with views.capacity_inputs, timing.timed("capacity inputs"):
        new_cfg = capacity_panel.capacity_settings(new_cfg)
    state.set_config(new_cfg)
    return new_cfg


@st.fragment
def workshop() -> None:
    """Controls and views redraw together on a slider move; the rest of the page does not.

    After a weight or cut-off slider's move (its callback ran, the new value is in the session)
    stage 2 runs before anything is drawn, then the toolbar, the cards' places and the cards
    follow at once, before any control or view: their messages leave the server together,
    ahead of the rest, and a short pause (`components.let_counts_out`) lets the browser draw
    them in a batch of their own. Any other change draws the controls first, which say what
    the settings are.
    """
    timing.start_run()
    moved = components.slider_moved()
    with timing.timed("profile selector"):
        cfg = profiles_ui.profile_selector()  # the default settings, or one profile's
    if moved:
        counted_cfg = components.slider_config(cfg)
        state.set_config(counted_cfg)
        counted = count(counted_cfg)
    with timing.timed("toolbar"):
        presenting, editor = draw_toolbar(cfg)
    if presenting:
        presentation(cfg)
        persistence.remember()
        return
    places = make_layout()
    if moved:
        draw_counts(places, counted_cfg, counted)
        with timing.timed("counts alone"):
            components.let_counts_out()  # the browser draws the cards before the rest arrives
    views = make_views(places)
    new_cfg = draw_settings(places, views, cfg, editor)
    if not moved:
        counted = count(new_cfg)
        draw_counts(places, new_cfg, counted)
    elif new_cfg != counted_cfg:  # another control changed too: count again, controls first
        st.rerun(scope="fragment")
    with timing.timed("settings kept"):
        persistence.remember()
        history.undo_redo_bar(places.controls)  # issue 14: undo / redo, after this run's change
    if state.pinned_note():  # until a cut-off slider moves
        with places.controls:
            st.caption(fmt.plain(state.pinned_note() + " Move a cut-off slider to set your own."))
    draw_panels(views, counted.book_result, counted.result, counted.baseline, new_cfg)


def draw_panels(places: Views, book_result, result, baseline, cfg: seg.Config) -> None:
    """Everything under the cards, each panel from its memo when its inputs did not change."""
    with places.coverage, timing.timed("coverage"):
        draw_coverage(result, cfg)
    with places.current, timing.timed("current tier"):
        draw_current_tier(book_result, cfg)
    with places.capacity_box, timing.timed("capacity"):
        draw_capacity(book_result, cfg)
    draw_views(result, baseline, cfg, places.quad_col, places.hist_col, places.movement_box)
    with places.movement_box, timing.timed("borderline"):
        scenarios_ui.borderline_panel(book_result, cfg)  # issue 14: tier confidence
    with timing.timed("criteria"):
        draw_criteria(cfg)


def draw_criteria(cfg: seg.Config) -> None:
    """The settings in words, written only while the expander is open (opening it reruns the
    Workshop): a slider move does not send them to the browser while nobody reads them."""
    criteria = st.expander(
        "The criteria in plain words",
        icon=":material/description:",
        key="criteria_open",
        on_change="rerun",
    )
    if not criteria.open:
        return
    with criteria:
        for line in seg.describe_config(cfg):
            st.text(line)
        for line in learned_order_words(state.metric_scores(cfg)):
            st.caption(fmt.plain(line))


st.caption(fmt.plain(f"{state.source()} · {fmt.accounts(len(state.accounts()))}"))
# What the book cannot feed, and how the cut-offs were set: said before the numbers.
for problem in seg.book_warnings(state.metric_scores(), state.config()):
    st.warning(fmt.plain(problem[0].upper() + problem[1:] + "."), icon=":material/warning:")
workshop()
