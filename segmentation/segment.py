"""segment(): the whole segmentation of a book of accounts under one Config.

Two stages, so that the workshop can redo only the cheap one on a slider move:
`score_metrics` (per data and metric schemes) and `tier_accounts` (per weights and cuts).
"""

from __future__ import annotations

import datetime as dt
import functools

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from threadpoolctl import ThreadpoolController

from segmentation.columns import CANONICAL_NAMES
from segmentation.config import SCORE_COLUMNS, SHORT_LABELS, Config
from segmentation.profiles import pin_profiles, segment_with_profiles
from segmentation.rules.metrics import MetricScores, score_metrics
from segmentation.rules.movement import (
    held_names,
    held_notes,
    held_where_it_matters,
    movement_for,
)
from segmentation.rules.pillars import (
    effective_scores,
    pillar_scores,
    priority_from,
    shown_scores,
    unfed_pillar_words,
    unfed_pillars,
)
from segmentation.rules.quadrant import quadrant_codes
from segmentation.rules.reasons import Reasons, explain
from segmentation.rules.schemes import factorized
from segmentation.rules.tiers import apply_guardrails, cut_tiers, expired_words, pin_cutoffs

OUTPUT_COLUMNS: tuple[str, ...] = (
    *SCORE_COLUMNS,
    "priority",
    "tier",
    "quadrant",
    "reasons",
    "data_issues",
)
LENS_COLUMNS: tuple[str, ...] = (
    "whitespace",
    "adoption",
    "days_to_renewal",
    "nps_group",
    "renewal_window",
    "arr_rank_band",
)
TEXT = pd.StringDtype("pyarrow", na_value=np.nan)  # pandas' own text dtype, backed by Arrow
LOADER_ISSUES_COLUMN = "input_issues"  # the loader's per-row problems, folded into data_issues


def data_issues(
    accounts: pd.DataFrame,
    scores: np.ndarray,
    priority: np.ndarray,
    config: Config,
    unfed: tuple[str, ...] = (),
) -> pd.api.extensions.ExtensionArray:
    """Each row's input problems and gaps; a pillar the whole book cannot feed is said once
    (`book_warnings`), not on every row."""
    problems = [
        (np.isnan(scores[:, i]), f"no usable {SHORT_LABELS[pillar.key]} data")
        for i, pillar in enumerate(config.pillars)
        if pillar.weight > 0 and pillar.key not in unfed
    ]
    problems.append((np.isnan(priority), "no usable data to score: priority left empty"))
    loader = accounts.get(LOADER_ISSUES_COLUMN)
    return problem_texts(loader, problems, len(accounts))


def problem_texts(
    issues: pd.Series | None, problems: list[tuple[np.ndarray, str]], n: int
) -> pd.api.extensions.ExtensionArray:
    """The loader's `issues` of each row, then each problem its mask selects, `; `-joined.

    Rows are coded by their loader text and the set of problems they have, and each distinct
    code is written once (a book has a handful), not row by row.
    """
    width = len(problems)
    codes = np.zeros(n, dtype="int64")
    for bit, (mask, _) in enumerate(problems):
        codes |= np.left_shift(mask, bit, dtype="int64")
    if issues is not None:  # hashed as Arrow text (a loaded book's); missing: no text
        loader_codes, uniques = factorized(issues)
        loader_texts = [*uniques, ""]
        codes |= np.where(loader_codes < 0, len(uniques), loader_codes).astype("int64") << width
    else:
        loader_texts = [""]
    row_codes, distinct = _distinct(codes)

    def text(code: int) -> str:
        parts = [loader_texts[code >> width]]
        parts += [problem for bit, (_, problem) in enumerate(problems) if code >> bit & 1]
        return "; ".join(part for part in parts if part)

    table = pa.array([text(int(code)) for code in distinct], pa.string())
    return pd.array(pc.take(table, pa.array(row_codes)), dtype=TEXT)


