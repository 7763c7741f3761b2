"""The Workshop's wide editors (issue 18): metrics table, money, tiers, guard-rails, overrides,
and the book's current tier against the new one."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest
from app_helpers import (
    expected_counts,
    fixed_config,
    open_editor,
    shown,
    tier_metrics,
)

import segmentation as seg
from segmentation.config import Guardrails, Override, with_metric
from ui.editors import parse_money


def edit(at, key: str, rows: dict, added: list | None = None, deleted: list | None = None):
    """A cell edit as the browser sends it (AppTest cannot type into a data editor)."""
    at.session_state[key] = {
        "edited_rows": rows,
        "added_rows": added or [],
        "deleted_rows": deleted or [],
    }
    return at


def config(at) -> seg.Config:
    return at.session_state["tw_config"]


def errors(at) -> str:
    return " ".join(shown(e.value) for e in at.error)


# --- pillar metrics as a table -------------------------------------------------------------


def test_the_metric_table_lists_every_metric_with_its_settings(workshop):
    open_editor(workshop, "metrics")
    workshop.selectbox(key="pillar_details").set_value("growth").run()
    (table,) = workshop.data_editor
    frame = table.value
    growth = fixed_config().pillar("growth")
    assert frame["Metric"].tolist() == [m.column for m in growth.metrics]
    assert frame["Weight"].tolist() == [m.weight for m in growth.metrics]
    assert {"Scheme", "Direction", "Missing values", "Scores 0 at", "Scores 100 at"} <= set(
        frame.columns
    )
    adoption = frame.set_index("Metric").loc["adoption"]
    assert (adoption["Scores 0 at"], adoption["Scores 100 at"]) == (0.3, 1.0)


METRIC_EDITS = [
    ({"Weight": 7.0}, {"weight": 7.0}),
    ({"Direction": "Lower is better"}, {"direction": "lower"}),
    ({"Missing values": "Score 0 (worst)"}, {"missing": "worst"}),
    ({"Scheme": "Linear range", "Scores 0 at": 10.0, "Scores 100 at": 90.0}, {}),
]


@pytest.mark.parametrize(("cells", "fields"), METRIC_EDITS, ids=["weight", "dir", "miss", "lin"])
def test_a_metric_edit_changes_the_tiers_exactly(workshop, sample_accounts, cells, fields):
    open_editor(workshop, "metrics")
    workshop.selectbox(key="pillar_details").set_value("growth").run()
    edit(workshop, "metric_table_growth", {0: cells}).run()
    assert not workshop.exception and not workshop.error
    if not fields:  # the scheme label -> its name, the bounds -> low / high
        fields = {"scheme": "linear", "low": 10.0, "high": 90.0}
    want = with_metric(fixed_config(), "growth", 0, **fields)
    assert config(workshop) == want
    assert tier_metrics(workshop, want) == expected_counts(sample_accounts, want)


def test_a_bad_metric_edit_is_one_sentence_and_the_last_valid_settings_stay(workshop):
    open_editor(workshop, "metrics")
    workshop.selectbox(key="pillar_details").set_value("growth").run()
    edit(workshop, "metric_table_growth", {2: {"Scores 0 at": 5.0, "Scores 100 at": 1.0}}).run()
    assert not workshop.exception
    assert "These settings cannot be used" in errors(workshop)
    assert "pillars.growth.metrics[2]" in errors(workshop)
    assert config(workshop) == fixed_config()


# --- money ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "amount"),
    [("$2,000,000", 2e6), ("2000000", 2e6), ("2m", 2e6), ("1.5M", 1.5e6), ("$250k", 2.5e5)],
)
def test_money_is_read_as_people_type_it(typed, amount):
    assert parse_money(typed) == amount


@pytest.mark.parametrize("typed", ["two million", "2..5m", "$", "2x"])
def test_a_typo_is_not_an_amount(typed):
    with pytest.raises(ValueError, match="is not an amount"):
        parse_money(typed)


def test_arr_one_csm_covers_shows_money_and_takes_it(workshop):
    open_editor(workshop, "coverage")
    box = workshop.text_input(key="arr_per_csm")
    assert box.value == "$2,000,000"
    box.set_value("1.5M").run()
    assert config(workshop).arr_per_csm == 1_500_000.0
    workshop.text_input(key="arr_per_csm").set_value("lots").run()
    assert not workshop.exception
    assert "still using $1,500,000" in errors(workshop)
    assert config(workshop).arr_per_csm == 1_500_000.0


# --- tiers ---------------------------------------------------------------------------------


def test_renaming_and_adding_a_tier_applies_and_the_floor_follows(workshop, sample_accounts):
    open_editor(workshop, "tiers")
    (table,) = workshop.data_editor
    assert table.value["Tier"].tolist() == ["High-touch", "Mid-touch", "Low-touch"]
    edit(
        workshop,
        "tiers_table",
        {1: {"Tier": "Pooled", "From priority": 50.0}, 2: {"From priority": 30.0}},
        added=[{"Tier": "Digital", "Engagement model": "Email only"}],
    )
    workshop.button(key="apply_tiers").click().run()
    assert not workshop.exception and not workshop.error
    cfg = config(workshop)
    assert cfg.tier_names == ("High-touch", "Pooled", "Low-touch", "Digital")
    assert [t.threshold for t in cfg.tiers] == [70.0, 50.0, 30.0, 0.0]
    assert cfg.tiers[3].engagement == "Email only"
    assert cfg.guardrails.strategic_floor == "Pooled"  # was Mid-touch
    assert tier_metrics(workshop, cfg) == expected_counts(sample_accounts, cfg)


def test_removing_a_tier_says_what_went_with_it(workshop, sample_accounts):
    open_editor(workshop, "tiers")
    edit(workshop, "tiers_table", {}, deleted=[1])  # Mid-touch, the strategic floor
    workshop.button(key="apply_tiers").click().run()
    assert not workshop.exception and not workshop.error
    cfg = config(workshop)
    assert cfg.tier_names == ("High-touch", "Low-touch")
    assert cfg.guardrails.strategic_floor is None
    said = " ".join(shown(m.value) for m in workshop.success)
    assert "The strategic floor (Mid-touch) was removed with its tier" in said
    assert tier_metrics(workshop, cfg) == expected_counts(sample_accounts, cfg)


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ({1: {"Tier": "High-touch"}}, "tier names must be unique"),
        ({1: {"From priority": 80.0}}, "thresholds must decrease"),
        ({0: {"Tier": ""}, 1: {"Tier": ""}}, "at least two tiers"),
    ],
    ids=["same-name", "crossed", "one-left"],
)
def test_a_tier_table_that_cannot_be_used_keeps_the_tiers(workshop, rows, message):
    open_editor(workshop, "tiers")
    edit(workshop, "tiers_table", rows)
    workshop.button(key="apply_tiers").click().run()
    assert not workshop.exception
    assert message in errors(workshop)
    assert config(workshop) == fixed_config()


# --- guard-rails and overrides -------------------------------------------------------------


def test_guard_rails_edit_at_once(workshop, sample_accounts):
    open_editor(workshop, "rails")
    workshop.text_input(key="rails_min_arr").set_value("$100k").run()
    workshop.selectbox(key="rails_floor").set_value("— no floor —").run()
    want = replace(fixed_config(), guardrails=Guardrails(min_arr_top_tier=100_000.0))
    assert config(workshop) == want
    assert tier_metrics(workshop, want) == expected_counts(sample_accounts, want)


def test_an_override_needs_a_reason_and_records_who_and_when(workshop, sample_accounts):
    low = sample_accounts.iloc[-1]["account_id"]
    open_editor(workshop, "rails")
    workshop.text_input(key="override_by").set_value("Dana").run()
    edit(workshop, "overrides_table", {}, added=[{"Account id": low, "Tier": "High-touch"}])
    workshop.button(key="apply_overrides").click().run()
    assert "say why account" in errors(workshop)
    assert config(workshop).guardrails.overrides == ()
    row = {"Account id": low, "Tier": "High-touch", "Reason": "exec sponsor"}
    edit(workshop, "overrides_table", {}, added=[row])
    workshop.button(key="apply_overrides").click().run()
    assert not workshop.exception and not workshop.error
    (override,) = config(workshop).guardrails.overrides
    assert (override.account_id, override.tier) == (low, "High-touch")
    assert override.reason == row["Reason"]
    assert override.by == "Dana"
    assert dt.datetime.fromisoformat(override.at).date() == dt.date.today()
    result = workshop.session_state["tw_result"][1]
    assert result.loc[result["account_id"] == low, "tier"].item() == "High-touch"
    assert any(b.key == "download_overrides" for b in workshop.get("download_button"))


def test_an_expired_override_is_not_applied_and_is_said(sample_app, sample_accounts):
    low = sample_accounts.iloc[-1]["account_id"]
    yesterday = dt.date.today() - dt.timedelta(days=1)
    rails = replace(
        fixed_config().guardrails,
        overrides=(Override(low, "High-touch", "pilot", expires=yesterday),),
    )
    cfg = replace(fixed_config(), guardrails=rails)
    sample_app.session_state["tw_config"] = sample_app.session_state["tw_baseline"] = cfg
    sample_app.switch_page("pages/workshop.py").run()
    assert not sample_app.exception
    warned = " ".join(shown(w.value) for w in sample_app.warning)
    said = f"{low} to High-touch ended on {yesterday:%Y-%m-%d} and is not applied"
    assert said in warned
    result = sample_app.session_state["tw_result"][1]
    assert result.loc[result["account_id"] == low, "tier"].item() != "High-touch"


# --- the book's current tier against the new one -------------------------------------------


def test_the_current_tier_comparison_counts_the_accounts_that_change_model(
    workshop, sample_accounts
):
    cfg = fixed_config()
    result = seg.segment(sample_accounts, cfg, as_of=dt.date.today())
    changed = (result["previous_tier"].astype(str) != result["tier"].astype(str)).sum()
    assert changed > 0
    labels = [shown(e.label) for e in workshop.expander]
    assert f"Against the book's current tier: {changed} accounts change coverage model" in labels


# --- user text is plain text ---------------------------------------------------------------


def test_tier_names_and_engagement_are_plain_text_on_the_cards(sample_app):
    hostile = "**[x](https://example.com/a.png)**"
    cfg = fixed_config()
    tiers = (replace(cfg.tiers[0], name=hostile, engagement="<img src=x>"), *cfg.tiers[1:])
    cfg = replace(cfg, tiers=tiers)
    sample_app.session_state["tw_config"] = sample_app.session_state["tw_baseline"] = cfg
    sample_app.switch_page("pages/workshop.py").run()
    assert not sample_app.exception
    card = sample_app.metric[0]
    assert card.label.startswith(r"\*\*\[x\](https\:")  # escaped: no link, no bold
    assert shown(card.label) == hostile
    assert shown(card.help) == "<img src=x>" and card.help != "<img src=x>"
    assert any(hostile in t.value for t in sample_app.text)  # the coverage banner: st.text
    slider = sample_app.slider(key="threshold_high")
    assert slider.label.startswith(r"\*\*\[x\]") and shown(slider.label).startswith(hostile)


def test_a_plain_tier_name_is_its_own_label():
    """docs/interfaces.md section 6: the tier's st.metric label is the tier's name."""
    from ui.format import plain_label

    assert [plain_label(n) for n in seg.default_config().tier_names] == [
        "High-touch",
        "Mid-touch",
        "Low-touch",
    ]
