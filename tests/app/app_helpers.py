"""Helpers for driving the app with Streamlit's AppTest, on the real sample files."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from streamlit.testing.v1 import AppTest

import segmentation as seg
from segmentation.config import with_thresholds

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")
SAMPLE_CSV = ROOT / "sample_data" / "accounts.csv"
SAMPLE_XLSX = ROOT / "sample_data" / "accounts.xlsx"
PAGES = {
    "data": "pages/data.py",
    "workshop": "pages/workshop.py",
    "accounts": "pages/accounts.py",
    "movement": "pages/movement.py",
    "calibration": "pages/calibration.py",
    "scenarios": "pages/scenarios.py",
    "segments": "pages/segments.py",
}
CSV_MIME = "text/csv"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def download_bytes(at: AppTest, downloads: dict, key: str) -> bytes:
    """The bytes the browser would get from the download button `key`."""
    (button,) = [b for b in at.get("download_button") if b.key == key]
    data = downloads[button.proto.deferred_file_id]()
    return data if isinstance(data, bytes) else data.encode("utf-8")


def goto(at: AppTest, page: str) -> AppTest:
    at.switch_page(PAGES[page]).run()
    assert not at.exception, at.exception
    return at


def tier_metrics(at: AppTest, cfg: seg.Config) -> dict[str, int]:
    """The st.metric per tier: label = tier name (as plain text), value = number of accounts."""
    labelled = {shown(m.label): m.value for m in at.metric}
    return {name: int(labelled[name].replace(",", "")) for name in cfg.tier_names}


def expected_counts(accounts, cfg: seg.Config) -> dict[str, int]:
    result = seg.segment(accounts, cfg, as_of=dt.date.today())
    counts = result["tier"].value_counts()
    return {name: int(counts[name]) for name in cfg.tier_names}


def shown(text: str) -> str:
    """What a reader sees of a markdown string: escapes and invisible word joiners taken out."""
    return re.sub(r"\\(.)", r"\1", str(text)).replace("\u2060", "")


def texts(elements) -> str:
    return "\n".join(shown(e.value) for e in elements)


def fixed_config() -> seg.Config:
    """The defaults with fixed cut-offs (70 / 45): what the slider tests move from."""
    return with_thresholds(seg.default_config(), [70.0, 45.0])


def fixed_workshop(app: AppTest) -> AppTest:
    """The Workshop with the session's settings and baseline at `fixed_config()`."""
    app.session_state["tw_config"] = fixed_config()
    app.session_state["tw_baseline"] = fixed_config()
    return goto(app, "workshop")


def open_editor(at: AppTest, which: str) -> AppTest:
    """Open one of the Workshop's full-width editors from its toolbar."""
    at.segmented_control(key="open_editor").set_value(which).run()
    assert not at.exception, at.exception
    return at
