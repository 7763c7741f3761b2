"""Excel workbooks: safety checks on the zip and the sheet XML, python-calamine in a child
process (sandbox.py), then what calamine cannot say.

python-calamine gives cell values fast but shows Excel error cells and formulas without a
saved value as empty strings, and does not say which cells are formatted as percentages.
Those three facts are read from the sheet's XML with byte-level regular expressions over a
streamed, size-bounded decompression, so a 100k-row sheet costs a fraction of a second.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from contextlib import contextmanager
from dataclasses import dataclass, field
from xml.etree import ElementTree

from segmentation.errors import InputError
from segmentation.loading.csv_reader import Grid
from segmentation.loading.limits import (
    EXCEL_MAX_CELL_CHARS,
    EXCEL_MAX_COLUMNS,
    EXCEL_MAX_ROWS,
    cells_cap,
    check_extent,
    refuse,
)
from segmentation.loading.sandbox import read_in_child

MAX_UNCOMPRESSED_BYTES = 1024**3  # 1 GB declared in the zip directory
MAX_COMPRESSION_RATIO = 100
_RATIO_MIN_BYTES = 20 * 1024**2  # small files may compress well without being bombs
_CHUNK = 8 * 1024**2


@dataclass
class ExcelExtras:
    """What calamine cannot tell: keyed by (0-based sheet row, 0-based column)."""

    errors: dict[tuple[int, int], str] = field(default_factory=dict)
    uncomputed: set[tuple[int, int]] = field(default_factory=set)
    percent: set[tuple[int, int]] = field(default_factory=set)
    epoch: int = 1900
    sheet: str = ""
    other_sheets: list[str] = field(default_factory=list)
    merged: list[tuple[tuple[int, int], tuple[int, int]]] = field(default_factory=list)


def check_zip(data: bytes, name: str) -> zipfile.ZipFile:
    """Refuse zip bombs from the central directory alone, before anything is decompressed."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise InputError(
            f"{name} is a damaged Excel file; open it in Excel, save it again and upload that."
        ) from error
    total = sum(info.file_size for info in infos)
    packed = sum(info.compress_size for info in infos) or 1
    too_big = total > MAX_UNCOMPRESSED_BYTES
    too_packed = total > _RATIO_MIN_BYTES and total / packed > MAX_COMPRESSION_RATIO
    for info in infos:
        if info.file_size > _RATIO_MIN_BYTES:
            too_packed |= info.file_size / max(info.compress_size, 1) > MAX_COMPRESSION_RATIO
    if too_big or too_packed:
        raise InputError(
            f"{name} would expand to {total / 1024**2:,.0f} MB when opened, which looks like a "
            "zip bomb; export the accounts again as a plain .xlsx or .csv and upload that."
        )
    names = {info.filename for info in infos}
    if not names & {"xl/workbook.xml", "xl/workbook.bin", "content.xml"}:
        raise InputError(
            f"{name} is a zip archive, not an Excel workbook; upload the .xlsx or .csv file itself."
        )
    return archive


def ole2_message(data: bytes, name: str) -> str:
    """The one-sentence refusal for an OLE2 file: encrypted workbook or legacy .xls."""
    if "EncryptedPackage".encode("utf-16-le") in data[:1_000_000] or name.lower().endswith(
        (".xlsx", ".xlsm")
    ):
        return (
            f"{name} is encrypted with a password; save an unprotected copy from Excel "
            "and upload that."
        )
    return (
        f"{name} is an old-style .xls workbook; open it in Excel, save it as .xlsx or CSV "
        "and upload that."
    )


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _sheet_paths(archive: zipfile.ZipFile) -> tuple[dict[str, str], int]:
    """Sheet name -> XML path inside the zip, and the workbook's date system (1900/1904)."""
    try:
        workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    except (KeyError, ElementTree.ParseError):
        return {}, 1900
    targets = {}
    for rel in rels.iter():
        if _local(rel.tag) == "Relationship":
            target = rel.get("Target", "").lstrip("/")
            if not target.startswith("xl/"):
                target = "xl/" + target
            targets[rel.get("Id")] = target
    paths, epoch = {}, 1900
    for node in workbook.iter():
        tag = _local(node.tag)
        if tag == "workbookPr" and node.get("date1904", "0").lower() in ("1", "true"):
            epoch = 1904
        if tag == "sheet":
            rid = next((v for k, v in node.attrib.items() if _local(k) == "id"), None)
            if rid in targets:
                paths[node.get("name", "")] = targets[rid]
    return paths, epoch


