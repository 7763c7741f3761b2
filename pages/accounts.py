"""Accounts: the segmented list with filters, each account's reasons, downloads and settings."""

import streamlit as st

import segmentation as seg
from segmentation.exporting.columns import with_confidence
from segmentation.views import accounts as account_list
from segmentation.views import book, tiers
from ui import calibration as cal_ui
from ui import components, state, tables
from ui import format as fmt
from ui import profiles as profiles_ui
from ui import scenarios as scenarios_ui
from ui.shell import ensure_router, require_book

ensure_router()
st.header("Accounts", anchor=False)

require_book("Then come back here for the segmented list.")

cfg = state.config()
result = state.result()

# --- filters --------------------------------------------------------------------------------
with st.container(border=True):
    search = components.search_box()
    columns = st.columns(4)
    filters = {}
    for i, (column, label) in enumerate(tables.FILTERS.items()):
        options = account_list.filter_options(result, column)
        if options:
            with columns[i % 4]:
                filters[column] = components.multiselect_filter(label, f"filter_{column}", options)
mask = account_list.filter_mask(result, filters, search)
mask &= profiles_ui.layer_filter(result, cfg)  # profile and market / growth / health bands
filtered = result[mask]

summary = tiers.tier_summary(filtered, cfg)
st.markdown(
    f"**{fmt.accounts(len(filtered))}** of {fmt.count(len(result))} · "
    f"{fmt.money(book.total_arr(filtered))} ARR · "
    + " · ".join(f"{fmt.plain(name)} {fmt.count(n)}" for name, n in summary["accounts"].items())
)

# --- the list -------------------------------------------------------------------------------
view = tables.account_table(filtered)
if len(view) < len(filtered):
    st.caption(
        f"Showing the {fmt.count(len(view))} highest-priority accounts of "
        f"{fmt.count(len(filtered))}; narrow the filters or download the full list."
    )
selection = st.dataframe(
    view,
    key="accounts_table",
    on_select="rerun",
    selection_mode="single-row",
    hide_index=True,
    width="stretch",
    height=460,
    column_config=tables.column_config(cfg, view),
    placeholder=tables.EMPTY,
)

# --- one account ----------------------------------------------------------------------------
picked = selection.selection.rows if selection else []
if picked:
    account = view.iloc[picked[0]]
    row = result.loc[account.name] if account.name in result.index else account
    tables.account_details(row, cfg, why=account["reasons"])  # the list's row holds the text
else:
    st.caption("Select a row to see its pillar breakdown and reasons.")

# --- downloads ------------------------------------------------------------------------------
st.subheader("Download", anchor=False)
scope = components.export_scope(len(filtered), len(result))
confidence = scenarios_ui.current_confidence(cfg)
if confidence is not None:  # the last tier-confidence run is of these settings: it goes along
    with_shares = with_confidence(result, confidence.tier_confidence)
    filtered, result = with_shares[mask], with_shares
    st.caption(
        f"The downloads carry tier_confidence: each account's share of the "
        f"{confidence.draws:,} draws of the last tier-confidence run that kept its tier."
    )
rows = filtered if scope == "filtered" else result
report = state.book().report if state.book() is not None else None
problems = state.export_problems()
for problem in problems.values():
    st.error(problem, icon=":material/error:")
buttons = st.container(horizontal=True)
buttons.download_button(
    "Accounts as CSV",
    data=tables.export_callable(rows, "csv", cfg, report, problems),
    file_name="tierwise-accounts.csv",
    mime="text/csv",
    key="download_csv",
    icon=":material/download:",
    on_click="ignore",
)
fits_excel = tables.fits_excel(rows)
buttons.download_button(
    "Accounts as Excel",
    # Built only when it can be: a failure inside the deferred build would reach no one.
    data=tables.export_callable(rows, "xlsx", cfg, report, problems, cal_ui.outcome_for(rows))
    if fits_excel
    else b"",
    file_name="tierwise-accounts.xlsx",
    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    key="download_xlsx",
    icon=":material/download:",
    on_click="ignore",
    help="With Summary (and the calibration, when an outcome is marked), Settings and Data "
    "report sheets. Built when you click.",
    disabled=not fits_excel,
)
if not fits_excel:
    st.caption(f"{fmt.accounts(len(rows))} are more than an Excel sheet holds: download it as CSV.")

# --- settings -------------------------------------------------------------------------------
st.subheader("Settings", anchor=False)
st.caption(
    "Save the weights, cut-offs and metric rules, and how this file was read (delimiter, "
    "decimal marks, date order), as a JSON file: load it here next month, or give it to "
    "`python -m segmentation score --config` for the same tiers, read the same way."
)
save_col, load_col = st.columns([1, 2], vertical_alignment="center")
tables.save_settings_button(cfg, state.parse_hints(), "download_settings", column=save_col)
with load_col:
    settings_file = components.settings_uploader()
if settings_file is not None:
    kind, message, fresh = state.load_settings(settings_file)
    if kind == "error":
        st.error(fmt.plain(f"Those settings were not loaded. {message}"), icon=":material/error:")
    elif fresh:  # redraw the page (list, downloads) under the new settings
        components.forget_config_widgets()
        st.rerun()
    else:
        st.success(fmt.plain(message + " The Workshop shows them now."), icon=":material/check:")
with st.expander("The criteria in plain words", icon=":material/description:"):
    st.markdown(fmt.plain_lines(seg.describe_config(state.config())))
