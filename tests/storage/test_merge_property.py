"""Property: whatever the interleaving of writes, flushes, compactions and reopens,
every read equals a model of InfluxDB's rule (same series + time → field-level merge, last write wins)."""
from __future__ import annotations

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import tsdb_core
from tsdb_core import StoreConfig
from tsdb_core.model import FieldType, MeasurementBatch
from tsdb_core.timeutil import D

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
@given(ops=st.lists(op, min_size=1, max_size=12))
def test_reads_match_the_merge_model(tmp_path_factory, ops):
    root = tmp_path_factory.mktemp("prop") / "s"
    cfg = StoreConfig.for_tests(compact_min_files=3)
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
            got = s.scan("db", "m").collect()
            got_map = {(r.get("host"), r["time"]): {"x": r.get("x"), "y": r.get("y")} for r in got.to_dicts()}
            assert got.height == len(got_map) == len(model)
            assert got_map == model
    finally:
        s.close()
