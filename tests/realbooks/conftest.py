"""Builds the real-shaped books once per test session into a temporary folder."""

from __future__ import annotations

import pytest
from books import Built, build_all


@pytest.fixture(scope="session")
def books(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Built]:
    return build_all(tmp_path_factory.mktemp("realbooks"))
