"""Profiles in the app: the Segments page's editors, the Workshop's profile selector, the
Accounts page's layer filter, each checked against segment() on the same data and settings."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import numpy as np
import pytest
from app_helpers import SAMPLE_CSV, fixed_config, goto, tier_metrics

import segmentation as seg
from segmentation.config import profile_config
from segmentation.rules.icp import Icp, IcpCriterion
from segmentation.rules.profiles import Profile

ENTERPRISE = Profile("Enterprise", "plan", ("Enterprise",), True, {})


@pytest.fixture(scope="module")
def sample_accounts():
    return seg.load(SAMPLE_CSV).accounts


def with_profile(app, *profiles: Profile, icp: Icp | None = None):
    cfg = replace(fixed_config(), profiles=profiles, icp=icp)
    app.session_state["tw_config"] = cfg
    app.session_state["tw_baseline"] = cfg
    return cfg


def test_the_segments_page_defines_a_profile(sample_app, sample_accounts):
    app = sample_app
    app.switch_page("pages/segments.py").run()
    assert not app.exception, app.exception
    app.text_input(key="profile_name").input("Enterprise plans")
    app.selectbox(key="profile_column").select("Plan").run()
    app.multiselect(key="profile_values").select("Enterprise")
    app.checkbox(key="profile_own_weights").check().run()
    app.number_input(key="profile_weight_growth").set_value(80.0)
    app.button(key="profile_save").click().run()
    assert not app.exception and not app.error, app.error
    cfg = app.session_state["tw_config"]
    (profile,) = cfg.profiles
    assert (profile.name, profile.column, profile.values) == (
        "Enterprise plans",
        "Plan",
        ("Enterprise",),
    )
    assert profile_config(cfg, "Enterprise plans").pillar("growth").weight == 80.0
    texts = "\n".join(t.value for t in app.text)
    assert "Profile Enterprise plans: accounts whose Plan is Enterprise" in texts
    # the summary table counts the profile's accounts as segment() does
    expected = seg.segment(sample_accounts, cfg, as_of=dt.date.today())
    (table,) = [d for d in app.dataframe if "ARR" in d.value.columns]
    counts = table.value.drop(columns="ARR").sum(axis=1)
    assert counts["Enterprise plans"] == (expected["profile"] == "Enterprise plans").sum()
    assert counts["Default"] == (expected["profile"] == "Default").sum()


def test_a_profile_on_a_missing_value_set_is_refused_with_its_field(sample_app):
    sample_app.switch_page("pages/segments.py").run()
    sample_app.text_input(key="profile_name").input("Empty")
    sample_app.button(key="profile_save").click().run()
    assert not sample_app.exception
    assert "profiles[0].when.values" in sample_app.error[0].value.replace("\\", "")
    assert sample_app.session_state["tw_config"].profiles == ()


def test_editing_a_profile_in_the_workshop_changes_only_its_accounts(sample_app, sample_accounts):
    cfg = with_profile(sample_app, ENTERPRISE)
    app = goto(sample_app, "workshop")
    before = seg.segment(sample_accounts, cfg, as_of=dt.date.today())
    app.selectbox(key="profile_edit").select("Enterprise").run()
    assert not app.exception
    assert app.slider(key="weight_growth").value == 30.0
    app.slider(key="weight_growth").set_value(90.0).run()
    assert not app.exception and not app.error
    now = app.session_state["tw_config"]
    assert now.pillar("growth").weight == 30.0  # the default settings are untouched
    assert profile_config(now, "Enterprise").pillar("growth").weight == 90.0
    after = seg.segment(sample_accounts, now, as_of=dt.date.today())
    inside = (after["profile"] == "Enterprise").to_numpy()
    changed = before["priority"].to_numpy() != after["priority"].to_numpy()
    assert changed[inside].any()
    assert not changed[~inside].any()
    assert (before["tier"][~inside] == after["tier"][~inside]).all()
    # back to the default settings: the sliders show them again
    app.selectbox(key="profile_edit").select(None).run()
    assert app.slider(key="weight_growth").value == 30.0


def test_the_workshop_counts_the_edited_profile_or_the_whole_book(sample_app, sample_accounts):
    """Issue 15: the cards and charts for the profile being edited, or for the whole book."""
    cfg = with_profile(sample_app, ENTERPRISE)
    app = goto(sample_app, "workshop")
    expected = seg.segment(sample_accounts, cfg, as_of=dt.date.today())
    profile = expected[expected["profile"] == "Enterprise"]
    assert 0 < len(profile) < len(expected)

    def card_counts() -> dict[str, int]:
        return tier_metrics(app, profile_config(app.session_state["tw_config"], "Enterprise"))

    app.selectbox(key="profile_edit").select("Enterprise").run()
    assert not app.exception
    names = profile_config(cfg, "Enterprise").tier_names
    assert card_counts() == {n: int((profile["tier"] == n).sum()) for n in names}
    app.toggle(key="profile_scope").set_value(False).run()
    assert not app.exception
    assert card_counts() == {n: int((expected["tier"] == n).sum()) for n in names}


def test_the_accounts_page_filters_by_layer(sample_app, sample_accounts):
    icp = Icp((IcpCriterion("industry", ("Software",)), IcpCriterion("plan", ("Enterprise",))))
    cfg = with_profile(sample_app, ENTERPRISE, icp=icp)
    app = goto(sample_app, "accounts")
    app.multiselect(key="layer_market").select("Strong fit").run()
    assert not app.exception
    expected = seg.segment(sample_accounts, cfg, as_of=dt.date.today())
    strong = ((expected["industry"] == "Software") & (expected["plan"] == "Enterprise")).sum()
    assert any(f"**{strong:,} account" in m.value for m in app.markdown)
    app.multiselect(key="layer_profile").select("Enterprise").run()
    assert not app.exception
    assert np.any([f"**{strong:,} account" in m.value for m in app.markdown])


def test_a_profile_picked_in_the_editor_is_changed_and_saved_again(sample_app):
    with_profile(sample_app, Profile("Enterprise", "plan", ("Enterprise",), False, {}))
    app = sample_app.switch_page("pages/segments.py").run()
    app.selectbox(key="profile_pick").select("Enterprise").run()
    assert app.text_input(key="profile_name").value == "Enterprise"
    assert app.multiselect(key="profile_values").value == ["Enterprise"]
    assert app.checkbox(key="profile_ranks_within").value is False
    app.checkbox(key="profile_own_weights").check().run()
    assert (
        app.number_input(key="profile_weight_health").value
        == fixed_config().pillar("health").weight
    )
    app.number_input(key="profile_weight_health").set_value(10.0)
    app.button(key="profile_save").click().run()
    assert not app.exception and not app.error
    (profile,) = app.session_state["tw_config"].profiles
    assert profile.ranks_within is False
    assert profile.settings["pillars"]["health"] == {"weight": 10.0}


def test_the_icp_editor_saves_the_ideal_customer_and_the_layers_follow(sample_app, sample_accounts):
    app = sample_app.switch_page("pages/segments.py").run()
    app.multiselect(key="icp_industry").select("Software")
    app.number_input(key="icp_employees_min").set_value(100.0).run()
    app.button(key="icp_save").click().run()
    assert not app.exception and not app.error
    icp = app.session_state["tw_config"].icp
    assert [(c.column, c.values, c.low, c.high) for c in icp.criteria] == [
        ("industry", ("Software",), None, None),
        ("employees", (), 100.0, None),
    ]
    (levels,) = [d for d in app.dataframe if "level" in d.value.columns]
    top = levels.value[levels.value["level"] == 1].set_index("market")["accounts"]
    both = (sample_accounts["industry"] == "Software") & (sample_accounts["employees"] >= 100)
    assert top["Strong fit"] == both.sum()
    assert top.sum() == len(sample_accounts)


def test_the_segments_page_without_a_book_says_where_to_get_one(app):
    app.switch_page("pages/segments.py").run()
    assert not app.exception
    assert "Load a book of accounts first" in app.info[0].value
