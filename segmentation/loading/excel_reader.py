"""Excel workbooks: safety checks on the zip, then python-calamine, then what it cannot say.

python-calamine gives cell values fast but shows Excel error cells and formulas without a
saved value as empty strings, and does not say which cells are formatted as percentages.
Those three facts are read from the sheet's XML with byte-level regular expressions over a
streamed, size-bounded decompression, so a 100k-row sheet costs a fraction of a second.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from xml.etree import ElementTree

import python_calamine

from segmentation.errors import InputError
from segmentation.loading.csv_reader import Grid

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


def scan_sheet_xml(archive: zipfile.ZipFile, path: str, extras: ExcelExtras) -> None:
    """Find error cells, formulas without a saved value and %-formatted cells in one pass."""
    percent_styles = _percent_styles(archive)
    percent_needles = [b' s="%d"' % style for style in sorted(percent_styles)]
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
                end = data.rfind(b"</row>")
                cut = end + len(b"</row>") if end >= 0 else 0
                data, carry = data[:cut], data[cut:]
            if data:
                _scan(data, extras, percent_needles)
            if not chunk:
                break


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


def read_excel(data: bytes, name: str, sheet: str | None) -> tuple[Grid, ExcelExtras]:
    """Read the chosen sheet (named, else the largest) into a Grid of sheet rows."""
    archive = check_zip(data, name)
    paths, epoch = _sheet_paths(archive)
    try:
        book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    except python_calamine.PasswordError as error:
        raise InputError(
            f"{name} is encrypted with a password; save an unprotected copy from Excel "
            "and upload that."
        ) from error
    except Exception as error:  # calamine raises several unrelated types for bad files
        raise InputError(
            f"{name} could not be opened as an Excel workbook ({error}); "
            "open it in Excel, save it again as .xlsx and upload that."
        ) from error
    worksheets = [
        meta.name
        for meta in book.sheets_metadata
        if meta.typ == python_calamine.SheetTypeEnum.WorkSheet
    ]
    if not worksheets:
        raise InputError(f"{name} has no worksheets; export the accounts as .xlsx or .csv.")
    if sheet is not None:
        if sheet not in worksheets:
            listed = ", ".join(f"'{n}'" for n in worksheets)
            raise InputError(f"{name} has no sheet named '{sheet}'; its sheets are {listed}.")
        chosen = sheet
    else:
        visible = [
            meta.name
            for meta in book.sheets_metadata
            if meta.typ == python_calamine.SheetTypeEnum.WorkSheet
            and meta.visible == python_calamine.SheetVisibleEnum.Visible
        ] or worksheets
        sheets = {candidate: book.get_sheet_by_name(candidate) for candidate in visible}
        sizes = {n: s.height * s.width for n, s in sheets.items()}
        chosen = max(visible, key=lambda n: (sizes[n], -visible.index(n)))
    loaded = sheets[chosen] if sheet is None else book.get_sheet_by_name(chosen)
    rows = loaded.to_python(skip_empty_area=False)
    others = [n for n in worksheets if n != chosen]
    merged = list(loaded.merged_cell_ranges or [])
    extras = ExcelExtras(epoch=epoch, sheet=chosen, other_sheets=others, merged=merged)
    if chosen in paths:
        scan_sheet_xml(archive, paths[chosen], extras)
    grid = Grid(rows, list(range(1, len(rows) + 1)))
    for (row, col), error in extras.errors.items():
        if row < len(rows):
            if col >= len(rows[row]):
                rows[row].extend([""] * (col + 1 - len(rows[row])))
            rows[row][col] = error
    return grid, extras