def _percent_styles(archive: zipfile.ZipFile) -> set[int]:
    """Indexes of cell styles whose number format shows a percentage."""
    try:
        styles = ElementTree.fromstring(archive.read("xl/styles.xml"))
    except (KeyError, ElementTree.ParseError):
        return set()
    percent_formats = {9, 10}
    for node in styles.iter():
        if _local(node.tag) == "numFmt":
            code = re.sub(r'"[^"]*"|\\.', "", node.get("formatCode", ""))
            if "%" in code:
                percent_formats.add(int(node.get("numFmtId", "-1")))
    out: set[int] = set()
    for node in styles.iter():
        if _local(node.tag) == "cellXfs":
            for index, xf in enumerate(child for child in node if _local(child.tag) == "xf"):
                if int(xf.get("numFmtId", "0")) in percent_formats:
                    out.add(index)
    return out


def _column_index(letters: bytes) -> int:
    number = 0
    for char in letters:
        number = number * 26 + (char - 64)
    return number - 1


_CELL_START_RE = re.compile(rb'<(?:\w+:)?c r="([A-Z]+)(\d+)"[^>]*>')
_ERROR_RE = re.compile(
    rb'<(?:\w+:)?c r="([A-Z]+)(\d+)"[^>]*?\bt="e"[^>]*>'
    rb"(?:<(?:\w+:)?f[^>]*/>|<(?:\w+:)?f[^>]*>[^<]*</(?:\w+:)?f>)?"
    rb"<(?:\w+:)?v>([^<]*)</(?:\w+:)?v>"
)
_UNCOMPUTED_RE = re.compile(
    rb'<(?:\w+:)?c r="([A-Z]+)(\d+)"[^>/]*>'
    rb"(?:<(?:\w+:)?f[^>]*/>|<(?:\w+:)?f[^>]*>[^<]*</(?:\w+:)?f>)"
    rb"(?:<(?:\w+:)?v\s*/>|<(?:\w+:)?v></(?:\w+:)?v>)?</(?:\w+:)?c>"
)


_ROOT_RE = re.compile(rb"<(\w+:)?worksheet\b")
_DIMENSION_RE = re.compile(rb'<(?:\w+:)?dimension ref="([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?"')
_MERGE_RE = re.compile(rb'<(?:\w+:)?mergeCell ref="([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?"')
_SST_RE = re.compile(rb"<(?:\w+:)?sst\b[^>]*>")
_COUNT_RE = re.compile(rb'\b(count|uniqueCount)="(\d+)"')
_SMALLEST_SHARED_STRING = len(b"<si><t/></si>")
# What zipfile, zlib and ElementTree raise on damaged parts (an encrypted member: RuntimeError).
_DAMAGED = (
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    OSError,
    ValueError,
    NotImplementedError,
    RuntimeError,
    ElementTree.ParseError,
)


@dataclass
class _Extent:
    """The largest row and column (1-based) a sheet's cells reach, from their references.

    Reading every cell reference of a 100k-row sheet costs a second, so this reads the row
    numbers, the first and last row's cells of each chunk, and any reference past column ZZ or
    row 999,999 (literal-prefixed patterns, which the regex engine skips through fast). A cell
    placed far out of its row's order is left to the child process's memory limit.
    """

    prefix: bytes = b""
    rows: int = 0
    columns: int = 0

    def add(self, data: bytes) -> None:
        tag = re.escape(self.prefix)
        row_numbers = re.findall(rb"<" + tag + rb'row r="(\d+)"', data)
        if row_numbers:
            self.rows = max(self.rows, max(map(int, row_numbers)))
        far = re.findall(rb"<" + tag + rb'c r="((?:[A-Z]{3,}|[A-Z]+(?=\d{7,})))(\d+)"', data)
        first_end = data.find(b"</" + self.prefix + b"row>")
        last_start = data.rfind(b"<" + self.prefix + b"row ")
        edges = data[: first_end + 1] + data[last_start:] if first_end >= 0 else data
        refs = far + re.findall(rb"<" + tag + rb'c r="([A-Z]+)(\d+)"', edges)
        for letters, digits in refs:
            self.columns = max(self.columns, _column_index(letters) + 1)
            self.rows = max(self.rows, int(digits))


