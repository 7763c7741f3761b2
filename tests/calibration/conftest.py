"""Session-wide books with a known truth (see calibration_books)."""

from __future__ import annotations

import pytest
from calibration_books import churn_book, loaded

import segmentation as seg


@pytest.fixture(scope="session")
def truth(tmp_path_factory) -> seg.Book:
    return loaded(churn_book(4000, seed=11), tmp_path_factory.mktemp("truth"))


@pytest.fixture(scope="session")
def noise(tmp_path_factory) -> seg.Book:
    return loaded(churn_book(3000, seed=5, noise=True), tmp_path_factory.mktemp("noise"))
