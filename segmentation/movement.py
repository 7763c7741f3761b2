"""Movement between tiers: against a baseline in the workshop, and between snapshots.

Snapshots over time (issue 11): each earlier book is scored with the current settings (a
Tierwise export's own tiers are read back too), the movement rules (rules/movement.py) are
chained from the oldest snapshot to the book of today, and each move is explained by the
pillar and metric that changed most and by whether the data or the settings moved it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from segmentation.config import SHORT_LABELS, Config, MovementRules
from segmentation.errors import InputError
from segmentation.rules.metrics import MetricScores, score_metrics
from segmentation.rules.movement import held_names, tier_positions, tier_steps
from segmentation.rules.pillars import effective_scores, shares_of
from segmentation.rules.reasons import describe_values
from segmentation.rules.tiers import cut_tiers
from segmentation.views.book import arr_values


def movement_matrix(baseline_tier: pd.Categorical, current_tier: pd.Categorical) -> pd.DataFrame:
    """Accounts by baseline tier (rows) and current tier (columns)."""
    rows = list(baseline_tier.categories)
    cols = list(current_tier.categories)
    b = np.asarray(baseline_tier.codes, dtype="int64")
    c = np.asarray(current_tier.codes, dtype="int64")
    ok = (b >= 0) & (c >= 0)
    counts = np.bincount(b[ok] * len(cols) + c[ok], minlength=len(rows) * len(cols))
    matrix = pd.DataFrame(counts.reshape(len(rows), len(cols)), index=rows, columns=cols)
    matrix.index.name = "baseline"
    matrix.columns.name = "now"
    return matrix


def _direction(baseline_tier: pd.Categorical, current_tier: pd.Categorical) -> np.ndarray:
    """tier_steps against the baseline, by tier name; 0 where either tier is unknown."""
    current = pd.Categorical(current_tier)
    before = tier_positions(baseline_tier, list(current.categories))
    now = tier_positions(current, list(current.categories))
    return np.nan_to_num(tier_steps(before, now), nan=0.0).astype("int64")


@dataclass(frozen=True)
class Movement:
    moved: int
    up: int  # to a higher-touch tier
    down: int
    arr_moved: float


def movement_totals(result: pd.DataFrame, baseline_tier: pd.Categorical) -> Movement:
    direction = _direction(baseline_tier, pd.Categorical(result["tier"]))
    moved = direction != 0
    return Movement(
        moved=int(moved.sum()),
        up=int((direction < 0).sum()),
        down=int((direction > 0).sum()),
        arr_moved=float(arr_values(result)[moved].sum()),
    )


def moved_accounts(
    result: pd.DataFrame, baseline_tier: pd.Categorical, limit: int = 15
) -> pd.DataFrame:
    """The accounts whose tier differs from the baseline, largest ARR first, at most `limit`."""
    direction = _direction(baseline_tier, pd.Categorical(result["tier"]))
    rows = np.flatnonzero(direction != 0)
    arr = arr_values(result)[rows]
    if rows.size > limit:
        top = np.argpartition(-arr, limit - 1)[:limit]
        rows, arr = rows[top], arr[top]
    rows = rows[np.argsort(-arr, kind="stable")]
    from segmentation.segment import with_reasons  # (segment imports this module's rules)

    picked = with_reasons(result.iloc[rows])  # the text of these rows only
    frame = pd.DataFrame(index=picked.index)
    for column in ("account_name", "account_id", "arr"):
        if column in picked.columns:
            frame[column] = picked[column]
    frame["from_tier"] = pd.Categorical(baseline_tier)[rows]
    frame["to_tier"] = picked["tier"]
    frame["move"] = np.where(direction[rows] < 0, "up", "down")
    frame["priority"] = picked["priority"]
    frame["reasons"] = picked["reasons"]
    return frame


# --- snapshots: this book against a previous one -------------------------------------------

TIER_CHANGES = ("up", "down", "same", "new")


def match_key(result: pd.DataFrame, previous: pd.DataFrame) -> str:
    """The column accounts are matched on: account_id when both have it, else account_name."""
    key = "account_id" if "account_id" in result and "account_id" in previous else "account_name"
    if key not in result or key not in previous:
        raise InputError("the previous file has no account id or name to match accounts on.")
    return key


def match_keys(values: pd.Series) -> pd.Index:
    """The keys to match accounts on, stripped; missing for a missing or blank key (never the
    text "nan" or "<NA>", which would match every other account without a key)."""
    values = pd.Series(values.astype(object).to_numpy(), dtype=object)
    known = values.notna().to_numpy()
    text = np.full(len(values), None, dtype=object)
    stripped = values[known].astype(str).str.strip().to_numpy(dtype=object)
    text[known] = np.where(stripped != "", stripped, None)
    return pd.Index(text, dtype=object)


def previous_tier_column(previous: pd.DataFrame) -> str:
    """The previous book's tier: its `tier` column (any case), else `previous_tier`."""
    for column in previous.columns:
        if str(column).strip().lower() == "tier":
            return column
    if "previous_tier" in previous:
        return "previous_tier"
    raise InputError("the previous file has no tier column (Tier or Previous Tier).")


