"""The ideal customer profile's fit score and the layered view (market, growth, health)."""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

import segmentation as seg
from segmentation.rules.icp import Icp, IcpCriterion, icp_fit
from segmentation.views.layers import (
    GROWTH_BANDS,
    NO_DATA,
    account_layers,
    in_layers,
    layer_options,
    layered_view,
    score_band,
)
from tests.profiles.books import load_crm_export

ICP_DOC = {
    "criteria": [
        {"column": "industry", "values": ["Software", "Financial Services"]},
        {"column": "employees", "min": 100, "max": 5000},
        {"column": "Region", "values": ["AMER", "EMEA"]},
        {"column": "plan", "values": ["Enterprise", "Business"]},
    ],
    "strong": 75,
    "partial": 50,
}


@pytest.fixture(scope="module")
def scored() -> tuple[pd.DataFrame, seg.Config]:
    book = load_crm_export()
    doc = seg.config_to_dict(seg.default_config())
    doc["icp"] = copy.deepcopy(ICP_DOC)
    config = seg.config_from_dict(doc)
    return seg.segment(book.accounts, config, as_of=dt.date(2026, 11, 1)), config


def frame(**columns) -> pd.DataFrame:
    return pd.DataFrame(columns)


@pytest.mark.parametrize(
    ("employees", "matched"),
    [
        (99, False),
        (100, True),
        (101, True),
        (4999, True),
        (5000, True),
        (5001, False),
        (None, False),
    ],
)
def test_a_range_criterion_at_and_around_its_ends(employees, matched):
    icp = Icp((IcpCriterion("employees", low=100, high=5000),))
    fit = icp_fit(frame(employees=[employees]), icp)
    assert fit.score[0] == (100.0 if matched else 0.0)


def test_the_fit_is_the_share_of_criteria_matched_and_missing_does_not_match():
    icp = Icp(
        (
            IcpCriterion("industry", values=("Software",)),
            IcpCriterion("employees", low=50),
            IcpCriterion("country", values=("US", "CA")),
            IcpCriterion("plan", values=("Enterprise",)),
        )
    )
    accounts = frame(
        industry=["software", "Retail", None, "Software"],
        employees=[80, 10, None, 500],
        country=["US", "DE", "", "CA"],
        plan=["Enterprise (Annual)", "Starter", None, "Pro"],
    )
    fit = icp_fit(accounts, icp)
    assert fit.score.tolist() == [100.0, 0.0, 0.0, 75.0]
    assert fit.band.tolist() == ["Strong fit", "Weak fit", "Weak fit", "Strong fit"]
    assert dict(fit.lacking) == {"industry": 1, "employees": 1, "country": 1, "plan": 1}


@pytest.mark.parametrize(
    ("strong", "partial", "band"),
    [
        (75.0, 40.0, "Strong fit"),  # a fit of 75 at the strong edge
        (75.1, 40.0, "Partial fit"),  # just below it
        (80.0, 75.0, "Partial fit"),  # at the partial edge
        (80.0, 75.1, "Weak fit"),  # just below that
    ],
)
def test_fit_bands_at_their_edges(strong, partial, band):
    criteria = tuple(IcpCriterion(c, low=0) for c in "abcd")
    accounts = frame(a=[1.0], b=[1.0], c=[1.0], d=[-1.0])  # 3 of 4 criteria: a fit of 75
    fit = icp_fit(accounts, Icp(criteria, strong=strong, partial=partial))
    assert fit.score[0] == 75.0
    assert fit.band[0] == band


def test_a_column_the_book_lacks_matches_nobody_and_is_said():
    icp = Icp(
        (IcpCriterion("industry", values=("Software",)), IcpCriterion("Vertical", values=("AI",)))
    )
    fit = icp_fit(frame(industry=["Software", "Retail"]), icp)
    assert fit.score.tolist() == [50.0, 0.0]
    assert fit.absent == ("Vertical",)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"criteria": []}, "icp.criteria"),
        ({"criteria": [{"column": "industry"}]}, "icp.criteria[0]"),
        ({"criteria": [{"column": "", "values": ["a"]}]}, "icp.criteria[0].column"),
        ({"criteria": [{"column": "employees", "min": 10, "max": 5}]}, "icp.criteria[0].max"),
        ({"criteria": [{"column": "employees", "values": ["a"], "min": 1}]}, "icp.criteria[0]"),
        ({"criteria": [{"column": "employees", "min": "ten"}]}, "icp.criteria[0].min"),
        ({"criteria": [{"column": "plan", "values": "Pro"}]}, "icp.criteria[0].values"),
        ({"strong": 101}, "icp.strong"),
        ({"partial": 90}, "icp.partial"),
        ({"extra": 1}, "icp.extra"),
    ],
)
def test_bad_icp_settings_name_the_field(change, field):
    doc = seg.config_to_dict(seg.default_config())
    doc["icp"] = {**copy.deepcopy(ICP_DOC), **change}
    with pytest.raises(seg.ConfigError) as raised:
        seg.config_from_dict(doc)
    assert str(raised.value).startswith(field), str(raised.value)


def test_the_icp_section_reads_and_writes_back(scored):
    _, config = scored
    assert seg.config_to_dict(config)["icp"] == ICP_DOC
    assert "Ideal customer profile: industry is Software or Financial Services" in "\n".join(
        seg.describe_config(config)
    )


@pytest.mark.parametrize(
    ("score", "band"),
    [
        (66.9, "Some growth"),
        (67.0, "High growth"),
        (33.0, "Some growth"),
        (32.9, "Low growth"),
        (np.nan, NO_DATA),
    ],
)
def test_score_bands_at_their_edges(score, band):
    assert score_band(np.array([score]), GROWTH_BANDS)[0] == band


def test_each_level_adds_up_to_the_book(scored):
    result, config = scored
    levels = layered_view(result, config).levels
    total_arr = result["arr"].fillna(0).sum()
    for level in (1, 2, 3):
        rows = levels[levels["level"] == level]
        assert rows["accounts"].sum() == len(result)
        assert rows["arr"].sum() == pytest.approx(total_arr)
    # a market band's count is the sum of its growth bands
    top = levels[levels["level"] == 1].set_index("market")["accounts"]
    second = levels[levels["level"] == 2].groupby("market")["accounts"].sum()
    assert top.to_dict() == second.to_dict()


def test_layers_match_the_scores_they_come_from(scored):
    result, config = scored
    layers = account_layers(result, config)
    fit = icp_fit(result, config.icp)
    np.testing.assert_array_equal(layers["icp_fit"].to_numpy(), fit.score)
    high = (result["score_growth"] >= 67).to_numpy()
    assert (layers["growth"][high] == "High growth").all()
    assert set(layers["market"].astype(str)) <= set(layer_options(config)["market"])


def test_filtering_by_layer_keeps_exactly_the_chosen_bands(scored):
    result, config = scored
    layers = account_layers(result, config)
    keep = in_layers(
        layers, {"market": ["Strong fit"], "growth": [], "health": ["Healthy", "Watch"]}
    )
    expected = (layers["market"] == "Strong fit") & layers["health"].isin(["Healthy", "Watch"])
    np.testing.assert_array_equal(keep, expected.to_numpy())
    assert 0 < keep.sum() < len(result)


def test_without_an_icp_the_market_layer_says_so(scored):
    result, config = scored
    view = layered_view(result, replace(config, icp=None))
    assert set(view.levels["market"]) == {"No ICP defined"}
