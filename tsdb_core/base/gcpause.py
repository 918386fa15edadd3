"""Holding off Python's cyclic garbage collector while answer rows are built.

An answer becomes one Python list per row. Every 700 new containers start a collection of
the youngest objects, every tenth of those a collection of the older ones, and now and
then one of the whole heap: building a few thousand rows set off collections that walked
everything the process holds, and did so again for each large answer. Rows hold numbers,
strings and None, never a cycle, so the collector has nothing to find in them;
:func:`paused` keeps it off while they are built and turns it back on after (only if it
was on: an application that turned it off keeps it off).
"""
from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_depth = 0  # threads inside paused()
_was_enabled = False  # whether the outermost paused() turned the collector off


@contextmanager
def paused() -> Iterator[None]:
    """The collector off for the block (nested and concurrent blocks share one pause)."""
    global _depth, _was_enabled
    with _lock:
        if _depth == 0:
            _was_enabled = gc.isenabled()
            if _was_enabled:
                gc.disable()
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _was_enabled:
                gc.enable()
