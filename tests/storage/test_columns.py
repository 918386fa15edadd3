"""Files too large to cache whole, held column by column (storage/columns.py): answers equal
the Parquet scan's and the whole-file cache's, the budget holds, nothing outlives its file."""
from __future__ import annotations

import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import tsdb_core
from tests.conftest import examples
from tsdb_core.base.config import StoreConfig
from tsdb_core.storage.cache import Decoded
from tsdb_core.storage.columns import INDEX, run_starts

SEC = 10**9


def _by_column(store, tag_rows: bool = True) -> None:
    """Never hold this store's files whole: every file goes the column way (without
    ``tag_rows``, tags always built from the runs, never held per row)."""
    files = store._engine.state.files
    real = files._decoded.get
    files._decoded.get = lambda key, hint, load: None if isinstance(key, int) else real(key, hint, load)
    if not tag_rows:
        files._columns._tag_rows = lambda *a: None


def _column_keys(store) -> list:
    return [k for k in store._engine.state.files._decoded._items if isinstance(k, tuple) and isinstance(k[1], str)]


QUERIES = [
    "SELECT * FROM cpu",
    "SELECT * FROM cpu WHERE v > 20 AND time >= 5s AND time < 50s",
    "SELECT v, host FROM cpu WHERE host = 'h1' OR host = 'h3'",
    "SELECT max(v), min(w) FROM cpu WHERE time >= 3s AND time < 47s GROUP BY time(10s)",
    "SELECT mean(v) FROM cpu WHERE time >= 0s AND time < 60s GROUP BY time(7s), host",
    "SELECT count(v), sum(w) FROM cpu GROUP BY *",
    "SELECT * FROM cpu WHERE dc = 'x' AND w < 40",
    "SELECT * FROM cpu GROUP BY host ORDER BY time DESC LIMIT 1",
    "SELECT * FROM cpu GROUP BY host LIMIT 2",
    "SELECT last(v), first(w) FROM cpu WHERE host = 'h2' GROUP BY dc",
    "SELECT * FROM cpu WHERE zone = 'z'",
]

point = st.tuples(st.integers(0, 4), st.sampled_from(["x", "y", None]), st.integers(0, 59),
                  st.one_of(st.none(), st.floats(-50, 50, allow_nan=False).map(lambda f: round(f, 2))),
                  st.integers(-5, 60))
ops = st.lists(st.one_of(
    st.tuples(st.just("write"), st.lists(point, min_size=1, max_size=40)),
    st.tuples(st.just("flush")), st.tuples(st.just("compact")),
    st.tuples(st.just("delete"), st.integers(0, 4), st.integers(0, 60))), min_size=1, max_size=8)


def _line(p) -> str:
    host, dc, t, v, w = p
    tags = f",host=h{host}" + (f",dc={dc}" if dc else "")
    fields = ",".join(([f"v={v}"] if v is not None else []) + [f"w={w}i"])
    return f"cpu{tags} {fields} {t * SEC}"


def _apply(store, steps) -> None:
    for step in steps:
        if step[0] == "write":
            store.write("db", "\n".join(_line(p) for p in step[1]))
        elif step[0] == "flush":
            store.flush()
        elif step[0] == "compact":
            store.flush()
            store.compact()
        else:
            store.query(f"DELETE FROM cpu WHERE host = 'h{step[1]}' AND time < {step[2] * SEC}", db="db")


@settings(max_examples=examples(40), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops)
def test_answers_equal_with_cache_off_whole_by_column_and_tiny(tmp_path_factory, steps):
    """The same writes, flushes, compactions and DELETEs in five stores: no cache, whole files
    cached, files held column by column (tags held per row, or built from the runs), and a
    budget of a few kilobytes (eviction on every query): every query answers the same in all
    of them, twice (the second time from what the first left held)."""
    from tsdb_core.storage import cache

    root = tmp_path_factory.mktemp("s")
    answers = []
    eager, cache._EAGER_TAG_ROWS = cache._EAGER_TAG_ROWS, 0  # tags from runs: by the join (the larger path)
    try:
        _run_stores(root, steps, answers)
    finally:
        cache._EAGER_TAG_ROWS = eager
    for got in answers[1:]:
        assert got == answers[0]


