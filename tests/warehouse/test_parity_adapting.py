"""Parity for the rules that adapt to the book: relative cut-offs, lenient and learned
category order, the derived tenure, metrics the book does not feed (numpy vs DuckDB)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from parity_helpers import AS_OF, assert_parity, tied_book

import segmentation as seg
from segmentation.config import Tier, with_metric, with_pillar
from segmentation.errors import ConfigError
from segmentation.rules.schemes import category_key, category_key_sql
from segmentation.warehouse import compile_query, score_frame

DEFAULT = seg.default_config()
PLAN = 3  # the plan metric of the strategic pillar: category, order_by arr


def with_shares(*shares: float):
    names = [f"Tier {i + 1}" for i in range(len(shares) + 1)]
    tiers = [Tier(name, 0, share=share) for name, share in zip(names, shares, strict=False)]
    tiers.append(Tier(names[-1], 0))
    rails = replace(DEFAULT.guardrails, strategic_floor=None)
    return replace(DEFAULT, tiers=tuple(tiers), guardrails=rails)


@pytest.mark.parametrize(
    "shares", [(15, 35), (0.1, 0.1), (50, 49.8), (33.3, 33.3), (10, 20, 30), (90,)]
)
def test_relative_cut_offs_at_any_shares(shares):
    result = assert_parity(tied_book(240, seed=8), with_shares(*shares))
    assert result["tier"].nunique() > 1


@pytest.mark.parametrize("rows", [1, 2, 3, 7, 20])
def test_relative_cut_offs_on_tiny_books(rows):
    assert_parity(tied_book(40, seed=2).head(rows), DEFAULT)


def test_relative_cut_offs_where_many_accounts_tie_at_the_cut():
    accounts = tied_book(150, gaps=0.0)[["account_id", "arr", "health_score"]]
    accounts["arr"] = np.where(np.arange(150) % 3 == 0, 10.0, 20.0)
    accounts["health_score"] = np.where(np.arange(150) % 5 == 0, 90.0, 40.0)
    result = assert_parity(accounts, DEFAULT)
    assert result["priority"].nunique() < 10  # ties do cross the 15% cut here


def test_relative_cut_offs_with_no_priority_at_all():
    accounts = tied_book(30)[["account_id", "account_name"]]
    result = assert_parity(accounts, DEFAULT)
    assert result["priority"].isna().all() and (result["tier"] == "Low-touch").all()


PLAN_LABELS = {
    "listed and unlisted": ["Enterprise", "Pro", "Starter", "Growth", "Business"],
    "none listed": ["Basic", "Team", "Scale", "Free"],
    "one listed": ["Pro", "Team", "Free"],
    "noisy spellings": ["Enterprise (Annual)", "ENTERPRISE - yearly", "pro_plan", "Monthly", "!!"],
}


@pytest.mark.parametrize("labels", list(PLAN_LABELS))
def test_plans_the_settings_do_not_list_are_ordered_by_their_median_arr(labels):
    accounts = tied_book(120, seed=4, gaps=0.1)
    values = PLAN_LABELS[labels]
    accounts["plan"] = [values[i % len(values)] for i in range(len(accounts))]
    accounts.loc[accounts.index[::9], "plan"] = None
    config = with_pillar(DEFAULT, "strategic", weight=100)
    assert_parity(accounts, config)


def test_a_label_whose_every_account_lacks_arr_takes_other():
    accounts = tied_book(60, seed=6, gaps=0.0)
    accounts["plan"] = np.where(np.arange(60) % 4 == 0, "Orphan", "Pro")
    accounts.loc[accounts["plan"] == "Orphan", "arr"] = np.nan
    assert_parity(accounts, with_metric(DEFAULT, "strategic", PLAN, other=12.5))


@pytest.mark.parametrize(
    "label",
    ["Enterprise (Annual)", "enterprise", " Pro  Plan ", "Annual", "Billing - Monthly", "a_b",
     "Édition Über", "!!", "Pro-Monthly-Tier", "x  annual  y"],
)  # fmt: skip
def test_the_lenient_key_is_the_cores(label):
    import duckdb

    got = duckdb.execute(f"SELECT {category_key_sql(seg.rules.sql.text(label))}").fetchone()[0]
    assert got == category_key(label)


@pytest.mark.parametrize("as_of", [AS_OF, None])
def test_tenure_from_months_else_from_the_start_date(as_of):
    accounts = tied_book(80, seed=9)
    rng = np.random.default_rng(9)
    days = rng.integers(0, 4000, len(accounts))
    accounts["customer_since"] = pd.Timestamp("2026-11-01") - pd.to_timedelta(days, unit="D")
    months = rng.integers(1, 90, len(accounts)).astype(float)
    months[rng.random(len(accounts)) < 0.5] = np.nan
    accounts["tenure_months"] = months
    result = assert_parity(accounts, DEFAULT) if as_of else score_frame(accounts, DEFAULT)
    assert result["score_health"].notna().all()


@pytest.mark.parametrize("missing", ["neutral", "worst"])
def test_a_column_present_but_empty_is_left_out_whatever_its_policy(missing):
    accounts = tied_book(60)
    accounts["referenceable"] = pd.array([None] * len(accounts), dtype="boolean")
    config = with_metric(DEFAULT, "strategic", 2, missing=missing)
    assert_parity(accounts, config)


SAMPLE = seg.load("sample_data/accounts.csv").accounts
SMALL_TIERS = {
    "tiers": [
        {"name": "A", "threshold": 60},
        {"name": "B", "threshold": 30},
        {"name": "C", "threshold": 0},
    ],
    "guardrails": {"strategic_floor": "B"},
}


def profiled(within: bool) -> seg.Config:
    """Two profiles on the plan (noisy labels, a header in other case), one ranked within
    its accounts and one over the whole book, one with its own fixed tiers."""
    from segmentation.rules.profiles import Profile

    growth = {"pillars": {"growth": {"weight": 80}}}
    return replace(
        DEFAULT,
        profiles=(
            Profile("Enterprise", "plan", ("Enterprise",), within, growth),
            Profile("Small", "Plan", ("starter", "Pro plan"), not within, SMALL_TIERS),
        ),
    )


@pytest.mark.parametrize("within", [True, False])
def test_profiles_compile_to_the_same_tiers_and_profile_names(within):
    config = profiled(within)
    result = assert_parity(SAMPLE, config)
    core = seg.segment(SAMPLE, config, as_of=AS_OF)
    assert (result["profile"].astype(str) == core["profile"].astype(str)).all()
    assert set(core["profile"]) == {"Default", "Enterprise", "Small"}


def test_adding_a_profile_leaves_the_others_sql_tiers_alone():
    plain = score_frame(SAMPLE, DEFAULT, as_of=AS_OF)
    profiled_sql = score_frame(SAMPLE, profiled(True), as_of=AS_OF)
    outside = (profiled_sql["profile"] == "Default").to_numpy()
    assert outside.any()
    assert (plain["tier"][outside] == profiled_sql["tier"][outside]).all()


def test_a_profile_on_a_column_the_table_lacks_is_a_config_error_naming_the_field():
    from segmentation.rules.profiles import Profile

    config = replace(DEFAULT, profiles=(Profile("EMEA", "territory", ("EMEA",), True, {}),))
    with pytest.raises(ConfigError, match=r"^profiles\[0\]\.when\.column: .*territory"):
        compile_query(config)


@pytest.mark.parametrize("dialect", ["snowflake", "bigquery", "spark", "postgres"])
def test_profiles_compile_for_every_dialect(dialect):
    import sqlglot

    query = compile_query(profiled(True), dialect=dialect)
    assert "UNION ALL" in query.sql
    sqlglot.parse_one(query.sql, read=dialect)  # the dialect's own parser reads it
