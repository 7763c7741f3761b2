"""The reasons' text, held to a plain per-row reading of the rule, and any rows' text to the
whole book's.

`reference` builds each sentence account by account, in words: the tier (and the tier by
priority alone where a guard-rail moved it), the driving pillars (the top tier's two
strongest, the bottom tier's two weakest, a middle tier's strongest and the one that held it
back; a pillar pulls by (score - 50) x weight, ties go to the earlier pillar), each with the
metric that set it furthest from a typical account and that metric's value, then the
guard-rail and the movement rule. Every `Reasons` that segment() builds is caught on its way
(explain's inputs, then the text) and compared with it, on generated books with ties, gaps,
missing columns, guard-rails, overrides, movement rules and profiles.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import importlib
import math
from contextlib import contextmanager

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import segmentation as seg
from segmentation.config import with_metric, with_pillar
from segmentation.formats import money
from segmentation.rules import reasons as reasons_module
from segmentation.rules.movement import MovementRules
from segmentation.rules.profiles import Profile
from segmentation.rules.reasons import Reasons, describe_values
from segmentation.rules.tiers import Guardrails, Override

AS_OF = dt.date(2026, 11, 22)
STAGE_TWO = importlib.import_module("segmentation.segment")  # the module, not the function


# --- the rule in words, one account at a time ---------------------------------------------------


def value_text(metric_scores, config, p: int, m: int, row: int) -> str:
    metric = config.pillars[p].metrics[m]
    values = metric_scores.pillars[p].inputs[m]
    codes, texts = describe_values(values, metric.column, metric.scheme, np.array([row]))
    return texts[codes[0]]


def driving_metric(metric_scores, config, p: int, row: int, upward: bool) -> int:
    """The metric that pulled pillar `p` furthest up (or down) from the book's mean score."""
    settings_ = config.pillars[p]
    pillar = metric_scores.pillars[p]
    sign = 1.0 if settings_.effect == "raises" else -1.0
    pulls = [
        (sign * metric.weight * (pillar.filled[row, m] - pillar.typical[m]), m)
        for m, metric in enumerate(settings_.metrics)
        if metric.weight > 0 and pillar.known[row, m]
    ]
    if not pulls:
        return 0
    # the earlier metric on a tie
    return (max(pulls, key=lambda v: (v[0], -v[1])) if upward else min(pulls))[1]


def pillar_text(metric_scores, config, effective, p: int, row: int, upward: bool) -> str:
    score = int(min(max(round(float(effective[row, p])), 0), 100))
    m = driving_metric(metric_scores, config, p, row, upward)
    label = config.pillars[p].driver_label
    return f"{label} {score} ({value_text(metric_scores, config, p, m, row)})"


def note_text(rails, config, row: int) -> str:
    if rails.overridden[row]:
        reason = rails.override_reason[row]
        return "; set by manual override" + (f": {reason}" if reason else "")
    if rails.raised_strategic[row]:
        return f"; raised to {config.guardrails.strategic_floor} as a strategic account"
    if rails.below_min_arr[row]:
        minimum = money(config.guardrails.min_arr_top_tier)
        return f"; kept out of {config.tier_names[0]}: ARR under the {minimum} minimum"
    return ""


def reference(metric_scores, config, effective, rails, cut_index, held) -> list[str]:
    names, bottom = config.tier_names, len(config.tier_names) - 1
    sentences = []
    for row in range(len(cut_index)):
        final, alone = names[rails.tier_index[row]], names[cut_index[row]]
        text = f"{final}: " if final == alone else f"{final} (priority alone: {alone}): "
        pulls = [
            ((effective[row, p] - 50.0) * pillar.weight, p)
            for p, pillar in enumerate(config.pillars)
            if pillar.weight > 0 and not math.isnan(effective[row, p])
        ]
        strongest = sorted(pulls, key=lambda pull: (-pull[0], pull[1]))
        weakest = sorted(pulls, key=lambda pull: (pull[0], pull[1]))
        if cut_index[row] == bottom:
            chosen, upward, joiner = weakest[:2], (False, False), ", "
        elif cut_index[row] == 0:
            chosen, upward, joiner = strongest[:2], (True, True), ", "
        else:
            chosen, upward, joiner = strongest[:1] + weakest[:1], (True, False), "; held back by "
        pillars = list(dict.fromkeys(p for _, p in chosen))  # one pillar is said once
        if not pillars:
            text += "no usable data"
        for k, p in enumerate(pillars):
            said = pillar_text(metric_scores, config, effective, p, row, upward[k])
            text += (joiner if k else "") + said
        text += note_text(rails, config, row)
        text += "" if held is None else held[row].as_py()
        sentences.append(text)
    return sentences


