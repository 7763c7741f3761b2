"""Books for the capacity tests: the sample generator's books, segmented as the CLI would."""

from __future__ import annotations

import pytest
from capacity_helpers import AS_OF

import segmentation as seg
from segmentation.sample import generate_accounts


@pytest.fixture(scope="session")
def accounts():
    return generate_accounts(800, seed=3)


@pytest.fixture(scope="session")
def result(accounts):
    return seg.segment(accounts, seg.default_config(), as_of=AS_OF)
