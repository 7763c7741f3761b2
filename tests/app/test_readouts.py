"""Read-outs a room can trust (issue 18, finding 9): the Accounts list leads with the tier and
why, money is never clipped, empty cells are empty; the Movement page lists every mover."""

from __future__ import annotations

import json

import pandas as pd
from app_helpers import goto

from segmentation import movement
from ui import movement as panel
from ui import tables


def table(at, key: str | None = None, column: str | None = None):
    for frame in at.dataframe:
        if (key and frame.proto.id and key in frame.proto.id) or (
            column and column in frame.value.columns
        ):
            return frame
    raise AssertionError(f"no table with {key or column}")


def test_the_accounts_list_leads_with_the_tier_and_why(sample_app):
    at = goto(sample_app, "accounts")
    shown = table(at, column="reasons")
    columns = list(shown.value.columns)
    assert columns[:4] == ["account_name", "tier", "reasons", "arr"]
    assert shown.proto.placeholder == ""  # an empty cell shows nothing, not "None"
    config = json.loads(shown.proto.columns)
    widest = f"${shown.value['arr'].max():,.0f}"
    assert config["arr"]["width"] >= 24 + tables.CHAR_PX * len(widest)  # never clipped


def test_money_width_follows_the_largest_amount():
    assert tables.money_width([1_200, 7_919_680]) == 24 + tables.CHAR_PX * len("$-7,919,680")
    assert tables.money_width([12_345_678_901]) > tables.money_width([9_999])
    assert tables.money_width(None) is None


def with_snapshot(app):
    goto(app, "data")
    app.button(key="use_previous_sample").click().run()
    return goto(app, "movement")


def test_the_movement_page_lists_every_mover_and_filters_moved(sample_app):
    at = with_snapshot(sample_app)
    movers = table(at, column="drivers")
    view = at.session_state[panel.VIEW][1]
    assert len(movers.value) == len(view.movers)  # all of them, not the first few hundred
    assert movers.proto.placeholder == ""
    at.multiselect(key="movers_directions").set_value(["moved"]).run()
    moved = table(at, column="drivers").value
    changes = set(moved["tier_change"].astype(str))
    assert changes <= {"up", "down"} and {"up", "down"} & changes
    want = movement.filter_movers(view.movers, directions=["up", "down"])
    assert len(moved) == len(want)


def test_moved_means_up_or_down():
    frame = pd.DataFrame(
        {"from_tier": ["A", "B", "B", "A"], "to_tier": ["B", "A", "B", "A"],
         "tier_change": ["down", "up", "same", "same"], "held": [None, None, "margin", None]}
    )  # fmt: skip
    assert list(movement.filter_movers(frame, directions=["moved"]).index) == [0, 1]
    assert list(movement.filter_movers(frame, directions=["moved", "held"]).index) == [0, 1, 2]


def _who_moved() -> None:
    from pathlib import Path  # AppTest.from_function runs this body alone

    import segmentation as seg
    from segmentation.config import with_pillar, with_thresholds
    from ui import movement as panel

    book = seg.load(Path(seg.__file__).parents[1] / "sample_data" / "accounts.csv")
    before = with_thresholds(seg.default_config(), [70, 45])
    baseline = seg.segment(book.accounts, before)["tier"].array
    now = seg.segment(book.accounts, with_pillar(before, "growth", weight=0))
    panel.who_moved_list(now, baseline)


def test_who_moved_lists_every_mover_against_the_baseline_with_filters():
    from streamlit.testing.v1 import AppTest

    import segmentation as seg
    from segmentation.config import with_pillar, with_thresholds

    at = AppTest.from_function(_who_moved, default_timeout=60).run()
    assert not at.exception, at.exception
    book = seg.load("sample_data/accounts.csv")
    before = with_thresholds(seg.default_config(), [70, 45])
    old = seg.segment(book.accounts, before)["tier"]
    new = seg.segment(book.accounts, with_pillar(before, "growth", weight=0))["tier"]
    moved = int((old.astype(str) != new.astype(str)).sum())
    assert moved > 15  # more than the Workshop's old list held
    listed = at.dataframe[0]
    assert len(listed.value) == moved and listed.proto.placeholder == ""
    at.multiselect(key="who_moved_directions").set_value(["down"]).run()
    down = at.dataframe[0].value
    assert 0 < len(down) < moved and set(down["move"]) == {"down"}
