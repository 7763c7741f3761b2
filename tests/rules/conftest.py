"""Small, exact books for the scoring tests: one linear metric per pillar, values = scores."""

from __future__ import annotations

import pandas as pd
import pytest

from segmentation.config import Config, Metric, Pillar, Tier, default_config


def simple_config(
    weights=(1, 1, 1, 1), effects=("raises", "raises", "raises", "lowers"), thresholds=(70, 45)
) -> Config:
    """Each pillar scored by one column (g, s, c, h) read linearly from 0 to 100."""
    keys = ("growth", "strategic", "complexity", "health")
    columns = ("g", "s", "c", "h")
    pillars = tuple(
        Pillar(key, key.title(), w, e, (Metric(col, scheme="linear", low=0, high=100),))
        for key, col, w, e in zip(keys, columns, weights, effects, strict=True)
    )
    tiers = (
        Tier("High-touch", thresholds[0]),
        Tier("Mid-touch", thresholds[1]),
        Tier("Low-touch", 0),
    )
    return Config(pillars=pillars, tiers=tiers, guardrails=default_config().guardrails.__class__())


def book(**columns) -> pd.DataFrame:
    frame = pd.DataFrame(columns)
    if "account_id" not in frame:
        frame.insert(0, "account_id", [f"A-{i}" for i in range(len(frame))])
    return frame


@pytest.fixture
def growth_only() -> Config:
    """Priority equals the `g` column exactly: the other pillars weigh nothing."""
    return simple_config(weights=(1, 0, 0, 0))
