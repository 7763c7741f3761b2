"""Builds the messy fixture files once per test session into a temporary folder."""

from __future__ import annotations

from pathlib import Path

import pytest
from build_fixtures import build_all


@pytest.fixture(scope="session")
def fixtures(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return build_all(tmp_path_factory.mktemp("loading-fixtures"))
