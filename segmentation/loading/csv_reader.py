"""CSV text: encoding, delimiter, and the records with the line each starts on."""

from __future__ import annotations

import codecs
import csv
import gc
import io
import re
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field

import charset_normalizer

from segmentation.errors import InputError
from segmentation.loading.limits import cells_cap, check_columns, refuse

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


@contextmanager
def paused_gc():
    """Pause the cyclic garbage collector while millions of cells are made at once (it would
    run again and again over them); it runs again as before afterwards."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@dataclass
class Grid:
    """Rows of cells as read, each with its 1-based line (CSV) or row (Excel) number."""

    rows: list[list]
    lines: list[int]
    notes: list[str] = field(default_factory=list)


# Single-byte encodings Excel writes CSV in: Windows Western (the default), Windows Central
# European, Mac Roman (Excel for Mac's "CSV") and DOS Latin-1 ("MS-DOS CSV"). In that order
# of preference when the text reads equally well in several.
LEGACY_ENCODINGS = ("cp1252", "cp1250", "mac_roman", "cp850")
_ENCODING_NAMES = {
    "cp1252": "Windows-1252",
    "cp1250": "Windows-1250",
    "mac_roman": "Mac Roman",
    "cp850": "DOS Latin-1 (cp850)",
}
_SCORE_SAMPLE = 200_000
_NON_ASCII = re.compile(r"[^\x00-\x7f]")


@dataclass
class Decoded:
    """Text, the encoding it was read with, and the decision in words (None if obvious)."""

    text: str
    encoding: str
    note: str | None = None


def decode(data: bytes, name: str) -> Decoded:
    """Decode bytes to text: BOMs, BOM-less UTF-16/32, strict UTF-8, then the most plausible
    of the encodings Excel writes (or a non-Latin one charset-normalizer is sure of)."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return Decoded(data[len(bom) :].decode(encoding, errors="replace"), _BOM_NAMES[bom])
    wide = _bomless_wide(data)
    if wide is not None:
        note = f"Encoding {wide} detected from the zero bytes between characters (no BOM)."
        return Decoded(data.decode(wide, errors="replace"), wide, note)
    try:
        return Decoded(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        pass
    best = charset_normalizer.from_bytes(data[:2_000_000]).best()
    guess = best.encoding if best is not None else "cp1252"
    if guess in _NON_LATIN:
        decoded = Decoded(data.decode(guess, errors="replace"), guess)
    else:
        decoded = _most_plausible(data)
    if _looks_binary(decoded.text):
        raise InputError(
            f"{name} is not a text (CSV) file or an Excel workbook; "
            "export the accounts as .csv or .xlsx and upload that."
        )
    return decoded


def decode_as(data: bytes, name: str, encoding: str) -> Decoded:
    """Decode with a given encoding (a BOM still decides); bytes that do not fit are said."""
    if any(data.startswith(bom) for bom, _ in _BOMS):
        return decode(data, name)
    try:
        return Decoded(data.decode(encoding), encoding)
    except UnicodeDecodeError:
        text = data.decode(encoding, errors="replace")
    note = (
        f"{text.count(chr(0xFFFD)):,} characters do not fit the saved encoding {encoding} "
        "and show as \ufffd; if names look wrong, remove the encoding from the settings."
    )
    return Decoded(text, encoding, note)


_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_BOM_NAMES = {
    codecs.BOM_UTF8: "utf-8-sig",
    codecs.BOM_UTF32_LE: "utf-32",
    codecs.BOM_UTF32_BE: "utf-32",
    codecs.BOM_UTF16_LE: "utf-16",
    codecs.BOM_UTF16_BE: "utf-16",
}


def _bomless_wide(data: bytes) -> str | None:
    """UTF-16/32 without a byte-order mark, from where the zero bytes of Latin text fall."""
    sample = data[:4096]
    sample = sample[: len(sample) - len(sample) % 4]
    if len(sample) < 8 or b"\x00" not in sample:
        return None
    quarters = [sample[k::4].count(0) / (len(sample) // 4) for k in range(4)]
    if min(quarters[1:]) > 0.9 and quarters[0] < 0.1:
        return "utf-32-le"
    if min(quarters[:3]) > 0.9 and quarters[3] < 0.1:
        return "utf-32-be"
    even, odd = (quarters[0] + quarters[2]) / 2, (quarters[1] + quarters[3]) / 2
    if odd > 0.4 and even < 0.05:
        return "utf-16-le"
    if even > 0.4 and odd < 0.05:
        return "utf-16-be"
    return None


def plausibility(text: str) -> int:
    """How well a decoding reads: accented letters inside words score, symbols or mid-word
    capitals there ("S‹o Paulo", "CafÈ") and undefined bytes count against."""
    score = 0
    for match in _NON_ASCII.finditer(text):
        at = match.start()
        char = match[0]
        before = text[at - 1] if at else " "
        after = text[at + 1] if at + 1 < len(text) else " "
        if char == "\ufffd":
            score -= 5
        elif char.isalpha():
            score += -2 if before.islower() and char.isupper() else 1
        elif before.isalpha() and after.isalpha():
            score -= 2
    return score


def _most_plausible(data: bytes) -> Decoded:
    sample = data[:_SCORE_SAMPLE]
    scores = {
        encoding: plausibility(sample.decode(encoding, errors="replace"))
        for encoding in LEGACY_ENCODINGS
    }
    ranked = sorted(LEGACY_ENCODINGS, key=lambda e: -scores[e])  # stable: preference on ties
    best, runner_up = ranked[0], ranked[1]
    margin = scores[best] - scores[runner_up]
    note = f"Encoding {_ENCODING_NAMES[best]} chosen: its accented characters read as words"
    if margin <= max(2, abs(scores[best]) // 10):
        note += (
            f" (a close call: {_ENCODING_NAMES[runner_up]} reads almost as well; "
            "if names look wrong, save the file as CSV UTF-8 and upload it again)."
        )
    else:
        note += f" (ahead of {_ENCODING_NAMES[runner_up]})."
    return Decoded(data.decode(best, errors="replace"), best, note)


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


def read_csv(
    data: bytes, name: str, encoding: str | None = None, delimiter: str | None = None
) -> tuple[Grid, str, str]:
    """Read CSV bytes into a Grid; returns (grid, encoding, delimiter).

    A given encoding or delimiter (the saved parse hints) is used instead of detecting it;
    a byte-order mark still wins over a given encoding, since it cannot be wrong.
    """
    decoded = decode_as(data, name, encoding) if encoding else decode(data, name)
    text, encoding = decoded.text, decoded.encoding
    if not text.strip():
        raise InputError(f"{name} has no text in it; export the accounts again and upload that.")
    delimiter = delimiter or detect_delimiter(text)
    rows, lines = _records(text, delimiter, name)
    check_shape(name, rows, len(data))
    return Grid(rows, lines, [decoded.note] if decoded.note else []), encoding, delimiter


def check_shape(name: str, rows: list[list], upload_bytes: int) -> None:
    """Refuse a table wider than MAX_COLUMNS, or so ragged that padding its short rows to the
    widest would make far more cells than the file holds (one line of 12,000 commas above a
    million short lines)."""
    if not rows:
        return
    width = max(map(len, rows))
    check_columns(name, width)
    cells = sum(map(len, rows))
    if width * len(rows) > max(cells_cap(upload_bytes), 2 * cells):
        raise refuse(
            name,
            f"has a line {width:,} fields wide among {len(rows):,} lines of about "
            f"{cells / len(rows):,.0f} fields; check the delimiter and the quoting",
        )


def _records(text: str, delimiter: str, name: str) -> tuple[list[list], list[int]]:
    """The CSV records and the line each starts on.

    The csv module reads all records in one C loop; only when a quoted field spans lines (the
    reader then ends on a later line than the record count) is each record's first line
    tracked one by one.
    """
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)
        with paused_gc():
            rows = list(reader)
        if reader.line_num == len(rows):
            return rows, list(range(1, len(rows) + 1))
    except csv.Error:
        pass  # read again record by record, to say on which line
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)
    rows, lines = [], []
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
    return rows, lines
