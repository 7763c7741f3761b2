"""The Movement page's shell: earlier snapshots in the session, their scoring cached, widgets.

Snapshots live in `st.session_state` like the book (never on disk). Scoring an earlier
snapshot with the current settings is cached per (snapshot, metric settings); the movement
rules are then chained per settings, so a margin move redoes only stage 2.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pandas as pd
import streamlit as st

import segmentation as seg
from segmentation import movement
from segmentation.loading.settings_sheet import settings_from_export
from segmentation.rules.movement import MovementRules
from ui import format as fmt
from ui import state
from ui.tables import EMPTY, money_column, moved_column_config

SNAPSHOTS = "tw_snapshots"  # list of movement.Snapshot, as loaded (sorted when used)
SNAPSHOT_SEEN = "tw_snapshot_seen"  # file ids already loaded
SNAPSHOT_ERRORS = "tw_snapshot_errors"  # {file id: sentence}
SCORED = "tw_snapshot_scored"  # {(id(snapshot), scoring key, key column): ScoredSnapshot}
TODAY = "tw_movement_today"  # (data version, Snapshot of today's book)
VIEW = "tw_movement_view"  # ((version, config, snapshot ids), MovementPanel)
PREVIOUS_SAMPLE = state.SAMPLE_PATH.with_name("accounts_previous_quarter.csv")


def _ss() -> Any:
    for key, value in ((SNAPSHOTS, []), (SNAPSHOT_SEEN, set()), (SNAPSHOT_ERRORS, {}),
                       (SCORED, {}), (VIEW, None)):  # fmt: skip
        if key not in st.session_state:
            st.session_state[key] = value
    return st.session_state


def snapshots() -> list[movement.Snapshot]:
    return movement.ordered(_ss()[SNAPSHOTS])


def add_snapshot(book: Any, name: str, data: bytes = b"") -> None:
    """An earlier snapshot (`data`: the file's bytes, for an XLSX export's own settings)."""
    when, settings = movement.snapshot_date(name), settings_from_export(data)
    _ss()[SNAPSHOTS].append(movement.Snapshot(name, book.accounts, when, settings))


def clear_snapshots() -> None:
    session = _ss()
    session[SNAPSHOTS] = []
    session[SCORED] = {}
    session[VIEW] = None


def load_snapshot_uploads(files: list[Any]) -> list[str]:
    """Load each uploaded snapshot once; the sentences for those that could not be read."""
    session = _ss()
    for file in files or []:
        if file.file_id in session[SNAPSHOT_SEEN]:
            continue
        session[SNAPSHOT_SEEN].add(file.file_id)
        try:
            add_snapshot(seg.load(file, filename=file.name), file.name, file.getvalue())
        except seg.InputError as exc:
            session[SNAPSHOT_ERRORS][file.file_id] = f"{file.name} was not added: {exc}"
    ids = {file.file_id for file in files or []}
    return [message for fid, message in session[SNAPSHOT_ERRORS].items() if fid in ids]


def load_previous_sample() -> None:
    add_snapshot(seg.load(PREVIOUS_SAMPLE), PREVIOUS_SAMPLE.name)


def snapshot_block() -> None:
    """The Data page's block: add earlier snapshots (a history), see them in as-of order."""
    st.subheader("Earlier snapshots", anchor=False)
    st.caption(
        "For the Movement page: last quarter's Tierwise export (its tiers are read back) or a "
        "raw earlier export (scored with the current settings). Several make a history, "
        "ordered by the date in their file names (accounts_2026-08-01.csv)."
    )
    upload_col, sample_col = st.columns([1.6, 1], vertical_alignment="bottom")
    with upload_col:
        files = st.file_uploader(
            "Add earlier snapshots (CSV or Excel)",
            type=["csv", "txt", "xlsx", "xlsm"],
            accept_multiple_files=True,
            key="snapshot_upload",
        )
    with sample_col:
        if st.button("Sample's last quarter", key="use_previous_sample", width="stretch"):
            load_previous_sample()
    for message in load_snapshot_uploads(files):
        st.error(fmt.plain(message), icon=":material/error:")
    loaded = snapshots()
    if not loaded:
        return
    rows = [
        {
            "snapshot": s.name,
            "as of": s.as_of.isoformat() if s.as_of else "no date in the name: kept in load order",
            "accounts": len(s.accounts),
            "tiers": "its own" if _has_tiers(s) else "scored with the current settings",
            "settings": "read back" if s.settings else "",
        }
        for s in loaded
    ]
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
    if st.button("Remove the snapshots", key="clear_snapshots", type="tertiary"):
        clear_snapshots()
        st.rerun()


