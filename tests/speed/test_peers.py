"""The bench's peers run the same rules: their tiers equal segment()'s (speed is not tested)."""

from __future__ import annotations

import numpy as np
import pytest

import segmentation as seg
from bench import peers
from bench.cases import AS_OF


@pytest.mark.parametrize("rows, seed", [(50, 1), (3_000, 2), (20_000, 3)])
def test_every_peer_gives_segments_tiers(rows, seed):
    import duckdb
    import polars as pl

    accounts = seg.generate_accounts(rows, seed=seed)
    tiers = seg.segment(accounts, seg.default_config(), as_of=AS_OF)["tier"].cat.codes.to_numpy()
    connection = duckdb.connect()
    connection.register("accounts", accounts.assign(rid=np.arange(rows)))
    np.testing.assert_array_equal(peers.floor(accounts, AS_OF), tiers)
    np.testing.assert_array_equal(peers.polars_tiers(pl.from_pandas(accounts), AS_OF), tiers)
    np.testing.assert_array_equal(peers.duckdb_tiers(connection, AS_OF), tiers)


def test_the_peer_table_reports_each_measure_as_a_ratio_to_its_floor():
    got = peers.measure(300, repeat=1)
    assert set(got) == {key for _, key, _ in peers.TABLE} | {"floor", "stage2_floor"}
    lines = peers.table({300: got})
    assert len(lines) == 2 + len(peers.TABLE)
    assert "(1.0x)" in lines[4]  # the floor against itself
