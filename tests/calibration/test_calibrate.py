"""calibrate() on books with a known truth: the numbers match a direct computation, the
suggested weights find the informative metrics and beat the defaults out of sample, and
pure noise shows no signal."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from calibration_books import AS_OF, INFORMATIVE, churn_book, loaded, validate_document
from scipy.stats import mannwhitneyu

import segmentation as seg
from segmentation import calibration
from segmentation.calibration.fit import kfold_splits, time_split
from segmentation.config import SCORE_COLUMNS, Metric, with_pillar


def run(book: seg.Book, config: seg.Config | None = None, **spec) -> calibration.Calibration:
    outcome = calibration.outcome_from_book(
        book.accounts, calibration.OutcomeSpec("Churned", **spec), as_of=AS_OF
    )
    return calibration.calibrate(
        book.accounts, config or seg.default_config(), outcome, as_of=AS_OF, mapping=book.mapping
    )


@pytest.fixture(scope="module")
def truth_cal(truth) -> calibration.Calibration:
    return run(truth)


@pytest.fixture(scope="module")
def noise_cal(noise) -> calibration.Calibration:
    return run(noise)


def direct(book: seg.Book) -> tuple[pd.DataFrame, np.ndarray]:
    result = seg.segment(book.accounts, seg.default_config(), as_of=AS_OF)
    event = (book.accounts["Churned"] == "Yes").to_numpy(dtype=float)
    return result, event


def rank_auc(score: np.ndarray, event: np.ndarray) -> float:
    use = ~np.isnan(score)
    s, e = score[use], event[use]
    return mannwhitneyu(s[e == 1], s[e == 0]).statistic / ((e == 1).sum() * (e == 0).sum())


def test_aucs_match_a_rank_computation(truth, truth_cal):
    result, event = direct(truth)
    for column in ("priority", *SCORE_COLUMNS):
        score = result[column].to_numpy(dtype=float)
        assert truth_cal.auc[column].value == pytest.approx(rank_auc(score, event), abs=1e-12)
    assert truth_cal.signal
    assert truth_cal.auc["priority"].low > 0.5


def test_rates_and_lifts_per_tier_match_a_direct_count(truth, truth_cal):
    result, event = direct(truth)
    book_rate = event.mean()
    assert truth_cal.rate == pytest.approx(book_rate)
    assert truth_cal.accounts == len(result)
    for name in seg.default_config().tier_names:
        rows = (result["tier"] == name).to_numpy()
        row = truth_cal.tiers.loc[name]
        assert row["accounts"] == rows.sum()
        assert row["with_outcome"] == event[rows].sum()
        assert row["rate"] == pytest.approx(event[rows].mean())
        assert row["lift"] == pytest.approx(event[rows].mean() / book_rate)
        assert row["arr_with_outcome"] == pytest.approx(result["arr"][rows & (event == 1)].sum())
    for cell, row in truth_cal.quadrants.iterrows():
        rows = (result["quadrant"] == cell).to_numpy()
        assert row["with_outcome"] == event[rows].sum()


def test_the_best_single_column_is_one_of_the_truth(truth_cal):
    name, found = truth_cal.best
    assert name in INFORMATIVE
    assert found.clears_half


def effective_shares(config: seg.Config) -> dict[str, float]:
    """Each metric's share of priority when every metric is known."""
    total = sum(p.weight for p in config.pillars)
    shares: dict[str, float] = {}
    for pillar in config.pillars:
        weights = sum(m.weight for m in pillar.metrics)
        for metric in pillar.metrics:
            if weights and pillar.weight:
                share = pillar.weight / total * metric.weight / weights
                shares[metric.column] = shares.get(metric.column, 0.0) + share
    return shares


def test_suggested_weights_find_the_informative_metrics_and_beat_the_defaults(truth_cal):
    proposal = truth_cal.proposal
    shares = effective_shares(proposal.config)
    top_two = sorted(shares, key=shares.get, reverse=True)[:2]
    assert set(top_two) == set(INFORMATIVE)
    assert sum(shares[m] for m in INFORMATIVE) > 0.6
    assert proposal.out_of_sample > proposal.out_of_sample_current + 0.03
    assert proposal.in_sample.value > proposal.in_sample_current.value
    assert proposal.in_sample_current == truth_cal.auc["priority"]
    # Pillar effects are kept: the fit moves weights only.
    for new, old in zip(proposal.config.pillars, seg.default_config().pillars, strict=True):
        assert new.effect == old.effect


def test_pure_noise_shows_no_signal_in_any_interval(noise_cal):
    assert not noise_cal.signal
    intervals = [*noise_cal.auc.values(), *noise_cal.metric_auc.values(), noise_cal.best[1]]
    assert all(a.low <= 0.5 <= a.high for a in intervals)
    assert "no reliable signal" in noise_cal.no_signal_message.lower()


def test_the_outcome_column_is_never_a_metric(truth):
    accounts = truth.accounts.assign(churn_flag=truth.accounts["Churned"].eq("Yes").astype(float))
    config = with_pillar(
        seg.default_config(),
        "health",
        metrics=(*seg.default_config().pillar("health").metrics, Metric("churn_flag", weight=50)),
    )
    outcome = calibration.outcome_from_book(accounts, calibration.OutcomeSpec("churn_flag"))
    found = calibration.calibrate(accounts, config, outcome, as_of=AS_OF, suggest=False)
    assert any("'churn_flag' is the outcome" in note for note in found.notes)
    assert found.auc["priority"].value < 0.9  # the outcome did not score itself
    assert found.best[0] != "churn_flag"


