"""Issue 17 "done when": a bounded fuzz run in CI (300 CSV/XLSX mutations, about 30 s).

Every case runs in a child process capped at 2 GB (bench/fuzz.py); `python -m bench fuzz`
runs 3,000. A finding is printed with the recipe that made it.
"""

from __future__ import annotations

import pytest

from bench import fuzz

GB = 1024**3


def test_fuzz_run_has_no_findings() -> None:
    summary = fuzz.fuzz(count=300, seed=17, timeout=300)
    assert summary["cases"] == 300
    assert summary["findings"] == []
    assert summary["slowest"] < fuzz.CASE_SECONDS
    assert summary["peak"] < 2 * GB
    assert summary["loaded"] > 100 and summary["refused"] > 20  # both paths exercised


@pytest.mark.parametrize(
    ("name", "data", "outcome"),
    [
        ("ok.csv", b"Account ID,Account Name\nA-1,Acme\n", "loaded"),
        ("empty.csv", b"", "refused"),
        ("junk.xlsx", b"PK\x03\x04" + b"\x00" * 64, "refused"),
    ],
)
def test_checker_tells_outcomes_apart(name: str, data: bytes, outcome: str) -> None:
    result = fuzz.check_case(name, data)
    assert result["outcome"] == outcome and "finding" not in result


def test_checker_reports_counts_that_do_not_add_up(monkeypatch) -> None:
    """The checker can fail: a loader that loses a row is a finding."""
    import segmentation as seg

    real = seg.load

    def lossy(*args, **kwargs):
        book = real(*args, **kwargs)
        book.report.rows_read += 1
        return book

    monkeypatch.setattr(seg, "load", lossy)
    result = fuzz.check_case("ok.csv", b"Account ID,Account Name\nA-1,Acme\nA-2,Beta\n")
    assert result["finding"] == "rows read != kept + skipped"


def test_mutations_are_reproducible() -> None:
    first = [data for _, _, data in fuzz.cases(12, seed=3)]
    again = [data for _, _, data in fuzz.cases(12, seed=3)]
    assert first == again
    assert len({bytes(d[:64]) for d in first}) > 1
    kinds = [name.rsplit(".", 1)[1] for name, _, _ in fuzz.cases(6, seed=3)]
    assert kinds == ["csv", "csv", "xlsx"] * 2
