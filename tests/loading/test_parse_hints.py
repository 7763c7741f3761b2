"""Parse decisions as data: load returns them, they round-trip, and a load accepts them back."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import segmentation as seg
from segmentation.loading.hints import (
    DATE_ORDERS,
    DECIMAL_MARKS,
    THOUSANDS_MARKS,
    ColumnHints,
    ParseHints,
)
from segmentation.values import format_number

HEADERS = ["Kunden-ID", "Account Name", "ARR", "Renewal Date"]


def european_csv(arr: list[float], renewals: list[dt.date], sep: str = ";") -> bytes:
    """A German-locale export: decimal comma, '.' thousands, day-first dates, as Excel saves."""
    frame = pd.DataFrame(
        {
            "Kunden-ID": [f"K-{i}" for i in range(len(arr))],
            "Account Name": [f"Kunde {i} GmbH" for i in range(len(arr))],
            "ARR": [format_number(v, decimal=",", thousands=".") for v in arr],
            "Renewal Date": [d.strftime("%d.%m.%Y") for d in renewals],
        }
    )
    return frame.to_csv(sep=sep, index=False, lineterminator="\r\n").encode("utf-8")


def ambiguous_csv(sep: str = ";") -> bytes:
    """Next quarter: every number like 1.234 and every date with a day of 12 or less."""
    frame = pd.DataFrame(
        {
            "Kunden-ID": ["K-1", "K-2", "K-3"],
            "Account Name": ["Alpha GmbH", "Beta GmbH", "Gamma GmbH"],
            "ARR": ["1.234", "25.500", "3.000"],
            "Renewal Date": ["03.04.2026", "11.12.2026", "01.02.2027"],
        }
    )
    return frame.to_csv(sep=sep, index=False, lineterminator="\r\n").encode("utf-8")


def load_bytes(data: bytes, name: str = "book.csv", **kwargs) -> seg.Book:
    return seg.load(io.BytesIO(data), filename=name, **kwargs)


@pytest.fixture(scope="module")
def quarter_three() -> seg.Book:
    return load_bytes(
        european_csv(
            [1234.5, 99.9, 1_000_000.0],
            [dt.date(2026, 3, 25), dt.date(2026, 4, 1), dt.date(2026, 12, 13)],
        )
    )


# --------------------------------------------------------------------------- the loop


def test_a_european_file_returns_its_decisions(quarter_three):
    hints = quarter_three.hints
    assert (hints.encoding, hints.delimiter, hints.header_row, hints.sheet) == (
        "utf-8",
        ";",
        1,
        None,
    )
    assert hints.column("ARR") == ColumnHints(decimal_mark=",", thousands_mark=".")
    assert hints.column("Renewal Date") == ColumnHints(date_order="DMY")
    assert hints.column("Account Name") is None  # text is not parsed: nothing decided


def test_saved_hints_read_next_quarter_the_european_way(quarter_three, tmp_path):
    path = tmp_path / "settings.json"
    seg.save_config(replace(seg.default_config(), parsing=quarter_three.hints), path)
    saved = seg.load_config(path).parsing
    assert saved == quarter_three.hints
    book = load_bytes(ambiguous_csv(), hints=saved)
    assert book.accounts["arr"].tolist() == [1234.0, 25500.0, 3000.0]
    assert book.accounts["renewal_date"].tolist() == [
        pd.Timestamp(2026, 4, 3),
        pd.Timestamp(2026, 12, 11),
        pd.Timestamp(2027, 2, 1),
    ]
    report = book.report
    assert "as the saved settings say" in report.number_formats["arr"]
    assert "as the saved settings say" in report.date_orders["renewal_date"]
    line = report.saved_line()
    assert line in report.summary_lines()
    assert "columns separated by semicolon" in line and "'ARR' decimal comma" in line


def test_without_the_hints_the_report_says_the_reading_was_ambiguous():
    report = load_bytes(ambiguous_csv()).report
    assert "ambiguous" in report.number_formats["arr"]
    assert "ambiguous" in report.date_orders["renewal_date"]
    assert report.read_as_saved == []


def test_column_hints_win_over_the_guess_of_a_comma_file(quarter_three):
    """Re-exported with commas, the file's own guess is point and month-first; the hints are not."""
    columns_only = ParseHints(columns=quarter_three.hints.columns)
    guessed = load_bytes(ambiguous_csv(sep=",")).accounts
    assert guessed["arr"].tolist() == [1.234, 25.5, 3.0]
    assert guessed["renewal_date"].iloc[0] == pd.Timestamp(2026, 3, 4)
    pinned = load_bytes(ambiguous_csv(sep=","), hints=columns_only).accounts
    assert pinned["arr"].tolist() == [1234.0, 25500.0, 3000.0]
    assert pinned["renewal_date"].iloc[0] == pd.Timestamp(2026, 4, 3)


