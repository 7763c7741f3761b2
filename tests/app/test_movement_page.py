"""The Movement page through AppTest: a previous snapshot loaded on the Data page, the rules
set on the page, the matrix, the movers and their export."""

from __future__ import annotations

import io

import pandas as pd
from app_helpers import ROOT, download_bytes, goto

PREVIOUS = ROOT / "sample_data" / "accounts_previous_quarter.csv"


def test_movement_asks_for_a_snapshot_first(sample_app):
    at = goto(sample_app, "data")
    at.switch_page("pages/movement.py").run()
    assert not at.exception
    assert any("earlier snapshot" in str(i.value) for i in at.info)


def test_a_previous_snapshot_drives_the_movement_page(sample_app, downloads):
    at = goto(sample_app, "data")
    at.button(key="use_previous_sample").click().run()
    assert not at.exception
    assert any(PREVIOUS.name in str(df.value) for df in at.dataframe)

    at.switch_page("pages/movement.py").run()
    assert not at.exception
    shown = {
        m.label: int(m.value.replace(",", "")) for m in at.metric if m.label != "ARR that moved"
    }
    assert shown["Moved up"] + shown["Moved down"] > 0
    assert shown["Held by the rules"] == 0  # no rules yet

    at.slider(key="movement_margin").set_value(5.0).run()
    assert not at.exception
    ruled = {
        m.label: int(m.value.replace(",", "")) for m in at.metric if m.label != "ARR that moved"
    }
    assert ruled["Held by the rules"] > 0
    assert ruled["Moved up"] + ruled["Moved down"] < shown["Moved up"] + shown["Moved down"]

    at.multiselect(key="movers_directions").set_value(["down"]).run()
    assert not at.exception
    exported = pd.read_csv(
        io.BytesIO(download_bytes(at, downloads, "download_movers")), encoding="utf-8-sig"
    )
    assert len(exported) == ruled["Moved down"]
    assert set(exported["tier_change"]) == {"down"}
    assert exported["drivers"].notna().any()