def tier_changes(
    result: pd.DataFrame, previous: pd.DataFrame, tier_order: Sequence[str]
) -> pd.Series:
    """Per account of `result`: "up", "down", "same" or "new" against the previous book.

    Accounts are matched by account_id (else account_name); an account whose key is missing
    or blank matches nothing ("new"). The previous tier is its `tier` column (any case), else
    its canonical `previous_tier`. A previous tier that is missing or not one of `tier_order`
    gives an empty value.
    """
    key = match_key(result, previous)
    previous_keys = match_keys(previous[key])
    before_by_key = pd.Series(
        tier_positions(previous[previous_tier_column(previous)], tier_order), index=previous_keys
    )[previous_keys.notna()]
    before_by_key = before_by_key[~before_by_key.index.duplicated()]
    keys = match_keys(result[key])
    known = keys.notna() & keys.isin(before_by_key.index)
    before = before_by_key.reindex(keys).to_numpy()
    change = change_labels(before, tier_positions(result["tier"], tier_order), known)
    return pd.Series(change, index=result.index, dtype="str").replace("", pd.NA)


def change_labels(before: np.ndarray, now: np.ndarray, matched: np.ndarray) -> np.ndarray:
    """ "up", "down", "same"; "new" for an account not in the previous book; "" where its
    previous tier is unknown."""
    steps = tier_steps(before, now)
    return np.select(
        [~matched, np.isnan(steps), steps < 0, steps > 0], ["new", "", "up", "down"], "same"
    )


@dataclass(frozen=True)
class SnapshotComparison:
    counts: dict[str, int]  # accounts per tier change, in TIER_CHANGES order
    unknown: int  # accounts with no comparable previous tier
    gone: int  # accounts of the previous book no longer in this one


def compare_snapshots(
    changes: pd.Series, result: pd.DataFrame, previous: pd.DataFrame
) -> SnapshotComparison:
    """The totals of `tier_changes`, and the accounts that left the book."""
    counts = changes.value_counts()
    key = match_key(result, previous)
    previous_keys, keys = match_keys(previous[key]), match_keys(result[key])
    gone = int((previous_keys.notna() & ~previous_keys.isin(keys[keys.notna()])).sum())
    return SnapshotComparison(
        counts={name: int(counts.get(name, 0)) for name in TIER_CHANGES},
        unknown=int(changes.isna().sum()),
        gone=gone,
    )


@dataclass(frozen=True)
class MovementView:
    """The "who moved" panel: totals, the from/to matrix and the largest accounts that moved."""

    totals: Movement
    matrix: pd.DataFrame
    moved: pd.DataFrame


def movement_view(result: pd.DataFrame, baseline_tier: pd.Categorical) -> MovementView:
    """The movement panel in one call (matrix and list only when an account moved)."""
    totals = movement_totals(result, baseline_tier)
    if totals.moved == 0:
        return MovementView(totals, pd.DataFrame(), pd.DataFrame())
    return MovementView(
        totals,
        movement_matrix(baseline_tier, result["tier"].array),
        moved_accounts(result, baseline_tier),
    )


# --- snapshots over time: the movement rules chained, drivers, replay ------------------------

DATE_IN_NAME = re.compile(r"(?<!\d)(20\d\d)[-_.]?([01]\d)[-_.]?([0-3]\d)(?!\d)")
CAUSES = ("data", "settings", "data and settings")


