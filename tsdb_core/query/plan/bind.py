"""A plan carried over to other values of the strings its WHERE compares tags and fields with.

Dashboards ask one shape for many hosts: ``host = 'h1'``, then ``host = 'h7'``. Planning
reads such a value in no decision: it sits in the condition (a string literal) and in the
tag filters the condition yields (``Scan.tags``, ``FastSelect.tags``) and nowhere else,
provided the values are distinct and none is ``''`` (``tag = ''`` is "no such tag", which
the parser's family key keeps apart: parser/templates.py). So replacing them there gives
the plan planning would give. The plan cache only does this within a family it has seen
hold (plan/cache.py) and checks the rest (catalog answers, the time range) as for times::

    binder = Binder(plan, ("h1",))       # once per family
    plan_h7 = binder.bind(plan, ("h7",))
"""
from __future__ import annotations

import dataclasses
from functools import lru_cache

from ...base.frozen import rebuilder, with_fields
from ...influxql import ast
from .nodes import FastSelect, Scan

_TAGGED = (Scan, FastSelect)
# trie leaves: a value's index (>= 0), a TagFilter, or a time range's index in RANGE + k
_TAGS = -1
_RANGE = -2


class Binder:
    """Where ``values`` (and the time ranges ``ranges``) sit in ``node`` (a plan, a plan node,
    an expression), found once, so that binding others rebuilds only the nodes on the way
    to them. A range is found in a field named ``time_range`` (the plan's and its scans')."""

    __slots__ = ("values", "ranges", "_trie", "_node", "_compiled")

    def __init__(self, node, values: tuple[str, ...], ranges: tuple = ()) -> None:
        self.values, self.ranges = values, ranges
        self._node, self._compiled = node, None
        self._trie: dict = {}
        index = {v: i for i, v in enumerate(values)}
        for path, leaf in _find(node, index, ranges, ()):
            trie = self._trie
            for step in path[:-1]:
                trie = trie.setdefault(step, {})
            trie[path[-1]] = leaf

    def bind(self, node, values: tuple[str, ...], ranges: tuple = ()):
        """``node`` (the one this was built from) with ``values`` and ``ranges`` where this
        one's were (``ranges`` () or as many as at construction); the same object when they
        are the same."""
        if (values == self.values and ranges in ((), self.ranges)) or not self._trie:
            return node
        renamed, ranges = dict(zip(self.values, values)), ranges or self.ranges
        if node is not self._node:
            return _rebuild(node, self._trie, values, renamed, ranges)
        if self._compiled is None:  # (the same rebuild as straight-line code, for this node)
            self._compiled = _compile(node, self._trie)
        return self._compiled(node, values, (renamed, ranges))


def _rebuild(node, trie: dict, values: tuple[str, ...], renamed: dict[str, str], ranges: tuple):
    def part(old, sub):
        if sub.__class__ is dict:
            return _rebuild(old, sub, values, renamed, ranges)
        if sub >= 0:
            return ast.StringLiteral(values[sub])
        if sub == _TAGS:  # (spelled apart from _renamed_tags: tests hold the generated code to this)
            return tuple((k, tuple(renamed.get(v, v) for v in vals)) for k, vals in old)
        return ranges[_RANGE - sub]

    if node.__class__ is tuple:
        items = list(node)
        for k, sub in trie.items():
            items[k] = part(items[k], sub)
        return tuple(items)
    return with_fields(node, **{name: part(getattr(node, name), sub) for name, sub in trie.items()})


def _renamed_tags(tags: tuple, renamed: dict[str, str]) -> tuple:
    get = renamed.get  # (map: no generator frames, once per new text of a family)
    return tuple([(k, tuple(map(get, vals, vals))) for k, vals in tags])


def _compile(node, trie: dict):
    """:func:`_rebuild` of ``node`` by ``trie`` as generated code (``extra``: renamed, ranges);
    a part held twice is rebuilt once (``trie`` is found from the parts: :func:`_find`)."""
    def leaf(sub: int, old: str) -> str:
        if sub >= 0:
            return f"_S(values[{sub}])"
        return f"_tags({old}, extra[0])" if sub == _TAGS else f"extra[1][{_RANGE - sub}]"
    return rebuilder(node, trie, leaf, {"_S": ast.StringLiteral, "_tags": _renamed_tags}, shared=True)


def _find(node, index: dict[str, int], ranges: tuple, path: tuple):
    """(path, leaf) of each literal holding one of the values, each TagFilter and each
    ``time_range`` among ``ranges`` in ``node``."""
    cls = type(node)
    if cls is ast.StringLiteral:
        i = index.get(node.val)
        if i is not None:
            yield path, i
        return
    if cls is tuple:
        for k, v in enumerate(node):
            yield from _find(v, index, ranges, path + (k,))
        return
    for name in _fields(cls):
        v = getattr(node, name)
        if name == "tags" and cls in _TAGGED:
            if v:
                yield path + (name,), _TAGS
        elif name == "time_range" and v in ranges:
            yield path + (name,), _RANGE - ranges.index(v)
        else:
            yield from _find(v, index, ranges, path + (name,))


@lru_cache(maxsize=None)
def _fields(cls: type) -> tuple[str, ...]:
    """The compared fields of a dataclass (a field left out of ``==`` cannot hold a literal
    the verification of a family would have seen); () for anything else."""
    if not dataclasses.is_dataclass(cls):
        return ()
    return tuple(f.name for f in dataclasses.fields(cls) if f.compare)
