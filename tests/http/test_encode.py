"""The encoders against InfluxDB 1.6.7's bytes (recorded by cases/record_influxd.py).

Inputs are the typed statements decoded from influxd's msgpack answers (times
as ns, floats and integers kept apart); the JSON, CSV and msgpack we encode
from them must equal what influxd sent, byte for byte.
"""
from __future__ import annotations

import json
import math

import msgpack
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.http import golden
from tsdb_core.query import results as core_results
from tsdb_core.query.results import Series, StatementResult
from tsdb_http import chunking, encode
from tsdb_http.encode import CSV, JSON, MSGPACK, Encoder, Response

CASES = golden.cases()
KIND = {"json": JSON, "csv": CSV, "textcsv": CSV, "msgpack": MSGPACK}


def _stem(name):
    return name.rsplit(".", 1)


def _encode_all(results, case, kind):
    p = case["params"]
    enc = Encoder(kind, pretty=p.get("pretty") == "true", epoch=p.get("epoch"))
    size = int(p.get("chunk_size", 10000))
    return b"".join(enc.encode(r) for r in chunking.responses(results, p.get("chunked") == "true", size))


FORMAT_CASES = sorted(n for n in CASES if _stem(n)[1] in KIND and CASES[n]["status"] == 200
                      and (golden.CASES / f"{_stem(n)[0]}.msgpack").exists())


@pytest.mark.parametrize("name", FORMAT_CASES)
def test_formats_match_influxd(name):
    case = CASES[name]
    stem, ext = _stem(name)
    results = golden.statements(f"{stem}.msgpack")
    kind = KIND[ext]
    if "epoch" not in case["params"]:  # the msgpack source holds ns: render as the client asked
        encode.render_times(results, None, kind)
    multi_tag = any(len(s.tags or {}) > 1 for st in results for s in st.series)
    got = _encode_all(results, case, kind)
    if kind == MSGPACK and multi_tag:  # Go writes map entries in random order
        assert msgpack.unpackb(got, strict_map_key=False) == msgpack.unpackb(golden.body(name), strict_map_key=False)
        return
    assert got == golden.body(name)


@pytest.mark.parametrize("unit", ["u", "ms", "s", "m", "h"])
def test_epoch_units_match_influxd(unit):
    src = golden.statements("select_all_epoch_ns.msgpack")
    cols = src[0].series[0].columns
    iv = cols.index("v")
    src[0].series[0].columns = ["time", "v"]
    src[0].series[0].values = [[r[0], r[iv]] for r in src[0].series[0].values]
    encode.render_times(src, unit, JSON)
    assert encode.encode_json(Response(src)) == golden.body(f"epoch_{unit}.json")


def _from_json(name):
    """Statements from a recorded JSON body (times already rendered)."""
    out = []
    for line in golden.body(name).decode().replace("}\n{", "}\x00{").split("\x00"):
        d = json.loads(line)
        for r in d["results"]:
            st = golden._statement(r["statement_id"], r)
            if out and out[-1].statement_id == st.statement_id:
                prev = out[-1]
                if prev.series and st.series and prev.series[-1].tags == st.series[0].tags:
                    prev.series[-1].values.extend(st.series[0].values)
                    st.series = st.series[1:]
                prev.series.extend(st.series)
            else:
                out.append(st)
    for st in out:
        st.partial = False
        for s in st.series:
            s.partial = False
    return out


@pytest.mark.parametrize("name", ["pretty.json", "pretty_chunked.json", "chunked_default.json"])
def test_pretty_and_chunked_json_match_influxd(name):
    results = _from_json(name)
    assert _encode_all(results, CASES[name], JSON) == golden.body(name)


@pytest.mark.parametrize("name", sorted(n for n in CASES if CASES[n]["status"] == 400))
def test_request_errors_match_influxd(name):
    """A request-level error is written by the negotiated formatter."""
    kind = KIND[_stem(name)[1]]
    err = json.loads(golden.body(name.rsplit(".", 1)[0] + ".json"))["error"]
    assert Encoder(kind).encode(Response(error=err)) == golden.body(name)


# -- float and time formatting -------------------------------------------------------------

@pytest.mark.parametrize("value,text", [
    (2.0, "2"), (1.5, "1.5"), (1e21, "1e+21"), (1e-7, "1e-7"), (1e-5, "0.00001"), (0.1, "0.1"),
    (-0.0, "-0"), (1e16, "10000000000000000"), (1.2345678901234567e19, "12345678901234567000"),
    (123456.789, "123456.789"), (5e-324, "5e-324"), (1.7976931348623157e308, "1.7976931348623157e+308"),
    (-2.5e-6, "-0.0000025"), (9007199254740993.0, "9007199254740992"),
])
def test_go_json_float(value, text):
    assert encode.go_json_float(value) == text
    assert encode.go_json([encode._json_float(value)]) == f"[{text}]".encode()


