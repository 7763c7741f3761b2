"""Unusable inputs are refused with one sentence a person can act on."""

from __future__ import annotations

import io

import pytest

from segmentation.errors import InputError
from segmentation.loading import load, source


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("empty.csv", r"^empty\.csv is empty; export the accounts again"),
        ("blank_lines_only.csv", r"^blank_lines_only\.csv has no text in it"),
        ("header_only.csv", r"^header_only\.csv has a header row but no account rows"),
        ("binary.csv", r"^binary\.csv is not a text \(CSV\) file or an Excel workbook"),
        ("no_id_or_name.csv", r"no account id or name column \(found 'Foo', 'Bar', 'Baz'\)"),
        ("no_id_or_name.xlsx", r"no account id or name column \(found 'Foo', 'Bar'\)"),
        ("encrypted.xlsx", r"^encrypted\.xlsx is encrypted with a password; save an unprotected"),
        ("legacy.xls", r"^legacy\.xls is an old-style \.xls workbook; .* save it as \.xlsx or CSV"),
        ("zipbomb.xlsx", r"^zipbomb\.xlsx would expand to 4,096 MB .* zip bomb"),
        ("plain.zip.xlsx", r"is a zip archive, not an Excel workbook"),
    ],
)
def test_refused_with_one_actionable_sentence(fixtures, name: str, message: str) -> None:
    with pytest.raises(InputError, match=message) as caught:
        load(fixtures[name])
    text = str(caught.value)
    assert text.endswith(".") and text.count(". ") == 0


def test_unknown_sheet_lists_the_sheets(fixtures) -> None:
    with pytest.raises(InputError, match="no sheet named 'Nope'; its sheets are 'Read me', "):
        load(fixtures["workbook.xlsx"], sheet="Nope")


def test_size_limit_is_checked_before_reading(fixtures, monkeypatch) -> None:
    monkeypatch.setattr(source, "MAX_UPLOAD_MB", 0.0001)

    class Unreadable(io.BytesIO):
        def read(self, *args):  # the limit must be enforced without reading
            raise AssertionError("read before the size check")

    big = Unreadable(b"x" * 200)
    with pytest.raises(InputError, match=r"over the 0.0001 MB limit"):
        load(big, filename="big.csv")
    with pytest.raises(InputError, match="over the"):
        load(fixtures["workbook.xlsx"])


def test_missing_path() -> None:
    with pytest.raises(InputError, match="was not found"):
        load("/no/such/accounts.csv")
