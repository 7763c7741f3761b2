"""Per-session state: the book, the settings, the baseline, and the cached scoring stages.

Everything lives in `st.session_state` (one user's data never reaches another session and
nothing is written to disk). The settings (`Config`) are the source of truth: widgets are
seeded from it and write back to it, so they survive page switches and settings loads.

Scoring is cached in two stages, as the core splits it:
- the metric-score matrix per (data version, cfg.scoring_key()) - redone only when the data
  or a metric's scheme changes;
- the tiered result per (data version, cfg) - a slider move redoes only `tier_accounts`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
import sys
from collections.abc import Callable, MutableMapping
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import streamlit as st

import segmentation as seg
from segmentation.config import Metric, with_pillar
from segmentation.profiles import fold_edit, segment_with_profiles
from segmentation.rules.tiers import describe_pinned, is_relative
from ui import history, uploads

SAMPLE_PATH = Path(__file__).resolve().parent.parent / "sample_data" / "accounts.csv"
SAMPLE_FLAG = "--sample"
SAMPLE_ENV = "TIERWISE_SAMPLE"

ACCOUNTS = "tw_accounts"  # DataFrame: the book's accounts (canonical + original columns)
BOOK = "tw_book"  # segmentation Book (None when accounts were injected without a file)
SOURCE = "tw_source"  # what the accounts came from, for people
VERSION = "tw_version"  # bumped on every load / remap: keys the caches
AS_OF = "tw_as_of"  # the day renewal windows count from, fixed at load
CONFIG = "tw_config"
BASELINE = "tw_baseline"
BASELINE_LABEL = "tw_baseline_label"
SCORES = "tw_scores"  # {(version, scoring_key): MetricScores}, at most two entries
RESULT = "tw_result"  # ((version, config), result DataFrame)
BASELINE_TIERS = "tw_baseline_tiers"  # ((version, baseline config), Categorical)
UPLOAD_SEEN = "tw_upload_seen"  # file_id of the last upload handled
UPLOAD_ERROR = "tw_upload_error"  # (file_id, message)
SETTINGS_SEEN = "tw_settings_seen"  # (file_id, kind, message) of the last settings upload
PRELOADED = "tw_preloaded"
EXPORT_PROBLEMS = "tw_export_problems"  # {format: sentence} of downloads that failed to build
PINNED = "tw_pinned"  # (relative config, the config it was pinned to for this book, words)
FIT_UNDO = "tw_fit_undo"  # the settings before the last "fit cut-offs to the team", or None
FIT_OUTCOME = "tw_fit_outcome"  # (kind, text, settings after it) of the last fit or undo
PANELS = "tw_panels"  # {panel name: ((data version, key), value)}: one memo per panel
EDITING = "tw_editing"  # the profile the Workshop's controls edit (ui/profiles.py); None: default

log = logging.getLogger("tierwise")


def defaults() -> dict[str, Any]:
    """Every session key the app uses, with its starting value: the one place they are set."""
    config = seg.default_config()
    return {
        ACCOUNTS: None,
        BOOK: None,
        SOURCE: "",
        VERSION: 0,
        AS_OF: dt.date.today(),
        CONFIG: config,
        BASELINE: config,
        BASELINE_LABEL: "the settings when the data was loaded",
        SCORES: {},
        RESULT: None,
        BASELINE_TIERS: None,
        UPLOAD_SEEN: None,
        UPLOAD_ERROR: None,
        SETTINGS_SEEN: None,
        PRELOADED: False,
        EXPORT_PROBLEMS: {},
        PINNED: None,
        FIT_UNDO: None,
        FIT_OUTCOME: None,
        PANELS: {},
        EDITING: None,
    }


SESSION_KEYS = tuple(defaults())


def init_session() -> None:
    """Every session key present; the defaults (a Config to build) only when one is missing:
    this runs on every state access, many times per rerun."""
    session = st.session_state
    if all(key in session for key in SESSION_KEYS):
        return
    for key, value in defaults().items():
        if key not in session:
            session[key] = value


def _ss() -> MutableMapping[str, Any]:
    init_session()
    return st.session_state


def export_problems() -> dict[str, str]:
    """Why a download could not be built, by format: filled by the build (which runs outside
    the script, where no message can be drawn) and shown on the next run of the page."""
    return _ss()[EXPORT_PROBLEMS]


# --- data -----------------------------------------------------------------------------------


def seed_accounts(
    session: MutableMapping[str, Any], accounts: pd.DataFrame, source: str, book: Any = None
) -> None:
    """Put a book of accounts into a session (the app's own loads, tests and the benchmark)."""
    for key, value in defaults().items():
        if key not in session:
            session[key] = value
    pinned = session.get(PINNED)
    if pinned and session[CONFIG] == pinned[1]:  # untouched cut-offs: cut them from the new book
        session[CONFIG] = pinned[0]
    session[PINNED] = None
    if book is not None:  # the mapping is saved with the settings: next quarter maps the same
        session[CONFIG] = replace(session[CONFIG], mapping=tuple(book.mapping.items()))
    session[ACCOUNTS] = accounts
    session[BOOK] = book
    session[SOURCE] = source
    session[VERSION] = session[VERSION] + 1
    session[AS_OF] = dt.date.today()
    session[SCORES] = {}
    session[RESULT] = None
    session[BASELINE] = session[CONFIG]
    session[BASELINE_LABEL] = "the settings when the data was loaded"
    session[BASELINE_TIERS] = None
    session[FIT_UNDO] = session[FIT_OUTCOME] = None  # a fit was of the previous book


def has_data() -> bool:
    return _ss()[ACCOUNTS] is not None


def accounts() -> pd.DataFrame:
    return _ss()[ACCOUNTS]


def book() -> Any:
    return _ss()[BOOK]


def parse_hints() -> Any:
    """How the current book's file was read (None when the accounts came without a file)."""
    current = book()
    return current.hints if current is not None else None


def source() -> str:
    return _ss()[SOURCE]


def set_book(new_book: Any, source_name: str, *, keep_baseline: bool = False) -> None:
    """A freshly loaded (or re-mapped) book becomes the session's data."""
    session = _ss()
    baseline, label = session[BASELINE], session[BASELINE_LABEL]
    seed_accounts(session, new_book.accounts, source_name, new_book)
    if keep_baseline:
        session[BASELINE], session[BASELINE_LABEL] = baseline, label
    else:  # a new file: the mapping selects start again from what the loader found
        for key in [k for k in session if isinstance(k, str) and k.startswith("map_")]:
            del session[key]


def load_upload(uploaded: Any, progress: Callable[[str], None] | None = None) -> str | None:
    """Load an uploaded file once (by its file id); the error message if it is unusable.
    `progress` gets the loader's stages (loading.LOAD_STAGES) as they start."""
    session = _ss()
    if uploaded is None:
        return None
    if session[UPLOAD_SEEN] == uploaded.file_id:
        error = session[UPLOAD_ERROR]
        return error[1] if error and error[0] == uploaded.file_id else None
    session[UPLOAD_SEEN] = uploaded.file_id
    session[UPLOAD_ERROR] = None
    refused = uploads.admit(session, uploaded.name, uploaded.size)
    if refused:
        session[UPLOAD_ERROR] = (uploaded.file_id, refused)
        return refused
    uploads.free_derived(session, {SCORES: {}, RESULT: None, BASELINE_TIERS: None})
    try:
        loaded = seg.load(uploaded, filename=uploaded.name, progress=progress)
    except seg.InputError as exc:
        session[UPLOAD_ERROR] = (uploaded.file_id, str(exc))
        return str(exc)
    except Exception as exc:  # a live workshop gets a sentence, not a traceback
        log.exception("loading %s failed", uploaded.name)
        message = f"Tierwise could not read {uploaded.name} ({type(exc).__name__}: {exc})."
        session[UPLOAD_ERROR] = (uploaded.file_id, message)
        return message
    set_book(loaded, uploaded.name)
    return None


def load_sample() -> None:
    set_book(seg.load(SAMPLE_PATH), f"the sample book ({SAMPLE_PATH.name})")


def sample_requested(argv: list[str] | None = None, env: dict[str, str] | None = None) -> bool:
    """`streamlit run app.py -- --sample` or TIERWISE_SAMPLE=1 preloads the sample book."""
    argv = sys.argv[1:] if argv is None else argv
    env = os.environ if env is None else env
    return SAMPLE_FLAG in argv or env.get(SAMPLE_ENV, "").lower() in {"1", "true", "yes"}


def preload_sample_if_asked() -> None:
    session = _ss()
    if session[PRELOADED]:
        return
    session[PRELOADED] = True
    if session[ACCOUNTS] is None and sample_requested():
        load_sample()


def remap(mapping: dict[str, str | None], confirmed: tuple[str, ...] = ()) -> None:
    """Re-derive the canonical columns with an edited mapping; raises seg.InputError.

    The `confirmed` canonical columns were checked by a person: their matches become manual.
    """
    session = _ss()
    why = dict.fromkeys(confirmed, "confirmed on the Data page")
    set_book(seg.remap(session[BOOK], mapping, why), session[SOURCE], keep_baseline=True)


# --- settings and results -------------------------------------------------------------------


def config() -> seg.Config:
    """The session's settings; relative cut-offs are pinned to this book's numbers first."""
    session = _ss()
    cfg = session[CONFIG]
    if is_relative(cfg.tiers) and session[ACCOUNTS] is not None:
        fitted = seg.fitted_config(metric_scores(cfg), cfg)
        session[PINNED] = (cfg, fitted, describe_pinned(cfg, fitted))
        session[CONFIG] = fitted
        if session[BASELINE] == cfg:
            session[BASELINE] = fitted
        cfg = fitted
    return cfg


def pinned_note() -> str | None:
    """How the cut-offs were set from this book, while they are still those numbers."""
    pinned = _ss()[PINNED]
    return pinned[2] if pinned and pinned[1] == _ss()[CONFIG] else None


def set_config(new: seg.Config) -> None:
    session = _ss()
    new = fold_edit(session[CONFIG], session[EDITING], new)  # a profile's settings, put back
    if new != session[CONFIG]:
        session[CONFIG] = history.record(session[CONFIG], new)  # undo / redo (issue 14)


def add_metric(pillar_key: str, column: str) -> bool:
    """Count another column of the book in a pillar (percentile rank, weight 1).

    False, and nothing changes, when the column already is a metric of that pillar.
    """
    cfg = config()
    metrics = cfg.pillar(pillar_key).metrics
    if any(m.column == column for m in metrics):
        return False
    set_config(with_pillar(cfg, pillar_key, metrics=(*metrics, Metric(column))))
    return True


def baseline() -> seg.Config:
    return _ss()[BASELINE]


def baseline_label() -> str:
    return _ss()[BASELINE_LABEL]


def pin_baseline() -> None:
    session = _ss()
    session[BASELINE] = session[CONFIG]
    session[BASELINE_LABEL] = f"the settings pinned at {dt.datetime.now():%H:%M}"
    session[BASELINE_TIERS] = None


def metric_scores(cfg: seg.Config | None = None) -> seg.MetricScores:
    """Stage 1 for this data and these metric schemes, computed once and kept per session."""
    session = _ss()
    cfg = cfg or session[CONFIG]
    key = (session[VERSION], cfg.scoring_key())
    cache: dict = session[SCORES]
    if key not in cache:
        if len(cache) >= 2:
            cache.pop(next(iter(cache)))
        cache[key] = seg.score_metrics(session[ACCOUNTS], cfg, as_of=session[AS_OF])
    return cache[key]


def result() -> pd.DataFrame:
    """The segmentation under the current settings (stage 2 redone only when they change)."""
    session = _ss()
    cfg = config()
    key = (session[VERSION], cfg)
    cached = session[RESULT]
    if cached is None or cached[0] != key:
        cached = (key, tiered(cfg))
        session[RESULT] = cached
    return cached[1]


def baseline_tiers() -> pd.Categorical:
    """Each account's tier under the baseline settings."""
    session = _ss()
    cfg = session[BASELINE]
    key = (session[VERSION], cfg)
    cached = session[BASELINE_TIERS]
    if cached is None or cached[0] != key:
        tiers = result()["tier"] if cfg == session[CONFIG] else tiered(cfg)["tier"]
        cached = (key, pd.Categorical(tiers))
        session[BASELINE_TIERS] = cached
    return cached[1]


def as_of() -> dt.date:
    return _ss()[AS_OF]


def settings_message(file_id: str) -> tuple[str, str] | None:
    seen = _ss()[SETTINGS_SEEN]
    return (seen[1], seen[2]) if seen and seen[0] == file_id else None


def load_settings(uploaded: Any) -> tuple[str, str, bool]:
    """Apply an uploaded settings file once: ("success" | "error", message, first time?)."""
    session = _ss()
    seen = settings_message(uploaded.file_id)
    if seen:
        return (*seen, False)
    try:
        loaded = seg.config_from_json(uploaded.getvalue(), source=uploaded.name)
    except seg.ConfigError as exc:
        outcome = ("error", str(exc))
    else:
        session[CONFIG] = loaded
        outcome = ("success", f"Settings loaded from {uploaded.name}.")
    session[SETTINGS_SEEN] = (uploaded.file_id, *outcome)
    return (*outcome, True)


def fit_undo() -> seg.Config | None:
    return _ss()[FIT_UNDO]


def fit_outcome() -> tuple[str, str] | None:
    """What the last fit or undo did, while the settings are still the ones it left."""
    outcome = _ss()[FIT_OUTCOME]
    return outcome[:2] if outcome and outcome[2] == _ss()[CONFIG] else None


def set_fit_outcome(undo: seg.Config | None, outcome: tuple[str, str]) -> None:
    """After a fit (the settings it replaced, to undo) or an undo (nothing left to undo)."""
    session = _ss()
    session[FIT_UNDO], session[FIT_OUTCOME] = undo, (*outcome, session[CONFIG])


def panel_memo(name: str, key: Any, compute: Callable[[], Any]) -> Any:
    """A panel's value for this data and `key`, computed again only when either changes."""
    memo = _ss()[PANELS]
    full_key = (_ss()[VERSION], key)
    if name not in memo or memo[name][0] != full_key:
        memo[name] = (full_key, compute())
    return memo[name][1]


def fingerprint(*arrays: Any) -> str:
    """A short digest of arrays' contents: what a panel's memo is keyed on (the tier vector,
    the priorities) when the settings alone do not say whether its inputs changed."""
    digest = hashlib.blake2b(digest_size=16)
    for array in arrays:
        values = np.ascontiguousarray(array)
        digest.update(f"{values.dtype}{values.shape}".encode())
        digest.update(values.view(np.uint8).reshape(-1))
    return digest.hexdigest()


def rows_key(rows: pd.DataFrame | pd.Categorical | pd.Series) -> tuple:
    """Which accounts these are (all of the book, or a profile's) and each one's tier."""
    tiers = pd.Categorical(rows["tier"] if isinstance(rows, pd.DataFrame) else rows)
    index = rows.index if isinstance(rows, pd.DataFrame) else None
    if index is None or isinstance(index, pd.RangeIndex):
        where: Any = None if index is None else (index.start, index.stop, index.step)
    else:
        values = index.to_numpy()
        if values.dtype == object:  # labels, not numbers: their hashes
            values = pd.util.hash_pandas_object(index, index=False).to_numpy()
        where = fingerprint(values)
    return tuple(tiers.categories), fingerprint(tiers.codes), where


def account_ids() -> pd.Index:
    """The book's account ids as text (what an override names), worked out once per book."""
    return panel_memo(
        "account_ids",
        None,
        lambda: (
            pd.Index(accounts()["account_id"].astype("str").str.strip())
            if "account_id" in accounts()
            else pd.Index([])
        ),
    )


def tiered(cfg: seg.Config) -> pd.DataFrame:
    """Stage 2 on the cached stage 1; with profiles, each profile's accounts are scored as
    segmentation/profiles.py says (the whole-book populations still from the cache)."""
    if not cfg.profiles:
        # reasons as codes: the account list writes the text of the rows it shows
        return seg.tier_accounts(metric_scores(cfg), cfg, reasons=False)
    session = _ss()

    def population(rows: Any, settings: seg.Config) -> pd.DataFrame:
        if rows is None:
            # codes: segment_with_profiles writes the text of this population's own rows
            return seg.tier_accounts(metric_scores(settings), settings, reasons=False)
        return seg.segment(session[ACCOUNTS].iloc[rows], settings, as_of=session[AS_OF])

    return segment_with_profiles(session[ACCOUNTS], cfg, segmenter=population)
