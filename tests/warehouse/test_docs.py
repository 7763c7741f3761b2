"""The README's query is the one `sql` prints for the default settings."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_readme_shows_the_query_of_the_default_settings():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    shown = re.search(
        r"<summary>The query for the default settings.*?```sql\n(.+?)\n```", readme, re.S
    )
    assert shown is not None, "README lacks the default query"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    printed = subprocess.run(
        [sys.executable, "-m", "segmentation", "sql"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=True,
    ).stdout  # fmt: skip
    assert shown.group(1) == printed.rstrip("\n")


def test_the_warehouse_doc_names_every_dialect_and_result_column():
    doc = (ROOT / "docs" / "warehouse.md").read_text(encoding="utf-8")
    from segmentation.warehouse import DIALECTS, RESULT_COLUMNS

    for name in (*DIALECTS, *RESULT_COLUMNS):
        assert f"`{name}`" in doc, name
