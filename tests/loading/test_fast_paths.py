"""The loader's fast paths (issue 16) against the ways they replaced, on real-shaped files.

* Columns typed one by one (text straight to Arrow) against main's way: the whole grid as one
  DataFrame, then typed (`_old_table_columns`, kept here as the reference).
* Bare-integer text columns and the Arrow `_text` against the general path, which an object
  Series still takes (`.astype(object)`: no fast path applies to it).
* The child's answer in marshal (text and numbers) or pickle (dates), and the stages the loader
  reports to a progress bar.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from build_fixtures import build_all
from hypothesis import given, settings
from hypothesis import strategies as st

import segmentation as seg
from segmentation.loading import LOAD_STAGES, loader, sandbox
from segmentation.loading import _calamine_child as child
from segmentation.loading.csv_reader import read_csv
from segmentation.loading.excel_reader import read_excel
from segmentation.loading.loader import _duplicated
from segmentation.loading.table import _number_column, build_table, typed_columns
from segmentation.sample import generate_accounts, to_crm_headers, write_book
from segmentation.values import EXCEL_ERRORS, _text, excel_errors, parse_number

REALBOOKS = Path(__file__).resolve().parent.parent / "realbooks"
sys.path.insert(0, str(REALBOOKS))
from books import build_all as build_realbooks  # noqa: E402


def _old_table_columns(cells: np.ndarray, excel: bool) -> tuple[pd.DataFrame, np.ndarray]:
    """main's typing (9f18481): one DataFrame of the grid, then each column typed; and the
    filled mask of its filled_cells()."""
    frame = pd.DataFrame(cells, columns=range(cells.shape[1]))
    present = ~pd.isna(cells)
    texts = np.zeros(cells.shape, dtype=bool)
    out = {}
    for j in range(cells.shape[1]):
        column = frame[j]
        kind = pd.api.types.infer_dtype(cells[:, j], skipna=True) if excel else "string"
        if kind == "string":
            texts[:, j] = present[:, j]
        elif kind.startswith("mixed") or kind == "unknown-array":
            texts[:, j] = present[:, j] & [isinstance(v, str) for v in cells[:, j]]
        inferred = pd.api.types.infer_dtype(column, skipna=True) if excel else "string"
        if inferred in ("floating", "integer", "mixed-integer-float"):
            out[j] = pd.to_numeric(column, errors="coerce").astype("float64")
        elif inferred in ("date", "datetime", "datetime64"):
            out[j] = pd.to_datetime(column, errors="coerce").astype("datetime64[ns]")
        elif inferred in ("string", "empty"):
            out[j] = column.astype("str").where(column.notna())
        else:
            out[j] = column.astype(object)
    if texts.any():
        blank = pd.Series(cells[texts], dtype="str").str.strip().eq("").to_numpy(dtype=bool)
        rows, columns = np.nonzero(texts)
        present[rows[blank], columns[blank]] = False
    return pd.DataFrame(out, index=pd.RangeIndex(len(cells))), present


def _excel_for_mac_csv() -> bytes:
    """Excel for Mac's "Comma Separated Values": Mac Roman, CRLF, accented names."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["Account Name", "Account ID", "ARR", "Health Score", "Country"])
    for i, name in enumerate(["Café Olé", "Müller GmbH", "São Paulo Ltda", "Zoë & Co"] * 25):
        writer.writerow([f"{name} {i}", f"A-{i:03d}", str(1000 * i), str(i % 101), "FR"])
    return out.getvalue().encode("mac_roman")


