"""query_timeout_s cancels the Polars work of a statement, with InfluxDB's words."""
from __future__ import annotations

import time

import polars as pl
import pytest

from tsdb_core.base.errors import QueryError
from tsdb_core.query.exec.lazy import Ctx, collect


def _slow(ran: list, seconds: float) -> pl.LazyFrame:
    """A plan whose first operator sleeps, and whose second records that it ran."""
    def nap(s):
        time.sleep(seconds)
        return s

    def mark(s):
        ran.append(True)
        return s

    return (pl.LazyFrame({"a": [1, 2, 3]})
            .select(pl.col("a").map_batches(nap, return_dtype=pl.Int64))
            .sort("a")  # a pipeline breaker: the next operator starts only after this one
            .select(pl.col("a").map_batches(mark, return_dtype=pl.Int64)))


def test_deadline_cancels_the_query():
    ran: list = []
    t0 = time.perf_counter()
    with pytest.raises(QueryError, match="^query-timeout limit exceeded$"):
        collect(_slow(ran, 1.0), Ctx(None, 0, deadline=t0 + 0.1))
    assert time.perf_counter() - t0 < 0.9  # answered at the deadline, not when the work ended
    time.sleep(1.5)  # the first operator has finished by now: the second must not have started
    assert ran == []


def test_no_deadline_and_a_far_deadline_return_the_rows():
    ran: list = []
    assert collect(_slow(ran, 0.01), Ctx(None, 0)).to_series().to_list() == [1, 2, 3]
    far = Ctx(None, 0, deadline=time.perf_counter() + 60)
    assert collect(_slow(ran, 0.01), far).to_series().to_list() == [1, 2, 3]
    assert ran == [True, True]


def test_store_statement_times_out_with_influxdb_words(tmp_path):
    import tsdb_core

    cfg = tsdb_core.StoreConfig(query_timeout_s=1e-9)
    with tsdb_core.open(tmp_path, config=cfg) as store:
        store.write("db", "\n".join(f"m,h=h{i % 7} v={i} {i}" for i in range(2000)))
        res = store.query("SELECT mean(v) FROM m GROUP BY h; SELECT count(v) FROM m", db="db").to_json()
    assert res["results"] == [{"statement_id": 0, "error": "query-timeout limit exceeded"},
                              {"statement_id": 1, "error": "not executed"}]
