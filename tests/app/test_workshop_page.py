"""Workshop page: every slider, checked against segment() on the same data and settings."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest
from app_helpers import (
    expected_counts,
    fixed_config,
    goto,
    open_editor,
    shown,
    tier_metrics,
)

import segmentation as seg
from segmentation import movement
from segmentation.config import Guardrails, Tier, with_pillar, with_thresholds
from segmentation.views import tiers
from ui import format as fmt

SLIDER_MOVES = [
    ("weight_growth", 60.0, lambda c: with_pillar(c, "growth", weight=60.0)),
    ("weight_strategic", 5.0, lambda c: with_pillar(c, "strategic", weight=5.0)),
    ("weight_complexity", 45.0, lambda c: with_pillar(c, "complexity", weight=45.0)),
    ("weight_health", 70.0, lambda c: with_pillar(c, "health", weight=70.0)),
    ("threshold_high", 60.0, lambda c: with_thresholds(c, [60.0, 45.0])),
    ("threshold_mid", 35.0, lambda c: with_thresholds(c, [70.0, 35.0])),
]


@pytest.mark.parametrize(("key", "value", "change"), SLIDER_MOVES, ids=[m[0] for m in SLIDER_MOVES])
def test_each_slider_updates_the_tier_counts_exactly(workshop, sample_accounts, key, value, change):
    cfg = fixed_config()
    before = tier_metrics(workshop, cfg)
    workshop.slider(key=key).set_value(value).run()
    assert not workshop.exception and not workshop.error
    expected = expected_counts(sample_accounts, change(cfg))
    assert tier_metrics(workshop, cfg) == expected
    assert expected != before
    deltas = {m.label: m.delta for m in workshop.metric}
    assert any(d and "vs baseline" in d for d in deltas.values())


def test_sliders_combine_and_survive_a_page_switch(workshop, sample_accounts):
    workshop.slider(key="weight_growth").set_value(50.0)
    workshop.slider(key="threshold_high").set_value(65.0).run()
    goto(workshop, "accounts")
    goto(workshop, "workshop")
    assert workshop.slider(key="weight_growth").value == 50.0
    cfg = with_thresholds(with_pillar(fixed_config(), "growth", weight=50.0), [65.0, 45.0])
    assert tier_metrics(workshop, cfg) == expected_counts(sample_accounts, cfg)


def test_moving_the_top_cut_off_again_and_again_leaves_the_mid_one_alone(workshop, sample_accounts):
    """The mid slider has a fixed range: a new top cut-off never makes it a new widget."""
    mid = workshop.slider(key="threshold_mid").value
    for high in (80.0, 60.0, 95.0, 50.0, 46.0, 75.0, 100.0):
        workshop.slider(key="threshold_high").set_value(high).run()
        assert not workshop.exception and not workshop.warning
        assert workshop.slider(key="threshold_mid").value == mid == 45.0
        cfg = with_thresholds(fixed_config(), [high, mid])
        assert tier_metrics(workshop, cfg) == expected_counts(sample_accounts, cfg)


# The mid cut-off (45) against the top one: just above it is valid; at it or below it, the
# sliders stay where the user put them and the tiers keep the last valid cut-offs (70 / 45).
CROSSINGS = [
    (46.0, [46.0, 45.0], False),
    (45.0, [70.0, 45.0], True),
    (44.0, [70.0, 45.0], True),
]


@pytest.mark.parametrize(("high", "used", "warned"), CROSSINGS, ids=["above", "at", "below"])
def test_top_cut_off_near_the_mid_one(workshop, sample_accounts, high, used, warned):
    workshop.slider(key="threshold_high").set_value(high).run()
    assert not workshop.exception and not workshop.error
    assert workshop.slider(key="threshold_high").value == high
    assert workshop.slider(key="threshold_mid").value == 45.0
    assert bool(workshop.warning) == warned
    if warned:
        assert "must be below" in workshop.warning[0].value
    cfg = with_thresholds(fixed_config(), used)
    assert tier_metrics(workshop, cfg) == expected_counts(sample_accounts, cfg)


def test_mid_cut_off_dragged_above_the_top_one_keeps_the_last_valid_pair(workshop, sample_accounts):
    workshop.slider(key="threshold_mid").set_value(50.0).run()
    workshop.slider(key="threshold_mid").set_value(90.0).run()
    assert workshop.slider(key="threshold_mid").value == 90.0  # not moved under the user
    assert "must be below" in workshop.warning[0].value
    cfg = with_thresholds(fixed_config(), [70.0, 50.0])
    assert tier_metrics(workshop, cfg) == expected_counts(sample_accounts, cfg)
    workshop.slider(key="threshold_high").set_value(95.0).run()  # the pair is valid again
    assert not workshop.warning
    cfg = with_thresholds(fixed_config(), [95.0, 90.0])
    assert tier_metrics(workshop, cfg) == expected_counts(sample_accounts, cfg)


def test_all_weights_zero_shows_the_settings_error(workshop):
    for key in ("weight_growth", "weight_strategic", "weight_complexity", "weight_health"):
        workshop.slider(key=key).set_value(0.0)
    workshop.run()
    assert not workshop.exception
    assert "at least one pillar needs a weight above 0" in shown(workshop.error[0].value)


def test_who_moved_lists_the_moves(workshop):
    workshop.slider(key="threshold_high").set_value(50.0).run()
    assert any("change tier" in m.value for m in workshop.markdown)
    # capacity, the from/to matrix, the moved accounts
    assert len(workshop.dataframe) == 3
    workshop.session_state["current_tier_open"] = True
    workshop.run()
    # and, while its expander is open, the book's current tier against the new one (accounts, ARR)
    assert len(workshop.dataframe) == 5


def test_the_current_tier_matrices_are_written_only_while_open(workshop, sample_accounts):
    result = seg.segment(sample_accounts, fixed_config(), as_of=dt.date.today())
    view = movement.current_tier_view(
        result, movement.current_tiers(result, fixed_config().tier_names)
    )
    said = f"{fmt.accounts(view.totals.moved)} of {fmt.count(view.compared)} change coverage model"
    assert not [t for t in workshop.text if t.value.startswith(said)]
    workshop.session_state["current_tier_open"] = True
    workshop.run()
    assert not workshop.exception
    assert [t for t in workshop.text if t.value.startswith(said)]
    shown_frames = [d.value for d in workshop.dataframe]
    assert any(f.equals(view.matrix) for f in shown_frames)
    assert any(f.equals(view.arr_matrix) for f in shown_frames)


def test_pillar_effect_and_pin_baseline(workshop, sample_accounts):
    open_editor(workshop, "metrics")
    workshop.selectbox(key="pillar_details").set_value("health").run()
    workshop.radio(key="effect_health").set_value("raises").run()
    assert not workshop.exception
    cfg = with_pillar(fixed_config(), "health", effect="raises")
    assert tier_metrics(workshop, cfg) == expected_counts(sample_accounts, cfg)
    workshop.button(key="pin_baseline").click().run()
    assert all(m.delta == "no change" for m in workshop.metric[:3])


def two_tiers() -> seg.Config:
    return replace(
        fixed_config(),
        tiers=(Tier("High-touch", 55.0, "Named CSM."), Tier("Low-touch", 0.0, "Pooled team.")),
        guardrails=Guardrails(strategic_floor="High-touch"),
    )


def four_tiers() -> seg.Config:
    return replace(
        fixed_config(),
        tiers=(
            Tier("Strategic", 80.0, "Exec sponsor."),
            Tier("High-touch", 60.0, "Named CSM."),
            Tier("Mid-touch", 35.0, "Pooled CSM."),
            Tier("Low-touch", 0.0, "Digital."),
        ),
    )


def load_settings(at, cfg: seg.Config) -> None:
    goto(at, "accounts")
    data = seg.config_to_json(cfg).encode()
    at.file_uploader(key="settings_upload").set_value(("tiers.json", data, "application/json"))
    at.run()
    assert not at.exception and not at.error
    goto(at, "workshop")


# Other tier counts than three: one slider per cut-off, the last tier always takes the rest.
TIER_COUNTS = [
    (two_tiers, [], 45.0, [45.0]),
    (four_tiers, ["threshold_mid", "threshold_2"], 70.0, [70.0, 60.0, 35.0]),
]


@pytest.mark.parametrize(("build", "more", "high", "cuts"), TIER_COUNTS, ids=["two", "four"])
def test_other_tier_counts_follow_the_sliders(sample_app, sample_accounts, build, more, high, cuts):
    cfg = build()
    load_settings(sample_app, cfg)
    keys = sorted(s.key for s in sample_app.slider if s.key.startswith("threshold_"))
    assert keys == sorted(["threshold_high", *more])
    assert not sample_app.error
    assert tier_metrics(sample_app, cfg) == expected_counts(sample_accounts, cfg)
    sample_app.slider(key="weight_growth").set_value(60.0).run()
    sample_app.slider(key="threshold_high").set_value(high).run()
    assert not sample_app.exception and not sample_app.error and not sample_app.warning
    moved = with_thresholds(with_pillar(cfg, "growth", weight=60.0), cuts)
    assert sample_app.session_state["tw_config"] == moved
    assert tier_metrics(sample_app, moved) == expected_counts(sample_accounts, moved)


def test_an_extra_cut_off_crossing_the_one_above_keeps_the_last_valid_ones(
    sample_app, sample_accounts
):
    cfg = four_tiers()
    load_settings(sample_app, cfg)
    sample_app.slider(key="threshold_2").set_value(40.0).run()
    assert not sample_app.warning
    sample_app.slider(key="threshold_2").set_value(65.0).run()
    assert "Mid-touch (65) must be below High-touch (60)" in shown(sample_app.warning[0].value)
    kept = with_thresholds(cfg, [80.0, 60.0, 40.0])
    assert tier_metrics(sample_app, kept) == expected_counts(sample_accounts, kept)


def _share_caption(at) -> str:
    texts = [shown(c.value) for c in at.caption]
    (caption,) = [t for t in texts if t.startswith("Share of priority")]
    return caption


@pytest.mark.parametrize(("weight", "growth_share"), [(60.0, "46%"), (0.0, "0%"), (100.0, "59%")])
def test_share_caption_and_slider_help_follow_the_slider_at_once(workshop, weight, growth_share):
    """Right after one move, not one move later: shares come from the sliders' own values."""
    workshop.slider(key="weight_growth").set_value(weight).run()
    assert not workshop.exception
    assert f"Growth {growth_share}" in _share_caption(workshop)
    assert f"now {growth_share} of priority" in workshop.slider(key="weight_growth").help
    others = 30 + 15 + 25
    strategic = f"{30 / (weight + others):.0%}"
    assert f"now {strategic} of priority" in workshop.slider(key="weight_strategic").help


