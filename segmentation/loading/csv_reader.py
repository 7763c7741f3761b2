"""CSV text: encoding, delimiter, and the records with the line each starts on."""

from __future__ import annotations

import codecs
import csv
import io
from collections import Counter
from dataclasses import dataclass, field

import charset_normalizer

from segmentation.errors import InputError

DELIMITERS = (",", ";", "\t", "|")
_SAMPLE_LINES = 60
_NON_LATIN = frozenset(
    [
        "cp1251",
        "koi8_r",
        "koi8_u",
        "iso8859_5",
        "mac_cyrillic",
        "cp866",
        "cp1253",
        "iso8859_7",
        "cp1255",
        "iso8859_8",
        "cp1256",
        "iso8859_6",
        "shift_jis",
        "cp932",
        "euc_jp",
        "iso2022_jp",
        "gb2312",
        "gbk",
        "gb18030",
        "big5",
        "big5hkscs",
        "euc_kr",
        "cp949",
        "johab",
        "tis_620",
        "cp874",
        "utf_16",
        "utf_16_le",
        "utf_16_be",
        "utf_32",
        "utf_32_le",
        "utf_32_be",
    ]
)


@dataclass
class Grid:
    """Rows of cells as read, each with its 1-based line (CSV) or row (Excel) number."""

    rows: list[list]
    lines: list[int]
    notes: list[str] = field(default_factory=list)


def decode(data: bytes, name: str) -> tuple[str, str]:
    """Decode bytes to text: BOMs first, then strict UTF-8, then charset-normalizer."""
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :].decode("utf-8", errors="replace"), "utf-8-sig"
    if data.startswith(codecs.BOM_UTF16_LE) or data.startswith(codecs.BOM_UTF16_BE):
        return data.decode("utf-16", errors="replace"), "utf-16"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    best = charset_normalizer.from_bytes(data[:2_000_000]).best()
    encoding = best.encoding if best is not None else "cp1252"
    if encoding not in _NON_LATIN:
        # Exports from Windows Excel are cp1252; charset-normalizer often names a cousin.
        try:
            data.decode("cp1252")
            encoding = "cp1252"
        except UnicodeDecodeError:
            pass
    text = data.decode(encoding, errors="replace")
    if _looks_binary(text):
        raise InputError(
            f"{name} is not a text (CSV) file or an Excel workbook; "
            "export the accounts as .csv or .xlsx and upload that."
        )
    return text, encoding


def _looks_binary(text: str) -> bool:
    sample = text[:20000]
    if not sample:
        return False
    control = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\r\n\t\f")
    return "\x00" in sample or control / len(sample) > 0.01


def detect_delimiter(text: str) -> str:
    """Pick the delimiter that splits the first lines into the most consistent field counts."""
    sample = text[:200_000]
    if len(text) > len(sample):
        sample = sample[: sample.rfind("\n") + 1] or sample
    best, best_score = ",", (-1, -1)
    for delimiter in DELIMITERS:
        reader = csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter)
        counts = []
        try:
            for row in reader:
                if any(cell.strip() for cell in row):
                    counts.append(len(row))
                if len(counts) >= _SAMPLE_LINES:
                    break
        except csv.Error:
            continue
        multi = [n for n in counts if n > 1]
        if not multi:
            continue
        width, agreeing = Counter(multi).most_common(1)[0]
        score = (agreeing, width)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def read_csv(data: bytes, name: str) -> tuple[Grid, str, str]:
    """Read CSV bytes into a Grid; returns (grid, encoding, delimiter)."""
    text, encoding = decode(data, name)
    if not text.strip():
        raise InputError(f"{name} has no text in it; export the accounts again and upload that.")
    delimiter = detect_delimiter(text)
    stream = io.StringIO(text, newline="")
    reader = csv.reader(stream, delimiter=delimiter, strict=False)
    rows: list[list] = []
    lines: list[int] = []
    previous_end = 0
    try:
        for row in reader:
            rows.append(row)
            lines.append(previous_end + 1)
            previous_end = reader.line_num
    except csv.Error as error:
        raise InputError(
            f"{name} could not be read as CSV near line {previous_end + 1} ({error}); "
            "export it again as CSV and upload that."
        ) from error
    return Grid(rows, lines), encoding, delimiter
