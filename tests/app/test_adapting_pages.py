"""The pages say what the book cannot feed, and let weak column matches be confirmed."""

from __future__ import annotations

import sys
from pathlib import Path

from app_helpers import goto, texts

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "realbooks"))
from books import pipeline_rollup, saas_billing

import segmentation as seg

CSV_MIME = "text/csv"


def upload(at, built):
    at.file_uploader(key="upload").set_value((built.name, built.data, CSV_MIME)).run()
    assert not at.exception, at.exception
    return at


def test_the_workshop_names_the_pillar_a_book_cannot_feed(app):
    """The pipeline roll-up has no health data: the Workshop says so, and how to feed it."""
    goto(upload(app, pipeline_rollup()), "workshop")
    warnings = texts(app.warning)
    assert "Health & maturity has no usable data in this book" in warnings.replace("\\", "")
    assert "map a column to one of health" in warnings.replace("\\", "").replace("_", "")
    assert "add a metric to it" in warnings.replace("\\", "")
    assert "Cut-offs set from this book" in texts(app.caption).replace("\\", "")


def test_a_book_with_health_data_gets_no_health_notice(app):
    goto(upload(app, saas_billing()), "workshop")
    warnings = texts(app.warning).replace("\\", "")
    assert "Health & maturity has no usable data" not in warnings
    assert "Growth potential has no usable data in this book" in warnings


def test_the_data_page_asks_to_confirm_a_weak_match_with_its_alternatives(app):
    upload(app, pipeline_rollup())
    box = app.selectbox(key="confirm_arr")
    assert box.options[0] == "Amount" and box.options[-1] == "— not mapped —"
    assert "Tierwise is not sure of these column matches" in texts(app.warning)
    app.button(key="confirm_matches").click().run()
    assert not app.exception
    book = app.session_state["tw_book"]
    assert book.mapping["arr"] == "Amount"
    assert not book.report.low_confidence_matches()
    assert dict(app.session_state["tw_config"].mapping)["arr"] == "Amount"
    assert not [b for b in app.selectbox if b.key == "confirm_arr"]


def test_leaving_a_weak_match_unmapped(app):
    upload(app, pipeline_rollup())
    app.selectbox(key="confirm_arr").set_value("— not mapped —")
    app.button(key="confirm_matches").click().run()
    assert not app.exception
    assert "arr" not in app.session_state["tw_book"].mapping
    assert isinstance(app.session_state["tw_config"], seg.Config)


def test_the_workshop_warns_of_a_settings_column_the_book_lacks(sample_app):
    from segmentation.config import Metric, with_pillar

    cfg = sample_app.session_state["tw_config"]
    health = cfg.pillar("health")
    extra = with_pillar(cfg, "health", metrics=(*health.metrics, Metric("Churn Score")))
    sample_app.session_state["tw_config"] = extra
    goto(sample_app, "workshop")
    warnings = texts(sample_app.warning).replace("\\", "")
    assert "The settings use column 'Churn Score', which this book does not have" in warnings


def test_the_data_page_says_once_which_pillars_the_book_cannot_feed(app):
    upload(app, pipeline_rollup())
    warnings = texts(app.warning).replace("\\", "")
    assert warnings.count("Health & maturity has no usable data in this book") == 1
    assert "have no usable health" not in warnings  # not as a per-account gap


def test_the_cut_off_sliders_start_at_the_numbers_cut_from_the_book(sample_app):
    goto(sample_app, "workshop")
    accounts = sample_app.session_state["tw_accounts"]
    default = seg.default_config()
    pinned = seg.fitted_config(seg.score_metrics(accounts, default), default)
    high, mid = (t.threshold for t in pinned.tiers[:-1])
    assert sample_app.slider(key="threshold_high").value == high
    assert sample_app.slider(key="threshold_mid").value == mid
    counts = seg.tier_accounts(seg.score_metrics(accounts, default), pinned)["tier"].value_counts()
    shown = {m.label: int(m.value.replace(",", "")) for m in sample_app.metric}
    assert all(shown[name] == counts[name] for name in default.tier_names)
    caption = texts(sample_app.caption).replace("\\", "")
    assert f"High-touch the top 15% (priority {high:g} or more)" in caption
    sample_app.slider(key="threshold_high").set_value(high + 5).run()
    assert "Cut-offs set from this book" not in texts(sample_app.caption).replace("\\", "")
