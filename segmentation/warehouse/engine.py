"""DuckDB, the embedded engine: the compiled query run over a DataFrame or a big file.

A file larger than memory is read by DuckDB in chunks, its windows and the final sort
spill to a temporary folder that DuckDB removes, and the result is written straight to
the output file (COPY): no pandas frame of the whole book is ever built.
"""

from __future__ import annotations

import datetime as dt
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path

import pandas as pd
from pandas.api.types import is_bool_dtype, is_numeric_dtype

from segmentation.columns import CANONICAL_COLUMNS
from segmentation.config import Config
from segmentation.errors import InputError
from segmentation.rules import sql
from segmentation.rules.profiles import book_column
from segmentation.rules.schemes import READERS as READERS_NUMPY
from segmentation.rules.schemes import SCHEMES
from segmentation.warehouse.query import Query, compile_query

ROW = "__row"  # the input's row order, carried through the query and sorted on at the end
READERS = {".parquet": "read_parquet", ".csv": "read_csv"}
WRITERS = {".parquet": "FORMAT parquet", ".csv": "FORMAT csv, HEADER true"}
MEMORY_LIMIT = "4GB"  # beyond it DuckDB spills to disk: a shared 2-core machine stays usable


def connect(memory_limit: str | None = None, spill: str | None = None):
    import duckdb

    con = duckdb.connect()
    if memory_limit:
        con.execute(f"SET memory_limit = {sql.text(memory_limit)}")
    if spill:
        con.execute(f"SET temp_directory = {sql.text(spill)}")
    con.execute("SET preserve_insertion_order = true")
    return con


def warehouse_table(accounts: pd.DataFrame, config: Config) -> pd.DataFrame:
    """The book as a warehouse holds it: the canonical and metric columns, typed.

    A metric column that is text in the book (a header the user picked) is parsed as the
    core parses it (`rules.inputs`), as a loading job would before the warehouse scores it.
    """
    wanted = {c.name for c in CANONICAL_COLUMNS}
    wanted |= {book_column(accounts, p.column) for p in config.profiles} - {None}
    reads = {m.column: SCHEMES[m.scheme].reads for p in config.pillars for m in p.metrics}
    table = pd.DataFrame(index=range(len(accounts)))
    for column in accounts.columns:
        if column not in wanted and column not in reads:
            continue
        values = accounts[column].reset_index(drop=True)
        kind = reads.get(column, "values")
        if kind != "values" and not (is_numeric_dtype(values) or is_bool_dtype(values)):
            values = pd.Series(READERS_NUMPY[kind](values))
        table[column] = values
    table[ROW] = range(len(table))
    return table


def score_frame(
    accounts: pd.DataFrame, config: Config, *, as_of: dt.date | None = None
) -> pd.DataFrame:
    """The query's result for a loaded book, one row per account in input order (same index)."""
    table = warehouse_table(accounts, config)
    query = compile_query(config, table.columns, as_of=as_of, keep=(ROW,), pretty=False)
    con = connect()
    con.register("accounts", table)
    result = con.execute(f"{query.sql} ORDER BY {sql.ident(ROW)}").df()
    return result.drop(columns=[ROW]).set_axis(accounts.index)


def file_source(path: Path) -> str:
    """The input file as a DuckDB table expression, with its row order as a column."""
    reader = READERS.get(path.suffix.lower())
    if reader is None:
        raise InputError(f"{path.name}: the DuckDB engine reads .parquet or .csv files.")
    if reader == "read_parquet":
        return (
            f"(SELECT * EXCLUDE (file_row_number), file_row_number AS {sql.ident(ROW)} "
            f"FROM read_parquet({sql.text(str(path))}, file_row_number = true))"
        )
    return (
        f"(SELECT *, row_number() OVER () AS {sql.ident(ROW)} FROM read_csv({sql.text(str(path))}))"
    )


