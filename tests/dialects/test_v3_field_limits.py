"""LIMIT/OFFSET over several fields: InfluxDB 3 limits each field on its own, influxd 1.x rows.

influxdb3 (tsdb_core/query/exec/field_limits.py): the planner puts one limit expression per value
column of the projection (influxdb3_core iox_query_influxql/src/plan/planner.rs, ``fn limit``)::

    null_treatment: if f.is_influxql_filled() {
        NullTreatment::RespectNulls
    } else {
        NullTreatment::IgnoreNulls
    },
    default_value: match fill_clause {
        FillClause::Value(n) => number_to_scalar(n, f.data_type())
            .or_else(|_| f.data_type().try_into())
            .map(|v| Expr::Literal(v, None))?,
        _ => f.data_type().try_into().map(|v| Expr::Literal(v, None))?,
    },

and SeriesLimitExec (iox_query/src/exec/series_limit/physical.rs, ``process_batch``) numbers each
column's rows per series (``row_number``: "IGNORE NULLS: Null values are skipped and assigned null
row numbers"), keeps a row when "any filter is true at each position"
(``filters.iter().any(|filter| filter.value(row_idx))``) and writes each column through its own
filter: ``arrow::compute::kernels::zip::zip(&filter, &arr, default_value)``. Raw fields are not
filled: IGNORE NULLS, default NULL (planner snapshot
``select_raw__select_group_by_limit_offset-3.snap``: ``limit_expr=[usage_idle IGNORE NULLS
(default: Float64(NULL))], skip=UInt64(1), fetch=UInt64(1)``). An Aggregate's outputs are
(``planner.rs``: ``.chain(aggregate.aggr_expr.iter().map(|_| true))``): RESPECT NULLS, so a
fill(null) window counts as a row (``select_aggregate__single_measurement__with_limit_or_offset3.snap``:
``limit_expr=[count RESPECT NULLS (default: Int64(NULL))], skip=UInt64(3), fetch=UInt64(2)``), and
the field beside a selector too (``select__functions__selectors_additional_fields_3.snap``:
``limit_expr=[last RESPECT NULLS (default: Float64(0)), usage_system RESPECT NULLS (default:
Float64(0))]``).

influxdb1: influxd 1.x limits rows (unchanged, ``lazy.finish``).
"""
from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tsdb_core
from tsdb_core.testing import ManualClock

from .both_dialects import store_in_both_dialects

# physical.rs test_multiple_limited_expressions_ignore_nulls(_with_offset):
#   ("time", int_array([1, 2, 3, 4])),
#   ("value1", float_array([Some(1.0), None, Some(3.0), Some(4.0)])),
#   ("value2", float_array([Some(10.0), Some(20.0), None, Some(40.0)])),
# (tag "a" here host=a); host=b holds value1 only; ``s`` (physical.rs test_with_nulls_ignore):
#   [1, 2, 3, 4, 5], [Some(1.0), None, Some(3.0), None, Some(5.0)]; ``n``: a field past the others.
LINES = "\n".join([
    "m,host=a value1=1,value2=10 1", "m,host=a value2=20 2", "m,host=a value1=3 3", "m,host=a value1=4,value2=40 4",
    "m,host=b value1=7 5",
    "s value=1 1", "s other=0 2", "s value=3 3", "s other=0 4", "s value=5 5",
    "s2 value1=5 1", "s2 value2=6 2", "s2 value2=7 3",
    "n,host=a x=1 1", "n,host=a x=2,y=20 2", "n,host=a x=3 3",
])
store = store_in_both_dialects(LINES)


def rows(s, q: str) -> dict:
    """{series tags: rows with their nanosecond times} of the one statement (or its error)."""
    (res,) = s.query(q, db="db", epoch="ns").to_json()["results"]
    if "error" in res:
        return res["error"]
    return {tuple(sorted((x.get("tags") or {}).items())): x["values"] for x in res.get("series", [])}


A, B = (("host", "a"),), (("host", "b"),)
M = "SELECT value1, value2 FROM m"

