"""Build every messy input file the loader tests read, shaped like real CRM exports.

Run ``python tests/loading/build_fixtures.py OUT_DIR`` to look at them; the tests build
them into a temporary folder (``conftest.py``), so nothing here is edited by hand.
"""

from __future__ import annotations

import datetime as dt
import io
import struct
import sys
import zipfile
from pathlib import Path

import openpyxl
from openpyxl.utils.datetime import CALENDAR_MAC_1904

SF_FOOTER = [
    "",
    "Grand Totals (3 records)",
    "",
    "Confidential Information - Do Not Distribute",
    "Copyright (c) 2000-2026 salesforce.com, inc. All rights reserved.",
]


def _lines(rows: list[str], newline: str = "\n") -> str:
    return newline.join(rows) + newline


def csv_files() -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    files["utf8_bom_crlf.csv"] = b"\xef\xbb\xbf" + _lines(
        [
            "Account ID,Account Name,ARR,Notes",
            '00123,"Acme, Inc.","$1,234.50","said ""hi"""',
            '00124,Beta GmbH,"USD 2,000.00","line one',
            'line two"',
            "A-3,Gamma,(1200),",
        ],
        "\r\n",
    ).encode("utf-8")
    files["utf8_lf.csv"] = _lines(
        [
            "Account ID,Company name,Annual Recurring Revenue,Billing Country",
            "1,Naïve Café,1.2M,NA",
            "2,Zeta,45k,DE",
        ]
    ).encode("utf-8")
    files["cp1252.csv"] = _lines(
        [
            "Account ID;Account Name;ARR;Industry",
            "S-1;Société Générale;€1.234,50;Banque",
            "S-2;Müller GmbH;1.234.567,00 €;Maschinenbau",
            "S-3;Ørsted A/S;12,5;Énergie",
        ],
        "\r\n",
    ).encode("cp1252")
    files["utf16_tab.csv"] = _lines(
        [
            "Account ID\tAccount Name\tMRR\tHealth Score",
            "U-1\tŁódź Sp. z o.o.\t100\t85%",
            "U-2\t東京株式会社\t250.5\t70 %",
        ],
        "\r\n",
    ).encode("utf-16")
    files["semicolon_decimal_comma.csv"] = _lines(
        [
            "Kunden-ID;Account Name;ARR;Renewal Date;Employees",
            "K-1;Alpha AG;1.234,50;25.03.2026;1.200",
            "K-2;Beta AG;99,9;01.04.2026;15",
            "K-3;Gamma AG;1.000.000,00;13.12.2026;",
        ]
    ).encode("utf-8")
    files["pipe.csv"] = _lines(
        [
            "Record ID|Company name|ARR|Lifecycle Stage",
            "101|Pipe One|10|Onboarding",
            '102|"Pipe | Two"|20|Adoption',
        ]
    ).encode("utf-8")
    files["salesforce_report.csv"] = _lines(
        [
            '"Customer Accounts Report"',
            '"As of 03/01/2026"',
            "",
            '"Account Name","Account 18 Digit ID","Annual Revenue","ARR","Account Owner"',
            '"Acme","0015g00000ABCDEAA1","$5,000,000","$120,000","Ann Lee"',
            '"Beta","0015g00000ABCDEAA2","$1,000,000","$60,000","Bo Chan"',
            '"Gamma","0015g00000ABCDEAA3","","$30,000","Ann Lee"',
            '"Total","","$6,000,000","$210,000",""',
            *SF_FOOTER,
            '"Filtered By:"',
            '"   Type equals Customer"',
        ],
        "\r\n",
    ).encode("utf-8")
    files["placeholders.csv"] = _lines(
        [
            "Account ID,Account Name,Country,ARR,NPS,Renewal Date,CSM",
            "P1,One,NA,N/A,-,null,none",
            "P2,Two,n/a,—,#N/A,-,Kim",
            "P3,Three,US,12;3,7,2026-13-45,NA",
            "P4,Four,FR,#DIV/0!,8,2026-06-30,",
        ]
    ).encode("utf-8")
    files["duplicates.csv"] = _lines(
        [
            "Account ID,Account Name,Notes,Notes,arr,ARR",
            "A-17,First,n1,m1,5,10",
            "A-18,Second,n2,m2,6,20",
            "A-17,Third,n3,m3,7,30",
        ]
    ).encode("utf-8")
    files["mrr_only.csv"] = _lines(
        [
            "Company ID,Company,Monthly Recurring Revenue,Potential ARR",
            "C1,One,1000,50000",
            "C2,Two,,",
            "C3,Three,abc,1.5k",
        ]
    ).encode("utf-8")
    files["dates_us.csv"] = _lines(
        [
            "Account ID,Account Name,Contract End Date,Referenceable,Strategic Account",
            "D1,One,03/25/2026,Yes,x",
            "D2,Two,04/01/2026,no,",
            "D3,Three,12/31/26,TRUE,X",
            "D4,Four,Jan 5 2027,maybe,",
        ]
    ).encode("utf-8")
    files["no_id_or_name.csv"] = _lines(["Foo,Bar,Baz", "1,2,3"]).encode("utf-8")
    files["header_only.csv"] = _lines(["Account ID,Account Name"]).encode("utf-8")
    files["empty.csv"] = b""
    files["blank_lines_only.csv"] = b"\r\n\r\n  \r\n"
    files["binary.csv"] = bytes(range(256)) * 40
    files["csv_renamed.xlsx"] = _lines(["Account ID,Account Name", "R1,Renamed"]).encode("utf-8")
    files["trailing_blank_columns.csv"] = _lines(
        [
            "Account ID,Account Name,ARR,,",
            "T1,One,1,,",
            ",,,,",
            "T2,Two,2,,",
            "",
            "",
        ]
    ).encode("utf-8")
    # A HubSpot company export whose renewal dates hold typos beyond what datetime64[ns] holds.
    files["date_typos.csv"] = _lines(
        [
            "Record ID,Company name,Annual Revenue,Renewal Date",
            "9001,Acme,120000,2027-06-30",
            "9002,Beta,80000,3027-06-30",
            "9003,Gamma,40000,06/30/1027",
            "9004,Delta,20000,2262-04-11",
        ]
    ).encode("utf-8")
    return files


