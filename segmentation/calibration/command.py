"""What `python -m segmentation calibrate` runs: files in, a Calibration and its summary out."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import segmentation as seg
from segmentation.calibration.calibrate import (
    Calibration,
    calibrate,
    check_classes,
    outcome_columns,
    outcome_from_book,
    without_outcome,
)
from segmentation.calibration.outcomes import DEFAULT_WINDOW_DAYS, Outcome, OutcomeSpec
from segmentation.calibration.stats import Auc


def calibrate_files(
    input_path: str | Path,
    outcome: str,
    *,
    outcomes_path: str | Path | None = None,
    config: seg.Config | None = None,
    as_of: dt.date,
    window_days: int = DEFAULT_WINDOW_DAYS,
    number_event: str = "contraction",
) -> Calibration:
    """Load the book (and the outcomes file), read the outcome, calibrate.

    >>> calibrate_files("accounts.csv", "Churned", as_of=dt.date(2026, 11, 1))  # doctest: +SKIP
    """
    book = seg.load(input_path)
    table = seg.load(outcomes_path).accounts if outcomes_path else None
    spec = OutcomeSpec(outcome, window_days=window_days, number_event=number_event)
    source = Path(outcomes_path).name if outcomes_path else "the outcomes file"
    found = outcome_from_book(book.accounts, spec, as_of=as_of, outcomes=table, source=source)
    return calibrate(
        book.accounts, config or seg.default_config(), found, as_of=as_of, mapping=book.mapping
    )


def outcome_for_export(
    book: seg.Book, config: seg.Config, column: str, *, as_of: dt.date
) -> tuple[seg.Config, Outcome, list[str]]:
    """`score --outcome COLUMN`: the book's outcome column read and checked, and the settings
    with every metric that reads it switched off (as calibrate scores them), with the notes
    that say so. The export's Summary then holds the calibration."""
    outcome = outcome_from_book(book.accounts, OutcomeSpec(column), as_of=as_of)
    check_classes(outcome)
    config, notes = without_outcome(config, outcome_columns(column, book.mapping))
    return config, outcome, [*outcome.notes, *notes]


def auc_text(a: Auc) -> str:
    if math.isnan(a.value):
        return "n/a"
    return f"{a.value:.3f} (95% {a.low:.3f}-{a.high:.3f})"


def summary_lines(cal: Calibration) -> list[str]:
    """The tier table and the AUCs, as the command line prints them."""
    lines = [
        f"Outcome: {cal.outcome.label}: {cal.with_outcome:,} of {cal.accounts:,} accounts "
        f"({cal.rate:.1%}).",
        *cal.notes,
    ]
    if cal.nrr is not None:
        lines.append(f"Net revenue retention of these accounts: {cal.nrr:.1%}.")
    if cal.without_outcome:
        lines.append(f"{cal.without_outcome:,} accounts have no known outcome and are left out.")
    lines.append("tier | accounts | with outcome | rate | lift | share of outcome ARR")
    for name, row in cal.tiers.iterrows():
        lines.append(
            f"{name} | {int(row['accounts']):,} | {int(row['with_outcome']):,} | "
            f"{row['rate']:.1%} | {row['lift']:.2f} | {row['share_of_outcome_arr']:.1%}"
        )
    lines.append("ROC AUC (DeLong 95% interval; 0.5 = no signal):")
    lines += [f"  {name}: {auc_text(a)}" for name, a in cal.auc.items()]
    if cal.best:
        lines.append(f"  best single column of the book, {cal.best[0]}: {auc_text(cal.best[1])}")
    if not cal.signal:
        lines.append(cal.no_signal_message)
    proposal = cal.proposal
    if proposal and proposal.config is not None:
        lines.append(
            f"Suggested weights: AUC {proposal.in_sample.value:.3f} in sample, "
            f"{proposal.out_of_sample:.3f} out of sample (current settings "
            f"{proposal.in_sample_current.value:.3f} and {proposal.out_of_sample_current:.3f}; "
            f"{proposal.validation})."
        )
    return lines