CASES = [  # (query, influxdb3, influxdb1)
    # test_multiple_limited_expressions_ignore_nulls: skip 0, fetch 2:
    #   | a | 1 | 1.0 | 10.0 |  | a | 2 | 0.0 | 20.0 |  | a | 3 | 3.0 | 0.0 |  (defaults 0.0 there, NULL here)
    (f"{M} GROUP BY host LIMIT 2",
     {A: [[1, 1.0, 10.0], [2, None, 20.0], [3, 3.0, None]], B: [[5, 7.0, None]]},
     {A: [[1, 1.0, 10.0], [2, None, 20.0]], B: [[5, 7.0, None]]}),
    # ..._with_offset: skip 1, fetch 2:
    #   | a | 2 | 0.0 | 20.0 |  | a | 3 | 3.0 | 0.0 |  | a | 4 | 4.0 | 40.0 |
    (f"{M} GROUP BY host LIMIT 2 OFFSET 1",
     {A: [[2, None, 20.0], [3, 3.0, None], [4, 4.0, 40.0]]},
     {A: [[2, None, 20.0], [3, 3.0, None]]}),
    # ORDER BY time DESC numbers from the newest (order=[time DESC]): value1 4, 3, 1; value2 40, 20, 10
    (f"{M} GROUP BY host ORDER BY time DESC LIMIT 2 OFFSET 1",
     {A: [[3, 3.0, None], [2, None, 20.0], [1, 1.0, 10.0]]},
     {A: [[3, 3.0, None], [2, None, 20.0]]}),
    (f"{M} GROUP BY host ORDER BY time DESC LIMIT 1",
     {A: [[4, 4.0, 40.0]], B: [[5, 7.0, None]]},
     {A: [[4, 4.0, 40.0]], B: [[5, 7.0, None]]}),
    # OFFSET alone: value1's rows past its first, value2's past its first (1.x: its storage reads
    # OFFSET+1 points a shard group, SelectPlan.offset_shard; v3 has no shard groups)
    (f"{M} GROUP BY host OFFSET 1",
     {A: [[2, None, 20.0], [3, 3.0, None], [4, 4.0, 40.0]]},
     {A: [[2, None, 20.0]]}),
    (f"{M} GROUP BY host OFFSET 3", {}, {A: [[4, 4.0, 40.0]]}),
    # no GROUP BY: one series, host=b's row included (value1: 1, 3, 4, 7; value2: 10, 20, 40)
    (f"{M} LIMIT 1 OFFSET 2", {(): [[4, 4.0, 40.0]]}, {(): [[3, 3.0, None]]}),
    (f"{M} LIMIT 1 OFFSET 3", {(): [[5, 7.0, None]]}, {(): [[4, 4.0, 40.0]]}),
    (f"{M} ORDER BY time DESC LIMIT 2",
     {(): [[5, 7.0, None], [4, 4.0, 40.0], [2, None, 20.0]]},
     {(): [[5, 7.0, None], [4, 4.0, 40.0]]}),
    # a kept row's field outside its own range reads null though it holds a value (zip with the default)
    ("SELECT x, y FROM n LIMIT 1", {(): [[1, 1.0, None], [2, None, 20.0]]}, {(): [[1, 1.0, None]]}),
    ("SELECT x, y FROM n OFFSET 1", {(): [[2, 2.0, None], [3, 3.0, None]]}, {(): [[2, 2.0, 20.0]]}),
    # math over a field: numbered where it is not null (the raw cut is off: not a plain field)
    ("SELECT value1 * 2, value2 FROM m LIMIT 1 OFFSET 1", {(): [[2, None, 20.0], [3, 6.0, None]]},
     {(): [[2, None, 20.0]]}),
    # test_with_nulls_ignore: one field, rows without it are no rows of the statement:
    #   | a | 1 | 1.0 |  | a | 3 | 3.0 |
    ("SELECT value FROM s LIMIT 2", {(): [[1, 1.0], [3, 3.0]]}, {(): [[1, 1.0], [3, 3.0]]}),
    # a wildcard's fields (the scan reads on until each field has its own rows: exec/held_scan.py)
    ("SELECT * FROM n LIMIT 1", {(): [[1, "a", 1.0, None], [2, "a", None, 20.0]]}, {(): [[1, "a", 1.0, None]]}),
    ("SELECT * FROM m GROUP BY * ORDER BY time DESC LIMIT 1",
     {A: [[4, 4.0, 40.0]], B: [[5, 7.0, None]]}, {A: [[4, 4.0, 40.0]], B: [[5, 7.0, None]]}),
    # aggregates: RESPECT NULLS, a fill(null) window is a row (with_limit_or_offset3.snap), as in 1.x
    ("SELECT max(value1), max(value2) FROM m WHERE time >= 0 AND time < 6 GROUP BY time(1ns), host LIMIT 2 OFFSET 1",
     {A: [[1, 1.0, 10.0], [2, None, 20.0]], B: [[1, None, None], [2, None, None]]},
     {A: [[1, 1.0, 10.0], [2, None, 20.0]], B: [[1, None, None], [2, None, None]]}),
    ("SELECT count(value1), count(value2) FROM m WHERE time >= 0 AND time < 6 GROUP BY time(1ns) "
     "ORDER BY time DESC LIMIT 3",
     {(): [[5, 1, 0], [4, 1, 1], [3, 1, 0]]}, {(): [[5, 1, 0], [4, 1, 1], [3, 1, 0]]}),
    ("SELECT mean(value1), mean(value2) FROM m WHERE time >= 0 AND time < 8 GROUP BY time(2ns) fill(0) OFFSET 2",
     {(): [[4, 5.5, 40.0], [6, 0.0, 0.0]]}, {(): [[4, 5.5, 40.0], [6, 0.0, 0.0]]}),
    # fill(<number>) without LIMIT/OFFSET: planner.rs ``fn limit`` returns its input as it is only
    #   if offset.is_none() && limit.is_none() && !matches!(fill_clause, FillClause::Value(_)) {
    # (called from project_select for raw and aggregate plans alike with ``&ctx.fill.unwrap_or_default()``),
    # so a SeriesLimit of skip 0, no fetch runs: a transform's null (IGNORE NULLS: no row number, outside
    # the range) reads the default, the number. influxd 1.6.7 (asked on loopback, these lines): each call
    # its own stream, limited alone, its cursor reading fill()'s number where a stream has no point at the
    # row, the stream's last value under fill(previous), null otherwise (fill(linear) too)
    ("SELECT difference(value1), difference(value2) FROM m GROUP BY host fill(9)",
     {A: [[2, 9.0, 10.0], [3, 2.0, 9.0], [4, 1.0, 20.0]]}, {A: [[2, 9.0, 10.0], [3, 2.0, 9.0], [4, 1.0, 20.0]]}),
    ("SELECT difference(value1), difference(value2) FROM m GROUP BY host fill(-1.5) LIMIT 1",
     {A: [[2, -1.5, 10.0], [3, 2.0, -1.5]]}, {A: [[2, -1.5, 10.0], [3, 2.0, -1.5]]}),
    ("SELECT difference(value1), difference(value2) FROM m GROUP BY host",
     {A: [[2, None, 10.0], [3, 2.0, None], [4, 1.0, 20.0]]}, {A: [[2, None, 10.0], [3, 2.0, None], [4, 1.0, 20.0]]}),
    # aggregates (RESPECT NULLS) under fill(<number>) alone: every row in range, as the gap fill left it
    # (host=b has no point in the range: no series)
    ("SELECT max(value1), max(value2) FROM m WHERE time >= 0 AND time < 4 GROUP BY time(1ns), host fill(7)",
     {A: [[0, 7.0, 7.0], [1, 1.0, 10.0], [2, 7.0, 20.0], [3, 3.0, 7.0]],},
     {A: [[0, 7.0, 7.0], [1, 1.0, 10.0], [2, 7.0, 20.0], [3, 3.0, 7.0]],}),
    # a selector's aux field is filled too (selectors_additional_fields_3.snap): rows, not values
    ("SELECT last(value1), value2 FROM m WHERE time >= 0 AND time < 6 GROUP BY time(2ns) LIMIT 2",
     {(): [[0, 1.0, 10.0], [2, 3.0, None]]}, {(): [[0, 1.0, 10.0], [2, 3.0, None]]}),
]


