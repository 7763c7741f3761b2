"""The default rules written three other ways, to measure Tierwise against in the same run.

- `floor`: bare numpy, no checks, no reasons, no data issues: what the arithmetic costs
  (ranks through np.unique, the obvious numpy way). `stage2_floor` is its weights-and-cut part
  on metric scores already made.
- `polars_tiers`: the same rules as Polars expressions (lazy, all cores it is allowed).
- `duckdb_tiers`: the same rules as one DuckDB query (average ranks from window functions).

Each returns the tier index per account (0 = High-touch); `python -m bench peers` checks that
they agree with segment() on the benchmark books before timing them. The rules are the
default settings as they apply to a generated book (`seg.generate_accounts`): its columns, no
usage, CSAT, tenure, escalation, contract or auto-renew data (those metrics are left out).
"""

from __future__ import annotations

import datetime as dt
import statistics
import time

import numpy as np
import pandas as pd

PLAN = {"Enterprise": 100.0, "Business": 70.0, "Pro": 40.0, "Starter": 10.0}
STAGE = {"Expansion": 100.0, "Renewal": 80.0, "Adoption": 60.0, "Onboarding": 40.0, "At risk": 0.0}
OTHER = 50.0
PILLAR_WEIGHTS = np.array([30.0, 30.0, 15.0, 25.0])
SHARES = (15.0, 35.0)
# (column, weight, kind) per pillar; kind: pct | lin(low, high) | flag | plan | stage | nps
PILLARS = (
    (("whitespace", 3, "pct"), ("potential_arr", 1, "pct"), ("adoption", 1, (0.3, 1.0)),
     ("employees", 1, "pct")),
    (("arr", 3, "pct"), ("strategic_account", 2, "flag"), ("referenceable", 1, "flag"),
     ("plan", 1, "plan")),
    (("support_tickets", 2, "pct"), ("integrations", 1, "pct"), ("products", 1, "pct")),
    (("health_score", 3, (0.0, 100.0)), ("nps", 2, "nps"), ("adoption", 2, (0.0, 1.0)),
     ("lifecycle_stage", 1, "stage")),
)  # fmt: skip
HEALTH = 3  # the pillar that lowers priority


# --- numpy --------------------------------------------------------------------------------


def _np_percentile(x: np.ndarray) -> np.ndarray:
    known = ~np.isnan(x)
    _, inverse, counts = np.unique(x[known], return_inverse=True, return_counts=True)
    average = np.cumsum(counts) - (counts - 1) / 2.0
    out = np.full(len(x), np.nan)
    out[known] = (average[inverse] - 1.0) / max(int(known.sum()) - 1, 1) * 100.0
    return out


def _np_metric(columns: dict[str, np.ndarray], name: str, kind: object) -> np.ndarray:
    x = columns[name]
    if kind == "pct":
        return _np_percentile(x)
    if kind == "flag":
        return np.where(np.isnan(x), 0.0, (x != 0) * 100.0)  # missing counts as "no"
    if kind in ("plan", "stage"):
        return x  # already looked up (a dictionary per distinct label, below)
    if kind == "nps":
        return np.select([x <= 6, x <= 8, ~np.isnan(x)], [0.0, 50.0, 100.0], np.nan)
    low, high = kind
    return np.clip((x - low) / (high - low), 0.0, 1.0) * 100.0


def np_columns(accounts: pd.DataFrame) -> dict[str, np.ndarray]:
    """The book's columns as float arrays, derived ones and label lookups included."""
    f = {c: accounts[c].to_numpy(dtype="float64", na_value=np.nan) for c in (
        "arr", "potential_arr", "employees", "health_score", "nps", "active_users",
        "licensed_seats", "support_tickets", "integrations", "products",
        "strategic_account", "referenceable")}  # fmt: skip
    f["whitespace"] = np.clip(f["potential_arr"] - f["arr"], 0.0, None)
    with np.errstate(divide="ignore", invalid="ignore"):
        f["adoption"] = np.where(
            f["licensed_seats"] > 0, f["active_users"] / f["licensed_seats"], np.nan
        )
    for name, table in (("plan", PLAN), ("lifecycle_stage", STAGE)):
        codes, uniques = pd.factorize(accounts[name])
        f[name] = np.append([table.get(u, OTHER) for u in uniques], np.nan)[codes]
    return f


