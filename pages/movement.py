"""Movement: today's tiers against earlier snapshots, under the movement rules; why each moved."""

import streamlit as st

from segmentation import movement
from ui import charts, state, tables
from ui import format as fmt
from ui import movement as panel
from ui.shell import ensure_router, require_book

ensure_router()
st.header("Movement", anchor=False)

require_book("Then come back here to compare it with an earlier snapshot.")
if not panel.snapshots():
    st.info(
        "Add an earlier snapshot on the Data page (last quarter's Tierwise export, or an earlier "
        "raw export) to see which accounts move between tiers, and why.",
        icon=":material/info:",
    )
    st.page_link("pages/data.py", label="Go to Data", icon=":material/upload_file:")
    st.stop()

# --- the rules ------------------------------------------------------------------------------
with st.container(border=True):
    st.markdown("**Movement rules**")
    cfg = panel.rules_controls(state.config())
    state.set_config(cfg)
view = panel.panel(cfg)
if cfg.movement.active and "previous_tier" in state.accounts():
    st.caption(
        "The Workshop and the Accounts page apply these rules against the book's own "
        "previous-tier column; this page against the snapshot."
    )
source = "its own tiers" if view.own_tiers else "its tiers scored with the current settings"
previous = fmt.plain(view.previous)
st.caption(f"Today's {fmt.accounts(len(view.result))} against {previous} ({source}).")
if view.settings_changes:
    with st.expander(f"The settings changed since {previous}", icon=":material/tune:"):
        st.text("\n".join(view.settings_changes))
elif view.settings_changes is not None:
    st.caption(f"{previous} was made with the same criteria as today's settings.")

totals = view.totals
up, down, held = st.columns(3)  # two rows of cards: each label and number in full at 1024 px
new, arr_moved, _ = st.columns(3)
up.metric("Moved up", fmt.count(totals["up"]))
down.metric("Moved down", fmt.count(totals["down"]))
held.metric("Held by the rules", fmt.count(totals["held"]))
new.metric("New accounts", fmt.count(totals["new"]))
arr_moved.metric("ARR that moved", fmt.money(view.arr_moved))

# --- matrix and flow ------------------------------------------------------------------------
matrix_col, flow_col = st.columns([1, 1.2], gap="large")
with matrix_col:
    st.markdown("**Accounts** (previous tier in rows, tier now in columns)")
    st.dataframe(view.counts, width="stretch")
    st.markdown("**ARR**")
    st.dataframe(view.arr.map(fmt.money), width="stretch")
with flow_col:
    st.markdown("**Flow between the snapshots**")
    st.altair_chart(charts.movement_flow_chart(view.flows, cfg.tier_names), width="stretch")

# --- movers ---------------------------------------------------------------------------------
st.subheader("Who moved, and who was held, largest ARR first", anchor=False)
chosen = panel.movers_filters(view)
rows = movement.filter_movers(view.movers, **chosen)
st.caption(
    f"{fmt.accounts(len(rows))} of {fmt.count(len(view.movers))} that moved or were held. "
    "'Moved by': the "
    "account's data, or the settings (its old data under today's settings already gives the "
    "new tier)."
)
st.dataframe(
    rows,  # every mover: the filters above narrow it
    hide_index=True,
    width="stretch",
    column_config=panel.movers_column_config(rows),
    placeholder=tables.EMPTY,
)
st.download_button(
    "Movers as CSV",
    data=panel.movers_export(rows),
    file_name="tierwise-movers.csv",
    mime="text/csv",
    key="download_movers",
    icon=":material/download:",
    on_click="ignore",
)

# --- replay ---------------------------------------------------------------------------------
if view.replay is not None and len(view.replay):
    st.subheader("Replay: book churn per period", anchor=False)
    st.caption(
        "Every snapshot scored with today's settings: the share of the accounts in both "
        "snapshots, and of their ARR, that change tier without movement rules and with the "
        "rules above. Pick a margin knowingly."
    )
    st.dataframe(
        view.replay,
        hide_index=True,
        width="stretch",
        column_config=panel.replay_column_config(),
    )
