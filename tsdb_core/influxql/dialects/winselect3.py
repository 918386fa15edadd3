"""InfluxDB 3's planner plan of a SELECT whose one selector v3 plans as a window: percentile(), top(), bottom().

``planner.rs`` (rewriter.rs picks the projection type: one selector, no aggregate, no GROUP BY
time): over the raw SELECT's filters, project_select_selector plans percentile() as a filter
that its field is not null, a WindowAggr of ``percent_row_number(<n as Float64>)`` and
``row_number()`` over every row of a partition, and a filter keeping the row where both agree;
project_select_top_bottom_selector plans top() / bottom() as select_first: a WindowAggr of
``row_number()`` up to the current row, the field descending (top) or ascending (bottom), and a
filter keeping the first n rows (with tags among the arguments, first the first row of each of
their series). Partitions are the GROUP BY tags; the selector's field is then projected under
its name (a top()/bottom() tag argument after it), as a raw SELECT projects its columns.
DataFusion's rules follow (DataFusion 50.1, once, by hand): for top()/bottom() the row number's
test coerced to Decimal128 and folded; for percentile() its test of two columns ordered by name
(simplify_expressions' canonicalizer) and its field's test merged first into the scan's filters
(duplicates dropped); then the filters pushed into the scan, its columns narrowed.
"""
from __future__ import annotations

from ..ast import expr as A
from . import aggexpr3 as X
from .showplan3 import Plans, Table, dict_literal, plan_block, scan_filters

ALL_ROWS = "ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING"
TO_CURRENT = "ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW"
NUMBERS = ("float", "integer", "unsigned")


def window_select(stmt, table: Table | None, types: dict[str, str], lower: int | None, upper: int | None,
                  tags: list[tuple[str, str]] | None, group: list[str] | None) -> Plans | None:
    """The planner's plan of ``stmt`` (``SELECT <percentile/top/bottom call> [, <fields and
    tags>] FROM <one measurement> [WHERE ...] [GROUP BY <tags>]``) over ``table``; ``types``:
    its fields' InfluxQL types, ``tags``: the WHERE clause's tag tests (None: not drawn),
    ``group``: the GROUP BY tags (None: not drawn). None for other shapes."""
    shape = _shape(stmt, table, types, tags, group)
    if shape is None:
        return None
    fn, key, arg, names, tag_keys = shape
    m = table.name
    fields = sorted({key, *(c for c, _ in names if c in table.fields)})
    filtered, pushed = scan_filters(m, fields, tags, lower, upper)
    initial = _plan(table, shape, group, filtered)
    read = sorted({"time", key, *group, *tag_keys, *(c for c, _ in names)})
    if fn == "percentile":  # its field's test first in the scan (push_down_filter: the parent's, deduplicated)
        pushed = "full_filters=[" + ", ".join(dict.fromkeys(
            [f"{m}.{key} IS NOT NULL", *_conjuncts(pushed.removeprefix("full_filters=[").removesuffix("]"))])) + "]"
        return Plans(initial, (
            ("simplify_expressions", _plan(table, shape, group, filtered, "simplified")),
            ("push_down_filter", _plan(table, shape, group, f"TableScan: {m}, {pushed}", "pushed")),
            ("optimize_projections", _plan(table, shape, group, f"TableScan: {m} projection=[{', '.join(read)}], "
                                           f"{pushed}", "pushed"))))
    steps = (("simplify_expressions", _plan(table, shape, group, filtered, "simplified")),
             ("push_down_filter", _plan(table, shape, group, f"TableScan: {m}, {pushed}", "simplified")),
             ("optimize_projections", _plan(table, shape, group, f"TableScan: {m} projection=[{', '.join(read)}], "
                                            f"{pushed}", "simplified", read)))
    return Plans(initial, steps, analyzer_steps=(("type_coercion", _plan(table, shape, group, filtered, "coerced")),))


def _plan(table: Table, shape, group, plan: str, stage: str = "planner", read=None) -> str:
    """The plan over ``plan`` (the filtered scan, pushed or narrowed), a top()/bottom() row
    number's test as at ``stage`` (:func:`_first`); ``read``: the scan's columns after
    optimize_projections, which projects them again over the first of two row numbers (the
    second window does not read the first's number; DataFusion 50.1, once, by hand)."""
    fn, key, arg, names, tag_keys = shape
    m = table.name
    if fn == "percentile":
        plan = _percentile(m, key, arg, group, plan if stage == "pushed" else plan_block(f"Filter: {m}.{key} IS NOT NULL", plan),
                           stage != "planner")
    else:
        order = "ASC" if fn == "bottom" else "DESC"
        if tag_keys:
            plan = _first(m, key, order, [*group, *tag_keys], 1, plan, stage)
            if read is not None:
                plan = plan_block("Projection: " + ", ".join(f"{m}.{c}" for c in read), plan)
        plan = _first(m, key, order, group, int(arg.removeprefix("Int64(").removesuffix(")")), plan, stage)
    selected = {c for c, _ in names}
    columns = [f"{m}.time AS time", *(f"{m}.{g} AS {g}" for g in group if g not in selected),
               *(f"{m}.{c} AS {alias}" for c, alias in names)]
    plan = plan_block(", ".join([f"Projection: {dict_literal(m)} AS iox::measurement", *columns]), plan)
    other_tags = [c for c, _ in names if c in table.tags and c not in group and c not in tag_keys]
    sort = ", ".join([*(f"{g} ASC NULLS LAST" for g in group), "time ASC NULLS LAST",
                      *(f"{t} ASC NULLS LAST" for t in other_tags)])
    return plan_block(f"Sort: {sort}", plan)


