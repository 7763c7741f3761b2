"""Calibration: the tiers checked against what actually happened (churn, renewal, expansion).

from segmentation import calibration
outcome = calibration.outcome_from_book(book.accounts, calibration.OutcomeSpec("Churned"))
cal = calibration.calibrate(book.accounts, config, outcome, mapping=book.mapping)
calibration.to_document(cal)      # the JSON document of CONTRACT.md section 7
calibration.live_summary(result, outcome.event)   # cheap: priority AUC, top-tier lift
calibration.live_view(result, outcome, baseline_summary)   # the Workshop's live block
"""

from segmentation.calibration.calibrate import (
    Calibration,
    ResultCalibration,
    calibrate,
    outcome_from_book,
    result_calibration,
    to_document,
)
from segmentation.calibration.command import calibrate_files, outcome_for_export, summary_lines
from segmentation.calibration.fit import Proposal, suggest_weights
from segmentation.calibration.live import LiveView, live_view
from segmentation.calibration.outcomes import (
    KINDS,
    NUMBER_EVENTS,
    Outcome,
    OutcomeSpec,
    detect_kind,
    join_outcomes,
    read_outcome,
)
from segmentation.calibration.stats import Auc, LiveSummary, auc, live_summary

__all__ = [
    "KINDS",
    "NUMBER_EVENTS",
    "Auc",
    "Calibration",
    "LiveSummary",
    "LiveView",
    "Outcome",
    "OutcomeSpec",
    "Proposal",
    "ResultCalibration",
    "auc",
    "calibrate",
    "calibrate_files",
    "detect_kind",
    "join_outcomes",
    "live_summary",
    "live_view",
    "outcome_for_export",
    "outcome_from_book",
    "read_outcome",
    "result_calibration",
    "suggest_weights",
    "summary_lines",
    "to_document",
]
