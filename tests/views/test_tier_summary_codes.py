"""The tier cards' table from the tier column's category codes is the table by tier name.

`tier_summary` counts a categorical tier column by its codes (a slider move's cards, no text
per account); a plain text column goes through `group_summary`. Both must give the same table,
to the last bit of each ARR sum, on real segmentations and on the odd subsets a profile or a
filter leaves.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import segmentation as seg
from segmentation.config import with_thresholds
from segmentation.sample import generate_accounts
from segmentation.views import tiers


@pytest.fixture(scope="module")
def segmented():
    cfg = seg.default_config()
    result = seg.tier_accounts(seg.score_metrics(generate_accounts(4_000, seed=5), cfg), cfg)
    return result, cfg


def by_name(result: pd.DataFrame) -> pd.DataFrame:
    """The same accounts with the tier as plain text: the by-name path."""
    return result.assign(tier=result["tier"].astype(object))


SUBSETS = {
    "the whole book": lambda r: r,
    "every third account": lambda r: r.iloc[::3],
    "no account in the top tier": lambda r: r[r["tier"] != r["tier"].cat.categories[0]],
    "one account": lambda r: r.iloc[:1],
    "no account": lambda r: r.iloc[:0],
    "no ARR at all": lambda r: r.assign(arr=np.nan),
    "a tier missing": lambda r: r.assign(
        tier=r["tier"].astype(object).where(r["tier"] != r["tier"].cat.categories[1])
    ).astype({"tier": "category"}),
}


@pytest.mark.parametrize("subset", list(SUBSETS))
def test_codes_give_the_table_by_name(segmented, subset):
    result, cfg = segmented
    rows = SUBSETS[subset](result)
    assert isinstance(rows["tier"].dtype, pd.CategoricalDtype)
    pd.testing.assert_frame_equal(
        tiers.tier_summary(rows, cfg), tiers.tier_summary(by_name(rows), cfg), check_exact=True
    )


@pytest.mark.parametrize("high", [90.0, 50.0, 20.0])  # few, some, most accounts on top
def test_codes_follow_the_cut(segmented, high):
    cfg = segmented[1]
    cut = with_thresholds(cfg, (high, high / 2))
    rows = seg.tier_accounts(seg.score_metrics(generate_accounts(2_000, seed=6), cut), cut)
    table = tiers.tier_summary(rows, cut)
    assert table["accounts"].sum() == len(rows)
    assert table.loc[cut.tier_names[0], "accounts"] == (rows["tier"] == cut.tier_names[0]).sum()
    pd.testing.assert_frame_equal(table, tiers.tier_summary(by_name(rows), cut), check_exact=True)
