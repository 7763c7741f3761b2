"""Which columns an export holds: each once (docs/interfaces.md section 2), in the order a
CRM import wants them.

First what a CRM import maps: the id, the name, the new tier, the previous tier, the change
and the reasons; then the rest of the input's own columns as uploaded (under their own
headers), then the other computed ones: scores, priority, quadrant, data issues, derived
lenses, and a canonical column only where the loader derived it (ARR from 12 x MRR). Dates
the loader read are written as dates (XLSX date cells, ISO in CSV). `book.accounts` keeps
its canonical view; only the file written changes.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from segmentation.columns import CANONICAL_COLUMNS, CANONICAL_NAMES

RAW_SUFFIX = " (raw)"  # the loader's name for an input header that is a canonical name
FIRST_COMPUTED = "score_growth"  # segment() adds its columns after the input's, from this one


def export_columns(result: pd.DataFrame, mapping: Mapping[str, str] | None) -> pd.DataFrame:
    """`result` with the canonical copies of mapped columns left out and raw names restored.

    Without a mapping (no load report) the result is written as it is.
    """
    if mapping is None or FIRST_COMPUTED not in result.columns:
        return crm_first(result, {})
    columns = list(result.columns)
    split = columns.index(FIRST_COMPUTED)
    inputs, computed = columns[:split], columns[split:]
    canonical = set(CANONICAL_NAMES)
    derived = [c for c in inputs if c in canonical and c not in mapping]
    kept = [c for c in inputs if c not in canonical]
    renames = _raw_names(kept, set(kept))
    frame = result[kept + derived + computed]
    frame = frame.rename(columns=renames) if renames else frame
    frame = _dates_as_read(_ids_as_read(frame, result, mapping), result, mapping)
    return crm_first(frame, {c: renames.get(h, h) for c, h in mapping.items()})


CRM_FIRST = ("account_id", "account_name", "tier", "previous_tier", "tier_change", "reasons")
DATE_COLUMNS = tuple(c.name for c in CANONICAL_COLUMNS if c.kind == "date")


def crm_first(frame: pd.DataFrame, mapping: Mapping[str, str]) -> pd.DataFrame:
    """The columns a CRM import maps first (each under its header in the file), the rest after
    in their order. A computed `previous_tier` (from --previous) wins over the book's own."""
    lead: list[str] = []
    for name in CRM_FIRST:
        for column in (name, mapping.get(name)):
            if column is not None and column in frame.columns and column not in lead:
                lead.append(column)
                break
    if not lead:
        return frame
    return frame[lead + [c for c in frame.columns if c not in lead]]


def _dates_as_read(
    frame: pd.DataFrame, result: pd.DataFrame, mapping: Mapping[str, str]
) -> pd.DataFrame:
    """A date column the loader read in full written as dates, not as the file's text; one
    with a value it could not read stays as written (no cell lost)."""
    dates = {}
    for canonical in DATE_COLUMNS:
        header = mapping.get(canonical)
        if header is None or header not in frame.columns or canonical not in result.columns:
            continue
        parsed = result[canonical]
        written = frame[header].astype("string").str.strip().fillna("").ne("")
        if parsed.notna().sum() == int(written.sum()):
            dates[header] = parsed.to_numpy()
    return frame.assign(**dates) if dates else frame


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