def np_metric_scores(accounts: pd.DataFrame) -> list[tuple[np.ndarray, np.ndarray]]:
    """Stage 1: per pillar, the (accounts, metrics) scores with 0 where unknown, and weights."""
    columns = np_columns(accounts)
    out = []
    for metrics in PILLARS:
        scores = np.column_stack([_np_metric(columns, c, k) for c, _, k in metrics])
        out.append((scores, np.array([w for _, w, _ in metrics], dtype="float64")))
    return out


def _weighted(scores: np.ndarray, weights: np.ndarray) -> np.ndarray:
    known = ~np.isnan(scores)
    total = known @ weights
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = (np.where(known, scores, 0.0) @ weights) / total
    return np.where(total > 0, mean, np.nan)


def _cutoffs(priority: np.ndarray) -> list[float]:
    ranked = np.sort(priority[~np.isnan(priority)])[::-1]
    cuts, cumulative, above = [], 0.0, 100.1
    for i, share in enumerate(SHARES):
        cumulative += share
        k = min(max(round(cumulative / 100 * len(ranked)), 1), len(ranked))
        cuts.append(round(max(min(float(ranked[k - 1]), above - 0.1), 0.1 * (2 - i)), 1))
        above = cuts[-1]
    return cuts


def stage2_floor(
    metric_scores: list[tuple[np.ndarray, np.ndarray]], strategic: np.ndarray
) -> np.ndarray:
    """Weights, priority, the relative cut, the strategic floor, the quadrant: tier index."""
    pillars = np.column_stack([_weighted(s, w) for s, w in metric_scores])
    effective = pillars.copy()
    effective[:, HEALTH] = 100.0 - effective[:, HEALTH]
    priority = np.round(np.round(_weighted(effective, PILLAR_WEIGHTS), 9), 1)
    high, mid = _cutoffs(priority)
    tier = np.where(priority >= high, 0, np.where(priority >= mid, 1, 2))
    tier[np.isnan(priority)] = 2
    tier[(strategic == 1) & (tier > 1)] = 1
    quadrant = (pillars[:, HEALTH] >= 50) * 1 + (pillars[:, 1] >= 50) * 2  # noqa: F841
    return tier


def np_lenses(accounts: pd.DataFrame, columns: dict[str, np.ndarray], as_of: dt.date) -> None:
    """The lens columns (NPS group, renewal window, ARR rank band), as segment() adds them."""
    nps = columns["nps"]
    np.select([nps <= 6, nps <= 8, nps <= 10], [0, 1, 2], default=-1)
    days = (accounts["renewal_date"] - pd.Timestamp(as_of)).dt.days.to_numpy("float64")
    np.select([days < 0, days <= 90, days <= 120, days > 120], [0, 1, 2, 3], default=-1)
    arr = columns["arr"]
    rank = np.full(len(arr), np.nan)
    order = np.argsort(-arr[~np.isnan(arr)], kind="stable")
    rank[np.flatnonzero(~np.isnan(arr))[order]] = np.arange(1, len(order) + 1)
    np.select([rank <= k for k in (10, 25, 50, 100)], [0, 1, 2, 3], default=-1)


def floor(accounts: pd.DataFrame, as_of: dt.date) -> np.ndarray:
    """The whole default segmentation in bare numpy (no reasons, no data issues)."""
    scores = np_metric_scores(accounts)
    strategic = accounts["strategic_account"].to_numpy(dtype="float64", na_value=np.nan)
    np_lenses(accounts, np_columns(accounts), as_of)
    return stage2_floor(scores, strategic)


# --- polars -------------------------------------------------------------------------------


