"""WAL records: every entry comes back exactly (tags as series codes or as columns), records of
version 1 still replay, a torn or damaged version-2 record is cut like any other."""
from __future__ import annotations

import json
import math
import shutil
import struct
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

import tsdb_core
from tsdb_core.base.series_codes import SeriesCodes
from tsdb_core.base.types import FieldType
from tsdb_core.ingest.line_protocol import parse
from tsdb_core.storage.wal import Wal
from tsdb_core.storage.wal_record import VERSION, WalEntry, decode_write, encode_write

V1_WAL = Path(__file__).parent / "data" / "wal_v1" / "wal"  # written by the code at 33dafb7 (make_v1.py)
T0 = 1_700_000_000_000_000_000


def _same(a: WalEntry, b: WalEntry) -> None:
    assert (a.measurement, a.tags, a.fields) == (b.measurement, b.tags, b.fields)
    assert_frame_equal(a.frame, b.frame, check_exact=True)


@pytest.mark.no_catalog
def test_write_record_codec():
    frame = pl.DataFrame({"time": [1, 2], "host": ["a", None], "v": [1.5, None], "s": ["x", "y"]})
    entries = [WalEntry("cpu", ("host",), {"v": FieldType.FLOAT, "s": FieldType.STRING}, frame),
               WalEntry("mem", (), {"u": FieldType.UNSIGNED}, pl.DataFrame({"time": [3], "u": pl.Series([2**64 - 1], dtype=pl.UInt64)}))]
    db, rp, back = decode_write(encode_write("db/x", "rp", entries))
    assert (db, rp) == ("db/x", "rp")
    assert [(e.measurement, e.tags, e.fields) for e in back] == [
        ("cpu", ("host",), {"v": "float", "s": "string"}), ("mem", (), {"u": "unsigned"})]
    assert back[0].frame.equals(frame) and back[1].frame["u"].to_list() == [2**64 - 1]
    assert back[0].series is None  # no codes given: the tags went as a column


@pytest.mark.no_catalog
def test_tags_go_as_codes_and_come_back_as_columns():
    tags = pl.DataFrame({"host": ["a", "b", "a", None, "b"], "dc": ["x", "x", "x", "y", "x"]})
    frame = pl.DataFrame({"time": [1, 2, 3, 4, 5], "dc": tags["dc"], "host": tags["host"],
                          "v": [0.5, 1.5, 2.5, 3.5, 4.5]})
    series = SeriesCodes.from_keys(np.array([7, 3, 7, 9, 3]), tags)
    coded = encode_write("d", "r", [WalEntry("m", ("dc", "host"), {"v": "float"}, frame, series)])
    plain = encode_write("d", "r", [WalEntry("m", ("dc", "host"), {"v": "float"}, frame)])
    [back] = decode_write(coded)[2]
    assert back.frame.columns == ["time", "dc", "host", "v"] and back.frame.equals(frame)
    assert back.series.table.height == 3 and back.series.codes.tolist() == series.codes.tolist()
    assert back.series.table.gather(pl.Series(back.series.codes)).equals(frame.select("dc", "host"))
    assert decode_write(plain)[2][0].frame.equals(frame)


@pytest.mark.no_catalog
def test_codes_that_cannot_stand_for_the_tags_are_not_used():
    """A code per row, String tag columns: else the tags go as columns (and come back all the same)."""
    frame = pl.DataFrame({"time": [1, 2], "host": ["a", "b"], "v": [1.0, 2.0]})
    table = pl.DataFrame({"host": ["a", "b"]})
    short = SeriesCodes(np.array([0]), table)  # one code for two rows
    typed = SeriesCodes(np.array([0, 1]), table.cast({"host": pl.Categorical}))
    for series in (short, typed):
        [back] = decode_write(encode_write("d", "r", [WalEntry("m", ("host",), {"v": "float"}, frame, series)]))[2]
        assert back.series is None and back.frame.equals(frame)


@pytest.mark.no_catalog
def test_a_newer_record_version_is_refused_in_words():
    payload = encode_write("d", "r", [])
    header = payload[4:].replace(f'"v":{VERSION}'.encode(), b'"v":9')
    with pytest.raises(ValueError, match="version 9 is newer"):
        decode_write(payload[:4] + header)


# -- property: any entries round-trip --------------------------------------------------
_FIELD_TYPES = {
    "float": (pl.Float64, st.floats(allow_nan=True, allow_infinity=True)),
    "integer": (pl.Int64, st.integers(-2**63, 2**63 - 1)),
    "unsigned": (pl.UInt64, st.integers(0, 2**64 - 1)),
    "boolean": (pl.Boolean, st.booleans()),
    "string": (pl.String, st.text(max_size=12)),
}
_TAG_VALUES = st.one_of(st.none(), st.text(min_size=1, max_size=8))


