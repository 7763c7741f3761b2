"""Calibration: do the tiers and the priority go with what actually happened?"""

import streamlit as st

from segmentation.config import SCORE_COLUMNS
from ui import calibration as cal_ui
from ui import format as fmt
from ui import state
from ui.shell import ensure_router, require_book

ensure_router()
st.header("Calibration", anchor=False)

require_book("Then come back here to check the tiers against an outcome.")

st.caption(
    "Mark what happened to each account (churned, renewed, a churn date, next-period ARR) "
    "and see whether the tiers and the priority go with it."
)
cfg = state.config()
labels = {"priority": "Priority"} | {
    column: p.label for column, p in zip(SCORE_COLUMNS, cfg.pillars, strict=True)
}

with st.container(border=True):
    source = cal_ui.source_radio()
    table, file_id, file_name = None, None, "the outcomes file"
    if source == cal_ui.SOURCE_BOOK:
        book = state.book()
        mapping = book.mapping if book is not None else {}
        column = cal_ui.column_select(
            "Outcome column", cal_ui.book_columns(state.accounts(), mapping), "outcome_column"
        )
    else:
        uploaded = cal_ui.outcomes_uploader()
        column, earlier = None, None
        if uploaded is not None:
            table, error = cal_ui.load_outcomes(uploaded)
            if error:
                st.error(fmt.plain(error), icon=":material/error:")
            else:
                file_id, file_name = uploaded.file_id, uploaded.name
        elif earlier := cal_ui.earlier_outcomes():
            table, file_id, file_name = earlier
            st.text(f"Using {file_name}, uploaded earlier in this session.")
        if file_id is not None:
            column = cal_ui.column_select(
                "Outcome column of that file", cal_ui.file_columns(table), "outcomes_column"
            )
    window_days, number_event = cal_ui.outcome_options()

if column is None:
    cal_ui.forget_outcome()
    st.info("Choose the outcome column to see the calibration.", icon=":material/info:")
    st.stop()
if source == cal_ui.SOURCE_BOOK:
    problem = cal_ui.mark_outcome(column)
    if problem:
        st.error(fmt.plain(problem), icon=":material/error:")
        st.stop()

request = cal_ui.Request(column, window_days, number_event, table, file_id, file_name)
with st.spinner("Checking the segmentation against the outcome…"):
    found = cal_ui.run(request)
if isinstance(found, str):
    st.error(fmt.plain(found), icon=":material/error:")
    st.stop()

st.subheader(fmt.plain(found.outcome.label), anchor=False)
st.markdown(
    f"**{fmt.count(found.with_outcome)}** of **{fmt.accounts(found.accounts)}** have the "
    f"outcome: **{fmt.share(found.rate)}** of the book."
)
for note in found.notes:
    st.text(note)
if found.without_outcome:
    st.text(f"{fmt.accounts(found.without_outcome)} have no known outcome and are left out.")
if found.nrr is not None:
    st.text(f"Net revenue retention of these accounts: {fmt.share(found.nrr)}.")
if not found.signal:
    st.warning(fmt.plain(found.no_signal_message), icon=":material/warning:")

st.subheader("By tier", anchor=False)
st.dataframe(
    cal_ui.group_view(found.tiers, "tier"),
    hide_index=True,
    column_config=cal_ui.group_config("tier"),
)
st.subheader("By quadrant cell", anchor=False)
st.dataframe(
    cal_ui.group_view(found.quadrants, "quadrant"),
    hide_index=True,
    column_config=cal_ui.group_config("quadrant"),
)

st.subheader("Outcome rate by decile", anchor=False)
st.altair_chart(cal_ui.decile_chart(cal_ui.decile_frame(found, labels), found.rate))
st.caption("Dashed line: the book's rate. In brackets: whether the rate rises or falls steadily.")

st.subheader("ROC AUC", anchor=False)
st.caption(
    "0.5 = no signal; above 0.5, higher values go with the outcome; below, lower values do. "
    "95% intervals by DeLong's method."
)
st.dataframe(cal_ui.auc_rows(found, labels), hide_index=True, column_config=cal_ui.auc_config())

st.subheader("Suggested weights", anchor=False)
proposal = found.proposal
if proposal is None or proposal.config is None:
    st.info("The fit found no weights that go with the outcome.", icon=":material/info:")
else:
    st.markdown(
        f"Priority AUC with the suggested weights: **{proposal.in_sample.value:.3f}** in "
        f"sample, **{proposal.out_of_sample:.3f}** out of sample; with the current settings "
        f"**{proposal.in_sample_current.value:.3f}** and "
        f"**{proposal.out_of_sample_current:.3f}**."
    )
    st.caption(fmt.plain(f"Validated by {proposal.validation}. Pillar effects are kept."))
    st.dataframe(cal_ui.weights_view(proposal), hide_index=True)
    cal_ui.apply_buttons(proposal)