def polars_tiers(frame: object, as_of: dt.date) -> np.ndarray:
    """The same rules in Polars; `frame` is a polars DataFrame of the book."""
    import polars as pl

    def metric(name: str, kind: object) -> pl.Expr:
        x = pl.col(name)
        if kind == "pct":
            known = x.is_not_null().sum()
            return (x.rank("average") - 1) / pl.max_horizontal(known - 1, 1) * 100.0
        if kind == "flag":
            return pl.when(x).then(100.0).otherwise(0.0)
        if kind in ("plan", "stage"):
            table = PLAN if kind == "plan" else STAGE
            return x.replace_strict(table, default=OTHER, return_dtype=pl.Float64)
        if kind == "nps":
            low_or_mid = pl.when(x <= 6).then(0.0).when(x <= 8).then(50.0)
            return low_or_mid.when(x.is_not_null()).then(100.0)
        low, high = kind
        return ((x - low) / (high - low)).clip(0.0, 1.0) * 100.0

    def weighted(parts: list[tuple[pl.Expr, float]]) -> pl.Expr:
        total = pl.sum_horizontal([e.is_not_null().cast(pl.Float64) * w for e, w in parts])
        value = pl.sum_horizontal([e.fill_null(0.0) * w for e, w in parts])
        return pl.when(total > 0).then(value / total)

    derived = frame.lazy().with_columns(
        whitespace=(pl.col("potential_arr") - pl.col("arr")).clip(lower_bound=0.0),
        adoption=pl.when(pl.col("licensed_seats") > 0).then(
            pl.col("active_users") / pl.col("licensed_seats")
        ),
    )
    pillars = [
        weighted([(metric(c, k), float(w)) for c, w, k in metrics]).alias(f"p{i}")
        for i, metrics in enumerate(PILLARS)
    ]
    effective = [pl.col(f"p{i}") if i != HEALTH else 100.0 - pl.col(f"p{i}") for i in range(4)]
    priority = weighted(list(zip(effective, PILLAR_WEIGHTS.tolist(), strict=True)))
    lenses = [
        pl.when(pl.col("nps") <= 6).then(0).when(pl.col("nps") <= 8).then(1).alias("nps_group"),
        (pl.col("renewal_date").cast(pl.Date) - pl.lit(as_of)).dt.total_days().alias("days"),
        pl.col("arr").rank("min", descending=True).alias("arr_rank"),
    ]
    scored = (
        derived.select(*pillars, "strategic_account", *lenses)
        .with_columns(priority=priority.round(9).round(1))
        .collect()
    )
    ranked = np.sort(scored["priority"].drop_nulls().to_numpy())[::-1]
    high, mid = _cutoffs(ranked)
    tiers = scored.select(
        pl.when(pl.col("priority") >= high)
        .then(0)
        .when(pl.col("priority") >= mid)
        .then(1)
        .otherwise(pl.when(pl.col("strategic_account")).then(1).otherwise(2))
    )
    return tiers.to_series().to_numpy()


# --- duckdb -------------------------------------------------------------------------------


