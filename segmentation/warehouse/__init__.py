"""The rules as SQL: one query compiled from the settings (sqlglot), run by DuckDB here.

query = compile_query(config, columns, dialect="snowflake", table="accounts")
result = score_frame(book.accounts, config)          # DuckDB over a loaded book
score_file("accounts.parquet", "scored.parquet", config)   # bigger than memory
"""

from segmentation.warehouse.dbt import dbt_model
from segmentation.warehouse.engine import score_file, score_frame, table_columns, tier_counts
from segmentation.warehouse.query import DIALECTS, RESULT_COLUMNS, Query, compile_query

__all__ = [
    "DIALECTS",
    "RESULT_COLUMNS",
    "Query",
    "compile_query",
    "dbt_model",
    "score_file",
    "score_frame",
    "table_columns",
    "tier_counts",
]
