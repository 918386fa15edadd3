"""Parse a SELECT text that differs from one seen before only in its string literals.

Dashboards and benchmarks send each query once: the time range (and often a host) change
from one request to the next, the rest of the text does not. Such a text is cut at its
simple string literals (``'...'`` without quote, backslash or line break) into a skeleton
and the literals' values; a later text of the same skeleton gets the first one's
statements with those literals replaced, without running the parser.

Nothing is trusted that was not checked. A skeleton becomes a template when (1) every
statement is a SELECT, (2) the values are distinct and each is one string literal of the
AST exactly once (a cut inside an identifier, a comment or an escaped string fails this),
and (3) the next text of that skeleton, parsed in full, equals the template's answer for
its values. The lengths of the values are part of the skeleton, so every other token keeps
its position. Until then (and for ever when a check fails) texts are parsed in full.

Each statement built or parsed here is remembered with its :func:`family`: the skeleton and
the values of its literals that are not time strings. The plan cache reuses a plan across a
family (query/plan/cache.py), whose members differ only in their time strings.
"""
from __future__ import annotations

import dataclasses
import re
import threading
from functools import lru_cache

from ...base.frozen import rebuilder
from ..ast import expr as E
from ..ast.select import SelectStatement

_LITERAL = re.compile(r"'([^'\\\n]*)'")
# a time string as InfluxQL reads one (analysis parses it; here it only sorts the values)
_TIME = re.compile(r"\d{4}-\d\d-\d\d(?:[T ]\d\d:\d\d:\d\d(?:\.\d{1,9})?)?(?:Z|[+-]\d\d:\d\d)?")
MAX_TEMPLATES = 1024
MAX_FAMILIES = 4096
_REFUSED = object()


class _Template:
    """The statements of one text and where its literals sit in them."""

    __slots__ = ("stmts", "values", "paths", "verified", "sites", "_trie", "_built")

    def __init__(self, stmts: tuple, values: tuple[str, ...], paths: tuple[tuple, ...]) -> None:
        self.stmts, self.values, self.paths = stmts, values, paths
        self.verified = False
        self.sites = _sites(stmts, paths)
        self._built = None  # per statement: its rebuild as generated code (None: unchanged)
        self._trie: dict = {}  # the paths as nested steps, each ending at its value's index
        for i, path in enumerate(paths):
            node = self._trie
            for step in path[:-1]:
                node = node.setdefault(step, {})
            node[path[-1]] = i

    def build(self, values: tuple[str, ...]) -> tuple:
        """The statements with literal i holding ``values[i]``."""
        built = self._built
        if built is None:  # (a race makes them twice: the same functions)
            trie = self._trie
            built = self._built = tuple(rebuilder(s, trie[i], _leaf, _SCOPE) if i in trie else None
                                        for i, s in enumerate(self.stmts))
        return tuple(s if fn is None else fn(s, values, None) for s, fn in zip(self.stmts, built))


_SCOPE = {"_S": E.StringLiteral}


def _leaf(i: int, old: str) -> str:
    return f"_S(values[{i}])"


def _sites(stmts: tuple, paths: tuple[tuple, ...]) -> tuple[tuple[tuple, tuple[int, ...]], ...]:
    """Per statement: the paths of its literals from the statement down, and their indexes
    among the text's values (made once per template: :func:`literal_sites` hands them out)."""
    return tuple((tuple(p[1:] for p in paths if p[0] == i), tuple(k for k, p in enumerate(paths) if p[0] == i))
                 for i in range(len(stmts)))


@lru_cache(maxsize=None)
def _field_names(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(cls)) if dataclasses.is_dataclass(cls) else ()


def _literal_paths(stmts: tuple, values: tuple[str, ...]) -> tuple[tuple, ...] | None:
    """The path (statement index, then field names and tuple indexes) of the string literal
    holding each value; None unless each value is held by exactly one."""
    wanted = {v: i for i, v in enumerate(values)}
    found: list[list] = [[] for _ in values]
    stack = [((i,), s) for i, s in enumerate(stmts)]
    while stack:
        path, node = stack.pop()
        if type(node) is E.StringLiteral:
            i = wanted.get(node.val)
            if i is not None:
                found[i].append(path)
            continue
        if isinstance(node, tuple):
            stack.extend((path + (k,), v) for k, v in enumerate(node) if isinstance(v, (E.Node, tuple)))
            continue
        for name in _field_names(type(node)):
            v = getattr(node, name)
            if isinstance(v, (E.Node, tuple)):
                stack.append((path + (name,), v))
    if any(len(f) != 1 for f in found):
        return None
    return tuple(f[0] for f in found)


_templates: dict[tuple, _Template | object] = {}
# id -> (the statement, its family, its template's, bound values, its literals' sites)
_families: dict[int, tuple] = {}
_lock = threading.Lock()


def parse(text: str, params: dict | None, parse_fully):
    """``parse_fully(text, params)`` (statements, depth error), from a template when one
    holds for ``text``."""
    if params:
        return parse_fully(text, params)
    parts = _LITERAL.split(text)
    values = tuple(parts[1::2])
    if not values:
        return parse_fully(text, params)
    key = (tuple(parts[0::2]), tuple(map(len, values)), params is None)
    entry = _templates.get(key)
    if isinstance(entry, _Template) and entry.verified:
        stmts = entry.build(values)
        _note_families(key, stmts, values, entry.paths, entry.stmts, entry.sites)
        return stmts, None
    hit = parse_fully(text, params)
    if entry is not _REFUSED:
        _learn(key, entry, hit, values)
    return hit


