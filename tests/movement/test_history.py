"""Snapshots over time on generated multi-quarter histories (sample --quarters): the replay
numbers, the drivers of each move, and whether the data or the settings moved an account."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

import segmentation as seg
from segmentation import movement
from segmentation.rules.movement import MovementRules
from segmentation.sample import generate_accounts, quarter_history

CONFIG = seg.default_config()


@pytest.fixture(scope="module")
def history():
    books = quarter_history(generate_accounts(3000, seed=11), 4, seed=11)
    snapshots = [movement.Snapshot(str(as_of), book, as_of) for as_of, book in books]
    return [movement.score_snapshot(s, CONFIG, read_tiers=False) for s in snapshots]


def with_margin(margin: float) -> seg.Config:
    return dataclasses.replace(CONFIG, movement=MovementRules(margin=margin))


def test_history_is_ordered_and_quarterly(history):
    dates = [h.snapshot.as_of for h in history]
    assert dates == sorted(dates) and len(set(np.diff(dates))) == 1


def test_replay_without_rules_counts_the_plain_moves(history):
    table = movement.replay(history, CONFIG)  # no rules: both columns are the plain cut
    assert len(table) == 3
    for k, row in table.iterrows():
        before, now = history[k], history[k + 1]
        old = movement.aligned(
            before.result["tier"].cat.codes.to_numpy(), before.keys, now.keys, np.nan
        )
        expected = int((old != now.result["tier"].cat.codes.to_numpy()).sum())
        assert row["moved_without_rules"] == expected == row["moved_with_rules"]


@pytest.mark.parametrize("margin", [2.0, 5.0, 10.0])
def test_a_margin_damps_the_churn_every_period(history, margin):
    table = movement.replay(history, with_margin(margin))
    assert (table["moved_with_rules"] < table["moved_without_rules"]).all()
    assert (table["share_with_rules"] > 0).any() or margin >= 5


def test_wider_margins_never_churn_more(history):
    moved = [
        movement.replay(history, with_margin(m))["moved_with_rules"].sum() for m in (0, 2, 5, 10)
    ]
    assert moved == sorted(moved, reverse=True)


def test_each_move_names_its_driving_pillar_and_metric(history):
    now, before = history[-1], history[-2]
    result = movement.segment_with_history(now, [before], CONFIG)
    table = movement.movers(now, before, result, CONFIG)
    moved = table[table["tier_change"].isin(["up", "down"]).to_numpy()]
    assert len(moved) > 0
    assert (
        moved["drivers"].str.match(r"^(growth|strategic value|complexity|health) \d+ -> \d+").all()
    )
    # The data moved them: earlier snapshots here are raw exports, scored with these settings.
    assert set(moved["cause"].astype(str)) == {"data"}
    priority_rose = moved["priority"] > moved["priority_before"]
    assert (priority_rose == (moved["tier_change"] == "up")).all()


def test_a_settings_change_is_told_from_a_data_change(history):
    before, now = history[-2], history[-1]
    # Last quarter's export was tiered under other cut-offs: its own tiers are read back.
    old = seg.config.with_thresholds(CONFIG, [80, 55])
    exported = seg.segment(before.snapshot.accounts, old)
    snapshot = movement.Snapshot("last quarter", exported, before.snapshot.as_of)
    scored = movement.score_snapshot(snapshot, CONFIG)
    assert scored.recorded is not None
    result = movement.segment_with_history(now, [scored], CONFIG)
    table = movement.movers(now, scored, result, CONFIG)
    up = table[(table["tier_change"] == "up").to_numpy()]
    assert "settings" in set(up["cause"].astype(str))
    counts, arr = movement.movement_matrices(table, CONFIG)
    assert int(counts.to_numpy().sum()) == int(
        result["tier_change"].isin(["up", "down", "same"]).sum()
    )
    assert arr.to_numpy().sum() > 0


def test_an_xlsx_exports_settings_are_read_back_and_compared(history):
    from segmentation.loading.settings_sheet import settings_from_export

    before = history[-2]
    old = seg.config.with_thresholds(CONFIG, [80, 55])
    data = seg.export_bytes(seg.segment(before.snapshot.accounts, old), "xlsx", config=old)
    assert settings_from_export(data) == old
    assert settings_from_export(seg.export_bytes(before.result, "csv")) is None
    changes = movement.settings_changes(old, CONFIG)
    assert any("70 or more" in line and line.startswith("now:") for line in changes)
    assert any("80 or more" in line and line.startswith("then:") for line in changes)
    assert movement.settings_changes(CONFIG, CONFIG) == []


def test_the_inputs_own_previous_tier_is_kept_renamed(history):
    now, before = history[-1], history[-2]
    assert "previous_tier" in now.snapshot.accounts  # the generated book carries one
    result = movement.segment_with_history(now, [before], CONFIG)
    kept = result["previous_tier (input)"].astype(str).tolist()
    assert kept == now.snapshot.accounts["previous_tier"].astype(str).tolist()
    assert result["previous_tier"].notna().all()
