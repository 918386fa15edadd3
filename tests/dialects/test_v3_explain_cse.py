"""EXPLAIN of several divisors DataFusion extracts (cse3.py): ``__common_expr_1``, ``__common_expr_2`` ...

No v3 snapshot holds two extracted divisors (influxdb3_core 349d802: ``grep -l __common_expr_2
iox_query_influxql/src/plan/snapshots`` finds none). Derived, not quoted: each plan below is what
DataFusion 50.1 (datafusion-python 50.1.0, once, by hand; no dependency) printed for v3's plan
shape (Sort, Projection of the fields with v3's division CASE, Filter __aggr_count or GROUP BY
tags, Aggregate) built with the same expressions; of 1,050 random SELECTs of one to three
expressions over mean/count/sum of f64_field and i64_field (``/ + *``, two levels, with and
without GROUP BY foo) this store drew 569 (35 with several divisors extracted), each the
optimized plan DataFusion printed, and left the others undrawn (its rule, common_sub_expression_eliminate.rs: an expression evaluated surely once and again
anywhere is extracted, aliases numbered as the rewrite meets them top-down, left to right).
"""
from __future__ import annotations

import pytest

from tests.dialects.test_v3_explain_show import planner_catalog, rows  # noqa: F401 - fixture

AVG_F, AVG_I, SUM_F = "avg(data.f64_field)", "avg(data.i64_field)", "sum(data.f64_field)"
CAST_COUNT, CAST_SUM = "CAST(count(data.i64_field) AS Float64)", "CAST(sum(data.i64_field) AS Float64)"
HEAD = 'Projection: Dictionary(Int32, Utf8("data")) AS iox::measurement, TimestampNanosecond(0, None) AS time, '
AGG = ("Aggregate: groupBy=[[]], aggr=[[avg(data.f64_field), count(data.i64_field), sum(data.f64_field), "
       "sum(data.i64_field), count(Int64(1)) AS __aggr_count]]")
SCAN = "TableScan: data{}, full_filters=[data.f64_field IS NOT NULL OR data.i64_field IS NOT NULL]"


def case(alias: str, dividend: str) -> str:
    """v3's division CASE with its divisor extracted (DataFusion keeps the dividend's test)."""
    return (f"CASE WHEN {alias} = Float64(0) AND {dividend} IS NOT NULL THEN Float64(0) "
            f"ELSE {dividend} / {alias} END")


TWO = (f"{case('__common_expr_1', AVG_F)} AS mean_count, {case('__common_expr_2', SUM_F)} AS sum_sum")


def test_two_divisors_are_extracted_into_one_projection(planner_catalog):  # noqa: F811
    """DataFusion 50.1's two steps for ``avg / CAST(count), sum / CAST(sum)``: both aliases, in the
    fields' order, before every input column; then only the columns still read."""
    got = rows(planner_catalog, "EXPLAIN VERBOSE SELECT mean(f64_field) / count(i64_field), "
                                "sum(f64_field) / sum(i64_field) FROM data")

    def plan(columns: str, scan: str) -> str:
        return "\n".join(["Sort: time ASC NULLS LAST", "  " + HEAD + TWO,
                          f"    Projection: {CAST_COUNT} AS __common_expr_1, {CAST_SUM} AS __common_expr_2, {columns}",
                          "      Filter: __aggr_count > Int64(0)", "        " + AGG, "          " + scan])
    every = f"{AVG_F}, count(data.i64_field), {SUM_F}, sum(data.i64_field), __aggr_count"
    assert got["logical_plan after common_sub_expression_eliminate"] == [plan(every, SCAN.format("")),
                                                                         "SAME TEXT AS ABOVE"]
    narrowed = plan(f"{AVG_F}, {SUM_F}", SCAN.format(" projection=[f64_field, i64_field]"))
    assert got["logical_plan after optimize_projections"] == [narrowed, "SAME TEXT AS ABOVE"]
    assert got["logical_plan"] == [narrowed]