@pytest.fixture(scope="module")
def real_files(tmp_path_factory) -> dict[str, bytes]:
    """Real-shaped exports: the CRM report with its footer, a billing table, a warehouse
    extract, workbooks with title rows and dates, Excel for Mac CSV, a generated 2k book."""
    folder = tmp_path_factory.mktemp("fast-paths")
    files = {b.name: b.data for b in build_realbooks(folder).values()}
    for path in build_all(folder).values():
        if path.stem in ("salesforce_report", "workbook", "date1904", "semicolon_decimal_comma"):
            files[path.name] = path.read_bytes()
    files["excel_for_mac.csv"] = _excel_for_mac_csv()
    book = to_crm_headers(generate_accounts(2_000, seed=3))
    for suffix in (".csv", ".xlsx"):
        write_book(book, folder / f"generated{suffix}")
        files[f"generated{suffix}"] = (folder / f"generated{suffix}").read_bytes()
    return files


def _grid(name: str, data: bytes):
    if name.endswith(".xlsx"):
        return read_excel(data, name, None)[0], True
    return read_csv(data, name)[0], False


def test_the_real_files_cover_both_kinds(real_files) -> None:
    names = set(real_files)
    assert {"crm_report.xlsx", "saas_billing.csv", "warehouse_extract.csv"} <= names
    assert {"excel_for_mac.csv", "salesforce_report.csv", "workbook.xlsx"} <= names


@pytest.mark.parametrize(
    "name",
    [
        "crm_report.xlsx",
        "telecom_customers.xlsx",
        "saas_billing.csv",
        "warehouse_extract.csv",
        "pipeline_rollup.csv",
        "salesforce_report.csv",
        "semicolon_decimal_comma.csv",
        "workbook.xlsx",
        "date1904.xlsx",
        "excel_for_mac.csv",
        "generated.csv",
        "generated.xlsx",
    ],
)
def test_columns_typed_one_by_one_as_the_whole_grid_was(real_files, name) -> None:
    grid, excel = _grid(name, real_files[name])
    width = max(map(len, grid.rows))
    cells = np.empty((len(grid.rows), width), dtype=object)
    cells[:] = [list(r) + [""] * (width - len(r)) for r in grid.rows]
    cells[cells == ""] = None
    columns, filled = typed_columns(cells, excel)
    old, old_filled = _old_table_columns(cells, excel)
    for j, column in enumerate(columns):
        pd.testing.assert_series_equal(column, old[j], check_names=False, check_exact=True)
    assert np.array_equal(filled, old_filled)


def test_mixed_sheet_columns_keep_their_objects() -> None:
    cells = np.array(
        [
            ["a", 1.0, dt.datetime(2026, 1, 2), True, dt.time(9, 30), None],
            ["  ", None, dt.date(2026, 3, 4), None, None, None],
            ["b", "x", None, False, dt.time(10, 0), None],
        ],
        dtype=object,
    )
    columns, filled = typed_columns(cells, excel=True)
    old, old_filled = _old_table_columns(cells, excel=True)
    for j, column in enumerate(columns):
        pd.testing.assert_series_equal(column, old[j], check_names=False, check_exact=True)
    assert np.array_equal(filled, old_filled)
    assert filled[:, 0].tolist() == [True, False, True]  # blank text is not a value


def _number_columns(real_files) -> list[pd.Series]:
    out = []
    for name in sorted(real_files):
        if not name.endswith(".csv"):
            continue
        grid, _ = _grid(name, real_files[name])
        raw = build_table(grid.rows, grid.lines, excel=False).raw
        out += [raw[c] for c in raw.columns]
    return out


@pytest.mark.parametrize(("decimal", "hint"), [(None, "."), (None, ","), (",", "."), (".", ",")])
def test_number_parsing_matches_the_general_path(real_files, decimal, hint) -> None:
    columns = _number_columns(real_files)
    fast = 0
    for column in columns:
        new = parse_number(column, decimal=decimal, hint=hint)
        old = parse_number(column.astype(object), decimal=decimal, hint=hint)
        _same_parse(new, old)
        fast += column.dropna().str.fullmatch(r"-?[0-9]+").all()
    assert fast >= 10  # the fast path was taken, on many real columns


