"""Which columns an export holds: each once (docs/interfaces.md section 2).

The input's own columns as uploaded (under their own headers), then the computed ones:
scores, priority, tier, quadrant, reasons, data issues, derived lenses, and a canonical
column only where the loader derived it rather than read it (ARR from 12 x MRR).
`book.accounts` keeps its canonical view; only the file written changes.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from segmentation.columns import CANONICAL_NAMES

RAW_SUFFIX = " (raw)"  # the loader's name for an input header that is a canonical name
FIRST_COMPUTED = "score_growth"  # segment() adds its columns after the input's, from this one


def export_columns(result: pd.DataFrame, mapping: Mapping[str, str] | None) -> pd.DataFrame:
    """`result` with the canonical copies of mapped columns left out and raw names restored.

    Without a mapping (no load report) the result is written as it is.
    """
    if mapping is None or FIRST_COMPUTED not in result.columns:
        return result
    columns = list(result.columns)
    split = columns.index(FIRST_COMPUTED)
    inputs, computed = columns[:split], columns[split:]
    canonical = set(CANONICAL_NAMES)
    derived = [c for c in inputs if c in canonical and c not in mapping]
    kept = [c for c in inputs if c not in canonical]
    renames = _raw_names(kept, set(kept))
    frame = result[kept + derived + computed]
    frame = frame.rename(columns=renames) if renames else frame
    return _ids_as_read(frame, result, mapping)


def _ids_as_read(
    frame: pd.DataFrame, result: pd.DataFrame, mapping: Mapping[str, str]
) -> pd.DataFrame:
    """The id column as the loader read it (text: Excel's 1002.0 is the id "1002")."""
    header = mapping.get("account_id")
    if header is None or header not in frame.columns or "account_id" not in result.columns:
        return frame
    return frame.assign(**{header: result["account_id"].to_numpy()})


def _raw_names(kept: list[str], taken: set[str]) -> dict[str, str]:
    """'arr (raw)' back to 'arr', the header as uploaded, where that name is free."""
    renames: dict[str, str] = {}
    for column in kept:
        original = column
        while original.endswith(RAW_SUFFIX) and original.removesuffix(RAW_SUFFIX) not in taken:
            original = original.removesuffix(RAW_SUFFIX)
        if original != column:
            renames[column] = original
            taken.add(original)
    return renames


# --- tier_confidence (issue 14): written only when it was computed ---

CONFIDENCE_COLUMN = "tier_confidence"


def with_confidence(result: pd.DataFrame, confidence: object) -> pd.DataFrame:
    """`result` with each account's share of draws keeping its tier (0-1, 3 places), last."""
    shares = pd.Series(confidence, index=result.index, dtype="float64").round(3)
    return result.drop(columns=[CONFIDENCE_COLUMN], errors="ignore").assign(
        **{CONFIDENCE_COLUMN: shares.to_numpy()}
    )
