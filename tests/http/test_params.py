"""tsdb_http.params: db/rp mapping, precisions, /query values, bodies."""
from __future__ import annotations

import gzip

import pytest
from hypothesis import given, settings, strategies as st

from tests.http.conftest import NOW_NS
from tsdb_http.params import Dialect, HttpError, parse_bound_params, split_db_rp, write_precision

C, V1 = Dialect.CLOUD, Dialect.V1


@pytest.mark.parametrize("db,rp,dialect,out", [
    ("mydb", None, C, ("mydb", None)), ("mydb", "", C, ("mydb", None)), ("mydb", "autogen", C, ("mydb", None)),
    ("mydb", "default", C, ("mydb", None)), ("mydb", "week", C, ("mydb", "week")),
    ("mydb/week", None, C, ("mydb", "week")), ("mydb/week", "", C, ("mydb", "week")),
    ("mydb/autogen", None, C, ("mydb", None)), ("mydb/", None, C, ("mydb", None)),
    ("mydb/week", "other", C, ("mydb/week", "other")),
    ("mydb/week", None, V1, ("mydb/week", None)), ("mydb", "autogen", V1, ("mydb", "autogen")),
    ("mydb", "", V1, ("mydb", None)),
])
def test_split_db_rp(db, rp, dialect, out):
    assert split_db_rp(db, rp, dialect) == out


@pytest.mark.parametrize("raw,v2,dialect,out", [
    (None, True, C, "ns"), ("", False, C, "ns"), ("us", True, C, "us"), ("s", True, V1, "s"),
    ("h", False, C, "h"), ("µ", False, V1, "µ"), ("n", False, C, "n"), ("xx", False, V1, "ns"),
    ("h", True, C, None), ("u", True, C, None), ("xx", False, C, None), ("xx", True, V1, None),
])
def test_write_precision(raw, v2, dialect, out):
    if out is None:
        with pytest.raises(HttpError) as e:
            write_precision(raw, v2, dialect)
        assert e.value.status == 400
    else:
        assert write_precision(raw, v2, dialect) == out


@pytest.mark.parametrize("raw,out", [
    ("", None), ('{"a": 1, "b": 1.5, "c": "x", "d": true}', {"a": 1, "b": 1.5, "c": "x", "d": True}),
])
def test_bound_params(raw, out):
    assert parse_bound_params(raw) == out


@pytest.mark.parametrize("raw", ["{bad", "[1, 2]", '"s"'])
def test_bad_bound_params(raw):
    with pytest.raises(HttpError) as e:
        parse_bound_params(raw)
    assert e.value.status == 400 and e.value.message.startswith("error parsing query parameters: ")


def test_gzip_concatenated_members(cloud):
    body = gzip.compress(f"cpu v=1 {NOW_NS}\n".encode()) + gzip.compress(f"cpu v=2 {NOW_NS + 1}".encode())
    r = cloud.post("/api/v2/write?bucket=mydb", content=body, headers={"Content-Encoding": "gzip"})
    assert r.status_code == 204
    r = cloud.get("/query", params={"db": "mydb", "q": "SELECT * FROM cpu", "epoch": "ns"})
    assert r.json()["results"][0]["series"][0]["values"] == [[NOW_NS, 1], [NOW_NS + 1, 2]]


@pytest.mark.parametrize("enc,body,status", [
    ("gzip", gzip.compress(b"cpu v=1", mtime=0)[:-6], 400),   # truncated
    ("br", b"cpu v=1", 415),                          # unsupported encoding
    ("identity", b"", 204),
    ("gzip", b"", 204),
])
def test_body_encodings(cloud, enc, body, status):
    r = cloud.post("/api/v2/write?bucket=mydb", content=body, headers={"Content-Encoding": enc})
    assert r.status_code == status, r.text


@pytest.mark.parametrize("qs", [b"", b"a=1&a=2&b=", b"q=SELECT+%2A+FROM+x&db=d%2Fr", b"x", b"a=%ff%fe&b=\xe9",
                                b"&&=1&c", b"q=SHOW%20DATABASES&pretty=true"])
def test_url_values_equal_starlette_query_params(qs):
    from starlette.datastructures import QueryParams

    from tsdb_http.params import url_values

    assert url_values(qs) == dict(QueryParams(qs))
    url_values(qs)["mutated"] = "1"  # callers get their own copy of the cached parse
    assert "mutated" not in url_values(qs)


def test_long_query_strings_parse_without_the_cache():
    from tsdb_http.params import _url_values, url_values

    before = _url_values.cache_info().currsize
    long = b"q=" + b"x" * 5000 + b"&db=a"
    assert url_values(long) == {"q": "x" * 5000, "db": "a"}
    assert _url_values.cache_info().currsize == before


_QS_BYTES = st.lists(st.sampled_from([b"%", b"+", b"&", b"=", b";", b"\\", b"x", b"q", b"2", b"f", b"F", b"g", b"0",
                                      b"%2B", b"%26", b"%3D", b"%e9", b"%C3%A9", b"%ff", b"\xe9", b"\x00", b" ",
                                      b"%5C", b"\\x41", b"%%41", b"%4"]), max_size=30).map(b"".join)


@settings(max_examples=600, deadline=None)
@given(_QS_BYTES)
def test_url_pairs_equal_parse_qsl(qs):
    from urllib.parse import parse_qsl

    from tsdb_http.params import url_pairs

    assert url_pairs(qs) == parse_qsl(qs.decode("latin-1"), keep_blank_values=True)


def test_url_pairs_read_an_encoded_query_without_parse_qsl(monkeypatch):
    """A client's encoding ('+' for spaces, %XX for the rest, as Go's url.Values.Encode) takes the short way."""
    from urllib.parse import urlencode

    from tsdb_http import params

    monkeypatch.setattr(params, "parse_qsl", None)
    q = "SELECT max(usage_user) FROM cpu WHERE hostname IN ('host_1') AND time >= '2016-01-01T00:00:00Z' GROUP BY time(1m) — é"
    assert params.url_pairs(urlencode({"q": q, "db": "benchmark", "epoch": ""}).encode()) == [
        ("q", q), ("db", "benchmark"), ("epoch", "")]
