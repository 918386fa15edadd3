"""top(*, n) / bottom(/re/, n) over ``FROM /regex/`` (and several FROM names) in the influxdb3
dialect: the wildcard expands over the fields of every measurement the FROM clause holds.

Sources (influxdata/influxdb3_core at 349d802bf9a54ab5876399ab013502eeb0d52a6b,
iox_query_influxql/src/plan/rewriter.rs):
- l.123-127 RewriteSelect::rewrite: ``let from = self.expand_from(s, stmt)?;`` before
  ``self.expand_projection(s, stmt, &from, &tag_set)``;
- l.373-400 expand_from: a ``MeasurementName::Regex(re)`` becomes every table with
  ``re.is_match(table)``; a name, itself when ``s.table_exists(name)``;
- l.590-615 from_field_and_dimensions: the fields of all those tables merged, a name held with
  several types keeping the lowest (``if ft < existing_type { fs.insert(..) }``; VarRefDataType,
  influxdb_influxql_parser/src/expression/arithmetic.rs l.241-257: Float, Integer, Unsigned,
  String, Boolean, ...);
- l.746-751 and l.790: one call per Float, Integer or Unsigned field, ``{name}_{field}``; two or
  more fail (l.1220-1222) "selector function top() cannot be combined with other functions".
Each measurement then answers its own series (a field it lacks is null there). influxd 1.x
refuses the wildcard.
"""
from __future__ import annotations

import pytest

from .both_dialects import store_in_both_dialects

LINES = ('cpu1,t=a a=1,s="x" 1\ncpu1,t=b a=3,s="y" 2\ncpu2,t=a a=5i 3\n'
         'cpu3 b=2,c=4i 4\nmem a=9,s=1.5 5')
COMBINED = ("datafusion error: rewriting statement\ncaused by\ngather information about select "
            "statement\ncaused by\nError during planning: selector function {}() cannot be combined "
            "with other functions")
V1 = "expected first argument to be a field in {}(), found {}"

store = store_in_both_dialects(LINES)


def answer(s, q: str):
    (res,) = s.query(q, db="db").to_json()["results"]
    if "error" in res:
        return res["error"]
    return [(x["name"], x["columns"], [r[1:] for r in x["values"]]) for x in res.get("series", [])]


@pytest.mark.parametrize("query,v3,v1", [
    # a is float in cpu1, integer in cpu2: Float (the lower); s is a string there: not expanded
    ("SELECT top(*, 1) FROM /cpu[12]/",
     [("cpu1", ["time", "top_a"], [[3.0]]), ("cpu2", ["time", "top_a"], [[5.0]])], V1.format("top", "*")),
    ("SELECT bottom(*, t, 2) FROM /^cpu[12]$/",
     [("cpu1", ["time", "bottom_a", "t"], [[1.0, "a"], [3.0, "b"]]),
      ("cpu2", ["time", "bottom_a", "t"], [[5.0, "a"]])], V1.format("bottom", "*")),
    ("SELECT top(/^a/, 1) AS hi FROM /cpu/",
     [("cpu1", ["time", "hi_a"], [[3.0]]), ("cpu2", ["time", "hi_a"], [[5.0]])], V1.format("top", "/^a/")),
    ("SELECT top(*, 1) FROM db.autogen./cpu[12]/",
     [("cpu1", ["time", "top_a"], [[3.0]]), ("cpu2", ["time", "top_a"], [[5.0]])], V1.format("top", "*")),
    ("SELECT top(*, 1) FROM /cpu/", COMBINED.format("top"), V1.format("top", "*")),  # a, b, c
    ("SELECT top(*, 1) FROM /cpu1|mem/", COMBINED.format("top"), V1.format("top", "*")),  # s: float in mem
    ("SELECT bottom(*, 1) FROM cpu1, cpu2",
     [("cpu1", ["time", "bottom_a"], [[1.0]]), ("cpu2", ["time", "bottom_a"], [[5.0]])],
     V1.format("bottom", "*")),
    ("SELECT top(a, 1) FROM /cpu[12]/",                              # no wildcard: unchanged
     [("cpu1", ["time", "top"], [[3.0]]), ("cpu2", ["time", "top"], [[5.0]])],
     [("cpu1", ["time", "top"], [[3.0]]), ("cpu2", ["time", "top"], [[5]])]),
])
def test_top_wildcard_over_regex_from(store, query, v3, v1):
    dialect, s = store
    assert answer(s, query) == (v3 if dialect == "influxdb3" else v1)


NOTHING = ("datafusion error: rewriting statement\ncaused by\ngather information about select "
           "statement\ncaused by\nError during planning: {}")


@pytest.mark.parametrize("query,v3,v1", [
    # rewriter.rs l.288-290 expand_projection: ``let var_refs = if field_set.is_empty() { vec![] }``,
    # so fields_expand_wildcards adds no call (l.746-790: one per matching var_ref); check_fields
    # (l.1043-1065) with ``0 =>`` functions refuses only FILL(none|linear) and GROUP BY time;
    # from_drop_empty (l.530-550) keeps no table, so the statement plans nothing: no series
    ("SELECT top(*, 2) FROM /nomatch/", [], V1.format("top", "*")),
    ("SELECT bottom(/a/, 2) FROM /nomatch/", [], V1.format("bottom", "/a/")),
    ("SELECT top(*, 2) FROM nomatch", [], V1.format("top", "*")),  # expand_from: table_exists
    ("SELECT top(/^zz/, 2) FROM cpu1", [], V1.format("top", "/^zz/")),  # no field matches
    ("SELECT top(*, 2), a FROM /nomatch/", [], V1.format("top", "*")),
    ("SELECT top(*, 2) FROM /nomatch/ WHERE time > 0 GROUP BY time(1m)",
     NOTHING.format("GROUP BY requires at least one aggregate function"), V1.format("top", "*")),
    ("SELECT top(*, 2) FROM /nomatch/ fill(none)",
     NOTHING.format("FILL(none) must be used with an aggregate or selector function"), V1.format("top", "*")),
])
def test_top_wildcard_over_nothing(store, query, v3, v1):
    dialect, s = store
    assert answer(s, query) == (v3 if dialect == "influxdb3" else v1)
