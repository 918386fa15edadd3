"""exec/fast_tree.py (influxd's reduce tree over series runs, and stddev() over the series'
merge: the fast executor, and the general path without GROUP BY tags) answers bit for bit as
the rows' replay (exec/go_reduce.py, itself
checked against a literal port of influxd's iterators in test_go_reduce.py)."""
from __future__ import annotations

import json

import pytest

from hypothesis import given, settings
from hypothesis import strategies as st

import tsdb_core
from tsdb_core.query import engine
from tsdb_core.query.exec import fast_tree, lazy

DAY = 86_400


@st.composite
def stores(draw):
    """Lines of several series over three weeks (four shard groups): at shared instants (a
    scrape, some series starting late or at a phase) or each at its own; floats of 15 digits,
    some points perhaps without them."""
    n = draw(st.integers(1, 12))
    regular = draw(st.booleans())
    step = draw(st.sampled_from([1_800, 3_600, 7_200]))
    seed = draw(st.integers(0, 2**31 - 1))
    gaps = draw(st.booleans())  # some points without x (a null: no point of x)
    lines = []
    for h in range(n):
        t = (seed >> h) % 3 * DAY if not regular else draw(st.sampled_from([0, 0, 60, 2 * DAY]))
        end = 21 * DAY - draw(st.sampled_from([0, 0, 7_200, 5 * DAY]))
        while t < end:
            seed = (seed * 1103515245 + 12345) % 2**31
            x = f"{(seed % 10**15) / 10**(seed % 9):.15g}"
            fields = f"k={seed % 1000 - 300}i" if gaps and seed % 7 == 0 else f"x={x},k={seed % 1000 - 300}i"
            lines.append(f"m,host=h{h},dc=d{h % 3} {fields} {t}000000000")
            t += step if regular else step + seed % 5_000
    return lines


QUERIES = [
    "SELECT mean(x) FROM m WHERE {w}time >= '1970-01-01T00:00:00Z' AND time < '1970-01-20T00:00:00Z' GROUP BY time({e})",
    "SELECT sum(x), max(x), count(x) FROM m WHERE {w}time >= '1970-01-02T00:00:00Z' AND time < '1970-01-21T00:00:00Z' GROUP BY time({e}) fill(none)",
    "SELECT mean(k), sum(k), min(x) FROM m WHERE {w}time >= '1970-01-01T00:00:00Z' AND time < '1970-01-20T00:00:00Z' GROUP BY time({e})",
    "SELECT sum(x), mean(x) FROM m WHERE {w}time >= '1970-01-03T00:00:00Z' AND time < '1970-01-19T00:00:00Z'",
    "SELECT mean(x) FROM m WHERE {w}time >= '1970-01-01T00:00:00Z' AND time < '1970-01-20T00:00:00Z' GROUP BY time({e}) fill(previous)",
    "SELECT mean(k), sum(x) FROM m WHERE {w}time >= '1970-01-02T00:00:00Z' AND time < '1970-01-16T00:00:00Z' fill(7)",
    "SELECT stddev(x), mean(x), stddev(k) FROM m WHERE {w}time >= '1970-01-01T00:00:00Z' AND time < '1970-01-20T00:00:00Z' GROUP BY time({e})",
    "SELECT stddev(x), count(x) FROM m WHERE {w}time >= '1970-01-02T00:00:00Z' AND time < '1970-01-21T00:00:00Z' GROUP BY time({e}) fill(none)",
]


@settings(max_examples=40, deadline=None)
@given(stores(), st.sampled_from(QUERIES), st.sampled_from(["6h", "1d", "2d", "7d", "10d, 2d", "3d, 1h"]),
       st.sampled_from(["", "dc = 'd0' AND ", "(host = 'h0' OR host = 'h1' OR host = 'h2') AND "]))
def test_runs_tree_equals_the_rows_replay(lines, query, every, where):
    with pytest.MonkeyPatch.context() as monkeypatch:
        _check(monkeypatch, lines, query, every, where)


def _check(monkeypatch, lines, query, every, where):
    s = tsdb_core.open(None)
    s.create_database("db")
    s.write("db", "\n".join(lines))
    s.flush()  # (files: rows held as series runs)
    q = query.format(w=where, e=every)
    got = json.dumps(s.query(q, db="db").to_json())
    monkeypatch.setattr(lazy, "_runs_tree", lambda *a, **k: None)
    want = json.dumps(engine.execute(s, q, db="db", fast=False).to_json())
    monkeypatch.undo()
    assert got == want, q
    return got


@pytest.mark.parametrize("query", QUERIES)
def test_hosts_of_a_scrape_are_read_as_runs(query):
    """Twenty hosts at the same instants (the dashboard case: the halves' rounds, one grid sum
    a shard group), and with one host late and another at a phase: the runs are read, and the
    answer is the replay's."""
    lines = [f"m,host=h{h},dc=d{h % 3} x={(i * 7919 + h * 104729) % 10**9 / 997:.15g},k={i % 50}i "
             f"{(i * 1_800 + (60 if h == 3 else 0)) * 10**9}" for h in range(20) for i in range(6 * h, 1_000)]
    used: list = []
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setattr(fast_tree, "_series_major", _counted(fast_tree._series_major, used))
        _check(monkeypatch, lines, query, "1d", "")
    assert used


def _counted(f, used: list):
    def wrapped(*a, **k):
        used.append(1)
        return f(*a, **k)
    return wrapped