@pytest.mark.parametrize("cells", [["Yes"] * 5, ["No", "No", "", "No", "No"]])
def test_a_one_class_outcome_is_refused(cells):
    accounts = seg.generate_accounts(5, seed=1).assign(Churned=cells)
    outcome = calibration.outcome_from_book(accounts, calibration.OutcomeSpec("Churned"))
    with pytest.raises(seg.InputError, match="one class only"):
        calibration.calibrate(accounts, seg.default_config(), outcome)


def test_the_document_has_the_contract_shape(truth_cal):
    doc = calibration.to_document(truth_cal)
    validate_document(doc)
    assert [t["tier"] for t in doc["tiers"]] == list(seg.default_config().tier_names)
    for tier in doc["tiers"]:
        assert tier["rate"] == pytest.approx(tier["with_outcome"] / tier["accounts"], abs=1e-4)
        assert tier["lift"] == pytest.approx(tier["rate"] / doc["rate"], abs=1e-3)
    assert doc["signal"] is True


def test_kfold_covers_every_known_account_once_per_repeat():
    event = np.array([1.0, 0.0, np.nan] * 40)
    splits = kfold_splits(event)
    tested = np.concatenate([s.test for s in splits[:5]])
    assert sorted(tested) == list(np.flatnonzero(~np.isnan(event)))
    for split in splits:
        assert not set(split.train) & set(split.test)


def test_time_split_trains_on_the_earlier_outcomes():
    event = np.array([1.0] * 10 + [0.0] * 10)
    dates = np.array(
        [np.datetime64("2026-01-01") + np.timedelta64(d, "D") for d in range(10)] + [None] * 10,
        dtype="datetime64[D]",
    )
    split = time_split(event, dates)
    trained = [i for i in split.train if event[i] == 1]
    assert sorted(trained) == list(range(7))
    assert set(split.test) >= {7, 8, 9}


def test_a_date_outcome_is_validated_by_a_time_split(truth):
    days = np.where(
        truth.accounts["Churned"].eq("Yes"),
        pd.Timestamp(AS_OF) + pd.to_timedelta(np.arange(len(truth.accounts)) % 300, unit="D"),
        pd.NaT,
    )
    accounts = truth.accounts.assign(**{"Churn date": pd.Series(days).dt.strftime("%Y-%m-%d")})
    outcome = calibration.outcome_from_book(
        accounts, calibration.OutcomeSpec("Churn date", window_days=365), as_of=AS_OF
    )
    found = calibration.calibrate(accounts, seg.default_config(), outcome, as_of=AS_OF)
    assert found.proposal.validation.startswith("time split")
    assert found.with_outcome == int(truth.accounts["Churned"].eq("Yes").sum())


def test_live_summary_agrees_with_the_calibration(truth, truth_cal):
    result, event = direct(truth)
    live = calibration.live_summary(result, event)
    assert live.auc == truth_cal.auc["priority"]
    assert calibration.live_summary(result, truth_cal.outcome) == live
    assert live.top_lift == pytest.approx(truth_cal.tiers.iloc[0]["lift"])


def test_a_numeric_column_the_loader_did_not_map_can_be_the_best_column(tmp_path):
    accounts = churn_book(2000, seed=4)
    risk = (accounts["Churned"] == "Yes") * 3 + np.random.default_rng(4).normal(size=2000)
    accounts["Risk index"] = [f"{v:,.2f}" for v in risk]  # text, as an export writes it
    book = loaded(accounts, tmp_path)
    assert "risk_index" not in book.mapping
    found = run(book)
    assert found.best[0] == "Risk index"
    assert found.best[1].value > 0.9


@pytest.mark.parametrize(
    "changes",
    [
        {},
        {"health": {"weight": 0.0}},
        {"growth": {"effect": "lowers"}, "strategic": {"weight": 90.0}},
    ],
    ids=["defaults", "no health", "growth lowers"],
)
def test_the_fits_priority_is_the_pipelines(truth, changes):
    """The folds score priority alone (segment.priorities): the same as tier_accounts gives."""
    from segmentation.calibration.fit import priority

    config = seg.default_config()
    for key, fields in changes.items():
        config = with_pillar(config, key, **fields)
    scores = seg.score_metrics(truth.accounts, config, as_of=AS_OF)
    want = seg.tier_accounts(scores, config)["priority"].to_numpy(dtype="float64")
    np.testing.assert_array_equal(priority(scores, config), want)


def test_the_fit_runs_with_blas_on_one_thread(truth, monkeypatch):
    """Thread wake-ups cost more than the fit's tiny products: calibrate pins BLAS to one."""
    from threadpoolctl import threadpool_info

    from segmentation.calibration import fit

    seen, real = [], fit.fit_coefficients

    def recording(x, y):
        seen.append(
            {pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"}
        )
        return real(x, y)

    monkeypatch.setattr(fit, "fit_coefficients", recording)
    run(truth)
    assert seen and all(threads == {1} for threads in seen)