def test_a_column_the_hints_do_not_name_is_still_detected(quarter_three):
    only_arr = ParseHints(columns=(("ARR", ColumnHints(decimal_mark=",")),))
    book = load_bytes(european_csv([5.5], [dt.date(2026, 1, 30)], sep=","), hints=only_arr)
    assert book.accounts["arr"].tolist() == [5.5]
    assert book.accounts["renewal_date"].tolist() == [pd.Timestamp(2026, 1, 30)]  # 30: day-first
    assert "saved" not in book.report.date_orders["renewal_date"]
    assert book.hints.column("Renewal Date") == ColumnHints(date_order="DMY")


def test_a_date_order_that_makes_a_value_impossible_flags_the_cell():
    data = b"Account ID,ARR,Renewal Date\nA-1,10,03/25/2026\nA-2,20,03/04/2026\n"
    hints = ParseHints(columns=(("Renewal Date", ColumnHints(date_order="DMY")),))
    book = load_bytes(data, hints=hints)
    assert book.accounts["renewal_date"].isna().tolist() == [True, False]
    assert "could not read '03/25/2026'" in book.accounts["input_issues"].iloc[0]
    assert book.accounts["input_issues"].iloc[1] == ""
    assert "1 cells could not be read with it" in book.report.date_orders["renewal_date"]


@pytest.mark.parametrize(
    "cell, decimal, thousands, expected",
    [
        ("1'234.50", ".", "'", 1234.5),
        ("1,234.50", ".", "'", None),  # the hint says apostrophe: a comma group does not fit
        ("1,234.50", ".", ",", 1234.5),
        ("1 234,50", ",", " ", 1234.5),
        ("1.234,50", ",", " ", None),  # the hint says space: a point group does not fit
    ],
)
def test_a_thousands_mark_hint_decides_which_groups_read(cell, decimal, thousands, expected):
    data = f'Account ID;ARR\nA-1;"{cell}"\n'.encode()
    hints = ParseHints(
        columns=(("ARR", ColumnHints(decimal_mark=decimal, thousands_mark=thousands)),)
    )
    book = load_bytes(data, hints=hints)
    value = book.accounts["arr"].iloc[0]
    assert (None if pd.isna(value) else value) == expected
    assert ("could not read" in book.accounts["input_issues"].iloc[0]) == (expected is None)


@pytest.mark.parametrize(
    "fixture", ["semicolon_decimal_comma.csv", "dates_us.csv", "utf8_bom_crlf.csv", "workbook.xlsx"]
)
def test_feeding_a_loads_hints_back_reads_the_file_identically(fixtures, fixture):
    first = seg.load(fixtures[fixture])
    again = seg.load(fixtures[fixture], hints=first.hints)
    pd.testing.assert_frame_equal(first.accounts, again.accounts)
    assert again.hints == first.hints


# --------------------------------------------------------------------------- file level


