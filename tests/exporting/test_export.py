"""Exports read back for real: CSV with pandas, XLSX with python-calamine and openpyxl."""

from __future__ import annotations

import datetime as dt
import importlib
import io
import json
import math
import zipfile
from xml.etree import ElementTree

import numpy as np
import openpyxl
import pandas as pd
import pytest
from python_calamine import CalamineWorkbook

import segmentation as seg
from segmentation.sample import generate_accounts

exporting = importlib.import_module("segmentation.exporting")  # the package, not seg.export
from segmentation.exporting import workbook  # noqa: E402  (the limits and the Summary sheet)

DANGEROUS = ["=1+1", "+cmd", "-2+3", "@SUM(A1)", "\tx", "\rx", "\nx", "＝1+1", "＋1", "－1", "＠A1"]
SAFE = ["ok", "a-b", "1+1", " =1", "x=1", "Ümlaut", "a&b<c>\"'", "_x0041_", "<r>rich</r>", ""]


def read_csv(data: bytes) -> pd.DataFrame:
    assert data.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM, for Excel
    return pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", keep_default_na=False)


def calamine_rows(data: bytes, sheet: str = "Accounts") -> list[list]:
    return CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_name(sheet).to_python()


def openpyxl_sheet(data: bytes, sheet: str = "Accounts"):
    return openpyxl.load_workbook(io.BytesIO(data))[sheet]


def column_cells(sheet, header: str) -> list:
    headers = [cell.value for cell in sheet[1]]
    return [row[0] for row in sheet.iter_rows(min_row=2, min_col=headers.index(header) + 1,
                                              max_col=headers.index(header) + 1)]  # fmt: skip


@pytest.fixture(scope="module")
def segmented() -> pd.DataFrame:
    return seg.segment(generate_accounts(200), seg.default_config(), as_of=dt.date(2026, 11, 1))


def text_frame(values: list[str]) -> pd.DataFrame:
    return pd.DataFrame({"account_id": [f"A{i}" for i in range(len(values))], "note": values})


@pytest.mark.parametrize("text", DANGEROUS)
def test_csv_prefixes_formula_like_text(text):
    back = read_csv(seg.export_bytes(text_frame([text]), "csv"))
    assert back.loc[0, "note"] == "'" + text


@pytest.mark.parametrize("text", SAFE)
def test_csv_leaves_other_text_alone(text):
    back = read_csv(seg.export_bytes(text_frame([text, "x"]), "csv"))
    assert back.loc[0, "note"] == text


@pytest.mark.parametrize("text", DANGEROUS + SAFE[:-1])
def test_xlsx_writes_text_as_text_never_a_formula(text):
    data = seg.export_bytes(text_frame([text]), "xlsx")
    assert calamine_rows(data)[1][1] == text
    cell = column_cells(openpyxl_sheet(data), "note")[0]
    assert cell.data_type == "s"
    assert cell.quotePrefix == (text in DANGEROUS)  # Excel keeps it text when edited
    sheet_xml = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml")
    assert b"<f>" not in sheet_xml


def test_header_that_looks_like_a_formula_is_neutralised():
    frame = pd.DataFrame({"=HYPERLINK(1)": ["x"]})
    assert read_csv(seg.export_bytes(frame, "csv")).columns[0] == "'=HYPERLINK(1)"
    assert calamine_rows(seg.export_bytes(frame, "xlsx"))[0][0] == "=HYPERLINK(1)"


def test_numbers_stay_numbers_negatives_included():
    frame = pd.DataFrame({"delta": [-5.0, 2.5, np.nan], "count": pd.array([-3, None, 4], "Int64")})
    lines = seg.export_bytes(frame, "csv").decode("utf-8-sig").splitlines()
    assert lines == ['"delta","count"', "-5,-3", "2.5,", ",4"]  # unquoted, no ' prefix
    back = pd.read_csv(io.StringIO("\n".join(lines)))
    assert back["delta"].tolist()[:2] == [-5, 2.5] and back["count"].dtype.kind in "if"
    data = seg.export_bytes(frame, "xlsx")
    cells = column_cells(openpyxl_sheet(data), "delta")
    assert [(c.value, c.data_type) for c in cells[:2]] == [(-5, "n"), (2.5, "n")]
    assert cells[2].value is None  # NaN -> empty cell
    assert calamine_rows(data)[1:] == [[-5.0, -3.0], [2.5, ""], ["", 4.0]]


