"""One benchmark case per function; each runs in a fresh process so peak memory is its own."""

from __future__ import annotations

import datetime as dt
import io
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

AS_OF = dt.date(2026, 11, 22)


def _timed(action: Callable[[], object], repeat: int = 3) -> float:
    """Median wall time of `repeat` runs, in seconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def segment_full(rows: int) -> float:
    """segment() from scratch: metric scores, weights, tiers, reasons."""
    import segmentation as seg

    accounts = seg.generate_accounts(rows, seed=1)
    config = seg.default_config()
    return _timed(lambda: seg.segment(accounts, config, as_of=AS_OF))


def segment_codes(rows: int) -> float:
    """segment() from scratch with the reasons kept as codes (`reasons=False`): the text is
    built later for the rows shown or exported (`seg.with_reasons`)."""
    import segmentation as seg

    accounts = seg.generate_accounts(rows, seed=1)
    config = seg.default_config()
    repeat = 1 if rows > 2_000_000 else 3
    return _timed(lambda: seg.segment(accounts, config, as_of=AS_OF, reasons=False), repeat)


def segment_weights_changed(rows: int, reasons: bool = True) -> float:
    """A slider move: new pillar weights and thresholds on metric scores already made
    (`reasons=False`: the app's path, the reasons kept as codes)."""
    import segmentation as seg
    from segmentation.config import with_pillar, with_thresholds

    accounts = seg.generate_accounts(rows, seed=1)
    config = seg.default_config()
    metric_scores = seg.score_metrics(accounts, config, as_of=AS_OF)
    seg.tier_accounts(metric_scores, config, reasons=reasons)  # the first view of the book
    variants = [with_pillar(config, "growth", weight=w) for w in (10, 45, 80)] + [
        with_thresholds(config, [t, 40]) for t in (60, 75, 90)
    ]
    state = {"i": 0}

    def move() -> None:
        state["i"] += 1
        seg.tier_accounts(metric_scores, variants[state["i"] % len(variants)], reasons=reasons)

    return _timed(move, repeat=5)


def segment_codes_weights_changed(rows: int) -> float:
    """A slider move in the app: stage 2 with the reasons kept as codes."""
    return segment_weights_changed(rows, reasons=False)


def _book_file(rows: int, suffix: str, directory: str) -> Path:
    from segmentation.sample import generate_accounts, to_crm_headers, write_book

    path = Path(directory) / f"book{suffix}"
    write_book(to_crm_headers(generate_accounts(rows, seed=1)), path)
    return path


def load_file(rows: int, suffix: str) -> float:
    import segmentation as seg

    with tempfile.TemporaryDirectory() as directory:
        path = _book_file(rows, suffix, directory)
        return _timed(lambda: seg.load(path), repeat=1 if rows > 50_000 else 3)


def export_file(rows: int, fmt: str) -> float:
    import segmentation as seg

    result = seg.segment(seg.generate_accounts(rows, seed=1), seg.default_config(), as_of=AS_OF)
    return _timed(lambda: seg.export(result, io.BytesIO(), fmt=fmt), repeat=1)


def app_rerun(rows: int) -> float:
    """Server-side rerun of the Workshop page after a slider move (median, AppTest)."""
    import logging

    logging.getLogger("streamlit").setLevel(logging.ERROR)  # bare-mode warnings, not results
    from bench.app_rerun import measure

    return measure(rows)["median_ms"] / 1000


def fit_and_shadow_prices(rows: int) -> float:
    """Fit the cut-offs to a team (a CSM per 500 and per 100 accounts), then the value of one
    CSM more or less in each staffed tier: what the Capacity panel redoes on a weight move."""
    from dataclasses import replace

    import segmentation as seg
    from segmentation.fitting import fit_cutoffs, shadow_prices
    from segmentation.rules.capacity import Capacity, TierCapacity

    teams = (
        TierCapacity("High-touch", rows / 500, 15, 80),
        TierCapacity("Mid-touch", rows / 100, 50),
    )
    config = replace(seg.default_config(), capacity=Capacity(tiers=teams))
    result = seg.segment(seg.generate_accounts(rows, seed=1), config, as_of=AS_OF)

    def fit() -> None:
        fit_cutoffs(result, config)
        shadow_prices(result, config)

    return _timed(fit)


def compare_snapshots(rows: int, change: str = "weights") -> float:
    """The Movement page's core after a settings change: two snapshots of `rows` accounts
    (metric scores kept), the rules chained, movers with drivers, matrices, replay. A weights
    change re-tiers both snapshots; a margin change reuses their plain tiers, as the app does."""
    import dataclasses

    import segmentation as seg
    from segmentation import movement
    from segmentation.config import with_pillar
    from segmentation.rules.movement import MovementRules
    from segmentation.sample import quarter_history

    books = quarter_history(seg.generate_accounts(rows, seed=1), 2, seed=1)
    config = dataclasses.replace(seg.default_config(), movement=MovementRules(margin=5))
    snapshots = [movement.Snapshot(str(d), book, d) for d, book in books]
    scores = [seg.score_metrics(s.accounts, config, as_of=s.as_of) for s in snapshots]
    state = {"step": 0}
    plain = [
        movement.score_snapshot(snapshots[0], config, scores[0]),
        movement.score_snapshot(snapshots[1], config, scores[1], read_tiers=False),
    ]

    def compare() -> None:
        state["step"] += 1  # a new setting each time: nothing of it is cached
        if change == "margin":
            rules = MovementRules(margin=5.0 + 0.5 * state["step"])
            cfg = dataclasses.replace(config, movement=rules)
            before, now = plain
        else:
            cfg = with_pillar(config, "growth", weight=30 + state["step"])
            before = movement.score_snapshot(snapshots[0], cfg, scores[0])
            now = movement.score_snapshot(snapshots[1], cfg, scores[1], read_tiers=False)
        movement.movement_panel(now, [before], cfg)

    return _timed(compare, repeat=3)


from bench import calibration  # noqa: E402  (its cases use _timed above)
from bench.shapes import load_shape  # noqa: E402


def _parquet_book(rows: int, directory: str) -> Path:
    """The book, written by a child process: its memory is not the measured process's."""
    import subprocess
    import sys

    path = Path(directory) / "book.parquet"
    code = f"from bench.cases import write_parquet_book; write_parquet_book({rows}, {str(path)!r})"
    subprocess.run([sys.executable, "-c", code], check=True)
    return path


def write_parquet_book(rows: int, path: str) -> None:
    """A book of canonical columns as a Parquet file, written in chunks of a million."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from segmentation.sample import generate_accounts

    chunk = min(rows, 1_000_000)
    writer = None
    for start in range(0, rows, chunk):
        frame = generate_accounts(chunk, seed=1 + start // chunk)
        frame["account_id"] = [f"ACC-{start + i:09d}" for i in range(chunk)]
        table = pa.Table.from_pandas(frame, preserve_index=False)
        writer = writer or pq.ParquetWriter(path, table.schema)
        writer.write_table(table)
    writer.close()


def duckdb_file(rows: int) -> float:
    """score --engine duckdb: a Parquet book -> a scored Parquet file, out of core."""
    import segmentation as seg
    from segmentation.warehouse import score_file

    with tempfile.TemporaryDirectory() as directory:
        source, out = _parquet_book(rows, directory), Path(directory) / "scored.parquet"
        return _timed(lambda: score_file(source, out, seg.default_config(), as_of=AS_OF), 1)


def segment_parquet(rows: int) -> float:
    """segment() on the same Parquet book, read whole into pandas (the in-memory path)."""
    import pandas as pd

    import segmentation as seg

    with tempfile.TemporaryDirectory() as directory:
        accounts = pd.read_parquet(_parquet_book(rows, directory))
        return _timed(lambda: seg.segment(accounts, seg.default_config(), as_of=AS_OF), 1)


CASES: dict[str, Callable[..., float]] = {
    "compare_snapshots": compare_snapshots,
    "segment_full": segment_full,
    "segment_codes": segment_codes,
    "segment_weights_changed": segment_weights_changed,
    "segment_codes_weights_changed": segment_codes_weights_changed,
    "load_file": load_file,
    "export_file": export_file,
    "app_rerun": app_rerun,
    "fit_and_shadow_prices": fit_and_shadow_prices,
    "calibrate_file": calibration.calibrate_file,
    "live_summary": calibration.live_summary,
    "load_shape": load_shape,
    "duckdb_file": duckdb_file,
    "segment_parquet": segment_parquet,
}

# issue 14: tier confidence, in its own module
from bench import confidence  # noqa: E402

CASES.update(confidence.CASES)


# issue 16, loading: upload -> usable Workshop, the whole path the app takes (no browser)
UPLOAD_MIME = {
    ".csv": "text/csv",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def upload_to_workshop(rows: int, suffix: str) -> float:
    """An uploaded book's bytes through the Data page (load, report, data quality) to the
    Workshop's first tiers, in AppTest through app.py's router, as a browser session runs it
    (the server side: no browser drawing)."""
    import logging

    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.testing.v1 import AppTest

    logging.getLogger("streamlit").setLevel(logging.ERROR)  # bare-mode warnings, not results
    PagesManager.uses_pages_directory = False  # every run through app.py's st.navigation
    app = str(Path(__file__).resolve().parent.parent / "app.py")
    with tempfile.TemporaryDirectory() as directory:
        data = _book_file(rows, suffix, directory).read_bytes()
    times = []
    for _ in range(1 if rows > 50_000 else 3):
        at = AppTest.from_file(app, default_timeout=300)
        at.run()  # a warm server: the pages' modules imported, as after the first visit
        at.switch_page("pages/workshop.py").run()
        at.switch_page("pages/data.py").run()
        start = time.perf_counter()
        at.file_uploader(key="upload").set_value((f"book{suffix}", data, UPLOAD_MIME[suffix]))
        at.run()
        at.switch_page("pages/workshop.py").run()
        times.append(time.perf_counter() - start)
        if at.exception or not at.metric:
            raise RuntimeError(f"the upload did not reach the Workshop: {at.exception}")
    return statistics.median(times)


CASES["upload_to_workshop"] = upload_to_workshop
