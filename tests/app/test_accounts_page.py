"""Accounts page: filters, downloads read back, settings saved and loaded."""

from __future__ import annotations

import importlib
import io
import json
from dataclasses import replace

import pandas as pd
import pytest
from app_helpers import SAMPLE_CSV, download_bytes, expected_counts, goto, texts, tier_metrics

import segmentation as seg
from segmentation.config import with_pillar, with_thresholds

# The module, not `seg.export` (the function of that name): its limit is read at call time.
EXPORT = importlib.import_module("segmentation.exporting.workbook")


def test_downloads_hold_every_account_with_its_tier(sample_app, downloads):
    goto(sample_app, "workshop")
    sample_app.slider(key="weight_health").set_value(60.0).run()
    goto(sample_app, "accounts")
    sample_app.radio(key="export_scope").set_value("all").run()
    accounts = seg.load(SAMPLE_CSV).accounts
    default = seg.default_config()  # cut-offs pinned to the sample's, then a weight moved
    pinned = seg.fitted_config(seg.score_metrics(accounts, default), default)
    expected = seg.segment(accounts, with_pillar(pinned, "health", weight=60.0))
    csv = pd.read_csv(io.BytesIO(download_bytes(sample_app, downloads, "download_csv")))
    assert len(csv) == 500
    assert csv["tier"].tolist() == expected["tier"].astype("str").tolist()
    xlsx = pd.read_excel(
        io.BytesIO(download_bytes(sample_app, downloads, "download_xlsx")),
        sheet_name="Accounts",
        engine="calamine",
    )
    assert len(xlsx) == 500
    assert xlsx["tier"].tolist() == expected["tier"].astype("str").tolist()


def test_filters_narrow_the_list_and_the_filtered_download(sample_app, downloads):
    goto(sample_app, "accounts")
    sample_app.multiselect(key="filter_tier").set_value(["High-touch"]).run()
    counts = expected_counts(seg.load(SAMPLE_CSV).accounts, seg.default_config())
    assert f"**{counts['High-touch']} accounts** of 500" in texts(sample_app.markdown)
    csv = pd.read_csv(io.BytesIO(download_bytes(sample_app, downloads, "download_csv")))
    assert len(csv) == counts["High-touch"]
    assert set(csv["tier"]) == {"High-touch"}
    sample_app.text_input(key="filter_search").set_value("zzz-no-such-account").run()
    assert not sample_app.exception
    assert "**0 accounts** of 500" in texts(sample_app.markdown)


def test_save_settings_gives_the_session_config(sample_app, downloads):
    goto(sample_app, "workshop")
    sample_app.slider(key="weight_complexity").set_value(40.0)
    sample_app.slider(key="threshold_mid").set_value(30.0).run()
    goto(sample_app, "accounts")
    saved = seg.config_from_json(download_bytes(sample_app, downloads, "download_settings"))
    assert saved == sample_app.session_state["tw_config"]
    accounts = sample_app.session_state["tw_accounts"]
    default = seg.default_config()
    pinned = seg.fitted_config(seg.score_metrics(accounts, default), default)
    mapping = tuple(sample_app.session_state["tw_book"].mapping.items())
    assert saved == replace(
        with_thresholds(
            with_pillar(default, "complexity", weight=40.0), [pinned.tiers[0].threshold, 30.0]
        ),
        mapping=mapping,
    )
    assert all(t.share is None for t in saved.tiers)  # a saved file pins the numbers
    assert dict(saved.mapping)["arr"] == "ARR"  # and the Data page's mapping


def test_load_valid_settings_moves_the_sliders(sample_app):
    cfg = with_thresholds(with_pillar(seg.default_config(), "growth", weight=55), [62, 40])
    goto(sample_app, "accounts")
    data = seg.config_to_json(cfg).encode()
    sample_app.file_uploader(key="settings_upload").set_value(("s.json", data, "application/json"))
    sample_app.run()
    assert not sample_app.exception and not sample_app.error
    assert "Settings loaded from s.json" in texts(sample_app.success)
    goto(sample_app, "workshop")
    assert sample_app.slider(key="weight_growth").value == 55
    assert sample_app.slider(key="threshold_high").value == 62
    assert sample_app.slider(key="threshold_mid").value == 40
    assert tier_metrics(sample_app, cfg) == expected_counts(seg.load(SAMPLE_CSV).accounts, cfg)


def test_load_invalid_settings_shows_the_config_error(sample_app):
    doc = json.loads(seg.config_to_json(with_thresholds(seg.default_config(), [70, 45])))
    doc["tiers"][1]["threshold"] = 80
    goto(sample_app, "accounts")
    data = json.dumps(doc).encode()
    sample_app.file_uploader(key="settings_upload").set_value(
        ("bad.json", data, "application/json")
    )
    sample_app.run()
    assert not sample_app.exception
    try:
        seg.config_from_json(data, source="bad.json")
    except seg.ConfigError as exc:
        message = str(exc)
    assert message in texts(sample_app.error)
    accounts = sample_app.session_state["tw_accounts"]
    default = seg.default_config()
    mapping = tuple(sample_app.session_state["tw_book"].mapping.items())
    assert sample_app.session_state["tw_config"] == replace(
        seg.fitted_config(seg.score_metrics(accounts, default), default), mapping=mapping
    )


