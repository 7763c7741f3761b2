"""Segmenting with profiles: the one rule of segmentation/profiles.py, on a real-shaped book."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import segmentation as seg
from segmentation.config import profile_config, with_thresholds
from segmentation.profiles import without_profiles
from segmentation.rules.profiles import DEFAULT_PROFILE, Profile
from tests.profiles.books import SEGMENTS, load_crm_export

AS_OF = dt.date(2026, 11, 1)
COMPARED = ["score_growth", "score_strategic", "score_complexity", "score_health", "priority"]
SMB_SETTINGS = {
    "pillars": {"growth": {"weight": 80}, "health": {"weight": 5}},
    "tiers": [
        {"name": "High-touch", "share": 10, "engagement": "Pooled CSM"},
        {"name": "Mid-touch", "share": 30},
        {"name": "Low-touch", "threshold": 0, "engagement": "Digital only"},
    ],
}


@pytest.fixture(scope="module")
def book() -> seg.Book:
    return load_crm_export()


def with_profiles(config: seg.Config, *profiles: Profile) -> seg.Config:
    return replace(config, profiles=profiles)


def smb(ranks_within: bool = True, settings: dict | None = None) -> Profile:
    return Profile(
        "SMB", "Segment", ("SMB",), ranks_within, SMB_SETTINGS if settings is None else settings
    )


def enterprise(ranks_within: bool = True) -> Profile:
    return Profile("Enterprise", "Segment", ("Enterprise",), ranks_within, {"arr_per_csm": 1e6})


def outputs_equal(got: pd.DataFrame, want: pd.DataFrame) -> None:
    for column in COMPARED:
        np.testing.assert_array_equal(got[column].to_numpy(), want[column].to_numpy(), column)
    for column in ("tier", "quadrant"):
        assert got[column].astype(str).tolist() == want[column].astype(str).tolist(), column


@pytest.mark.parametrize("base", ["relative", "fixed"])
def test_a_ranks_within_profile_equals_segment_on_its_accounts(book, base):
    config = (
        seg.default_config()
        if base == "relative"
        else with_thresholds(seg.default_config(), [70, 45])
    )
    config = with_profiles(config, smb(), enterprise())
    result = seg.segment(book.accounts, config, as_of=AS_OF)
    for name in ("SMB", "Enterprise"):
        rows = (result["profile"] == name).to_numpy()
        alone = seg.segment(book.accounts[rows], profile_config(config, name), as_of=AS_OF)
        assert rows.sum() > 0
        outputs_equal(result[rows], alone)
        assert result.index[rows].equals(alone.index)


def test_a_profile_ranked_over_the_whole_book_equals_segment_of_the_book(book):
    config = with_profiles(seg.default_config(), smb(ranks_within=False))
    result = seg.segment(book.accounts, config, as_of=AS_OF)
    rows = (result["profile"] == "SMB").to_numpy()
    whole = seg.segment(book.accounts, profile_config(config, "SMB"), as_of=AS_OF)
    outputs_equal(result[rows], whole[rows])


def test_ranks_within_changes_the_ranks(book):
    """Ranked among SMBs alone, an SMB's scores differ from its ranks among the whole book."""
    within = seg.segment(
        book.accounts, with_profiles(seg.default_config(), smb(True, {})), as_of=AS_OF
    )
    across = seg.segment(
        book.accounts, with_profiles(seg.default_config(), smb(False, {})), as_of=AS_OF
    )
    rows = (within["profile"] == "SMB").to_numpy()
    assert not np.allclose(within["priority"][rows], across["priority"][rows], equal_nan=True)


def test_an_empty_override_ranked_over_the_book_changes_nothing(book):
    plain = seg.segment(book.accounts, seg.default_config(), as_of=AS_OF)
    profiled = seg.segment(
        book.accounts, with_profiles(seg.default_config(), smb(False, {})), as_of=AS_OF
    )
    outputs_equal(profiled, plain)


@pytest.mark.parametrize("ranks_within", [True, False])
@pytest.mark.parametrize("base", ["relative", "fixed"])
def test_accounts_in_no_profile_are_untouched_by_adding_one(book, ranks_within, base):
    config = (
        seg.default_config()
        if base == "relative"
        else with_thresholds(seg.default_config(), [70, 45])
    )
    plain = seg.segment(book.accounts, config, as_of=AS_OF)
    profiled = seg.segment(
        book.accounts,
        with_profiles(config, smb(ranks_within), enterprise(ranks_within)),
        as_of=AS_OF,
    )
    rest = (profiled["profile"] == DEFAULT_PROFILE).to_numpy()
    assert 0 < rest.sum() < len(rest)
    outputs_equal(profiled[rest], plain[rest])
    expected = ("Default settings. " + plain["reasons"][rest].astype(str)).tolist()
    assert profiled["reasons"][rest].astype(str).tolist() == expected
    # and the profile's own accounts did change
    smbs = (profiled["profile"] == "SMB").to_numpy()
    assert (profiled["tier"][smbs].astype(str) != plain["tier"][smbs].astype(str)).any() or not (
        np.allclose(profiled["priority"][smbs], plain["priority"][smbs], equal_nan=True)
    )