def snapshot_date(name: str) -> dt.date | None:
    """The as-of date a file name carries (accounts_2026-08-01.csv, book-20260801.xlsx)."""
    for found in DATE_IN_NAME.finditer(str(name)):
        try:
            return dt.date(*(int(part) for part in found.groups()))
        except ValueError:
            continue
    return None


@dataclass(frozen=True, eq=False)
class Snapshot:
    """A book of accounts as it was on `as_of` (None: unknown, kept in the order given)."""

    name: str
    accounts: pd.DataFrame
    as_of: dt.date | None = None
    settings: Config | None = None  # a Tierwise XLSX export's own settings, read back


def ordered(snapshots: Sequence[Snapshot]) -> list[Snapshot]:
    """Oldest first by as-of date; snapshots without a date keep their place after the dated."""
    return sorted(snapshots, key=lambda s: (s.as_of is None, s.as_of or dt.date.min))


@dataclass(frozen=True, eq=False)
class ScoredSnapshot:
    """A snapshot scored with the current settings (movement rules off), and its own tiers."""

    snapshot: Snapshot
    metric_scores: MetricScores
    result: pd.DataFrame  # the plain segmentation under the current settings
    keys: pd.Index  # match keys (account_id, else account_name), None where blank
    recorded: np.ndarray | None  # tier positions the file itself gives, NaN where it has none


def history_key(books: Sequence[pd.DataFrame]) -> str:
    """The column every snapshot is matched on: account_id when all have it, else account_name."""
    for column in ("account_id", "account_name"):
        if all(column in book for book in books):
            return column
    raise InputError("a snapshot has no account id or name to match accounts on.")


def plain_settings(config: Config) -> Config:
    """The settings without movement rules: the plain cut, guard-rails and overrides."""
    return replace(config, movement=MovementRules()) if config.movement.active else config


def score_snapshot(
    snapshot: Snapshot,
    config: Config,
    metric_scores: MetricScores | None = None,
    *,
    key: str = "account_id",
    read_tiers: bool = True,
) -> ScoredSnapshot:
    """Score a snapshot with the current settings; read back its own tiers where it has them
    (`read_tiers`: an earlier snapshot; the book of today has no tiers of its own yet)."""
    from segmentation.segment import tier_accounts

    accounts = snapshot.accounts
    plain = plain_settings(config)
    if metric_scores is None or metric_scores.scoring_key != config.scoring_key():
        metric_scores = score_metrics(accounts, plain, as_of=snapshot.as_of)
    recorded = None
    if read_tiers:
        with contextlib.suppress(InputError):  # a raw export: the current settings' tiers
            recorded = tier_positions(accounts[previous_tier_column(accounts)], config.tier_names)
    return ScoredSnapshot(
        snapshot=snapshot,
        metric_scores=metric_scores,
        result=tier_accounts(metric_scores, plain),
        keys=match_keys(accounts[key]),
        recorded=recorded,
    )


def aligned(values: np.ndarray, source: pd.Index, target: pd.Index, fill: float) -> np.ndarray:
    """`values` (one per key of `source`) for each key of `target`; `fill` where absent.

    The first account with a key counts; a missing key matches nothing.
    """
    lookup = pd.Index(source).get_indexer(pd.Index(target)) if source.is_unique else None
    if lookup is None:
        first = ~pd.Index(source).duplicated()
        lookup = pd.Index(source[first]).get_indexer(pd.Index(target))
        values = np.asarray(values)[first]
    lookup = np.where(pd.isna(np.asarray(target, dtype=object)), -1, lookup)
    out = np.asarray(values, dtype="float64")
    return np.where(lookup >= 0, out[np.maximum(lookup, 0)] if len(out) else fill, fill)


def _positions(result: pd.DataFrame) -> np.ndarray:
    return np.asarray(result["tier"].cat.codes, dtype="float64")


def _cuts(scored: ScoredSnapshot, config: Config) -> np.ndarray:
    return cut_tiers(scored.result["priority"].to_numpy(dtype="float64"), config)


def tier_names_of(positions: np.ndarray, config: Config) -> np.ndarray:
    """Tier positions as tier names; None where unknown."""
    names = np.asarray(config.tier_names, dtype=object)
    known = ~np.isnan(positions)
    return np.where(known, names[np.where(known, positions, 0).astype("int64")], None)


