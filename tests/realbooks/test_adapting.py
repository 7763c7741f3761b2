"""Scoring adapts to what each real-shaped book holds: tiers spread, empty pillars said aloud."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pandas as pd
import pytest
from test_realbooks import run

import segmentation as seg
from segmentation.config import with_thresholds

AS_OF = dt.date(2026, 11, 30)
# Books with revenue and at least one other usable signal (the pipeline roll-up has revenue only).
SCORED = ["warehouse_extract.csv", "crm_report.xlsx", "telecom_customers.xlsx", "saas_billing.csv"]
# The pillars each book cannot feed with the default settings, by label.
UNFED = {
    "warehouse_extract.csv": [],
    "crm_report.xlsx": [],
    "telecom_customers.xlsx": ["Growth potential", "Engagement complexity"],
    "saas_billing.csv": ["Growth potential", "Engagement complexity"],
    "pipeline_rollup.csv": ["Growth potential", "Engagement complexity", "Health & maturity"],
}


@pytest.mark.parametrize("name", SCORED)
def test_default_settings_use_every_tier_and_none_holds_almost_everything(books, name) -> None:
    accounts = seg.load(books[name].path).accounts
    result = seg.segment(accounts, seg.default_config(), as_of=AS_OF)
    shares = result["tier"].value_counts(normalize=True)
    assert set(shares.index) == set(seg.default_config().tier_names)
    assert (shares > 0).all() and shares.max() <= 0.85, shares.to_dict()


@pytest.mark.parametrize("name", SCORED)
def test_the_cli_and_a_saved_settings_file_give_the_same_tiers(books, name, tmp_path) -> None:
    """The defaults' cut-offs are cut from the book; saved, they pin the same numbers."""
    accounts = seg.load(books[name].path).accounts
    scores = seg.score_metrics(accounts, seg.default_config(), as_of=AS_OF)
    pinned = seg.fitted_config(scores, seg.default_config())
    assert all(t.share is None for t in pinned.tiers)
    seg.save_config(pinned, tmp_path / "pinned.json")
    path = str(books[name].path)
    default = run("score", path, "--out", "a.csv", "--as-of", str(AS_OF), cwd=tmp_path)
    saved = run(
        "score", path, "--out", "b.csv", "--as-of", str(AS_OF), "--config", "pinned.json",
        cwd=tmp_path,
    )  # fmt: skip
    assert default.returncode == saved.returncode == 0, default.stderr + saved.stderr
    a = pd.read_csv(tmp_path / "a.csv", encoding="utf-8-sig")["tier"]
    b = pd.read_csv(tmp_path / "b.csv", encoding="utf-8-sig")["tier"]
    assert a.tolist() == b.tolist() == seg.tier_accounts(scores, pinned)["tier"].tolist()
    assert "Cut-offs set from this book's own priorities: High-touch the top 15%" in default.stdout
    assert "Cut-offs set from" not in saved.stdout


