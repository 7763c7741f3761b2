"""Server-side rerun time of the Workshop page after a slider move, with Streamlit's AppTest.

    python bench/app_rerun.py            # 1k, 10k and 100k accounts
    python bench/app_rerun.py 100000     # one size

The book is generated in memory (`segmentation.sample.generate_accounts`) and put straight
into the session; a warm-up run scores the metrics (stage 1) once, then each timed move of
the growth-weight slider reruns the page: weighted sums, the cut, summaries and charts.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from streamlit.testing.v1 import AppTest  # noqa: E402

from segmentation.sample import generate_accounts  # noqa: E402
from ui.state import seed_accounts  # noqa: E402

APP = str(ROOT / "app.py")
MOVES = (31.0, 45.0, 20.0, 38.0, 27.0)
TARGET_MS = 300  # at 100k accounts (docs/design.md section 4)


def measure(rows: int, moves: tuple[float, ...] = MOVES) -> dict:
    """Median and worst rerun time (ms) of the Workshop page over slider moves at `rows`."""
    accounts = generate_accounts(rows, seed=7)
    at = AppTest.from_file(APP, default_timeout=120)
    seed_accounts(at.session_state, accounts, f"{rows:,} generated accounts")
    at.switch_page("pages/workshop.py").run()
    at.slider(key="weight_growth").set_value(33.0).run()  # warm-up: caches and imports
    if at.exception:
        raise RuntimeError(f"the Workshop page failed: {at.exception[0].message}")
    times = []
    for weight in moves:
        slider = at.slider(key="weight_growth").set_value(weight)
        start = time.perf_counter()
        slider.run()
        times.append((time.perf_counter() - start) * 1000)
        if at.exception:
            raise RuntimeError(f"the Workshop page failed: {at.exception[0].message}")
    return {
        "accounts": rows,
        "median_ms": round(statistics.median(times), 1),
        "max_ms": round(max(times), 1),
        "moves": len(times),
    }


def run(sizes: tuple[int, ...] = (1_000, 10_000, 100_000)) -> list[dict]:
    """Measure each size and print a small table; returns the rows."""
    rows = [measure(n) for n in sizes]
    print("Workshop rerun after a slider move (server side, AppTest)")
    print(f"{'accounts':>10}  {'median ms':>10}  {'max ms':>8}")
    for row in rows:
        print(f"{row['accounts']:>10,}  {row['median_ms']:>10.1f}  {row['max_ms']:>8.1f}")
    print(f"target: < {TARGET_MS} ms at 100,000 accounts")
    return rows


if __name__ == "__main__":
    run(tuple(int(a) for a in sys.argv[1:]) or (1_000, 10_000, 100_000))
