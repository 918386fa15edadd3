"""fill(<number>) in InfluxDB 3 as its planner does it: the defaults are planned, then filled in before the math.

influxdb3_core iox_query_influxql/src/plan/planner.rs, ``select_aggregate`` (every aggregate
statement, GROUP BY time or not, before anything is read)::

    Some(FillClause::Value(val)) => Some(
        aggr_exprs
            .iter()
            .map(|expr| {
                expr_as_column_expr(expr, &plan)
                    .and_then(|expr| expr.get_type(plan.schema()))
                    .and_then(|ty| number_to_scalar(&val, &ty))
                    .map(FillStrategy::Default)
            })
            .collect::<Result<Vec<_>>>()?,
    ),

util.rs ``number_to_scalar``::

    (n, DataType::Struct(fields)) => {
        let mut builder = ScalarStructBuilder::new();
        for field in fields {
            let value = number_to_scalar(n, field.data_type())?;
    ...
    (n, data_type) => {
        // The only output data types expected are Int64, Float64 or UInt64
        return error::internal(format!("no conversion from {n} to {data_type}"));

A lone first/last/min/max carries the other fields (planner.rs: ``if let [selector] =
aggr_exprs.as_slice()`` ... ``agg.params.args.append(&mut additional_args)``, but for
``group_by_tag_set.contains(&out_name.as_str())``) in its struct (query_functions/src/selectors/
type_handling.rs: ``value``, ``time``, ``other_{1..}``), a tag as Dictionary(Int32, Utf8). A lone
percentile() is no aggregate there (``Selector::Percentile`` is planned by window functions), nor
is distinct() (``ProjectionType::RawDistinct``).

The math reads the filled aggregate: GapFill gets ``FillStrategy::Default`` per aggregate column
and the projection is rebuilt over them, each aggregate of an aggregate field coalesced again
(util.rs ``rebase_expr``: ``coalesce_struct(vec![col_expr, lit(number_to_scalar(&value,
&data_type)?)])``), so ``max(i) + 1`` over a gap is the number as max(i)'s type, plus one, with
or without GROUP BY time. influxd 1.x fills the iterators of the calls too (its answers unchanged).
"""
from __future__ import annotations

import pytest

from .both_dialects import assert_answers, store_in_both_dialects

LINES = """m,t=a s="x",b=true,f=1.5,i=3i,u=4u 0
m,t=a s="y",b=false,f=2.5,i=5i,u=6u 20
m,t=a f=3.5 30
n,t=b s=2.5,f=1 0
"""
store = store_in_both_dialects(LINES)
W = "FROM m WHERE time >= 0 AND time < 30 GROUP BY time(10ns)"
W40 = "FROM m WHERE time >= 0 AND time < 40 GROUP BY time(10ns)"
NO = "External error: InfluxQL internal error: no conversion from {} to {}"
U64_MAX = 2**64 - 1

ERRORS = [  # (query, influxdb3, influxdb1)
    # planned, not filled: an empty range, no GROUP BY time, a subquery over nothing fail all the same
    ("SELECT first(s) FROM m WHERE time >= 100 AND time < 130 GROUP BY time(10ns) fill(1)", NO.format(1, "Utf8"), []),
    ("SELECT first(s) FROM m fill(1)", NO.format(1, "Utf8"), [["x"]]),
    ("SELECT last(b) FROM m GROUP BY t fill(3)", NO.format(3, "Boolean"), [[False]]),
    ("SELECT * FROM (SELECT first(s) FROM m WHERE time >= 100 AND time < 130 GROUP BY time(10ns) fill(1))",
     NO.format(1, "Utf8"), []),
    # the first aggregate of the projection that fails names the type
    (f"SELECT mean(f), last(b), first(s) {W} fill(1)", NO.format(1, "Boolean"),
     [[1.5, True, "x"], [1.0, False, ""], [2.5, False, "y"]]),
    (f"SELECT count(f) + 1, mode(b) {W} fill(1)", NO.format(1, "Boolean"), [[2, True], [2, False], [2, False]]),
    # a lone selector's struct: its other fields, a tag as a dictionary; a GROUP BY tag is none of them
    (f"SELECT first(f), s {W} fill(1)", NO.format(1, "Utf8"), [[1.5, "x"], [1.0, 1], [2.5, "y"]]),
    (f"SELECT first(f), b {W} fill(1)", NO.format(1, "Boolean"), [[1.5, True], [1.0, 1], [2.5, False]]),
    (f"SELECT first(f), t {W} fill(1)", NO.format(1, "Dictionary(Int32, Utf8)"), [[1.5, "a"], [1.0, 1], [2.5, "a"]]),
    (f"SELECT first(f), t {W}, t fill(1)", [[1.5, "a"], [1.0, "a"], [2.5, "a"]], [[1.5, "a"], [1.0, "a"], [2.5, "a"]]),
    (f"SELECT first(f), i {W} fill(1)", [[1.5, 3], [1.0, 1], [2.5, 5]], [[1.5, 3], [1.0, 1], [2.5, 5]]),
    # no select_aggregate: RawDistinct, count(distinct()) (Int64), a lone percentile()
    (f"SELECT distinct(s) {W} fill(1)", [["x"], ["y"]], [["x"], ["y"]]),
    (f"SELECT count(distinct(s)) {W} fill(1)", [[1], [1], [1]], [[1], [1], [1]]),
    ("SELECT percentile(f, 50), s FROM m fill(1)", [[2.5, "y"]], [[2.5, "y"]]),
    # each table planned with its own types: s is a float in n
    ("SELECT first(s) FROM n fill(1)", [[2.5]], [[2.5]]),
    ("SELECT first(s) FROM m, n fill(1)", NO.format(1, "Utf8"), [["x"]]),
    ("SELECT first(s) FROM n, m fill(1)", NO.format(1, "Utf8"), None),
    # the Number as Rust displays it: an f64 never in exponent form
    ("SELECT first(s) FROM m fill(100000000000000000000.0)", NO.format("100000000000000000000", "Utf8"), [["x"]]),
]

