"""Upload progress on the Data page: a status box with a bar through the loader's stages
(segmentation.loading.LOAD_STAGES), then the first scoring, and how long each took."""

from __future__ import annotations

import time
from typing import Any

import streamlit as st

from segmentation.loading import LOAD_STAGES
from ui import format as fmt
from ui import state

SCORING = "scoring"
STAGES = (*LOAD_STAGES, SCORING)
STAGE_WORDS = {
    "reading": "Reading the file",
    "finding the table": "Finding the header row and the rows that are not accounts",
    "matching columns": "Matching columns to Tierwise fields",
    "reading values": "Reading numbers, dates and yes/no values",
    SCORING: "Scoring and tiering the accounts",
}


class UploadProgress:
    """The stages of one new upload as they start; inactive (no output) for anything else."""

    def __init__(self, name: str | None) -> None:
        self.name = name
        self.started = time.perf_counter()
        self.current: tuple[str, float] | None = None
        if name is None:
            return
        self.box = st.status(fmt.plain_label(f"Reading {name}…"), expanded=False)
        self.bar = self.box.progress(0.0)

    @property
    def active(self) -> bool:
        return self.name is not None

    def stage(self, stage: str) -> None:
        """A stage starts: the one before it is listed as done, with its time."""
        if not self.active or stage not in STAGES:
            return
        self._finish_current()
        self.current = (stage, time.perf_counter())
        words = STAGE_WORDS[stage]
        self.bar.progress(STAGES.index(stage) / len(STAGES), text=f"{words}…")
        self.box.update(label=fmt.plain_label(f"{self.name}: {words.lower()}…"))

    def done(self, accounts: int) -> None:
        if not self.active:
            return
        self._finish_current()
        seconds = time.perf_counter() - self.started
        self.bar.progress(1.0, text="Done")
        label = f"{self.name}: {fmt.accounts(accounts)} read and scored in {seconds:.1f} s"
        self.box.update(label=fmt.plain_label(label), state="complete")
        self.name = None

    def failed(self) -> None:
        if not self.active:
            return
        self.box.update(label=fmt.plain_label(f"{self.name} could not be used"), state="error")
        self.name = None

    def _finish_current(self) -> None:
        if self.current is not None:
            stage, since = self.current
            self.box.caption(f"{STAGE_WORDS[stage]}: {time.perf_counter() - since:.1f} s")
            self.current = None


def track(uploaded: Any) -> UploadProgress:
    """Progress for `uploaded` if it has not been read yet in this session."""
    new = uploaded is not None and st.session_state.get(state.UPLOAD_SEEN) != uploaded.file_id
    return UploadProgress(uploaded.name if new else None)
