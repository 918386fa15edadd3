"""Property: whatever the interleaving of writes, flushes, compactions and reopens,
every read equals a model of InfluxDB's rule (same series + time → field-level merge, last write wins)."""
from __future__ import annotations

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import tsdb_core
from tsdb_core import StoreConfig
from tsdb_core.base.types import FieldType, MeasurementBatch
from tsdb_core.base.time import MAX_TIME, MIN_TIME, D

T0 = 1_700_000_000_000_000_000
HOSTS = [None, "a", "b"]
TIMES = [T0, T0 + 1, T0 + D, T0 + 8 * D]  # several partition windows (7 d shard groups)

point = st.tuples(st.sampled_from(HOSTS), st.sampled_from(TIMES),
                  st.one_of(st.none(), st.integers(-5, 5)), st.one_of(st.none(), st.integers(-5, 5)))
op = st.one_of(
    st.tuples(st.just("write"), st.lists(point, min_size=1, max_size=6)),
    st.tuples(st.just("flush"), st.none()),
    st.tuples(st.just("compact"), st.none()),
    st.tuples(st.just("reopen"), st.none()),
)


def _batch(points) -> MeasurementBatch | None:
    points = [p for p in points if p[2] is not None or p[3] is not None]
    if not points:
        return None
    frame = pl.DataFrame({"time": [p[1] for p in points], "host": [p[0] for p in points],
                          "x": [p[2] for p in points], "y": [p[3] for p in points]},
                         schema={"time": pl.Int64, "host": pl.String, "x": pl.Int64, "y": pl.Int64})
    return MeasurementBatch("m", frame, ("host",), {"x": FieldType.INTEGER, "y": FieldType.INTEGER})


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=st.lists(op, min_size=1, max_size=12), slice_rows=st.sampled_from([1_000_000, 1, 3]))
def test_reads_match_the_merge_model(tmp_path_factory, ops, slice_rows):
    """(``slice_rows`` 1 or 3: every compaction merges its window a few series at a time.)"""
    root = tmp_path_factory.mktemp("prop") / "s"
    cfg = StoreConfig.for_tests(compact_min_files=3, compact_slice_rows=slice_rows)
    model: dict[tuple, dict] = {}
    s = tsdb_core.open(root, config=cfg)
    try:
        for kind, arg in ops:
            if kind == "write":
                b = _batch(arg)
                if b is None:
                    continue
                s.write_batches("db", [b])
                for host, t, x, y in arg:
                    if x is None and y is None:
                        continue
                    cur = model.setdefault((host, t), {"x": None, "y": None})
                    if x is not None:
                        cur["x"] = x
                    if y is not None:
                        cur["y"] = y
            elif kind == "flush":
                s.flush()
            elif kind == "compact":
                s.compact()
            else:
                s.close()
                s = tsdb_core.open(root, config=cfg)
            if not model:
                continue
            got = s.scan("db", None, "m", MIN_TIME, MAX_TIME).collect()
            got_map = {(r.get("host"), r["time"]): {"x": r.get("x"), "y": r.get("y")} for r in got.to_dicts()}
            assert got.height == len(got_map) == len(model)
            assert got_map == model
    finally:
        s.close()


def _window_rows(s) -> list[dict]:
    return s.scan("db", None, "m", MIN_TIME, MAX_TIME).collect().sort(["time", "host"], nulls_last=False).to_dicts()


@pytest.mark.local_files("reads the Parquet files on disk")
def test_a_window_merged_in_slices_equals_one_merge(tmp_path):
    """Many series, points written twice across files, series without the leading tag, and a
    series index that misses some values (the slices still cover every row)."""
    def fill(s):
        for rnd in range(4):
            lines = []
            for h in range(40):
                host = f",host=h{h:02d}" if h % 9 else ""  # every ninth series has no host
                for t in range(rnd, 30, 2):  # rounds overlap: the same points again, new values
                    lines.append(f"m,dc=d{h % 3}{host} x={rnd * 100 + t}i{',y=1i' if rnd % 2 else ''} "
                                 f"{T0 + t * 10**9}")
            s.write("db", "\n".join(lines))
            s.flush()

    outs = []
    for slice_rows, forget in ((1_000_000, False), (150, False), (150, True)):
        with tsdb_core.open(tmp_path / f"s{slice_rows}{forget}",
                            config=StoreConfig.for_tests(compact_min_files=99, compact_slice_rows=slice_rows)) as s:
            s.create_database("db")
            fill(s)
            assert len(s.files()) == 4
            if forget:  # the index lacks some hosts: their rows fall between the slices' bounds
                real = s._engine.state.index.series
                s._engine.state.index.series = lambda key: real(key).filter(pl.col("host").is_in(["h03", "h20"]).not_())
            before = _window_rows(s)
            assert s.compact() == 1
            [f] = s.files()
            assert f.rows == len(before)
            after = _window_rows(s)
            assert after == before
            outs.append(after)
            import pyarrow.parquet as pq
            assert pq.read_metadata(s.root / f.path).num_row_groups >= 1
            # the file is laid out by series: the decoded cache can index it
            assert s._engine.state.files._decoded_file(f, ["dc", "host"]).starts is not None
    assert outs[0] == outs[1] == outs[2]


def test_a_slice_that_loses_rows_stops_the_compaction(tmp_path, monkeypatch):
    with tsdb_core.open(tmp_path, config=StoreConfig.for_tests(compact_min_files=99, compact_slice_rows=10)) as s:
        s.create_database("db")
        for rnd in range(2):
            s.write("db", "\n".join(f"m,host=h{h} x={rnd}i {T0 + h}" for h in range(30)))
            s.flush()
        before = _window_rows(s)
        real = s._engine.state.files.scan  # a read that misses rows (what the count guards against)
        monkeypatch.setattr(s._engine.state.files, "scan", lambda files: real(files).filter(pl.col("host") != "h5"))
        try:
            s.compact()
        except RuntimeError as e:
            assert "not merged" in str(e)
        else:
            raise AssertionError("a compaction that read fewer rows than its inputs went on")
        assert len(s.files()) == 2 and _window_rows(s) == before  # nothing replaced, nothing lost
        assert not list(s.root.rglob("*.tmp*"))
