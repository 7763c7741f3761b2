"""Recipes for hostile and malformed inputs, built in the test (no stored binaries).

A workbook here is the few XML parts Excel itself writes for a one-sheet book, so python-calamine
reads the benign versions exactly as it reads Excel's files.
"""

from __future__ import annotations

import io
import zipfile

from segmentation.loading.table import _column_letter as column_letter

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    "</Types>"
)
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK = (
    f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook xmlns="{MAIN}" '
    f'xmlns:r="{RELS}"><sheets><sheet name="Accounts" sheetId="1" r:id="rId1"/></sheets>'
    "</workbook>"
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>'
)
HEADER_AND_ACCOUNTS = [
    ["Account ID", "Account Name", "ARR"],
    ["A-1", "Acme", 1200],
    ["A-2", "Beta", 900],
]


def _cell(ref: str, value: object) -> str:
    if isinstance(value, (int, float)):
        return f'<c r="{ref}"><v>{value}</v></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t>{value}</t></is></c>'


def sheet_rows(rows: list[list]) -> str:
    """`<row>` elements for a grid of values, from A1."""
    out = []
    for r, row in enumerate(rows, start=1):
        cells = "".join(_cell(f"{column_letter(c)}{r}", v) for c, v in enumerate(row))
        out.append(f'<row r="{r}">{cells}</row>')
    return "".join(out)


def workbook(
    extra_rows: str = "",
    dimension: str | None = None,
    merges: list[str] = (),
    shared_strings: str | None = None,
    rows: list[list] = HEADER_AND_ACCOUNTS,
) -> bytes:
    """A one-sheet workbook: `rows` from A1, then raw `extra_rows` XML, merges and sst."""
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    merge = (
        f'<mergeCells count="{len(merges)}">'
        + "".join(f'<mergeCell ref="{m}"/>' for m in merges)
        + "</mergeCells>"
        if merges
        else ""
    )
    sheet = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="{MAIN}">'
        f"{dim}<sheetData>{sheet_rows(rows)}{extra_rows}</sheetData>{merge}</worksheet>"
    )
    parts = {
        "[Content_Types].xml": CONTENT_TYPES,
        "_rels/.rels": ROOT_RELS,
        "xl/workbook.xml": WORKBOOK,
        "xl/_rels/workbook.xml.rels": WORKBOOK_RELS,
        "xl/worksheets/sheet1.xml": sheet,
        "xl/sharedStrings.xml": shared_strings
        or f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN}" count="0" uniqueCount="0"/>',
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def shared_strings(strings: list[str], count: int | None = None, unique: int | None = None) -> str:
    """An sst part; `count` / `unique` may declare more entries than it holds."""
    items = "".join(f"<si><t>{s}</t></si>" for s in strings)
    count = len(strings) if count is None else count
    unique = len(strings) if unique is None else unique
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN}" count="{count}" '
        f'uniqueCount="{unique}">{items}</sst>'
    )


def far_cell(ref: str, row: int) -> str:
    """One numeric cell at `ref` in its own row element."""
    return f'<row r="{row}"><c r="{ref}"><v>1</v></c></row>'


def rewrite_part(data: bytes, part: str, text: str | bytes) -> bytes:
    """The same zip with one part's content replaced."""
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = text if info.filename == part else source.read(info.filename)
            target.writestr(info.filename, content)
    return buffer.getvalue()