def _run_stores(root, steps, answers: list) -> None:
    for name, budget in (("off", 0), ("whole", 1 << 30), ("columns", 1 << 30), ("runs", 1 << 30), ("tiny", 3000)):
        cfg = StoreConfig.for_tests(cache_bytes=budget, parquet_row_group_rows=8)
        with tsdb_core.open(root / name, config=cfg) as store:
            if name in ("columns", "runs"):
                _by_column(store, tag_rows=name == "columns")
            store.create_database("db")
            _apply(store, steps)
            store.flush()
            got = [store.query(q, db="db").to_json() for q in QUERIES]
            assert [store.query(q, db="db").to_json() for q in QUERIES] == got
            held = store._engine.state.files._decoded
            assert held.nbytes <= held.budget
            answers.append(got)


def _fill(store, hosts: int = 12, points: int = 30) -> None:
    store.create_database("db")
    lines = [f"cpu,host=h{h:02d}{',dc=x' if h % 3 else ''} v={h * 1000 + t}.5,w={t}i {t * SEC}"
             for h in range(hosts) for t in range(points)]
    store.write("db", "\n".join(lines))
    store.flush()


def test_columns_held_one_by_one_and_tags_built_from_runs(tmp_path):
    """A query over every series holds the index and the fields it read, nothing else; a
    grouping by a tag holds that tag per row too; the answers are the Parquet scan's."""
    cfg = StoreConfig.for_tests(cache_bytes=1 << 30, parquet_row_group_rows=16)
    with tsdb_core.open(tmp_path / "a", config=cfg) as store, \
            tsdb_core.open(tmp_path / "b", config=StoreConfig.for_tests(cache_bytes=0)) as plain:
        for s in (store, plain):
            _fill(s)
        _by_column(store)
        [f] = store.files()
        q1 = "SELECT max(v) FROM cpu WHERE time < 20s GROUP BY time(5s)"
        assert store.query(q1, db="db").to_json() == plain.query(q1, db="db").to_json()
        assert sorted(k[1] for k in _column_keys(store)) == sorted([INDEX, "v"]) and \
            all(k[0] == f.id for k in _column_keys(store))
        q2 = "SELECT mean(w) FROM cpu WHERE time >= 5s AND time < 25s GROUP BY time(10s), host"
        assert store.query(q2, db="db").to_json() == plain.query(q2, db="db").to_json()
        # groups from each series' rows (query/exec/runs.py): no tag is read row by row
        assert sorted(k[1] for k in _column_keys(store)) == sorted([INDEX, "v", "w"])
        q2 = "SELECT mean(w) FROM cpu WHERE w > 3 AND time >= 5s AND time < 25s GROUP BY time(10s), host"
        assert store.query(q2, db="db").to_json() == plain.query(q2, db="db").to_json()
        assert sorted(k[1] for k in _column_keys(store)) == sorted([INDEX, "v", "w", "host"])
        q3 = "SELECT * FROM cpu WHERE v > 5010 AND time >= 3s"
        assert store.query(q3, db="db").to_json() == plain.query(q3, db="db").to_json()
        frame = store.scan_frame("db", "autogen", "cpu", 0, 10**12, None)
        want = plain.scan_frame("db", "autogen", "cpu", 0, 10**12, None)
        assert frame.columns == want.columns and frame.sort(["host", "time"]).equals(want.sort(["host", "time"]))


