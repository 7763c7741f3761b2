"""Per-panel server time of a Workshop run, for `python -m bench browser` (bench/browser.py).

Off unless the server runs with TIERWISE_TIMING=1: then each timed part of a run writes one
line to the server's log (stderr), `tierwise-timing <run> <part> <start ms> <end ms>`, the
milliseconds counted from the start of the run. The benchmark reads them back from the log
and prints each part's median; the app itself never reads them.
"""

from __future__ import annotations

import itertools
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

ENV = "TIERWISE_TIMING"
PREFIX = "tierwise-timing"
_RUNS = itertools.count(1)
_run = {"id": 0, "start": 0.0}


def enabled() -> bool:
    return os.environ.get(ENV) == "1"


def start_run() -> None:
    """A Workshop run begins: later parts are timed from here."""
    if enabled():
        _run["id"], _run["start"] = next(_RUNS), time.perf_counter()


@contextmanager
def timed(part: str) -> Iterator[None]:
    """Time the block as `part` of the current run (nothing at all when timing is off)."""
    if not enabled():
        yield
        return
    start = time.perf_counter()
    try:
        yield
    finally:
        end = time.perf_counter()
        base = _run["start"]
        print(
            f"{PREFIX} {_run['id']} {part} {(start - base) * 1000:.1f} {(end - base) * 1000:.1f}",
            file=sys.stderr,
            flush=True,
        )