def _same_parse(new, old) -> None:
    pd.testing.assert_series_equal(new.values, old.values, check_exact=True)
    pd.testing.assert_series_equal(new.unreadable, old.unreadable, check_exact=True)
    assert (new.cleaned, new.decision) == (old.cleaned, old.decision)
    assert (new.decimal_mark, new.thousands_mark) == (old.decimal_mark, old.thousands_mark)


CELL = st.one_of(
    st.none(),
    st.from_regex(r"-?[0-9]{1,12}", fullmatch=True),
    st.sampled_from(["", " ", "N/A", "-", "1.5", "1,5", "1.234,5", "12 ", " 7", "\u00a03", "#N/A"]),
)


@settings(max_examples=200, deadline=None)
@given(st.lists(CELL, min_size=1, max_size=30), st.sampled_from([".", ","]))
def test_number_fast_path_is_the_general_path(cells, hint) -> None:
    column = pd.Series(cells, dtype="str")
    _same_parse(parse_number(column, hint=hint), parse_number(column.astype(object), hint=hint))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.none(), st.text(max_size=8)), min_size=1, max_size=30))
def test_arrow_text_is_the_general_text(cells) -> None:
    column = pd.Series(cells, dtype="str")
    pd.testing.assert_series_equal(_text(column), _text(column.astype(object)), check_exact=True)


@pytest.mark.parametrize(
    ("cells", "kind"),
    [
        ([["Account", "ARR"], ["A", 1.5], ["B", ""]], b"M"),
        ([["Account", "Renewal"], ["A", dt.datetime(2026, 1, 2)]], b"P"),
        ([["Account", "Start"], ["A", dt.date(2026, 1, 2)], ["B", dt.time(9)]], b"P"),
    ],
)
def test_child_answer_round_trips(cells, kind) -> None:
    packed = child._packed(cells)
    assert packed[:1] == kind
    assert list(sandbox._complete_frames(bytearray(packed))) == [cells]


@pytest.mark.parametrize("name", ["saas_billing.csv", "crm_report.xlsx", "generated.xlsx"])
def test_progress_gets_every_stage_in_order(real_files, name) -> None:
    seen: list[str] = []
    seg.load(io.BytesIO(real_files[name]), filename=name, progress=seen.append)
    assert seen == list(LOAD_STAGES)


@pytest.mark.parametrize(
    ("data", "name", "reached"),
    [
        (b"", "empty.csv", ["reading"]),
        (b"Account ID,Account Name,ARR\n", "header_only.csv", ["reading", "finding the table"]),
        (b"Foo,Bar\n1,2\n", "no_id.csv", ["reading", "finding the table", "matching columns"]),
    ],
)
def test_progress_stops_at_the_stage_that_refuses(data, name, reached) -> None:
    seen: list[str] = []
    with pytest.raises(seg.InputError):
        seg.load(io.BytesIO(data), filename=name, progress=seen.append)
    assert seen == reached


@pytest.fixture
def started(monkeypatch) -> list[subprocess.Popen]:
    """The reader processes started while a test runs."""
    out: list[subprocess.Popen] = []
    real_popen = sandbox.subprocess.Popen

    def popen(*args, **kwargs):
        out.append(real_popen(*args, **kwargs))
        return out[-1]

    monkeypatch.setattr(sandbox.subprocess, "Popen", popen)
    return out


def test_a_refusal_while_the_child_reads_is_the_one_said(real_files, started) -> None:
    """The sheet scan runs while the child reads: its refusal wins and the child is killed."""

    def refuse() -> None:
        raise seg.InputError("generated.xlsx is refused by the scan.")

    with pytest.raises(seg.InputError, match=r"^generated.xlsx is refused by the scan\.$"):
        sandbox.read_in_child(real_files["generated.xlsx"], "book.xlsx", None, meanwhile=refuse)
    (reader,) = started
    assert reader.returncode == -signal.SIGKILL  # reaped, not left running


