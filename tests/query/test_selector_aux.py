"""A selector beside plain fields in GROUP BY time windows: the fields are read at the
selector's point, the time is the window's (answers recorded from influxd 1.6.7)."""
from __future__ import annotations

import pytest

import tsdb_core

LINES = "\n".join(f'm,host=h{i % 2} v={i},s="x{i}",i={i}i {i * 600 * 10**9}' for i in range(20))
W = ["1970-01-01T00:00:00Z", "1970-01-01T01:00:00Z", "1970-01-01T02:00:00Z", "1970-01-01T03:00:00Z"]

CASES = [
    ("SELECT max(v), s FROM m WHERE time < 4h GROUP BY time(1h)",
     ["time", "max", "s"], [[W[0], 5.0, "x5"], [W[1], 11.0, "x11"], [W[2], 17.0, "x17"], [W[3], 19.0, "x19"]]),
    ("SELECT v, first(s) FROM m WHERE time < 4h GROUP BY time(1h)",
     ["time", "v", "first"], [[W[0], 0.0, "x0"], [W[1], 6.0, "x6"], [W[2], 12.0, "x12"], [W[3], 18.0, "x18"]]),
    ("SELECT max(v), s, host FROM m GROUP BY time(1h) fill(none)",
     ["time", "max", "s", "host"],
     [[W[0], 5.0, "x5", "h1"], [W[1], 11.0, "x11", "h1"], [W[2], 17.0, "x17", "h1"], [W[3], 19.0, "x19", "h1"]]),
]


@pytest.fixture(scope="module")
def store():
    s = tsdb_core.open(None)
    s.write("db", LINES)
    yield s
    s.close()


@pytest.mark.parametrize("q,columns,values", CASES, ids=[c[0] for c in CASES])
def test_selector_with_aux_fields_in_windows(store, q, columns, values):
    [series] = store.query(q, db="db").to_json()["results"][0]["series"]
    assert series["columns"] == columns
    assert series["values"] == values


@pytest.mark.parametrize("q,want", [
    # a name the subquery does not select compares as '' (influxd: no rows, not an error)
    ("SELECT spread(i) FROM (SELECT v FROM m) WHERE nope = 1", {"statement_id": 0}),
    ("SELECT spread(i) FROM (SELECT v FROM m) WHERE nope != 1", {"statement_id": 0}),
    ("SELECT integral(s) * 1s FROM m WHERE time < 4h GROUP BY time(1m)",
     {"statement_id": 0, "error": "unsupported integral iterator type: *query.stringInterruptIterator"}),
    # the same in a plain query: the absent name is '' (influxd 1.6.7's answers)
    ("SELECT v FROM m WHERE nope = 1", {"statement_id": 0}),
    ("SELECT v FROM m WHERE nope != 1 LIMIT 1", {"statement_id": 0}),
    ("SELECT v FROM m WHERE nope = '' LIMIT 1", {"statement_id": 0, "series": [
        {"name": "m", "columns": ["time", "v"], "values": [["1970-01-01T00:00:00Z", 0.0]]}]}),
    ("SELECT v FROM m WHERE nope =~ /^$/ LIMIT 1", {"statement_id": 0, "series": [
        {"name": "m", "columns": ["time", "v"], "values": [["1970-01-01T00:00:00Z", 0.0]]}]}),
    ("SELECT v FROM m WHERE nope != 'x' LIMIT 1", {"statement_id": 0, "series": [
        {"name": "m", "columns": ["time", "v"], "values": [["1970-01-01T00:00:00Z", 0.0]]}]}),
], ids=["missing-eq", "missing-ne", "integral-of-string", "plain-eq-1", "plain-ne-1", "plain-eq-empty",
        "plain-regex-empty", "plain-ne-x"])
def test_fuzzer_findings_answer_as_influxd(store, q, want):
    assert store.query(q, db="db").to_json()["results"][0] == want
