"""Segments: profiles (groups of accounts scored with their own settings), the ideal customer
profile, tiers by profile, and the layered view (market fit, then growth, then health)."""

import streamlit as st

import segmentation as seg
from segmentation.views.layers import layered_view
from ui import format as fmt
from ui import profiles, state
from ui.shell import ensure_router, require_book

ensure_router()
st.header("Segments", anchor=False)

require_book("Then come back here to give segments of the book their own settings.")

cfg = state.config()
accounts = state.accounts()

left, right = st.columns([1, 1.4], gap="large")
with left:
    st.subheader("Profiles", anchor=False)
    listing = st.container()  # drawn after the editors, which may change the settings
    with st.expander("Define or change a profile", icon=":material/edit:"):
        profiles.profile_editor(cfg, accounts)
    st.subheader("Ideal customer profile", anchor=False)
    with st.expander("Define the ICP", icon=":material/target:"):
        profiles.icp_editor(cfg, accounts)

cfg = state.config()  # an editor may have just changed the settings
result = state.result()
with listing:
    profiles.profiles_table(cfg)
with right:
    st.subheader("Tiers by profile", anchor=False)
    profiles.tiers_by_profile_table(result)
    st.subheader("Market fit → growth → health", anchor=False)
    view = layered_view(result, cfg)
    for note in view.notes:
        st.caption(fmt.plain(note[0].upper() + note[1:] + "."))
    st.vega_lite_chart(spec=profiles.layers_spec(view.levels), width="stretch")
    profiles.levels_table(view.levels)

with st.expander("The criteria in plain words", icon=":material/description:"):
    for line in seg.describe_config(cfg):
        st.text(line)
