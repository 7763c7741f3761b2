"""Save settings after an upload: the file carries how that upload was read."""

from __future__ import annotations

import json

from app_helpers import CSV_MIME, download_bytes, goto

import segmentation as seg

EUROPEAN = (
    b"Kunden-ID;Account Name;ARR;Renewal Date\r\n"
    b'K-1;Alpha GmbH;"1.234,50";25.03.2026\r\n'
    b"K-2;Beta GmbH;99,90;01.04.2026\r\n"
)


def test_saving_settings_after_an_upload_writes_its_parsing_section(app, downloads):
    app.file_uploader(key="upload").set_value(("q3.csv", EUROPEAN, CSV_MIME)).run()
    assert not app.exception, app.exception
    goto(app, "accounts")
    saved = download_bytes(app, downloads, "download_settings")
    parsing = json.loads(saved)["parsing"]
    assert parsing["delimiter"] == ";"
    assert parsing["encoding"] == "utf-8"
    assert parsing["columns"]["ARR"] == {"decimal_mark": ",", "thousands_mark": "."}
    assert parsing["columns"]["Renewal Date"] == {"date_order": "DMY"}
    assert seg.config_from_json(saved).parsing == app.session_state["tw_book"].hints