SEVERAL = [  # query, the fields' expressions after ``AS time, ``, the extracted Projection (DataFusion 50.1)
    ("SELECT mean(f64_field) / count(i64_field) + mean(i64_field) / sum(i64_field) FROM data",
     f"{case('__common_expr_1', AVG_F)} + {case('__common_expr_2', AVG_I)} AS mean_count_mean_sum",
     f"{CAST_COUNT} AS __common_expr_1, {CAST_SUM} AS __common_expr_2, {AVG_F}, {AVG_I}"),
    ("SELECT mean(f64_field) / sum(i64_field), abs(sum(f64_field) / count(i64_field)), "  # three, one an operation
     "mean(i64_field) / (mean(f64_field) + sum(f64_field)) FROM data",
     f"{case('__common_expr_1', AVG_F)} AS mean_sum, abs({case('__common_expr_2', SUM_F)}) AS abs, "
     f"{case('__common_expr_3', AVG_I)} AS mean_mean_sum",
     f"{CAST_SUM} AS __common_expr_1, {CAST_COUNT} AS __common_expr_2, {AVG_F} + {SUM_F} AS __common_expr_3, "
     f"{AVG_F}, {SUM_F}, {AVG_I}"),
    ("SELECT count(i64_field) + mean(f64_field), mean(i64_field) / sum(i64_field), "  # the count read first: _1
     "sum(f64_field) / count(i64_field) FROM data GROUP BY foo",
     f"data.foo AS foo, __common_expr_1 + {AVG_F} AS count_mean, {case('__common_expr_2', AVG_I)} AS mean_sum, "
     f"{case('__common_expr_1', SUM_F)} AS sum_count",
     f"{CAST_COUNT} AS __common_expr_1, {CAST_SUM} AS __common_expr_2, data.foo, {AVG_F}, {AVG_I}, {SUM_F}"),
]


@pytest.mark.parametrize("q, fields, extracted", SEVERAL, ids=[s[0] for s in SEVERAL])
def test_the_optimized_plan_reads_each_extracted_divisor(planner_catalog, q, fields, extracted):  # noqa: F811
    (plan,) = rows(planner_catalog, f"EXPLAIN {q}")["logical_plan"]
    lines = plan.split("\n")
    assert lines[1].split(" AS time, ", 1)[1] == fields
    assert lines[2] == "    Projection: " + extracted


NOT_DRAWN = [  # what DataFusion 50.1 printed instead (not drawn: this store's own plan)
    # one divisor in two divisions: ``__common_expr_3 = Float64(0) AS __common_expr_1`` over a second Projection
    "SELECT mean(f64_field) / count(i64_field), sum(f64_field) / count(i64_field) FROM data",
    # a divisor holding another: likewise two Projections
    "SELECT mean(f64_field) / count(i64_field), sum(f64_field) / (count(i64_field) + mean(f64_field)) FROM data",
    # a division inside another's CASE: evaluated only by a branch, not extracted
    "SELECT (mean(f64_field) / count(i64_field)) / 2 FROM data",
    # two divisions by one column: its test ``avg(data.i64_field) = Float64(0)`` extracted
    "SELECT mean(f64_field) / mean(i64_field), sum(f64_field) / mean(i64_field) FROM data",
    # an operation read twice, once commuted (CSE normalizes ``*``): ``CAST(count * sum)`` extracted
    "SELECT count(f64_field) * sum(i64_field), mean(f64_field) / (sum(i64_field) * count(f64_field)) FROM data",
    # an operation read twice beside a divisor it holds: extracted over the divisor's Projection
    "SELECT (sum(i64_field) + mean(f64_field)) * (sum(f64_field) / sum(i64_field)), "
    "count(i64_field) + (sum(i64_field) + mean(f64_field)) FROM data",
]


@pytest.mark.parametrize("q", NOT_DRAWN)
def test_extractions_not_drawn_print_this_stores_plan(planner_catalog, q):  # noqa: F811
    (plan,) = rows(planner_catalog, f"EXPLAIN {q}")["logical_plan"]
    assert plan.startswith("Project [time, "), plan