def _main_workbook() -> openpyxl.Workbook:
    """Three sheets; the big one has title rows, merges, errors, formulas, %, serials."""
    wb = openpyxl.Workbook()
    notes = wb.active
    notes.title = "Read me"
    notes.append(["This workbook holds the accounts."])
    ws = wb.create_sheet("Accounts")
    ws.append(["Account list Q1"])  # row 1: title
    ws.append([])  # row 2: blank
    ws.append(
        [
            "Account ID",
            "Account Name",
            "ARR",
            "Health Score",
            "Churn Rate %",
            "Renewal Date",
            "CSM",
            "Notes",
            None,
        ]
    )  # row 3: header
    ws.append(["00123", "Acme", 1200.5, 80, 0.05, dt.datetime(2026, 3, 31), "Ann", "a"])  # 4
    ws.append([1002, "Beta", 2000, 0.85, 0.1, 46112, None, "b"])  # row 5
    ws.append(["X-3", "Gamma", "=1/0", "#N/A", 0.2, "2026-05-01", None, "c"])  # row 6
    ws.append(["X-4", "Delta", "=C4*2", "#DIV/0!", None, None, None, "d"])  # row 7
    ws.append([None, "Total", 3200.5, None, None, None, None, None])  # row 8
    ws.append([])  # row 9
    ws.append([])  # row 10
    ws["D5"].number_format = "0%"
    for row in range(4, 8):
        ws[f"E{row}"].number_format = "0.0%"
    ws["C6"].value = "#REF!"  # becomes an error cell below
    ws.merge_cells("G4:G6")  # CSM "Ann" merged over three accounts
    ws.cell(row=12, column=12).number_format = "0.00"  # a formatted empty cell: used range
    summary = wb.create_sheet("Summary")
    summary.append(["Metric", "Value"])
    summary.append(["Accounts", 4])
    return wb