def test_a_scheme_registered_at_test_time_is_in_the_workshop_scheme_list(workshop):
    from segmentation.rules.schemes import register, unregister
    from tests.rules.test_registry import TOY

    register(TOY)
    try:
        open_editor(workshop, "metrics")
        workshop.selectbox(key="pillar_details").set_value("growth").run()
        assert not workshop.exception
        (table,) = workshop.data_editor
        assert table.key == "metric_table_growth"
        cap_label = dict((n, label) for n, label, _ in TOY.inputs)["cap"]
        assert cap_label in table.value.columns
        workshop.session_state["metric_table_growth"] = {
            "edited_rows": {0: {"Scheme": TOY.label}},
            "added_rows": [],
            "deleted_rows": [],
        }
        workshop.run()
        assert not workshop.exception and not workshop.error
        metric = workshop.session_state["tw_config"].pillar("growth").metrics[0]
        assert metric.scheme == TOY.name
        assert metric.setting("cap") == 1000.0  # the scheme's declared default
    finally:
        unregister(TOY.name)


def test_the_coverage_banner_speaks_to_the_room(workshop):
    """Finding 7 of issue 18: "(6.8 exact)" read like an engineer's note."""
    cfg = workshop.session_state["tw_config"]
    cover = tiers.csm_coverage(workshop.session_state["tw_result"][1], cfg)
    banner = " ".join(t.value for t in workshop.text if t.value.startswith("Coverage:"))
    assert f"{cover.exact:.1f}, rounded up to whole people" in banner
    assert "exact)" not in banner
    assert f"{cover.csms} CSM" in banner