@pytest.mark.parametrize("value,text", [
    (1e21, "1000000000000000000000"), (1e-7, "0.0000001"), (2.0, "2"), (-0.5, "-0.5"),
    (math.inf, "+Inf"), (True, "true"), (None, ""), (-9223372036854775807, "-9223372036854775807"),
])
def test_csv_values(value, text):
    assert encode._csv_value(value) == text


@pytest.mark.parametrize("ns,text", [
    (0, "1970-01-01T00:00:00Z"), (1, "1970-01-01T00:00:00.000000001Z"),
    (4_500_000_000, "1970-01-01T00:00:04.5Z"), (-1, "1969-12-31T23:59:59.999999999Z"),
    (1_700_000_000_123_000_000, "2023-11-14T22:13:20.123Z"),
])
def test_rfc3339(ns, text):
    assert encode.format_rfc3339([ns]) == [text]


@pytest.mark.parametrize("unit,ns,out", [("s", -1_500_000_000, -1), ("ms", 1_999_999, 1), ("h", 7_200_000_000_000, 2),
                                         ("ns", 5, 5), ("n", 5, 5)])
def test_epoch_truncates_toward_zero(unit, ns, out):
    st = [StatementResult(0, [Series("m", None, ["time", "v"], [[ns, 1]])])]
    encode.render_times(st, unit, JSON)
    assert st[0].series[0].values[0][0] == out


@pytest.mark.parametrize("value", [0, 127, 128, -32, -33, 200, -200, 32768, -32769, 2**31, 2**63 - 1, -(2**63), 2**64 - 1])
def test_msgpack_ints_roundtrip(value):
    assert msgpack.unpackb(encode._mp_int(value)) == value


@pytest.mark.parametrize("accept,kind", [
    (None, JSON), ("", JSON), ("*/*", JSON), ("application/csv", CSV), ("text/csv", CSV),
    ("application/x-msgpack", MSGPACK), ("text/html, application/csv;q=0.5", CSV),
    ("application/csv;q=0.2, application/x-msgpack", MSGPACK), ("text/*", CSV), ("image/png", JSON),
])
def test_negotiate(accept, kind):
    assert encode.negotiate(accept)[0] == kind


def test_html_characters_escaped_like_go():
    assert encode.go_json(["<a>&\u2028"]) == b'["\\u003ca\\u003e\\u0026\\u2028"]'


def test_csv_header_repeats_when_columns_change():
    st = StatementResult(0, [Series("a", None, ["time", "x"], [[1, 1]]), Series("b", {"t": "1"}, ["time", "y"], [[2, "q"]])])
    assert encode.CsvEncoder().encode(Response([st])) == b"name,tags,time,x\na,,1,1\n\nname,tags,time,y\nb,t=1,2,q\n"


def test_chunk_pieces_partial_flags():
    st = StatementResult(3, [Series("m", {"h": "a"}, ["time", "v"], [[i, i] for i in range(5)]),
                             Series("m", {"h": "b"}, ["time", "v"], [[9, 9]])])
    out = list(chunking.responses([st], True, 2))
    flags = [(r.results[0].partial, r.results[0].series[0].partial, len(r.results[0].series[0].values)) for r in out]
    assert flags == [(True, True, 2), (True, True, 2), (True, False, 1), (False, False, 1)]


def test_float_columns_in_series_json():
    vals = [[1, 2.0], [2, None], [3, 1e-5], [4, -0.0], [5, 0.25], [6, 1e16], [7, 2.5e21], [8, -3.0]]
    st = StatementResult(0, [Series("m", None, ["time", "v"], [list(r) for r in vals])])
    body = encode.encode_json(Response([st]))
    assert body == (b'{"results":[{"statement_id":0,"series":[{"name":"m","columns":["time","v"],"values":'
                    b'[[1,2],[2,null],[3,0.00001],[4,-0],[5,0.25],[6,10000000000000000],[7,2.5e+21],[8,-3]]}]}]}\n')


def test_csv_quoting_like_go():
    st = StatementResult(0, [Series("m,x", {"k": "a b", "e": ""}, ["time", "s"],
                                    [[1, 'say "hi"'], [2, " lead"], [3, "a\nb"], [4, "\\."], [5, ""]])])
    assert encode.CsvEncoder().encode(Response([st])) == (
        b'name,tags,time,s\n"m,x",k=a\\ b,1,"say ""hi"""\n"m,x",k=a\\ b,2," lead"\n'
        b'"m,x",k=a\\ b,3,"a\nb"\n"m,x",k=a\\ b,4,"\\."\n"m,x",k=a\\ b,5,\n')


