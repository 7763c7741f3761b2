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
    if PagesManager.uses_pages_directory and not config.get_option("global.appTest"):
        PagesManager.uses_pages_directory = False
        st.rerun()


def sidebar_status(slot: Any) -> None:
    """What the session holds, in the sidebar's placeholder `slot` (an `st.empty()`)."""
    if state.has_data():
        slot.success(
            f"{state.source()}\n\n{fmt.accounts(len(state.accounts()))}",
            icon=":material/description:",
        )
    else:
        slot.info("No accounts loaded yet.", icon=":material/description:")