@pytest.mark.parametrize(
    ("key", "value", "change"),
    [
        ("weight_growth", 41.0, lambda c: with_pillar(c, "growth", weight=41.0)),
        ("threshold_high", 64.0, lambda c: with_thresholds(c, [64.0, 45.0])),
        ("threshold_mid", 71.0, lambda c: c),  # crossing the top one: the last valid pair
    ],
    ids=["weight", "cut-off", "crossed cut-off"],
)
def test_a_slider_move_counts_first_and_is_one_undo_step(
    workshop, sample_accounts, key, value, change
):
    """After a slider's move the cards are drawn before the controls, from the sliders' values
    in the session: the same settings the controls then build, recorded once for undo."""
    cfg = fixed_config()
    steps = len(workshop.session_state["tw_history"].undo)
    workshop.slider(key=key).set_value(value).run()
    assert not workshop.exception
    expected = change(cfg)
    assert workshop.session_state["tw_config"] == expected
    assert tier_metrics(workshop, cfg) == expected_counts(sample_accounts, expected)
    assert len(workshop.session_state["tw_history"].undo) == steps + (expected != cfg)


def test_after_a_slider_move_the_cards_go_out_alone(workshop, monkeypatch):
    """The run pauses once, after the tier cards and before any control, so the browser draws
    the cards in a batch of their own (ui/components.py, COUNTS_ALONE_S); a run that no slider
    started does not pause."""
    from streamlit.delta_generator import DeltaGenerator

    from ui import components

    drawn: list[str] = []
    enqueue = DeltaGenerator._enqueue

    def recording(self, delta_type, *args, **kwargs):
        drawn.append(delta_type)
        return enqueue(self, delta_type, *args, **kwargs)

    monkeypatch.setattr(DeltaGenerator, "_enqueue", recording)
    monkeypatch.setattr(components, "let_counts_out", lambda: drawn.append("pause"))
    workshop.run()
    assert "metric" in drawn and "pause" not in drawn
    drawn.clear()
    workshop.slider(key="weight_growth").set_value(41.0).run()
    assert not workshop.exception
    assert drawn.count("pause") == 1
    before, after = drawn[: drawn.index("pause")], drawn[drawn.index("pause") :]
    assert before.count("metric") == len(fixed_config().tiers)
    assert "slider" not in before and "slider" in after


def test_the_criteria_are_written_only_while_their_expander_is_open(workshop):
    lines = seg.describe_config(workshop.session_state["tw_config"])
    assert lines[0] not in [t.value for t in workshop.text]
    workshop.session_state["criteria_open"] = True
    workshop.run()
    assert not workshop.exception
    assert [t.value for t in workshop.text if t.value in lines] == lines
