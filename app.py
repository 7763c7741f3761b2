"""Tierwise: the Streamlit app's router. Page config, navigation and session defaults.

streamlit run app.py                 # start empty: upload a book on the Data page
streamlit run app.py -- --sample     # start on the bundled sample book (or TIERWISE_SAMPLE=1)
"""

from pathlib import Path

import streamlit as st

from ui import persistence, shell, state, uploads
from ui.theme import CSS

uploads.keep_uploads_in_memory()
st.set_page_config(
    page_title="Tierwise",
    page_icon=str(Path(__file__).with_name("ui") / "icon.png"),  # local: no font CDN
    layout="wide",
    initial_sidebar_state="expanded",
)
state.init_session()
persistence.restore()  # after a refresh: the settings, baseline, view and (if held) the book
state.preload_sample_if_asked()
st.html(CSS)

pages = [
    st.Page("pages/data.py", title="Data", icon=":material/upload_file:", default=True),
    st.Page("pages/workshop.py", title="Workshop", icon=":material/tune:"),
    st.Page("pages/accounts.py", title="Accounts", icon=":material/table_view:"),
    st.Page("pages/movement.py", title="Movement", icon=":material/swap_vert:"),
    st.Page("pages/calibration.py", title="Calibration", icon=":material/fact_check:"),
    st.Page("pages/scenarios.py", title="Scenarios", icon=":material/compare_arrows:"),
    st.Page("pages/segments.py", title="Segments", icon=":material/layers:"),
]
navigation = st.navigation(pages)

with st.sidebar:
    st.title("Tierwise")
    st.caption("Customer segmentation workshop")
    status = st.empty()
# Drawn before the page (which may stop early) and again after it (which may have just
# loaded a book), so the sidebar never lags behind the page.
shell.sidebar_status(status)
persistence.restore_note()
navigation.run()
shell.sidebar_status(status)
persistence.remember()  # what a refresh needs, in the address
