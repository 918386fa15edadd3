"""A plan moved to another time range, for a statement that differs only in its time bounds.

Planning reads the time range in few places: the plan's own range, each scan's (the
range widened by the windows a transform reads first) and the fast executor's choice
(whether the range is empty or unbounded). For statements over measurements without
``now()`` and with the same condition besides time, moving those ranges gives the plan
planning would give, provided the new range is of the same kind (:func:`range_kind`). The
plan cache only uses this for a family once it has seen it hold (plan/cache.py).
"""
from __future__ import annotations

from ...base.frozen import with_fields
from ...base.time import MAX_TIME, MIN_TIME
from ..analyze.time_range import TimeRange
from .nodes import Aggregate, FastSelect, Fill, Filter, Merge, OrderLimit, Project, Scan, SelectPlan, Series, \
    Transform
from .planner import extended_range

_ONE_INPUT = (FastSelect, Project, OrderLimit, Transform, Fill, Aggregate, Series, Filter)


def range_kind(tr: TimeRange) -> tuple[bool, ...]:
    """What planning may tell apart about a range besides its bounds (empty, has a start, has
    an end, starts at or before MIN_TIME, ends at or after MAX_TIME: the properties, read
    from the bounds once, as the plan cache asks for every new text)."""
    start, end = tr.start, tr.end
    return (start > end, start != MIN_TIME, end != MAX_TIME, start <= MIN_TIME, end >= MAX_TIME)


def retimed(plan: SelectPlan, old: TimeRange, new: TimeRange) -> SelectPlan | None:
    """``plan`` (planned over ``old``) over ``new`` instead; None when its shape is not one
    this knows to move (a subquery, two statements zipped) or the ranges differ in kind."""
    extra = plan.extra_intervals * plan.interval
    old_scan = extended_range(old, extra, plan.ascending)
    new_scan = extended_range(new, extra, plan.ascending)
    if plan.time_range != old or range_kind(old) != range_kind(new) \
            or range_kind(old_scan) != range_kind(new_scan):
        return None
    sources = []
    for s in plan.sources:
        if type(s) is not Scan or s.time_range != old_scan:
            return None
        sources.append(with_fields(s, time_range=new_scan))
    root = _node(plan.root, old_scan, new_scan)
    if root is None:
        return None
    return with_fields(plan, sources=tuple(sources), time_range=new, root=root)


def _node(node, old: TimeRange, new: TimeRange):
    """The operator tree ``node`` with its scans over ``new``; None for a node not known here."""
    kind = type(node)
    if kind is Scan:
        return with_fields(node, time_range=new) if node.time_range == old else None
    if kind is Merge:
        inputs = tuple(_node(s, old, new) for s in node.inputs)
        return None if any(s is None for s in inputs) else Merge(inputs)
    if kind in _ONE_INPUT:
        child = _node(node.child, old, new)
        return None if child is None else with_fields(node, child=child)
    return None
