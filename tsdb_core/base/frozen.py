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
    names = _plain_fields(type(obj))
    if names is None:
        return dataclasses.replace(obj, **changes)
    new = object.__new__(type(obj))
    for name in names:
        _set(new, name, changes[name] if name in changes else getattr(obj, name))
    return new
