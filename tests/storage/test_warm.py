"""With ``read_ahead``, background work starts by reading ahead each measurement's newest
file: the first query after a restart finds it decoded (and a file that fails to read is
left to that query). Without it, nothing is read ahead."""
from __future__ import annotations

import tsdb_core

T0 = 1_700_000_000_000_000_000
H = 3600 * 10**9
AHEAD = tsdb_core.StoreConfig(read_ahead=True)


def _store(path):
    s = tsdb_core.open(path)
    s.create_database("db")
    s.write("db", "\n".join(f"cpu,host=h{i % 3} v={i} {T0 + i * H}" for i in range(60)))
    s.write("db", f"mem,host=a used=5i {T0}")
    s.flush()
    s.close()


def _decoded(store) -> dict[str, bool]:
    st = store._engine.state
    files = st.catalog.all_files()
    return {f.path: st.files._decoded.peek(f.id) is not None for f in files}


def test_the_newest_file_of_each_measurement_is_read_ahead(tmp_path):
    _store(tmp_path / "s")
    store = tsdb_core.open(tmp_path / "s", config=AHEAD)
    try:
        q = "SELECT max(v) FROM cpu WHERE host = 'h1'"
        assert not any(_decoded(store).values())
        store.start_background(3600)
        assert store._engine.maintenance.warmed.wait(60)
        held = _decoded(store)
        newest = {}
        for f in store._engine.state.catalog.all_files():
            if f.tmax >= newest.get(f.key, f).tmax:
                newest[f.key] = f
        assert {p for p, ok in held.items() if ok} == {f.path for f in newest.values()}
        assert store.query(q, db="db").statements[0].series[0].values[0][1] == 58.0
    finally:
        store.close()


def test_a_damaged_file_is_left_to_the_query(tmp_path):
    _store(tmp_path / "s")
    store = tsdb_core.open(tmp_path / "s", config=AHEAD)
    try:
        mem = next(f for f in store._engine.state.catalog.all_files() if f.key[2] == "mem")
        (tmp_path / "s" / mem.path).write_bytes(b"not parquet")
        store.start_background(3600)
        assert store._engine.maintenance.warmed.wait(60)
        assert _decoded(store)[mem.path] is False
        res = store.query("SELECT used FROM mem", db="db").statements[0]
        assert res.error is not None and "quarantine" in res.error
    finally:
        store.close()


def test_a_file_too_large_for_the_cache_is_not_decoded_ahead(tmp_path):
    _store(tmp_path / "s")
    store = tsdb_core.open(tmp_path / "s", config=tsdb_core.StoreConfig(cache_bytes=1, read_ahead=True))
    try:
        store.start_background(3600)
        assert store._engine.maintenance.warmed.wait(60)
        assert not any(_decoded(store).values())
        assert store.query("SELECT max(v) FROM cpu", db="db").statements[0].series[0].values[0][1] == 59.0
    finally:
        store.close()


def test_nothing_is_read_ahead_by_default(tmp_path):
    _store(tmp_path / "s")
    store = tsdb_core.open(tmp_path / "s")
    try:
        store.start_background(3600)
        assert not store._engine.maintenance.warmed.is_set()
        assert not any(_decoded(store).values())
    finally:
        store.close()
