"""The query as a dbt model: the settings it was compiled from embedded as a comment."""

from __future__ import annotations

from segmentation.config import Config, config_to_json
from segmentation.rules import sql
from segmentation.warehouse.query import Query


def dbt_model(query: Query, config: Config, table: str) -> str:
    """A dbt model file: `{{ ref(table) }}` in place of the table, the settings on top."""
    settings = config_to_json(config).replace("*/", "* /")  # a label cannot close the comment
    body = query.sql.replace(f"FROM {sql.ident(table)}", f"FROM {{{{ ref({sql.text(table)}) }}}}")
    if query.dialect in ("bigquery", "spark"):
        body = body.replace(f"FROM `{table}`", f"FROM {{{{ ref({sql.text(table)}) }}}}")
    return (
        "{{ config(materialized='table') }}\n"
        f"/* Tierwise settings (python -m segmentation sql --dialect {query.dialect}):\n"
        f"{settings}\n*/\n{body}\n"
    )