_cells = {
    "float": st.one_of(st.none(), st.floats(allow_nan=False, allow_infinity=False),
                       st.sampled_from([0.0, -0.0, 1e-5, 1e16, 2.5e21, 1e-300, 0.1, 123.0])),
    "int": st.one_of(st.none(), st.integers(-2**63, 2**63 - 1)),
    "str": st.one_of(st.none(), st.text(max_size=8), st.sampled_from([" x", "a,b", 'q"q', "l\nb", "\\.", ""])),
    "bool": st.one_of(st.none(), st.booleans()),
}


_rows = st.lists(st.sampled_from(sorted(_cells)), min_size=1, max_size=4).flatmap(
    lambda kinds: st.lists(st.tuples(*[_cells[k] for k in kinds]).map(list), min_size=64, max_size=72))


@settings(max_examples=25, deadline=None)
@given(rows=_rows)
def test_csv_vectorised_rows_equal_per_value_rows(rows):
    """The Polars path (64+ rows) writes exactly what the per-value path writes."""
    n = len(rows)
    heads = [f"m,h={i % 3}," for i in range(n)]
    slow = [h + ",".join(encode._csv_field(encode._csv_value(v)) for v in r) for h, r in zip(heads, rows)]
    assert encode.CsvEncoder._rows(heads, rows) == slow


@settings(max_examples=25, deadline=None)
@given(col=st.lists(_cells["float"], min_size=64, max_size=72))
def test_json_float_column_masks_equal_per_value(col):
    rows = [[i, v] for i, v in enumerate(col)]
    fast = encode.go_json(encode._fix_floats([list(r) for r in rows]))
    slow = encode.go_json([[i, encode._json_float(v) if type(v) is float else v] for i, v in rows])
    assert fast == slow


@settings(max_examples=40, deadline=None)
@given(rows=_rows, integral=st.integers(0, 80), plain=st.booleans())
def test_json_many_rows_equal_per_value(rows, integral, plain):
    """64+ rows of any columns, with few or many integral floats (rows patched or rebuilt),
    the other floats as drawn or all plain fractions: the per-value path's bytes, and the
    answer's own rows left as they were."""
    rows = [[v if type(v) is not float else float(k) if k < integral else k + 0.25 if plain else v for v in r]
            for k, r in enumerate(rows)]
    cells = [list(map(id, r)) for r in rows]
    fast = encode.go_json(encode._fix_floats(rows))
    slow = encode.go_json([[encode._json_float(v) if type(v) is float else v for v in r] for r in rows])
    assert fast == slow
    assert [list(map(id, r)) for r in rows] == cells


@pytest.mark.parametrize("ns,text", [
    (0, "1970-01-01T00:00:00Z"), (-1, "1969-12-31T23:59:59.999999999Z"),
    (-9223372036854775808, "1677-09-21T00:12:43.145224192Z"), (9223372036854775807, "2262-04-11T23:47:16.854775807Z"),
    (-9223372036000000000, "1677-09-21T00:12:44Z"),
    (1_451_606_400_000_000_000, "2016-01-01T00:00:00Z"), (1_451_606_410_500_000_000, "2016-01-01T00:00:10.5Z"),
])
@pytest.mark.parametrize("n", [1, core_results.FRACTION_TIMES - 1, core_results.FRACTION_TIMES,
                               core_results.POLARS_TIMES])
def test_rfc3339_every_path(ns, text, n):
    assert encode.format_rfc3339([ns] * n) == [text] * n


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(-2**63, 2**63 - 1), max_size=300), st.booleans())
def test_rfc3339_numpy_equals_polars(values, whole_seconds):
    if whole_seconds:
        values = [v - v % 10**9 if v - v % 10**9 >= -2**63 else v + (-v) % 10**9 for v in values]
    from tsdb_core.query import results as result

    first = encode.format_rfc3339(values)
    assert first == result._rfc3339_polars(values)
    assert encode.format_rfc3339(values) == first  # again: whole seconds now come from the memo


_few_rows = st.lists(st.sampled_from(sorted(_cells)), min_size=1, max_size=5).flatmap(
    lambda kinds: st.lists(st.tuples(*[_cells[k] for k in kinds]).map(list), min_size=1, max_size=63))


@settings(max_examples=30, deadline=None)
@given(rows=_few_rows)
def test_json_few_rows_equal_per_value(rows):
    """The small-answer path (< 64 rows) writes exactly what the per-value path writes."""
    fast = encode.go_json(encode._fix_floats([list(r) for r in rows]))
    slow = encode.go_json([[encode._json_float(v) if type(v) is float else v for v in r] for r in rows])
    assert fast == slow
