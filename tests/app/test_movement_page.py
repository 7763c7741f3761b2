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


def test_an_uploaded_xlsx_export_brings_its_tiers_and_settings(sample_app):
    from app_helpers import XLSX_MIME

    import segmentation as seg
    from segmentation.config import with_thresholds

    old = with_thresholds(seg.default_config(), [80, 55])
    book = seg.load(ROOT / "sample_data" / "accounts_previous_quarter.csv")
    data = seg.export_bytes(seg.segment(book.accounts, old), "xlsx", config=old)
    at = goto(sample_app, "data")
    at.file_uploader(key="snapshot_upload").set_value(
        [("tierwise_2026-08-01.xlsx", data, XLSX_MIME)]
    ).run()
    assert not at.exception and not at.error
    listed = next(df.value for df in at.dataframe if "snapshot" in df.value.columns)
    assert listed.to_dict("records")[0] == {
        "snapshot": "tierwise_2026-08-01.xlsx",
        "as of": "2026-08-01",
        "accounts": len(book.accounts),
        "tiers": "its own",
        "settings": "read back",
    }
    at.switch_page("pages/movement.py").run()
    assert not at.exception
    assert any("settings changed since" in e.label for e in at.expander)
