"""Float sums and means of one series' windows (1 to 2,000 points) as influxd adds them: the
window's values one after another in time order, ``s += v`` (tests/query/test_v1sums.py holds
influxd's own answers). Polars adds a slice of 128 values or more in blocks, a list one value
after another (exec/runs.py's ``lists_add_in_order``); rows of files that overlap in time, or
of a file and buffered rows, come merged out of time order. Both executors, every layout;
means grouped by tags excepted (exec/lazy.py's ``_agg_exprs``: kept as Polars adds them)."""
from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import tsdb_core
from tsdb_core.query.exec import runs

from .test_fastpath import _both

S = 1_000_000_000
LAYOUTS = ("file", "buffer", "two files overlapping", "file and buffer overlapping", "written shuffled")


def _loop(xs: list[float]) -> float:
    s = 0.0
    for x in xs:
        s += x
    return s


def _store(root: Path, lines: list[str], layout: str, rng: np.random.Generator):
    store = tsdb_core.open(root)
    store.create_database("db")
    if layout == "written shuffled":
        lines = [lines[i] for i in rng.permutation(len(lines))]
    halves = [lines[0::2], lines[1::2]] if "overlapping" in layout else [lines]
    for i, part in enumerate(halves):
        assert store.write("db", "\n".join(part)).ok
        if layout == "file" or (i == 0 and "overlapping" in layout) or layout == "two files overlapping":
            store.flush()
    return store


def _values(series) -> list[list]:
    return [row[1:] for s in series for row in s.to_json()["values"] if row[1] is not None]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(n=st.integers(1, 2400), window=st.integers(1, 2000), layout=st.sampled_from(LAYOUTS),
       seed=st.integers(0, 2**32 - 1))
def test_window_sums_add_in_time_order(tmp_path_factory, n, window, layout, seed):
    rng = np.random.default_rng(seed)
    x = {h: rng.standard_normal(n) * 10.0 ** rng.integers(-3, 9, n) for h in ("a", "b")}
    lines = [f"m,host={h} v={float(v)!r} {k * S}" for h in x for k, v in enumerate(x[h])]
    root = Path(tempfile.mkdtemp(dir=tmp_path_factory.getbasetemp()))
    store = _store(root / "data", lines, layout, rng)
    try:
        want = {h: [[_loop(x[h][w:w + window].tolist()), _loop(x[h][w:w + window].tolist()) / len(x[h][w:w + window])]
                    for w in range(0, n, window)] for h in x}
        r = f"time >= 0 AND time < {n}s"
        fast, general = _both(store, f"SELECT sum(v), mean(v) FROM m WHERE host = 'a' AND {r} GROUP BY time({window}s)")
        assert fast is not None and _values(fast) == want["a"] and _values(general) == want["a"]
        _, general = _both(store, f"SELECT sum(v) FROM m WHERE {r} GROUP BY time({window}s), host")
        assert _values(general) == [[s] for s, _ in want["a"] + want["b"]]  # (means grouped by tags: not so)
        _, general = _both(store, f"SELECT sum(v), mean(v) FROM m WHERE host = 'b' AND {r}")
        assert _values(general) == [[_loop(x["b"].tolist()), _loop(x["b"].tolist()) / n]]
    finally:
        store.close()
        shutil.rmtree(root, ignore_errors=True)


def test_polars_adds_a_list_in_order():
    """What the in-order sums rely on: Polars' list.sum and list.mean add one value after
    another (a Polars that adds them otherwise fails here, not silently in the last digits)."""
    assert runs.lists_add_in_order()
