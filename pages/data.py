"""Data: upload a book of accounts (or the sample), see what the loader did, fix the mapping."""

import streamlit as st

import segmentation as seg
from segmentation.rules.pillars import unfed_pillar_words, unfed_pillars
from segmentation.views import data_quality
from ui import calibration as cal_ui
from ui import components, state
from ui import format as fmt
from ui import mapping as mapping_checks
from ui import movement as snapshots
from ui import upload as upload_progress
from ui.shell import ensure_router

ensure_router()
st.header("Data", anchor=False)
st.caption("Upload an export of every customer account: one row per account, one header row.")

upload_col, sample_col = st.columns([1.6, 1], vertical_alignment="bottom")  # labels in full
with upload_col:
    uploaded = components.upload_widget()
with sample_col:
    if components.sample_button():
        state.load_sample()

progress = upload_progress.track(uploaded)  # a new upload: a bar through the stages
error = state.load_upload(uploaded, progress=progress.stage)
if error:
    progress.failed()
    st.error(fmt.plain(error), icon=":material/error:")

if not state.has_data():
    st.info(
        "No accounts yet. Upload a CSV or Excel export from your CRM or CS platform, or try "
        "the sample book. Columns are recognised by their headers (Account Name, ARR, Health "
        "Score, NPS...); you can change the mapping after the upload.",
        icon=":material/info:",
    )
    st.stop()

book = state.book()
cfg = state.config()
accounts = state.accounts()
st.success(
    f"Using **{fmt.plain(state.source())}**: {fmt.accounts(len(accounts))}.",
    icon=":material/check:",
)

if book is None:
    st.info("These accounts were put in the session directly: there is no load report.")
    st.stop()

report = book.report
# --- the load report ------------------------------------------------------------------------
st.subheader("What was read", anchor=False)
read, kept, skipped, flagged = st.columns(4)
read.metric("Rows read", fmt.count(report.rows_read))
kept.metric("Accounts kept", fmt.count(report.rows_kept))
skipped.metric("Rows skipped", fmt.count(len(report.rows_skipped)))
flagged.metric("Cells flagged", fmt.count(len(report.cells_flagged)))
details = []
if report.kind == "csv":
    details.append(
        f"Encoding **{fmt.plain(report.encoding)}**, separator "
        + fmt.plain(fmt.delimiter(report.delimiter))
    )
if report.sheet:
    details.append(f"sheet **{fmt.plain(report.sheet)}**")
details.append(f"header on line {report.header_row}")
st.caption(" · ".join(details))
if report.rows_skipped:
    with st.expander(f"Skipped rows ({len(report.rows_skipped)})"):
        st.dataframe(
            [{"line": line, "reason": why} for line, why in report.rows_skipped],
            hide_index=True,
            width="stretch",
        )
if report.cells_flagged:
    with st.expander(f"Flagged cells ({len(report.cells_flagged)})"):
        st.dataframe(
            [
                {"line": c.line, "column": c.column, "problem": c.problem}
                for c in report.cells_flagged[:1000]
            ],
            hide_index=True,
            width="stretch",
        )
with st.expander("Full load report"):
    st.text("\n".join(report.summary_lines()))

# --- mapping --------------------------------------------------------------------------------
st.subheader("Columns", anchor=False)
mapping_checks.arr_column_check(book)
if report.low_confidence_matches():
    confirmed = components.confirm_matches(report.low_confidence_matches())
    if confirmed is not None:
        try:
            state.remap({**book.mapping, **confirmed}, confirmed=tuple(confirmed))
        except seg.InputError as exc:
            st.error(fmt.plain(exc), icon=":material/error:")
        else:
            st.rerun()
coverage = data_quality.mapping_coverage(accounts, book.mapping, cfg)
st.dataframe(
    coverage.drop(columns=["column"]),
    hide_index=True,
    width="stretch",
    column_config={
        "field": st.column_config.TextColumn("Tierwise field"),
        "source": st.column_config.TextColumn("Your column"),
        "feeds": st.column_config.TextColumn("Feeds", width="large"),
        "coverage": st.column_config.ProgressColumn(
            "Rows with a value", format="percent", min_value=0.0, max_value=1.0
        ),
    },
)
with st.expander("Change the mapping", icon=":material/edit:"):
    rows = [
        (column, field, fmt.plain(feeds) if feeds else feeds)
        for column, field, feeds in coverage[["column", "field", "feeds"]].itertuples(index=False)
    ]
    new_mapping = components.mapping_form(list(book.raw.columns), book.mapping, rows)
    if new_mapping is not None:
        try:
            state.remap(new_mapping)
        except seg.InputError as exc:
            st.error(fmt.plain(exc), icon=":material/error:")
        else:
            st.rerun()

candidates = cal_ui.not_outcomes(data_quality.unmapped_numeric_columns(book.raw, book.mapping))
with st.expander("Use another numeric column as a metric", icon=":material/add_chart:"):
    if not candidates:
        st.caption("Every numeric column of the file is already mapped.")
    else:
        added = components.add_metric_controls(candidates, cfg)
        if added:
            column, pillar_key = added
            label = cfg.pillar(pillar_key).label
            if state.add_metric(pillar_key, column):
                components.forget_config_widgets()
                st.success(fmt.plain(f"{column} now counts in {label} (percentile, weight 1)."))
            else:
                st.info(fmt.plain(f"{column} already counts in {label}."), icon=":material/info:")

# --- data quality ---------------------------------------------------------------------------
cfg = state.config()  # a metric may have just been added
st.subheader("Data quality", anchor=False)
st.caption("How complete each metric is, and what Tierwise does where a value is missing.")
progress.stage(upload_progress.SCORING)  # the report and mapping above are already drawn
quality = data_quality.metric_coverage(state.metric_scores(), cfg)
st.dataframe(
    quality,
    hide_index=True,
    width="stretch",
    column_config={
        "pillar": "Pillar",
        "metric": "Metric",
        "coverage": st.column_config.ProgressColumn(
            "Accounts with a value", format="percent", min_value=0.0, max_value=1.0
        ),
        "missing": st.column_config.NumberColumn("Missing", format="%d"),
        "when_missing": "When missing",
    },
)
unfed = unfed_pillars(state.metric_scores(), cfg)
for words in unfed_pillar_words(cfg, unfed):  # the whole book: said once, not per account
    st.warning(fmt.plain(words[0].upper() + words[1:] + "."), icon=":material/warning:")
gaps = data_quality.pillar_gaps(state.result(), cfg)
progress.done(len(accounts))
for row in gaps.itertuples(index=False):
    if row.accounts_without_score and row.pillar not in {cfg.pillar(k).label for k in unfed}:
        st.warning(
            fmt.plain(
                f"{fmt.accounts(row.accounts_without_score)} have no usable "
                f"{row.pillar.lower()} data: that pillar is left out of their priority "
                "(see Data issues on the Accounts page)."
            ),
            icon=":material/warning:",
        )

# --- earlier snapshots, for the Movement page -----------------------------------------------
snapshots.snapshot_block()
