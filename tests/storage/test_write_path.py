"""The write path keeps in its buffer exactly what WAL replay would load, compactly."""
from __future__ import annotations

import shutil

import polars as pl
import pytest

import tsdb_core
from tsdb_core.storage.wal import Wal
from tsdb_core.storage.wal_record import decode_write

T0 = 1_700_000_000_000_000_000
KEYED = "".join(f"cpu,host=host-number-{i % 3},dc=dc-{i % 2} v={i}.5,n={i}i {T0 + i}\n" for i in range(40))
WHOLE = "".join(f"cpu,host=host-number-{i},dc=dc-{i % 2} v={i}.5,n={i}i {T0 + i}\n" for i in range(40))
ESCAPED = "".join(f'log,app=a\\ b msg="say \\"{i}\\"",ok=t {T0 + i}\n' for i in range(30))
BIG = "".join(f"cpu,host=host-number-{i % 50} v={i}.5,n={i}i {T0 + i}\n" for i in range(16_000))  # two halves
MIXED = KEYED + ESCAPED + "cpu,host=x v=1i 5\n" + "mem free=3u\n" * 20


@pytest.mark.parametrize("body", [KEYED, WHOLE, ESCAPED, MIXED, BIG],
                         ids=["keyed", "whole", "escaped", "mixed", "big"])
def test_buffer_holds_what_replay_loads(tmp_path, body):
    with tsdb_core.open(tmp_path / "s") as store:
        res = store.write("db", body.encode())
        state = store._engine.state
        buffered = {key[2]: [c.frame for c in chunks] for key, chunks in state.buffer.parts.items()}
        coded = {key[2]: [c.series is not None for c in chunks] for key, chunks in state.buffer.parts.items()}
        store.write_frame("db", None, "frames", pl.DataFrame({"time": [T0], "k": ["a"], "x": [1.0]}),
                          ("k",), {"x": tsdb_core.FieldType.FLOAT})
        framed = state.buffer.parts[("db", "autogen", "frames")][0].frame
        wal_dir = tmp_path / "wal"  # a copy: closing the store flushes and empties the WAL
        shutil.copytree(state.wal.dir, wal_dir)
    assert res.values_written > 0
    replayed: dict[str, list[pl.DataFrame]] = {}
    wal = Wal(wal_dir)
    records = [decode_write(payload) for _, payload in wal.replay()]
    wal.close()
    for _, _, entries in records[:1]:
        for e in entries:
            replayed.setdefault(e.measurement, []).append(e.frame)
            if e.series is not None:  # the record's codes stand for its tag columns, as the buffer's do
                assert e.series.table.gather(pl.Series(e.series.codes)).equals(e.frame.select(e.tags))
    assert {e.measurement: [e.series is not None] for e in records[0][2]} == coded
    assert list(replayed) == list(buffered)
    for m, frames in replayed.items():
        assert [f.schema for f in frames] == [f.schema for f in buffered[m]]
        assert all(a.equals(b) for a, b in zip(frames, buffered[m])), m
        assert all(f.n_chunks() == 1 for f in buffered[m])
    assert framed.equals(records[1][2][0].frame)


REFUSED_KEY = KEYED + "".join(f"cpu,host=only-refused,bad\x00key=k v={i}.5,n={i}i {T0 + i}\n" for i in range(20))


@pytest.mark.no_catalog
@pytest.mark.parametrize("body", [KEYED, WHOLE, MIXED, BIG, REFUSED_KEY],
                         ids=["keyed", "whole", "mixed", "big", "refused-key"])
def test_series_index_holds_the_stored_rows_tag_sets(body):
    """Bulk bodies hand the index the tag sets their parser knows; refused rows' sets never get in."""
    with tsdb_core.open(None) as store:
        res = store.write("db", body.encode())
        state = store._engine.state
        key = ("db", "autogen", "cpu")
        rows = pl.concat([c.frame for c in state.buffer.parts[key]], how="diagonal")
        tags = sorted(c for c in rows.columns if rows.schema[c] == pl.String)
        want = rows.select(tags).unique().sort(tags, nulls_last=False)
        got = state.index.series(key)
        assert got.columns == tags and got.equals(want)
        assert "only-refused" not in got["host"].to_list()
        assert len(res.errors) == (20 if body is REFUSED_KEY else 1 if body is MIXED else 0)


def test_a_batch_accepted_in_part_is_logged_as_accepted(tmp_path):
    """The WAL record is encoded before the lock on the bet that the batch is accepted whole;
    when validation refuses some of its rows, the record holds the accepted rows only."""
    body = "".join(f"cpu,host=h{i % 3} v={i}.5 {T0 + i}\n" for i in range(20))
    body += "".join(f"cpu,host=h{i % 3} u={i}i {T0 + 100 + i}\n" for i in range(20))  # u is a float
    with tsdb_core.open(tmp_path / "s") as store:
        store.write("db", f"cpu,host=h0 u=0.5 {T0 - 1}".encode())
        res = store.write("db", body.encode())
        state = store._engine.state
        buffered = [c.frame for c in state.buffer.parts[("db", "autogen", "cpu")]]
        shutil.copytree(state.wal.dir, tmp_path / "wal")
    assert (res.points_written, len(res.errors)) == (20, 20)
    wal = Wal(tmp_path / "wal")
    records = [decode_write(payload) for _, payload in wal.replay()]
    wal.close()
    (entry,) = records[-1][2]
    assert entry.frame.columns == ["time", "host", "v"]
    assert entry.frame.get_column("v").to_list() == [i + 0.5 for i in range(20)]
    assert entry.frame.equals(buffered[-1])