def test_the_scan_and_the_child_together_read_the_sheet(real_files) -> None:
    scanned: list[bool] = []
    read = sandbox.read_in_child(
        real_files["generated.xlsx"], "generated.xlsx", None, meanwhile=lambda: scanned.append(1)
    )
    assert scanned == [1] and len(read.rows) == 2_001 and read.rows[0][0] == "Account ID"


# --- issue 16, upload -> Workshop: fast paths that skip work a column cannot need ----------

ERROR_CELL = st.one_of(
    st.text(max_size=6),
    st.sampled_from(["#N/A", "#n/a", "#DIV/0!", "#REF!", "#", "# N/A", "##", "N/A", "#SPILL!"]),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(ERROR_CELL, min_size=1, max_size=30))
def test_excel_errors_are_what_every_cell_looked_up_says(cells) -> None:
    text = _text(pd.Series(cells, dtype="str"))
    plain = text.str.upper().isin(EXCEL_ERRORS)
    pd.testing.assert_series_equal(excel_errors(text), plain, check_names=False)


def test_excel_errors_found_among_thousands_of_cells() -> None:
    text = pd.Series([f"A-{i}" for i in range(5_000)] + ["#n/a"], dtype="str")
    assert excel_errors(text).tolist() == [False] * 5_000 + [True]
    assert not excel_errors(text.iloc[:5_000]).any()


ID_CELL = st.one_of(
    st.none(), st.sampled_from(["A-1", "A-2", "a-1", "A-1 ", ""]), st.text(max_size=3)
)


@settings(max_examples=300, deadline=None)
@given(st.lists(ID_CELL, min_size=1, max_size=30))
def test_duplicated_ids_are_the_plain_marking(cells) -> None:
    for ids in (pd.Series(cells, dtype="str"), pd.Series(cells, dtype=object)):
        plain = ids.notna() & ids.duplicated(keep=False)
        pd.testing.assert_series_equal(_duplicated(ids), plain, check_names=False)


def test_duplicated_ids_in_a_long_book_with_gaps() -> None:
    ids = pd.Series([f"A-{i}" for i in range(10_000)] + [None, None], dtype="str")
    assert not _duplicated(ids).any()
    ids.iloc[9_999] = "A-17"
    assert np.flatnonzero(_duplicated(ids).to_numpy()).tolist() == [17, 9_999]


@pytest.mark.parametrize(
    "values",
    [
        [1.5, None, -0.0, 3.0, float("inf"), 1e308, None],
        [None, None, 2.0],
        [1.0, pd.NA, 2.0],  # numpy cannot cast pd.NA: the plain path reads it
        [1, 2.5, None],  # ints among floats: the plain path
    ],
)
def test_sheet_number_columns_are_what_to_numeric_reads(values) -> None:
    cells = np.array(values, dtype=object)
    kind = pd.api.types.infer_dtype(cells, skipna=True)
    plain = pd.to_numeric(pd.Series(cells), errors="coerce").astype("float64")
    pd.testing.assert_series_equal(_number_column(cells, kind), plain, check_exact=True)


@pytest.mark.parametrize("name", ["crm_report.xlsx", "workbook.xlsx", "generated.xlsx"])
def test_error_cells_found_as_every_column_looked_up_finds_them(real_files, name, monkeypatch):
    grid, excel = _grid(name, real_files[name])
    raw = build_table(grid.rows, grid.lines, excel=excel).raw
    raw = raw.assign(**{raw.columns[1]: raw[raw.columns[1]].mask(raw.index % 7 == 3, " #n/a")})
    fast = loader._error_texts(raw)
    monkeypatch.setattr(loader, "is_arrow_text", lambda column: False)  # no column skipped
    assert fast == loader._error_texts(raw)
    assert len(fast) >= len(raw) // 7


