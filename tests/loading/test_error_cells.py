"""The Excel-error scan has two paths (long tables column by column, wide ones in one pass over
the cells); both must find the same cells with the same text."""

from __future__ import annotations

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from segmentation.loading.loader import _error_texts, _errors_by_column, _errors_in_one_pass
from segmentation.values import EXCEL_ERRORS

CELLS = st.sampled_from(["#N/A", " #ref! ", "#DIV/0!", "n/a", "", "12", "Acme", None])


@settings(max_examples=60, deadline=None)
@given(rows=st.integers(1, 6), columns=st.integers(1, 6), data=st.data())
def test_both_paths_find_the_same_error_cells(rows, columns, data):
    cells = data.draw(st.lists(CELLS, min_size=rows * columns, max_size=rows * columns))
    raw = pd.DataFrame(
        [cells[r * columns : (r + 1) * columns] for r in range(rows)],
        columns=[f"c{i}" for i in range(columns)],
        dtype="str",
    )
    headers = list(raw.columns)
    assert sorted(_errors_by_column(raw, headers)) == sorted(_errors_in_one_pass(raw, headers))
    shown = {(r, h): raw.at[r, h] for r in range(rows) for h in headers}
    expected = {
        cell: str(text).strip().upper()
        for cell, text in shown.items()
        if not pd.isna(text) and str(text).strip().upper() in EXCEL_ERRORS
    }
    assert _error_texts(raw) == expected
