"""Benchmark case of tier confidence (issue 14): 1,000 draws of the settings on a book whose
metric scores are already made (the Workshop's stage 1 is cached)."""

from __future__ import annotations

DRAWS = 1000
LABELS = {"tier_confidence": "tier confidence, 1,000 draws (weights +/-10, cut-offs +/-5), {rows}"}
# (case, arguments, target in seconds or None, peak-memory target in MB or None)
PLAN = [
    ("tier_confidence", [10_000], None, None),
    ("tier_confidence", [100_000], 5.0, None),  # issue 14: "thousands of draws ... a few seconds"
]


def tier_confidence(rows: int) -> float:
    import segmentation as seg
    from bench.cases import _timed
    from segmentation.confidence import tier_confidence as confidence
    from segmentation.confidence import uniform_ranges

    accounts = seg.generate_accounts(rows, seed=1)
    config = seg.default_config()
    scores = seg.score_metrics(accounts, config)
    ranges = uniform_ranges(config)
    return _timed(
        lambda: confidence(scores, config, ranges, draws=DRAWS), repeat=1 if rows > 50_000 else 3
    )


CASES = {"tier_confidence": tier_confidence}
