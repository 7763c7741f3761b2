"""A new scheme is one registration: a toy scheme scores, validates, describes, saves, loads."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import segmentation as seg
from segmentation.config import Metric, config_from_json, config_to_json, with_metric
from segmentation.rules.constraints import Number
from segmentation.rules.schemes import SCHEMES, Scheme, metric_score, register, unregister


def log_score(numbers: np.ndarray, metric: Metric) -> np.ndarray:
    """0 at 1 (or below), 100 at `cap` (or above), a straight line on log10 between."""
    cap = metric.setting("cap")
    with np.errstate(divide="ignore", invalid="ignore"):
        scaled = np.log10(np.maximum(numbers, 1.0)) / np.log10(cap)
    return np.clip(scaled, 0.0, 1.0) * 100.0


TOY = Scheme(
    "log",
    "Log scale",
    "straight line on a log scale, 0 at 1 to 100 at `cap`",
    log_score,
    fields=("cap",),
    constraints=(("cap", Number(minimum=2)),),
    describe=lambda m: f"log scale, 1 -> 0 to {m.setting('cap'):g} -> 100",
    inputs=(("cap", "Scores 100 at", 1000.0),),
)


@pytest.fixture
def toy_scheme():
    register(TOY)
    yield TOY
    unregister(TOY.name)


def _with_toy(cfg: seg.Config, cap: float = 1000.0) -> seg.Config:
    return with_metric(cfg, "growth", 0, scheme="log", params=(("cap", cap),))


def test_the_toy_scheme_scores(toy_scheme):
    values = pd.Series([1.0, 10.0, 100.0, 1000.0, 1e6, np.nan])
    scores = metric_score(values, Metric("x", scheme="log", params=(("cap", 1000.0),)))
    np.testing.assert_allclose(scores[:5], [0.0, 100 / 3, 200 / 3, 100.0, 100.0])
    assert np.isnan(scores[5])
    lower = metric_score(
        values, Metric("x", scheme="log", direction="lower", params=(("cap", 1000.0),))
    )
    np.testing.assert_allclose(lower[:5], 100.0 - scores[:5])


@pytest.mark.parametrize(("cap", "ok"), [(2.0, True), (1.99, False), ("10", False), (None, False)])
def test_the_toy_scheme_validates_its_own_field(toy_scheme, cap, ok):
    cfg = seg.default_config()
    if ok:
        assert _with_toy(cfg, cap).pillar("growth").metrics[0].setting("cap") == cap
        return
    with pytest.raises(seg.ConfigError, match=r"^pillars\.growth\.metrics\[0\]\.cap: must be"):
        _with_toy(cfg, cap)


def test_the_toy_scheme_describes_itself_saves_loads_and_segments(toy_scheme):
    cfg = _with_toy(seg.default_config())
    words = "\n".join(seg.describe_config(cfg))
    assert "Whitespace (weight 3, log scale: log scale, 1 -> 0 to 1000 -> 100)" in words
    text = config_to_json(cfg)
    assert '"cap": 1000.0' in text
    again = config_from_json(text)
    assert again == cfg
    assert again.scoring_key() != seg.default_config().scoring_key()
    accounts = seg.generate_accounts(200, seed=3)
    result = seg.segment(accounts, again)
    assert result["tier"].notna().all()
    assert not result.equals(seg.segment(accounts, seg.default_config()))


def test_an_unregistered_scheme_is_refused_by_name():
    with pytest.raises(seg.ConfigError, match=r"metrics\[0\]\.scheme: must be one of percentile"):
        with_metric(seg.default_config(), "growth", 0, scheme="log")
    assert "log" not in SCHEMES


def test_the_cache_key_is_every_metric_field_but_the_weight():
    metric = Metric("x", scheme="linear", low=0, high=10)
    assert (
        metric.scoring_key() == Metric("x", weight=7, scheme="linear", low=0, high=10).scoring_key()
    )
    for change in (
        {"low": 1},
        {"direction": "lower"},
        {"missing": "worst"},
        {"params": (("a", 1),)},
    ):
        assert Metric(**{**metric.__dict__, **change}).scoring_key() != metric.scoring_key()