def _stream(archive: zipfile.ZipFile, path: str, boundary: bytes):
    """The part's decompressed bytes in chunks cut after `boundary`, at most 1 GB in all."""
    try:
        stream = archive.open(path)
    except KeyError:
        return
    carry = b""
    read = 0
    with stream:
        while True:
            chunk = stream.read(_CHUNK)
            read += len(chunk)
            if read > MAX_UNCOMPRESSED_BYTES:
                raise InputError(
                    "the workbook expands to more than 1 GB, which looks like a zip bomb; "
                    "export the accounts again as .xlsx or .csv and upload that."
                )
            data = carry + chunk
            if chunk:
                end = data.rfind(boundary)
                cut = end + len(boundary) if end >= 0 else 0
                data, carry = data[:cut], data[cut:]
            if data:
                yield data
            if not chunk:
                break


def scan_sheet_xml(
    archive: zipfile.ZipFile, path: str, name: str, upload_bytes: int, percent_needles: list[bytes]
) -> ExcelExtras:
    """Check the sheet's extent against the limits, and find error cells, formulas without
    a saved value and %-formatted cells, in one streamed pass before any reader runs."""
    extras = ExcelExtras()
    extent = _Extent()
    for index, data in enumerate(_stream(archive, path, b"row>")):
        if index == 0:
            root = _ROOT_RE.search(data[:4096])
            extent.prefix = root[1] if root and root[1] else b""
            dimension = _DIMENSION_RE.search(data[:4096])
            if dimension is not None:
                _check_range(name, "a declared size", dimension.groups(), upload_bytes)
        extent.add(data)
        for merge in _MERGE_RE.finditer(data) if b"mergeCell " in data else ():
            _check_range(name, "a merged range", merge.groups(), upload_bytes)
        _scan(data, extras, percent_needles)
    check_extent(name, "cells", extent.rows, extent.columns, upload_bytes)
    return extras


def _check_range(name: str, what: str, groups: tuple, upload_bytes: int) -> None:
    """A range reference "A1:XFD1048576" (or one cell) against the limits."""
    first_col, first_row, last_col, last_row = groups
    last_col, last_row = last_col or first_col, last_row or first_row
    rows = abs(int(last_row) - int(first_row)) + 1
    columns = abs(_column_index(last_col) - _column_index(first_col)) + 1
    far_row = max(int(first_row), int(last_row))
    far_col = max(_column_index(first_col), _column_index(last_col)) + 1
    if far_row > EXCEL_MAX_ROWS or far_col > EXCEL_MAX_COLUMNS:
        check_extent(name, what, far_row, far_col, upload_bytes)
    check_extent(name, what, rows, columns, upload_bytes)


def check_shared_strings(archive: zipfile.ZipFile, name: str, upload_bytes: int) -> None:
    """The shared-string table: no more entries declared than it can hold, none too long."""
    try:
        info = archive.getinfo("xl/sharedStrings.xml")
    except KeyError:
        return
    room = info.file_size // _SMALLEST_SHARED_STRING + 1
    cap = cells_cap(upload_bytes)
    longest = 0
    for index, data in enumerate(_stream(archive, info.filename, b">")):
        if index == 0:
            header = _SST_RE.search(data[:4096])
            declared = dict(_COUNT_RE.findall(header[0])) if header else {}
            unique = int(declared.get(b"uniqueCount", 0))
            total = int(declared.get(b"count", 0))
            if unique > room or total > cap:
                raise refuse(
                    name,
                    f"declares {max(unique, total):,} shared strings, more than it holds "
                    f"or a file of this size may use",
                )
        longest = max(longest, _longest_text(data))
    if longest > EXCEL_MAX_CELL_CHARS:
        raise refuse(
            name, f"holds a text longer than the {EXCEL_MAX_CELL_CHARS:,} characters Excel allows"
        )