def _rows_at_once(data: bytes, sheet: str | None) -> list[list]:
    """The plain read: the whole sheet converted in one call."""
    import python_calamine as calamine

    book = calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    answer, _ = child._read(data, sheet)
    return book.get_sheet_by_name(answer["chosen"]).to_python(skip_empty_area=False)


def _offset_sheet() -> bytes:
    """Cells from C4 (empty rows above, empty columns on the left), a date, a far cell."""
    import xlsxwriter

    out = io.BytesIO()
    book = xlsxwriter.Workbook(out)
    sheet = book.add_worksheet("Accounts")
    sheet.write_row(3, 2, ["Account", "ARR", "Renewal"])
    sheet.write_row(4, 2, ["A", 5.0])
    sheet.write_datetime(
        4, 4, dt.datetime(2026, 1, 2), book.add_format({"num_format": "yyyy-mm-dd"})
    )
    sheet.write(9, 6, "far")
    book.close()
    return out.getvalue()


@pytest.mark.parametrize("chunk_rows", [1, 3, 8192])
@pytest.mark.parametrize(
    "name", ["crm_report.xlsx", "workbook.xlsx", "date1904.xlsx", "generated.xlsx", "offset.xlsx"]
)
def test_rows_sent_chunk_by_chunk_are_the_sheet_read_at_once(
    real_files, name, chunk_rows, monkeypatch
):
    data = _offset_sheet() if name == "offset.xlsx" else real_files[name]
    monkeypatch.setattr(child, "CHUNK_ROWS", chunk_rows)
    frames = list(child._frames(data, None))
    assert frames[-1] == child.END
    header, *chunks = sandbox._complete_frames(bytearray(b"".join(frames[:-1])))
    assert "error" not in header and all(len(c) <= chunk_rows for c in chunks)
    streamed = [row for chunk in chunks for row in chunk]
    assert streamed == _rows_at_once(data, None)
    assert len(streamed) >= 3


def test_the_child_streams_through_the_pipe_as_it_read_at_once(real_files) -> None:
    data = real_files["generated.xlsx"]
    read = sandbox.read_in_child(data, "generated.xlsx", None)
    assert read.rows == _rows_at_once(data, None) and len(read.rows) == 2_001


def test_frames_split_anywhere_come_out_whole() -> None:
    rows = [["Account", "ARR"]] + [[f"A-{i}", float(i)] for i in range(50)]
    stream = child._packed({"sheets": ["S"], "chosen": "S", "merged": []})
    stream += child._packed(rows[:20]) + child._packed(rows[20:]) + child.END
    pending, out = bytearray(), []
    for at in range(0, len(stream), 7):  # as a pipe may hand them over
        pending += stream[at : at + 7]
        out += list(sandbox._complete_frames(pending))
    assert out[0]["chosen"] == "S" and out[1] + out[2] == rows and out[3] is sandbox._END
    assert not pending


@pytest.mark.parametrize(
    ("name", "data"),
    [("generated.xlsx", None), ("generated.csv", None), ("no_table.csv", b"\n\n\n")],
)
def test_the_collector_runs_again_after_a_load(real_files, name, data) -> None:
    """The collector is paused while the rows are made and typed, and only then."""
    import gc

    assert gc.isenabled()
    with contextlib.suppress(seg.InputError):
        seg.load(io.BytesIO(data or real_files[name]), filename=name)
    assert gc.isenabled()


def test_the_child_is_reaped_after_its_answer(real_files, started) -> None:
    sandbox.read_in_child(real_files["generated.xlsx"], "generated.xlsx", None)
    (reader,) = started
    for _ in range(500):  # reaped on the side: within moments, with its pipes closed
        if reader.returncode is not None and reader.stdout.closed and reader.stderr.closed:
            break  # the reaper closes stdout, then stderr: wait for the last of its steps
        time.sleep(0.01)
    assert reader.returncode == 0 and reader.stdout.closed and reader.stderr.closed