def test_every_account_is_kept_in_order_and_names_its_profile(book):
    config = with_profiles(seg.default_config(), smb(), enterprise())
    result = seg.segment(book.accounts, config, as_of=AS_OF)
    assert result.index.equals(book.accounts.index)
    assert result["account_id"].tolist() == book.accounts["account_id"].tolist()
    expected = (
        book.accounts["Segment"]
        .map({"SMB": "SMB", "Enterprise": "Enterprise"})
        .fillna(DEFAULT_PROFILE)
    )
    assert result["profile"].astype(str).tolist() == expected.tolist()
    starts = [f"Profile {p}. " if p != DEFAULT_PROFILE else "Default settings. " for p in expected]
    assert all(r.startswith(s) for r, s in zip(result["reasons"].astype(str), starts, strict=True))


def test_a_profile_may_rename_its_tiers(book):
    renamed = {
        "tiers": [{"name": "Pooled", "share": 20}, {"name": "Digital", "threshold": 0}],
        "guardrails": {"strategic_floor": "Pooled"},  # the floor names one of its tiers
    }
    config = with_profiles(seg.default_config(), smb(True, renamed))
    result = seg.segment(book.accounts, config, as_of=AS_OF)
    smbs = (result["profile"] == "SMB").to_numpy()
    assert set(result["tier"][smbs].astype(str)) == {"Pooled", "Digital"}
    assert set(result["tier"][~smbs].astype(str)) <= set(seg.default_config().tier_names)
    assert list(result["tier"].cat.categories) == [
        *seg.default_config().tier_names,
        "Pooled",
        "Digital",
    ]


def test_matching_is_as_lenient_as_categories(book):
    accounts = book.accounts.copy()
    accounts["Segment"] = accounts["Segment"].replace({"SMB": " SMB - Annual"})
    lenient = Profile("SMB", "segment", ("smb",), True, SMB_SETTINGS)
    result = seg.segment(accounts, with_profiles(seg.default_config(), lenient), as_of=AS_OF)
    assert (result["profile"] == "SMB").sum() == (book.accounts["Segment"] == "SMB").sum()


def test_without_profiles_drops_only_the_profiles():
    config = with_profiles(seg.default_config(), smb())
    assert without_profiles(config) == seg.default_config()


def test_the_segments_are_the_crm_picklist(book):
    assert set(book.accounts["Segment"]) == set(SEGMENTS)


@pytest.mark.parametrize("ranks_within", [True, False])
def test_pinning_the_cut_offs_keeps_every_tier(book, ranks_within):
    """What the app saves and the CLI writes (the cut-offs pinned, the profiles' included)
    gives the same tiers as the relative settings on the same book."""
    config = with_profiles(
        seg.default_config(), smb(ranks_within, {"pillars": {"growth": {"weight": 80}}})
    )
    pinned = seg.fitted_config(seg.score_metrics(book.accounts, config, as_of=AS_OF), config)
    assert pinned.profiles[0].settings["tiers"][0]["threshold"] > 0  # pinned: a number
    assert profile_config(pinned, "SMB").tiers[0].share is None
    relative = seg.segment(book.accounts, config, as_of=AS_OF)
    fixed = seg.segment(book.accounts, pinned, as_of=AS_OF)
    assert fixed["tier"].astype(str).tolist() == relative["tier"].astype(str).tolist()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 10_000),
    weight=st.floats(0, 100),
    share=st.floats(1, 60),
    ranks_within=st.booleans(),
    chosen=st.sets(st.sampled_from(SEGMENTS), min_size=1, max_size=2),
)
def test_outsiders_never_move_and_insiders_equal_their_own_segment(
    seed, weight, share, ranks_within, chosen
):
    """For any book, weights, cut-off share and choice of segment values."""
    accounts = seg.generate_accounts(80, seed=seed)
    accounts["Segment"] = np.array(SEGMENTS)[np.arange(80) % 3]
    overrides = {
        "pillars": {"growth": {"weight": weight}},
        "tiers": [
            {"name": "High-touch", "share": share},
            {"name": "Mid-touch", "share": 20},
            {"name": "Low-touch", "threshold": 0},
        ],
    }
    profile = Profile("Chosen", "Segment", tuple(sorted(chosen)), ranks_within, overrides)
    config = with_profiles(seg.default_config(), profile)
    result = seg.segment(accounts, config, as_of=AS_OF)
    plain = seg.segment(accounts, seg.default_config(), as_of=AS_OF)
    inside = accounts["Segment"].isin(chosen).to_numpy()
    outputs_equal(result[~inside], plain[~inside])
    settings_ = profile_config(config, "Chosen")
    own = (
        seg.segment(accounts[inside], settings_, as_of=AS_OF)
        if ranks_within
        else seg.segment(accounts, settings_, as_of=AS_OF)[inside]
    )
    outputs_equal(result[inside], own)