def test_mixed_object_column_keeps_each_value_its_type():
    mixed = pd.Series([1, "=a", None, -2.5, True, "b"], dtype=object)
    frame = pd.DataFrame({"id": range(6), "mixed": mixed})
    back = read_csv(seg.export_bytes(frame, "csv"))
    assert back["mixed"].astype(str).tolist() == ["1", "'=a", "", "-2.5", "True", "b"]
    cells = column_cells(openpyxl_sheet(seg.export_bytes(frame, "xlsx")), "mixed")
    assert [(c.value, c.data_type) for c in cells] == [
        (1, "n"), ("=a", "s"), (None, "n"), (-2.5, "n"), (True, "b"), ("b", "s"),
    ]  # fmt: skip


def test_loaded_input_columns_keep_their_numbers(tmp_path):
    """The loader keeps the input's own columns as text: numbers in them stay numbers."""
    source = tmp_path / "book.csv"
    source.write_text(
        "Account ID,Account Name,ARR,Delta,Note\n00123,Acme,1200.5,-5,=1+1\n00124,Beta,300,3,ok\n"
    )
    result = seg.segment(seg.load(source).accounts, seg.default_config())
    assert result["Delta"].dtype == "str"  # what makes this a test of the export

    seg.export(result, tmp_path / "out.csv")
    raw = (tmp_path / "out.csv").read_text(encoding="utf-8-sig")
    assert "'-5" not in raw
    lines = raw.splitlines()
    header = lines[0].split(",")
    first = lines[1].split(",")
    field = dict(zip(header, first, strict=False))
    assert field['"Delta"'] == "-5" and field['"ARR"'] == "1200.5"  # bare numbers
    assert field['"Account ID"'] == '"00123"' and field['"Note"'] == '"\'=1+1"'
    back = read_csv((tmp_path / "out.csv").read_bytes())
    assert back["Delta"].tolist() == [-5, 3]

    seg.export(result, tmp_path / "out.xlsx")
    sheet = openpyxl.load_workbook(tmp_path / "out.xlsx")["Accounts"]
    delta, arr = column_cells(sheet, "Delta"), column_cells(sheet, "ARR")
    assert [(c.value, c.data_type) for c in delta] == [(-5, "n"), (3, "n")]
    assert [(c.value, c.data_type) for c in arr] == [(1200.5, "n"), (300, "n")]
    assert arr[0].number_format == "$#,##0"  # the input's own ARR column looks like ARR
    ids = column_cells(sheet, "Account ID")
    assert [(c.value, c.data_type) for c in ids] == [("00123", "s"), ("00124", "s")]
    note = column_cells(sheet, "Note")[0]
    assert (note.value, note.data_type, note.quotePrefix) == ("=1+1", "s", True)


NUMBERS = ["-5", "3", "+7", "0", "-0.25", "1200.5", "1e3", "-2.5E-3", "123456789012345"]
NOT_NUMBERS = ["00123", "-007", "-2+3", "1+1", "-.5", " -5", "-5 ", "1,200", "－1", "1e400",
               "-1234567890123456", "12345678901234567890", "0x1F", "-inf", "NaN"]  # fmt: skip


@pytest.mark.parametrize("text", NUMBERS)
def test_text_that_is_a_plain_number_is_a_number(text):
    frame = pd.DataFrame({"value": pd.array([text, "label"], dtype="str")})
    lines = seg.export_bytes(frame, "csv").decode("utf-8-sig").splitlines()
    assert lines[1:] == [text, '"label"']  # as written, bare, never neutralised
    cells = column_cells(openpyxl_sheet(seg.export_bytes(frame, "xlsx")), "value")
    assert (cells[0].value, cells[0].data_type) == (float(text), "n")
    assert (cells[1].value, cells[1].data_type) == ("label", "s")


@pytest.mark.parametrize("text", NOT_NUMBERS)
def test_text_that_is_not_a_plain_number_stays_text(text):
    frame = pd.DataFrame({"value": pd.array([text], dtype="str")})
    expected = "'" + text if text.startswith(DANGEROUS_STARTS) else text
    lines = seg.export_bytes(frame, "csv").decode("utf-8-sig").splitlines()
    assert lines[1] == f'"{expected}"'  # quoted text, neutralised when formula-like
    cell = column_cells(openpyxl_sheet(seg.export_bytes(frame, "xlsx")), "value")[0]
    assert (cell.value, cell.data_type) == (text, "s")
    assert cell.quotePrefix == text.startswith(DANGEROUS_STARTS)