def test_encoding_hint_reads_legacy_bytes_and_says_when_they_do_not_fit():
    data = "Account ID;Account Name;ARR\nA-1;Zürich Rück;10\n".encode("cp1252")
    pinned = load_bytes(data, hints=ParseHints(encoding="cp1252"))
    assert pinned.accounts["account_name"].iloc[0] == "Zürich Rück"
    assert pinned.report.encoding == "cp1252"
    assert "encoding cp1252" in pinned.report.saved_line()
    wrong = load_bytes(data, hints=ParseHints(encoding="utf-8"))
    assert any("do not fit the saved encoding utf-8" in n for n in wrong.report.notes)
    assert wrong.report.read_as_saved[0] == "encoding utf-8"


def test_header_row_hint_is_used_and_an_empty_line_falls_back_to_detection():
    data = b"Account export\nAccount ID,ARR\nA-1,10\n"
    assert load_bytes(data, hints=ParseHints(header_row=2)).report.header_row == 2
    fallback = load_bytes(data, hints=ParseHints(header_row=40))
    assert fallback.report.header_row == 2
    assert any("header on line 40" in n for n in fallback.report.notes)
    assert fallback.report.read_as_saved == []


def test_delimiter_hint_is_used_instead_of_detection():
    data = b"Account ID|ARR;Notes\nA-1|10;x\nA-2|20;y\n"
    assert list(load_bytes(data).raw.columns) == ["Account ID|ARR", "Notes"]
    pinned = load_bytes(data, hints=ParseHints(delimiter="|"))
    assert list(pinned.raw.columns) == ["Account ID", "ARR;Notes"]


def _two_sheet_workbook() -> bytes:
    wb = openpyxl.Workbook()
    small = wb.active
    small.title = "Accounts"
    small.append(["Account ID", "ARR"])
    small.append(["A-1", 10])
    big = wb.create_sheet("Pivot")
    big.append(["Account ID", "ARR", "Region"])
    for i in range(5):
        big.append([f"P-{i}", i, "EMEA"])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize(
    "hinted, chosen, note",
    [(None, "Pivot", False), ("Accounts", "Accounts", False), ("Q3 Accounts", "Pivot", True)],
)
def test_sheet_hint_picks_the_sheet_or_says_it_is_gone(hinted, chosen, note):
    book = load_bytes(_two_sheet_workbook(), "book.xlsx", hints=ParseHints(sheet=hinted))
    assert book.report.sheet == chosen
    assert book.hints.sheet == chosen
    assert any("Q3 Accounts" in n for n in book.report.notes) == note


def test_an_explicit_sheet_wins_over_the_hint():
    book = load_bytes(
        _two_sheet_workbook(), "b.xlsx", sheet="Pivot", hints=ParseHints(sheet="Accounts")
    )
    assert book.report.sheet == "Pivot"


# --------------------------------------------------------------------------- as data


def _valid_column(decimal, thousands, order):
    if thousands is not None and thousands == (decimal or "."):
        thousands = None
    return ColumnHints(decimal, thousands, order)


parse_hints = st.builds(
    ParseHints,
    encoding=st.sampled_from([None, "utf-8", "utf-8-sig", "cp1252", "mac_roman", "utf-16"]),
    delimiter=st.sampled_from([None, ",", ";", "\t", "|"]),
    sheet=st.one_of(st.none(), st.text(min_size=1, max_size=31).filter(str.strip)),
    header_row=st.one_of(st.none(), st.integers(1, 10**6)),
    columns=st.dictionaries(
        st.text(min_size=1, max_size=40).filter(str.strip),
        st.builds(
            _valid_column,
            st.sampled_from((None, *DECIMAL_MARKS)),
            st.sampled_from((None, *THOUSANDS_MARKS)),
            st.sampled_from((None, *DATE_ORDERS)),
        ),
        max_size=6,
    ).map(lambda d: tuple(d.items())),
)


@settings(deadline=None)  # a config round trip; the shared machine's load, not the code, varies
@given(parse_hints)
def test_hints_round_trip_through_json(hints):
    doc = json.loads(json.dumps(hints.to_dict()))
    assert ParseHints.from_dict(doc) == hints
    cfg = replace(seg.default_config(), parsing=hints)
    assert seg.config_from_json(seg.config_to_json(cfg)).parsing == hints


