"""The Scenarios comparison view and `score --scenario`, on a generated book."""

from __future__ import annotations

import subprocess
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from test_cli import run  # the CLI run as a user runs it: tests/test_cli.py

import segmentation as seg
from segmentation.config import with_pillar, with_thresholds
from segmentation.rules.capacity import Capacity, TierCapacity
from segmentation.scenarios import save_scenario, scenario_settings
from segmentation.views.scenarios import comparison_view, scenario_results

AS_OF = "2026-11-01"


@pytest.fixture(scope="module")
def accounts() -> pd.DataFrame:
    return seg.generate_accounts(600, seed=11)


def views_config() -> seg.Config:
    base = with_thresholds(seg.default_config(), [70, 45])
    config = save_scenario(base, "CS view", with_pillar(base, "health", weight=50))
    config = save_scenario(config, "Finance view", with_pillar(base, "strategic", weight=60))
    return save_scenario(config, "Same as CS", with_pillar(base, "health", weight=50))


def test_counts_arr_and_variance_match_each_scenario_segmented_alone(accounts):
    config = views_config()
    chosen = scenario_settings(config, ["CS view", "Finance view"])
    view = comparison_view(scenario_results(accounts, chosen))
    for scenario in chosen:
        alone = seg.segment(accounts, scenario.settings)
        for tier in scenario.settings.tier_names:
            rows = alone["tier"] == tier
            assert view.table.at[f"{tier}: accounts", scenario.name] == rows.sum()
            assert view.table.at[f"{tier}: ARR", scenario.name] == pytest.approx(
                alone.loc[rows, "arr"].sum()
            )
    change = view.table["Finance view vs CS view"]
    assert (change == view.table["Finance view"] - view.table["CS view"]).all()
    assert (
        view.table.loc[
            [f"{t}: accounts" for t in config.tier_names], "Finance view vs CS view"
        ].sum()
        == 0
    )


def test_agreement_matrix_and_differing_accounts(accounts):
    config = views_config()
    results = scenario_results(accounts, scenario_settings(config, ["CS view", "Finance view"]))
    pair = comparison_view(results, limit=10).pairs[0]
    base, other = (np.asarray(r.result["tier"].astype(str)) for r in results)
    differ = base != other
    assert pair.matrix.to_numpy().sum() == len(accounts)
    assert np.trace(pair.matrix.to_numpy()) == (~differ).sum()
    assert pair.moved == differ.sum()
    top_arr = np.sort(results[1].result["arr"].to_numpy()[differ])[::-1][:10]
    assert list(pair.differing["arr"]) == pytest.approx(list(top_arr))
    assert pair.changes == ["strategic value weight 30 -> 60", "health weight 50 -> 25"]


def test_identical_scenarios_agree_everywhere(accounts):
    config = views_config()
    view = comparison_view(
        scenario_results(accounts, scenario_settings(config, ["CS view", "Same as CS"]))
    )
    assert view.pairs[0].moved == 0 and view.pairs[0].changes == []
    assert (view.table["Same as CS vs CS view"] == 0).all()


def test_csms_from_the_capacity_model_and_auc_with_an_outcome(accounts):
    base = with_thresholds(seg.default_config(), [70, 45])
    staffed = replace(base, capacity=Capacity(tiers=(TierCapacity("High-touch", 4, 15),)))
    config = save_scenario(save_scenario(base, "No model", base), "Staffed", staffed)
    event = (accounts["health_score"].to_numpy() < 40).astype("float64")
    results = scenario_results(accounts, scenario_settings(config, ["No model", "Staffed"]))
    table = comparison_view(results, event).table
    high = table.at["High-touch: accounts", "Staffed"]
    assert table.at["CSMs needed (capacity model)", "Staffed"] == np.ceil(high / 15)
    assert np.isnan(table.at["CSMs needed (capacity model)", "No model"])
    assert 0.5 < table.at["Priority AUC", "Staffed"] <= 1
    assert "Priority AUC" not in comparison_view(results).table.index


@pytest.mark.parametrize("count", [1, 5])
def test_two_to_four_scenarios(accounts, count):
    config = views_config()
    with pytest.raises(ValueError, match="2 to 4"):
        scenario_results(accounts, [config.scenarios[0]] * count)


def scored(tmp_path: Path, accounts: pd.DataFrame, *args: str) -> subprocess.CompletedProcess:
    """`score` of this book with the scenarios' settings file, in `tmp_path`."""
    seg.sample.write_book(accounts, tmp_path / "accounts.csv")
    seg.save_config(views_config(), tmp_path / "settings.json")
    return run("score", "accounts.csv", "--config", "settings.json", *args, cwd=tmp_path)


def test_cli_scores_each_scenario(tmp_path, accounts):
    for scenario in views_config().scenarios[:2]:
        out = tmp_path / f"{scenario.name}.csv"
        done = scored(tmp_path, accounts, "--scenario", scenario.name, "--out", out.name,
                      "--as-of", AS_OF)  # fmt: skip
        assert done.returncode == 0, done.stderr
        assert f"scoring scenario '{scenario.name}'" in done.stdout
        written = pd.read_csv(out)
        expected = seg.load(tmp_path / "accounts.csv").accounts
        tiers = seg.segment(expected, scenario.settings, as_of=pd.Timestamp(AS_OF).date())["tier"]
        assert list(written["tier"]) == list(tiers.astype(str))


def test_cli_unknown_scenario_is_one_error_line_listing_the_names(tmp_path, accounts):
    done = scored(tmp_path, accounts.head(50), "--scenario", "Board", "--out", "out.csv")
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:")
    assert "'CS view', 'Finance view', 'Same as CS'" in lines[0]
    assert not (tmp_path / "out.csv").exists()


def test_cli_confidence_adds_the_column_and_says_what_was_sampled(tmp_path, accounts):
    seg.sample.write_book(accounts, tmp_path / "accounts.csv")
    done = run(
        "score", "accounts.csv", "--out", "out.csv", "--confidence", "--as-of", AS_OF, cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    assert "Tier confidence from 1,000 draws" in done.stdout
    assert "points of share" in done.stdout  # the defaults' cut-offs are relative
    written = pd.read_csv(tmp_path / "out.csv")
    assert written["tier_confidence"].between(0, 1).all()
    assert len(written) == len(accounts)
    below = int((written["tier_confidence"] < 0.8).sum())
    assert f"{below:,} accounts keep their tier in fewer than 80%" in done.stdout
    plain = run("score", "accounts.csv", "--out", "plain.csv", "--as-of", AS_OF, cwd=tmp_path)
    assert "tier_confidence" not in pd.read_csv(tmp_path / "plain.csv").columns
    assert plain.returncode == 0