@pytest.mark.parametrize("q,v3,v1", CASES, ids=[c[0] for c in CASES])
def test_limits_as_each_dialect(store, q, v3, v1):
    dialect, s = store
    assert rows(s, q) == (v3 if dialect == "influxdb3" else v1)


# influxd 1.6.7's answers (asked on loopback over LINES' m): a raw statement's transforms read by
# its cursor, fill()'s number or the stream's last value where a call has no point at the row
V1_TRANSFORM_FILLS = [
    ("SELECT difference(value1), difference(value2) FROM m GROUP BY host fill(previous)",
     {A: [[2, None, 10.0], [3, 2.0, 10.0], [4, 1.0, 20.0]]}),
    ("SELECT difference(value1), difference(value2) FROM m GROUP BY host fill(linear)",
     {A: [[2, None, 10.0], [3, 2.0, None], [4, 1.0, 20.0]]}),
    ("SELECT difference(value1) * 2, difference(value2) + 1 FROM m GROUP BY host fill(9)",
     {A: [[2, 18.0, 11.0], [3, 4.0, 10.0], [4, 2.0, 21.0]]}),
    ("SELECT difference(value1), difference(value2) FROM m GROUP BY host fill(9) ORDER BY time DESC",
     {A: [[3, -1.0, 9.0], [2, 9.0, -20.0], [1, -2.0, -10.0]]}),
    ("SELECT difference(value1), difference(value2) FROM m GROUP BY host fill(previous) ORDER BY time DESC",
     {A: [[3, -1.0, None], [2, -1.0, -20.0], [1, -2.0, -10.0]]}),
    ("SELECT difference(value1), difference(value2) FROM m GROUP BY host fill(previous) LIMIT 1",
     {A: [[2, None, 10.0], [3, 2.0, 10.0]]}),
    ("SELECT difference(value1), difference(value2) FROM m fill(9)",
     {(): [[2, 9.0, 10.0], [3, 2.0, 9.0], [4, 1.0, 20.0], [5, 3.0, 9.0]]}),
]


