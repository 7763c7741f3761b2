"""Data page: uploads (sample CSV and XLSX, a messy export, an unusable file), the mapping."""

from __future__ import annotations

from app_helpers import (
    CSV_MIME,
    SAMPLE_CSV,
    SAMPLE_XLSX,
    XLSX_MIME,
    expected_counts,
    goto,
    texts,
    tier_metrics,
)

import segmentation as seg

MESSY = (
    "Account Name;Account ID;ARR;Health Score;NPS;Plan;Webinars Attended\n"
    'Acme GmbH;A-1;"1.234,50";81;9;Enterprise;"1.204"\n'
    "Bright Labs;A-2;25.000,00;45;4;Pro;310\n"
    "Cedar Co;A-3;980,75;N/A;7;Starter;12\n"
    "Delta AG;A-4;120.000,00;66;10;Business;2.005\n"
    ";;;;;;\n"
    "Grand Totals (4 records);;;;;;\n"
    "Confidential Information - Do Not Distribute;;;;;;\n"
    "Copyright (c) 2000-2026 salesforce.com, inc. All rights reserved.;;;;;;\n"
)


def upload(at, name: str, data: bytes, mime: str):
    at.file_uploader(key="upload").set_value((name, data, mime)).run()
    assert not at.exception, at.exception
    return at


def test_upload_sample_csv_matches_segment(app):
    upload(app, "accounts.csv", SAMPLE_CSV.read_bytes(), CSV_MIME)
    assert not app.error
    assert "accounts.csv" in texts(app.success)
    goto(app, "workshop")
    cfg = seg.default_config()
    assert tier_metrics(app, cfg) == expected_counts(seg.load(SAMPLE_CSV).accounts, cfg)


def test_sidebar_shows_the_upload_at_once(app):
    assert "No accounts loaded yet" in texts(app.sidebar.info)
    upload(app, "accounts.xlsx", SAMPLE_XLSX.read_bytes(), XLSX_MIME)
    assert "accounts.xlsx" in texts(app.sidebar.success)
    assert "500 accounts" in texts(app.sidebar.success)
    assert not app.sidebar.info


def test_upload_sample_xlsx_matches_segment(app):
    upload(app, "accounts.xlsx", SAMPLE_XLSX.read_bytes(), XLSX_MIME)
    assert not app.error
    goto(app, "workshop")
    cfg = seg.default_config()
    assert tier_metrics(app, cfg) == expected_counts(seg.load(SAMPLE_XLSX).accounts, cfg)
    assert sum(tier_metrics(app, cfg).values()) == 500


def test_upload_messy_export(app, tmp_path):
    data = MESSY.encode("cp1252")
    upload(app, "salesforce report.csv", data, CSV_MIME)
    assert not app.error
    shown = {m.label: m.value for m in app.metric}
    assert shown["Accounts kept"] == "4"
    assert shown["Rows skipped"] == "4"
    path = tmp_path / "salesforce report.csv"
    path.write_bytes(data)
    book = seg.load(path)
    assert book.accounts["arr"].tolist() == [1234.5, 25000.0, 980.75, 120000.0]
    goto(app, "workshop")
    cfg = seg.default_config()
    assert tier_metrics(app, cfg) == expected_counts(book.accounts, cfg)


def test_unusable_file_shows_the_reason(app):
    upload(app, "empty.csv", b"", CSV_MIME)
    assert app.error
    assert "empty.csv" in texts(app.error)
    assert "upload" in texts(app.info).lower()  # still the guard clause


def test_mapping_editor_changes_the_result(sample_app):
    cfg = seg.default_config()
    goto(sample_app, "workshop")
    before = tier_metrics(sample_app, cfg)
    goto(sample_app, "data")
    sample_app.selectbox(key="map_health_score").set_value("— not mapped —")
    sample_app.selectbox(key="map_arr").set_value("Potential ARR")
    sample_app.button(key="apply_mapping").click().run()
    assert not sample_app.exception and not sample_app.error
    book = seg.load(SAMPLE_CSV)
    mapping = {**book.mapping, "arr": "Potential ARR"}
    del mapping["health_score"]
    remapped = seg.remap(book, mapping)
    goto(sample_app, "workshop")
    after = tier_metrics(sample_app, cfg)
    assert after == expected_counts(remapped.accounts, cfg)
    assert after != before


def test_unmapped_numeric_column_can_become_a_metric(app):
    upload(app, "report.csv", MESSY.encode("cp1252"), CSV_MIME)
    app.selectbox(key="add_metric_column").set_value("Webinars Attended")
    app.selectbox(key="add_metric_pillar").set_value("complexity")
    app.button(key="add_metric").click().run()
    assert not app.exception
    assert "Webinars Attended" in texts(app.success)
    goto(app, "accounts")
    settings = app.session_state["tw_config"]
    assert settings.pillar("complexity").metrics[-1].column == "Webinars Attended"


def test_adding_the_same_metric_twice_adds_it_once(app):
    upload(app, "report.csv", MESSY.encode("cp1252"), CSV_MIME)
    for _ in range(2):
        app.selectbox(key="add_metric_column").set_value("Webinars Attended")
        app.selectbox(key="add_metric_pillar").set_value("complexity")
        app.button(key="add_metric").click().run()
        assert not app.exception
    metrics = app.session_state["tw_config"].pillar("complexity").metrics
    assert [m.column for m in metrics].count("Webinars Attended") == 1
    assert "Webinars Attended already counts in" in texts(app.info)
    app.selectbox(key="add_metric_pillar").set_value("growth")
    app.button(key="add_metric").click().run()
    assert [m.column for m in app.session_state["tw_config"].pillar("growth").metrics].count(
        "Webinars Attended"
    ) == 1
