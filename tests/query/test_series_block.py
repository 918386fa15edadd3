"""A GROUP BY answer of many small series keeps their rows as one SeriesBlock (results.py):
the rows are built once, for every series, when the first ``values`` is read, and they are
the rows the answer had before (checked against the same answer with the block declined)."""
from __future__ import annotations

import tsdb_core
from tsdb_core.query import engine

LINES = "\n".join(f"cpu,host=h{h},dc=d{h % 2} v={h * 0.25 + t},n={t}i {t * 60 * 10**9}"
                  for h in range(8) for t in range(20))
Q = "SELECT mean(v), max(n) FROM cpu WHERE time >= 0 AND time < 20m GROUP BY time(5m), host, dc"


def _answer(tmp_path, name):
    with tsdb_core.open(tmp_path / name) as store:
        store.create_database("db")
        assert not store.write("db", LINES, "ns").errors
        return store.query(Q, "db").statements[0].series


def test_many_small_series_share_one_block(tmp_path, monkeypatch):
    monkeypatch.setattr(engine, "BLOCK_ROWS", 32)
    series = _answer(tmp_path, "a")
    assert len(series) == 8 and [s.n_rows for s in series] == [4] * 8
    spans = [s.span for s in series]
    block = spans[0][0]
    assert [(sp[0] is block, sp[1], sp[2]) for sp in spans] == [(True, 4 * i, 4) for i in range(8)]
    assert series[0].tags == {"dc": "d0", "host": "h0"} and series[1].tags == {"dc": "d0", "host": "h2"}
    rows = series[3].values  # every series' rows built at once: the block is spent
    assert block.spent and all(s.span is None for s in series)
    assert series[3].tags == {"dc": "d0", "host": "h6"}  # v = 1.5 + minute
    assert rows == [["1970-01-01T00:00:00Z", 3.5, 4], ["1970-01-01T00:05:00Z", 8.5, 9],
                    ["1970-01-01T00:10:00Z", 13.5, 14], ["1970-01-01T00:15:00Z", 18.5, 19]]
    monkeypatch.setattr(engine, "BLOCK_ROWS", 10**9)  # the rows built as before
    plain = _answer(tmp_path, "b")
    assert all(s.span is None for s in plain)
    assert plain == series
