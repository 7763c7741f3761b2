"""Calibration: the tiers checked against what actually happened (churn, renewal, expansion).

from segmentation import calibration
outcome = calibration.outcome_from_book(book.accounts, calibration.OutcomeSpec("Churned"))
cal = calibration.calibrate(book.accounts, config, outcome, mapping=book.mapping)
calibration.to_document(cal)      # the JSON document of CONTRACT.md section 7
calibration.live_summary(result, outcome.event)   # cheap: priority AUC, top-tier lift
"""

from segmentation.calibration.calibrate import (
    Calibration,
    calibrate,
    outcome_from_book,
    to_document,
)
from segmentation.calibration.command import calibrate_files, summary_lines
from segmentation.calibration.fit import Proposal, suggest_weights
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
    "Outcome",
    "OutcomeSpec",
    "Proposal",
    "auc",
    "calibrate",
    "calibrate_files",
    "detect_kind",
    "join_outcomes",
    "live_summary",
    "outcome_from_book",
    "read_outcome",
    "suggest_weights",
    "summary_lines",
    "to_document",
]
