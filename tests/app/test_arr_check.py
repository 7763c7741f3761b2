"""The Data page asks before it trusts an ARR column that adds up like company revenue."""

from __future__ import annotations

import io

import pandas as pd
from app_helpers import CSV_MIME, texts

from ui import state


def crm_csv(arr_header: str = "Revenue") -> bytes:
    """12 accounts whose only money column is the customers' own revenue (about $58B)."""
    employees = [800 + 1_500 * i for i in range(12)]
    frame = pd.DataFrame(
        {
            "Account Name": [f"Account {i}" for i in range(12)],
            arr_header: [e * 600_000 for e in employees],
            "Employees": employees,
            "Health Score": [30 + 5 * i for i in range(12)],
        }
    )
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False)
    return buffer.getvalue().encode()


def upload(app, data: bytes):
    app.file_uploader(key="upload").set_value(("crm.csv", data, CSV_MIME)).run()
    assert not app.exception, app.exception
    return app


def test_an_implausible_arr_asks_and_keeping_it_is_remembered(app):
    upload(app, crm_csv())
    assert app.session_state[state.BOOK].mapping.get("arr") == "Revenue"
    assert "looks like company revenue" in texts(app.warning)
    app.button(key="keep_arr_column").click().run()
    assert not app.exception
    assert "looks like company revenue" not in texts(app.warning)
    assert app.session_state[state.BOOK].mapping.get("arr") == "Revenue"  # kept as asked


def test_reading_it_as_company_revenue_remaps(app):
    upload(app, crm_csv())
    app.button(key="arr_is_revenue").click().run()
    assert not app.exception
    mapping = app.session_state[state.BOOK].mapping
    assert "arr" not in mapping and mapping.get("company_revenue") == "Revenue"
    assert "looks like company revenue" not in texts(app.warning)


def test_the_sample_book_asks_nothing(sample_app):
    assert not [b for b in sample_app.button if b.key == "keep_arr_column"]
