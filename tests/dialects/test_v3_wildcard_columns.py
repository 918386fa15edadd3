"""The result columns of wildcard calls (and of operations) in each dialect, not only EXPLAIN's.

InfluxDB 3 (iox_query_influxql src/plan/rewriter.rs, ``fields_expand_wildcards``, l. 772-791)::

    let add_field = |v: &VarRef| {
        let var_ref_name = v.name.clone();
        ...
        new_fields.push(influxdb_influxql_parser::select::Field {
            expr: e,
            alias: Some(format!("{}_{}", field_name(&f), var_ref_name).into()),

``var_ref_name`` is an ``Identifier`` (influxdb_influxql_parser expression/arithmetic.rs l. 27,
``pub name: Identifier``), whose Display (identifier.rs l. 69-73) is ``write_quoted_string!(f, '"',
self.0.as_str(), unquoted_identifier, ...)``: quoted unless ``unquoted_identifier`` (l. 31-40:
``preceded(not(sql_keyword), ...)``) reads the whole name. ``field_name(&f)`` (plan/field.rs
l. 13-16) is the alias or the outer call's name, unquoted (``alias.deref().to_string()``).
The same ``Display`` names an operation: field.rs ``BinaryExprNameVisitor`` (l. 58-61)
``self.0.push(n.name.to_string())`` for each field of it, a call's name bare.
The wildcard and the regex both go through ``add_field`` (rewriter.rs l. 799-817), and so do
selectors (``max(*)``) and calls around a wildcard call (``derivative(max(*))``, the stack of
l. 736-743, named after the outer call).

InfluxDB 1.x writes the field bare; the rows below marked v1 are influxd 1.6.7's answers
(``median_and``, ``median_my field``, ``derivative_and``, ``and_x``).
"""
from __future__ import annotations

import pytest

import tsdb_core
from tsdb_core.influxql.dialect import Dialect
from tsdb_core.query.plan.planner import generated_name

LP = ('m,host=a true=1,and=3,from=4,x=5,my\\ field=6 1000000000\n'
      'm,host=a true=2,and=5,from=6,x=7,my\\ field=8 2000000000\n')
RANGE = "WHERE time > 0 AND time < 3s GROUP BY time(1s)"


def _columns(dialect: str, q: str) -> list[str]:
    store = tsdb_core.open(dialect=dialect)
    try:
        assert store.write("db", LP).ok
        doc = store.query(q, db="db").to_json()
        (res,) = doc["results"]
        assert "error" not in res, res
        (series,) = res["series"]
        return series["columns"][1:]
    finally:
        store.close()


CASES = [  # query, influxdb1 columns (influxd 1.6.7), influxdb3 columns (rewriter.rs)
    ("SELECT median(*) FROM m",
     ["median_and", "median_from", "median_my field", "median_true", "median_x"],
     ['median_"and"', 'median_"from"', 'median_"my field"', "median_true", "median_x"]),
    ("SELECT median(/a|f/) FROM m",
     ["median_and", "median_from", "median_my field"],
     ['median_"and"', 'median_"from"', 'median_"my field"']),
    ("SELECT max(*) FROM m",
     ["max_and", "max_from", "max_my field", "max_true", "max_x"],
     ['max_"and"', 'max_"from"', 'max_"my field"', "max_true", "max_x"]),
    ('SELECT median(*) AS "select" FROM m',
     ["select_and", "select_from", "select_my field", "select_true", "select_x"],
     ['select_"and"', 'select_"from"', 'select_"my field"', "select_true", "select_x"]),
    (f"SELECT derivative(max(*), 1s) FROM m {RANGE}",
     ["derivative_and", "derivative_from", "derivative_my field", "derivative_true", "derivative_x"],
     ['derivative_"and"', 'derivative_"from"', 'derivative_"my field"', "derivative_true", "derivative_x"]),
    (f"SELECT derivative(max(/a/), 1s) AS d FROM m {RANGE}", ["d_and"], ['d_"and"']),
    ('SELECT "and" + x, "my field" * 2, -"and", ("and") FROM m',
     ["and_x", "my field", "and", "and_1"], ['"and"_x', '"my field"', '"and"', "and"]),
    ('SELECT mean("and") + max(x) FROM m', ["mean_max"], ["mean_max"]),
]


@pytest.mark.parametrize("q,v1,v3", CASES)
def test_generated_columns_are_named_as_each_dialect_names_them(q, v1, v3):
    assert _columns("influxdb1", q) == v1
    assert _columns("influxdb3", q) == v3


@pytest.mark.parametrize("field,v1,v3", [
    ("and", "f_and", 'f_"and"'), ("true", "f_true", "f_true"), ("my field", "f_my field", 'f_"my field"'),
    ("_x1", "f__x1", "f__x1"), ("1a", "f_1a", 'f_"1a"'), ('q"', 'f_q"', 'f_"q\\""'),
])
def test_generated_name(field, v1, v3):
    assert generated_name("f", field, Dialect.INFLUXDB1) == v1
    assert generated_name("f", field, Dialect.INFLUXDB3) == v3


def test_a_subquery_reads_its_columns_by_their_v3_names():
    q = 'SELECT mean(%s) FROM (SELECT median(*) FROM m)'
    assert _columns("influxdb3", q % '"median_\\"and\\""') == ["mean"]
    assert _columns("influxdb1", q % "median_and") == ["mean"]
    assert _columns("influxdb3", "SELECT mean(*) FROM (SELECT median(/x/) FROM m)") == ["mean_median_x"]


def test_one_store_plans_a_text_once_per_dialect():
    """The parse cache hands both dialects the same statement object; the plan cache keys on
    the dialect too, so neither reads the other's column names, and each still hits."""
    store = tsdb_core.open()
    try:
        assert store.write("db", LP).ok
        q = "SELECT median(/and/) FROM m"
        got = []
        for dialect in ("influxdb1", "influxdb3", "influxdb1", "influxdb3"):
            (res,) = store.query(q, db="db", dialect=dialect).to_json()["results"]
            got.append(res["series"][0]["columns"][1])
        assert got == ["median_and", 'median_"and"', "median_and", 'median_"and"']
        assert store.plan_cache.hits == 2
    finally:
        store.close()


def test_v3_reuses_a_statements_plan():
    """v3's GROUP BY time(...) folding hands back the parsed statement itself when it folds
    nothing (timerange3.fold_time_call), so the plan cache finds it again."""
    store = tsdb_core.open(dialect="influxdb3")
    try:
        assert store.write("db", LP).ok
        # (``mean(x)`` over ``max(*) AS x`` reads no column of the subquery, whose are ``x_x``, ...:
        # from_drop_empty drops it, an empty answer planned by nothing: dropempty3.py)
        for q in ["SELECT median(*) FROM m", "SELECT mean(x_x) FROM (SELECT max(*) AS x FROM m)"]:
            before = store.plan_cache.hits
            for _ in range(3):
                store.query(q, db="db")
            assert store.plan_cache.hits - before >= 1, q
        hits = store.plan_cache.hits
        store.query("SELECT median(*) FROM m", db="db")
        assert store.plan_cache.hits == hits + 1
    finally:
        store.close()


def test_top_of_a_regex_is_named_as_the_other_calls():
    """top()/bottom() go through the same ``add_field`` (rewriter.rs l. 772-791; topstar3.py
    expands them before the field checks): the field printed as an Identifier."""
    assert _columns("influxdb3", "SELECT top(/^and$/, 1) FROM m") == ['top_"and"']
    assert _columns("influxdb3", "SELECT bottom(/^x$/, 1) AS b FROM m") == ["b_x"]