@pytest.mark.parametrize("q,v1", V1_TRANSFORM_FILLS, ids=[c[0] for c in V1_TRANSFORM_FILLS])
def test_influxd_fills_where_a_transform_has_no_point(store, q, v1):
    dialect, s = store
    if dialect != "influxdb1":
        pytest.skip("influxd 1.6.7's answers")
    assert rows(s, q) == v1


def test_each_measurement_is_limited_on_its_own(store):
    """planner.rs select_query_to_plan: ``self.limit(..)`` over each table's plan."""
    dialect, s = store
    (res,) = s.query("SELECT value1, value2 FROM m, s2 LIMIT 1", db="db", epoch="ns").to_json()["results"]
    got = {x["name"]: x["values"] for x in res["series"]}
    assert got == ({"m": [[1, 1.0, 10.0]], "s2": [[1, 5.0, None], [2, None, 6.0]]} if dialect == "influxdb3"
                   else {"m": [[1, 1.0, 10.0]], "s2": [[1, 5.0, None]]})


def test_a_subquery_limits_each_field_too(store):
    """planner.rs subquery_to_plan calls the same ``self.limit(..)``: its extra row reaches the outer query."""
    dialect, s = store
    if dialect != "influxdb3":
        pytest.skip("1.x's inner limits under another grouping: tests/query/test_v1subq.py")
    got = rows(s, "SELECT value1, value2 FROM (SELECT value1, value2 FROM m GROUP BY host LIMIT 1 OFFSET 1)")
    assert got == {(): [[2, None, 20.0], [3, 3.0, None]]}


# -- the answer against a per-field reference ------------------------------------------------

def reference(points: list[dict], fields: list[str], by_host: bool, desc: bool, limit: int, offset: int) -> dict:
    """SeriesLimitExec over raw fields, written out: per series, rows in time order holding some
    field; each field numbered over its own values; a row kept when some field's number is in
    [offset, offset+limit), each field read where its own number is."""
    out = {}
    key = (lambda p: (("host", p["host"]),)) if by_host else (lambda p: ())
    for k, group in itertools.groupby(sorted(points, key=lambda p: (key(p), p["t"])), key=key):
        series = [p for p in group if any(p.get(f) is not None for f in fields)]
        series = series[::-1] if desc else series
        counts = dict.fromkeys(fields, 0)
        kept = []
        for p in series:
            row, keep = [p["t"]], False
            for f in fields:
                n = counts[f] if p.get(f) is not None else None
                counts[f] += p.get(f) is not None
                inside = n is not None and n >= offset and (not limit or n < offset + limit)
                row.append(p[f] if inside else None)
                keep = keep or inside
            if keep:
                kept.append(row)
        if kept:
            out[k] = kept
    return out


