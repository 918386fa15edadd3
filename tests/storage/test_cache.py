"""The decoded-file cache: series slicing equals a plain filter, the budget holds, stores agree."""
from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tsdb_core
from tests.conftest import examples
from tsdb_core.base.config import StoreConfig
from tsdb_core.storage.cache import Decoded, DecodedCache
from tsdb_core.storage.partitions import prepare
from tsdb_core.base.types import FieldType

HOSTS = ["a", "b", "c", "d", None]


@st.composite
def files(draw):
    n = draw(st.integers(0, 60))
    rows = {
        "time": draw(st.lists(st.integers(0, 40), min_size=n, max_size=n)),
        "host": draw(st.lists(st.sampled_from(HOSTS), min_size=n, max_size=n)),
        "dc": draw(st.lists(st.sampled_from(["x", "y", None]), min_size=n, max_size=n)),
        "v": [float(i) for i in range(n)],
    }
    frame = pl.DataFrame(rows, schema={"time": pl.Int64, "host": pl.String, "dc": pl.String, "v": pl.Float64})
    return prepare(frame, ("host", "dc"), {"v": FieldType.FLOAT}, dedup=True)


def _plain(frame, tags, start, end, cols, limit=None):
    cond = pl.col("time").is_between(start, end)
    for k, vals in (tags or {}).items():
        cond = cond & (pl.col(k).is_in(vals) if k in frame.columns else pl.lit(False))
    out = frame.filter(cond)
    if limit is not None:
        n, newest = limit
        keys = [c for c in ("host", "dc") if c in frame.columns]
        rank = pl.col("time").rank("ordinal", descending=newest)
        out = out.filter((rank.over(keys) if keys else rank) <= n)
    return out.select(cols)


def _sorted(df):
    return df.sort(df.columns, nulls_last=True)


@pytest.mark.no_catalog
@settings(max_examples=examples(300), deadline=None)
@given(files(), st.one_of(st.none(), st.dictionaries(st.sampled_from(["host", "dc", "zone"]),
                                                     st.lists(st.sampled_from(["a", "b", "x", "q"]), max_size=3),
                                                     max_size=2)),
       st.integers(-1, 41), st.integers(-1, 41),
       st.one_of(st.none(), st.tuples(st.integers(1, 4), st.booleans())))
def test_select_equals_filter(frame, tags, start, end, limit):
    dec = Decoded(frame, ["host", "dc"])
    cols = [c for c in ("time", "host", "v") if c in frame.columns]  # prepare drops all-null columns
    got = dec.select(tags, start, end, cols, limit)
    got = got.collect() if isinstance(got, pl.LazyFrame) else got
    want = _plain(frame, tags, start, end, cols, limit)
    assert _sorted(got).equals(_sorted(want))


@pytest.mark.no_catalog
def test_series_runs_are_found():
    frame = prepare(pl.DataFrame({"time": [3, 1, 2, 1, 5], "host": ["b", "a", "a", "b", "c"], "v": [1.0] * 5}),
                    ("host",), {"v": FieldType.FLOAT}, dedup=False)
    dec = Decoded(frame, ["host"])
    assert dec.starts.tolist() == [0, 2, 4] and dec.ends.tolist() == [2, 4, 5]
    assert dec.tag_values == {"host": ["a", "b", "c"]}
    out = dec.select({"host": ["b"]}, 2, 10, ["time", "host"])
    assert out.rows() == [(3, "b")]


@pytest.mark.no_catalog
def test_unsorted_frame_is_not_indexed_but_still_right():
    frame = pl.DataFrame({"time": [5, 1, 3], "host": ["a", "a", "a"], "v": [1.0, 2.0, 3.0]})
    dec = Decoded(frame, ["host"])
    assert dec.starts is None
    got = dec.select({"host": ["a"]}, 2, 5, ["time", "v"])
    got = got.collect() if isinstance(got, pl.LazyFrame) else got
    assert sorted(got.rows()) == [(3, 3.0), (5, 1.0)]