DANGEROUS_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")


def test_ids_tiers_and_object_columns_with_numeric_text():
    frame = pd.DataFrame(
        {
            "account_id": pd.array(["-5", "12"], dtype="str"),  # canonical id: text on purpose
            "tier": pd.Categorical(["1", "2"]),  # a categorical is text on purpose
            "other": pd.Series(["-5", "x"], dtype=object),
        }
    )
    lines = seg.export_bytes(frame, "csv").decode("utf-8-sig").splitlines()
    assert lines[1:] == ['"\'-5","1",-5', '"12","2","x"']
    sheet = openpyxl_sheet(seg.export_bytes(frame, "xlsx"))
    assert [c.value for c in column_cells(sheet, "account_id")] == ["-5", "12"]
    assert [c.value for c in column_cells(sheet, "tier")] == ["1", "2"]
    assert [(c.value, c.data_type) for c in column_cells(sheet, "other")] == [(-5, "n"), ("x", "s")]


def test_control_characters_and_markup_survive_xlsx():
    texts = ["a\x01b", "tab\tin", "a&b<c>", "_x0041_", "<r>rich</r>", "  padded  ", "é😀"]
    rows = calamine_rows(seg.export_bytes(text_frame(texts), "xlsx"))
    assert [row[1] for row in rows[1:]] == texts


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_every_row_is_written_in_order(segmented, fmt):
    data = seg.export_bytes(segmented, fmt)
    if fmt == "csv":
        ids = read_csv(data)["account_id"].tolist()
        tiers = read_csv(data)["tier"].tolist()
    else:
        rows = calamine_rows(data)
        ids = [row[rows[0].index("account_id")] for row in rows[1:]]
        tiers = [row[rows[0].index("tier")] for row in rows[1:]]
    assert ids == segmented["account_id"].tolist()
    assert tiers == segmented["tier"].astype(str).tolist()


def test_any_index_and_repeated_headers():
    frame = pd.DataFrame([[1, "a", 3.5], [2, "b", -1.0]], columns=["x", "x", "y"], index=[10, 5])
    assert calamine_rows(seg.export_bytes(frame, "xlsx")) == [
        ["x", "x", "y"], [1.0, "a", 3.5], [2.0, "b", -1.0],
    ]  # fmt: skip
    assert read_csv(seg.export_bytes(frame, "csv")).values.tolist() == [[1, "a", 3.5], [2, "b", -1]]


def test_dates_booleans_and_number_formats(segmented):
    sheet = openpyxl_sheet(seg.export_bytes(segmented, "xlsx", config=seg.default_config()))
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:{openpyxl.utils.get_column_letter(sheet.max_column)}201"
    renewal = column_cells(sheet, "renewal_date")[0]
    assert renewal.is_date and renewal.number_format == "yyyy-mm-dd"
    assert renewal.value.date() == segmented["renewal_date"].iloc[0].date()
    assert column_cells(sheet, "arr")[0].number_format == "$#,##0"
    assert column_cells(sheet, "priority")[0].number_format == "0"
    assert column_cells(sheet, "adoption")[0].number_format == "0%"
    assert column_cells(sheet, "referenceable")[0].data_type == "b"
    widths = sheet.column_dimensions
    assert widths["A"].width >= len("account_id")


def test_tier_cells_coloured_by_position(segmented):
    config = seg.default_config()
    sheet = openpyxl_sheet(seg.export_bytes(segmented, "xlsx", config=config))
    colours = {cell.value: cell.fill.fgColor.rgb for cell in column_cells(sheet, "tier")}
    top, bottom = config.tiers[0].name, config.tiers[-1].name
    assert colours[top].endswith("C6EFCE") and colours[bottom].endswith("EDEDED")
    assert len(set(colours.values())) == 3


