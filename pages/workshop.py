"""Workshop: the room's main screen. Move the weights and cut-offs; everything follows at once."""

import streamlit as st

import segmentation as seg
from segmentation import movement
from segmentation.rules.metrics import learned_order_words
from segmentation.views import book, capacity, histogram, quadrant, tiers
from ui import calibration as cal_ui
from ui import capacity as capacity_panel
from ui import charts, components, state, tables
from ui import format as fmt
from ui import profiles as profiles_ui
from ui.shell import ensure_router, require_book
from ui.theme import strip, tier_colour

ensure_router()
st.header("Workshop", anchor=False)

require_book("Then come back here to weigh the pillars and cut the tiers.")


def draw_controls(cfg: seg.Config, quadrant_settings: seg.config.Quadrant) -> seg.Config:
    """The control panel; returns the settings it shows (or the last valid ones)."""
    shares = components.weight_shares_now(cfg)
    st.markdown("**Pillar weights**")
    weights = {p.key: components.weight_slider(p, shares[p.key]) for p in cfg.pillars}
    st.caption(
        "Share of priority: "
        + " · ".join(f"{p.label.split()[0]} {fmt.share(shares[p.key])}" for p in cfg.pillars)
    )
    st.markdown("**Tier cut-offs**")
    thresholds, crossed = components.checked_thresholds(cfg, components.threshold_sliders(cfg))
    if crossed:
        st.warning(crossed, icon=":material/warning:")
    components.baseline_buttons()
    effects = {p.key: p.effect for p in cfg.pillars}
    metrics = {p.key: p.metrics for p in cfg.pillars}
    open_pillar = components.pillar_picker(cfg)
    if open_pillar is not None:
        effects[open_pillar], metrics[open_pillar] = components.pillar_editor(
            cfg.pillar(open_pillar)
        )
    with st.expander("Coverage rule"):
        arr_per_csm = components.arr_per_csm_input(cfg)
    try:
        return components.build_config(
            cfg, weights, effects, metrics, thresholds, quadrant_settings, arr_per_csm
        )
    except seg.ConfigError as exc:
        st.error(f"These settings cannot be used: {exc}", icon=":material/error:")
        return cfg


def draw_tier_cards(result, cfg: seg.Config) -> None:
    cards = tiers.tier_cards(result, cfg, state.baseline_tiers())
    for column, card in zip(st.columns(len(cards)), cards, strict=True):
        with column, st.container(border=True):
            st.html(strip(tier_colour(cfg.tier_names, card.name)))
            st.metric(
                card.name,
                fmt.count(card.accounts),
                delta=fmt.delta(card.change),
                delta_color="off",
                delta_arrow="off" if card.change == 0 else "auto",
                help=card.engagement or None,
            )
            st.caption(
                f"**{fmt.money(card.arr)}** ARR · {fmt.share(card.share_of_arr)} of ARR · "
                f"{fmt.share(card.share_of_accounts)} of accounts"
            )


def draw_coverage(result, cfg: seg.Config) -> None:
    cover = tiers.csm_coverage(result, cfg)
    st.html(
        f'<div class="tw-coverage">Coverage: <b>{cover.tier}</b> holds '
        f"<b>{fmt.money(cover.arr)}</b> "
        f"ARR → <b>{cover.csms} CSM{'s' if cover.csms != 1 else ''}</b> at one per "
        f"{fmt.money(cover.arr_per_csm)} ({cover.exact:.1f} exact)</div>"
    )


def draw_capacity(result, cfg: seg.Config) -> None:
    st.subheader("Capacity", anchor=False)
    capacity_panel.capacity_table(capacity.capacity_view(result, cfg))
    capacity_panel.fit_buttons()
    capacity_panel.fit_message()
    capacity_panel.shadow_prices(result, cfg)


