"""The XLSX export's Summary holds the calibration tables when an outcome is given: read back
with calamine, every number matches a direct computation on the exported accounts."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest
from calibration_books import AS_OF
from python_calamine import CalamineWorkbook
from scipy.stats import mannwhitneyu

import segmentation as seg
from segmentation import calibration

HEADERS = [
    "Accounts with an outcome",
    "With the outcome",
    "Rate",
    "Lift",
    "ARR",
    "Share of the outcome's ARR",
]


def summary_rows(data: bytes) -> list[list]:
    book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    return book.get_sheet_by_name("Summary").to_python()


def table_after(rows: list[list], title: str) -> dict[str, list]:
    """The calibration table whose header row starts with `title`, by its first cell."""
    start = next(
        i for i, row in enumerate(rows) if row[0] == title and row[1] == "Accounts with an outcome"
    )
    assert rows[start][1:7] == HEADERS
    table = {}
    for row in rows[start + 1 :]:
        if not row[0]:
            break
        table[row[0]] = row[1:7]
    return table


def exported(book: seg.Book, rows: slice = slice(None)) -> tuple[pd.DataFrame, bytes, np.ndarray]:
    """A segmented book (or some of its rows, as a filtered export) with the outcome."""
    config = seg.default_config()
    result = seg.segment(book.accounts, config, as_of=AS_OF)
    outcome = calibration.outcome_from_book(book.accounts, calibration.OutcomeSpec("Churned"))
    positions = np.arange(len(result))[rows]
    part = result.iloc[positions]
    data = seg.export_bytes(
        part, "xlsx", config=config, report=book.report, outcome=outcome.take(positions)
    )
    event = (book.accounts["Churned"].iloc[positions] == "Yes").to_numpy(dtype=float)
    return part, data, event


def direct_table(result: pd.DataFrame, column: str, event: np.ndarray) -> pd.DataFrame:
    frame = pd.DataFrame(
        {"group": result[column].astype(str).to_numpy(), "e": event, "arr": result["arr"]}
    )
    frame["arr_e"] = frame["arr"] * frame["e"]
    table = frame.groupby("group").agg(
        accounts=("e", "size"), hits=("e", "sum"), arr=("arr", "sum"), arr_e=("arr_e", "sum")
    )
    table["rate"] = table["hits"] / table["accounts"]
    table["lift"] = table["rate"] / event.mean()
    table["share"] = table["arr_e"] / frame["arr_e"].sum()
    return table


def direct_auc(score: np.ndarray, event: np.ndarray) -> float:
    use = ~np.isnan(score)
    hit = event[use] == 1
    u = mannwhitneyu(score[use][hit], score[use][~hit]).statistic
    return u / (hit.sum() * (~hit).sum())


@pytest.mark.parametrize("rows", [slice(None), slice(0, 2500)], ids=["all", "filtered"])
def test_summary_holds_the_calibration_tables(truth, rows):
    result, data, event = exported(truth, rows)
    sheet = summary_rows(data)
    by_label = {row[0]: row[1] for row in sheet if row and row[0]}
    assert by_label["Accounts with a known outcome"] == len(result)
    assert by_label["With the outcome"] == event.sum()
    assert by_label["Rate"] == pytest.approx(event.mean())
    for title, column in (("Tier", "tier"), ("Quadrant", "quadrant")):
        shown, want = table_after(sheet, title), direct_table(result, column, event)
        assert set(shown) == set(want.index)
        for name, (accounts, hits, rate, lift, arr, share) in shown.items():
            line = want.loc[name]
            assert (accounts, hits) == (line["accounts"], line["hits"])
            assert (rate, lift) == pytest.approx((line["rate"], line["lift"]))
            assert (arr, share) == pytest.approx((line["arr"], line["share"]))
    start = next(i for i, row in enumerate(sheet) if str(row[0]).startswith("ROC AUC"))
    aucs = {row[0]: row[1:5] for row in sheet[start + 1 : start + 6]}
    labels = {"Priority": "priority"} | {
        p.label: f"score_{p.key}" for p in seg.default_config().pillars
    }
    assert set(aucs) == set(labels)
    for label, column in labels.items():
        value, low, high, clears = aucs[label]
        assert value == pytest.approx(direct_auc(result[column].to_numpy(float), event))
        assert low <= value <= high
        assert clears == ("yes" if low > 0.5 or high < 0.5 else "no")
    assert aucs["Priority"][3] == "yes"
    assert not any("No reliable signal" in str(row[0]) for row in sheet)


def test_summary_of_a_noise_outcome_says_no_reliable_signal(noise):
    _, data, _ = exported(noise)
    lines = [str(row[0]) for row in summary_rows(data)]
    assert any(line.startswith("No reliable signal") for line in lines)


def test_summary_without_an_outcome_has_no_calibration(truth):
    result = seg.segment(truth.accounts, seg.default_config(), as_of=AS_OF)
    lines = [str(row[0]) for row in summary_rows(seg.export_bytes(result, "xlsx"))]
    assert not any(line.startswith(("Calibration", "ROC AUC")) for line in lines)
    assert "Accounts" in lines


def test_a_tier_without_accounts_with_an_outcome_leaves_its_rate_empty(truth):
    """A filtered export where one tier has no account: its rate and lift are empty cells."""
    result = seg.segment(truth.accounts, seg.default_config(), as_of=AS_OF)
    top = seg.default_config().tiers[0].name
    positions = np.flatnonzero((result["tier"] != top).to_numpy())
    outcome = calibration.outcome_from_book(truth.accounts, calibration.OutcomeSpec("Churned"))
    data = seg.export_bytes(result.iloc[positions], "xlsx", outcome=outcome.take(positions))
    accounts, hits, rate, lift, *_ = table_after(summary_rows(data), "Tier")[top]
    assert (accounts, hits) == (0, 0)
    assert rate in ("", None) and lift in ("", None)