@pytest.mark.no_catalog
def test_many_runs_gather():
    n_series, per = 40, 5
    frame = pl.DataFrame({
        "time": np.tile(np.arange(per), n_series),
        "host": np.repeat([f"h{i:02d}" for i in range(n_series)], per),
        "v": np.arange(n_series * per, dtype=np.float64),
    })
    dec = Decoded(frame, ["host"])
    hosts = [f"h{i:02d}" for i in range(0, n_series, 2)]  # 20 runs: more than the slice limit
    got = dec.select({"host": hosts}, 1, 2, ["time", "host", "v"])
    want = _plain(frame, {"host": hosts}, 1, 2, ["time", "host", "v"])
    assert got.equals(want)
    numbers = dec.select({"host": hosts[:5]}, 1, 3, ["time", "v"])  # numbers only: joined by numpy
    assert numbers.equals(_plain(frame, {"host": hosts[:5]}, 1, 3, ["time", "v"]))
    assert numbers.schema == {"time": pl.Int64, "v": pl.Float64}


@pytest.mark.no_catalog
def test_every_series_in_part_of_its_time_is_sliced():
    """Every series, part of the time: each series' rows in range come as a slice of their own
    (file order kept, one chunk per series, nothing copied), so a group of one series' rows is
    never split between chunks."""
    per = 10
    frame = pl.DataFrame({"time": np.tile(np.arange(per), 3), "host": np.repeat(["a", "b", "c"], per),
                          "v": np.arange(3 * per, dtype=np.float64) / 7})
    dec = Decoded(frame, ["host"])
    got = dec.select(None, 2, 6, ["time", "host", "v"])
    assert isinstance(got, pl.DataFrame)
    assert got.equals(_plain(frame, None, 2, 6, ["time", "host", "v"]))  # same rows, same order
    assert [got.get_column(c).n_chunks() for c in got.columns] == [3, 3, 3]
    assert [chunk.unique().to_list() for chunk in got.get_column("host").get_chunks()] == [["a"], ["b"], ["c"]]
    assert dec.select(None, 20, 30, ["time", "v"]).shape == (0, 2)  # no row in range
    assert dec.select(None, -5, 50, ["v", "time"]).columns == ["v", "time"]  # all of it: as it is


def _dec(nbytes_rows: int) -> Decoded:
    return Decoded(pl.DataFrame({"time": np.arange(nbytes_rows), "v": np.zeros(nbytes_rows)}), [])


