"""The operator tree of a planned SELECT (:class:`.nodes.SelectPlan` → ``root``).

The planner resolves the statement; this module lays out the operators that run it
(see :mod:`.nodes`) and makes the one physical choice there is: whether the fast
executor may answer instead of the Polars one. That choice reads the plan's shape, the
provider's declared capabilities and the fast-path-eligible functions, never the data.
"""
from __future__ import annotations

import dataclasses

from ...base.time import MAX_TIME
from ...influxql import ast
from ...influxql import functions as F
from ...influxql.ast.visit import find
from ..analyze.conditions import AnyString, conjuncts, scan_tags, tag_equalities
from .nodes import (AGGREGATES, FAST_AGGREGATES, ORDER_FREE_AGGREGATES, TRANSFORMS, Aggregate, FastSelect,
                    Fill, Filter, LoweredCall, Merge, Node, OrderLimit, Project, Scan, SelectPlan, Series,
                    Transform, ZipByTime, aggregate_column, transform_column)



def with_tree(plan: SelectPlan, provider, *, fast: bool = True) -> SelectPlan:
    """``plan`` with its operator tree; ``fast``: the fast executor may be chosen."""
    return dataclasses.replace(plan, root=build_tree(plan, provider, fast=fast))


def build_tree(plan: SelectPlan, provider, *, fast: bool = True) -> Node:
    """Project → Order/Limit → [Transform] → [Fill] → Aggregate | Series → [Filter] → sources,
    under a FastSelect when the fast executor is chosen (or a ZipByTime of two statements)."""
    zipped = _zip_parts(plan, provider)
    if zipped is not None:
        return Project(plan.time_column, plan.columns, (), zipped)
    exprs, aggs, transforms = lower(plan)
    node = _source(plan, provider)
    if plan.condition is not None:
        node = Filter(plan.condition, node)
    if plan.is_raw:
        node = Series(plan.dimensions, node)
    else:
        node = Aggregate(aggs, plan.dimensions, plan.interval, plan.offset, plan.tz,
                         plan.point_time, node)
    if _fills(plan, transforms):
        node = Fill(plan.fill, plan.fill_value, node)
    if transforms:
        node = Transform(tuple(call for call, _ in transforms), tuple(inner for _, inner in transforms),
                         node)
    node = OrderLimit(plan.ascending, plan.limit, plan.row_offset, plan.slimit, plan.soffset, node)
    node = Project(plan.time_column, plan.columns, tuple(exprs), node)
    choice = _fast_choice(plan, provider) if fast else None
    return FastSelect(choice[0], choice[1], node) if choice is not None else node


def _fills(plan: SelectPlan, transforms) -> bool:
    """Windows are filled (even by fill(none): no rows added); without windows only fill(x)
    acts: on the one window of aggregates, on raw rows' missing values (not transformed)."""
    if not plan.is_raw:
        return bool(plan.interval) or plan.fill == "value"
    return plan.fill == "value" and not transforms


def _source(plan: SelectPlan, provider):
    """The sources, scans with their hints: WHERE's tag equalities and a raw LIMIT's rows."""
    tags = scan_tags(plan.condition)
    limit = _scan_limit(plan, provider)
    hints = {"tags": tuple((k, tuple(v)) for k, v in tags.items()) if tags else (), "limit": limit,
             "held": _held(plan) if limit else ()}
    sources = tuple(dataclasses.replace(s, **hints) if isinstance(s, Scan) else s
                    for s in plan.sources)
    return sources[0] if len(sources) == 1 else Merge(sources)


def _scan_limit(plan: SelectPlan, provider) -> tuple[int, bool] | None:
    """``(n, newest)`` when each series' n oldest (newest) points are all a raw LIMIT can keep.

    Holds when every stored point is a candidate row: plain columns covering every field
    (a point has some field), no condition but tag equalities, series not cut by SLIMIT,
    and a provider whose tag filter is exact. lastpoint (``SELECT * ... GROUP BY host
    ORDER BY time DESC LIMIT 1``) then reads one row per series instead of all of them.
    """
    if not (plan.is_raw and plan.limit and not plan.slimit and not plan.soffset
            and len(plan.sources) == 1 and isinstance(plan.sources[0], Scan)
            and provider.capabilities.exact_tag_scan):
        return None
    if not all(isinstance(c.expr, ast.VarRef) for c in plan.columns):
        return None
    if any(tag_equalities(c, AnyString) is None for c in conjuncts(plan.condition)):
        return None
    fields = {c.expr.name for c in plan.columns if c.expr.type != "tag"}
    src = plan.sources[0]
    schema = provider.schema(src.database, src.measurement)
    if not fields or schema is None or not set(schema.fields) <= fields:
        return None
    return plan.limit + plan.row_offset, not plan.ascending