def _patch_errors(data: bytes) -> bytes:
    """openpyxl writes '#N/A' text as an error only sometimes; force real error cells."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "xl/worksheets/sheet2.xml":
                text = body.decode("utf-8")
                for ref, err in (("C6", "#REF!"), ("D6", "#N/A"), ("D7", "#DIV/0!")):
                    start = text.index(f'<c r="{ref}"')
                    end = text.index("</c>", start) + len("</c>")
                    text = text[:start] + f'<c r="{ref}" t="e"><v>{err}</v></c>' + text[end:]
                start = text.index('<c r="C7"')
                end = text.index("</c>", start) + len("</c>")
                text = text[:start] + '<c r="C7"><f>C4*2</f><v></v></c>' + text[end:]
                body = text.encode("utf-8")
            dst.writestr(info, body)
    return out.getvalue()


def _to_bytes(wb: openpyxl.Workbook) -> bytes:
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def excel_files() -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    files["workbook.xlsx"] = _patch_errors(_to_bytes(_main_workbook()))
    wb = openpyxl.Workbook()
    wb.epoch = CALENDAR_MAC_1904
    ws = wb.active
    ws.title = "Data"
    ws.append(["Account ID", "Account Name", "Renewal Date", "Seats"])
    ws.append(["E1", "Mac One", dt.datetime(2026, 3, 1), 10])
    ws.append(["E2", "Mac Two", 44620, 12])  # 1904 serial: 2026-03-01
    files["date1904.xlsx"] = _to_bytes(wb)
    files["xlsx_renamed.csv"] = files["date1904.xlsx"]
    wb = openpyxl.Workbook()  # real date cells, one typed 3026 for 2026
    ws = wb.active
    ws.append(["Account ID", "Account Name", "ARR", "Renewal Date"])
    ws.append(["D1", "Typo Year", 50_000, dt.datetime(3026, 3, 1)])
    ws.append(["D2", "Right Year", 60_000, dt.datetime(2026, 3, 1)])
    for row in (2, 3):
        ws.cell(row, 4).number_format = "yyyy-mm-dd"
    files["date_typos.xlsx"] = _to_bytes(wb)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Foo", "Bar"])
    ws.append([1, 2])
    files["no_id_or_name.xlsx"] = _to_bytes(wb)
    files["encrypted.xlsx"] = _ole2("EncryptedPackage".encode("utf-16-le"))
    files["legacy.xls"] = _ole2("Workbook".encode("utf-16-le"))
    files["zipbomb.xlsx"] = _zip_bomb()
    files["plain.zip.xlsx"] = _plain_zip()
    return files


def _ole2(directory_name: bytes) -> bytes:
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
    return header + directory_name + b"\x00" * 2048


def _zip_bomb() -> bytes:
    """A small zip whose directory declares 4 GB: refused without decompressing."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", "0" * 100_000)
    data = bytearray(out.getvalue())
    position = data.find(b"PK\x01\x02")
    while position >= 0:
        struct.pack_into("<I", data, position + 24, 0xFFFFFFF0 // 3)
        position = data.find(b"PK\x01\x02", position + 4)
    return bytes(data)


def _plain_zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("readme.txt", "hello")
    return out.getvalue()


def build_all(folder: Path) -> dict[str, Path]:
    """Write every fixture into folder; returns name -> path."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = {}
    for name, data in {**csv_files(), **excel_files()}.items():
        path = folder / name
        path.write_bytes(data)
        paths[name] = path
    return paths


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "loading-fixtures")
    for written in build_all(target).values():
        print(written)