# --- catching what segment() builds --------------------------------------------------------------


@contextmanager
def caught():
    """Every explain() call's inputs, and every Reasons.texts() call's reasons, rows and text."""
    inputs, texts = [], []
    explain, own_texts = STAGE_TWO.explain, Reasons.texts

    def spy_explain(metric_scores, config, effective, rails, cut_index):
        inputs.append((metric_scores, config, effective, rails, cut_index))
        return explain(metric_scores, config, effective, rails, cut_index)

    def spy_texts(self, rows=None):
        out = own_texts(self, rows)
        texts.append((self, rows, out))
        return out

    STAGE_TWO.explain, Reasons.texts = spy_explain, spy_texts
    try:
        yield inputs, texts
    finally:
        STAGE_TWO.explain, Reasons.texts = explain, own_texts


def check_caught(inputs, texts, picks: list[int]) -> int:
    """Each text made equals the reference at its rows (a profile's whole-book population
    writes only its own accounts' text) and a whole-book text, at any rows, its own rows'."""
    checked = 0
    for reasons, rows, out in texts:
        (made,) = [i for i in inputs if i[2] is reasons.effective]
        expected = reference(*made, reasons.held)
        if rows is not None:
            assert out.to_pylist() == [expected[r] for r in rows]
            checked += len(rows) > 0
            continue
        assert out.to_pylist() == expected
        n = len(out)  # (a profile may have no accounts)
        some = np.array([p % n for p in picks] if n else [], dtype="int64")  # repeats too
        assert reasons.texts(some).to_pylist() == out.take(pa.array(some)).to_pylist()
        assert reasons.texts(np.array([], dtype="int64")).to_pylist() == []
        checked += 1
    return checked


# --- the books ---------------------------------------------------------------------------------


TIED = {"health_score": 25.0, "arr": 50_000.0, "potential_arr": 100_000.0, "nps": 5.0}
DROPPABLE = ("nps", "support_tickets", "potential_arr", "health_score", "integrations", "plan")


def book(rows: int, seed: int, ties: bool, gaps: float, dropped: list[str]) -> pd.DataFrame:
    accounts = seg.generate_accounts(rows, seed=seed)
    rng = np.random.default_rng(seed)
    if ties:  # coarse values: equal ranks, equal pillar scores, equal pulls
        for column, step in TIED.items():
            accounts[column] = (accounts[column] / step).round() * step
    for column in ("arr", "health_score", "nps", "employees", "support_tickets", "plan"):
        gone = rng.random(rows) < gaps
        accounts[column] = accounts[column].astype(object if column == "plan" else "float64")
        accounts.loc[gone, column] = None if column == "plan" else np.nan
    return accounts.drop(columns=dropped)


def ruled(config: seg.Config, accounts: pd.DataFrame, rails: bool, movement: bool) -> seg.Config:
    if rails:
        ids = accounts["account_id"].tolist()
        config = dataclasses.replace(
            config,
            guardrails=Guardrails(
                min_arr_top_tier=60_000,
                strategic_floor="Mid-touch",
                overrides=(
                    Override(ids[0], "Low-touch", "asked to be left alone"),
                    Override(ids[-1], "High-touch"),
                ),
            ),
        )
    if movement:
        config = dataclasses.replace(
            config, movement=MovementRules(margin=4, renewal_freeze_days=60, max_step=1)
        )
    return config