def chain(
    history: Sequence[ScoredSnapshot], config: Config, *, use_recorded: bool = True
) -> list[np.ndarray]:
    """Each snapshot's tier positions under the movement rules, oldest first.

    The oldest snapshot takes the current settings' tiers; each later one starts from the one
    before it. With `use_recorded`, a snapshot's own tiers (a Tierwise export's) win.
    """
    from segmentation.segment import tier_accounts

    tiers: list[np.ndarray] = []
    for k, scored in enumerate(history):
        if k == 0:
            final = _positions(scored.result)
        else:
            before = history[k - 1]
            previous = aligned(tiers[-1], before.keys, scored.keys, np.nan)
            earlier = np.vstack(
                [aligned(_cuts(h, config), h.keys, scored.keys, -1) for h in reversed(history[:k])]
            ).astype("int64")
            result = tier_accounts(
                scored.metric_scores,
                config,
                previous_tier=tier_names_of(previous, config),
                earlier_cuts=earlier,
            )
            final = _positions(result)
        if use_recorded and scored.recorded is not None:
            final = np.where(np.isnan(scored.recorded), final, scored.recorded)
        tiers.append(final)
    return tiers


def previous_tier_names(
    history: Sequence[ScoredSnapshot], now_keys: pd.Index, config: Config
) -> tuple[np.ndarray, np.ndarray]:
    """For the book of today: each account's previous tier name (None where unknown), and the
    earlier snapshots' plain cuts for `min_periods` (the previous one first)."""
    if not history:
        return np.full(len(now_keys), None, dtype=object), np.zeros((0, len(now_keys)), "int64")
    previous = aligned(chain(history, config)[-1], history[-1].keys, now_keys, np.nan)
    names_now = tier_names_of(previous, config)
    earlier = np.vstack(
        [aligned(_cuts(h, config), h.keys, now_keys, -1) for h in reversed(history)]
    ).astype("int64")
    return names_now, earlier


def segment_with_history(
    now: ScoredSnapshot, history: Sequence[ScoredSnapshot], config: Config
) -> pd.DataFrame:
    """The book of today under the movement rules, against its earlier snapshots (oldest
    first), with `tier_change` (up / down / same / new) and `held`: what the app's Movement
    page and `score --previous` both show."""
    from segmentation.segment import tier_accounts

    previous, earlier = previous_tier_names(history, now.keys, config)
    result = tier_accounts(now.metric_scores, config, previous_tier=previous, earlier_cuts=earlier)
    if "held" not in result:  # no rules: nothing is held
        result["held"] = held_names(np.zeros(len(result), dtype="int8"))
    before = tier_positions(previous, config.tier_names)
    matched = np.zeros(len(result), dtype=bool)
    if history:
        last = history[-1]
        matched = aligned(np.ones(len(last.keys)), last.keys, now.keys, 0.0) > 0
    change = change_labels(before, _positions(result), matched)
    ours = {c: f"{c} (input)" for c in ("tier_change", "previous_tier") if c in result.columns}
    result = result.rename(columns=ours)  # the input's own columns: kept, renamed
    result["previous_tier"] = pd.Categorical(previous, categories=list(config.tier_names))
    result["tier_change"] = pd.Categorical(
        np.where(change == "", None, change), categories=list(TIER_CHANGES)
    )
    return result


# --- what drove each move -------------------------------------------------------------------


def _pillar_contributions(result: pd.DataFrame, config: Config) -> np.ndarray:
    """(accounts, pillars): each pillar's points of priority (share x score as it enters)."""
    scores = result[[f"score_{p.key}" for p in config.pillars]].to_numpy(dtype="float64")
    shares = np.array(list(shares_of({p.key: p.weight for p in config.pillars}).values()))
    return effective_scores(scores, config) * shares


def _texts(values: np.ndarray, template: str) -> pa.Array:
    codes, uniques = pd.factorize(values)
    table = pa.array([template.format(*u) for u in uniques] + [""], pa.string())
    return pc.take(table, pa.array(np.where(codes < 0, len(uniques), codes)))