def _window(m: str, fn: str, key: str, order: str, group, frame: str) -> tuple[str, str]:
    """A window expression as its WindowAggr prints it (qualified) and as its column's name."""
    def text(q: str) -> str:
        part = f"PARTITION BY [{', '.join(q + g for g in group)}] " if group else ""
        return f"{fn} {part}ORDER BY [{q}{key} {order} NULLS LAST, {q}time ASC NULLS LAST] {frame}"
    return text(f"{m}."), text("")


def _percentile(m: str, key: str, n: str, group, plan: str, swapped: bool = False) -> str:
    """project_select_selector's rows of percentile(); ``swapped``: its test after
    simplify_expressions, whose canonicalizer orders a comparison of two columns by name
    (``row_number() ... = percent_row_number(..) ...``; DataFusion 50.1, once, by hand)."""
    pct, pct_name = _window(m, f"percent_row_number({n})", key, "ASC", group, ALL_ROWS)
    row, row_name = _window(m, "row_number()", key, "ASC", group, ALL_ROWS)
    plan = plan_block(f"WindowAggr: windowExpr=[[{pct} AS {pct_name}, {row} AS {row_name}]]", plan)
    return plan_block(f"Filter: {row_name} = {pct_name}" if swapped else f"Filter: {pct_name} = {row_name}", plan)


def _conjuncts(filters: str) -> list[str]:
    """The ``full_filters`` of scan_filters, one a conjunct (split at the commas outside parentheses)."""
    out, depth, start = [], 0, 0
    for i, ch in enumerate(filters):
        depth += {"(": 1, ")": -1}.get(ch, 0)
        if ch == "," and depth == 0:
            out.append(filters[start:i].strip())
            start = i + 1
    return [*out, filters[start:].strip()]


def _first(m: str, key: str, order: str, group, n: int, plan: str, stage: str = "planner") -> str:
    """planner.rs select_first: the first ``n`` rows of each partition. The row number is a
    UInt64, ``n`` an Int64: type_coercion compares both as Decimal128(20, 0), simplify_expressions
    folds that to ``<= UInt64(n)`` (DataFusion 50.1, once, by hand)."""
    row, name = _window(m, "row_number()", key, order, group, TO_CURRENT)
    test = {"planner": f"{name} <= Int64({n})",
            "coerced": f"CAST({name} AS Decimal128(20, 0)) <= CAST(Int64({n}) AS Decimal128(20, 0))",
            "simplified": f"{name} <= UInt64({n})"}[stage]
    return plan_block(f"Filter: {test}", plan_block(f"WindowAggr: windowExpr=[[{row} AS {name}]]", plan))


def _shape(stmt, table, types, tags, group):
    """(function, its field, its n as printed, [(column, name)] of the fields in order, the
    tags a top()/bottom() names) or None."""
    if table is None or tags is None or group is None or len(stmt.sources) != 1:
        return None
    src = stmt.sources[0]
    if not isinstance(src, A.Measurement) or src.regex is not None or src.name != table.name \
            or src.database is not None or src.retention_policy is not None:
        return None
    if stmt.into is not None or stmt.fill is not None or stmt.limit or stmt.offset or stmt.slimit or stmt.soffset \
            or stmt.location is not None or not stmt.time_ascending:
        return None
    found, names = None, []
    for f in stmt.fields:
        e = f.expr
        if isinstance(e, A.Call) and e.name in ("percentile", "top", "bottom") and found is None:
            found = _call(e, table, types)
            if found is None:
                return None
            names.append((found[1], f.alias or e.name))
            names += [(t, t) for t in found[3]]
        elif isinstance(e, A.VarRef) and e.name != "time" and (e.name in table.fields or e.name in table.tags):
            names.append((e.name, f.alias or e.name))
        else:
            return None
    if found is None or len({n for _, n in names}) != len(names) or set(found[3]) & set(group):
        return None
    return found[0], found[1], found[2], names, found[3]


def _call(e, table: Table, types) -> tuple[str, str, str, list[str]] | None:
    """(function, field, n as printed, tag arguments) of a drawn percentile/top/bottom call."""
    if len(e.args) < 2 or not isinstance(e.args[0], A.VarRef) or e.args[0].type not in (None, "field") \
            or types.get(e.args[0].name) not in NUMBERS:
        return None
    n, middle = e.args[-1], e.args[1:-1]
    if e.name == "percentile":
        if middle or not isinstance(n, (A.IntegerLiteral, A.NumberLiteral)):
            return None
        return e.name, e.args[0].name, X.render(X.Lit(float(n.val), X.FLOAT), None), []
    if not isinstance(n, A.IntegerLiteral) or n.val <= 0 or not all(
            isinstance(t, A.VarRef) and t.name in table.tags for t in middle):
        return None
    return e.name, e.args[0].name, f"Int64({n.val})", [t.name for t in middle]
