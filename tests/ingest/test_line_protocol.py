"""parse() and format_batch(): tables, errors, line numbers, time, round trips.

What influxd accepts and stores is checked line by line in
test_line_protocol_influxd.py; this module checks our API around it.
"""
from __future__ import annotations

import polars as pl
import pytest

from tsdb_core.ingest.line_protocol import format_batch, parse, parse_exact, parse_vectorised
from tsdb_core.base.types import FieldType, LineError

NOW = 1_700_000_123_456_789_123


def rows(parsed, measurement):
    return parsed.batches[measurement].frame.to_dicts()


# (body, measurement, expected rows as dicts, expected field types)
TABLES = [
    ("cpu,host=a v=1 10", "cpu", [{"time": 10, "host": "a", "v": 1.0}], {"v": FieldType.FLOAT}),
    ("cpu v=1i,w=2u,x=t,y=\"s\" 10", "cpu",
     [{"time": 10, "v": 1, "w": 2, "x": True, "y": "s"}],
     {"v": FieldType.INTEGER, "w": FieldType.UNSIGNED, "x": FieldType.BOOLEAN, "y": FieldType.STRING}),
    ("cpu,host=a v=1 10\ncpu,region=r w=2 20", "cpu",
     [{"time": 10, "host": "a", "region": None, "v": 1.0, "w": None},
      {"time": 20, "host": None, "region": "r", "v": None, "w": 2.0}],
     {"v": FieldType.FLOAT, "w": FieldType.FLOAT}),
    ("cpu,b=2,a=1 v=1 10", "cpu", [{"time": 10, "a": "1", "b": "2", "v": 1.0}], {"v": FieldType.FLOAT}),
    ('cpu s="a\\"b\\\\c" 10', "cpu", [{"time": 10, "s": 'a"b\\c'}], {"s": FieldType.STRING}),
    ('cpu s="line1\nline2" 10', "cpu", [{"time": 10, "s": "line1\nline2"}], {"s": FieldType.STRING}),
    ('cpu s="crlf\r\ninside" 10\r\n', "cpu", [{"time": 10, "s": "crlf\r\ninside"}], {"s": FieldType.STRING}),
    ("c\\ pu,t\\=k=v\\,1 f\\ x=1 10", "c pu", [{"time": 10, "t=k": "v,1", "f x": 1.0}], {"f x": FieldType.FLOAT}),
    ("cpu v=1,v=2 10", "cpu", [{"time": 10, "v": 2.0}], {"v": FieldType.FLOAT}),
    ("cpu time=5,v=2 10", "cpu", [{"time": 10, "v": 2.0}], {"v": FieldType.FLOAT}),
]


@pytest.mark.parametrize("body,measurement,expected,types", TABLES, ids=[t[0] for t in TABLES])
def test_tables(body, measurement, expected, types):
    parsed = parse(body, now=NOW)
    assert parsed.errors == []
    batch = parsed.batches[measurement]
    assert batch.fields == types
    assert set(batch.frame.columns) == {"time", *batch.tags, *types}
    assert batch.frame["time"].dtype == pl.Int64
    assert all(batch.frame[t].dtype == pl.String for t in batch.tags)
    assert rows(parsed, measurement) == [{k: r.get(k) for k in batch.frame.columns} for r in expected]
    assert parse_exact(body, now=NOW).batches[measurement].frame.equals(batch.frame)


# (body, [(line number, reason)])
ERRORS = [
    ("cpu v=1 1\nbad\ncpu v=2 2", [(2, "unable to parse 'bad': missing fields")]),
    ("\n\n# c\ncpu\n  \ncpu v=", [(4, "unable to parse 'cpu': missing fields"),
                                  (6, "unable to parse 'cpu v=': missing field value")]),
    ('cpu s="a\nb" 1\noops', [(3, "unable to parse 'oops': missing fields")]),
    ("cpu v=1 1\ncpu v=1i 2\ncpu v=\"x\" 3\ncpu v=2 4",
     [(2, 'field type conflict: input field "v" on measurement "cpu" is type integer, already exists as type float'),
      (3, 'field type conflict: input field "v" on measurement "cpu" is type string, already exists as type float')]),
    ("cpu v=1 1\r\ncpu v=x 2\r\n", [(2, "unable to parse 'cpu v=x 2': invalid boolean")]),
    ("  \tcpu v=1 5 6", [(1, "unable to parse 'cpu v=1 5 6': point is invalid")]),
]


@pytest.mark.parametrize("body,expected", ERRORS, ids=[e[0] for e in ERRORS])
def test_errors_carry_line_numbers_and_reasons(body, expected):
    parsed = parse(body, now=NOW)
    assert [(e.line, e.reason) for e in parsed.errors] == expected
    assert parsed.errors == parse_exact(body, now=NOW).errors
    for e in parsed.errors:
        assert isinstance(e, LineError)
        assert e.reason.startswith(f"unable to parse '{e.text}': ") or "input field" in e.reason \
            or "input tag" in e.reason