def _metric_change_texts(
    now: ScoredSnapshot, before: ScoredSnapshot, rows_before: np.ndarray, pillar: np.ndarray,
    direction: np.ndarray, config: Config,
) -> pa.Array:  # fmt: skip
    """'NPS 9 -> NPS 4': the metric of the driving pillar whose score moved most with the move."""
    n = len(pillar)
    out = np.full(n, "", dtype=object)
    here = rows_before >= 0
    for p, settings in enumerate(config.pillars):
        rows = np.flatnonzero((pillar == p) & here)
        if rows.size == 0 or not settings.metrics:
            continue
        sign = 1.0 if settings.effect == "raises" else -1.0
        a, b = now.metric_scores.pillars[p], before.metric_scores.pillars[p]
        weights = np.array([m.weight for m in settings.metrics])
        change = (a.filled[rows] - b.filled[rows_before[rows]]) * weights * sign
        usable = (a.known[rows] > 0) & (b.known[rows_before[rows]] > 0) & (weights > 0)
        pull = np.where(usable, change * -direction[rows, None], -np.inf)
        metric = np.argmax(pull, axis=1)
        found = np.isfinite(pull[np.arange(rows.size), metric]) & (pull.max(axis=1) > 0)
        for m, spec in enumerate(settings.metrics):
            pick = rows[found & (metric == m)]
            if not pick.size:
                continue
            # Only the movers' values are formatted, not the whole book's.
            new_values = a.inputs[m].iloc[pick]
            old_values = b.inputs[m].iloc[rows_before[pick]]
            now_codes, now_table = describe_values(new_values, spec.column, spec.scheme)
            old_codes, old_table = describe_values(old_values, spec.column, spec.scheme)
            old = np.asarray(old_table, dtype=object)[old_codes]
            new = np.asarray(now_table, dtype=object)[now_codes]
            out[pick] = old + " -> " + new
    return pa.array(out, pa.string())


def move_drivers(
    now: ScoredSnapshot, before: ScoredSnapshot, now_result: pd.DataFrame, config: Config,
    direction: np.ndarray,
) -> pa.Array:  # fmt: skip
    """Per account of today, what drove its move (empty where it did not move or was new):
    'health 62 -> 38: NPS 9 -> NPS 4', the pillar whose points of priority moved most with it."""
    rows_before = aligned(np.arange(len(before.keys)), before.keys, now.keys, -1).astype("int64")
    here = (rows_before >= 0) & (direction != 0)
    contrib_now = _pillar_contributions(now_result, config)
    contrib_before = _pillar_contributions(before.result, config)[np.maximum(rows_before, 0)]
    pull = np.nan_to_num(contrib_now - contrib_before) * -direction[:, None]
    pillar = np.argmax(pull, axis=1)
    columns = [f"score_{p.key}" for p in config.pillars]
    rows = np.arange(len(pillar))
    scores_now = now_result[columns].to_numpy(dtype="float64")[rows, pillar]
    scores_before = before.result[columns].to_numpy(dtype="float64")[np.maximum(rows_before, 0)]
    scores_before = scores_before[rows, pillar]
    keys = [p.key for p in config.pillars]
    combos = np.column_stack(
        [
            pillar,
            np.nan_to_num(np.round(scores_before), nan=-1),
            np.nan_to_num(np.round(scores_now), nan=-1),
        ]
    )
    combos = np.where(here[:, None], combos, -9).astype("int64")
    labels = [SHORT_LABELS.get(key, key) for key in keys]
    codes = combos[:, 0] * 1_000_000 + (combos[:, 1] + 1) * 1000 + (combos[:, 2] + 1)
    uniques, inverse = np.unique(codes, return_inverse=True)
    table = []
    for code in uniques:
        if code < 0:
            table.append("")
            continue
        p, old, new = code // 1_000_000, code // 1000 % 1000 - 1, code % 1000 - 1
        table.append(f"{labels[p]} {_score(old)} -> {_score(new)}")
    pillar_text = pc.take(pa.array(table, pa.string()), pa.array(inverse.ravel()))
    metrics = _metric_change_texts(now, before, np.where(here, rows_before, -1), pillar,
                                   direction, config)  # fmt: skip
    joiner = pc.if_else(pc.not_equal(metrics, ""), ": ", "")
    return pc.binary_join_element_wise(pillar_text, joiner, metrics, "")


