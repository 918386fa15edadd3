"""A wildcard call's column names in v3's plans quote the field as InfluxDB 3 prints an identifier.

rewriter.rs (iox_query_influxql) names each expanded field ``alias: Some(format!("{}_{}",
field_name(&f), var_ref_name).into())`` with ``var_ref_name`` an ``Identifier``, whose Display
(influxdb_influxql_parser identifier.rs) is ``write_quoted_string!(f, '"', self.0.as_str(),
unquoted_identifier, ...)``: bare when ``unquoted_identifier`` reads the whole name, which is
``preceded(not(sql_keyword), ...)``, and keywords.rs ``sql_keyword`` matches the ``KEYWORDS`` set:
``AND`` and ``OR`` are in it, ``TRUE`` and ``FALSE`` are not (InfluxDB 1.x's token.go list, which the
influxdb1 dialect quotes with, has all four).
"""
from __future__ import annotations

import pytest

import tsdb_core
from tsdb_core.influxql.dialects.aggexpr3 import wildcard_name
from tsdb_core.influxql.dialects.select3 import KEYWORDS
from tsdb_core.influxql.parser.lexing import KEYWORDS as V1_KEYWORDS


@pytest.mark.parametrize("field,name", [
    ("true", "median_true"), ("FALSE", "median_FALSE"), ("and", 'median_"and"'), ("Or", 'median_"Or"'),
    ("from", 'median_"from"'), ("x", "median_x"), ("with space", 'median_"with space"'),
    ("from_x", "median_from_x"), ("1a", 'median_"1a"'), ('q"\\', 'median_"q\\"\\\\"'),
])
def test_a_wildcard_name_quotes_the_field_as_v3(field, name):
    assert wildcard_name("median", field) == name


def test_v3s_keywords_are_influxdb_1xs_without_true_and_false():
    assert KEYWORDS == V1_KEYWORDS - {"TRUE", "FALSE"}


def test_explain_names_the_expanded_fields_with_v3s_quoting():
    store = tsdb_core.open(dialect="influxdb3")
    try:
        assert store.write("db", "m,host=a true=1,and=3,from=4,x=5 1000000000\n").ok
        (res,) = store.query("EXPLAIN SELECT median(*) FROM m", db="db").to_json()["results"]
        plan = {s["name"]: s["values"][0][0] for s in res["series"]}["logical_plan"]
        projection = plan.splitlines()[1]
        assert projection.endswith('median(m.and) AS median_"and", median(m.from) AS median_"from", '
                                   "median(m.true) AS median_true, median(m.x) AS median_x")
    finally:
        store.close()