@pytest.mark.parametrize("q", [
    "SELECT sum(x) FROM nothing WHERE time >= 0 AND time < 1h GROUP BY time(10m)",
    "SELECT mean(x) FROM nothing WHERE time >= 0 AND time < 30d GROUP BY time(10m)",
    "SELECT sum(x), stddev(x) FROM nothing",
    "SELECT sum(x) FROM /noth.*/ WHERE time >= 0 AND time < 30d GROUP BY time(1d)",
])
def test_a_measurement_no_point_has_answers_no_series(q):
    """A statement without sources (no such measurement yet) is no series, as influxd answers
    it, not an error of the reduce tree's reads."""
    s = tsdb_core.open(None)
    s.create_database("db")
    s.write("db", "m x=1.5 0")
    assert s.query(q, db="db").to_json() == {"results": [{"statement_id": 0}]}


STDDEVS = [q for q in QUERIES if "stddev" in q]


@settings(max_examples=30, deadline=None)
@given(stores(), st.sampled_from(STDDEVS), st.sampled_from(["6h", "1d", "2d", "7d", "10d, 2d", "3d, 1h"]),
       st.sampled_from(["", "dc = 'd0' AND ", "(host = 'h0' OR host = 'h1' OR host = 'h2') AND "]))
def test_stddev_over_the_series_merge_equals_the_rows_replay(lines, query, every, where):
    with pytest.MonkeyPatch.context() as monkeypatch:
        _check(monkeypatch, lines, query, every, where)


def test_stddev_of_a_scrape_is_taken_from_the_runs():
    """Twenty hosts at the same instants (ties: the heap's rounds), one late, one at a phase:
    the fast executor answers from the runs (no row replay), as the replay does."""
    lines = [f"m,host=h{h} x={(i * 7919 + h * 104729) % 10**9 / 997:.15g} {(i * 600 + (60 if h == 3 else 0)) * 10**9}"
             for h in range(20) for i in range(6 * h, 1_000)]
    answered: list = []
    with pytest.MonkeyPatch.context() as monkeypatch:
        def stddev(*a, **k):
            got = real(*a, **k)
            answered.append(got is not None)
            return got
        real = fast_tree._stddev
        monkeypatch.setattr(fast_tree, "_stddev", stddev)
        got = _check(monkeypatch, lines, STDDEVS[0].replace("mean(x), stddev(k)", "count(x)"), "3h", "")
    assert answered and all(answered)
    assert '"stddev"' in got


@pytest.mark.parametrize("calls", ["sum(x)", "sum(x), mean(x), mean(k)"])
def test_a_statement_without_group_by_is_answered_from_the_runs(calls):
    """No GROUP BY: the one row is built from the runs' sums (no Polars aggregation first),
    equal to the rows' replay; a range without points: no row, as the general path says."""
    lines = [f"m,host=h{h} x={(i * 7919 + h * 104729) % 10**9 / 997:.15g},k={i % 50}i {(i * 600 + 60 * (h == 3)) * 10**9}"
             for h in range(20) for i in range(6 * h, 1_000)]
    rows: list = []
    with pytest.MonkeyPatch.context() as monkeypatch:
        def row(*a, **k):
            got = real(*a, **k)
            rows.append(got)
            return got
        real = lazy._runs_row
        monkeypatch.setattr(lazy, "_runs_row", row)
        got = _check(monkeypatch, lines, f"SELECT {calls} FROM m WHERE time >= 3600s AND time < 500000s", "", "")
        empty = _check(monkeypatch, lines, f"SELECT {calls} FROM m WHERE time >= 700000s AND time < 800000s", "", "")
    assert rows[0] is not None and rows[0].height == 1
    assert '"values"' in got and '"series"' not in empty


@pytest.mark.parametrize("limits", ["SLIMIT 1", "SOFFSET 1", "SLIMIT 1 SOFFSET 1"])
def test_series_limits_without_group_by_leave_the_general_path(limits):
    """SLIMIT/SOFFSET pick the one group's series: SOFFSET 1 leaves none (no row), as without runs."""
    lines = [f"m,host=h{h} x={i * 0.1 + h:.15g} {i * 600 * 10**9}" for h in range(5) for i in range(300)]
    with pytest.MonkeyPatch.context() as monkeypatch:
        got = _check(monkeypatch, lines, f"SELECT sum(x) FROM m WHERE time >= 0s AND time < 500000s {limits}", "", "")
    assert ('"series"' in got) == ("SOFFSET" not in limits)


def test_texts_of_a_family_share_their_reduce_tree_facts_and_a_new_field_type_is_read_again():
    # the plan cache moves a family's plan to each new text (another host and time range):
    # the moved plans share the columns, and with them what _reduce_tree worked out of them
    from tsdb_core.query.exec import fast
    store = tsdb_core.open(None)
    store.create_database("db")
    store.write("db", "\n".join(f"m,host=h{k % 3} x={k}.5 {k * 60}000000000" for k in range(300)))
    q = "SELECT sum(x) FROM m WHERE host = '{h}' AND time >= '{a}' AND time < '{b}' GROUP BY time(10m)"
    fast._tree_calls.clear()
    answers = [store.query(q.format(h=f"h{k % 3}", a=f"1970-01-01T0{k % 3}:0{k}:00Z",
                                    b=f"1970-01-01T0{k % 3 + 1}:0{k}:00Z"), db="db") for k in range(6)]
    assert all(a.statements[0].error is None and a.statements[0].series for a in answers)
    assert store.plan_cache.moved >= 3
    # the first two texts were planned in full (the second checks the family); the four moved
    # after them share the first's columns (one record a text before)
    assert len(fast._tree_calls) == 2
    assert all(v[2:] == (1, False, True) for v in fast._tree_calls.values())  # sum() of a float: the tree's
    store.write("db", f"m,host=h0 y=1i {400 * 60}000000000")  # another field: the schema is asked anew
    store.query(q.format(h="h1", a="1970-01-01T00:07:00Z", b="1970-01-01T01:07:00Z"), db="db")
    assert [v[2] for v in fast._tree_calls.values()].count(2) == 1