MATH = [  # (query, influxdb3, influxdb1): the aggregate filled as its type, then the math
    (f"SELECT max(i) + 1, mean(f) {W40} fill(7)", [[4, 1.5], [8, 7.0], [6, 2.5], [8, 3.5]],
     [[4, 1.5], [8, 7.0], [6, 2.5], [8, 3.5]]),  # at 30 a row without i: the projection's coalesce
    (f"SELECT max(i) + 1 {W} fill(2.5)", [[4], [3], [6]], [[4], [3], [6]]),  # 2.5 as i64 is 2
    (f"SELECT max(i) * 1.5, max(i) {W} fill(2.5)", [[4.5, 3], [3.0, 2], [7.5, 5]], [[4.5, 3], [3.0, 2], [7.5, 5]]),
    (f"SELECT max(u) - 1 {W} fill(-1)", [[3], [U64_MAX - 1], [5]], [[3.0], [-2.0], [5.0]]),  # -1 as u64
    # no GROUP BY time: no GapFill, the projection's coalesce_struct alone (``as`` too)
    ("SELECT max(u) - 1, mean(f) FROM m WHERE time >= 30 AND time < 40 fill(-1)", [[U64_MAX - 1, 3.5]],
     [[-2.0, 3.5]]),
    ("SELECT max(u), max(i), mean(f) FROM m WHERE time >= 30 AND time < 40 fill(-2.5)", [[0, -2, 3.5]],
     [[-2.5, -2, 3.5]]),
    # FillStrategy::PrevNullAsMissing: the previous aggregate, then the math
    (f"SELECT max(i) + 1, mean(f) {W40} fill(previous)", [[4, 1.5], [4, 1.5], [6, 2.5], [6, 3.5]],
     [[4, 1.5], [4, 1.5], [6, 2.5], [6, 3.5]]),
    # a window function over the filled aggregate (the window before 0 filled too: extended_time_range)
    (f"SELECT derivative(mean(f)) {W40} fill(7)", [[-5.5], [5.5], [-4.5], [1.0]], [[-5.5], [5.5], [-4.5], [1.0]]),
]


@pytest.mark.parametrize("query,v3,v1", ERRORS + MATH, ids=[c[0] for c in ERRORS + MATH])
def test_fill_number_planned(store, query, v3, v1):
    assert_answers(store, query, v3, v1)


def _columns(text: str):
    """(name, expression) of the statement's fields, bound as a measurement with ``s`` text,
    ``b`` boolean, ``f`` float and tag ``t`` would bind them."""
    from tsdb_core.influxql.ast import expr as A
    from tsdb_core.influxql.ast.visit import transform
    from tsdb_core.influxql.parser.driver import parse_statement
    kinds = {"s": "string", "b": "boolean", "f": "float", "t": "tag"}
    stmt = parse_statement(text)
    bind = lambda n: A.VarRef(n.name, kinds.get(n.name)) if isinstance(n, A.VarRef) else n  # noqa: E731
    return [(f.alias or str(i), transform(f.expr, bind)) for i, f in enumerate(stmt.fields)]


@pytest.mark.parametrize("text,interval,want", [
    ("SELECT mean(f), first(s) FROM m", 0, "Utf8"),
    ("SELECT first(f), b, s FROM m", 0, "Boolean"),  # value, time, then other_1
    ("SELECT first(f), t FROM m", 10, "Dictionary(Int32, Utf8)"),
    ("SELECT first(f), first(f), s FROM m", 10, None),  # aggr_count 2: no struct of others (1.x refuses it)
    ("SELECT percentile(f, 50), s FROM m", 0, None),  # a Selector planned by window functions
    ("SELECT max(f) + 1, top(f, 2) FROM m", 10, None),  # TopBottomSelector
    ("SELECT f, s FROM m", 0, None),  # raw
])
def test_fill_number_error(text, interval, want):
    from tsdb_core.influxql.dialects.fillnum3 import fill_number_error
    got = fill_number_error(_columns(text), [lambda ref: ref.type], set(), 1, interval)
    assert got == (None if want is None else NO.format(1, want))