def test_valid_lines_of_a_bad_batch_are_kept_in_order():
    parsed = parse("cpu v=1 1\ncpu v= 2\nmem v=3 3\ncpu v=4 4", now=NOW)
    assert parsed.batches["cpu"].frame["v"].to_list() == [1.0, 4.0]
    assert parsed.batches["cpu"].lines.to_list() == [1, 4]
    assert parsed.batches["mem"].lines.to_list() == [3]
    assert list(parsed.batches) == ["cpu", "mem"]
    assert parsed.lines_seen == 4 and parsed.num_points == 3


def test_every_bad_line_is_reported():
    body = "\n".join(f"cpu v={i}" if i % 3 else "cpu v=" for i in range(300))
    parsed = parse(body, now=NOW)
    assert [e.line for e in parsed.errors] == [i + 1 for i in range(0, 300, 3)]
    assert parsed.num_points == 200


@pytest.mark.parametrize("precision,ts,expected", [
    ("ns", "5", 5), ("n", "5", 5), ("us", "5", 5_000), ("u", "5", 5_000), ("µ", "5", 5_000),
    ("ms", "5", 5_000_000), ("s", "5", 5 * 10**9), ("m", "5", 300 * 10**9), ("h", "5", 18_000 * 10**9),
])
def test_precision_multiplies_timestamps(precision, ts, expected):
    assert rows(parse(f"cpu v=1 {ts}", precision=precision, now=NOW), "cpu")[0]["time"] == expected


@pytest.mark.parametrize("precision,expected", [
    ("ns", NOW), ("us", NOW - NOW % 1_000), ("ms", NOW - NOW % 1_000_000),
    ("s", NOW - NOW % 10**9), ("h", NOW - NOW % (3600 * 10**9)),
])
def test_missing_timestamp_is_now_truncated_to_precision(precision, expected):
    parsed = parse("cpu v=1\ncpu v=2 \n", precision=precision, now=NOW)
    assert parsed.batches["cpu"].frame["time"].to_list() == [expected, expected]


def test_timestamp_range_is_checked_after_precision():
    parsed = parse("cpu v=1 9223372036854775\ncpu v=1 9223372036", precision="s", now=NOW)
    assert [e.line for e in parsed.errors] == [1]
    assert parsed.errors[0].reason.endswith("time outside range -9223372036854775806 - 9223372036854775806")
    assert rows(parsed, "cpu")[0]["time"] == 9223372036 * 10**9


def test_bytes_and_str_give_the_same_result():
    body = 'cpu,host=é v=1,s="ü" 10\nbad'
    a, b = parse(body, now=NOW), parse(body.encode(), now=NOW)
    assert a.errors == b.errors and a.batches["cpu"].frame.equals(b.batches["cpu"].frame)


def test_invalid_utf8_never_crashes():
    parsed = parse(b"cpu,host=\xff\xfe v=1 1\ncpu v=2 2", now=NOW)
    assert parsed.batches["cpu"].frame["host"].to_list() == ["\ufffd\ufffd", None]


def test_empty_and_comment_only_bodies():
    for body in ("", "\n", "# only\n\n   \n"):
        parsed = parse(body, now=NOW)
        assert parsed.batches == {} and parsed.errors == [] and parsed.lines_seen == 0


def test_bad_precision_is_a_user_error():
    from tsdb_core.base.errors import UserError
    with pytest.raises(UserError):
        parse("cpu v=1", precision="fortnight", now=NOW)


def test_num_values_counts_non_null_fields():
    parsed = parse("cpu a=1,b=2 1\ncpu a=3 2", now=NOW)
    assert parsed.batches["cpu"].num_values == 3


def test_format_batch_writes_sorted_escaped_lines():
    parsed = parse('c\\ p\\,u,z=1,a=x\\ y b=t,s="q\\"",c=1i,d=2u,e=1.5 7', now=NOW)
    text = format_batch(parsed.batches["c p,u"])
    assert text == 'c\\ p\\,u,a=x\\ y,z=1 b=true,c=1i,d=2u,e=1.5,s="q\\"" 7\n'


def test_format_batch_in_another_precision():
    parsed = parse("cpu v=1 5000000000", now=NOW)
    assert format_batch(parsed.batches["cpu"], precision="s") == "cpu v=1.0 5\n"
    again = parse(format_batch(parsed.batches["cpu"], precision="s"), precision="s", now=0)
    assert again.batches["cpu"].frame.equals(parsed.batches["cpu"].frame)


