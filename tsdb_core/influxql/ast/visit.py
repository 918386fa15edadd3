"""Generic traversal of the AST: the one way code walks or rewrites a tree.

Nodes are frozen dataclasses, so traversal follows their fields: a field holding
a :class:`Node`, or a tuple/list of them, is a child. ``walk`` yields nodes in
pre-order (parents before children, fields in declaration order); ``transform``
rebuilds bottom-up, returning the very same object where nothing changed, so
callers can test ``new is old``. Modelled on sqlglot's ``walk``/``transform``
and IOx's ``visit.rs``.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from functools import lru_cache

from . import expr as E
from .expr import Node

Prune = Callable[[Node], bool]


@lru_cache(maxsize=None)
def _field_names(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(cls)) if dataclasses.is_dataclass(cls) else ()


def children(node: Node) -> Iterator[Node]:
    """The direct child nodes of ``node``, in field order."""
    for name in _field_names(type(node)):
        value = getattr(node, name)
        if isinstance(value, Node):
            yield value
        elif isinstance(value, (tuple, list)):
            for item in value:
                if isinstance(item, Node):
                    yield item


# Node kinds without children, and the expression kinds every condition is made of, stepped
# through directly: every new statement text is walked several times (time literals, now(),
# aggregates, calls in WHERE), and asking children() of each costs most of a walk.
_LEAVES = frozenset((E.VarRef, E.StringLiteral, E.IntegerLiteral, E.NumberLiteral, E.UnsignedLiteral,
                     E.BooleanLiteral, E.DurationLiteral, E.TimeLiteral, E.RegexLiteral, E.ListLiteral,
                     E.NilLiteral, E.BoundParameter, E.Distinct, E.Wildcard))


def walk(node: Node, prune: Prune | None = None) -> Iterator[Node]:
    """``node`` and every node below it, pre-order; ``prune(n)`` true stops below ``n``."""
    stack = [node]
    pop, push = stack.pop, stack.append
    while stack:
        current = pop()
        yield current
        kind = type(current)
        if kind in _LEAVES or (prune is not None and prune(current)):
            continue
        if kind is E.BinaryExpr:
            push(current.rhs)
            push(current.lhs)
        elif kind is E.ParenExpr:
            push(current.expr)
        elif kind is E.Call:
            stack.extend(reversed(current.args))
        else:
            stack.extend(reversed(list(children(current))))


def find(node: Node, kind: type | tuple[type, ...], prune: Prune | None = None) -> Iterator[Node]:
    """The nodes below (and including) ``node`` that are instances of ``kind``."""
    return (n for n in walk(node, prune) if isinstance(n, kind))


def transform(node: Node, fn: Callable[[Node], Node], prune: Prune | None = None) -> Node:
    """Rebuild ``node`` bottom-up, replacing each node ``n`` by ``fn(n)``.

    Children are transformed before their parent sees them; ``prune(n)`` true
    leaves ``n``'s subtree as it is (``fn`` still sees ``n`` itself).
    """
    if prune is None or not prune(node):
        changes = {}
        for name in _field_names(type(node)):
            value = getattr(node, name)
            new = _transform_value(value, fn, prune)
            if new is not value:
                changes[name] = new
        if changes:
            node = dataclasses.replace(node, **changes)
    return fn(node)


def _transform_value(value, fn, prune):
    if isinstance(value, Node):
        return transform(value, fn, prune)
    if isinstance(value, (tuple, list)) and any(isinstance(v, Node) for v in value):
        items = [transform(v, fn, prune) if isinstance(v, Node) else v for v in value]
        if all(a is b for a, b in zip(items, value)):
            return value
        return type(value)(items)
    return value
