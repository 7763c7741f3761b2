"""`sql` and `score --engine duckdb` as a user runs them; every dialect parses (sqlglot)."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
import sqlglot
from parity_helpers import AS_OF, tied_book

import segmentation as seg
from segmentation.config import with_metric
from segmentation.warehouse import DIALECTS, RESULT_COLUMNS, compile_query

ROOT = Path(__file__).resolve().parents[2]


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "segmentation", *args],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def by_id(frame: pd.DataFrame) -> pd.DataFrame:
    """A query's rows come in no set order: line them up by account id (unique here)."""
    return frame.set_index("account_id").sort_index()


@pytest.fixture(scope="module")
def book_files(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("warehouse-cli")
    accounts = tied_book(300)
    noisy = ["Enterprise (Annual) - Plan", "PRO_monthly", "Growth", "Team  Edition"]
    accounts.loc[accounts.index[::5], "plan"] = [noisy[i % 4] for i in range(60)]
    accounts.to_parquet(folder / "book.parquet")
    accounts.to_csv(folder / "book.csv", index=False)
    accounts.drop(columns=["support_tickets", "integrations", "products"]).to_csv(
        folder / "thin.csv", index=False
    )
    seg.save_config(seg.default_config(), folder / "settings.json")
    return folder


@pytest.mark.parametrize("dialect", DIALECTS)
def test_every_dialect_parses_and_names_the_result_columns(dialect):
    query = compile_query(seg.default_config(), dialect=dialect, as_of=dt.date(2026, 11, 1))
    tree = sqlglot.parse_one(query.sql, read=dialect)
    assert [column.alias_or_name for column in tree.selects] == list(RESULT_COLUMNS)


@pytest.mark.parametrize(
    "dialect,flags,breaks",
    [("snowflake", False, "[^[:alnum:]]+"), ("postgres", True, "[^[:alnum:]]+"),
     ("bigquery", False, r"[^\\pL\\pN]+"), ("duckdb", True, r"[^\pL\pN]+")],
)  # fmt: skip
def test_each_dialect_gets_regular_expressions_it_reads(dialect, flags, breaks):
    """Snowflake reads a 4th argument as a position (and replaces every match anyway)."""
    text = compile_query(seg.default_config(), dialect=dialect).sql
    replaces = [line for line in text.splitlines() if "REGEXP_REPLACE(LOWER" in line]
    assert replaces and all(f"'{breaks}'" in line for line in replaces)
    assert all((", 'g')" in line) == flags for line in replaces)


@pytest.mark.parametrize("dialect", [d for d in DIALECTS if d != "duckdb"])
def test_each_dialects_text_read_back_into_duckdb_agrees(book_files, dialect):
    """No warehouse here: its text, read back by sqlglot into DuckDB, gives the same tiers."""
    accounts = pd.read_parquet(book_files / "book.parquet")
    query = compile_query(seg.default_config(), accounts.columns, dialect=dialect, as_of=AS_OF)
    back = sqlglot.transpile(query.sql, read=dialect, write="duckdb")[0]
    con = duckdb.connect()
    con.register("accounts", accounts)
    result = by_id(con.execute(back).df())
    core = by_id(seg.segment(accounts, seg.default_config(), as_of=AS_OF))
    assert (result["tier"] == core["tier"].astype(str)).all()
    assert np.allclose(result["priority"], core["priority"], atol=0.01, equal_nan=True)


def test_sql_prints_a_query_that_duckdb_runs_on_the_book(book_files):
    path = str(book_files / "book.parquet")
    done = run(
        "sql", "--config", "settings.json", "--as-of", AS_OF.isoformat(), "--columns", path,
        cwd=book_files,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    con = duckdb.connect()
    con.execute(f"CREATE TABLE accounts AS SELECT * FROM read_parquet('{path}')")
    result = by_id(con.execute(done.stdout).df())
    core = by_id(seg.segment(pd.read_parquet(path), seg.default_config(), as_of=AS_OF))
    assert (result["tier"] == core["tier"].astype(str)).all()
    assert np.allclose(result["priority"], core["priority"], atol=0.01, equal_nan=True)


def test_sql_leaves_out_what_the_table_lacks_and_says_so(book_files):
    done = run("sql", "--columns", "thin.csv", "--dialect", "postgres", cwd=book_files)
    assert done.returncode == 0, done.stderr
    warnings = [line for line in done.stderr.splitlines() if line.startswith("warning:")]
    named = {line.split("no column ", 1)[1].split(" ")[0].rstrip(":") for line in warnings[:-1]}
    dropped = {"support_tickets", "integrations", "products", "escalations"}  # all complexity
    ungenerated = {"usage_score", "usage_events", "csat", "tenure", "contract_term", "auto_renew"}
    assert named == dropped | ungenerated  # each column once, and the pillar they fed
    assert len(warnings) == len(named) + 1
    assert "Engagement complexity" in warnings[-1]
    assert "tenure (made from tenure_months or customer_since)" in done.stderr
    notes = [line for line in done.stderr.splitlines() if line.startswith("note:")]
    assert notes == [
        "note: the cut-offs are computed by the query from the table's own priorities on each "
        "run: High-touch the top 15%, Mid-touch the next 35%, Low-touch the rest."
    ]
    assert '"support_tickets"' not in done.stdout


def test_sql_writes_a_dbt_model_with_the_settings(book_files):
    config = with_metric(seg.default_config(), "growth", 0, weight=7)
    seg.save_config(config, book_files / "heavy.json")
    done = run("sql", "--config", "heavy.json", "--dbt", "tiers.sql", cwd=book_files)
    assert done.returncode == 0, done.stderr
    model = (book_files / "tiers.sql").read_text()
    assert "{{ ref('accounts') }}" in model and '"accounts"' not in model
    settings = model.split("/*", 1)[1].split("*/", 1)[0].split("\n", 1)[1]
    assert seg.config_from_json(settings) == config


@pytest.mark.parametrize("suffix", [".parquet", ".csv"])
def test_score_with_the_duckdb_engine_equals_segment(book_files, suffix, tmp_path):
    out = tmp_path / f"scored{suffix}"
    done = run(
        "score", str(book_files / f"book{suffix}"), "--engine", "duckdb",
        "--out", str(out), "--as-of", AS_OF.isoformat(), cwd=book_files,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    scored = pd.read_parquet(out) if suffix == ".parquet" else pd.read_csv(out)
    core = seg.segment(
        pd.read_parquet(book_files / "book.parquet"), seg.default_config(), as_of=AS_OF
    )
    assert list(scored["account_id"]) == list(core["account_id"])  # every row, in input order
    assert (scored["tier"].to_numpy() == core["tier"].astype(str).to_numpy()).all()
    for tier, count in core["tier"].value_counts().items():
        assert f"{tier}" in done.stdout and f"{count:,} accounts" in done.stdout


@pytest.mark.parametrize(
    "args, problem",
    [
        (["score", "missing.parquet", "--engine", "duckdb", "--out", "o.parquet"], "No such file"),
        (["score", "settings.json", "--engine", "duckdb", "--out", "o.parquet"], "parquet or .csv"),
        (["score", "book.csv", "--engine", "duckdb", "--out", "o.xlsx"], "writes .parquet"),
        (["sql", "--columns", "missing.csv"], "No such file"),
    ],
)
def test_bad_input_is_one_error_line_and_no_output(book_files, args, problem):
    done = run(*args, cwd=book_files)
    assert done.returncode == 2
    assert done.stderr.startswith("error:") and problem in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert not (book_files / "o.parquet").exists() and not (book_files / "o.xlsx").exists()


@pytest.mark.parametrize("dialect", DIALECTS)
def test_a_schema_qualified_table_is_read_as_schema_and_table(dialect):
    query = compile_query(seg.default_config(), table="crm.accounts", dialect=dialect)
    tables = list(sqlglot.parse_one(query.sql, read=dialect).find_all(sqlglot.exp.Table))
    assert ("crm", "accounts") in [(t.db, t.name) for t in tables]


@pytest.mark.parametrize("dialect", ["bigquery", "postgres"])
def test_a_dbt_model_reads_its_ref_in_any_dialect(book_files, dialect):
    done = run(
        "sql", "--dialect", dialect, "--table", "stg_accounts", "--dbt", "m.sql", cwd=book_files
    )
    assert done.returncode == 0, done.stderr
    model = (book_files / "m.sql").read_text()
    assert model.count("{{ ref('stg_accounts') }}") == 1 and "tierwise_dbt_source" not in model


def test_a_scheme_without_a_sql_form_is_refused_in_one_sentence(book_files):
    from segmentation.rules.schemes import Scheme, register, unregister

    register(Scheme("toy", "Toy", "always 50", lambda numbers, m: numbers * 0 + 50))
    try:
        config = with_metric(seg.default_config(), "growth", 1, scheme="toy")
        with pytest.raises(seg.ConfigError, match=r"potential_arr.*toy scheme has no SQL form"):
            compile_query(config)
    finally:
        unregister("toy")


def test_movement_rules_are_said_to_be_left_to_the_app(book_files):
    doc = seg.config_to_dict(seg.default_config())
    doc["movement"] = {"margin": 5}
    (book_files / "moving.json").write_text(json.dumps(doc))
    done = run("sql", "--config", "moving.json", cwd=book_files)
    assert done.returncode == 0, done.stderr
    assert "warning: the query does not apply the movement rules" in done.stderr