def _learn(key: tuple, entry: _Template | None, hit: tuple, values: tuple[str, ...]) -> None:
    """Note a text parsed in full: the template's first text, or the one that checks it."""
    stmts, too_deep = hit
    if entry is None:
        ok = too_deep is None and stmts and all(type(s) is SelectStatement for s in stmts) \
            and len(set(values)) == len(values)
        paths = _literal_paths(stmts, values) if ok else None
        if paths is None:
            _put(key, _REFUSED)
            return
        entry = _Template(stmts, values, paths)
        _put(key, entry)
    elif entry.build(values) == stmts and too_deep is None:
        entry.verified = True
        paths = entry.paths
    else:
        _put(key, _REFUSED)
        return
    _note_families(key, stmts, values, paths, stmts, entry.sites)


def _note_families(key: tuple, stmts: tuple, values: tuple[str, ...], paths: tuple[tuple, ...],
                   origins: tuple, sites: tuple) -> None:
    """Give each statement its family: the statements of this skeleton whose other literals
    are these, but for tag and field comparisons (:func:`_slots`); none for a statement with
    a time string outside its WHERE clause."""
    times = [_TIME.fullmatch(v) is not None for v in values]
    slots = _slots(key, stmts, paths)
    # a slot's value is bound into a plan by value: only when every value is its own, and not ''
    # (``tag = ''`` means "no such tag": another condition)
    bind = len(set(values)) == len(values) and "" not in values
    others = tuple(None if t else True if bind and slot else v for v, t, slot in zip(values, times, slots))
    with _lock:
        if len(_families) >= MAX_FAMILIES:
            _families.clear()
        for i, s in enumerate(stmts):
            where_only = all(p[1] == "condition" for p, t in zip(paths, times) if t and p[0] == i)
            bound = tuple(v for v, p, o in zip(values, paths, others) if o is True and p[0] == i)
            at, which = sites[i]
            _families[id(s)] = (s, (key[0], key[2], i, others) if where_only else None, origins[i], bound,
                                (at, tuple(values[k] for k in which)))


_slot_cache: dict[tuple, tuple[bool, ...]] = {}


def _slots(key: tuple, stmts: tuple, paths: tuple[tuple, ...]) -> tuple[bool, ...]:
    """Which literals are one side of ``name = '...'`` / ``!=`` / ``<>`` in WHERE, ``name``
    not ``time``: the literals a plan only carries (query/plan/bind.py). Every text of a
    template has the same statements but for literal values: worked out once per skeleton."""
    hit = _slot_cache.get(key)
    if hit is None:
        hit = tuple(_is_slot(stmts[p[0]], p) for p in paths)
        with _lock:
            if len(_slot_cache) >= MAX_TEMPLATES:
                _slot_cache.clear()
            _slot_cache[key] = hit
    return hit


def _is_slot(stmt, path: tuple) -> bool:
    if len(path) < 3 or path[1] != "condition":
        return False
    node = stmt
    for step in path[1:-1]:
        node = node[step] if step.__class__ is int else getattr(node, step)
    if type(node) is not E.BinaryExpr or node.op not in ("=", "!=", "<>"):
        return False
    other = node.rhs if path[-1] == "lhs" else node.lhs
    return type(other) is E.VarRef and other.name.lower() != "time"


def _put(key: tuple, value) -> None:
    with _lock:
        if len(_templates) >= MAX_TEMPLATES and key not in _templates:
            _templates.pop(next(iter(_templates)))
        _templates[key] = value
        _slot_cache.pop(key, None)  # (worked out again from the new template's statements)


def family(stmt) -> tuple | None:
    """A key shared by the statements parsed here from texts that differ only in time strings
    and in the values compared with tags and fields in WHERE (the skeleton, the statement's
    place in the text, the other literals); None when unknown."""
    hit = _families.get(id(stmt))
    return hit[1] if hit is not None and hit[0] is stmt else None


def bound_values(stmt) -> tuple[str, ...]:
    """The values of ``stmt``'s literals that its :func:`family` leaves out but time strings,
    in text order (members of a family differ in these and in time strings only)."""
    hit = _families.get(id(stmt))
    return hit[3] if hit is not None and hit[0] is stmt else ()


def origin(stmt):
    """The statement of the template ``stmt`` was built from (or ``stmt`` itself for the
    template's first text): the same statement but for the values of string literals.
    None when ``stmt`` did not come through here."""
    hit = _families.get(id(stmt))
    return hit[2] if hit is not None and hit[0] is stmt else None


def literal_sites(stmt) -> tuple[tuple[tuple, ...], tuple[str, ...]] | None:
    """Where ``stmt`` and its :func:`origin` may differ: the paths from the statement (field
    names and tuple indexes) of the literals cut from its text (the same tuple for every
    statement of a template), and their values; elsewhere the two are equal. None when
    ``stmt`` did not come through here."""
    hit = _families.get(id(stmt))
    return hit[4] if hit is not None and hit[0] is stmt else None
