"""CSV: each column rendered with pyarrow string kernels, text quoted and neutralised."""

from __future__ import annotations

import codecs
from typing import BinaryIO

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from segmentation.exporting.fast_sheet import _ROWS_PER_CHUNK
from segmentation.exporting.safety import (
    _arrow_text,
    _column_kind,
    _is_real_number,
    neutralise_text,
    text_numbers,
)


def write_csv(result: pd.DataFrame, handle: BinaryIO) -> None:
    """RFC 4180 CSV: every text quoted, numbers (and text that is a plain number) bare."""
    columns = [_csv_column(result.iloc[:, position]) for position in range(result.shape[1])]
    header = ",".join(_csv_quote(name) for name in _safe_headers(result.columns))
    # The byte-order mark makes Excel read the file as UTF-8, not the local code page.
    handle.write(codecs.BOM_UTF8 + (header + "\r\n").encode("utf-8"))
    for start in range(0, len(result), _ROWS_PER_CHUNK):
        cells = [column.slice(start, _ROWS_PER_CHUNK) for column in columns]
        if not cells:  # no columns: an empty line per row
            handle.write(b"\r\n" * min(_ROWS_PER_CHUNK, len(result) - start))
            continue
        fields = {"null_handling": "replace", "null_replacement": ""}
        rows = pc.binary_join_element_wise(*cells, ",", **fields)
        rows = pc.binary_join_element_wise(rows, "", "\r\n")  # row + "\r\n" + ""
        handle.write(_joined_bytes(rows))


def _joined_bytes(rows: pa.Array) -> bytes:
    """All the strings of an Arrow string array (no nulls), one after another."""
    offsets = np.frombuffer(rows.buffers()[1], dtype=np.int32)[rows.offset :]
    data = rows.buffers()[2]
    if data is None:
        return b""
    return data.to_pybytes()[offsets[0] : offsets[len(rows)]]


def _csv_quote(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _csv_column(values: pd.Series) -> pa.Array:
    """One column's CSV fields as Arrow strings (null for an empty field): numbers and
    booleans as pyarrow's CSV writer renders them, text quoted and neutralised."""
    kind = _column_kind(values)
    if kind in ("number", "bool"):
        return pc.cast(pa.array(values, from_pandas=True), pa.string())
    if kind == "date":
        dates = pa.array(values, from_pandas=True)
        midnight = (values.dropna() == values.dropna().dt.normalize()).all()
        if midnight and values.dt.tz is None:
            dates = dates.cast(pa.date32())
        return pc.cast(dates, pa.string())
    categorical = isinstance(values.dtype, pd.CategoricalDtype)  # tiers, labels: text on purpose
    if categorical:
        values = values.astype("str" if kind == "text" else object)
    keep = None
    if kind == "mixed":  # real numbers among the text: bare, whatever their digits
        keep = values.map(_is_real_number).to_numpy(dtype=bool)
        values = values.map(lambda v: v if isinstance(v, str) else str(v), na_action="ignore")
    numbers = None if categorical else text_numbers(values, str(values.name))
    if numbers is not None:
        keep = ~np.isnan(numbers) if keep is None else keep | ~np.isnan(numbers)
    text = _arrow_text(neutralise_text(values, keep))
    quoted = pc.binary_join_element_wise('"', pc.replace_substring(text, '"', '""'), '"', "")
    if keep is None or not keep.any():
        return quoted
    return pc.if_else(pa.array(keep), text, quoted)


def _safe_headers(columns: pd.Index) -> list[str]:
    return neutralise_text(pd.Series([str(c) for c in columns], dtype=object)).tolist()
