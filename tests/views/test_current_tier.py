"""The book's current tier against the new one (issue 18): who changes coverage model."""

from __future__ import annotations

import pandas as pd
import pytest

from segmentation.movement import current_tier_view, current_tiers

TIERS = ("High-touch", "Mid-touch", "Low-touch")


def result(previous: list, now: list, arr: list) -> pd.DataFrame:
    frame = pd.DataFrame({"previous_tier": previous, "arr": arr})
    frame["tier"] = pd.Categorical(now, categories=list(TIERS), ordered=True)
    return frame


def test_pairs_are_counted_in_accounts_and_arr():
    book = result(
        ["High-touch", "High-touch", "Mid-touch", " Low-touch ", "Gold", None],
        ["High-touch", "Mid-touch", "High-touch", "Low-touch", "Low-touch", "Mid-touch"],
        [100.0, 200.0, 300.0, 400.0, 500.0, 600.0],
    )
    view = current_tier_view(book, current_tiers(book, TIERS))
    assert (view.compared, view.unknown) == (4, 2)  # "Gold" and the blank are not tiers
    assert (view.totals.moved, view.totals.up, view.totals.down) == (2, 1, 1)
    assert view.totals.arr_moved == 500.0
    assert view.matrix.loc["High-touch", "Mid-touch"] == 1
    assert view.matrix.loc["Low-touch", "Low-touch"] == 1  # spaces around it cleaned
    assert view.arr_matrix.loc["Mid-touch", "High-touch"] == 300.0
    assert view.arr_matrix.to_numpy().sum() == 1000.0  # only the compared accounts


def test_a_book_without_a_current_tier_has_no_comparison():
    book = result(["High-touch"], ["High-touch"], [1.0]).drop(columns="previous_tier")
    assert current_tiers(book, TIERS) is None


@pytest.mark.parametrize("same", [True, False])
def test_nobody_moves_when_the_tiers_agree(same):
    now = ["High-touch", "Low-touch"]
    before = now if same else ["Low-touch", "High-touch"]
    book = result(before, now, [10.0, 20.0])
    view = current_tier_view(book, current_tiers(book, TIERS))
    assert view.totals.moved == (0 if same else 2)
