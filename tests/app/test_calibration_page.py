"""Calibration page: mark an outcome column, upload an outcomes file, apply suggested weights."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import numpy as np
import pytest
from app_helpers import CSV_MIME, download_bytes, goto, texts
from python_calamine import CalamineWorkbook

import segmentation as seg
from segmentation import calibration
from segmentation.config import with_pillar
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


def live_expected(app, weight: float) -> calibration.LiveSummary:
    """live_summary computed directly on segment() with the health weight moved."""
    accounts = app.session_state[state.ACCOUNTS]
    outcome = calibration.outcome_from_book(accounts, calibration.OutcomeSpec("Churned"))
    cfg = with_pillar(seg.default_config(), "health", weight=weight)
    result = seg.segment(accounts, cfg, as_of=app.session_state[state.AS_OF])
    return calibration.live_summary(result, outcome)


def shown_metrics(app) -> dict[str, tuple[str, str | None]]:
    return {m.label: (m.value, m.proto.delta or None) for m in app.metric}


@pytest.mark.parametrize("weight", [0.0, 60.0, 100.0])
def test_the_workshop_shows_the_live_auc_and_lift_on_every_slider_move(app, truth_frame, weight):
    open_page(app, truth_frame)
    app.selectbox(key="outcome_column").set_value("Churned").run()
    goto(app, "workshop")
    baseline = live_expected(app, seg.default_config().pillar("health").weight)
    assert shown_metrics(app)["Priority AUC"] == (f"{baseline.auc.value:.3f}", "no change")
    app.slider(key="weight_health").set_value(weight).run()
    assert not app.exception
    now = live_expected(app, weight)
    auc_value, auc_delta = shown_metrics(app)["Priority AUC"]
    assert auc_value == f"{now.auc.value:.3f}"
    assert auc_delta == f"{now.auc.value - baseline.auc.value:+.3f} vs baseline"
    lift_value, _ = shown_metrics(app)["Top-tier lift"]
    assert lift_value == f"{now.top_lift:.2f}"
    interval = f"AUC {now.auc.low:.3f}–{now.auc.high:.3f}"
    assert interval in texts(app.caption).replace("\\", "")


def test_the_workshop_says_no_reliable_signal_on_a_noise_outcome(app):
    open_page(app, churn_book(1500, seed=5, noise=True))
    app.selectbox(key="outcome_column").set_value("Churned").run()
    goto(app, "workshop")
    assert "Priority AUC" in shown_metrics(app)
    assert "no reliable signal" in texts(app.warning).lower()


def test_the_workshop_shows_no_live_block_without_an_outcome(app, truth_frame):
    open_page(app, truth_frame)
    goto(app, "workshop")
    assert "Priority AUC" not in shown_metrics(app)
    app.switch_page(CALIBRATION).run()
    app.selectbox(key="outcome_column").set_value("Churned").run()
    app.radio(key="outcome_source").set_value("file").run()  # no file yet: no outcome
    goto(app, "workshop")
    assert "Priority AUC" not in shown_metrics(app)


def test_the_data_page_does_not_offer_the_outcome_as_a_metric(app, truth_frame):
    rng = np.random.default_rng(3)
    frame = truth_frame.assign(
        **{
            "Next ARR": (truth_frame["arr"] * rng.uniform(0.7, 1.3, len(truth_frame))).round(),
            "Webinars": rng.integers(0, 40, len(truth_frame)),
        }
    )
    open_page(app, frame)
    goto(app, "data")
    assert {"Next ARR", "Webinars"} <= set(app.selectbox(key="add_metric_column").options)
    app.switch_page(CALIBRATION).run()
    app.selectbox(key="outcome_column").set_value("Next ARR").run()
    assert not app.exception and not app.error
    goto(app, "data")
    options = app.selectbox(key="add_metric_column").options
    assert "Next ARR" not in options and "Webinars" in options


def test_the_excel_download_holds_the_calibration_of_the_marked_outcome(
    app, truth_frame, downloads
):
    open_page(app, truth_frame)
    app.selectbox(key="outcome_column").set_value("Churned").run()
    want = expected(app)
    goto(app, "accounts")
    data = download_bytes(app, downloads, "download_xlsx")
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_name("Summary")
    rows = sheet.to_python()
    assert [r[0] for r in rows if str(r[0]).startswith("Calib")] == ["Calibration: Churned: yes"]
    start = next(i for i, r in enumerate(rows) if r[:2] == ["Tier", "Accounts with an outcome"])
    shown = {r[0]: r[1:3] for r in rows[start + 1 : start + 1 + len(want.tiers)]}
    assert shown == {
        str(name): [line["accounts"], line["with_outcome"]] for name, line in want.tiers.iterrows()
    }