def test_xlsx_over_the_excel_row_limit_is_disabled_with_a_pointer_to_csv(
    sample_app, downloads, monkeypatch
):
    monkeypatch.setattr(EXPORT, "EXCEL_MAX_ROWS", 101)  # 100 rows below the header
    goto(sample_app, "accounts")
    sample_app.radio(key="export_scope").set_value("all").run()
    assert not sample_app.exception and not sample_app.error
    buttons = {b.key: b.proto for b in sample_app.get("download_button")}
    assert buttons["download_xlsx"].disabled
    assert not buttons["download_csv"].disabled
    assert "download it as CSV" in texts(sample_app.caption)
    assert (
        len(pd.read_csv(io.BytesIO(download_bytes(sample_app, downloads, "download_csv")))) == 500
    )
    sample_app.multiselect(key="filter_tier").set_value(["High-touch"])
    sample_app.radio(key="export_scope").set_value("filtered").run()
    assert len(download_bytes(sample_app, downloads, "download_csv").splitlines()) - 1 < 100
    buttons = {b.key: b.proto for b in sample_app.get("download_button")}
    assert not buttons["download_xlsx"].disabled
    assert "download it as CSV" not in texts(sample_app.caption)


def test_a_mixed_column_downloads_as_excel_with_numbers_and_text(sample_app, downloads):
    """Issue 17: numbers mixed with number-like text crashed the build; the download did nothing."""
    goto(sample_app, "accounts")
    accounts = sample_app.session_state["tw_accounts"]
    mixed = pd.Series(
        [1.5, "2", "abc", 3] * (len(accounts) // 4), index=accounts.index, dtype=object
    )
    sample_app.session_state["tw_accounts"] = accounts.assign(Mixed=mixed)
    sample_app.session_state["tw_version"] += 1
    sample_app.run()
    data = download_bytes(sample_app, downloads, "download_xlsx")
    frame = pd.read_excel(io.BytesIO(data), sheet_name="Accounts", engine="calamine")
    assert frame["Mixed"].head(4).tolist() == [1.5, 2, "abc", 3]


def test_a_download_that_fails_to_build_says_why_in_one_sentence(
    sample_app, downloads, monkeypatch
):
    def broken(*args, **kwargs):
        raise seg.InputError("A cell of column 'notes' holds 40,000 characters.")

    goto(sample_app, "accounts")
    monkeypatch.setattr(seg, "export_bytes", broken)
    with pytest.raises(seg.InputError):
        download_bytes(sample_app, downloads, "download_xlsx")
    sample_app.run()
    assert not sample_app.exception
    (error,) = [e.value for e in sample_app.error]
    assert error == (
        "The XLSX file could not be built: A cell of column 'notes' holds 40,000 characters."
    )
    monkeypatch.undo()
    download_bytes(sample_app, downloads, "download_xlsx")
    sample_app.run()
    assert not sample_app.error


def test_downloads_carry_the_tier_confidence_of_the_settings_it_was_run_on(sample_app, downloads):
    from app_helpers import fixed_config, fixed_workshop

    from segmentation import confidence as conf

    at = fixed_workshop(sample_app)
    goto(at, "accounts")
    plain = pd.read_csv(io.BytesIO(download_bytes(at, downloads, "download_csv")))
    assert "tier_confidence" not in plain  # none computed yet
    goto(at, "workshop")
    at.number_input(key="confidence_draws").set_value(200)
    at.button(key="confidence_run").click().run()
    goto(at, "accounts")
    at.radio(key="export_scope").set_value("all").run()
    assert any("carry tier_confidence" in c.value and "200 draws" in c.value for c in at.caption)
    accounts = seg.load(SAMPLE_CSV).accounts
    cfg = fixed_config()
    (_, stated, ranges, draws), _ = at.session_state["tw_confidence"]  # the form's ranges
    assert stated == cfg and draws == 200
    expected = conf.tier_confidence(seg.score_metrics(accounts, cfg), cfg, ranges, draws=draws)
    csv = pd.read_csv(io.BytesIO(download_bytes(at, downloads, "download_csv")))
    assert csv["tier_confidence"].tolist() == expected.tier_confidence.round(3).tolist()
    assert csv["tier_confidence"].between(0, 1).all() and (csv["tier_confidence"] < 1).any()
    xlsx = pd.read_excel(
        io.BytesIO(download_bytes(at, downloads, "download_xlsx")),
        sheet_name="Accounts",
        engine="calamine",
    )
    assert xlsx["tier_confidence"].tolist() == csv["tier_confidence"].tolist()
    at.multiselect(key="filter_tier").set_value(["High-touch"]).run()
    at.radio(key="export_scope").set_value("filtered").run()
    some = pd.read_csv(io.BytesIO(download_bytes(at, downloads, "download_csv")))
    by_id = dict(zip(csv["Account ID"], csv["tier_confidence"], strict=True))
    assert set(some["tier"]) == {"High-touch"} and len(some) < len(csv)
    assert some["tier_confidence"].tolist() == [by_id[i] for i in some["Account ID"]]

    goto(at, "workshop")  # a weight moved: the run is of other settings, and is left out
    at.slider(key="weight_health").set_value(61.0).run()
    goto(at, "accounts")
    moved = pd.read_csv(io.BytesIO(download_bytes(at, downloads, "download_csv")))
    assert "tier_confidence" not in moved