@pytest.mark.no_catalog
@pytest.mark.parametrize("eager_rows", [0, 1 << 20], ids=["join", "at once"])
def test_tags_joined_only_to_the_rows_a_filter_keeps(monkeypatch, eager_rows):
    """Tags the view lacks come from each row's series: for many rows by a join, so that a
    filter on a field runs first (Polars pushes it below the join); the rows equal a plain
    filter either way."""
    from tsdb_core.storage import cache

    monkeypatch.setattr(cache, "_EAGER_TAG_ROWS", eager_rows)
    n_series, per = 30, 20
    frame = pl.DataFrame({"time": np.tile(np.arange(per), n_series),
                          "host": np.repeat([f"h{i:02d}" for i in range(n_series)], per),
                          "dc": np.repeat([["x", "y", None][i % 3] for i in range(n_series)], per),
                          "v": np.arange(n_series * per, dtype=np.float64)})
    whole = Decoded(frame, ["host", "dc"])
    index = Decoded(frame.select("time"), [], whole.starts, dict(whole.tag_values))
    view = index.with_columns([frame.get_column("v")])
    for tags, lo, hi, limit in [(None, 3, 12, None), ({"host": ["h03", "h07"]}, 0, 99, None),
                                ({"dc": ["x"]}, 5, 5, None), (None, 0, 99, (2, True)), ({"host": ["none"]}, 0, 9, None),
                                ({"dc": ["y"], "host": ["h01", "h04"]}, 2, 18, (3, False))]:
        got = view.select(tags, lo, hi, ["time", "dc", "v", "host"], limit)
        want = whole.select(tags, lo, hi, ["time", "dc", "v", "host"], limit)
        got, want = (x.collect() if isinstance(x, pl.LazyFrame) else x for x in (got, want))
        assert got.equals(want), (tags, lo, hi, limit)
    lazy = view.select(None, 0, 99, ["time", "host", "v"])
    assert isinstance(lazy, pl.LazyFrame) == (eager_rows == 0)
    if eager_rows == 0:
        plan = lazy.filter(pl.col("v") > 500).explain()
        assert plan.index("FILTER") > plan.index("JOIN")  # (the filter sits below the join)
    lazy = lazy.lazy()
    assert lazy.filter(pl.col("v") > 500).collect().equals(frame.filter(pl.col("v") > 500).select(["time", "host", "v"]))


@pytest.mark.no_catalog
@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["a", "b", "c", None]), st.sampled_from(["x", None])), max_size=60),
       st.integers(1, 7))
def test_run_starts_equal_the_frame_runs(rows, group_rows):
    """Runs found from dictionary indices (row group by row group, values across their
    boundaries) equal the runs Decoded finds from the strings."""
    frame = pl.DataFrame({"time": list(range(len(rows))), "host": [r[0] for r in rows], "dc": [r[1] for r in rows]},
                         schema={"time": pl.Int64, "host": pl.String, "dc": pl.String})
    sink = pa.BufferOutputStream()
    pq.write_table(frame.to_arrow(), sink, row_group_size=group_rows)
    table = pq.ParquetFile(pa.BufferReader(sink.getvalue()), read_dictionary=["host", "dc"]).read()
    want = Decoded(frame, ["host", "dc"]).starts if rows else np.zeros(0, dtype=np.int64)
    assert run_starts(table, ["host", "dc"]).tolist() == want.tolist()


def test_budget_holds_and_least_recent_columns_go(tmp_path):
    """A budget for about three columns: reading others evicts the least recently used, the
    total never passes the budget, and a query needing more than the budget scans Parquet."""
    rows = 12 * 30
    cfg = StoreConfig.for_tests(cache_bytes=rows * 8 * 4 + 2000, parquet_row_group_rows=16)
    with tsdb_core.open(tmp_path, config=cfg) as store:
        _fill(store)
        store.write("db", "\n".join(f"cpu,host=h{h:02d} a={h}.5,b={h}.25,c={h}.125 {t * SEC}"
                                    for h in range(12) for t in range(30)))
        store.flush()
        store.compact()
        [f] = store.files()
        held = store._engine.state.files._decoded
        for field in ("v", "w", "a", "b", "c", "v"):
            store.query(f"SELECT max({field}) FROM cpu GROUP BY time(10s)", db="db")
            assert held.nbytes <= held.budget
        keys = {k[1] for k in _column_keys(store)}
        assert "v" in keys and "a" not in keys  # the oldest went first; v was read again
        before = dict(held._items)
        out = store.query("SELECT max(a), max(b), max(c), max(v), max(w) FROM cpu", db="db").to_json()
        assert out["results"][0]["series"][0]["values"][0][1:] == [11.5, 11.25, 11.125, 11029.5, 29]
        assert held.nbytes <= held.budget and set(held._items) <= set(before) | {(f.id, c) for c in "abc"}


