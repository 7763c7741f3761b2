"""Manual overrides (issue 18): a reason, who and when, an optional last day, in the settings."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import segmentation as seg
from segmentation.config import Guardrails, Override
from segmentation.rules.tiers import active_overrides, expired_overrides, override_words
from segmentation.segment import segment
from tests.rules.conftest import book

LAST_DAY = dt.date(2027, 3, 31)
ROOT_SAMPLE = Path(__file__).resolve().parents[2] / "sample_data" / "accounts.csv"


def with_override(config: seg.Config, override: Override) -> seg.Config:
    return dataclasses.replace(config, guardrails=Guardrails(overrides=(override,)))


# The override's last day against the day the tiers are computed: at it and before, it holds;
# the day after, the account goes back to the tier its priority gives.
EXPIRY = [
    (LAST_DAY - dt.timedelta(days=1), "High-touch"),
    (LAST_DAY, "High-touch"),
    (LAST_DAY + dt.timedelta(days=1), "Low-touch"),
    (None, "High-touch"),  # no day known: it still applies
]


@pytest.mark.parametrize(("as_of", "tier"), EXPIRY, ids=["before", "at", "after", "no-day"])
def test_an_override_holds_until_its_last_day(growth_only, as_of, tier):
    override = Override("A-0", "High-touch", "renewal at risk", expires=LAST_DAY)
    config = with_override(growth_only, override)
    result = segment(book(g=[10.0]), config, as_of=as_of)
    assert result["tier"].iloc[0] == tier
    overridden = "manual override" in result["reasons"].iloc[0]
    assert overridden == (tier == "High-touch")
    assert (override in expired_overrides(config.guardrails, as_of)) == (tier == "Low-touch")
    assert (override in active_overrides(config.guardrails, as_of)) == (tier == "High-touch")


def test_override_fields_survive_json_and_read_as_a_sentence():
    override = Override(
        "A-7", "Mid-touch", "exec sponsor", expires=LAST_DAY, by="Dana", at="2026-12-01T21:00"
    )
    cfg = with_override(seg.default_config(), override)
    doc = seg.config.config_to_dict(cfg)
    assert doc["guardrails"]["overrides"] == [
        {
            "account_id": "A-7",
            "tier": "Mid-touch",
            "reason": "exec sponsor",
            "expires": "2027-03-31",
            "by": "Dana",
            "at": "2026-12-01T21:00",
        }
    ]
    assert seg.config_from_json(seg.config_to_json(cfg)) == cfg
    assert override_words(override) == (
        "Override: account A-7 is Mid-touch (exec sponsor), set by Dana on 2026-12-01 "
        "until 2027-03-31."
    )


def test_a_settings_file_of_today_without_the_new_fields_still_loads():
    doc = seg.config.config_to_dict(seg.default_config())
    doc["guardrails"]["overrides"] = [{"account_id": "A-1", "tier": "High-touch", "reason": "x"}]
    cfg = seg.config_from_json(json.dumps(doc))
    assert cfg.guardrails.overrides == (Override("A-1", "High-touch", "x"),)
    assert seg.config.config_to_dict(cfg)["guardrails"]["overrides"] == [
        {"account_id": "A-1", "tier": "High-touch", "reason": "x"}
    ]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("expires", "31/03/2027", "guardrails.overrides[0].expires: must be a date (YYYY-MM-DD)"),
        ("expires", 20270331, "guardrails.overrides[0].expires: must be a date"),
        ("by", 3, "guardrails.overrides[0].by: must be text"),
        ("colour", "red", "guardrails.overrides[0]"),
    ],
)
def test_a_bad_override_field_is_one_sentence_naming_it(field, value, message):
    doc = seg.config.config_to_dict(seg.default_config())
    doc["guardrails"]["overrides"] = [{"account_id": "A-1", "tier": "High-touch", field: value}]
    with pytest.raises(seg.ConfigError) as raised:
        seg.config_from_json(json.dumps(doc))
    assert message in str(raised.value)
    assert "\n" not in str(raised.value)


def test_the_cli_says_an_expired_override_and_does_not_apply_it(tmp_path):
    from segmentation.config import with_thresholds

    accounts = seg.load(ROOT_SAMPLE).accounts
    low = accounts.iloc[-1]["account_id"]
    cfg = with_override(
        with_thresholds(seg.default_config(), [70.0, 45.0]),
        Override(low, "High-touch", "pilot", expires=dt.date(2026, 11, 30)),
    )
    settings = tmp_path / "settings.json"
    seg.save_config(cfg, settings)
    out = tmp_path / "out.csv"
    command = [sys.executable, "-m", "segmentation", "score", str(ROOT_SAMPLE), "--out", str(out)]
    run = subprocess.run(
        [*command, "--config", str(settings), "--as-of", "2026-12-01"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    assert (
        f"warning: the override of account {low} to High-touch ended on 2026-11-30 and is not "
        "applied" in run.stderr
    )
    written = pd.read_csv(out, encoding="utf-8-sig")
    id_column = next(c for c in written.columns if "id" in c.lower())
    assert written.loc[written[id_column] == low, "tier"].item() != "High-touch"