def _longest_text(data: bytes) -> int:
    """Characters in the longest run of text between tags (bytes first: most runs are short)."""
    runs = [run for run in data.split(b"<") if len(run) > EXCEL_MAX_CELL_CHARS]
    return max(
        (len(run.decode("utf-8", "replace")) - run.find(b">") - 1 for run in runs), default=0
    )


def _scan(data: bytes, extras: ExcelExtras, percent_needles: list[bytes]) -> None:
    if b't="e"' in data:
        for match in _ERROR_RE.finditer(data):
            key = (int(match[2]) - 1, _column_index(match[1]))
            extras.errors[key] = match[3].decode("utf-8", "replace")
    if b"<f" in data or b":f" in data:
        for match in _UNCOMPUTED_RE.finditer(data):
            extras.uncomputed.add((int(match[2]) - 1, _column_index(match[1])))
    # Find the rare style attribute first (bytes.find is memchr-fast), then the cell it belongs
    # to: a pattern tried at every cell of a 100k-row sheet takes a second.
    for needle in percent_needles:
        at = data.find(needle)
        while at >= 0:
            cell = _CELL_START_RE.match(data, data.rfind(b"<", 0, at))
            if cell is not None:
                extras.percent.add((int(cell[2]) - 1, _column_index(cell[1])))
            at = data.find(needle, at + 1)


def _worksheet_parts(archive: zipfile.ZipFile, paths: dict[str, str]) -> dict[str, str]:
    """Every part a reader might read as a sheet: the workbook's own, and any worksheet XML."""
    parts = {path: sheet for sheet, path in paths.items()}
    for info in archive.infolist():
        if info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml"):
            parts.setdefault(info.filename, "")
    return parts


@contextmanager
def _damaged_in_one_sentence(name: str):
    """A damaged part (zip, deflate or XML errors) becomes one InputError sentence."""
    try:
        yield
    except InputError:
        raise
    except _DAMAGED as error:
        raise InputError(
            f"{name} is a damaged Excel file ({type(error).__name__}); open it in Excel, "
            "save it again and upload that."
        ) from None


def read_excel(
    data: bytes, name: str, sheet: str | None, preferred: str | None = None
) -> tuple[Grid, ExcelExtras]:
    """Read the chosen sheet (named, else `preferred` if the workbook has it, else the
    largest) into a Grid of sheet rows.

    The zip directory is checked against the limits first; the reader then runs in a child
    process (sandbox.py), so neither a hostile workbook nor a reader bug can reach this
    process, while this process checks the shared strings and scans the sheets' XML (limits,
    error cells, formulas, % formats): a refusal there kills the child.
    """
    archive = check_zip(data, name)
    with _damaged_in_one_sentence(name):
        paths, epoch = _sheet_paths(archive)
        needles = [b' s="%d"' % style for style in sorted(_percent_styles(archive))]
    notes = []
    if sheet is None and preferred is not None:
        if not paths or preferred in paths:
            sheet = preferred
        else:
            notes.append(f"{name} has no sheet '{preferred}' (the saved settings' sheet); ")
    scanned: dict[str, ExcelExtras] = {}

    def scan() -> None:  # on this core while the child reads on the other
        with _damaged_in_one_sentence(name):
            check_shared_strings(archive, name, len(data))
            for path, sheet_name in _worksheet_parts(archive, paths).items():
                scanned[sheet_name] = scan_sheet_xml(archive, path, name, len(data), needles)

    read = read_in_child(data, name, sheet, meanwhile=scan)
    if notes:
        notes[0] += f"sheet '{read.chosen}' was read instead."
    extras = scanned.get(read.chosen) or ExcelExtras()
    extras.epoch, extras.sheet = epoch, read.chosen
    extras.other_sheets = [n for n in read.sheets if n != read.chosen]
    extras.merged = [tuple(map(tuple, r)) for r in read.merged]
    rows = read.rows
    grid = Grid(rows, list(range(1, len(rows) + 1)), notes)
    for (row, col), error in extras.errors.items():
        if row < len(rows):
            if col >= len(rows[row]):
                rows[row].extend([""] * (col + 1 - len(rows[row])))
            rows[row][col] = error
    return grid, extras