def duckdb_query(as_of: dt.date) -> str:
    """One query: metric scores, pillars, priority, the relative cut and the strategic floor."""

    def metric(name: str, kind: object) -> str:
        if kind == "pct":
            # Average rank of ties: the first rank plus half the rest of the tie group.
            average = (
                f"(rank() OVER (ORDER BY {name}) + (count(*) OVER (PARTITION BY {name}) - 1) / 2.0)"
            )
            return (
                f"CASE WHEN {name} IS NULL THEN NULL ELSE ({average} - 1) / "
                f"greatest(count({name}) OVER () - 1, 1) * 100.0::DOUBLE END"
            )
        if kind == "flag":
            return f"CASE WHEN {name} THEN 100.0 ELSE 0.0 END"
        if kind in ("plan", "stage"):
            table = PLAN if kind == "plan" else STAGE
            cases = " ".join(f"WHEN '{k}' THEN {v}" for k, v in table.items())
            return (
                f"CASE WHEN {name} IS NULL THEN NULL ELSE CASE {name} {cases} ELSE {OTHER} END END"
            )
        if kind == "nps":
            return f"CASE WHEN {name} <= 6 THEN 0.0 WHEN {name} <= 8 THEN 50.0 WHEN {name} IS NOT NULL THEN 100.0 END"  # noqa: E501
        low, high = kind
        # (greatest and least skip NULLs in SQL: a missing value would read as 0)
        ratio = f"(({name} - {low}::DOUBLE) / ({high}::DOUBLE - {low}::DOUBLE))"
        clipped = f"CASE WHEN {ratio} < 0 THEN 0.0 WHEN {ratio} > 1 THEN 1.0 ELSE {ratio} END"
        return f"{clipped} * 100.0::DOUBLE"

    def weighted(parts: list[tuple[str, float]]) -> str:
        total = " + ".join(f"(CASE WHEN {e} IS NULL THEN 0 ELSE {w} END)" for e, w in parts)
        value = " + ".join(f"coalesce({e}, 0) * {w}::DOUBLE" for e, w in parts)
        return f"CASE WHEN ({total}) > 0 THEN ({value}) / ({total}) END"

    metrics = ",\n".join(
        f"{metric(c, k)} AS m{i}_{j}"
        for i, ms in enumerate(PILLARS)
        for j, (c, _, k) in enumerate(ms)
    )
    pillars = ",\n".join(
        weighted([(f"m{i}_{j}", w) for j, (_, w, _) in enumerate(ms)]) + f" AS p{i}"
        for i, ms in enumerate(PILLARS)
    )
    effective = [f"p{i}" if i != HEALTH else f"(100 - p{i})" for i in range(4)]
    priority = weighted(list(zip(effective, PILLAR_WEIGHTS.tolist(), strict=True)))
    return f"""
WITH base AS (
  SELECT *, CASE WHEN potential_arr < arr THEN 0 ELSE potential_arr - arr END AS whitespace,
         CASE WHEN licensed_seats > 0 THEN active_users / licensed_seats END AS adoption,
         date_diff('day', DATE '{as_of}', CAST(renewal_date AS DATE)) AS days,
         rank() OVER (ORDER BY arr DESC) AS arr_rank
  FROM accounts),
m AS (SELECT rid, strategic_account, nps, days, arr_rank, {metrics} FROM base),
p AS (SELECT rid, strategic_account, nps, days, arr_rank, {pillars} FROM m),
s AS (SELECT *, {priority} AS priority FROM p)
SELECT rid, priority, strategic_account FROM s"""


def duckdb_tiers(connection: object, as_of: dt.date) -> np.ndarray:
    """The same rules in DuckDB over the registered table `accounts` (with a row number `rid`:
    window functions do not keep the row order, the rows are put back in it here)."""
    scored = connection.execute(duckdb_query(as_of)).fetchnumpy()
    rid = np.asarray(scored["rid"], dtype="int64")
    priority, strategic = np.empty(len(rid)), np.empty(len(rid))
    raw = np.ma.filled(scored["priority"].astype("float64"), np.nan)
    priority[rid] = np.round(np.round(raw, 9), 1)  # numpy's rounding (half to even), as ours
    strategic[rid] = np.ma.filled(scored["strategic_account"].astype("float64"), np.nan)
    high, mid = _cutoffs(priority)
    tier = np.where(priority >= high, 0, np.where(priority >= mid, 1, 2))
    tier[np.isnan(priority)] = 2
    tier[(strategic == 1) & (tier > 1)] = 1
    return tier


# --- the measurement ----------------------------------------------------------------------


CLOCKS = {"wall": time.perf_counter, "cpu": time.process_time}
CLOCK = {"now": time.perf_counter}  # `--clock cpu`: this process's CPU time, not the wall's


def _timed(action, repeat: int) -> float:
    """Median of `repeat` runs, in seconds of the chosen clock."""
    times = []
    for _ in range(repeat):
        start = CLOCK["now"]()
        action()
        times.append(CLOCK["now"]() - start)
    return statistics.median(times)