@pytest.mark.parametrize("name", sorted(UNFED))
def test_the_cli_names_each_pillar_without_data(books, name, tmp_path) -> None:
    done = run("score", str(books[name].path), "--out", "o.csv", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    named = [
        line.removeprefix("warning: ").split(" has no usable data")[0]
        for line in done.stderr.splitlines()
        if " has no usable data in this book" in line and line.startswith("warning: ")
    ]
    assert named == UNFED[name]


@pytest.mark.parametrize("name", sorted(UNFED))
def test_a_pillar_without_data_is_left_out_not_scored(books, name) -> None:
    accounts = seg.load(books[name].path).accounts
    config = with_thresholds(seg.default_config(), [70, 45])
    result = seg.segment(accounts, config, as_of=AS_OF)
    labels = {p.label: p.key for p in config.pillars}
    for label in UNFED[name]:
        assert result[f"score_{labels[label]}"].isna().all()
        assert not result["data_issues"].str.contains(f"no usable {label.split()[0].lower()}").any()
    assert result["priority"].notna().all()


def test_reasons_never_cite_a_column_the_book_lacks(books) -> None:
    """The telecom book has no strategic or referenceable flag: no reason speaks of one."""
    accounts = seg.load(books["telecom_customers.xlsx"].path).accounts
    result = seg.segment(accounts, seg.default_config(), as_of=AS_OF)
    reasons = " ".join(result["reasons"])
    for absent in ("strategic account", "referenceable", "health score", "NPS", "plan "):
        assert absent not in reasons


COMPUTED = [*seg.OUTPUT_COLUMNS, *seg.LENS_COLUMNS]


@pytest.mark.parametrize(
    ("name", "derived"),
    [
        ("warehouse_extract.csv", ["arr"]),  # 12 x mrr_usd
        ("crm_report.xlsx", []),
        ("telecom_customers.xlsx", ["arr"]),
        ("saas_billing.csv", ["arr"]),
        ("pipeline_rollup.csv", []),
    ],
)
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_exports_hold_each_column_once(books, name, derived, fmt, tmp_path) -> None:
    book = seg.load(books[name].path)
    result = seg.segment(book.accounts, seg.default_config(), as_of=AS_OF)
    out = tmp_path / f"out.{fmt}"
    seg.export(result, out, config=seg.default_config(), report=book.report)
    if fmt == "csv":
        written = pd.read_csv(out, encoding="utf-8-sig", dtype=str, keep_default_na=False)
    else:
        written = pd.read_excel(out, sheet_name="Accounts", engine="calamine", dtype=str)
    every = [*book.raw.columns, *derived, *COMPUTED]
    lead = [h for h in (book.mapping.get("account_id"), book.mapping.get("account_name"))
            if h is not None] + ["tier"]  # fmt: skip
    lead += [book.mapping["previous_tier"]] if "previous_tier" in book.mapping else []
    lead += ["reasons"]  # a CRM import's columns first, then every other in its order
    assert list(written.columns) == lead + [c for c in every if c not in lead]
    assert len(written) == len(book.accounts)
    assert set(book.mapping) <= set(book.accounts.columns)  # the API keeps its canonical view


def _score_with(books, name: str, config: seg.Config, tmp_path):
    seg.save_config(config, tmp_path / "settings.json")
    done = run(
        "score", str(books[name].path), "--out", "o.csv", "--config", "settings.json",
        "--as-of", str(AS_OF), cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done, pd.read_csv(tmp_path / "o.csv", encoding="utf-8-sig")


def test_score_config_applies_the_saved_mapping(books, tmp_path) -> None:
    config = replace(seg.default_config(), mapping=(("arr", "Probability (%)"),))
    done, out = _score_with(books, "pipeline_rollup.csv", config, tmp_path)
    assert "warning: column 'Amount'" not in done.stderr  # mapped by the settings: no doubt
    book = seg.load(books["pipeline_rollup.csv"].path, mapping={"arr": "Probability (%)"})
    expected = seg.segment(book.accounts, config, as_of=AS_OF)
    assert out["tier"].tolist() == expected["tier"].astype(str).tolist()
    assert out["priority"].tolist() == pytest.approx(expected["priority"].tolist())


def test_a_saved_mapping_to_a_header_the_file_lacks_is_warned(books, tmp_path) -> None:
    config = replace(seg.default_config(), mapping=(("health_score", "Overall Health"),))
    done, _ = _score_with(books, "saas_billing.csv", config, tmp_path)
    assert (
        f"warning: the settings map health_score to 'Overall Health', which "
        f"{books['saas_billing.csv'].path} does not have: matched automatically instead"
    ) in done.stderr.splitlines()


def test_a_settings_metric_on_a_missing_column_is_warned_and_changes_no_tier(books, tmp_path):
    base = with_thresholds(seg.default_config(), [60, 40])
    health = base.pillar("health")
    extra = seg.config.with_pillar(
        base, "health", metrics=(*health.metrics, seg.config.Metric("Churn Score", weight=9))
    )
    done, out = _score_with(books, "crm_report.xlsx", extra, tmp_path)
    lines = [line for line in done.stderr.splitlines() if "Churn Score" in line]
    assert lines == [
        "warning: the settings use column 'Churn Score', which this book does not have: that "
        "metric is left out and its weight re-spread"
    ]
    _, plain = _score_with(books, "crm_report.xlsx", base, tmp_path)
    assert out["tier"].tolist() == plain["tier"].tolist()


@pytest.mark.parametrize(
    ("name", "column", "scores"),
    [
        ("telecom_customers.xlsx", "contract_term",
         {"Month-to-month": 20, "One year": 70, "Two year": 90}),
        ("crm_report.xlsx", "contract_term", {"12": 70, "24": 90, "36": 100}),
        ("saas_billing.csv", "contract_term", {"Monthly": 20, "Annual": 70}),
        ("saas_billing.csv", "plan",
         {"Starter (Monthly)": 10, "Pro (Annual)": 40, "Enterprise (Annual)": 100}),
    ],
)  # fmt: skip
def test_default_category_metrics_read_each_books_labels(books, name, column, scores) -> None:
    accounts = seg.load(books[name].path).accounts
    metric_scores = seg.score_metrics(accounts, seg.default_config(), as_of=AS_OF)
    for pillar in metric_scores.pillars:
        for j, metric in enumerate(pillar.metrics):
            if metric.column == column:
                got = dict(zip(accounts[column].astype(str), pillar.filled[:, j], strict=True))
                assert got == scores


@pytest.mark.parametrize(
    ("name", "fed"),
    [
        ("warehouse_extract.csv", {"usage_score", "usage_events", "csat", "tenure", "auto_renew"}),
        ("crm_report.xlsx", {"csat", "tenure", "contract_term", "auto_renew"}),
        ("telecom_customers.xlsx", {"tenure", "contract_term"}),
    ],
)
def test_the_new_columns_feed_health_and_maturity_by_default(books, name, fed) -> None:
    accounts = seg.load(books[name].path).accounts
    health = seg.score_metrics(accounts, seg.default_config(), as_of=AS_OF).pillars[3]
    used = {m.column for m, f in zip(health.metrics, health.fed, strict=True) if f}
    assert fed <= used
    tenure = health.inputs[[m.column for m in health.metrics].index("tenure")]
    assert tenure.notna().all() and (tenure >= 0).all()


def test_a_saved_mapping_confirms_a_weak_match(books, tmp_path) -> None:
    config = replace(seg.default_config(), mapping=(("arr", "Amount"),))
    done, _ = _score_with(books, "pipeline_rollup.csv", config, tmp_path)
    assert "warning: column 'Amount'" not in done.stderr
    plain = run("score", str(books["pipeline_rollup.csv"].path), "--out", "p.csv", cwd=tmp_path)
    assert "warning: column 'Amount' matched to arr with low confidence" in plain.stderr
