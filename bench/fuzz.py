"""Fuzz the loader with mutated CSV and XLSX exports, in limited child processes.

    python -m bench fuzz                     # 3,000 mutations (a few minutes)
    python -m bench fuzz --cases 300 --seed 7

Each batch of mutations runs in a child process capped at 2 GB of address space; each case
is timed. A case passes when load() either returns a book whose counts add up (rows read =
kept + skipped = the file's data lines) or raises InputError; anything else (another
exception, a signal, over 30 s, over 2 GB) is a finding, printed with the recipe that made it.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import random
import resource
import subprocess
import sys
import time
import zipfile

MEMORY_BYTES = 2 * 1024**3
CASE_SECONDS = 30.0
BATCH = 60

SEED_CSV = "\r\n".join(
    [
        "Account ID,Account Name,ARR,Health Score,NPS,Renewal Date,Plan,Notes",
        *(
            f'A-{i},"Company {i}, Inc.",${1000 * i:,},{50 + i % 50},{i % 11},'
            f"2026-{1 + i % 12:02d}-15,{('Starter', 'Pro', 'Enterprise')[i % 3]},note {i}"
            for i in range(1, 25)
        ),
        "",
        "Grand Totals (24 records)",
    ]
)


# --------------------------------------------------------------------------- mutations


def _flip(data: bytes, rng: random.Random) -> bytes:
    out = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        out[rng.randrange(len(out))] = rng.randrange(256)
    return bytes(out)


def _insert(data: bytes, rng: random.Random) -> bytes:
    at = rng.randrange(len(data) + 1)
    junk = rng.choice([b",", b'"', b"\n", b"\r", b";", b"\t", b"\x00", b"\xff\xfe", b'""', b"\\"])
    return data[:at] + junk * rng.randint(1, 50) + data[at:]


def _delete(data: bytes, rng: random.Random) -> bytes:
    start = rng.randrange(len(data))
    return data[:start] + data[start + rng.randint(1, 200) :]


def _truncate(data: bytes, rng: random.Random) -> bytes:
    return data[: rng.randrange(1, len(data))]


def _lines(data: bytes, rng: random.Random) -> bytes:
    lines = data.split(b"\r\n")
    kind = rng.choice(["dup", "drop", "wide", "title", "blank", "shuffle"])
    i = rng.randrange(len(lines))
    if kind == "dup":
        lines.insert(i, lines[i])
    elif kind == "drop" and len(lines) > 2:
        del lines[i]
    elif kind == "wide":
        lines[i] += b"," + b",".join(b"x%d" % k for k in range(rng.randint(1, 30)))
    elif kind == "title":
        lines.insert(0, rng.choice([b"Report", b"Confidential Information - Do Not Distribute"]))
    elif kind == "blank":
        lines.insert(i, b"")
    else:
        rng.shuffle(lines)
    return b"\r\n".join(lines)


def _encode(data: bytes, rng: random.Random) -> bytes:
    text = data.decode("utf-8", "replace").replace("Company", rng.choice(["São", "Zürich", "Ærø"]))
    encoding = rng.choice(["utf-16", "utf-16-le", "utf-32-be", "cp1252", "mac_roman", "utf-8-sig"])
    return text.encode(encoding, "replace")


CSV_MUTATIONS = (_flip, _insert, _delete, _truncate, _lines, _encode)


def _workbook(rows: list[list]) -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _xml_mutation(part: bytes, rng: random.Random) -> bytes:
    kind = rng.choice(["ref", "count", "flip", "cut", "dimension", "merge", "tag"])
    if kind == "ref":
        far = rng.choice([b"XFD1048576", b"ZZ900000", b"A1048577", b"XFE1", b"AAA1", b"A0"])
        return part.replace(b'r="B2"', b'r="' + far + b'"', 1)
    if kind == "count":
        return part.replace(b'count="', b'count="99999999', 1)
    if kind == "flip":
        return _flip(part, rng)
    if kind == "cut":
        return _truncate(part, rng)
    if kind == "dimension":
        return part.replace(b'<dimension ref="', b'<dimension ref="A1:XFD1048576" x="', 1)
    if kind == "merge":
        merge = b'<mergeCells count="1"><mergeCell ref="A2:ZZ90000"/></mergeCells>'
        return part.replace(b"</sheetData>", b"</sheetData>" + merge, 1)
    return part.replace(b"<c ", b"<c><c ", rng.randint(1, 3))


def mutate_xlsx(data: bytes, rng: random.Random) -> bytes:
    """Mutate the zip itself (damaged archive) or one XML part (then zip it again)."""
    if rng.random() < 0.25:
        return rng.choice([_flip, _truncate, _delete])(data, rng)
    source = zipfile.ZipFile(io.BytesIO(data))
    names = source.namelist()
    target = rng.choice(names)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as out:
        for name in names:
            content = source.read(name)
            out.writestr(name, _xml_mutation(content, rng) if name == target else content)
    return buffer.getvalue()


def cases(count: int, seed: int) -> list[tuple[str, str, bytes]]:
    """(name, recipe, bytes): two CSV mutations for each XLSX one, reproducible by seed."""
    rng = random.Random(seed)
    rows = [next(csv.reader([line])) for line in SEED_CSV.split("\r\n")[:25]]
    book = _workbook([[float(c) if c.isdigit() else c for c in row] for row in rows])
    out = []
    for index in range(count):
        if index % 3 == 2:
            out.append((f"case{index}.xlsx", "xlsx", mutate_xlsx(book, rng)))
            continue
        data = SEED_CSV.encode("utf-8")
        steps = rng.sample(CSV_MUTATIONS, rng.randint(1, 3))
        for step in steps:
            data = step(data, rng) or b"x"
        out.append((f"case{index}.csv", "+".join(s.__name__ for s in steps), data))
    return out


# --------------------------------------------------------------------------- checking


def check_case(name: str, data: bytes) -> dict:
    """Load one file; the outcome, its time and, if it failed, why."""
    import segmentation as seg

    start = time.perf_counter()
    try:
        book = seg.load(io.BytesIO(data), filename=name)
    except seg.InputError as problem:
        outcome = {"outcome": "refused", "message": str(problem)}
        if "\n" in str(problem):
            outcome["finding"] = "refusal is more than one line"
    except Exception as problem:  # the finding this fuzzer looks for
        outcome = {"outcome": "crash", "finding": f"{type(problem).__name__}: {problem}"[:300]}
    else:
        outcome = {"outcome": "loaded", **_counts(book, name, data)}
    outcome["seconds"] = time.perf_counter() - start
    if outcome["seconds"] > CASE_SECONDS:
        outcome["finding"] = f"took {outcome['seconds']:.1f} s"
    return outcome


def _counts(book, name: str, data: bytes) -> dict:
    report = book.report
    found = {
        "read": report.rows_read,
        "kept": report.rows_kept,
        "skipped": len(report.rows_skipped),
    }
    expected = _expected_lines(report, data)
    if report.rows_read != report.rows_kept + len(report.rows_skipped):
        found["finding"] = "rows read != kept + skipped"
    elif expected is not None and report.rows_read != expected:
        found["finding"] = f"rows read {report.rows_read} != {expected} data lines in the file"
    return found


def _expected_lines(report, data: bytes) -> int | None:
    """Records of the file less the header, by the csv module or calamine in a child."""
    if report.kind == "csv":
        from segmentation.loading.csv_reader import decode

        text = decode(data, "fuzz").text
        records = list(csv.reader(io.StringIO(text, newline=""), delimiter=report.delimiter))
        return len(records) - 1
    from segmentation.loading.sandbox import read_in_child

    return len(read_in_child(data, "fuzz", report.sheet).rows) - 1


def run_batch(count: int, seed: int, first: int, last: int) -> list[dict]:
    """The cases first..last-1 of (count, seed), in this process."""
    out = []
    for name, recipe, data in cases(count, seed)[first:last]:
        result = check_case(name, data)
        out.append({"name": name, "recipe": recipe, **result})
    return out


def _child_main(argv: list[str]) -> None:
    count, seed, first, last = map(int, argv)
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_BYTES, MEMORY_BYTES))
    results = run_batch(count, seed, first, last)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(json.dumps({"results": results, "peak_bytes": peak}))


def fuzz(count: int, seed: int, timeout: float = 600) -> dict:
    """Run every case in limited child processes; the summary, findings listed."""
    summary = {"cases": 0, "loaded": 0, "refused": 0, "findings": [], "slowest": 0.0, "peak": 0}
    for first in range(0, count, BATCH):
        last = min(count, first + BATCH)
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "bench.fuzz",
                "--child",
                str(count),
                str(seed),
                str(first),
                str(last),
            ],
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if done.returncode != 0:
            summary["findings"].append(
                {
                    "name": f"cases {first}-{last - 1}",
                    "finding": f"child exit {done.returncode}",
                    "detail": done.stderr[-500:],
                }
            )
            continue
        batch = json.loads(done.stdout.strip().splitlines()[-1])
        summary["peak"] = max(summary["peak"], batch["peak_bytes"])
        for result in batch["results"]:
            summary["cases"] += 1
            summary[result["outcome"]] = summary.get(result["outcome"], 0) + 1
            summary["slowest"] = max(summary["slowest"], result["seconds"])
            if "finding" in result:
                summary["findings"].append(result)
    return summary


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--child"]:
        _child_main(argv[1:])
        return 0
    parser = argparse.ArgumentParser(
        prog="python -m bench fuzz", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--cases", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=17)
    options = parser.parse_args(argv)
    start = time.perf_counter()
    summary = fuzz(options.cases, options.seed)
    print(
        f"{summary['cases']:,} cases in {time.perf_counter() - start:.0f} s: "
        f"{summary.get('loaded', 0):,} loaded, {summary.get('refused', 0):,} refused, "
        f"{len(summary['findings'])} findings; slowest case {summary['slowest']:.2f} s, "
        f"peak memory {summary['peak'] / 1024**2:,.0f} MB."
    )
    for finding in summary["findings"]:
        print(json.dumps(finding)[:600])
    return 1 if summary["findings"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