def test_compaction_delete_and_retention_drop_what_is_held(tmp_path):
    """Columns of a file go with it: after a compaction, a DELETE and retention (and the
    replaced files' grace period), nothing of a file no longer live is held, and answers are
    the store's without a cache."""
    now = [40 * SEC]
    cfg = StoreConfig.for_tests(cache_bytes=1 << 30, parquet_row_group_rows=16)
    with tsdb_core.open(tmp_path / "a", config=cfg, clock=lambda: now[0]) as store, \
            tsdb_core.open(tmp_path / "b", config=StoreConfig.for_tests(cache_bytes=0), clock=lambda: now[0]) as plain:
        for s in (store, plain):
            s.query("CREATE DATABASE db WITH DURATION 1h", db="db")
            _fill(s)
            s.write("db", "\n".join(f"cpu,host=h{h:02d} v={h}.75 {(t + 30) * SEC}" for h in range(12) for t in range(5)))
            s.flush()
        _by_column(store)
        qs = ["SELECT * FROM cpu", "SELECT mean(v) FROM cpu GROUP BY time(10s), host"]

        def check():
            for q in qs:
                assert store.query(q, db="db").to_json() == plain.query(q, db="db").to_json(), q
            store._engine.maintenance.reap(force=True)  # replaced files go after their grace period
            live = {f.id for f in store.files()}
            assert {k[0] for k in _column_keys(store)} <= live

        check()
        assert _column_keys(store)
        for s in (store, plain):
            s.compact()
        check()
        for s in (store, plain):
            s.query("DELETE FROM cpu WHERE host = 'h03' AND time < 10s", db="db")
        check()
        now[0] = 3600 * SEC + 12 * SEC  # rows before 12 s expire
        for s in (store, plain):
            s.enforce_retention()
        check()
        assert {k[0] for k in _column_keys(store)} <= {f.id for f in store.files()}


def test_few_series_read_row_groups_unless_columns_are_held(tmp_path):
    """A query naming one host reads that host's row groups while the file's columns are not
    held (no whole column read for a few rows), and slices the held columns once they are
    (unless it needs tags not held per row: the row groups have them); all equal the
    Parquet scan."""
    cfg = StoreConfig.for_tests(cache_bytes=1 << 30, parquet_row_group_rows=16)
    with tsdb_core.open(tmp_path / "a", config=cfg) as store, \
            tsdb_core.open(tmp_path / "b", config=StoreConfig.for_tests(cache_bytes=0)) as plain:
        for s in (store, plain):
            _fill(s)
        _by_column(store)
        q = "SELECT max(v), min(w) FROM cpu WHERE host = 'h07' AND time < 25s GROUP BY time(5s)"
        assert store.query(q, db="db").to_json() == plain.query(q, db="db").to_json()
        items = store._engine.state.files._decoded._items
        assert not _column_keys(store) and any(isinstance(k[1], int) for k in items)  # row groups
        store.query("SELECT max(v), min(w) FROM cpu GROUP BY time(5s)", db="db")  # holds v and w
        assert {k[1] for k in _column_keys(store)} >= {INDEX, "v", "w"}
        assert store.query(q, db="db").to_json() == plain.query(q, db="db").to_json()
        groups = store._engine.state.files._decoded_groups
        store._engine.state.files._decoded_groups = lambda *a: pytest.fail("held columns answer first")
        arrays = store.scan_series("db", "autogen", "cpu", 0, 10**12, ["v"], {"host": ["h07"]})
        assert arrays[0] == {"dc": "x", "host": "h07"} and arrays[1]["v"].tolist() == [7000.5 + t for t in range(30)]
        got = store.scan_frame("db", "autogen", "cpu", 0, 12 * SEC, ["v", "w"], tags={"host": ["h07", "h08"]})
        assert got.sort(["time", "v"]).equals(plain.scan_frame("db", "autogen", "cpu", 0, 12 * SEC, ["v", "w"],
                                                               tags={"host": ["h07", "h08"]}).sort(["time", "v"]))
        store._engine.state.files._decoded_groups = groups