@st.composite
def entries(draw):
    n = draw(st.integers(0, 40))
    tag_keys = draw(st.lists(st.sampled_from(["host", "dc", "rack", "z\u00e9"]), max_size=3, unique=True))
    sets = draw(st.lists(st.tuples(*[_TAG_VALUES for _ in tag_keys]), min_size=1, max_size=6)) if tag_keys else []
    which = draw(st.lists(st.integers(0, max(len(sets) - 1, 0)), min_size=n, max_size=n))
    fields = draw(st.dictionaries(st.sampled_from(["v", "w", "msg", "n", "ok"]), st.sampled_from(list(_FIELD_TYPES)),
                                  min_size=1, max_size=4))
    cols = [pl.Series("time", draw(st.lists(st.integers(-2**62, 2**62), min_size=n, max_size=n)), dtype=pl.Int64)]
    tag_frame = pl.DataFrame([pl.Series(k, [sets[i][j] for i in which], dtype=pl.String)
                              for j, k in enumerate(tag_keys)]) if tag_keys else None
    if tag_frame is not None:
        cols += tag_frame.get_columns()
    for f, t in fields.items():
        dtype, values = _FIELD_TYPES[t]
        cols.append(pl.Series(f, draw(st.lists(st.one_of(st.none(), values), min_size=n, max_size=n)), dtype=dtype))
    frame = pl.DataFrame(cols)
    coded = tag_keys and draw(st.booleans())
    series = SeriesCodes.from_keys(np.array(which, dtype=np.int64), tag_frame) if coded else None
    return WalEntry(draw(st.sampled_from(["cpu", "m e", "ü"])), tuple(tag_keys), fields, frame, series)


@pytest.mark.no_catalog
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(entries(), max_size=4), st.text(max_size=5), st.text(max_size=5))
def test_any_entries_round_trip(given_entries, db, rp):
    got_db, got_rp, back = decode_write(encode_write(db, rp, given_entries))
    assert (got_db, got_rp) == (db, rp) and len(back) == len(given_entries)
    for a, b in zip(given_entries, back):
        _same(a, b)
        if a.series is not None and a.frame.height:  # the codes come back with the rows
            assert b.series.table.gather(pl.Series(b.series.codes)).equals(a.frame.select(a.tags))


_HOSTS = st.sampled_from(["h1", "h2", "h 3", "h,4", "h=5", "\u00e9"])


@st.composite
def bodies(draw):
    """Line protocol whose lines repeat a few series keys (the parser's keyed path)."""
    out = []
    for i in range(draw(st.integers(1, 30))):
        host = draw(_HOSTS).replace(" ", "\\ ").replace(",", "\\,").replace("=", "\\=")
        dc = draw(st.sampled_from(["", ",dc=a", ",dc=b"]))
        value = draw(st.sampled_from(["1.5", "-0.25", "3e5", "7", "0.1"]))
        extra = draw(st.sampled_from(["", ",n=3i", ',s="x y"', ",ok=t"]))
        out.append(f"cpu,host={host}{dc} v={value}{extra} {T0 + i}\n")
    return "".join(out).encode()


@pytest.mark.no_catalog
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(bodies())
def test_parsed_batches_round_trip_with_their_codes(body):
    """The parser's codes stand for its tag columns: the record rebuilds them exactly."""
    parsed = parse(body, now=0)
    given_entries = [WalEntry(mb.measurement, mb.tags, {k: t.value for k, t in mb.fields.items()}, mb.frame, mb.series)
                     for mb in parsed.batches.values()]
    _, _, back = decode_write(encode_write("db", "autogen", given_entries))
    for a, b in zip(given_entries, back):
        _same(a, b)


# -- version 1 records ----------------------------------------------------------------
def _v1_expected() -> list[list[WalEntry]]:
    cpu = pl.DataFrame({"time": [T0, T0 + 1, T0 + 2],
                        "host": ["a", "b", None], "region": ["eu", "eu", "us"],
                        "usage": [1.5, float("nan"), None], "n": pl.Series([1, None, -3], dtype=pl.Int64),
                        "ok": [True, None, False], "msg": ["x", "é ü\n", None]})
    mem = pl.DataFrame({"time": [T0 + 3], "free": pl.Series([2**64 - 1], dtype=pl.UInt64)})
    return [[WalEntry("cpu", ("host", "region"), {"usage": "float", "n": "integer", "ok": "boolean", "msg": "string"}, cpu),
             WalEntry("mem", (), {"free": "unsigned"}, mem)],
            [WalEntry("cpu", ("host",), {"usage": "float"}, pl.DataFrame({"time": [T0 + 10], "host": ["c"], "usage": [9.25]}))]]


@pytest.mark.no_catalog
def test_version_1_records_decode(tmp_path):
    shutil.copytree(V1_WAL, tmp_path / "wal")
    wal = Wal(tmp_path / "wal")
    records = [decode_write(payload) for _, payload in wal.replay()]
    wal.close()
    assert [(db, rp) for db, rp, _ in records] == [("telemetry", "autogen")] * 2
    for (_, _, got), want in zip(records, _v1_expected(), strict=True):
        assert len(got) == len(want)
        for a, b in zip(want, got):
            _same(a, b)


