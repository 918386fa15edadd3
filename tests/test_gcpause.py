"""The cyclic collector is held off while answer rows are built, and left as it was after."""
from __future__ import annotations

import gc
import threading

import polars as pl

from tsdb_core.base import gcpause
from tsdb_core.query.results import frame_rows


def test_paused_turns_the_collector_off_and_back_on():
    assert gc.isenabled()
    with gcpause.paused():
        assert not gc.isenabled()
        with gcpause.paused():  # nested: still off, and still off after the inner block
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()


def test_an_application_that_turned_it_off_keeps_it_off():
    gc.disable()
    try:
        with gcpause.paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_back_on_after_an_error():
    try:
        with gcpause.paused():
            raise ValueError("boom")
    except ValueError:
        pass
    assert gc.isenabled()


def test_concurrent_blocks_share_one_pause():
    inside, release = threading.Event(), threading.Event()

    def other() -> None:
        with gcpause.paused():
            inside.set()
            release.wait(10)

    t = threading.Thread(target=other)
    t.start()
    try:
        assert inside.wait(10)
        with gcpause.paused():
            pass
        assert not gc.isenabled()  # the other thread is still building its rows
    finally:
        release.set()
        t.join(10)
    assert gc.isenabled()


def _collections(build) -> tuple[int, object]:
    seen = []
    gc.callbacks.append(lambda phase, info: seen.append(phase) if phase == "start" else None)
    try:
        out = build()
    finally:
        gc.callbacks.pop()
    return len(seen), out


def test_rows_are_built_without_a_collection_per_700_lists():
    frame = pl.DataFrame({"a": list(range(20_000)), "b": [1.5] * 20_000})
    gc.collect()
    plain, _ = _collections(lambda: list(map(list, zip(*(s.to_list() for s in frame.get_columns())))))
    assert plain >= 20  # the collector's threshold is 700 new containers
    gc.collect()
    paused, rows = _collections(lambda: frame_rows(frame))
    assert paused <= 1  # at most the one that turning it back on may start
    assert rows[0] == [0, 1.5] and rows[-1] == [19_999, 1.5] and len(rows) == 20_000