def _score(value: int) -> str:
    return "none" if value < 0 else str(value)


# --- the Movement page's panels -------------------------------------------------------------


MOVER_COLUMNS = ("account_name", "account_id", "csm", "arr")


def movers(
    now: ScoredSnapshot, before: ScoredSnapshot, now_result: pd.DataFrame, config: Config
) -> pd.DataFrame:
    """Every account of today with its move against the previous snapshot: tiers, ARR then and
    now, priority then and now, the rule that held it, whether the data or the settings moved
    it, and what drove it. Ordered by ARR, largest first."""
    before_positions = tier_positions(now_result["previous_tier"], config.tier_names)
    now_positions = _positions(now_result)
    direction = np.nan_to_num(tier_steps(before_positions, now_positions)).astype("int64")
    rows_before = aligned(np.arange(len(before.keys)), before.keys, now.keys, -1).astype("int64")
    present = rows_before >= 0
    take = np.maximum(rows_before, 0)
    rescored_before = np.where(present, _positions(before.result)[take], np.nan)
    # The settings moved it when its old data under today's settings already gives today's tier.
    by_settings = rescored_before != before_positions
    by_data = rescored_before != now_positions
    cause = np.select(
        [direction == 0, by_settings & by_data, by_settings, by_data],
        ["", CAUSES[2], CAUSES[1], CAUSES[0]],
        "",
    )
    frame = pd.DataFrame(index=now_result.index)
    for column in MOVER_COLUMNS:
        if column in now_result:
            frame[column] = now_result[column]
    arr_before = np.where(present, arr_values(before.result)[take], np.nan)
    frame["arr_before"] = arr_before
    frame["from_tier"] = now_result["previous_tier"]
    frame["to_tier"] = now_result["tier"]
    frame["tier_change"] = now_result["tier_change"]
    before_priority = before.result["priority"].to_numpy(dtype="float64")[take]
    frame["priority_before"] = np.where(present, np.round(before_priority, 1), np.nan)
    frame["priority"] = np.round(now_result["priority"].to_numpy(dtype="float64"), 1)
    frame["held"] = now_result["held"]
    frame["cause"] = pd.Categorical(np.where(cause == "", None, cause), categories=list(CAUSES))
    drivers = move_drivers(now, before, now_result, config, direction)
    frame["drivers"] = pd.array(drivers, dtype=pd.StringDtype("pyarrow", na_value=np.nan))
    order = np.argsort(-arr_values(now_result), kind="stable")
    return frame.iloc[order]


def movement_matrices(frame: pd.DataFrame, config: Config) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Accounts and ARR by previous tier (rows) and tier now (columns)."""
    names = list(config.tier_names)
    rows = pd.Categorical(frame["from_tier"], categories=names)
    cols = pd.Categorical(frame["to_tier"], categories=names)
    b = np.asarray(rows.codes, dtype="int64")
    c = np.asarray(cols.codes, dtype="int64")
    ok = (b >= 0) & (c >= 0)
    cells = b[ok] * len(names) + c[ok]
    size = len(names) ** 2
    counts = np.bincount(cells, minlength=size).reshape(len(names), -1)
    arr = np.nan_to_num(frame["arr"].to_numpy(dtype="float64")) if "arr" in frame else None
    weights = arr[ok] if arr is not None else np.zeros(ok.sum())
    arrs = np.bincount(cells, weights=weights, minlength=size).reshape(len(names), -1)
    index = pd.Index(names, name="previous")
    columns = pd.Index(names, name="now")
    return (
        pd.DataFrame(counts, index=index, columns=columns),
        pd.DataFrame(arrs, index=index, columns=columns),
    )


def filter_movers(
    frame: pd.DataFrame,
    *,
    pairs: Sequence[tuple[str, str]] = (),
    csms: Sequence[str] = (),
    directions: Sequence[str] = (),
) -> pd.DataFrame:
    """The movers list narrowed by tier pairs (from, to), CSMs and directions (up, down...)."""
    keep = np.ones(len(frame), dtype=bool)
    if pairs:
        pair = frame["from_tier"].astype(object).astype(str) + "\x00" + frame["to_tier"].astype(str)
        keep &= pair.isin([f"{a}\x00{b}" for a, b in pairs]).to_numpy()
    if csms and "csm" in frame:
        keep &= frame["csm"].astype(object).isin(list(csms)).to_numpy()
    if directions:  # "up", "down", "moved" (either), "held" (kept where it was by a rule)
        wanted = set(directions) | ({"up", "down"} if "moved" in directions else set())
        chosen = frame["tier_change"].astype(object).isin(list(wanted)).to_numpy()
        if "held" in directions:
            chosen = chosen | frame["held"].notna().to_numpy()
        keep &= chosen
    return frame[keep]


def flows(frame: pd.DataFrame, config: Config) -> pd.DataFrame:
    """The flow chart's data: accounts and ARR per (previous tier, tier now), moves only."""
    counts, arrs = movement_matrices(frame, config)
    table = counts.stack().rename("accounts").to_frame().join(arrs.stack().rename("arr"))
    table = table.reset_index()
    return table[table["accounts"] > 0].reset_index(drop=True)


