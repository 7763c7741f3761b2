"""The workshop survives a refresh: what it needs is kept in the browser's address.

The address (`st.query_params`) holds the settings, the baseline and its label, the open
editor and presentation mode, compressed (`s`, `b`, `bl`, `e`, `p`), but never the manual
overrides: they name accounts, and an address lands in the browser's history. The overrides,
like the book, are held only in this process's memory (`o` counts them, so that a page whose
book has gone can say they must be loaded again from the settings file). The book itself never
leaves the server and is never written to disk: it is held in this process's memory under a
short-lived, unguessable token (`t`, `secrets.token_urlsafe`), so a refresh, a dropped
connection or a laptop lid within `BOOK_TTL_S` finds it again; after that (or after a server
restart) the page says plainly that the file must be uploaded again, and restores the rest.
"""

from __future__ import annotations

import base64
import binascii
import secrets
import threading
import time
import zlib
from dataclasses import dataclass, replace
from typing import Any

import streamlit as st

import segmentation as seg
from ui import state
from ui.editors import EDITOR_KEY, EDITORS

SETTINGS, BASELINE, LABEL, TOKEN, EDITOR, PRESENTING = "s", "b", "bl", "t", "e", "p"
OVERRIDES = "o"  # how many overrides the address leaves out (held with the book)
BOOK_TTL_S = 30 * 60  # how long a book waits for its session to come back
MAX_HELD = 4  # books held at once in this process (the oldest goes first)
MAX_PARAM_CHARS = 60_000  # a longer address is not one Tierwise wrote

DEFAULT_LABEL = state.defaults()[state.BASELINE_LABEL]

RESTORED = "tw_restored"  # this session has read the address once
RESTORE_NOTE = "tw_restore_note"  # (kind, sentence) said after a restore
PENDING_BASELINE = "tw_pending_baseline"  # (baseline, label) waiting for the book's upload
HELD = "tw_held"  # (data version, token) of the book held for this session
WRITTEN = "tw_written"  # (settings, baseline) last encoded, and the text


@dataclass
class _Held:
    accounts: Any
    book: Any
    source: str
    expires: float
    overrides: tuple[tuple[Any, ...], tuple[Any, ...]] = ((), ())  # settings', baseline's


_BOOKS: dict[str, _Held] = {}
_LOCK = threading.Lock()


# --- the book, in memory only ---------------------------------------------------------------


def hold_book(accounts: Any, book: Any, source: str, now: float | None = None) -> str:
    """Keep a session's book in memory for a while; the token that finds it again."""
    now = time.monotonic() if now is None else now
    token = secrets.token_urlsafe(24)
    with _LOCK:
        _forget_expired(now)
        while len(_BOOKS) >= MAX_HELD:
            _BOOKS.pop(min(_BOOKS, key=lambda k: _BOOKS[k].expires))
        _BOOKS[token] = _Held(accounts, book, source, now + BOOK_TTL_S)
    return token


def held_book(token: str, now: float | None = None) -> _Held | None:
    """The book held under `token`, while it has not expired (its time starts again)."""
    now = time.monotonic() if now is None else now
    with _LOCK:
        _forget_expired(now)
        held = _BOOKS.get(token)
        if held is not None:
            held.expires = now + BOOK_TTL_S
        return held


def _forget_expired(now: float) -> None:
    for token in [t for t, held in _BOOKS.items() if held.expires <= now]:
        del _BOOKS[token]


# --- the settings, in the address -----------------------------------------------------------


def without_overrides(cfg: seg.Config) -> seg.Config:
    """The settings the address may hold: everything but the overrides (they name accounts)."""
    if not cfg.guardrails.overrides:
        return cfg
    return with_overrides(cfg, ())


def with_overrides(cfg: seg.Config, overrides: tuple[Any, ...]) -> seg.Config:
    return replace(cfg, guardrails=replace(cfg.guardrails, overrides=overrides))


def encode_settings(cfg: seg.Config) -> str:
    """Settings as compact address text: JSON, deflated, URL-safe base64."""
    raw = zlib.compress(seg.config_to_json(cfg).encode("utf-8"), 9)
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def decode_settings(text: str) -> seg.Config:
    """The settings back from `encode_settings`; seg.ConfigError when they cannot be read."""
    if len(text) > MAX_PARAM_CHARS:
        raise seg.ConfigError("the settings in the address are too long to be Tierwise's")
    try:
        padded = text + "=" * (-len(text) % 4)
        inflater = zlib.decompressobj()
        raw = inflater.decompress(base64.urlsafe_b64decode(padded), seg.config.MAX_SETTINGS_BYTES)
    except (binascii.Error, ValueError, zlib.error):
        raise seg.ConfigError("the settings in the address are damaged") from None
    return seg.config_from_json(raw, source="the settings in the address")


