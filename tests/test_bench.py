"""The benchmark keeps working: every case runs on a tiny book and reports a time."""

from __future__ import annotations

import pytest

from bench.__main__ import FULL_PLAN, label
from bench.cases import CASES


@pytest.mark.parametrize("case, args", [(case, args) for case, args, _, _ in FULL_PLAN])
def test_every_benchmark_case_runs_on_a_small_book(case, args):
    small = [200, *args[1:]]
    seconds = CASES[case](*small)
    assert seconds > 0, label(case, small)  # a time, whatever it is: speed is not tested here