@settings(max_examples=40, deadline=None)
@given(
    rows=st.integers(2, 250),
    seed=st.integers(0, 10_000),
    ties=st.booleans(),
    gaps=st.sampled_from([0.0, 0.1, 0.6]),
    dropped=st.lists(st.sampled_from(DROPPABLE), unique=True, max_size=3),
    equal_weights=st.booleans(),
    rails=st.booleans(),
    movement=st.booleans(),
    profiles=st.booleans(),
    picks=st.lists(st.integers(0, 10_000), min_size=1, max_size=20),
)
def test_every_reason_reads_as_the_rule_says(
    rows, seed, ties, gaps, dropped, equal_weights, rails, movement, profiles, picks
):
    accounts = book(rows, seed, ties, gaps, dropped)
    config = seg.default_config()
    if equal_weights:  # pillars that score alike pull alike: ties between pillars
        for key in ("growth", "strategic", "complexity", "health"):
            config = with_pillar(config, key, weight=25)
    config = ruled(config, accounts, rails, movement)
    if profiles:
        big = Profile("Software", "industry", ("Software",), seed % 2 == 0, {"arr_per_csm": 1e6})
        config = dataclasses.replace(config, profiles=(big,))
    with caught() as (inputs, texts):
        seg.segment(accounts, config, as_of=AS_OF)
        assert check_caught(inputs, texts, picks) >= 1


@settings(max_examples=15, deadline=None)
@given(
    rows=st.integers(2, 200),
    seed=st.integers(0, 10_000),
    weights=st.lists(st.sampled_from([0, 5, 30, 80]), min_size=3, max_size=3),
    picks=st.lists(st.integers(0, 10_000), min_size=1, max_size=20),
)
def test_weights_moved_on_one_book_still_read_as_the_rule_says(rows, seed, weights, picks):
    """The reason cache of a book: pillar weights, metric weights and a pillar's effect moved
    on the same metric scores, the kept texts and drivers reused or made again as they must."""
    accounts = book(rows, seed, ties=seed % 2 == 0, gaps=0.1, dropped=[])
    config = seg.default_config()
    metric_scores = seg.score_metrics(accounts, config, as_of=AS_OF)
    moves = [
        config,
        with_pillar(config, "growth", weight=weights[0]),
        with_metric(config, "health", 0, weight=weights[1]),
        with_metric(config, "growth", 0, weight=weights[2]),
        with_pillar(config, "complexity", effect="lowers"),
        config,
    ]
    with caught() as (inputs, texts):
        for moved in moves:
            if any(p.weight > 0 for p in moved.pillars):
                seg.tier_accounts(metric_scores, moved)
        assert check_caught(inputs, texts, picks) >= 1


def test_a_tie_between_pillars_goes_to_the_earlier_one():
    """Growth and strategic pull alike on every account (same score, same weight): growth is
    named first in the top tier, and the other of the two second."""
    accounts = seg.generate_accounts(60, seed=3)
    config = seg.default_config()
    for key in ("growth", "strategic", "complexity", "health"):
        config = with_pillar(config, key, weight=25)
    metric_scores = seg.score_metrics(accounts, config, as_of=AS_OF)
    alike = (55.0 + np.arange(len(accounts)) % 41)[:, None]  # whole: means exact, ties exact
    for pillar, scores in zip(metric_scores.pillars, (alike, alike, 40.0, 70.0), strict=True):
        pillar.filled[:] = scores
        pillar.known[:] = True
    result = seg.tier_accounts(metric_scores, config)
    top = result["reasons"][result["tier"] == config.tier_names[0]]
    assert len(top) > 0
    scores = top.str.extract(r"^High-touch: growth (\d+) \(.*\), strategic value (\d+) \(")
    assert scores.notna().all().all()
    assert (scores[0] == scores[1]).all()


@pytest.mark.parametrize("largest", [True, False])
def test_the_first_two_of_a_few_columns_are_those_a_sort_gives(largest):
    """Pillars picked by the table of orders: as sorting each row's known values gives them
    (largest or smallest first, ties to the earlier column), under the pillars' own names."""
    rng = np.random.default_rng(1)
    columns = [rng.integers(0, 3, 3_000).astype("float64") for _ in range(4)]
    for column in columns[::2]:
        column[rng.random(3_000) < 0.4] = np.nan
    names = np.array([0, 2, 3, 1], dtype="uint8")
    missing = [np.isnan(c) for c in columns]
    first, second = reasons_module._first_two(columns, missing, names, largest)
    for row in range(3_000):
        known = [(c[row], j) for j, c in enumerate(columns) if not np.isnan(c[row])]
        order = [names[j] for _, j in sorted(known, key=lambda v: -v[0] if largest else v[0])]
        if order:
            assert first[row] == order[0]
        if len(order) > 1:
            assert second[row] == order[1]