# --- replay: book churn per period, with and without the rules -------------------------------


def replay(
    history: Sequence[ScoredSnapshot], config: Config, ruled: list[np.ndarray] | None = None
) -> pd.DataFrame:
    """Per period (each snapshot after the first): the accounts in both snapshots, and the
    share of them, and of their ARR, that change tier without movement rules and with them.

    `ruled`: the chain under the rules when already known (`chain(..., use_recorded=False)`)."""
    plain = [_positions(h.result) for h in history]
    ruled = ruled if ruled is not None else chain(history, config, use_recorded=False)
    rows = []
    for k in range(1, len(history)):
        before, now = history[k - 1], history[k]
        arr = arr_values(now.result)
        row: dict[str, object] = {
            "snapshot": now.snapshot.name,
            "as_of": now.snapshot.as_of,
        }
        for label, tiers in (("without_rules", plain), ("with_rules", ruled)):
            old = aligned(tiers[k - 1], before.keys, now.keys, np.nan)
            both = ~np.isnan(old)
            moved = both & (old != tiers[k])
            row["accounts"] = int(both.sum())
            row[f"moved_{label}"] = int(moved.sum())
            row[f"share_{label}"] = moved.sum() / max(int(both.sum()), 1)
            row[f"arr_share_{label}"] = arr[moved].sum() / max(arr[both].sum(), 1.0)
        rows.append(row)
    return pd.DataFrame(rows)


def score_against(
    accounts: pd.DataFrame,
    config: Config,
    earlier: Sequence[Snapshot],
    *,
    as_of: dt.date | None = None,
) -> tuple[pd.DataFrame, ScoredSnapshot, list[ScoredSnapshot]]:
    """The book of today segmented against earlier snapshots (any order; sorted by as-of date):
    the result (with `tier_change`, `held`, `previous_tier`), today's and the earlier scored."""
    earlier = ordered(earlier)
    key = history_key([accounts, *(s.accounts for s in earlier)])
    history = [score_snapshot(s, config, key=key) for s in earlier]
    now = score_snapshot(Snapshot("today", accounts, as_of), config, key=key, read_tiers=False)
    return segment_with_history(now, history, config), now, history


def held_counts(result: pd.DataFrame) -> dict[str, int]:
    """Accounts held by each movement rule (none when the rules are off)."""
    if "held" not in result:
        return {}
    counts = result["held"].value_counts()
    return {str(rule): int(n) for rule, n in counts.items() if n}


@dataclass(frozen=True, eq=False)
class MovementPanel:
    """The Movement page in one call: today's book under the rules against the last snapshot."""

    result: pd.DataFrame  # today's segmentation under the movement rules
    movers: pd.DataFrame  # every account that moved or was held, largest ARR first
    counts: pd.DataFrame  # accounts by previous tier (rows) and tier now (columns)
    arr: pd.DataFrame  # the same in ARR
    flows: pd.DataFrame  # (previous, now, accounts, arr) for the flow chart
    totals: dict[str, int]  # up, down, same, new, held
    arr_moved: float
    previous: str  # the snapshot compared with
    settings_changes: list[str] | None  # criteria that differ from that snapshot's settings
    own_tiers: bool  # whether that snapshot's tiers are its own (else scored with today's settings)
    replay: pd.DataFrame | None  # book churn per period, with and without the rules