_value = {"a": st.none() | st.floats(-1e6, 1e6, allow_nan=False).map(lambda v: round(v, 3)),
          "b": st.none() | st.integers(-1000, 1000),
          "c": st.none() | st.sampled_from(["x", "y z"]),
          "d": st.none() | st.booleans()}
_point = st.fixed_dictionaries({"host": st.sampled_from(["h0", "h1"]), **_value})
_points = st.lists(_point, min_size=1, max_size=14)


def _line(measurement: str, t: int, p: dict) -> str | None:
    text = {"a": lambda v: repr(float(v)), "b": lambda v: f"{v}i", "c": lambda v: f'"{v}"',
            "d": lambda v: "true" if v else "false"}
    fields = ",".join(f"{f}={text[f](p[f])}" for f in "abcd" if p[f] is not None)
    return f"{measurement},host={p['host']} {fields} {t}" if fields else None


_measurements = itertools.count()


@pytest.fixture(scope="module")
def v3_store():
    s = tsdb_core.open(clock=ManualClock("2023-01-01T00:00:00Z"), dialect="influxdb3")
    yield s
    s.close()


@settings(max_examples=120, deadline=None)
@given(points=_points, fields=st.sampled_from([["a", "b"], ["a", "b", "c", "d"], ["c", "a"], ["d"], "*"]),
       by_host=st.booleans(), desc=st.booleans(), limit=st.integers(0, 4), offset=st.integers(0, 4),
       flushed=st.booleans())
def test_v3_answer_is_the_per_field_reference(v3_store, points, fields, by_host, desc, limit, offset, flushed):
    """``flushed``: read from Parquet files, where a scan may keep a series' first rows alone
    (partitions.py build_scan's ``limit``): under several fields, rows enough for each (exec/held_scan.py)."""
    m = f"r{next(_measurements)}"
    points = [{**p, "t": t + 1} for t, p in enumerate(points)]
    lines = [x for x in (_line(m, p["t"], p) for p in points) if x is not None]
    if not lines:
        return
    assert v3_store.write("db", "\n".join(lines)).ok
    if flushed:
        v3_store.flush()
    stored = [f for f in "abcd" if any(p[f] is not None for p in points)]
    names = stored if fields == "*" else [f for f in fields if f in stored]
    if not names:
        return
    q = (f"SELECT {'*' if fields == '*' else ', '.join(names)} FROM {m}"
         + (" GROUP BY host" if by_host else "") + (" ORDER BY time DESC" if desc else "")
         + (f" LIMIT {limit}" if limit else "") + (f" OFFSET {offset}" if offset else ""))
    got = rows(v3_store, q)
    if fields == "*":  # the wildcard's columns by name, the host among them
        at = 1 + sorted([*names, "host"]).index("host")
        got = {k: [r[:at] + r[at + 1:] for r in v] for k, v in got.items()}
    assert got == reference(points, names, by_host, desc, limit, offset), q


# -- sparse fields over several files and the buffer (exec/held_scan.py) -----------------------
# Under several fields the scan still keeps each series' first rows (plan/tree.py _scan_limit),
# 2n of them, then more, then all, until each field found its n values in them: a field null for
# long stretches, in files cut anywhere, with rows left in the buffer, must read alike.

def _runs(values) -> st.SearchStrategy:
    """A field's values along the points: runs of nulls and of values, each 1-15 points long."""
    return st.lists(st.tuples(st.integers(1, 15), st.booleans(), values), min_size=1, max_size=6).map(
        lambda runs: [v if on else None for length, on, v in runs for _ in range(length)])


