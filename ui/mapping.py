"""The Data page's check of the ARR column: a sum no SaaS book has asks a person to confirm."""

from __future__ import annotations

from typing import Any

import streamlit as st

import segmentation as seg
from segmentation.loading.mapping import implausible_arr
from ui import format as fmt
from ui import state

CONFIRMED = "tw_arr_confirmed"  # (source, header) a person said is ARR after the warning


def arr_column_check(book: Any) -> None:
    """Ask, when the column read as ARR looks like company revenue: keep it, or read it as
    company revenue (ARR then unmapped). Said once per book and header."""
    problem = implausible_arr(book.accounts, book.mapping)
    header = book.mapping.get("arr")
    if problem is None or st.session_state.get(CONFIRMED) == (state.source(), header):
        return
    st.warning(fmt.plain(problem[0].upper() + problem[1:] + "."), icon=":material/warning:")
    keep, move = st.columns(2)
    if keep.button("It is ARR: keep it", key="keep_arr_column", width="stretch"):
        st.session_state[CONFIRMED] = (state.source(), header)
        st.rerun()
    if header is not None and move.button(
        "Read it as company revenue", key="arr_is_revenue", type="primary", width="stretch"
    ):
        revenue = book.mapping.get("company_revenue") or header
        try:
            state.remap({**book.mapping, "arr": None, "company_revenue": revenue})
        except seg.InputError as exc:
            st.error(fmt.plain(exc), icon=":material/error:")
        else:
            st.rerun()
