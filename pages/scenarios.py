"""Scenarios: the room's proposals kept by name, compared side by side, applied in one click."""

import streamlit as st

from ui import scenarios as panel
from ui import state
from ui.shell import ensure_router, require_book

ensure_router()
st.header("Scenarios", anchor=False)

require_book("Then come back here to keep and compare the room's proposals.")
panel.show_message()
cfg = state.config()
with st.container(border=True):
    st.markdown("**Keep the current settings**")
    panel.save_form(cfg)
    panel.scenario_actions(cfg)
st.caption("Scenarios travel in the settings file (Accounts page: Save settings / Load settings).")

st.subheader("Compare", anchor=False)
names = panel.compare_picker(cfg)
if len(names) < 2:
    st.info("Choose two to four scenarios to compare them side by side.", icon=":material/info:")
    st.stop()
panel.draw_comparison(panel.comparison(cfg, names))
