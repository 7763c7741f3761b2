"""The synthetic book: canonical columns, realistic shapes, deterministic, CRM-style files."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from python_calamine import CalamineWorkbook

import segmentation as seg
from segmentation.columns import CANONICAL_NAMES
from segmentation.sample import (
    CRM_HEADERS,
    REFERENCE_DATE,
    generate_accounts,
    previous_quarter,
    to_crm_headers,
    write_book,
)

SAMPLE_DATA = Path(__file__).resolve().parents[1] / "sample_data"
# The sample carries every canonical column but mrr and the second wave's (usage, CSAT, tenure...).
GENERATED = [name for name in CANONICAL_NAMES if name in CRM_HEADERS]


@pytest.fixture(scope="module")
def book() -> pd.DataFrame:
    return generate_accounts(5_000, seed=11)


def test_columns_are_canonical_in_order(book):
    assert list(book.columns) == GENERATED


@pytest.mark.parametrize(
    "column,check",
    [
        ("account_id", lambda s: isinstance(s.dtype, pd.StringDtype)),
        ("arr", pd.api.types.is_float_dtype),
        ("employees", pd.api.types.is_integer_dtype),
        ("renewal_date", pd.api.types.is_datetime64_any_dtype),
        ("referenceable", lambda s: isinstance(s.dtype, pd.BooleanDtype)),
        ("strategic_account", lambda s: isinstance(s.dtype, pd.BooleanDtype)),
        ("plan", lambda s: isinstance(s.dtype, pd.StringDtype)),
    ],
)
def test_dtypes_are_parsed(book, column, check):
    assert check(book[column])


def test_same_seed_same_book_other_seed_other_book():
    pd.testing.assert_frame_equal(generate_accounts(300, seed=3), generate_accounts(300, seed=3))
    assert not generate_accounts(300, seed=3)["arr"].equals(generate_accounts(300, seed=4)["arr"])


def test_ids_are_unique_and_shaped(book):
    assert book["account_id"].is_unique
    assert book["account_id"].str.fullmatch(r"ACC-\d{6}").all()
    assert book["account_name"].str.len().min() > 5


def test_arr_is_heavy_tailed_around_25k(book):
    assert 15_000 < book["arr"].median() < 40_000
    assert (book["arr"] > 1_000_000).sum() >= 3
    assert book["arr"].mean() > 1.5 * book["arr"].median()


def test_related_numbers_move_together(book):
    assert (book["potential_arr"] >= book["arr"]).sum() / book["potential_arr"].notna().sum() > 0.85
    assert (book["active_users"] <= book["licensed_seats"]).mean() > 0.9
    assert book[["arr", "employees"]].corr(method="spearman").iloc[0, 1] > 0.5
    by_plan = book.groupby("plan")["arr"].median()
    assert by_plan["Enterprise"] > by_plan["Business"] > by_plan["Pro"] > by_plan["Starter"]
    adoption = book["active_users"] / book["licensed_seats"]
    assert adoption.corr(book["nps"], method="spearman") > 0.3
    for count in ("support_tickets", "integrations", "products"):
        assert book[["arr", count]].corr(method="spearman").iloc[0, 1] > 0.2, count


@pytest.mark.parametrize("column", ["health_score", "nps", "potential_arr"])
def test_a_few_values_are_missing(book, column):
    assert 0.01 < book[column].isna().mean() < 0.08


def test_complete_columns_have_no_gaps(book):
    complete = [c for c in GENERATED if c not in ("health_score", "nps", "potential_arr")]
    assert not book[complete].isna().any().any()


def test_scores_stay_in_range(book):
    nps = book["nps"].dropna()
    assert nps.between(0, 10).all() and (nps == nps.round()).all()
    assert book["health_score"].dropna().between(0, 100).all()


def test_categories_come_from_their_lists(book):
    assert set(book["plan"]) == {"Starter", "Pro", "Business", "Enterprise"}
    assert set(book["lifecycle_stage"]) == {
        "Onboarding",
        "Adoption",
        "Expansion",
        "Renewal",
        "At risk",
    }
    assert set(book["previous_tier"]) == {"High-touch", "Mid-touch", "Low-touch"}
    assert book["csm"].nunique() == 12
    assert "NA" in set(book["country"])  # Namibia, not a missing value


def test_renewals_span_fifteen_months_from_the_reference_date(book):
    start = pd.Timestamp(REFERENCE_DATE)
    days = (book["renewal_date"] - start).dt.days
    assert 0.01 < (days < 0).mean() < 0.1  # a few overdue
    assert days.max() <= 456 and days.min() >= -60


def test_reference_date_moves_renewals():
    later = generate_accounts(50, reference_date=dt.date(2027, 11, 1))
    earlier = generate_accounts(50)
    assert ((later["renewal_date"] - earlier["renewal_date"]).dt.days == 365).all()


def test_zero_rows_give_an_empty_book():
    empty = generate_accounts(0)
    assert list(empty.columns) == GENERATED and len(empty) == 0


def test_crm_headers_yes_no_and_iso_dates():
    crm = to_crm_headers(generate_accounts(20))
    assert list(crm.columns) == [CRM_HEADERS[name] for name in GENERATED]
    assert set(crm["Referenceable"]) <= {"Yes", "No"}
    assert crm["Renewal Date"].str.fullmatch(r"\d{4}-\d{2}-\d{2}").all()
    assert crm["Annual Revenue"].equals(generate_accounts(20)["company_revenue"])


def test_previous_quarter_is_the_same_book_moved():
    now = generate_accounts(1_000)
    before = previous_quarter(now)
    shared = before["account_id"].isin(now["account_id"])
    assert 0.9 < shared.mean() < 1  # some churned since
    assert not now["account_id"].isin(before["account_id"]).all()  # some are new
    matched = now.set_index("account_id").loc[before.loc[shared, "account_id"]]
    assert (before.loc[shared, "tier"].to_numpy() == matched["previous_tier"].to_numpy()).all()
    assert (before.loc[shared, "arr"].to_numpy() != matched["arr"].to_numpy()).mean() > 0.5


@pytest.mark.parametrize("name", ["book.csv", "book.xlsx"])
def test_written_book_loads_back_whole(tmp_path, name):
    accounts = generate_accounts(120, seed=5)
    write_book(accounts, tmp_path / name)
    loaded = seg.load(tmp_path / name)
    assert loaded.report.rows_kept == 120 and not loaded.report.rows_skipped
    assert set(loaded.mapping) == set(GENERATED)
    assert loaded.accounts["account_id"].tolist() == accounts["account_id"].tolist()
    np.testing.assert_allclose(loaded.accounts["arr"], accounts["arr"])
    assert (loaded.accounts["country"] == accounts["country"]).all()


def test_unknown_extension_writes_nothing(tmp_path):
    with pytest.raises(seg.InputError, match="extension"):
        write_book(generate_accounts(5), tmp_path / "book.txt")
    assert list(tmp_path.iterdir()) == []


def test_sample_data_is_what_the_documented_command_makes(tmp_path):
    accounts = generate_accounts(500, seed=7)
    write_book(accounts, tmp_path / "accounts.csv")
    assert (tmp_path / "accounts.csv").read_bytes() == (SAMPLE_DATA / "accounts.csv").read_bytes()
    # The workbook is compared by its cells: its bytes depend on the xlsxwriter version.
    write_book(accounts, tmp_path / "accounts.xlsx")
    made, shipped = (
        CalamineWorkbook.from_path(str(folder / "accounts.xlsx")).get_sheet_by_name("Accounts")
        for folder in (tmp_path, SAMPLE_DATA)
    )
    assert made.to_python() == shipped.to_python()
    assert len(made.to_python()) == 501


def test_sample_snapshot_is_the_previous_quarter(tmp_path):
    write_book(previous_quarter(generate_accounts(500, seed=7), seed=7), tmp_path / "prev.csv")
    expected = (SAMPLE_DATA / "accounts_previous_quarter.csv").read_bytes()
    assert (tmp_path / "prev.csv").read_bytes() == expected