_sparse = st.fixed_dictionaries({"a": _runs(st.floats(-1e6, 1e6, allow_nan=False).map(lambda v: round(v, 3))),
                                 "b": _runs(st.integers(-1000, 1000)), "c": _runs(st.sampled_from(["x", "y z"])),
                                 "d": _runs(st.booleans())})


def _sparse_points(cols: dict, hosts: list[str]) -> list[dict]:
    n = max(map(len, cols.values()))
    return [{"host": hosts[i % len(hosts)], **{f: (v[i] if i < len(v) else None) for f, v in cols.items()}}
            for i in range(n)]


@settings(max_examples=120, deadline=None)
@given(cols=_sparse, hosts=st.sampled_from([["h0"], ["h0", "h1"], ["h0", "h0", "h1"]]),
       fields=st.sampled_from([["a", "b", "c", "d"], "*"]), by_host=st.booleans(), desc=st.booleans(),
       limit=st.integers(1, 6), offset=st.integers(0, 6), cuts=st.lists(st.integers(0, 60), max_size=3),
       buffered=st.booleans())
def test_v3_sparse_fields_across_files_and_buffer(v3_store, cols, hosts, fields, by_host, desc, limit, offset,
                                                  cuts, buffered):
    """``cuts``: where a flush ends a Parquet file (the points written in time order); ``buffered``:
    the points after the last cut stay in the write buffer."""
    m = f"r{next(_measurements)}"
    points = [{**p, "t": t + 1} for t, p in enumerate(_sparse_points(cols, hosts))]
    stored = [f for f in "abcd" if any(p[f] is not None for p in points)]
    if len(stored) < 2:
        return
    lines = [_line(m, p["t"], p) for p in points]
    for lo, hi in itertools.pairwise([0, *sorted(set(cuts)), len(lines)]):
        chunk = [x for x in lines[lo:hi] if x is not None]
        if chunk:
            assert v3_store.write("db", "\n".join(chunk)).ok
        if hi < len(lines) or not buffered:
            v3_store.flush()
    q = (f"SELECT {'*' if fields == '*' else ', '.join(stored)} FROM {m}"
         + (" GROUP BY host" if by_host else "") + (" ORDER BY time DESC" if desc else "")
         + f" LIMIT {limit}" + (f" OFFSET {offset}" if offset else ""))
    got = rows(v3_store, q)
    if fields == "*":
        at = 1 + sorted([*stored, "host"]).index("host")
        got = {k: [r[:at] + r[at + 1:] for r in v] for k, v in got.items()}
    assert got == reference(points, stored, by_host, desc, limit, offset), q


@settings(max_examples=80, deadline=None)
@given(values=st.lists(st.tuples(st.sampled_from(["h0", "h1", None]), st.none() | st.integers(0, 9),
                                 st.none() | st.integers(0, 9)), min_size=1, max_size=20),
       limit=st.integers(0, 3), offset=st.integers(0, 3))
def test_field_limits_numbered_alike_with_series_together_or_apart(values, limit, offset):
    """exec/field_limits.py numbers each series' values by NumPy when its rows are together, by a
    window over the series otherwise: the rows of series interleaved get what they get side by side."""
    import types

    import polars as pl

    from tsdb_core.influxql import ast
    from tsdb_core.query.exec.field_limits import limit_fields
    # the plan as limit_fields reads it: two raw integer fields (IGNORE NULLS), output columns f0, f1
    col = types.SimpleNamespace
    plan = col(columns=[col(expr=ast.VarRef("x", "integer")), col(expr=ast.VarRef("y", "integer"))],
               is_raw=True, fill="null", fill_value=None)
    C0, C1 = "\x00c0", "\x00c1"
    apart = pl.DataFrame({"host": [v[0] for v in values], "time": list(range(len(values))),
                          C0: [v[1] for v in values], C1: [v[2] for v in values]},
                         schema={"host": pl.String, "time": pl.Int64, C0: pl.Int64, C1: pl.Int64})
    together = apart.sort("host", maintain_order=True, nulls_last=True)
    got = limit_fields(plan, apart, ["host"], limit, offset).sort("host", maintain_order=True, nulls_last=True)
    assert got.to_dicts() == limit_fields(plan, together, ["host"], limit, offset).to_dicts()
