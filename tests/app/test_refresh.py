"""The workshop survives a refresh (issue 18): a new session with the same address restores
the settings, the baseline, the view and, while this process holds it, the book."""

from __future__ import annotations

import time

import pytest
from app_helpers import APP, expected_counts, fixed_config, goto, tier_metrics
from streamlit.testing.v1 import AppTest

import segmentation as seg
from segmentation.config import with_pillar, with_thresholds
from ui import persistence


def refreshed(query_params: dict) -> AppTest:
    """What a browser reload does: a new session, the same address."""
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params.update(query_params)
    at.run()
    assert not at.exception, at.exception
    return at


def moved(at: AppTest) -> seg.Config:
    at.slider(key="weight_growth").set_value(55.0)
    at.slider(key="threshold_high").set_value(62.0).run()
    assert not at.exception
    return with_thresholds(with_pillar(fixed_config(), "growth", weight=55.0), [62.0, 45.0])


def test_a_refresh_restores_the_settings_baseline_view_and_book(routed, workshop):
    cfg = moved(workshop)
    workshop.toggle(key="presentation_mode").set_value(True).run()
    params = dict(workshop.query_params)
    assert set(params) >= {"s", "t", "p"}
    again = refreshed(params)
    assert "Workshop restored" in " ".join(s.value for s in again.success)
    goto(again, "workshop")
    assert again.session_state["tw_config"] == cfg
    assert again.session_state["tw_baseline"] == fixed_config()
    assert again.toggle(key="presentation_mode").value is True
    accounts = again.session_state["tw_accounts"]
    assert tier_metrics(again, cfg) == expected_counts(accounts, cfg)


def test_without_the_book_the_page_says_to_upload_it_and_keeps_the_rest(routed, workshop):
    cfg = moved(workshop)
    workshop.button(key="pin_baseline").click().run()
    params = {k: v for k, v in workshop.query_params.items() if k != "t"}
    again = refreshed(params)
    assert "upload the file again" in " ".join(i.value for i in again.info)
    assert again.session_state["tw_config"] == cfg
    again.button(key="use_sample").click().run()  # the book comes back: the rest stays
    assert again.session_state["tw_config"].pillars == cfg.pillars
    assert "pinned" in again.session_state["tw_baseline_label"]


def test_a_damaged_address_is_one_sentence_and_a_fresh_start(routed):
    again = refreshed({"s": "not-settings!"})
    assert "could not be restored" in " ".join(w.value for w in again.warning)
    assert again.session_state["tw_config"] == seg.default_config()


def test_a_held_book_expires_and_its_token_is_unguessable():
    start = time.monotonic()
    token = persistence.hold_book("accounts", None, "book.csv", now=start)
    assert len(token) >= 32 and token != persistence.hold_book("other", None, "b", now=start)
    assert persistence.held_book(token, now=start + persistence.BOOK_TTL_S - 1) is not None
    later = start + 2 * persistence.BOOK_TTL_S
    assert persistence.held_book(token, now=later) is None
    assert persistence.held_book("guess", now=start) is None


def test_only_a_few_books_are_held_at_once():
    now = time.monotonic()
    tokens = [persistence.hold_book(i, None, str(i), now=now + i) for i in range(6)]
    alive = [t for t in tokens if persistence.held_book(t, now=now + 6) is not None]
    assert alive == tokens[-persistence.MAX_HELD :]


@pytest.mark.parametrize("cfg", [seg.default_config(), fixed_config()], ids=["relative", "fixed"])
def test_settings_round_trip_through_the_address(cfg):
    text = persistence.encode_settings(cfg)
    assert text.isascii() and "=" not in text and len(text) < 4000
    assert persistence.decode_settings(text) == cfg


def with_override(at: AppTest) -> seg.Config:
    """The workshop's settings with a manual override of its first account."""
    from dataclasses import replace

    from segmentation.rules.tiers import Override

    cfg = at.session_state["tw_config"]
    first = str(at.session_state["tw_accounts"]["account_id"].iloc[0])
    rails = replace(cfg.guardrails, overrides=(Override(first, "High-touch", "board ask"),))
    at.session_state["tw_config"] = replace(cfg, guardrails=rails)
    at.run()
    assert not at.exception, at.exception
    return at.session_state["tw_config"]


def test_overrides_name_accounts_so_the_address_never_holds_them(routed, workshop):
    cfg = with_override(workshop)
    params = dict(workshop.query_params)
    override = cfg.guardrails.overrides[0]
    assert params["o"] == "1"
    address = persistence.decode_settings(params["s"])
    assert address.guardrails.overrides == ()  # neither the account id nor the reason
    assert override.account_id not in " ".join(params.values())
    again = refreshed(params)  # the book is held: its overrides come back with it
    assert again.session_state["tw_config"].guardrails.overrides == (override,)
    bookless = refreshed({k: v for k, v in params.items() if k != "t"})
    assert bookless.session_state["tw_config"].guardrails.overrides == ()
    assert "1 manual override(s)" in " ".join(i.value for i in bookless.info)