@pytest.mark.no_catalog
def test_budget_evicts_least_recently_used():
    one = _dec(1000).nbytes
    cache = DecodedCache(budget=one * 2 + one // 2)
    for fid in (1, 2):
        assert cache.get(fid, 0, lambda: _dec(1000)) is not None
    cache.get(1, 0, lambda: pytest.fail("a hit must not load"))
    cache.get(3, 0, lambda: _dec(1000))  # evicts 2, the least recently used
    assert cache.nbytes <= cache.budget
    loaded = []
    cache.get(2, 0, lambda: loaded.append(2) or _dec(1000))  # a miss again; evicts 1 now
    assert loaded == [2]
    cache.drop(2)
    assert cache.nbytes == one
    cache.get(3, 0, lambda: pytest.fail("3 was used more recently than 1: still cached"))


@pytest.mark.no_catalog
def test_too_large_or_disabled_is_not_cached():
    assert DecodedCache(budget=0).get(1, 0, lambda: pytest.fail("disabled")) is None
    assert DecodedCache(budget=100).get(1, 1000, lambda: pytest.fail("hint too big")) is None
    assert DecodedCache(budget=100).get(1, 0, lambda: _dec(1000)) is None  # decoded too big


QUERIES = [
    "SELECT * FROM cpu WHERE host = 'h1' AND time >= 20s AND time < 40s",
    "SELECT max(v) FROM cpu WHERE (host = 'h1' OR host = 'h3') AND time >= 5s AND time < 55s GROUP BY time(10s)",
    "SELECT mean(v) FROM cpu WHERE host = 'h2' AND dc = 'x' GROUP BY time(20s), host",
    "SELECT count(v) FROM cpu WHERE host = 'h2' AND host = 'h3'",
    "SELECT * FROM cpu WHERE host = 'nope'",
    "SELECT * FROM cpu WHERE zone = 'z1'",
    "SELECT last(*) FROM cpu GROUP BY *",
    "SELECT * FROM cpu WHERE host = 'h0' AND v > 3 ORDER BY time DESC LIMIT 3",
    "SELECT * FROM cpu GROUP BY host ORDER BY time DESC LIMIT 2",
    "SELECT * FROM cpu GROUP BY dc LIMIT 3 OFFSET 1",
    "SELECT v, host FROM cpu WHERE dc = 'x' ORDER BY time DESC LIMIT 1",
    "SELECT * FROM cpu ORDER BY time DESC LIMIT 5",
]


def _fill(store):
    store.create_database("db")
    # three writes flushed separately: overlapping files (a merge) and a rewritten point
    for part in range(3):
        lines = [f"cpu,host=h{h},dc={'x' if h % 2 else 'y'} v={part * 100 + t} {t}000000000"
                 for h in range(4) for t in range(part, 60, 2)]
        store.write("db", "\n".join(lines))
        store.flush()
    store.write("db", "cpu,host=h1,zone=z1 v=-1 30000000000")  # a series with a tag the files lack


@pytest.mark.parametrize("q", QUERIES, ids=range(len(QUERIES)))
def test_cached_and_uncached_stores_agree(tmp_path, q):
    answers = []
    for i, budget in enumerate((0, 1 << 30)):
        with tsdb_core.open(tmp_path / str(i), config=StoreConfig.for_tests(cache_bytes=budget)) as store:
            _fill(store)
            before = store.query(q, db="db").to_json()
            store.flush()
            store.compact()
            assert store.query(q, db="db").to_json() == before
            answers.append(before)
    assert answers[0] == answers[1]
    assert answers[0]["results"][0].get("error") is None


SCANS = [
    (None, 0, 10**12), ({"host": ["h1"]}, 20 * 10**9, 40 * 10**9), ({"host": ["h1", "h3"], "dc": ["x"]}, 0, 10**12),
    ({"zone": ["z1"]}, 0, 10**12), ({"host": ["none"]}, 0, 10**12), (None, 31 * 10**9, 31 * 10**9),
]


@pytest.mark.parametrize("budget", [0, 1 << 30], ids=["parquet", "cached"])
def test_scan_frame_equals_lazy_scan(tmp_path, budget):
    with tsdb_core.open(tmp_path, config=StoreConfig.for_tests(cache_bytes=budget)) as store:
        _fill(store)
        for stage in ("buffered", "compacted"):
            for tags, lo, hi in SCANS:
                for cols in (None, ["v"], ["host", "zone", "v"]):
                    want = store.scan("db", "autogen", "cpu", lo, hi, cols, tags=tags).collect()
                    got = store.scan_frame("db", "autogen", "cpu", lo, hi, cols, tags=tags)
                    assert got.columns == want.columns and _sorted(got).equals(_sorted(want)), (stage, tags)
            store.flush()
            store.compact()


@pytest.mark.no_catalog
def test_pick_is_select_without_a_query(monkeypatch):
    import polars as pl

    from tsdb_core.base.eager import pick

    df = pl.DataFrame({"time": [1, 2], "v": [1.5, None], "host": ["a", "b"]})
    for cols in (["host", "time"], ["v"], ["time", "v", "host"]):
        assert pick(df, cols).equals(df.select(cols))
    expected = df.select(["v", "time"])
    monkeypatch.delattr(pl.DataFrame, "_from_pydf")  # a Polars without it: the public spelling
    got = pick(df, ["v", "time"])
    monkeypatch.undo()
    assert got.equals(expected)


@pytest.mark.no_catalog
def test_row_groups_are_cached_and_dropped_with_their_file():
    one = _dec(100).nbytes
    cache = DecodedCache(budget=one * 10)
    for key in (7, (8, 0), (8, 3), (9, 1)):
        assert cache.get(key, 0, lambda: _dec(100)) is not None
    cache.get((8, 3), 0, lambda: pytest.fail("a hit must not load"))
    cache.drop(8)  # the file and every row group of it
    assert cache.nbytes == 2 * one
    loaded = []
    cache.get((8, 0), 0, lambda: loaded.append(1) or _dec(100))
    cache.get((9, 1), 0, lambda: pytest.fail("another file's row group stays"))
    assert loaded == [1]
    small = DecodedCache(budget=one * 2 + one // 2)  # evicting row groups keeps the books right
    for g in range(5):
        small.get((1, g), 0, lambda: _dec(100))
    assert small.nbytes <= small.budget
    small.drop(1)
    assert small.nbytes == 0


@pytest.mark.parametrize("cache_bytes", [0, 64 << 10], ids=["no cache", "row groups cached"])
def test_row_groups_of_an_uncached_file(tmp_path, cache_bytes):
    """A file too large for the decoded cache: a few series' rows come from the row groups
    its footer says may hold them (decoded once and kept when the cache has room for them),
    and equal what the lazy scan finds."""
    cfg = StoreConfig.for_tests(cache_bytes=cache_bytes, parquet_row_group_rows=16)
    with tsdb_core.open(tmp_path, config=cfg) as store:
        store.create_database("db")
        lines = [f"cpu,host=h{h:02d}{',dc=x' if h % 3 else ''} v={h * 1000 + t},i={t}i {t}000000000"
                 for h in range(20) for t in range(40)]
        lines.append("cpu v=-1 5000000000")  # no tags at all
        store.write("db", "\n".join(lines))
        store.flush()
        [f] = store.files()
        index = store._engine.state.files._row_groups(f)
        assert index.meta.num_row_groups > 40
        assert len(index.wanted({"host": ["h07"]}, 0, 10**12)) <= 4  # pruned by the host ranges
        assert index.wanted({"zone": ["z"]}, 0, 10**12) == []
        cases = [({"host": ["h07"]}, 0, 10**12), ({"host": ["h03", "h11"]}, 10 * 10**9, 20 * 10**9),
                 ({"host": ["h01"], "dc": ["x"]}, 0, 10**12), ({"dc": ["x"]}, 39 * 10**9, 10**12),
                 ({"host": ["nope"]}, 0, 10**12), ({"zone": ["z"]}, 0, 10**12), ({"host": ["h05"]}, 50 * 10**9, 60 * 10**9)]
        for tags, lo, hi in cases:
            for cols in (None, ["v"], ["host", "i"]):
                want = store.scan("db", "autogen", "cpu", lo, hi, cols, tags=tags).collect()
                got = store.scan_frame("db", "autogen", "cpu", lo, hi, cols, tags=tags)
                assert got.columns == want.columns and _sorted(got).equals(_sorted(want)), (tags, lo, hi, cols)
        res = store.query("SELECT max(v) FROM cpu WHERE host = 'h07' AND time >= 0s AND time < 40s GROUP BY time(10s)",
                          db="db").statements[0]
        assert [r[1] for r in res.series[0].values] == [7009.0, 7019.0, 7029.0, 7039.0]
        cached = [k for k in store._engine.state.files._decoded._items]
        assert all(isinstance(k, tuple) and k[0] == f.id for k in cached) and bool(cached) == bool(cache_bytes)
        one = store.scan_series("db", "autogen", "cpu", 0, 10**12, ["v"], {"host": ["h07"]})
        if cache_bytes:  # one series out of its row groups as numpy, times ascending
            assert one[0] == {"dc": "x", "host": "h07"} and one[1]["v"].tolist() == [7000.0 + t for t in range(40)]
        else:
            assert one is None


@pytest.mark.local_files("checks the sidecar files on disk")
def test_newest_rows_of_a_file_too_large_to_hold(tmp_path):
    """lastpoint (``GROUP BY host ORDER BY time DESC LIMIT 1``) over files too large for the
    cache reads each file's sidecar of newest rows, and answers what the full scan answers."""
    from tsdb_core.storage.partitions import newest_path

    cfg = StoreConfig.for_tests(cache_bytes=0, parquet_row_group_rows=16)
    with tsdb_core.open(tmp_path, config=cfg) as store:
        store.create_database("db")
        for part in range(2):  # two files in two windows; h19 only in the first
            store.write("db", "\n".join(
                f"cpu,host=h{h:02d}{',dc=x' if h % 3 else ''} v={h * 1000 + t + part * 100},i={t}i "
                f"{(t + part * 8 * 86_400) * 10**9}" for h in range(20 - part) for t in range(40)))
            store.flush()
        store.write("db", "cpu v=-1 5000000000")  # no tags at all, buffered
        store.flush()
        files = store.files()
        assert all(newest_path(store.root / f.path).exists() for f in files)
        queries = ["SELECT * FROM cpu GROUP BY host ORDER BY time DESC LIMIT 1",
                   "SELECT * FROM cpu WHERE dc = 'x' GROUP BY * ORDER BY time DESC LIMIT 1",
                   "SELECT * FROM cpu WHERE time <= 20s GROUP BY host ORDER BY time DESC LIMIT 1",  # past end
                   "SELECT * FROM cpu WHERE time >= 691200s GROUP BY host ORDER BY time DESC LIMIT 1"]
        used = []
        real = store._engine.state.files._newest_of
        store._engine.state.files._newest_of = lambda *a: used.append(real(*a)) or used[-1]
        got = [store.query(q, db="db").statements[0] for q in queries]
        store._engine.state.files._newest_of = real
        store._engine.state.files._newest.clear()
        kept = {f.id: newest_path(store.root / f.path).read_bytes() for f in files}
        for f in files:  # the same queries without sidecars: the full scan
            newest_path(store.root / f.path).unlink()
        want = [store.query(q, db="db").statements[0] for q in queries]
        assert [(s.series, s.error) for s in got] == [(s.series, s.error) for s in want]
        newest = {(se.tags or {}).get("host"): se.values[0][0] for se in got[0].series}
        assert len(newest) == 21 and newest["h00"] == "1970-01-09T00:00:39Z" and newest["h19"] == "1970-01-01T00:00:39Z"
        assert any(u is not None for u in used) and any(u is None for u in used)  # (past end: the scan)
        buried = [p for p in store.root.rglob("*.newest.arrow") if p not in
                  {newest_path(store.root / f.path) for f in files}]  # inputs of compactions so far
        assert buried
        store._engine.maintenance.reap(force=True)  # sidecars go with their files
        assert not any(p.exists() for p in buried)
        f = files[0]
        live_file = newest_path(store.root / f.path)
        live_file.write_bytes(kept[f.id])
        store._engine.state.files._newest.clear()  # (read once per file: forget the earlier absence)
        assert store._engine.state.files._newest_of(f, None, 0, 2**62, ["time"]) is not None
        for damage in ("flip", "truncate"):  # a flipped bit may still decode: the checksum says no
            raw = bytearray(kept[f.id])
            raw[len(raw) // 2] ^= 0x01
            live_file.write_bytes(bytes(raw) if damage == "flip" else kept[f.id][:20])
            store._engine.state.files._newest.clear()
            assert store._engine.state.files._newest_of(f, None, 0, 2**62, ["time"]) is None, damage
            assert store.query(queries[0], db="db").statements[0].series == want[0].series
    orphan = live_file.with_name("000000009999.newest.arrow")
    orphan.write_bytes(b"x")
    with tsdb_core.open(tmp_path, config=cfg) as store:  # an orphan sidecar is removed on open
        assert not orphan.exists() and live_file.exists()


@pytest.mark.no_catalog
@settings(max_examples=examples(300), deadline=None)
@given(files(), st.sampled_from(HOSTS[:-1]), st.sampled_from([None, "x", "y"]), st.integers(-5, 45), st.integers(-5, 45))
def test_one_series_pieces_equal_the_runs_path(frame, host, dc, start, end):
    """Decoded._pieces of a tag filter naming one series (its bounds read directly) equals
    the many-series path (_trimmed over gathered arrays), and select_arrays the filter."""
    dec = Decoded(frame, ["host", "dc"])
    if dec.starts is None or "v" not in frame.columns:  # (unsorted; or no row: prepare drops the columns)
        return
    tags = {"host": [host], **({"dc": [dc]} if dc else {})}
    runs = dec._matching_runs(tags)
    los, his = dec._trimmed(dec.starts[runs], dec.ends[runs], start, end)
    general = [(r, lo, hi) for r, lo, hi in zip(runs.tolist(), los.tolist(), his.tolist()) if hi > lo]
    assert dec._pieces(tags, start, end) == general
    arrays = dec.select_arrays(tags, start, end, ["time", "v"])
    plain = _plain(frame, tags, start, end, ["time", "v"])
    if len(runs) == 1:
        assert arrays["time"].tolist() == plain["time"].to_list()
        assert arrays["v"].tolist() == plain["v"].to_list()
