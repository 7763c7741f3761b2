"""The README's query is the one `sql` prints for the default settings."""

from __future__ import annotations

import re
from pathlib import Path

import segmentation as seg
from segmentation.warehouse import compile_query

ROOT = Path(__file__).resolve().parents[2]


def test_the_readme_shows_the_query_of_the_default_settings():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    shown = re.search(
        r"<summary>The query for the default settings.*?```sql\n(.+?)\n```", readme, re.S
    )
    assert shown is not None, "README lacks the default query"
    assert shown.group(1) == compile_query(seg.default_config()).sql


def test_the_warehouse_doc_names_every_dialect_and_result_column():
    doc = (ROOT / "docs" / "warehouse.md").read_text(encoding="utf-8")
    from segmentation.warehouse import DIALECTS, RESULT_COLUMNS

    for name in (*DIALECTS, *RESULT_COLUMNS):
        assert f"`{name}`" in doc, name