def _has_tiers(snapshot: movement.Snapshot) -> bool:
    try:
        movement.previous_tier_column(snapshot.accounts)
    except seg.InputError:
        return False
    return True


# --- scoring, cached per session --------------------------------------------------------------


def _scored(
    snapshot: movement.Snapshot, cfg: seg.Config, key: str, *, read_tiers: bool = True
) -> movement.ScoredSnapshot:
    """A snapshot scored under `cfg` without its movement rules (a margin move reuses it); the
    metric scores are reused across weight and cut-off changes."""
    cache = _ss()[SCORED]
    cache_key = (id(snapshot), movement.plain_settings(cfg), key)
    if cache_key not in cache:
        metric_scores = next(
            (
                scored.metric_scores
                for (sid, plain, _), scored in cache.items()
                if sid == id(snapshot) and plain.scoring_key() == cfg.scoring_key()
            ),
            None,
        )
        if len(cache) > 8:
            cache.clear()
        cache[cache_key] = movement.score_snapshot(
            snapshot, cfg, metric_scores, key=key, read_tiers=read_tiers
        )
    return cache[cache_key]


def _today() -> movement.Snapshot:
    """Today's book as a snapshot, the same object for as long as the book is the same."""
    session = _ss()
    version = session[state.VERSION]
    if session.get(TODAY) is None or session[TODAY][0] != version:
        session[TODAY] = (version, movement.Snapshot("today", state.accounts(), state.as_of()))
    return session[TODAY][1]


def panel(cfg: seg.Config) -> movement.MovementPanel:
    """Today's book against the snapshots under `cfg`: computed once per settings."""
    session = _ss()
    earlier = snapshots()
    view_key = (session[state.VERSION], cfg, tuple(id(s) for s in earlier))
    if session[VIEW] is not None and session[VIEW][0] == view_key:
        return session[VIEW][1]
    key = movement.history_key([state.accounts(), *(s.accounts for s in earlier)])
    history = [_scored(s, cfg, key) for s in earlier]
    now = _scored(_today(), cfg, key, read_tiers=False)
    view = movement.movement_panel(now, history, cfg)
    session[VIEW] = (view_key, view)
    return view


# --- widgets --------------------------------------------------------------------------------


def rules_controls(cfg: seg.Config) -> seg.Config:
    """The movement rules, seeded from the settings; the settings they show."""
    rules = cfg.movement
    for key, value in (("movement_margin", float(rules.margin)),
                       ("movement_freeze", int(rules.renewal_freeze_days)),
                       ("movement_max_step", rules.max_step or 0),
                       ("movement_min_periods", int(rules.min_periods))):  # fmt: skip
        if key not in st.session_state:
            st.session_state[key] = value
    margin_col, freeze_col, step_col, periods_col = st.columns(4)
    margin = margin_col.slider(
        "Margin (priority points)", 0.0, 20.0, step=0.5, key="movement_margin",
        help="An account leaves its previous tier only when it clears the cut-off by this much.",
    )  # fmt: skip
    freeze = freeze_col.number_input(
        "Renewal freeze (days)", 0, 730, step=15, key="movement_freeze",
        help="No move down within this many days before renewal; 0 is off.",
    )  # fmt: skip
    step = step_col.selectbox(
        "Tiers per period", [0, 1, 2], key="movement_max_step",
        format_func=lambda v: "any" if v == 0 else f"at most {v}",
    )  # fmt: skip
    periods = periods_col.number_input(
        "Snapshots a move needs", 1, 12, step=1, key="movement_min_periods",
        help="A move needs the new tier's priority in this many consecutive snapshots.",
    )  # fmt: skip
    new = MovementRules(float(margin), int(freeze), int(step) or None, int(periods))
    return cfg if new == rules else replace(cfg, movement=new)


def pair_label(pair: tuple[str, str]) -> str:
    return f"{pair[0]} → {pair[1]}"