def test_summary_sheet_counts_and_csms(segmented):
    config = seg.default_config()
    rows = calamine_rows(seg.export_bytes(segmented, "xlsx", config=config), "Summary")
    by_label = {row[0]: row[1:] for row in rows if row and row[0]}
    assert by_label["Accounts"][0] == len(segmented)
    assert by_label["ARR"][0] == pytest.approx(segmented["arr"].sum())
    for tier in config.tiers:
        in_tier = segmented["tier"] == tier.name
        accounts, share, arr = by_label[tier.name][:3]
        assert accounts == in_tier.sum() and share == pytest.approx(in_tier.mean())
        assert arr == pytest.approx(segmented.loc[in_tier, "arr"].sum())
    for quadrant in segmented["quadrant"].dropna().unique():
        assert by_label[quadrant][0] == (segmented["quadrant"] == quadrant).sum()
    top_arr = segmented.loc[segmented["tier"] == config.tiers[0].name, "arr"].sum()
    csm_row = next(v for k, v in by_label.items() if k.startswith("CSMs needed"))
    assert csm_row[0] == math.ceil(top_arr / 2_000_000)


def test_summary_csms_come_from_csm_coverage(segmented, monkeypatch):
    """The Summary sheet shows views.tiers.csm_coverage: the number is computed in one place."""
    from segmentation.views.tiers import Coverage, csm_coverage

    config = seg.default_config()
    coverage = csm_coverage(segmented, config)
    rows = calamine_rows(seg.export_bytes(segmented, "xlsx", config=config), "Summary")
    by_label = {row[0]: row[1] for row in rows if row and row[0]}
    assert by_label[f"CSMs needed for {coverage.tier} (one per $2,000,000 ARR)"] == coverage.csms
    assert by_label[f"{coverage.tier} ARR / $2,000,000 (exact)"] == pytest.approx(coverage.exact)
    calls = []

    def fake(result, given):
        calls.append(given)
        return Coverage("Top", 1.0, 4.0, 99, 0.25)

    monkeypatch.setattr(workbook, "csm_coverage", fake)
    rows = calamine_rows(seg.export_bytes(segmented, "xlsx", config=config), "Summary")
    by_label = {row[0]: row[1] for row in rows if row and row[0]}
    assert calls == [config]
    assert by_label["CSMs needed for Top (one per $4 ARR)"] == 99


def settings_json(rows: list[list]) -> dict:
    start = next(i for i, row in enumerate(rows) if row[0] == "Settings JSON") + 2
    lines = ["".join(str(cell) for cell in row) for row in rows[start:]]
    return json.loads("\n".join(lines))


def test_settings_sheet_holds_the_criteria_and_the_json(segmented):
    config = seg.default_config()
    rows = calamine_rows(seg.export_bytes(segmented, "xlsx", config=config), "Settings")
    texts = [row[0] for row in rows]
    assert all(line in texts for line in seg.describe_config(config))
    assert seg.config_from_dict(settings_json(rows)) == config


def test_long_settings_lines_continue_in_the_next_cells(segmented, monkeypatch):
    monkeypatch.setattr(workbook, "EXCEL_MAX_CELL_CHARS", 20)
    config = seg.default_config()
    rows = calamine_rows(
        seg.export_bytes(segmented.head(3)[["account_id", "tier"]], "xlsx", config=config),
        "Settings",
    )
    start = next(i for i, row in enumerate(rows) if row[0] == "Settings JSON") + 2
    assert max(len(str(cell)) for row in rows[start:] for cell in row) == 20
    assert seg.config_from_dict(settings_json(rows)) == config


def test_data_report_lists_skipped_lines(tmp_path):
    source = tmp_path / "crm.csv"
    source.write_text(
        "Account ID,Account Name,ARR\nA1,Acme,100\nA2,Beta,200\nGrand Totals (2 records),,300\n"
    )
    book = seg.load(source)
    result = seg.segment(book.accounts, seg.default_config())
    rows = calamine_rows(seg.export_bytes(result, "xlsx", report=book.report), "Data report")
    texts = [str(cell) for row in rows for cell in row]
    assert any("2 accounts kept" in text for text in texts)
    skipped_line, reason = book.report.rows_skipped[0]
    assert [float(skipped_line), reason] in [row[:2] for row in rows]


def test_without_config_or_report_the_sheets_say_so(segmented):
    data = seg.export_bytes(segmented.head(5), "xlsx")
    assert CalamineWorkbook.from_filelike(io.BytesIO(data)).sheet_names == [
        "Accounts", "Summary", "Settings", "Data report",
    ]  # fmt: skip
    assert "No settings" in calamine_rows(data, "Settings")[0][0]
    assert "No data report" in calamine_rows(data, "Data report")[0][0]


