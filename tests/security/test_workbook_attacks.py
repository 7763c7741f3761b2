"""Issue 17 items 1 and 8: a hostile or damaged workbook gets one sentence, never a crash.

On the old main, the far-cell and shared-string recipes aborted the whole process (SIGABRT
from the Rust reader), the merged range spun in a Python loop for minutes, and damaged parts
raised BadZipFile / XmlError / CalamineError.
"""

from __future__ import annotations

import io
import subprocess
import sys
import zipfile

import pytest
from attack_recipes import far_cell, rewrite_part, shared_strings, workbook

import segmentation as seg
from segmentation.loading.excel_reader import read_excel
from segmentation.loading.limits import EXCEL_MAX_CELL_CHARS, MIN_CELLS_CAP
from segmentation.loading.sandbox import read_in_child

FAR = "XFD1048576"


def _load(data: bytes, name: str = "attack.xlsx") -> seg.Book:
    return seg.load(io.BytesIO(data), filename=name)


@pytest.mark.parametrize(
    ("recipe", "message"),
    [
        (lambda: workbook(far_cell(FAR, 1_048_576)), r"16,384 columns, more than the 12,000"),
        (lambda: workbook(far_cell("XFE5", 5)), r"column 16,385, beyond Excel's own"),
        (lambda: workbook(far_cell("A1048577", 1_048_577)), r"row 1,048,577, .* beyond Excel"),
        (lambda: workbook(far_cell("ZZ900000", 900_000)), r"900,000 rows x 702 columns"),
        (lambda: workbook(dimension="A1:XFD1048576"), r"16,384 columns"),
        (lambda: workbook(merges=["A4:XFD1048576"]), r"16,384 columns"),
        (lambda: workbook(merges=["A4:ZZ90000"]), r"a merged range spanning 89,997 rows"),
        (
            lambda: workbook(shared_strings=shared_strings(["x"], unique=4_000_000_000)),
            r"declares 4,000,000,000 shared strings",
        ),
        (
            lambda: workbook(shared_strings=shared_strings(["x"] * 3, count=2_000_000)),
            r"declares 2,000,000 shared strings",
        ),
        (
            lambda: workbook(shared_strings=shared_strings(["é" * (EXCEL_MAX_CELL_CHARS + 1)])),
            r"text longer than the 32,767 characters",
        ),
    ],
)
def test_hostile_workbook_is_refused_in_one_sentence(recipe, message: str) -> None:
    with pytest.raises(seg.InputError, match=message) as caught:
        _load(recipe())
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize(
    ("extra", "loads"),
    [
        # a sparse cell: just inside the cells cap (tiny files may span MIN_CELLS_CAP cells)
        (far_cell("J100000", 100_000), True),
        (far_cell("K100000", 100_000), False),  # just over: 1,100,000 cells
        (far_cell("T50000", 50_000), True),  # exactly 1,000,000 cells
        (far_cell("T50001", 50_001), False),
    ],
)
def test_cells_cap_at_and_around_the_limit(extra: str, loads: bool) -> None:
    assert MIN_CELLS_CAP == 1_000_000
    data = workbook(extra)
    if loads:  # the far cell's row is kept, and flagged as having no id or name
        report = _load(data).report
        assert (report.rows_kept, report.rows_read) == (3, 3 + len(report.rows_skipped))
    else:
        with pytest.raises(seg.InputError, match="more than the 1,000,000 cells"):
            _load(data)


def test_text_at_the_length_limit_loads() -> None:
    text = "é" * EXCEL_MAX_CELL_CHARS
    strings = shared_strings(["Account ID", "Account Name", "A-1", text])
    cells = [("A1", 0), ("B1", 1), ("A2", 2), ("B2", 3)]
    extra = '<row r="1">{}</row><row r="2">{}</row>'.format(
        *(
            "".join(f'<c r="{ref}" t="s"><v>{i}</v></c>' for ref, i in cells[k : k + 2])
            for k in (0, 2)
        )
    )
    book = _load(workbook(extra, shared_strings=strings, rows=[]))
    assert book.accounts["account_name"].tolist() == [text]


@pytest.mark.parametrize(
    "recipe",
    [
        lambda: workbook(far_cell(FAR, 1_048_576)),
        lambda: workbook(shared_strings=shared_strings(["x"], 4_000_000_000, 4_000_000_000)),
        lambda: workbook(far_cell("ZZ900000", 900_000)),
    ],
)
def test_reader_abort_in_the_child_becomes_one_sentence(recipe) -> None:
    """Past the pre-checks, the Rust reader aborts (SIGABRT); only the child dies."""
    with pytest.raises(seg.InputError, match=r"could not be read within 2 GB of memory"):
        read_in_child(recipe(), "attack.xlsx", None)


def test_reader_time_limit_becomes_one_sentence() -> None:
    with pytest.raises(seg.InputError, match=r"^slow.xlsx took more than 0.01 s to read"):
        read_in_child(workbook(), "slow.xlsx", None, seconds=0.01)


@pytest.mark.parametrize(
    ("part", "content"),
    [
        ("xl/worksheets/sheet1.xml", b"<worksheet><sheetData><row r='1'><c r='A1'"),
        ("xl/worksheets/sheet1.xml", b"\xff\xfe not xml at all"),
        ("xl/workbook.xml", b"<workbook><sheets><sheet name='x' r:id='rId1'"),
        ("xl/sharedStrings.xml", b"<sst><si><t>unterminated"),
        ("xl/_rels/workbook.xml.rels", b"garbage"),
        ("[Content_Types].xml", b"<Types"),
        ("xl/styles.xml", b"<styleSheet><cellXfs><xf numFmtId='x'/></cellXfs></styleSheet>"),
    ],
)
def test_damaged_part_is_one_sentence(part: str, content: bytes) -> None:
    data = rewrite_part(workbook(), part, content)
    if part not in zipfile.ZipFile(io.BytesIO(data)).namelist():
        with zipfile.ZipFile(io.BytesIO(data), "a") as archive:
            archive.writestr(part, content)
    try:
        book = _load(data)
    except seg.InputError as problem:
        assert "\n" not in str(problem)
    else:  # a damaged part the reader can do without: the accounts are all there
        assert book.report.rows_kept == 2


@pytest.mark.parametrize("cut", [30, 200, 0.5, 0.9, -22])
def test_truncated_workbook_is_one_sentence(cut: float) -> None:
    data = workbook()
    at = int(len(data) * cut) if isinstance(cut, float) else cut
    with pytest.raises(seg.InputError):
        _load(data[:at])


def test_cli_refuses_far_cell_workbook_with_one_error_line(tmp_path) -> None:
    """The old CLI exited 134 with a Rust backtrace."""
    attack = tmp_path / "attack.xlsx"
    attack.write_bytes(workbook(far_cell(FAR, 1_048_576)))
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "segmentation",
            "score",
            str(attack),
            "--out",
            str(tmp_path / "o.csv"),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and done.stderr.startswith("error: ")
    assert not (tmp_path / "o.csv").exists()


def test_benign_recipe_reads_in_the_child() -> None:
    grid, extras = read_excel(workbook(), "ok.xlsx", None)
    assert grid.rows[1][:2] == ["A-1", "Acme"]
    assert extras.sheet == "Accounts"