def _arr_moved(rows: pd.DataFrame) -> float:
    """The ARR of the accounts that moved up or down."""
    if "arr" not in rows:
        return 0.0
    moved = rows["tier_change"].isin(["up", "down"]).to_numpy()
    return float(np.nansum(rows["arr"].to_numpy(dtype="float64")[moved]))


def movement_panel(
    now: ScoredSnapshot, history: Sequence[ScoredSnapshot], config: Config
) -> MovementPanel:
    """Today's book against its earlier snapshots (oldest first; at least one)."""
    result = segment_with_history(now, history, config)
    every = movers(now, history[-1], result, config)
    counts, arr = movement_matrices(every, config)
    moved = every[(every["tier_change"].isin(["up", "down"]) | every["held"].notna()).to_numpy()]
    change_counts = result["tier_change"].value_counts()
    totals = {name: int(change_counts.get(name, 0)) for name in TIER_CHANGES}
    totals["held"] = sum(held_counts(result).values())
    ruled = None
    if all(h.recorded is None for h in history):  # today's tiers are already the chain's end
        ruled = [*chain(history, config, use_recorded=False), _positions(result)]
    return MovementPanel(
        result=result,
        movers=moved,
        counts=counts,
        arr=arr,
        flows=flows(every, config),
        totals=totals,
        arr_moved=_arr_moved(moved),
        previous=history[-1].snapshot.name,
        settings_changes=settings_changes(history[-1].snapshot.settings, config),
        own_tiers=history[-1].recorded is not None,
        replay=replay([*history, now], config, ruled),
    )


def settings_changes(then: Config | None, now: Config) -> list[str] | None:
    """The criteria, in plain words, that differ between a snapshot's settings and today's:
    "now: ..." and "then: ..." lines; None when the snapshot carried no settings."""
    if then is None:
        return None
    from segmentation.config import describe_config

    old, new = describe_config(then), describe_config(now)
    return [f"now: {line}" for line in new if line not in old] + [
        f"then: {line}" for line in old if line not in new
    ]


# --- the book's own current tier against the new one (issue 18) ----------------------------


@dataclass(frozen=True)
class CurrentTierView:
    """The book's current tier (its previous-tier column) against the tier now: who changes
    coverage model, by tier pair, in accounts and in ARR."""

    totals: Movement
    matrix: pd.DataFrame  # accounts by current tier (rows) and tier now (columns)
    arr_matrix: pd.DataFrame  # ARR by current tier (rows) and tier now (columns)
    compared: int  # accounts whose current tier is one of the tiers
    unknown: int  # accounts with no current tier, or one that is not a tier of these settings


def current_tiers(result: pd.DataFrame, tier_names: Sequence[str]) -> pd.Categorical | None:
    """The book's current tier (its previous-tier column) as these tiers; None without one.

    Names that are not tiers of these settings are missing. It depends only on the book and
    the tier names: the app keeps it while the sliders move."""
    if "previous_tier" not in result.columns:
        return None
    positions = tier_positions(result["previous_tier"], tier_names)
    codes = np.where(np.isnan(positions), -1, np.nan_to_num(positions, nan=-1)).astype("int64")
    return pd.Categorical.from_codes(codes, list(tier_names), ordered=True)


def current_tier_view(result: pd.DataFrame, current: pd.Categorical) -> CurrentTierView:
    """Who changes coverage model from the `current_tiers` to the tier now."""
    codes = np.asarray(current.codes, dtype="int64")
    now = pd.Categorical(result["tier"].array)
    now_codes = np.asarray(now.codes, dtype="int64")
    ok = (codes >= 0) & (now_codes >= 0)
    rows, cols = list(current.categories), list(now.categories)
    cells = codes[ok] * len(cols) + now_codes[ok]
    arr = np.bincount(cells, arr_values(result)[ok], minlength=len(rows) * len(cols))
    arr_matrix = pd.DataFrame(arr.reshape(len(rows), len(cols)), index=rows, columns=cols)
    arr_matrix.index.name, arr_matrix.columns.name = "current", "now"
    totals = movement_totals(result, current)
    matrix = movement_matrix(current, now)
    matrix.index.name = "current"
    known = int((codes >= 0).sum())
    return CurrentTierView(totals, matrix, arr_matrix, known, len(codes) - known)
