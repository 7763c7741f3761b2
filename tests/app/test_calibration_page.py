"""Calibration page: mark an outcome column, upload an outcomes file, apply suggested weights."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest
from app_helpers import CSV_MIME, goto, texts

import segmentation as seg
from segmentation import calibration
from ui import state

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "calibration"))
from calibration_books import churn_book

CALIBRATION = "pages/calibration.py"


def csv_bytes(frame) -> bytes:
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False)
    return buffer.getvalue().encode("utf-8")


def open_page(app, frame):
    app.file_uploader(key="upload").set_value(("book.csv", csv_bytes(frame), CSV_MIME)).run()
    assert not app.exception, app.exception
    app.switch_page(CALIBRATION).run()
    assert not app.exception, app.exception
    return app


@pytest.fixture(scope="module")
def truth_frame():
    return churn_book(1200, seed=8)


def expected(app, column: str = "Churned") -> calibration.Calibration:
    accounts = app.session_state[state.ACCOUNTS]
    book = app.session_state[state.BOOK]
    outcome = calibration.outcome_from_book(
        accounts, calibration.OutcomeSpec(column), as_of=app.session_state[state.AS_OF]
    )
    return calibration.calibrate(
        accounts,
        seg.default_config(),
        outcome,
        as_of=app.session_state[state.AS_OF],
        mapping=book.mapping,
    )


def test_page_without_data_shows_a_guard_clause(app):
    app.switch_page(CALIBRATION).run()
    assert not app.exception
    assert "upload" in texts(app.info).lower()


def test_marking_an_outcome_column_shows_the_tables_and_aucs(app, truth_frame):
    open_page(app, truth_frame)
    assert "Choose the outcome column" in texts(app.info)
    app.selectbox(key="outcome_column").set_value("Churned").run()
    assert not app.exception and not app.error
    want = expected(app)
    tiers, quadrants, aucs = (d.value for d in app.dataframe[:3])
    assert list(tiers["with_outcome"]) == list(want.tiers["with_outcome"])
    assert list(tiers["lift"]) == pytest.approx(list(want.tiers["lift"]))
    assert list(quadrants["accounts"]) == list(want.quadrants["accounts"])
    shown = dict(zip(aucs["what"], aucs["auc"], strict=True))
    assert shown["Priority"] == pytest.approx(want.auc["priority"].value)
    assert any("best single column" in what for what in aucs["what"])
    assert len(app.get("arrow_vega_lite_chart") or app.get("vega_lite_chart")) == 1
    assert "no reliable signal" not in texts(app.warning).lower()


def test_apply_suggested_weights_and_undo(app, truth_frame):
    open_page(app, truth_frame)
    app.selectbox(key="outcome_column").set_value("Churned").run()
    proposal = expected(app).proposal
    before = app.session_state[state.CONFIG]
    app.button(key="apply_weights").click().run()
    assert not app.exception
    assert app.session_state[state.CONFIG] == proposal.config
    goto(app, "workshop")
    assert app.slider(key="weight_health").value == proposal.config.pillar("health").weight
    app.switch_page(CALIBRATION).run()
    app.button(key="undo_weights").click().run()
    assert app.session_state[state.CONFIG] == before
    goto(app, "workshop")
    assert app.slider(key="weight_health").value == before.pillar("health").weight


def test_a_noise_outcome_says_no_reliable_signal(app):
    open_page(app, churn_book(1500, seed=5, noise=True))
    app.selectbox(key="outcome_column").set_value("Churned").run()
    assert not app.exception
    assert "no reliable signal" in texts(app.warning).lower()


def test_an_outcomes_file_is_joined_and_unmatched_ids_are_said(app, truth_frame):
    open_page(app, truth_frame.drop(columns=["Churned"]))
    outcomes = truth_frame[["account_id", "Churned"]].iloc[:1000]
    app.radio(key="outcome_source").set_value("file").run()
    app.file_uploader(key="outcomes_upload").set_value(
        ("renewals.csv", csv_bytes(outcomes), CSV_MIME)
    ).run()
    app.selectbox(key="outcomes_column").set_value("Churned").run()
    assert not app.exception and not app.error
    notes = texts(app.text)
    assert "renewals.csv: 1,000 of 1,200 accounts matched by id" in notes
    assert "200 accounts have no known outcome" in notes
    tiers = app.dataframe[0].value
    assert tiers["accounts"].sum() == 1000


def test_a_one_class_outcome_is_refused_in_one_sentence(app, truth_frame):
    open_page(app, truth_frame.assign(Churned="No"))
    app.selectbox(key="outcome_column").set_value("Churned").run()
    assert not app.exception
    assert "one class only" in texts(app.error)


def test_the_marked_outcome_is_remembered_across_pages(app, truth_frame):
    open_page(app, truth_frame)
    app.selectbox(key="outcome_column").set_value("Churned").run()
    assert app.session_state["tw_outcome_column"] == "Churned"
    goto(app, "workshop")
    app.switch_page(CALIBRATION).run()
    assert app.selectbox(key="outcome_column").value == "Churned"
    assert "By tier" in texts(app.subheader)