def _held(plan: SelectPlan) -> tuple[str, ...]:
    """InfluxDB 3 limits each field's values on its own: with several fields, those that each
    need the scan limit's n values (exec/held_scan.py checks the rows read hold them)."""
    fields = sorted({c.expr.name for c in plan.columns if c.expr.type != "tag"})
    return tuple(fields) if plan.emulates_v3 and len(fields) > 1 else ()


# -- lowering: calls → working columns ------------------------------------------------------

def lower(plan: SelectPlan):
    """(output expressions with calls replaced by :class:`LoweredCall`, aggregate calls,
    transform calls each with the expression it reads), calls in first-seen order."""
    aggs: dict[ast.Call, LoweredCall] = {}
    transforms: dict[ast.Call, tuple[LoweredCall, ast.Expr]] = {}

    def visit(e):
        if isinstance(e, ast.Call):
            if e.name in TRANSFORMS:
                if e not in transforms:
                    inner = e.args[0] if plan.is_raw else visit(e.args[0])
                    transforms[e] = (LoweredCall(transform_column(len(transforms)), e), inner)
                return transforms[e][0]
            if e.name in AGGREGATES:
                if e not in aggs:
                    aggs[e] = LoweredCall(aggregate_column(len(aggs)), e)
                return aggs[e]
            return type(e)(e.name, tuple(visit(a) for a in e.args))  # (influxdb3's NanKept kept)
        if isinstance(e, ast.BinaryExpr):
            return ast.BinaryExpr(e.op, visit(e.lhs), visit(e.rhs))
        if isinstance(e, ast.ParenExpr):
            return ast.ParenExpr(visit(e.expr))
        return e

    exprs = [visit(c.expr) for c in plan.columns]
    return exprs, tuple(aggs.values()), tuple(transforms.values())


# -- raw transforms beside aggregates -------------------------------------------------------

def _zip_parts(plan: SelectPlan, provider) -> ZipByTime | None:
    """``SELECT derivative(v), count(i)`` without GROUP BY time: influxd runs such columns as
    separate iterators and zips their points by time (the aggregates' one row per series at
    the range start meets the transforms' rows where the times are equal)."""
    if plan.is_raw or plan.interval:
        return None
    raw, aggs = [], []
    for i, c in enumerate(plan.columns):
        calls = list(find(c.expr, ast.Call))
        on_raw = any(k.name in TRANSFORMS and k.args
                     and not any(a.name in AGGREGATES for a in find(k.args[0], ast.Call))
                     for k in calls)
        if on_raw and any(k.name in AGGREGATES for k in calls):
            return None  # both in one expression: not a shape influxd zips
        (raw if on_raw else aggs).append(i)
    if not (raw and aggs):
        return None
    parts = []
    for cols, is_raw in ((raw, True), (aggs, False)):
        # a selector beside a transform takes the range start, not its point's time
        part = dataclasses.replace(plan, columns=tuple(plan.columns[i] for i in cols), is_raw=is_raw,
                                   omit_time=False, point_time=False, root=None)
        parts.append(with_tree(part, provider, fast=False))
    return ZipByTime(tuple(raw), tuple(aggs), parts[0], parts[1])


# -- the fast executor: a physical choice -----------------------------------------------------