def draw_quadrant(result, cfg: seg.Config) -> None:
    view = quadrant.quadrant_view(result, cfg)
    spec = charts.quadrant_spec(view.points, view.cells, cfg, view.x_domain, view.y_domain)
    st.vega_lite_chart(spec=spec, width="stretch")
    sample, notes = view.sample, []
    if sample.sampled:
        notes.append(
            f"Showing a sample of {fmt.count(sample.shown)} of {fmt.count(sample.total)} "
            f"accounts ({fmt.count(sample.top_shown)} of {fmt.count(sample.top_total)} "
            f"{cfg.tiers[0].name}); counts and ARR in the corners are exact."
        )
    if view.cells.attrs["unplaced"]:
        notes.append(f"{fmt.accounts(view.cells.attrs['unplaced'])} lack a value on an axis.")
    notes.append("Point size: ARR.")
    st.caption(" ".join(notes))


def draw_histogram(result, cfg: seg.Config) -> None:
    st.markdown("**Priority distribution**")
    bins = histogram.priority_histogram(result, cfg)
    st.vega_lite_chart(spec=charts.histogram_spec(bins, cfg), width="stretch")
    st.caption("Accounts per 2 priority points, coloured by tier; dashed lines are the cut-offs.")


def draw_movement(result) -> None:
    view = movement.movement_view(result, state.baseline_tiers())
    moves = view.totals
    st.subheader("Who moved", anchor=False)
    st.caption(f"Against {state.baseline_label()}.")
    if moves.moved == 0:
        st.info("No account changes tier against the baseline.", icon=":material/check:")
        return
    st.markdown(
        f"**{fmt.accounts(moves.moved)}** change tier ({moves.up} up, {moves.down} down), "
        f"holding **{fmt.money(moves.arr_moved)}** ARR."
    )
    st.caption("Accounts by baseline tier (rows) and tier now (columns)")
    st.dataframe(
        view.matrix,
        width="content",
        column_config=tables.movement_matrix_config(list(view.matrix.columns)),
    )
    st.caption(f"The {len(view.moved)} largest by ARR")
    st.dataframe(
        view.moved,
        hide_index=True,
        width="stretch",
        column_config=tables.moved_column_config(list(view.moved.columns)),
    )


@st.fragment
def workshop() -> None:
    """Controls and views redraw together on a slider move; the rest of the page does not."""
    cfg = profiles_ui.profile_selector()  # the default settings, or one profile's
    controls, views = st.columns([1, 3.3], gap="large")
    with views:
        cards = st.container()
        coverage = st.container()
        capacity_box, capacity_inputs = st.container(border=True), st.container()
        quad_col, hist_col = st.columns(2, gap="medium")
        movement = st.container()
    with quad_col:
        st.markdown("**Quadrant**")
        arr = book.arr_values(state.accounts())
        controls_quadrant = components.quadrant_controls(
            cfg, arr, quadrant.default_split(state.accounts(), "arr")
        )
    with controls, st.container(border=True):
        new_cfg = draw_controls(cfg, controls_quadrant)
    with capacity_inputs:
        new_cfg = capacity_panel.capacity_settings(new_cfg)
    state.set_config(new_cfg)
    if state.pinned_note():  # until a cut-off slider moves
        with controls:
            st.caption(fmt.plain(state.pinned_note() + " Move a cut-off slider to set your own."))
    result = state.result()
    with cards:
        draw_tier_cards(result, new_cfg)
        cal_ui.draw_live(cal_ui.live_view(result))  # when an outcome is marked (Calibration)
    with coverage:
        draw_coverage(result, new_cfg)
    with capacity_box:
        draw_capacity(result, new_cfg)
    with quad_col:
        draw_quadrant(result, new_cfg)
    with hist_col:
        draw_histogram(result, new_cfg)
    with movement:
        draw_movement(result)
    with st.expander("The criteria in plain words", icon=":material/description:"):
        st.markdown("\n".join(seg.describe_config(new_cfg)))
        for line in learned_order_words(state.metric_scores(new_cfg)):
            st.caption(fmt.plain(line))


st.caption(f"{state.source()} · {fmt.accounts(len(state.accounts()))}")
# What the book cannot feed, and how the cut-offs were set: said before the numbers.
for problem in seg.book_warnings(state.metric_scores(), state.config()):
    st.warning(fmt.plain(problem[0].upper() + problem[1:] + "."), icon=":material/warning:")
workshop()
