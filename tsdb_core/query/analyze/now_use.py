"""Whether a statement's meaning can change with the clock, read from its AST.

``now()`` anywhere makes it clock-bound. Without it, a SELECT over measurements only
(no subquery) can meet ``now`` in one more way: GROUP BY time with no end in WHERE ends
its windows at ``now``, which the plan shows (:func:`ends_at`). The plan cache and the
time-literal check both ask, so the answer is kept per statement object (the parse cache
hands the same object back for the same text).
"""
from __future__ import annotations

import threading

from ...influxql import ast
from ...influxql.ast.visit import walk
from ...influxql.parser.templates import origin

_MAX = 2048
_seen: dict[int, tuple[object, bool]] = {}  # id -> (the statement itself, mentions now())
_lock = threading.Lock()


def mentions_now(stmt) -> bool:
    """Whether a ``now()`` call appears anywhere in ``stmt`` (subqueries included)."""
    hit = _seen.get(id(stmt))
    if hit is not None and hit[0] is stmt:
        return hit[1]
    src = origin(stmt)  # a statement parsed from a template: only its strings differ
    found = mentions_now(src) if src is not None and src is not stmt else _has_now(stmt)
    with _lock:
        if len(_seen) >= _MAX:
            _seen.clear()
        _seen[id(stmt)] = (stmt, found)
    return found


def _has_now(node) -> bool:
    for n in walk(node):
        if isinstance(n, ast.Call) and n.name.lower() == "now":
            return True
    return False


def clock_free(stmt) -> bool | None:
    """False: ``stmt`` uses ``now()``. True: a SELECT over measurements without it, whose
    plan depends on ``now`` only if :func:`ends_at` says so. None: not known from the AST
    (a subquery, or not a SELECT): the caller must find out another way."""
    if not isinstance(stmt, ast.Node):
        return None
    if mentions_now(stmt):
        return False
    if not isinstance(stmt, ast.SelectStatement):
        return None
    return True if all(isinstance(s, ast.Measurement) for s in stmt.sources) else None


def ends_at(plan, now: int) -> bool:
    """Whether ``plan``'s time range ends at ``now`` (GROUP BY time without an end, or an end
    that happens to equal it: either way not to be reused at another instant)."""
    return plan.time_range.end == now
