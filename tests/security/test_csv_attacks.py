"""Hostile CSV shapes: refused in one sentence before the table is built, or read in full."""

from __future__ import annotations

import io

import pytest

import segmentation as seg
from segmentation.loading.csv_reader import check_shape
from segmentation.loading.limits import MAX_COLUMNS


def _load(data: bytes) -> seg.Book:
    return seg.load(io.BytesIO(data), filename="attack.csv")


def _wide(fields: int) -> bytes:
    header = ",".join(["Account Name"] + [f"c{i}" for i in range(1, fields)])
    return (header + "\n" + ",".join(["Acme"] + ["1"] * (fields - 1)) + "\n").encode()


@pytest.mark.parametrize(
    ("fields", "allowed"),
    [(MAX_COLUMNS - 1, True), (MAX_COLUMNS, True), (MAX_COLUMNS + 1, False)],
)
def test_column_cap_at_and_around_the_limit(fields: int, allowed: bool) -> None:
    rows = [["x"] * fields, ["y"] * fields]
    if allowed:
        check_shape("attack.csv", rows, 40 * fields)
    else:
        with pytest.raises(seg.InputError, match=f"{MAX_COLUMNS + 1:,} columns, more than"):
            check_shape("attack.csv", rows, 40 * fields)


def test_too_wide_file_is_refused_by_load() -> None:
    with pytest.raises(seg.InputError, match=r"^attack\.csv has 12,001 columns"):
        _load(_wide(MAX_COLUMNS + 1))


def test_one_very_wide_line_among_many_short_ones_is_refused() -> None:
    """Padding 200,000 two-field lines to 11,000 fields would make 2.2 billion cells."""
    lines = ["Account ID,Account Name", "A-0," + "," * 11_000]
    lines += [f"A-{i},N{i}" for i in range(1, 200_000)]
    with pytest.raises(seg.InputError, match=r"a line 11,002 fields wide among 200,001 lines"):
        _load(("\n".join(lines) + "\n").encode())


def test_ragged_but_modest_file_loads_every_row() -> None:
    lines = ["Account ID,Account Name,ARR"] + [
        f"A-{i},N{i}" + ",x" * (i % 5) for i in range(1, 2_000)
    ]
    report = _load(("\n".join(lines) + "\n").encode()).report
    assert report.rows_read == 1_999 == report.rows_kept
