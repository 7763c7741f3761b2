"""Words for the room, not for engineers (issue 18, finding 7): no `potential_arr`, no
"arr split at 20000"; the account breakdown pulls the way its reason says."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

import segmentation as seg
from segmentation.columns import column_label
from segmentation.views import accounts as account_list
from segmentation.views import data_quality

IDENTIFIER = re.compile(r"\b[a-z]+_[a-z_]+\b")  # potential_arr, score_health, support_tickets


@pytest.fixture(scope="module")
def sample():
    book = seg.load("sample_data/accounts.csv")
    return book, seg.segment(book.accounts, seg.default_config())


@pytest.mark.parametrize(
    "x, x_split, words",
    [
        ("arr", 20_000.0, "ARR split at $20k across"),
        ("score_health", 50.0, "Health & maturity split at 50 across"),
        ("priority", 62.5, "priority split at 62.5 across"),
    ],
)
def test_the_criteria_speak_in_plain_words(x, x_split, words):
    cfg = seg.default_config()
    cfg = replace(cfg, quadrant=replace(cfg.quadrant, x=x, x_split=x_split))
    text = "\n".join(seg.describe_config(cfg))
    assert words in text
    assert not IDENTIFIER.findall(text), IDENTIFIER.findall(text)
    assert "Potential ARR (weight 1" in text


@pytest.mark.parametrize(
    "name, label",
    [("potential_arr", "Potential ARR"), ("support_tickets", "Support tickets"),
     ("whitespace", "Whitespace"), ("Seats (EU)", "Seats (EU)")],
)  # fmt: skip
def test_a_column_is_named_as_a_person_says_it(name, label):
    assert column_label(name) == label


def test_the_data_quality_table_names_metrics_in_words(sample):
    book, _ = sample
    cfg = seg.default_config()
    metrics = data_quality.metric_coverage(seg.score_metrics(book.accounts, cfg), cfg)["metric"]
    assert "Potential ARR" in set(metrics)
    assert not [m for m in metrics if IDENTIFIER.fullmatch(m)]


HEALTH_RISK = re.compile(r"health risk (\d+)")


def test_the_breakdown_pulls_the_way_the_reason_says(sample):
    _, result = sample
    cfg = seg.default_config()
    said = result["reasons"].astype(str).str.extract(HEALTH_RISK)[0].dropna()
    assert len(said) > 10
    for index, risk in said.head(25).items():
        breakdown = account_list.pillar_breakdown(result.loc[index], cfg).set_index("driver")
        health = breakdown.loc["Health risk"]
        assert health["pillar"] == cfg.pillar("health").label
        assert round(health["enters_priority_as"]) == int(risk)  # 85, not the score 15
        assert health["enters_priority_as"] == pytest.approx(100 - health["score"])
    growth = breakdown.loc["Growth"]
    assert growth["enters_priority_as"] == growth["score"]  # a raising pillar pulls as scored