def _distinct(codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per row an index into the distinct codes, and those codes: counted where they are
    small (a few problem bits), hashed otherwise."""
    if len(codes) and codes.max() < 1 << 16:
        present = np.flatnonzero(np.bincount(codes))
        lookup = np.zeros(int(present[-1]) + 1, dtype="int64")
        lookup[present] = np.arange(len(present))
        return lookup[codes], present
    return pd.factorize(codes)


def _input_columns(accounts: pd.DataFrame) -> pd.DataFrame:
    """The input's own columns, with any that an output column would overwrite renamed."""
    ours = set(OUTPUT_COLUMNS) | set(LENS_COLUMNS)
    renames = {c: f"{c} (input)" for c in accounts.columns if c in ours}
    frame = accounts.drop(columns=[LOADER_ISSUES_COLUMN], errors="ignore")
    return frame.rename(columns=renames) if renames else frame


def _with_columns(inputs: pd.DataFrame, columns: dict[str, object]) -> pd.DataFrame:
    """The input's columns, then the new ones, in one go: inserting them one at a time costs
    twice as much, and a frame built of them copies them all into one block (at five million
    accounts, a third of a gigabyte more). They are this call's own arrays: taken as they are.
    A new column the book already has (`held`) takes its place."""
    frame = inputs
    clashes = [column for column in columns if column in inputs]
    if clashes:
        frame = inputs.copy(deep=False)
        for column in clashes:
            frame[column] = columns.pop(column)
    added = pd.DataFrame(columns, index=inputs.index, copy=False)
    return pd.concat([frame, added], axis=1).__finalize__(inputs)


@functools.cache
def _blas() -> ThreadpoolController:
    return ThreadpoolController()  # finding the loaded BLAS takes a millisecond: once


def _weighted(metric_scores: MetricScores, config: Config) -> tuple[np.ndarray, ...]:
    """Stage 2's first steps: pillar scores, the scores as they enter priority, priority.

    The weighted sums are matrix-vector products of a few columns: BLAS on one thread, as
    waking its threads costs more than they save (and on a busy machine far more); each
    row's sum is one thread's either way, so the numbers are the same.
    """
    if metric_scores.scoring_key != config.scoring_key():
        raise ValueError("metric settings changed since score_metrics(): score the metrics again")
    with _blas().limit(limits=1, user_api="blas"):
        scores = pillar_scores(metric_scores, config)
        effective = effective_scores(scores, config)
        return scores, effective, priority_from(effective, config)


def priorities(metric_scores: MetricScores, config: Config) -> np.ndarray:
    """Each account's priority, as `tier_accounts` computes it, without the rest of stage 2
    (what calibration's out-of-sample checks score many times)."""
    return _weighted(metric_scores, config)[2]


def tier_accounts(
    metric_scores: MetricScores,
    config: Config,
    *,
    previous_tier: object = None,
    earlier_cuts: np.ndarray | None = None,
    reasons: bool = True,
) -> pd.DataFrame:
    """Stage 2: weights, priority, tiers, movement rules, guard-rails, quadrant and reasons.

    The movement rules (`config.movement`) use `previous_tier` (tier names aligned with the
    accounts; default: the book's previous-tier column) and, for `min_periods`, the plain cuts
    of earlier snapshots (`earlier_cuts`, see rules/movement.py).

    With `reasons=False` the `reasons` text is not built: the frame keeps the codes that make
    it (`frame.attrs["reasons"]`, a `HeldReasons`) and `with_reasons` writes the text of any rows
    taken from it (the rows shown, exported or asked for).
    """
    scores, effective, priority = _weighted(metric_scores, config)
    accounts = metric_scores.accounts
    config = pin_cutoffs(priority, config)  # relative cut-offs become this book's numbers
    cut_index = cut_tiers(priority, config)
    moved = movement_for(
        accounts, metric_scores.lenses, cut_index, priority, config, previous_tier, earlier_cuts
    )
    rails = apply_guardrails(moved.tier_index, accounts, config, metric_scores.as_of)
    quadrants = quadrant_codes(scores, priority, accounts, config)

    codes = explain(metric_scores, config, effective, rails, cut_index)
    del effective  # explain's last use: at five million accounts, 160 MB less at the peak
    rounded = np.empty((len(SCORE_COLUMNS), len(priority)))  # a contiguous row per column
    shown_scores(scores.T, out=rounded)
    columns: dict[str, object] = dict(zip(SCORE_COLUMNS, rounded, strict=True))
    columns["priority"] = priority
    columns["tier"] = pd.Categorical.from_codes(
        rails.tier_index, list(config.tier_names), ordered=True
    )
    labels = [label for _, label in config.quadrant.labels]
    columns["quadrant"] = pd.Categorical.from_codes(quadrants, labels)
    if config.movement.active:  # the rule that held each account, said in its reasons too
        moved = held_where_it_matters(
            moved,
            rails.tier_index,
            apply_guardrails(cut_index, accounts, config, metric_scores.as_of),
        )
        days = metric_scores.lenses.get("days_to_renewal")
        codes = codes.with_held(held_notes(moved, cut_index, priority, config, days))
        columns["held"] = held_names(moved.held)
    if reasons:
        columns["reasons"] = pd.array(codes.texts(), dtype=TEXT)
    unfed = unfed_pillars(metric_scores, config)
    columns["data_issues"] = data_issues(accounts, scores, priority, config, unfed)
    columns.update((name, values.copy()) for name, values in metric_scores.lenses.items())
    result = _with_columns(_input_columns(accounts), columns)
    if not reasons:
        result.attrs["reasons"] = HeldReasons(codes)
    return result


class HeldReasons(dict):
    """A frame's reason codes, kept in its `attrs`: shared by its copies and subsets (pandas
    deep-copies attrs), equal only to itself, and an empty dict to JSON, as pyarrow writes a
    frame's attrs into its schema (Streamlit's tables and charts) and warns on anything else."""

    __slots__ = ("codes",)

    def __init__(self, codes: Reasons) -> None:
        super().__init__()
        self.codes = codes

    def __deepcopy__(self, memo: dict) -> HeldReasons:
        return self

    __eq__ = object.__eq__
    __ne__ = object.__ne__
    __hash__ = object.__hash__


def with_reasons(frame: pd.DataFrame, rows: np.ndarray | None = None) -> pd.DataFrame:
    """`frame` with its `reasons` text, built for its rows only.

    `frame` is the result of `tier_accounts(..., reasons=False)` or rows taken from it (a
    filter, a page of the account list): its index labels find the rows, so a subset needs
    the book's index to be unique, unless `rows` gives their positions in the book. A frame
    that has its text already is returned as it is.
    """
    held = frame.attrs.get("reasons")
    if "reasons" in frame or not isinstance(held, HeldReasons):
        return frame
    codes = held.codes
    rows = codes.positions(frame.index) if rows is None else rows
    out = frame.copy(deep=False)
    out.attrs = {k: v for k, v in frame.attrs.items() if k != "reasons"}
    at = out.columns.get_loc("data_issues") if "data_issues" in out else len(out.columns)
    out.insert(at, "reasons", pd.array(codes.texts(rows), dtype=TEXT))
    return out


def segment(
    accounts: pd.DataFrame,
    config: Config,
    *,
    as_of: dt.date | None = None,
    previous_tier: object = None,
    reasons: bool = True,
) -> pd.DataFrame:
    """Segment a book: the input rows, same order and index, plus the output columns.

    `as_of` is the day renewal windows are counted from; without it they stay empty (the
    core reads no clock: the app and the CLI pass today's date). `reasons=False`: the
    `reasons` text is left to `with_reasons` (see `tier_accounts`).

    >>> result = segment(book.accounts, default_config())   # doctest: +SKIP
    >>> result["tier"].value_counts()                        # doctest: +SKIP
    """
    if config.profiles:  # each profile's accounts with its own settings (segmentation/profiles.py)
        return segment_with_profiles(accounts, config, as_of=as_of, previous_tier=previous_tier)
    metric_scores = score_metrics(accounts, config, as_of=as_of)
    return tier_accounts(metric_scores, config, previous_tier=previous_tier, reasons=reasons)


def fitted_config(metric_scores: MetricScores, config: Config) -> Config:
    """The config as this book cuts it: relative cut-offs pinned to its priorities' numbers.

    What the app shows on its sliders and saves, and what the CLI writes in the export's
    Settings sheet, so that a saved file gives the same tiers on the same book.
    """
    if config.profiles:  # each profile's relative cut-offs pinned over its own population
        config = pin_profiles(metric_scores.accounts, config, metric_scores.as_of)
    return pin_cutoffs(priorities(metric_scores, config), config)


def book_warnings(metric_scores: MetricScores, config: Config) -> list[str]:
    """One sentence per problem of the book that changes the result (the CLI's `warning:`s).

    No revenue, duplicate ids, a pillar the book cannot feed, a column the settings name
    that the book does not have. Low-confidence column matches are the load report's.
    """
    accounts = metric_scores.accounts
    lines = []
    if "arr" not in accounts or accounts["arr"].isna().all():
        lines.append(
            "no revenue column (ARR or MRR) was found: revenue is left out of strategic value, "
            "and tier ARR and coverage read $0; map one (--map arr=HEADER or on the Data page)"
        )
    if "account_id" in accounts:
        ids = accounts["account_id"]
        repeated = ids.notna() & ids.duplicated(keep=False)
        if repeated.any():
            lines.append(
                f"{ids[repeated].nunique():,} account ids appear more than once "
                f"({int(repeated.sum()):,} rows): each row is scored as its own account"
            )
    lines += unfed_pillar_words(config, unfed_pillars(metric_scores, config))
    known = set(CANONICAL_NAMES) | set(LENS_COLUMNS) | {"tenure"}
    for column in metric_scores.missing_columns:
        if column not in known:
            lines.append(
                f"the settings use column '{column}', which this book does not have: that "
                "metric is left out and its weight re-spread"
            )
    lines += expired_words(config.guardrails, metric_scores.as_of)  # said, not applied
    return lines