def test_over_the_row_limit_refuses_and_points_to_csv(tmp_path, monkeypatch):
    monkeypatch.setattr(workbook, "EXCEL_MAX_ROWS", 11)  # 10 rows + header fit
    seg.export(text_frame(["x"] * 10), tmp_path / "fits.xlsx")
    target = tmp_path / "too_big.xlsx"
    target.write_bytes(b"previous export")
    with pytest.raises(seg.InputError, match=r"at most 10 .*export it as CSV"):
        seg.export(text_frame(["x"] * 11), target)
    assert target.read_bytes() == b"previous export"  # not clobbered, not truncated
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fits.xlsx", "too_big.xlsx"]
    seg.export(text_frame(["x"] * 11), tmp_path / "big.csv")  # CSV has no such limit


def test_real_row_limit_is_excels():
    assert workbook.EXCEL_MAX_ROWS == 1_048_576


def test_text_too_long_for_a_cell_is_refused_naming_column_and_row():
    frame = text_frame(["short", "y" * 32_768])
    with pytest.raises(seg.InputError, match=r"'note', row 2 .*32,768 characters"):
        seg.export_bytes(frame, "xlsx")
    assert read_csv(seg.export_bytes(frame, "csv")).loc[1, "note"] == "y" * 32_768


def test_path_export_picks_format_by_extension(tmp_path, segmented):
    seg.export(segmented, tmp_path / "out.xlsx", config=seg.default_config())
    assert zipfile.is_zipfile(tmp_path / "out.xlsx")
    seg.export(segmented, tmp_path / "out.csv")
    assert (tmp_path / "out.csv").read_bytes() == seg.export_bytes(segmented, "csv")


def test_buffer_export_matches_export_bytes(segmented):
    buffer = io.BytesIO()
    seg.export(segmented, buffer, fmt="csv")
    assert buffer.getvalue() == seg.export_bytes(segmented, "csv")


@pytest.mark.parametrize("name", ["out.txt", "out", "out.xls"])
def test_unknown_extension_is_an_input_error(tmp_path, name):
    with pytest.raises(seg.InputError, match="extension"):
        seg.export(text_frame(["x"]), tmp_path / name)
    assert list(tmp_path.iterdir()) == []


def test_unknown_format_is_refused():
    with pytest.raises(ValueError, match="format"):
        seg.export_bytes(text_frame(["x"]), "pdf")


def test_failed_write_leaves_no_temporary_file(tmp_path, monkeypatch):
    def broken(*args):
        raise RuntimeError("disk full")

    monkeypatch.setattr(exporting, "_write", broken)
    with pytest.raises(RuntimeError):
        seg.export(text_frame(["x"]), tmp_path / "out.csv")
    assert list(tmp_path.iterdir()) == []


def test_every_xml_part_is_well_formed(segmented):
    frame = segmented.assign(note=["a&b<c>\x01", "<r>x</r>", "=1", *["ok"] * (len(segmented) - 3)])
    data = seg.export_bytes(frame, "xlsx", config=seg.default_config())
    archive = zipfile.ZipFile(io.BytesIO(data))
    for name in archive.namelist():
        if name.endswith((".xml", ".rels")):
            ElementTree.fromstring(archive.read(name))  # raises on malformed XML


def test_summary_reads_the_whole_result_when_the_accounts_sheet_keeps_the_inputs_headers():
    """The Accounts sheet holds the input's own ARR header once (no canonical `arr` copy), but
    the Summary's ARR per tier is still the book's ARR, not 0."""
    book = seg.load("sample_data/accounts.csv")
    config = seg.default_config()
    result = seg.segment(book.accounts, config)
    data = seg.export_bytes(result, "xlsx", config=config, report=book.report)
    header = calamine_rows(data)[0]
    assert book.mapping["arr"] in header and "arr" not in header
    summary = {row[0]: row for row in calamine_rows(data, "Summary") if row and row[0]}
    assert summary["ARR"][1] == pytest.approx(result["arr"].sum())
    for tier, arr in result.groupby("tier", observed=True)["arr"].sum().items():
        assert summary[tier][3] == pytest.approx(arr)
