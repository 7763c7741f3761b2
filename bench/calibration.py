"""Benchmark cases of the calibration: the `calibrate` command's work, and the live summary."""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np

AS_OF = "2026-11-22"


def _churn_book(rows: int):
    """The synthetic book with a churn outcome that low health makes likelier."""
    import segmentation as seg

    accounts = seg.generate_accounts(rows, seed=1)
    health = accounts["health_score"].to_numpy(dtype="float64")
    p = 1 / (1 + np.exp(0.05 * (health - 45)))
    accounts["Churned"] = np.where(np.random.default_rng(1).random(rows) < p, "Yes", "No")
    return accounts


def calibrate_file(rows: int) -> float:
    """`calibrate` on a CSV: load, segment, tables, AUCs, suggested weights validated."""
    import datetime as dt

    from bench.cases import _timed
    from segmentation.calibration import calibrate_files
    from segmentation.sample import write_book

    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "book.csv"
        write_book(_churn_book(rows), path)
        as_of = dt.date.fromisoformat(AS_OF)
        return _timed(lambda: calibrate_files(path, "Churned", as_of=as_of), repeat=1)


def live_summary(rows: int) -> float:
    """The Workshop's live AUC and top-tier lift after a slider move (result already made)."""
    import segmentation as seg
    from bench.cases import _timed
    from segmentation.calibration import OutcomeSpec, live_summary, outcome_from_book

    accounts = _churn_book(rows)
    result = seg.segment(accounts, seg.default_config())
    event = outcome_from_book(accounts, OutcomeSpec("Churned")).event
    return _timed(lambda: live_summary(result, event), repeat=5)
