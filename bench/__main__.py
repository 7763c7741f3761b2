"""Measure Tierwise against the speed targets of docs/design.md section 4.

    python -m bench            # everything (a few minutes)
    python -m bench --quick    # smaller books, for a smoke check
    python -m bench fuzz       # mutated CSV/XLSX files against the loader (bench/fuzz.py)
    python -m bench peers      # segment() against numpy, Polars and DuckDB (bench/peers.py)
    python -m bench browser    # key press -> new counts in Chromium (bench/browser.py)
    python -m bench soak       # memory of repeated uploads in one app session (bench/soak.py)

Each case runs in its own process: the time is the median of a few runs; the memory is
that process's peak resident size, data generation included.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys

LABELS = {
    "segment_full": "segment(), {rows} accounts, from scratch",
    "segment_codes": "segment(reasons=False), {rows} accounts, from scratch",
    "segment_weights_changed": "segment() after a weights change, {rows} accounts",
    "segment_codes_weights_changed": "after a weights change, reasons as codes, {rows} accounts",
    "load_file": "load a {rows}-row {kind}",
    "export_file": "export {rows} accounts to {kind}",
    "app_rerun": "Workshop page rerun after a slider move, {rows} accounts",
    "fit_and_shadow_prices": "fit cut-offs to a team + shadow prices, {rows} accounts",
    "calibrate_file": "calibrate a {rows}-account CSV (load, tables, AUCs, weights validated)",
    "live_summary": "live calibration summary after a slider move, {rows} accounts",
    "load_shape": "load a {rows}-row x {kind}-column CSV",
    "compare_snapshots": "compare two snapshots of {rows} accounts after a {kind} change",
    "duckdb_file": "score --engine duckdb, Parquet to Parquet, {rows} accounts",
    "segment_parquet": "segment() on the same Parquet book in pandas, {rows} accounts",
    "upload_to_workshop": "upload a {rows}-row {kind} -> usable Workshop (AppTest)",
}
# (case, arguments, target in seconds or None, peak-memory target in MB or None)
FULL_PLAN = [
    ("segment_full", [10_000], None, None),
    ("segment_full", [100_000], None, None),
    ("segment_full", [1_000_000], 1.0, 2048),
    ("segment_codes", [1_000_000], 1.0, 2048),
    ("segment_codes", [5_000_000], 10.0, 4096),
    ("segment_weights_changed", [10_000], None, None),
    ("segment_weights_changed", [100_000], 0.1, None),
    ("segment_weights_changed", [1_000_000], 1.0, 2048),
    ("segment_codes_weights_changed", [1_000_000], None, None),
    ("segment_codes_weights_changed", [5_000_000], None, 4096),
    ("load_file", [100_000, ".csv"], None, None),
    ("load_file", [100_000, ".xlsx"], 5.0, None),
    ("upload_to_workshop", [100_000, ".csv"], None, None),
    ("upload_to_workshop", [100_000, ".xlsx"], 4.0, None),
    ("load_shape", [2, "10001"], None, None),
    ("load_shape", [100_000, "2"], None, None),
    ("load_shape", [1_000_000, "1"], None, None),
    ("export_file", [100_000, "csv"], 2.0, None),
    ("export_file", [100_000, "xlsx"], 10.0, None),
    ("app_rerun", [1_000], None, None),
    ("app_rerun", [10_000], None, None),
    ("app_rerun", [100_000], 0.3, None),
    ("fit_and_shadow_prices", [100_000], None, None),
    ("fit_and_shadow_prices", [1_000_000], None, None),
    ("calibrate_file", [100_000], 5.0, None),
    ("live_summary", [100_000], 0.05, None),
    ("compare_snapshots", [100_000, "margin"], 1.0, None),
    ("compare_snapshots", [100_000, "weights"], None, None),
    ("segment_parquet", [1_000_000], None, None),
    ("duckdb_file", [1_000_000], None, None),
    ("segment_parquet", [10_000_000], None, None),
    ("duckdb_file", [10_000_000], None, None),
]

# issue 14: tier confidence, its rows kept in bench/confidence.py
from bench import confidence as _confidence  # noqa: E402

LABELS.update(_confidence.LABELS)
FULL_PLAN += _confidence.PLAN


def label(case: str, args: list) -> str:
    rows = args[0]
    if rows >= 1_000_000:
        size = f"{rows // 1_000_000}M"
    else:
        size = f"{rows / 1000:g}k" if rows >= 1000 else f"{rows:,}"
    kind = args[1].strip(".").upper() if len(args) > 1 else ""
    if case == "compare_snapshots":
        kind = args[1]
    return LABELS[case].format(rows=size, kind=kind)


def quick(plan: list) -> list:
    """The same plan on books a hundred times smaller, without targets."""
    return [(case, [max(1, args[0] // 100), *args[1:]], None, None) for case, args, _, _ in plan]


def run_case(case: str, args: list) -> dict:
    """Run one case in a child process and return its time and peak memory."""
    code = (
        "import json, resource, sys; from bench.cases import CASES; "
        f"s = CASES[{case!r}](*{args!r}); "
        "print(json.dumps({'seconds': s, "
        "'peak_mb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    if done.returncode != 0:
        return {"error": done.stderr.strip().splitlines()[-1] if done.stderr else "failed"}
    return json.loads(done.stdout.strip().splitlines()[-1])


# Sub-commands in their own modules: `python -m bench fuzz`, `python -m bench soak`.
COMMANDS = {
    "fuzz": "bench.fuzz",
    "soak": "bench.soak",
    "peers": "bench.peers",
    "browser": "bench.browser",
}
PEER_SIZES = [100_000, 1_000_000]


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] and argv[0] in COMMANDS:
        import importlib

        return importlib.import_module(COMMANDS[argv[0]]).main(argv[1:])
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[1])
    parser.add_argument("--quick", action="store_true", help="books 100x smaller")
    parser.add_argument("--only", metavar="CASE", help="the cases whose name starts so")
    parser.add_argument("--no-peers", action="store_true", help="leave out bench/peers.py")
    options = parser.parse_args(argv)
    plan = quick(FULL_PLAN) if options.quick else FULL_PLAN
    plan = [step for step in plan if step[0].startswith(options.only or "")]

    print(f"Tierwise benchmark on {platform.machine()}, Python {platform.python_version()}")
    print(f"load average at the start: {os.getloadavg()[0]:.2f} ({os.cpu_count()} cores)")
    print("| what | time | target | time / target | peak memory |")
    print("|---|---|---|---|---|")
    for case, args, target, memory_target in plan:
        name = label(case, args)
        measured = run_case(case, args)
        if "error" in measured:
            print(f"| {name} | failed: {measured['error']} | | | |")
            continue
        seconds, peak = measured["seconds"], measured["peak_mb"]
        ratio = f"{seconds / target:.2f}" if target else ""
        memory = f"{peak:,.0f} MB" + (f" (target < {memory_target:,} MB)" if memory_target else "")
        target_text = f"< {target * 1000:,.0f} ms" if target else ""
        print(f"| {name} | {seconds * 1000:,.0f} ms | {target_text} | {ratio} | {memory} |")
        sys.stdout.flush()
    if options.no_peers:
        return 0
    from bench.peers import run

    sizes = [max(1, n // 100) for n in PEER_SIZES] if options.quick else PEER_SIZES
    print("\nThe same rules in one process per book size, as ratios to the numpy floor:")
    print("\n".join(run(sizes)))
    print(f"load average at the end: {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