def test_settings_without_a_parsing_section_have_none():
    doc = seg.config_to_dict(seg.default_config())
    assert "parsing" not in doc
    assert seg.config_from_dict(doc).parsing is None


@pytest.mark.parametrize(
    "parsing, field, problem",
    [
        ("comma", "parsing", "must be an object"),
        ({"delimiter": ":"}, "parsing.delimiter", "must be one of"),
        ({"encoding": "klingon-8"}, "parsing.encoding", "not an encoding"),
        ({"encoding": ""}, "parsing.encoding", "non-empty"),
        ({"header_row": 0}, "parsing.header_row", "at least 1"),
        ({"header_row": 1.5}, "parsing.header_row", "whole line number"),
        ({"header_row": True}, "parsing.header_row", "must be a number"),
        ({"sheet": 3}, "parsing.sheet", "non-empty"),
        ({"quote": '"'}, "parsing.quote", "not a known setting"),
        ({"columns": []}, "parsing.columns", "must be an object"),
        ({"columns": {"ARR": ","}}, "parsing.columns.ARR", "must be an object"),
        ({"columns": {"ARR": {"decimal_mark": ";"}}}, "parsing.columns.ARR.decimal_mark", "one of"),
        (
            {"columns": {"ARR": {"decimal_mark": ",", "thousands_mark": ","}}},
            "parsing.columns.ARR.thousands_mark",
            "must differ",
        ),
        (
            {"columns": {"ARR": {"thousands_mark": "."}}},
            "parsing.columns.ARR.thousands_mark",
            "differ",
        ),
        (
            {"columns": {"Renewal": {"date_order": "YMD"}}},
            "parsing.columns.Renewal.date_order",
            "one of",
        ),
        ({"columns": {"ARR": {"decimal": ","}}}, "parsing.columns.ARR.decimal", "not a known"),
    ],
)
def test_a_bad_parsing_section_is_one_sentence_naming_the_field(parsing, field, problem):
    doc = seg.config_to_dict(seg.default_config())
    doc["parsing"] = parsing
    with pytest.raises(seg.ConfigError) as caught:
        seg.config_from_json(json.dumps(doc))
    message = str(caught.value)
    assert message.startswith(f"{field}: ")
    assert problem in message
    assert "\n" not in message


def test_parsing_does_not_change_what_a_config_equals():
    """How a file was read does not change its tiers: caches keyed by Config stay valid."""
    cfg = seg.default_config()
    assert replace(cfg, parsing=ParseHints(delimiter=";")) == cfg


# --------------------------------------------------------------------------- the command line


PINNED = ("--config", "settings.json", "--as-of", "2026-11-01")


def test_score_reads_next_quarter_as_the_settings_parsing_section_says(quarter_three, tmp_path):
    """Re-exported with commas (so the file alone reads 1.234 as one point two three four)."""
    settings = tmp_path / "settings.json"
    pinned = ParseHints(columns=quarter_three.hints.columns)
    seg.save_config(replace(seg.default_config(), parsing=pinned), settings)
    assert "parsing" in json.loads(settings.read_text(encoding="utf-8"))
    (tmp_path / "q4.csv").write_bytes(ambiguous_csv(sep=","))
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run(
        [sys.executable, "-m", "segmentation", "score", "q4.csv", "--out", "out.csv", *PINNED],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(root)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "Read as the saved settings say:" in done.stdout
    assert "'ARR' decimal comma" in done.stdout
    # The export keeps the input's own columns as uploaded; what was read shows in the
    # computed ones: the ARR in the reasons and the days to renewal from 2026-11-01.
    out = pd.read_csv(tmp_path / "out.csv")
    arr = out["reasons"].str.extract(r"ARR (\$[0-9.]+k)")[0].tolist()
    assert arr == ["$1.2k", "$26k", "$3.0k"]
    renewals = [dt.date(2026, 4, 3), dt.date(2026, 12, 11), dt.date(2027, 2, 1)]
    assert out["days_to_renewal"].tolist() == [(d - dt.date(2026, 11, 1)).days for d in renewals]
