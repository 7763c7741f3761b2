"""The query as a dbt model: the settings it was compiled from embedded as a comment."""

from __future__ import annotations

import re
from typing import Any

from segmentation.config import Config, config_to_json
from segmentation.rules import sql
from segmentation.warehouse.query import compile_query

PLACEHOLDER = "tierwise_dbt_source"  # compiled in the table's place, then swapped for ref()


def dbt_model(config: Config, model: str, **options: Any) -> str:
    """A dbt model file reading `{{ ref(model) }}`, the settings on top (options: compile's)."""
    query = compile_query(config, table=PLACEHOLDER, **options)
    ref = f"{{{{ ref({sql.text(model)}) }}}}"
    body = re.sub(rf"[`\"]?{PLACEHOLDER}[`\"]?", lambda _: ref, query.sql)
    settings = config_to_json(config).replace("*/", "* /")  # a label cannot close the comment
    return (
        "{{ config(materialized='table') }}\n"
        f"/* Tierwise settings (python -m segmentation sql --dialect {query.dialect}):\n"
        f"{settings}\n*/\n{body}\n"
    )