def test_format_leaves_out_null_tags_and_fields():
    parsed = parse("cpu,a=1 x=1 1\ncpu,b=2 y=2 2", now=NOW)
    assert format_batch(parsed.batches["cpu"]) == "cpu,a=1 x=1.0 1\ncpu,b=2 y=2.0 2\n"


def test_a_big_body_in_one_shape_stays_on_the_fast_path(monkeypatch):
    from tsdb_core.ingest import lp_exact
    calls = []
    real = lp_exact.parse_block
    monkeypatch.setattr(lp_exact, "parse_block", lambda *a: calls.append(a) or real(*a))
    body = "\n".join(f"cpu,host=h{i % 7} u={i}.5,i={i}i,b=t {i}" for i in range(20_000))
    parsed = parse(body, now=NOW)
    assert calls == [] and parsed.num_points == 20_000
    assert parsed.batches["cpu"].frame["i"].to_list() == list(range(20_000))


def test_small_bodies_go_line_by_line_and_large_ones_vectorised(monkeypatch):
    import tsdb_core.ingest.line_protocol as lp

    taken = []
    real_exact, real_vec = lp.parse_exact, lp.parse_vectorised
    monkeypatch.setattr(lp, "parse_exact", lambda *a, **k: taken.append("exact") or real_exact(*a, **k))
    monkeypatch.setattr(lp, "parse_vectorised", lambda *a, **k: taken.append("vectorised") or real_vec(*a, **k))
    small = b"m,h=a v=1 1\nm,h=b v=2 2\n"
    large = "".join(f"m,h=a v={i} {i}\n" for i in range(lp.SMALL_BODY_LINES)).encode()
    got_small, got_large = lp.parse(small, now=NOW), lp.parse(large, now=NOW)
    assert taken == ["exact", "vectorised"]
    assert got_small.batches["m"].frame.equals(real_vec(small, now=NOW).batches["m"].frame)
    assert got_large.batches["m"].frame.height == lp.SMALL_BODY_LINES


@pytest.mark.parametrize("repeat", [0, 10**9], ids=["series keys", "whole lines"])
def test_parsed_frames_do_not_pin_the_body(monkeypatch, repeat):
    """A few buffered rows must not keep a whole request body alive (their strings are copied)."""
    import gc
    import sys

    from tsdb_core.ingest import lp_keys
    monkeypatch.setattr(lp_keys, "MIN_REPEAT", repeat)
    body = "".join(f"cpu,host=host-number-{i % 3},dc=datacenter-{i % 2} v={i} {i}\n" for i in range(40)).encode()
    before = sys.getrefcount(body)
    parsed = parse_vectorised(body, now=0)
    gc.collect()
    frame = parsed.batches["cpu"].frame
    assert frame["host"].to_list()[:4] == ["host-number-0", "host-number-1", "host-number-2", "host-number-0"]
    assert sys.getrefcount(body) == before


def test_parsing_does_not_import_pandas():
    """Some pyarrow conversions import pandas (half a second on a server's first write)."""
    import subprocess
    import sys
    code = ("import sys\nfrom tsdb_core.ingest.line_protocol import parse_vectorised\n"
            "b = b''.join(b'cpu,host=h%d v=1 %d\\n' % (i % 3, i) for i in range(100))\n"
            "assert parse_vectorised(b, now=0).batches['cpu'].frame.height == 100\n"
            "print('pandas' in sys.modules)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_big_body_is_cut_in_halves_only_when_alone_in_flight(monkeypatch):
    import threading

    from tsdb_core.ingest import lp_fast
    from tsdb_core.ingest.line_protocol import in_flight
    body = "".join(f"cpu,host=h{i % 7} v={i} {i}\n" for i in range(200)).encode()
    monkeypatch.setattr(lp_fast, "SPLIT_BYTES", 1)
    calls = []
    real = lp_fast._halves
    monkeypatch.setattr(lp_fast, "_halves", lambda *a: calls.append(a[1]) or real(*a))
    alone = parse_vectorised(body, now=0)
    assert len(calls) == 1 and alone.batches["cpu"].frame["v"].to_list() == [float(i) for i in range(200)]
    with in_flight() as first:  # this thread's own body (Store.write holds it over parse and store)
        assert first
        parse_vectorised(body, now=0)
    assert len(calls) == 2
    held, done = threading.Event(), threading.Event()

    def other_write():
        with in_flight():
            held.set()
            done.wait(30)

    t = threading.Thread(target=other_write)
    t.start()
    try:
        assert held.wait(30)
        beside = parse_vectorised(body, now=0)  # another body in flight: no helper thread
    finally:
        done.set()
        t.join()
    assert len(calls) == 2
    assert beside.batches["cpu"].frame.equals(alone.batches["cpu"].frame)
    assert beside.batches["cpu"].lines.to_list() == list(range(1, 201))
    with in_flight() as first:
        assert first  # the count went back to zero
