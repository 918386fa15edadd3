"""fill() of a row's missing selected names (exec/aux_fill.py); the shapes are recorded from
influxd 1.6.7 in v1diff.json, here: the cast rules and a long answer (built as rows)."""
from __future__ import annotations

import polars as pl
import pytest

import tsdb_core
from tsdb_core.base.time import fixed_clock
from tsdb_core.query.exec.aux_fill import cast_fill

S = 1_000_000_000


@pytest.mark.parametrize("value, dtype, want", [
    (1.5, pl.Int64, 1), (-1.5, pl.Int64, -1), (7, pl.Float64, 7.0), (-2, pl.UInt64, (1 << 64) - 2),
    (1.5, pl.Null, 1.5), (0, pl.Null, 0), (3, pl.String, None), (3, pl.Boolean, None)])
def test_cast_as_influxd(value, dtype, want):
    """castToType (query/cast.go): Go's conversions; text and booleans keep the number."""
    got = cast_fill(value, dtype)
    assert got == want and type(got) is type(want)


def test_long_answer_carries_the_number_in_text_cells():
    """Past FRAME_ROWS an answer usually stays a frame: with fill(<number>) in a text column
    it is built as rows, the number in the cells the tag is missing from."""
    store = tsdb_core.open(None, clock=fixed_clock(10**6 * S))
    try:
        store.create_database("db")
        lines = [f"m,host=h{i % 3} v={i}" if i % 2 else f"m v={i}" for i in range(6000)]
        body = "\n".join(f"{line} {i * S}" for i, line in enumerate(lines))
        assert store.write("db", body).ok
        res = store.query("SELECT v, host FROM m fill(-1)", db="db")
        series = res.statements[0].series[0]
        assert series.frame is None
        rows = series.values
        assert len(rows) == 6000
        assert [r[2] for r in rows[:4]] == [-1, "h1", -1, "h0"]
        assert sum(1 for r in rows if r[2] == -1) == 3000
        prev = store.query("SELECT v, host FROM m fill(previous)", db="db").statements[0].series[0].values
        assert [r[2] for r in prev[:5]] == [None, "h1", "h1", "h0", "h0"]
    finally:
        store.close()
