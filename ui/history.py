"""Undo / redo of settings changes: a bounded stack of Configs in the session, each with a few
words of what changed ("growth weight 30 -> 45"), computed by diffing the two settings.

`record` is the one hook (`ui/state.py set_config` calls it); `undo_redo_bar()` is the one
call that draws the buttons. Undoing resets the settings widgets (their keys are theirs, so
they are dropped and re-seed from the restored settings, as the reset buttons do).
Scenarios are not settings changes: every step keeps the session's scenarios as they are.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import streamlit as st

import segmentation as seg
from segmentation.scenarios import describe_change
from ui import components, state
from ui import format as fmt

HISTORY = "tw_history"  # History: the settings before each change, and the changes undone
LIMIT = 30  # a workshop's afternoon; older steps fall off the bottom
SHOWN = 5  # recent changes listed under the buttons


@dataclass
class History:
    undo: list[tuple[str, seg.Config]] = field(default_factory=list)  # (change, settings before)
    redo: list[tuple[str, seg.Config]] = field(default_factory=list)  # (change, settings after)


def history() -> History:
    if HISTORY not in st.session_state:
        st.session_state[HISTORY] = History()
    return st.session_state[HISTORY]


def record(old: seg.Config, new: seg.Config, words: str | None = None) -> seg.Config:
    """Remember `old` to undo to; returns `new` holding the session's scenarios."""
    steps = history()
    steps.undo.append((words or describe_change(old, new), old))
    del steps.undo[:-LIMIT]
    steps.redo.clear()
    return replace(new, scenarios=old.scenarios)


def change(new: seg.Config, words: str) -> None:
    """A change made by a button (apply a scenario...): recorded under `words`, widgets reset."""
    current = state.config()
    if new == current:
        return
    st.session_state[state.CONFIG] = record(current, new, words)
    components.forget_config_widgets()


def _step(source: list, target: list) -> None:
    """Move one step from `source` to `target`: the settings swap, the widgets re-seed."""
    if not source:
        return
    words, settings = source.pop()
    current = st.session_state[state.CONFIG]
    target.append((words, current))
    st.session_state[state.CONFIG] = replace(settings, scenarios=current.scenarios)
    components.forget_config_widgets()


def undo() -> None:
    steps = history()
    _step(steps.undo, steps.redo)


def redo() -> None:
    steps = history()
    _step(steps.redo, steps.undo)


def recent() -> list[str]:
    """The last changes, newest first."""
    return [words for words, _ in reversed(history().undo[-SHOWN:])]


def undo_redo_bar(where: Any = None) -> None:
    """Undo and Redo, each saying what it would do, and the last few changes; drawn in
    `where` (a container; default: here), after the run's own change is recorded."""
    with where if where is not None else st.container():
        _bar(history())


def _bar(steps: History) -> None:
    for column, (label, stack, action) in zip(
        st.columns(2), (("Undo", steps.undo, undo), ("Redo", steps.redo, redo)), strict=True
    ):
        column.button(
            label,
            key=f"history_{label.lower()}",
            on_click=action,
            icon=f":material/{label.lower()}:",
            disabled=not stack,
            width="stretch",
            help=fmt.plain(f"{label}: {stack[-1][0]}") if stack else f"Nothing to {label.lower()}.",
        )
    if steps.undo:
        st.caption(fmt.plain("Changes, newest first: " + " · ".join(recent())))