def file_columns(con, source: str) -> list[str]:
    """The columns of a file (DuckDB's DESCRIBE): what the query can read."""
    return [row[0] for row in con.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()]


def _readable(path: Path) -> str:
    """The file as a DuckDB table expression; a file DuckDB cannot read is an InputError."""
    if not path.is_file():
        raise FileNotFoundError(2, "No such file", str(path))
    return file_source(path)


def table_columns(path: str | Path) -> list[str]:
    """The column names of a .parquet/.csv file (its header), for `compile_query`."""
    path = Path(path)
    source = _readable(path)
    try:
        return [c for c in file_columns(connect(), source) if c != ROW]
    except Exception as problem:  # duckdb's own errors: not a table DuckDB can read
        raise InputError(f"{path.name}: DuckDB cannot read it ({one_line(problem)}).") from None


def score_file(
    source_path: str | Path,
    out_path: str | Path,
    config: Config,
    *,
    as_of: dt.date | None = None,
    progress: Callable[[float], None] | None = None,
    memory_limit: str | None = MEMORY_LIMIT,
) -> tuple[Query, int]:
    """Score a Parquet/CSV file of canonical columns into a Parquet/CSV file; returns rows.

    Written to a temporary name beside OUT and renamed at the end: whole or not at all.
    """
    source_path, out_path = Path(source_path), Path(out_path)
    writer = WRITERS.get(out_path.suffix.lower())
    if writer is None:
        raise InputError(f"{out_path.name}: the DuckDB engine writes .parquet or .csv files.")
    columns = table_columns(source_path)
    query = compile_query(
        config, [*columns, ROW], table="source_file", as_of=as_of, keep=(ROW,), pretty=False
    )
    body = query.sql.replace('FROM "source_file"', f"FROM {file_source(source_path)}", 1)
    ordered = f"SELECT * EXCLUDE ({sql.ident(ROW)}) FROM ({body}) ORDER BY {sql.ident(ROW)}"
    partial = out_path.with_name(f".{out_path.name}.partial")
    with tempfile.TemporaryDirectory(prefix="tierwise-spill-") as spill:
        con = connect(memory_limit, spill)
        copy = f"COPY ({ordered}) TO {sql.text(str(partial))} ({writer})"
        try:
            rows = _run_with_progress(con, copy, progress)
        except Exception as problem:
            partial.unlink(missing_ok=True)
            raise InputError(f"{source_path.name}: {one_line(problem)}") from None
    partial.replace(out_path)
    return query, rows


def tier_counts(path: str | Path, config: Config) -> list[tuple[str, int]]:
    """Accounts per tier of a scored file, in tier order (DuckDB reads only that column)."""
    source = file_source(Path(path))
    counts = dict(
        connect().execute(f"SELECT tier, COUNT(*) FROM {source} GROUP BY tier").fetchall()
    )
    return [(name, int(counts.get(name, 0))) for name in config.tier_names]


def one_line(problem: Exception) -> str:
    return " ".join(str(problem).split()).rstrip(".")


def _run_with_progress(con, statement: str, progress: Callable[[float], None] | None) -> int:
    """Run one statement; report DuckDB's progress (0-100) every second while it runs."""
    done = threading.Event()
    outcome: dict[str, object] = {}

    def run() -> None:
        try:
            outcome["rows"] = con.execute(statement).fetchone()[0]
        except Exception as problem:  # re-raised in the caller's thread
            outcome["error"] = problem
        finally:
            done.set()

    con.execute("SET enable_progress_bar = true")  # DuckDB counts progress only with it on
    con.execute("SET enable_progress_bar_print = false")  # ... and we print it ourselves
    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    said = -1
    while not done.wait(1.0):
        share = int(con.query_progress())
        if progress is not None and share > said:  # each new whole percent, once
            progress(float(share))
            said = share
    worker.join()
    if "error" in outcome:
        raise outcome["error"]  # type: ignore[misc]
    return int(outcome["rows"])  # type: ignore[arg-type]