def test_a_store_replays_a_version_1_wal(tmp_path):
    shutil.copytree(V1_WAL, tmp_path / "s" / "wal")
    with tsdb_core.open(tmp_path / "s") as store:
        assert store.recovery_report.replayed_rows == 5
        got = store.query("SELECT usage, n, msg FROM cpu GROUP BY host", db="telemetry", epoch="ns").statements[0]
        nan = lambda v: "NaN" if isinstance(v, float) and math.isnan(v) else v  # noqa: E731
        assert {s.tags["host"]: [[nan(x) for x in v] for v in s.values] for s in got.series} == {
            "": [[T0 + 2, None, -3, None]], "a": [[T0, 1.5, 1, "x"]], "b": [[T0 + 1, "NaN", None, "é ü\n"]],
            "c": [[T0 + 10, 9.25, None, None]]}


# -- crash safety of version-2 records ------------------------------------------------
def _coded_records(n: int) -> list[bytes]:
    out = []
    for k in range(n):
        body = "".join(f"cpu,host=h{i % 3},dc=d{i % 2} v={k}.{i},n={i}i {T0 + 100 * k + i}\n" for i in range(50))
        mb = parse(body.encode(), now=0).batches["cpu"]
        assert mb.series is not None
        out.append(encode_write("db", "autogen", [WalEntry("cpu", mb.tags, {"v": "float", "n": "integer"},
                                                           mb.frame, mb.series)]))
    return out


def _segment_of_coded_records(tmp_path, n: int):
    """``n`` version-2 records appended to a fresh WAL: their payloads, and its one segment."""
    payloads = _coded_records(n)
    wal = Wal(tmp_path)
    list(wal.replay())
    for p in payloads:
        wal.append(p)
    wal.close()
    [seg] = sorted(tmp_path.glob("*.wal"))
    return payloads, seg


@pytest.mark.no_catalog
def test_a_torn_version_2_record_is_cut_and_the_ones_before_replay(tmp_path):
    payloads, seg = _segment_of_coded_records(tmp_path, 3)
    data = seg.read_bytes()
    last = len(payloads[-1]) + 16
    for cut in sorted({1, 2, 15, 16, 17, last // 3, last // 2, last - 1}):
        seg.write_bytes(data[:-cut])
        wal = Wal(tmp_path)
        got = [decode_write(p) for _, p in wal.replay()]
        wal.close()
        assert len(got) == 2 and [s.reason for s in wal.skipped] == ["torn header" if cut > last - 16 else "torn record"]
        for (_, _, [e]), p in zip(got, payloads):
            _same(e, decode_write(p)[2][0])
        for extra in sorted(tmp_path.glob("*.wal"))[1:]:  # (each open starts a fresh segment)
            extra.unlink()


@pytest.mark.no_catalog
def test_a_damaged_version_2_record_is_skipped_by_its_crc(tmp_path):
    payloads, seg = _segment_of_coded_records(tmp_path, 3)
    data = bytearray(seg.read_bytes())
    second = 8 + 16 + len(payloads[0])
    data[second + 16 + len(payloads[1]) - 3] ^= 0x01  # a bit of the second record's last code
    seg.write_bytes(bytes(data))
    wal = Wal(tmp_path)
    got = [(seq, decode_write(p)) for seq, p in wal.replay()]
    wal.close()
    assert [seq for seq, _ in got] == [1, 3]
    assert [s.reason for s in wal.skipped] == ["corrupt record"]
    _same(got[1][1][2][0], decode_write(payloads[2])[2][0])


def _with_header(payload: bytes, change) -> bytes:
    """``payload`` with its JSON header rewritten by ``change`` (the blobs after it kept)."""
    (hlen,) = struct.unpack_from("<I", payload, 0)
    header = json.loads(payload[4:4 + hlen])
    change(header)
    new = json.dumps(header).encode()
    return struct.pack("<I", len(new)) + new + payload[4 + hlen:]


@pytest.mark.no_catalog
def test_a_record_of_a_newer_version_is_refused_in_words():
    [payload] = _coded_records(1)
    newer = _with_header(payload, lambda h: h.update(v=VERSION + 1))
    with pytest.raises(ValueError, match=f"WAL record version {VERSION + 1} is newer than this tsdb reads \\(1-{VERSION}\\)"):
        decode_write(newer)


@pytest.mark.no_catalog
def test_a_series_code_past_its_tag_sets_is_refused_in_words():
    [payload] = _coded_records(1)
    (_, _, [entry]) = decode_write(payload)
    sets = entry.series.table.height
    # the record's last bytes are its codes, one byte each here (a few tag sets): point the last past the table
    damaged = payload[:-1] + bytes([sets])
    with pytest.raises(ValueError, match=f"WAL record of cpu: a series code past its {sets} tag sets"):
        decode_write(damaged)