def _param(name: str) -> str | None:
    value = st.query_params.get(name)
    return value if isinstance(value, str) and value else None


def restore() -> None:
    """Once per session: the settings, baseline, named state and (if held) the book."""
    session = st.session_state
    if session.get(RESTORED):
        return
    session[RESTORED] = True
    if state.has_data() or _param(SETTINGS) is None:
        return
    try:
        cfg = decode_settings(_param(SETTINGS))
        baseline = decode_settings(_param(BASELINE)) if _param(BASELINE) else cfg
    except seg.ConfigError as exc:
        session[RESTORE_NOTE] = ("warning", f"The workshop could not be restored: {exc}.")
        return
    label = _param(LABEL) or state.baseline_label()
    held = held_book(_param(TOKEN)) if _param(TOKEN) else None
    if held is not None:
        state.seed_accounts(session, held.accounts, held.source, held.book)
        cfg, baseline = (
            with_overrides(c, o) for c, o in zip((cfg, baseline), held.overrides, strict=True)
        )
    session[state.CONFIG] = cfg
    if held is not None:
        session[state.BASELINE], session[state.BASELINE_LABEL] = baseline, label
        session[HELD] = (session[state.VERSION], _param(TOKEN))
        session[RESTORE_NOTE] = ("success", f"Workshop restored, with {held.source}.")
    else:
        session[state.BASELINE] = cfg
        session[PENDING_BASELINE] = (baseline, label)
        session[RESTORE_NOTE] = (
            "info",
            "Your settings, baseline and view were restored. The book is kept only in this "
            "server's memory for a short while and is no longer there: upload the file again "
            "(or use the sample) on the Data page." + _left_out_words(_param(OVERRIDES)),
        )
    if _param(EDITOR) in EDITORS:
        session[EDITOR_KEY] = _param(EDITOR)
    session["presentation_mode"] = _param(PRESENTING) == "1"


def _left_out_words(count: str | None) -> str:
    """The overrides a restore without its book could not bring back, said."""
    if not count or count == "0":
        return ""
    return (
        f" The {count} manual override(s) name accounts, so the address never holds them: "
        "load your settings file (Accounts page) to bring them back."
    )


def restore_note() -> None:
    """What the restore did, said once at the top of the page."""
    note = st.session_state.pop(RESTORE_NOTE, None)
    if note:
        kind, text = note
        getattr(st, kind)(text, icon=":material/history:")


def _book_token() -> str | None:
    """The token of this session's book, held again when the book changed."""
    session = st.session_state
    if not state.has_data():
        return None
    held = session.get(HELD)
    if held and held[0] == session[state.VERSION] and held_book(held[1]) is not None:
        return held[1]
    token = hold_book(state.accounts(), state.book(), state.source())
    session[HELD] = (session[state.VERSION], token)
    return token


def _pending_baseline() -> None:
    """A baseline restored before its book came back applies once the book is loaded."""
    pending = st.session_state.get(PENDING_BASELINE)
    if pending and state.has_data():
        del st.session_state[PENDING_BASELINE]
        baseline, label = pending
        st.session_state[state.BASELINE] = baseline
        st.session_state[state.BASELINE_LABEL] = label


def _encoded(cfg: seg.Config, baseline: seg.Config) -> tuple[str, str | None]:
    """Settings and baseline as address text, encoded again only when they change."""
    written = st.session_state.get(WRITTEN)
    if written and written[0] == (cfg, baseline):
        return written[1]
    cfg, baseline = without_overrides(cfg), without_overrides(baseline)
    text = (encode_settings(cfg), None if baseline == cfg else encode_settings(baseline))
    st.session_state[WRITTEN] = ((cfg, baseline), text)
    return text


def remember() -> None:
    """Write what a refresh needs into the address (only the parts that changed)."""
    _pending_baseline()
    cfg = st.session_state[state.CONFIG]
    settings, baseline = _encoded(cfg, state.baseline())
    token = _book_token()
    overrides = (cfg.guardrails.overrides, state.baseline().guardrails.overrides)
    if token is not None:
        with _LOCK:
            if token in _BOOKS:
                _BOOKS[token].overrides = overrides
    wanted = {
        SETTINGS: settings,
        BASELINE: baseline,
        LABEL: None if state.baseline_label() == DEFAULT_LABEL else state.baseline_label(),
        TOKEN: token,
        OVERRIDES: str(len(overrides[0])) if overrides[0] else None,
        EDITOR: st.session_state.get(EDITOR_KEY),
        PRESENTING: "1" if st.session_state.get("presentation_mode") else None,
    }
    for name, value in wanted.items():
        if value is None:
            if name in st.query_params:
                del st.query_params[name]
        elif st.query_params.get(name) != value:
            st.query_params[name] = value
