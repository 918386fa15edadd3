"""InfluxDB 3's split_cond (``time_range.rs`` of ``influxdb_influxql_parser``) walked over a
WHERE clause for its errors, in the order v3 meets them.

v3 visits the conditional nodes children first (``walk.rs`` walk_expression) and keeps a stack:
a comparison with ``time`` pushes a placeholder once its other side folds, any other
comparison and a bare ``true``/``false`` push themselves, AND/OR pop two and push one, and the
rest (a bare field, number or parenthesised arithmetic) push nothing. So a bare operand of
AND/OR is "invalid expr stack", a WHERE that is only ``time`` leaves nothing ("expected an
element on stack") and ``time = (a = 1)`` has no expression to fold ("expected Expr"): v3's
internal errors (``ExprError::Internal``), which its planner answers as a DataFusion External
error (iox_query_influxql ``error.rs``). None of it happens unless a conditional node is
``time`` itself (has_time_range). Only the stack's depth decides these errors, so a count
stands for the stack.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..ast import expr as A
from .timerange3 import fold_error

_COMPARE = frozenset(("=", "!=", ">", ">=", "<", "<="))
_CONDITIONAL = _COMPARE | {"=~", "!~", "AND", "OR"}
PLANNING = "Error during planning: "  # DataFusionError::Plan (error.rs map::query)
INTERNAL = "External error: InfluxQL internal error: "  # error.rs map::internal: External(PlannerError::Internal)
NOT_EQUAL = "invalid time comparison operator: !="
EXPECTED_EXPR = "expected Expr"
INVALID_STACK = "invalid expr stack"
NO_ELEMENT = "expected an element on stack"


@dataclass(frozen=True, slots=True)
class SplitError:
    """One of split_cond's errors; ``internal``: an ExprError::Internal (a bug in v3)."""

    message: str
    internal: bool = False

    def __str__(self) -> str:
        """As DataFusion displays the error the planner makes of it."""
        return (INTERNAL if self.internal else PLANNING) + self.message


class _Stop(Exception):
    """The walk's ControlFlow::Break."""

    def __init__(self, error: SplitError):
        super().__init__(error.message)
        self.error = error


def split_cond_error(cond, now: int, tz: str | None = None) -> SplitError | None:
    """The error split_cond returns for ``cond``, None when it splits it; ``now``: what
    ``now()`` folds to, ``tz``: the zone timestamp strings are read in (a SELECT's ``tz()``)."""
    nodes = list(_nodes(cond))
    if not any(_is_time(n) for n in nodes):
        return None
    depth = 0
    try:
        for node in nodes:
            depth += _visit(node, depth, now, tz)
    except _Stop as stop:
        return stop.error
    return None if depth else SplitError(NO_ELEMENT, internal=True)


def _visit(node, depth: int, now: int, tz: str | None) -> int:
    """One node of the walk: how it changes the stack's depth, or _Stop."""
    if isinstance(node, A.BooleanLiteral):
        return 1
    if not _binary(node):
        return 0
    op = node.op.upper()
    if op in ("AND", "OR"):
        if depth < 2:
            raise _Stop(SplitError(INVALID_STACK, internal=True))
        return -1
    if op in _COMPARE and (_is_time(node.lhs) or _is_time(node.rhs)):
        if op == "!=":
            raise _Stop(SplitError(NOT_EQUAL))
        other = node.rhs if _is_time(node.lhs) else node.lhs
        if _conditional(other):
            raise _Stop(SplitError(EXPECTED_EXPR, internal=True))
        found = fold_error(other, now, tz)
        if found is not None:
            raise _Stop(SplitError(found))
    return 1


def _nodes(e):
    """The conditional nodes of ``e``, children first (walk_expression)."""
    if _binary(e):
        yield from _nodes(e.lhs)
        yield from _nodes(e.rhs)
    elif _conditional(e):
        yield from _nodes(e.expr)
    yield e


def _binary(e) -> bool:
    """A ConditionalExpression::Binary: a comparison, regex match, AND or OR."""
    return isinstance(e, A.BinaryExpr) and e.op.upper() in _CONDITIONAL


def _conditional(e) -> bool:
    """Not a ConditionalExpression::Expr: v3 reads parentheses around a condition as Grouped,
    around arithmetic as part of the arithmetic (Expr::Nested)."""
    return _binary(e) or (isinstance(e, A.ParenExpr) and _conditional(e.expr))


def _is_time(e) -> bool:
    """is_time_field: the node is the bare ``time`` (any case, any ``::`` type)."""
    return isinstance(e, A.VarRef) and e.name.lower() == "time"
