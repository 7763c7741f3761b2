"""What every page runs first."""

from __future__ import annotations

from typing import Any

import streamlit as st

from ui import format as fmt
from ui import state


def ensure_router() -> None:
    """Hand a deep link over to app.py's navigation.

    Until some session has run app.py (which calls st.navigation), Streamlit takes a folder
    named `pages/` for an old-style multipage app: a first visit to /workshop after the
    server starts would run the page alone, without app.py's page config, session defaults
    and `--sample` preload. Switching that mode off and rerunning lets app.py route it.
    """
    try:
        from streamlit import config
        from streamlit.runtime.pages_manager import PagesManager
    except ImportError:  # pragma: no cover - a Streamlit without the old pages mode
        return
    # AppTest resets the mode before every run and then runs the requested page alone;
    # a rerun there would drop the widget event under test, so leave AppTest's routing be.
    if config.get_option("global.appTest"):
        return
    # `uses_pages_directory` is a class attribute, shared by every session of the server.
    # Flipping it is safe: this app always routes through app.py's st.navigation (which
    # turns the mode off itself), so the only change ever made is the one every session
    # wants - legacy mode off - and making it again is a no-op. A Streamlit without the
    # attribute has no legacy mode to switch off: skip it.
    try:
        legacy = PagesManager.uses_pages_directory
    except AttributeError:
        return
    if legacy:
        PagesManager.uses_pages_directory = False
        st.rerun()


def sidebar_status(slot: Any) -> None:
    """What the session holds, in the sidebar's placeholder `slot` (an `st.empty()`)."""
    if state.has_data():
        slot.success(
            f"{fmt.plain(state.source())}\n\n{fmt.accounts(len(state.accounts()))}",
            icon=":material/description:",
        )
    else:
        slot.info("No accounts loaded yet.", icon=":material/description:")


def require_book(then: str) -> None:
    """A page's guard clause: with no book loaded, say where to get one (and what `then`) and
    stop the page here."""
    if state.has_data():
        return
    st.info(
        "Load a book of accounts first: upload your export or use the sample book on the "
        f"Data page. {then}",
        icon=":material/info:",
    )
    st.page_link("pages/data.py", label="Go to Data", icon=":material/upload_file:")
    st.stop()