def movers_filters(view: movement.MovementPanel) -> dict[str, list]:
    pairs = [tuple(p) for p in view.flows[["previous", "now"]].itertuples(index=False)]
    pairs = [p for p in pairs if p[0] != p[1]]
    csms = sorted(view.movers["csm"].dropna().astype(str).unique()) if "csm" in view.movers else []
    pair_col, csm_col, direction_col = st.columns(3)
    return {
        "pairs": pair_col.multiselect(
            "Tier pair", pairs, format_func=pair_label, key="movers_pairs", placeholder="All"
        ),
        "csms": csm_col.multiselect("CSM", csms, key="movers_csms", placeholder="All"),
        "directions": direction_col.multiselect(
            "Direction",
            list(DIRECTIONS),
            format_func=DIRECTIONS.get,
            key="movers_directions",
            placeholder="All",
        ),
    }


DIRECTIONS = {"moved": "Moved (up or down)", "up": "Up", "down": "Down", "held": "Held"}


def movers_column_config(rows: pd.DataFrame | None = None) -> dict[str, Any]:
    number = st.column_config.NumberColumn
    arr = None if rows is None else rows.get("arr")
    before = None if rows is None else rows.get("arr_before")
    return {
        "account_name": st.column_config.TextColumn("Account", pinned=True),
        "account_id": "ID",
        "csm": "CSM",
        "arr": money_column("ARR", arr),
        "arr_before": money_column("ARR before", before),
        "from_tier": "From",
        "to_tier": "To",
        "tier_change": "Move",
        "priority_before": number("Priority before", format="%.1f"),
        "priority": number("Priority", format="%.1f"),
        "held": "Held by",
        "cause": "Moved by",
        "drivers": st.column_config.TextColumn("What drove it", width="large"),
    }


def movers_export(rows: pd.DataFrame) -> Any:
    """The movers list as CSV, formula-safe, built on the click."""

    def build() -> bytes:
        return seg.export_bytes(rows, fmt="csv")

    return build


def replay_column_config() -> dict[str, Any]:
    share = st.column_config.NumberColumn
    return {
        "snapshot": "Snapshot",
        "as_of": "As of",
        "accounts": share("Accounts in both", format="%d"),
        "moved_without_rules": share("Moved, no rules", format="%d"),
        "share_without_rules": share("Share, no rules", format="percent"),
        "arr_share_without_rules": share("ARR share, no rules", format="percent"),
        "moved_with_rules": share("Moved, with rules", format="%d"),
        "share_with_rules": share("Share, with rules", format="percent"),
        "arr_share_with_rules": share("ARR share, with rules", format="percent"),
    }


# --- the Workshop's "Who moved" against the baseline: every mover, with filters ----------------


def baseline_movers(result: pd.DataFrame, baseline_tier: pd.Categorical) -> pd.DataFrame:
    """Every account whose tier differs from the baseline, largest ARR first."""
    return movement.moved_accounts(result, baseline_tier, limit=len(result))


def who_moved_list(result: pd.DataFrame, baseline_tier: pd.Categorical) -> None:
    """Every mover against the baseline, narrowed by direction and tier pair (the Workshop's
    list: pages/workshop.py calls this in place of its 15 largest)."""
    rows = state.panel_memo(
        "who_moved_list",
        (state.rows_key(result), state.rows_key(baseline_tier)),
        lambda: baseline_movers(result, baseline_tier),
    )
    unique = rows[["from_tier", "to_tier"]].astype(str).drop_duplicates()
    pairs = sorted(tuple(pair) for pair in unique.itertuples(index=False))
    pair_col, direction_col = st.columns(2)
    chosen_pairs = pair_col.multiselect(
        "Tier pair", pairs, format_func=pair_label, key="who_moved_pairs", placeholder="All"
    )
    directions = direction_col.multiselect(
        "Direction", ["up", "down"], format_func=DIRECTIONS.get, key="who_moved_directions",
        placeholder="All (moved up or down)",
    )  # fmt: skip
    shown = movement.filter_movers(
        rows.rename(columns={"move": "tier_change"}).assign(held=None),
        pairs=chosen_pairs,
        directions=directions,
    ).drop(columns=["held"])
    st.caption(f"{fmt.accounts(len(shown))} of {fmt.count(len(rows))} that changed tier.")
    st.dataframe(
        shown.rename(columns={"tier_change": "move"}),
        hide_index=True,
        width="stretch",
        column_config=moved_column_config(list(shown.columns), shown),
        placeholder=EMPTY,
    )
