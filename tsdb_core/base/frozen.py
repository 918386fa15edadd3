"""Copies of frozen dataclasses with some fields changed, for hot paths.

``dataclasses.replace`` looks up the fields and runs ``__init__`` on every call; a query
text seen for the first time rebuilds a dozen nodes along a path (a statement from its
template, a plan moved to another time range), where that is a good part of the cost.
"""
from __future__ import annotations

import dataclasses
from functools import lru_cache

_set = object.__setattr__


@lru_cache(maxsize=None)
def _plain_fields(cls: type) -> tuple[str, ...] | None:
    """The field names of ``cls``; None when ``__init__`` does more than set them."""
    if hasattr(cls, "__post_init__") or any(
            not f.init or isinstance(f.type, dataclasses.InitVar) for f in dataclasses.fields(cls)):
        return None
    return tuple(f.name for f in dataclasses.fields(cls))


def with_fields(obj, **changes):
    """``dataclasses.replace(obj, **changes)``, without running ``__init__`` again where it
    only sets the fields (frozen or not)."""
    copy = _copier(type(obj))
    if copy is None:
        return dataclasses.replace(obj, **changes)
    return copy(obj, changes)


@lru_cache(maxsize=None)
def _copier(cls: type):
    """A function ``(obj, changes) -> copy`` for ``cls``, one line per field (a loop over the
    names costs twice as much on a plan's thirty); None when ``__init__`` does more."""
    names = _plain_fields(cls)
    if names is None:
        return None
    lines = ["def copy(obj, changes):", "    new = _new(_cls)",
             *(f"    _set(new, {name!r}, obj.{name})" for name in names),
             "    for name, value in changes.items():", "        if name in _names:",
             "            _set(new, name, value)", "    return new"]
    scope = {"_new": object.__new__, "_cls": cls, "_set": _set, "_names": frozenset(names)}
    exec("\n".join(lines), scope)  # noqa: S102 - the text is made of the class's own field names
    return scope["copy"]


@lru_cache(maxsize=None)
def setter(cls: type, names: tuple[str, ...]):
    """A function ``(obj, *values) -> copy`` of ``obj`` (a ``cls``) with fields ``names`` set
    to ``values``: :func:`with_fields` without its per-call look-ups and keyword dict, for
    code that rebuilds the same fields of the same classes again and again (plan/bind.py)."""
    fields = _plain_fields(cls)
    args = [f"v{i}" for i in range(len(names))]
    if fields is None or not set(names) <= set(fields):
        scope = {"_replace": dataclasses.replace}
        pairs = ", ".join(f"{n!r}: {a}" for n, a in zip(names, args))
        exec(f"def put(obj, {', '.join(args)}):\n    return _replace(obj, **{{{pairs}}})", scope)  # noqa: S102
        return scope["put"]
    given = dict(zip(names, args))
    lines = [f"def put(obj, {', '.join(args)}):", "    new = _new(_cls)",
             *(f"    _set(new, {name!r}, {given.get(name, 'obj.' + name)})" for name in fields),
             "    return new"]
    scope = {"_new": object.__new__, "_cls": cls, "_set": _set}
    exec("\n".join(lines), scope)  # noqa: S102 - made of the class's own field names
    return scope["put"]


def rebuilder(node, trie: dict, leaf_code, scope: dict, *, shared: bool = False):
    """A generated function ``(node, values, extra) -> copy`` of ``node`` with the parts
    ``trie`` names replaced: a trie maps a field name (or a tuple index) to a deeper trie or to
    a leaf, whose new value is the expression ``leaf_code(leaf, old)`` (``old``: the expression
    of the part it replaces; it may read ``values``, ``extra`` and ``scope``). Straight-line
    code with a :func:`setter` per node: for a rebuild done again and again along the same
    paths of the same ``node`` (it follows ``node``'s classes). With ``shared`` (a trie found
    from the parts alone, so alike below a part held twice), a part ``node`` holds in two
    places (a plan's condition and its Filter's) is rebuilt once and shared as it was."""
    lines, scope = ["def rebuild(n0, values, extra):"], dict(scope)
    built: dict[int, str] = {}  # id of a part of node -> the variable holding its copy

    def emit(var: str, old, sub: dict) -> str:
        parts = {}
        for step, leaf in sub.items():
            got = f"{var}[{step}]" if step.__class__ is int else f"{var}.{step}"
            if leaf.__class__ is dict:
                part = old[step] if step.__class__ is int else getattr(old, step)
                if not shared or id(part) not in built:
                    child = f"n{len(lines)}"
                    lines.append(f"    {child} = {got}")
                    built[id(part)] = emit(child, part, leaf)
                parts[step] = built[id(part)]
            else:
                parts[step] = leaf_code(leaf, got)
        new = f"r{len(lines)}"
        if isinstance(old, tuple):  # (a plain tuple, as ``tuple(items)`` makes)
            lines.append(f"    {new} = ({''.join(parts.get(k, f'{var}[{k}]') + ', ' for k in range(len(old)))})")
        else:
            put = f"_put{len(lines)}"
            scope[put] = setter(type(old), tuple(parts))
            lines.append(f"    {new} = {put}({var}, {', '.join(parts.values())})")
        return new

    lines.append(f"    return {emit('n0', node, trie)}")
    exec("\n".join(lines), scope)  # noqa: S102 - made of field names and indexes found in node
    return scope["rebuild"]
