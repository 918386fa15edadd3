"""The series index folds new writes in the background while a measurement's series are being
read (storage/index.py), so SHOW TAG VALUES on a store being written to finds nothing left to
fold; never for writes nobody reads, and never at the cost of a wrong answer."""
from __future__ import annotations

import threading

import polars as pl
import pytest

import tsdb_core
from tsdb_core.storage import index as index_mod

from ..waiting import wait_until

T0 = 1_700_000_000_000_000_000
KEY = ("db", "autogen", "cpu")


def _store():
    s = tsdb_core.open(None)
    s.create_database("db")
    s.write("db", f"cpu,host=a v=1 {T0}\ncpu,host=b v=1 {T0}")
    return s


def _hosts(store) -> list[str]:
    st = store.query("SHOW TAG VALUES FROM cpu WITH KEY = host", db="db").statements[0]
    assert st.error is None, st.error
    return [v for _, v in st.series[0].values] if st.series else []


def _index(store):
    return store._engine.state.index


@pytest.mark.no_catalog
def test_a_read_measurement_is_folded_after_each_write_without_a_read():
    store = _store()
    idx = _index(store)
    store.write("db", f"cpu,host=c v=1 {T0 + 1}")
    assert idx._pending.get(KEY)  # nobody has read it: the write left its part pending
    assert _hosts(store) == ["a", "b", "c"]
    store.write("db", f"cpu,host=d v=1 {T0 + 2}\nmem,host=m v=1 {T0}")
    wait_until(lambda: not idx._pending.get(KEY), "the background fold of cpu")
    assert idx._sets[KEY].get_column("host").to_list() == ["a", "b", "c", "d"]
    assert idx._pending.get(("db", "autogen", "mem"))  # never read: not folded
    wait_until(lambda: KEY not in idx._folding, "the fold thread to finish")
    assert _hosts(store) == ["a", "b", "c", "d"]
    store.close()


@pytest.mark.no_catalog
def test_a_fold_that_adds_no_series_keeps_the_frame_and_its_remembered_values():
    store = _store()
    idx = _index(store)
    assert _hosts(store) == ["a", "b"]
    frame = idx.series(KEY)
    values = idx.tag_values(KEY, "host")
    store.write("db", f"cpu,host=a v=2 {T0 + 1}\ncpu,host=b v=2 {T0 + 1}")
    wait_until(lambda: not idx._pending.get(KEY) and KEY not in idx._folding, "the background fold")
    assert idx.series(KEY) is frame and idx.tag_values(KEY, "host") is values
    store.write("db", f"cpu,host=a,dc=x v=3 {T0 + 2}")  # a new tag set (a new tag key): a new frame
    assert idx.series(KEY) is not frame
    assert idx.series(KEY).columns == ["dc", "host"] and idx.series(KEY).height == 3
    store.close()


@pytest.mark.no_catalog
def test_a_rebuild_during_a_background_fold_makes_its_result_moot(monkeypatch):
    """The fold's union is computed outside the lock; a replace() meanwhile wins."""
    store = _store()
    idx = _index(store)
    assert _hosts(store) == ["a", "b"]
    inside, release = threading.Event(), threading.Event()
    real = index_mod.distinct_tag_sets

    def slow(frames):
        if threading.current_thread().name == "tsdb-series-index":
            inside.set()
            assert release.wait(20)
        return real(frames)

    monkeypatch.setattr(index_mod, "distinct_tag_sets", slow)
    store.write("db", f"cpu,host=c v=1 {T0 + 1}")
    assert inside.wait(20)
    with store._engine.state.lock:
        idx.replace(KEY, pl.DataFrame({"host": ["z"]}))
    release.set()
    wait_until(lambda: KEY not in idx._folding, "the fold thread to finish")
    assert idx.series(KEY).get_column("host").to_list() == ["z"]
    store.close()


@pytest.mark.no_catalog
def test_tag_values_stay_exact_while_a_writer_adds_series():
    """Every answer holds every host acknowledged before the query began, and nothing else."""
    store = _store()
    assert _hosts(store) == ["a", "b"]
    acked: list[str] = ["a", "b"]
    done = threading.Event()

    def writer():
        for i in range(200):
            host = f"h{i:03d}"
            store.write("db", f"cpu,host={host} v=1 {T0 + i}\ncpu,host=a v=1 {T0 + i}")
            acked.append(host)
        done.set()

    t = threading.Thread(target=writer)
    t.start()
    checked = 0
    while not done.is_set() or checked == 0:
        before = set(acked)
        got = _hosts(store)
        assert before <= set(got) <= set(acked), "an answer lost a write or made up a host"
        assert got == sorted(got)
        checked += 1
    t.join()
    assert _hosts(store) == sorted(acked)
    store.close()


@pytest.mark.no_catalog
def test_a_write_of_known_series_to_a_read_measurement_leaves_nothing_to_fold():
    """The writer checks a small part against the folded sets (index.SeriesIndex.known): a
    SHOW on a store being written to with the same series finds nothing pending."""
    store = _store()
    idx = _index(store)
    assert _hosts(store) == ["a", "b"]
    frame = idx.series(KEY)
    store.write("db", f"cpu,host=b v=2 {T0 + 1}\ncpu,host=a v=2 {T0 + 1}")
    assert not idx._pending.get(KEY) and KEY not in idx._folding  # checked by the writer, dropped
    assert idx.series(KEY) is frame
    store.write("db", f"cpu,host=a,dc=x v=3 {T0 + 2}")  # a new tag key: pending (or folded) as before
    wait_until(lambda: not idx._pending.get(KEY) and KEY not in idx._folding, "the background fold")
    assert idx.series(KEY).rows() == [(None, "a"), (None, "b"), ("x", "a")]
    store.write("db", f"cpu v=4 {T0 + 3}")  # the empty tag set is new too
    assert _hosts(store) == ["a", "b"]
    assert idx.series(KEY).rows() == [(None, None), (None, "a"), (None, "b"), ("x", "a")]
    store.write("db", f"cpu v=5 {T0 + 4}\ncpu,host=b v=5 {T0 + 4}")
    assert not idx._pending.get(KEY)  # both known
    store.close()


@pytest.mark.no_catalog
def test_the_known_check_agrees_with_a_fold():
    """Whatever the parts, dropping those the check calls known leaves the same folded sets."""
    import random
    rnd = random.Random(5)
    for _ in range(200):
        idx = index_mod.SeriesIndex()
        idx.watch(KEY)
        every = []
        for _ in range(rnd.randint(1, 6)):
            cols = rnd.sample(["host", "dc", "rack"], rnd.randint(0, 3))
            n = rnd.randint(1, 4)
            part = pl.DataFrame({c: [rnd.choice(["a", "b", None]) for _ in range(n)] for c in sorted(cols)},
                                schema={c: pl.String for c in sorted(cols)}) if cols else pl.DataFrame(height=n)
            part = part.filter(pl.any_horizontal(pl.all().is_not_null())) if cols else part
            if not part.height:
                continue
            every.append(part)
            known = idx.known(KEY, part)
            if known is not None:  # (the check is right: nothing in the part is new)
                assert idx.series(KEY).equals(index_mod.distinct_tag_sets([idx.series(KEY), part]))
            idx.add(KEY, part, known=known)
            if rnd.random() < 0.5:
                idx.series(KEY)  # fold now and then: later parts are checked against the sets
        if every:
            assert idx.series(KEY).equals(index_mod.distinct_tag_sets(every))