def measure(rows: int, repeat: int = 3, clock: str = "wall") -> dict[str, float]:
    """Seconds (median of `repeat`) of segment() and its peers on one generated book, in one
    process, with the peers' tiers checked against segment()'s first."""
    import duckdb
    import polars as pl

    import segmentation as seg
    from bench.cases import AS_OF
    from segmentation.config import with_pillar

    CLOCK["now"] = CLOCKS[clock]

    accounts = seg.generate_accounts(rows, seed=1)
    config = seg.default_config()
    tiers = seg.segment(accounts, config, as_of=AS_OF, reasons=False)["tier"].cat.codes.to_numpy()
    frame = pl.from_pandas(accounts)
    connection = duckdb.connect()
    connection.execute("SET enable_progress_bar = false")  # it writes to stdout
    connection.register("accounts", accounts.assign(rid=np.arange(rows)))
    strategic = accounts["strategic_account"].to_numpy(dtype="float64", na_value=np.nan)
    for name, got in (
        ("numpy floor", floor(accounts, AS_OF)),
        ("Polars", polars_tiers(frame, AS_OF)),
        ("DuckDB", duckdb_tiers(connection, AS_OF)),
    ):
        if not np.array_equal(got, tiers):
            raise AssertionError(f"{name}: {int((got != tiers).sum())} tiers differ")
    metric_scores = seg.score_metrics(accounts, config, as_of=AS_OF)
    seg.tier_accounts(metric_scores, config)
    np_scores = np_metric_scores(accounts)
    variants = [with_pillar(config, "growth", weight=w) for w in (10, 45, 80)]
    step = {"i": 0}

    def move(reasons: bool) -> None:
        step["i"] += 1
        seg.tier_accounts(metric_scores, variants[step["i"] % 3], reasons=reasons)

    return {
        "segment": _timed(lambda: seg.segment(accounts, config, as_of=AS_OF), repeat),
        "segment_codes": _timed(
            lambda: seg.segment(accounts, config, as_of=AS_OF, reasons=False), repeat
        ),
        "floor": _timed(lambda: floor(accounts, AS_OF), repeat),
        "polars": _timed(lambda: polars_tiers(frame, AS_OF), repeat),
        "duckdb": _timed(lambda: duckdb_tiers(connection, AS_OF), repeat),
        "stage2": _timed(lambda: move(True), repeat + 2),
        "stage2_codes": _timed(lambda: move(False), repeat + 2),
        "stage2_floor": _timed(lambda: stage2_floor(np_scores, strategic), repeat + 2),
    }


TABLE = (
    ("segment() from scratch, reasons built", "segment", "floor"),
    ("segment(reasons=False) from scratch (reasons as codes)", "segment_codes", "floor"),
    ("the same rules in bare numpy (the floor)", "floor", "floor"),
    ("the same rules in Polars", "polars", "floor"),
    ("the same rules in DuckDB", "duckdb", "floor"),
    ("after a weights change, reasons built", "stage2", "stage2_floor"),
    ("after a weights change, reasons as codes (the app's)", "stage2_codes", "stage2_floor"),
    ("stage 2 in bare numpy (the stage-2 floor)", "stage2_floor", "stage2_floor"),
)


def table(results: dict[int, dict[str, float]]) -> list[str]:
    """Markdown rows: each measure per book size, in ms and as a ratio to its floor."""
    sizes = sorted(results)
    head = "| what | " + " | ".join(f"{n:,} accounts" for n in sizes) + " |"
    lines = [head, "|---" * (len(sizes) + 1) + "|"]
    for label, key, base in TABLE:
        cells = []
        for n in sizes:
            got = results[n]
            if "error" in got:
                cells.append(f"failed: {got['error']}")
                continue
            cells.append(f"{got[key] * 1000:,.0f} ms ({got[key] / got[base]:.1f}x)")
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return lines


def run(sizes: list[int], clock: str = "wall") -> list[str]:
    """Each size in its own process (peak memory and caches its own)."""
    import json
    import subprocess
    import sys

    results = {}
    for n in sizes:
        code = (
            "import json; from bench.peers import measure; "
            f"print(json.dumps(measure({n}, clock={clock!r})))"
        )
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
        if done.returncode != 0:
            lines = done.stderr.strip().splitlines() or ["failed"]
            results[n] = {"error": lines[-1]}
        else:
            last = [line for line in done.stdout.splitlines() if line.startswith("{")][-1]
            results[n] = json.loads(last)
    return table(results)


def main(argv: list[str]) -> int:
    import argparse
    import os

    parser = argparse.ArgumentParser(
        prog="python -m bench peers", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--rows", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument(
        "--clock", choices=sorted(CLOCKS), default="wall",
        help="cpu: this process's CPU time (steadier on a shared machine; Polars' and "
        "DuckDB's threads count in it too)",
    )  # fmt: skip
    options = parser.parse_args(argv)
    print(f"load average before: {os.getloadavg()[0]:.2f}")
    print(f"clock: {options.clock}")
    print("\n".join(run(options.rows, options.clock)))
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    return 0