def _fast_choice(plan: SelectPlan, provider) -> tuple[str, tuple] | None:
    """(shape, exact tag filter) when the fast executor answers this plan exactly as the
    general one does: one measurement scanned exactly by tags (``exact_tag_scan``), no
    series grouping, ordering, zones or extra windows, limits only over exact windows
    (:func:`_limited_windows`), and a shape it knows."""
    if (plan.dimensions or plan.tz is not None or not plan.ascending
            or ((plan.limit or plan.row_offset) and not _limited_windows(plan))
            or plan.slimit or plan.soffset or plan.into is not None
            or plan.omit_time or plan.point_time or plan.extra_intervals
            or len(plan.sources) != 1 or not isinstance(plan.sources[0], Scan)
            or not provider.capabilities.exact_tag_scan):
        return None
    src = plan.sources[0]
    if src.time_range.empty:
        return None
    schema = provider.schema(src.database, src.measurement)
    if schema is None:
        return None
    if not (_raw_shape(plan, schema) if plan.is_raw else _window_shape(plan, schema)):
        return None
    tags = _fast_tags(plan, schema)
    if tags is None:
        return None
    return ("raw" if plan.is_raw else "windows",
            tuple((k, tuple(v)) for k, v in tags.items()))


def _fast_tags(plan: SelectPlan, schema) -> dict | None:
    if plan.condition is None:
        return {}
    if plan.is_raw:  # raw rows: the rest of the condition is evaluated on the rows the tags leave
        tags = scan_tags(plan.condition)  # none (a field condition over every series): general
        # a key the measurement lacks matches no series: the general path says so
        return tags if tags and all(k in schema.tags for k in tags) else None
    # every conjunct a tag equality (or an OR of them on one tag) of a real tag key
    for c in conjuncts(plan.condition):
        eq = tag_equalities(c, AnyString)
        if eq is None or eq[0] not in schema.tags:
            return None
    return scan_tags(plan.condition) or None


def _limited_windows(plan: SelectPlan) -> bool:
    """LIMIT/OFFSET over fill(null) windows of max/min/count: the answer is the first windows
    of the grid, which the fast executor reads alone (exec/fast_limit.py), with values
    exact in numpy (a mean's last bits would depend on the summation order)."""
    return (not plan.is_raw and plan.fill == "null" and all(
        isinstance(c.expr, ast.Call) and c.expr.name in ORDER_FREE_AGGREGATES for c in plan.columns))


def _window_shape(plan: SelectPlan, schema) -> bool:
    """GROUP BY time(...) of fast aggregates over numeric fields, fill(null|none), bounded
    (a LIMIT bounds a range without start: the grid then starts at the data, unless an
    offset wraps influxd's fill walk round to 1677: exec/fill_walk.py)."""
    whole = plan.time_range
    if not plan.interval or plan.fill not in ("null", "none") or whole.end >= MAX_TIME \
            or not (whole.has_start or plan.limit and (plan.fill == "none" or not plan.offset)):
        return False
    for col in plan.columns:
        call = col.expr
        if not (isinstance(call, ast.Call) and _fast_call(plan, call.name) and _fast_args(call)):
            return False
        ref = call.args[0]
        ftype = schema.fields.get(ref.name) if isinstance(ref, ast.VarRef) else None
        if ftype is None or ftype.value not in F.NUMERIC or ref.type != ftype.value:
            return False
    return True


def _fast_call(plan: SelectPlan, name: str) -> bool:
    """A call the fast executor answers; stddev() only as influxd takes it (exec/fast_tree.py:
    v3's is Polars')."""
    return name in FAST_AGGREGATES or (name == "stddev" and not plan.emulates_v3)


def _fast_args(call: ast.Call) -> bool:
    """One field, and percentile()'s number: a window's value at its sorted index is the same
    whichever of equal values Go's sort puts there (the point's time is the window's)."""
    if call.name == "percentile":
        return len(call.args) == 2 and isinstance(call.args[1], (ast.IntegerLiteral, ast.NumberLiteral))
    return len(call.args) == 1


def _raw_shape(plan: SelectPlan, schema) -> bool:
    """Plain fields and tags (``SELECT *`` included), no casts, some field among them."""
    if plan.fill != "null":
        return False
    fields = 0
    for col in plan.columns:
        ref = col.expr
        if not isinstance(ref, ast.VarRef):
            return False
        if ref.type == "tag":
            if ref.name not in schema.tags:
                return False
        else:
            ftype = schema.fields.get(ref.name)
            if ftype is None or ref.type != ftype.value:
                return False
            fields += 1
    return fields > 0
