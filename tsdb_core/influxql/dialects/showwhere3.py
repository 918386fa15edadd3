"""DataFusion's optimizer on v3's plan of a SHOW MEASUREMENTS with a WHERE clause.

The planner's plan is showplan3.py's (planner.rs show_measurements_to_plan: for each table a
Projection of its name over ``Limit: skip=0, fetch=1`` over its filtered scan, the tables joined
table by table in nested Unions, under a Sort). DataFusion 50's rules, as it printed them for the
same builder calls over tables that take every filter (datafusion-python 50.1, pyarrow datasets;
once, by hand: it is no dependency): eliminate_nested_union flattens the Unions;
simplify_expressions folds a conjunct ``Boolean(false)`` (a table without the compared tag) into
the whole filter, eliminate_filter makes it an EmptyRelation, propagate_empty_relation drops that
table (one table left: no Union; none: the whole plan is an EmptyRelation); push_down_filter hands
the filter to the scan, optimize_projections reads no column; a second pass's push_down_limit gives
the scan the Limit's fetch. The physical plan depends on IOx's scan with a limit: not drawn
(but for no table left: an EmptyExec).
"""
from __future__ import annotations

from ..ast import expr as A
from .showplan3 import Plans, _block, _indent, _lit, _time_filter

EMPTY = "EmptyRelation: rows=0"
SORT = "Sort: iox::measurement ASC NULLS LAST, name ASC NULLS LAST"
FALSE = "Boolean(false)"


def measurements_plans(initial: str, branches: list[tuple[str, list[str]]]) -> Plans:
    """The Plans of ``initial`` over ``branches``: each table's name and its filter's conjuncts
    as the planner prints them (``Boolean(false)`` among them: no row can match)."""
    if not branches:
        return Plans(initial)
    kept = [(name, conj) for name, conj in branches if FALSE not in conj]
    steps = []
    if len(branches) > 2:
        steps.append(("eliminate_nested_union", _plan(branches, _filtered)))
    if any(FALSE in conj and len(conj) > 1 for _, conj in branches):
        steps.append(("simplify_expressions", _plan(branches, lambda n, c: _filtered(n, [FALSE] if FALSE in c else c))))
    if len(kept) < len(branches):
        steps.append(("eliminate_filter", _plan(branches, lambda n, c: EMPTY if FALSE in c else _filtered(n, c))))
        steps.append(("propagate_empty_relation", _plan(kept, _filtered) if kept else EMPTY))
    if not kept:  # DataFusion's physical planner: an EmptyRelation is an EmptyExec
        return Plans(initial, tuple(steps), "EmptyExec\n")
    if kept:
        steps += [
            ("push_down_filter", _plan(kept, lambda n, c: _scan(n, c, ""))),
            ("optimize_projections", _plan(kept, lambda n, c: _scan(n, c, " projection=[]"))),
            ("push_down_limit", _plan(kept, lambda n, c: _scan(n, c, " projection=[]", ", fetch=1"))),  # 2nd pass
        ]
    return Plans(initial, tuple(steps))


def _plan(branches, inner) -> str:
    texts = [_block(f"Projection: {_lit('measurements')} AS iox::measurement, {_lit(name)} AS name",
                    _block("Limit: skip=0, fetch=1", inner(name, conj))) for name, conj in branches]
    return _block(SORT, texts[0] if len(texts) == 1 else "Union\n" + "\n".join(_indent(t) for t in texts))


def _filtered(name: str, conj: list[str]) -> str:
    return _block(f"Filter: {' AND '.join(conj)}", f"TableScan: {name}")


def _scan(name: str, conj: list[str], projection: str, fetch: str = "") -> str:
    return f"TableScan: {name}{projection}, full_filters=[{', '.join(conj)}]{fetch}"


def conjuncts(table, lower: int | None, upper: int | None, cond) -> list[str]:
    """The conjuncts of showplan3.py's filter of ``table`` (its ``_scan``): the time range's,
    then a drawn ``tag = 'value'`` (``Boolean(false)`` for a table without that tag)."""
    out = _time_filter(table.name, lower, upper).removeprefix("Filter: ").split(" AND ")
    while isinstance(cond, A.ParenExpr):
        cond = cond.expr
    if cond is not None:
        out.append(f"{cond.lhs.name} = {_lit(cond.rhs.val)}" if cond.lhs.name in table.tags else FALSE)
    return out