@pytest.mark.no_catalog
def test_unsorted_file_is_never_held_by_column(tmp_path):
    """A file whose rows are not one run per series (written by another tool) is left to the
    Parquet scan, and its times are not read again."""
    from types import SimpleNamespace

    from tsdb_core.storage.cache import DecodedCache
    from tsdb_core.storage.columns import FileColumns

    path = tmp_path / "x.parquet"
    pq.write_table(pa.table({"time": [3, 1, 2], "host": ["a", "a", "b"], "v": [1.0, 2.0, 3.0]}), path)
    reads = []
    cols = FileColumns(DecodedCache(1 << 20), lambda p: reads.append(p) or p)
    f = SimpleNamespace(id=1, path=str(path), rows=3, columns=("time", "host", "v"))
    assert cols.view(f, ["host"], ["time", "v"]) is None
    n = len(reads)
    assert n and cols.view(f, ["host"], ["time", "v"]) is None and len(reads) == n
    g = SimpleNamespace(id=2, path=str(tmp_path / "y.parquet"), rows=3, columns=("time", "host", "v"))
    pq.write_table(pa.table({"time": [1, 3, 2], "host": ["a", "a", "b"], "v": [1.0, 2.0, 3.0]}), g.path)
    view = cols.view(g, ["host"], ["time", "host", "v"])  # laid out by series: held
    assert view.select({"host": ["a"]}, 0, 9, ["time", "host", "v"]).rows() == [(1, "a", 1.0), (3, "a", 2.0)]


@pytest.mark.local_files("removes a sidecar file on disk")
def test_series_index_from_the_sidecar_equals_the_tags(tmp_path):
    """The series index found from the sidecar of newest rows (series whose times continue
    rising across their boundary included) equals the one found from the tag columns, and
    a file without a sidecar still gets one (from its tags)."""
    from tsdb_core.storage.columns import FileColumns
    from tsdb_core.storage.partitions import newest_path

    cfg = StoreConfig.for_tests(cache_bytes=1 << 30, parquet_row_group_rows=4)
    with tsdb_core.open(tmp_path, config=cfg) as store:
        store.create_database("db")
        lines = [f"cpu,host=a v={t} {t * SEC}" for t in range(5)]  # then b from 5 s: no step back in time
        lines += [f"cpu,host=b,dc=x v={t} {t * SEC}" for t in range(5, 9)]
        lines += [f"cpu,host=c v={t} {t * SEC}" for t in (2, 3)] + [f"cpu,dc=y v=1 {SEC}", f"cpu,dc=y v=2 {9 * SEC}"]
        store.write("db", "\n".join(lines))
        store.flush()
        [f] = store.files()
        files = store._engine.state.files
        tags = ["dc", "host"]
        from tsdb_core.storage.columns import _runs_of_sidecar
        times = files.read(f).get_column("time").to_numpy()
        assert _runs_of_sidecar(times, files.sidecar(f), tags) is not None  # (the sidecar is what answers)
        assert _runs_of_sidecar(times[::-1].copy(), files.sidecar(f), tags) is None  # not this file's rows
        by_sidecar = FileColumns(files._decoded, files.data.open_input, files.sidecar)._index(f, tags)
        files._decoded.drop(f.id)
        newest_path(store.root / f.path).unlink()
        files._newest.clear()
        by_tags = FileColumns(files._decoded, files.data.open_input, files.sidecar)._index(f, tags)
        whole = Decoded(files.read(f), tags)
        for dec in (by_sidecar, by_tags):
            assert dec.starts.tolist() == whole.starts.tolist() and dec.tag_values == whole.tag_values
        assert len(whole.starts) == 4
