"""The settings a Tierwise XLSX export carries on its Settings sheet, read back.

The export writes the settings JSON one line per row under a "Settings JSON" title (a line
too long for one cell continues in the next cells); this joins them again. Anything else - a
CSV, a workbook without that sheet, a sheet that does not parse - gives None: the snapshot is
then compared with the current settings only.
"""

from __future__ import annotations

import io

import python_calamine

from segmentation.config import Config, config_from_json
from segmentation.errors import ConfigError

SETTINGS_SHEET = "Settings"
SETTINGS_TITLE = "Settings JSON"
XLSX_MAGIC = b"PK\x03\x04"


def settings_from_export(data: bytes) -> Config | None:
    """The settings of a Tierwise XLSX export (its bytes), or None when it has none."""
    if not data.startswith(XLSX_MAGIC):
        return None
    try:
        book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        if SETTINGS_SHEET not in book.sheet_names:
            return None
        rows = book.get_sheet_by_name(SETTINGS_SHEET).to_python()
    except Exception:  # not a workbook calamine reads: the loader says why, not this
        return None
    titles = [i for i, row in enumerate(rows) if row and str(row[0]).strip() == SETTINGS_TITLE]
    if not titles:
        return None
    lines = ["".join(str(cell) for cell in row) for row in rows[titles[0] + 2 :]]
    try:
        return config_from_json("\n".join(lines), source="the export's Settings sheet")
    except ConfigError:
        return None
