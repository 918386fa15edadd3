"""±Inf results in the influxdb1 dialect, as influxd 1.6.7 answers them (recorded below).

Line protocol cannot carry an infinity, arithmetic and math can: ``SELECT f * 10`` over
``f=1e308``, ``log(0, 2)``.
influxd 1.6.7's jsonFormatter writes ``json.Marshal``'s error text in place of a document
holding one (``Go's encoding/json: unsupported value: +Inf``), then its line ending, status 200;
chunked, only the chunks holding one; ``pretty=true`` alike. CSV writes ``+Inf``/``-Inf``,
msgpack float64 infinities. A NaN the engine makes (``Inf - Inf``) is ``null`` in 1.x's answers.

Recorded on 2026-12-06 from ``influxd`` 1.6.7 (Debian) on 127.0.0.1: ``CREATE DATABASE db``, the
body of ``LINES`` written with ``precision=s``, then each request below (``db=db``).
"""
from __future__ import annotations

import pytest

from tests.http.conftest import REAL_ENGINE, make_client

LINES = "m f=1e308 1\nm f=-1e308 2\nm f=2.5 3\nm f=0 4"
RECORDED = [  # name, URL values, Accept, Content-Type, body
    ('json', {'q': 'SELECT f * 10 FROM m'}, None, 'application/json',
     b'json: error calling MarshalJSON for type httpd.Response: json: error calling MarshalJSON for type *query.Result: json: unsupported value: +Inf\n'),
    ('json_two_statements', {'q': 'SELECT f FROM m; SELECT f * 10 FROM m'}, None, 'application/json',
     b'json: error calling MarshalJSON for type httpd.Response: json: error calling MarshalJSON for type *query.Result: json: unsupported value: +Inf\n'),
    ('pretty', {'q': 'SELECT f * 10 FROM m', 'pretty': 'true'}, None, 'application/json',
     b'json: error calling MarshalJSON for type httpd.Response: json: error calling MarshalJSON for type *query.Result: json: unsupported value: +Inf\n'),
    ('chunked', {'q': 'SELECT f * 10 FROM m', 'chunked': 'true', 'chunk_size': '1'}, None, 'application/json',
     b'json: error calling MarshalJSON for type httpd.Response: json: error calling MarshalJSON for type *query.Result: json: unsupported value: +Inf\njson: error calling MarshalJSON for type httpd.Response: json: error calling MarshalJSON for type *query.Result: json: unsupported value: -Inf\n{"results":[{"statement_id":0,"series":[{"name":"m","columns":["time","f"],"values":[["1970-01-01T00:00:03Z",25]],"partial":true}],"partial":true}]}\n{"results":[{"statement_id":0,"series":[{"name":"m","columns":["time","f"],"values":[["1970-01-01T00:00:04Z",0]]}]}]}\n'),
    ('chunked_statements', {'q': 'SELECT f FROM m; SELECT f * 10 FROM m', 'chunked': 'true'}, None, 'application/json',
     b'{"results":[{"statement_id":0,"series":[{"name":"m","columns":["time","f"],"values":[["1970-01-01T00:00:01Z",1e+308],["1970-01-01T00:00:02Z",-1e+308],["1970-01-01T00:00:03Z",2.5],["1970-01-01T00:00:04Z",0]]}]}]}\njson: error calling MarshalJSON for type httpd.Response: json: error calling MarshalJSON for type *query.Result: json: unsupported value: +Inf\n'),
    ('csv', {'q': 'SELECT f * 10 FROM m'}, 'application/csv', 'text/csv',
     b'name,tags,time,f\nm,,1000000000,+Inf\nm,,2000000000,-Inf\nm,,3000000000,25\nm,,4000000000,0\n'),
    ('msgpack', {'q': 'SELECT f * 10 FROM m', 'epoch': 's'}, 'application/x-msgpack', 'application/x-msgpack',
     b'\x81\xa7results\x91\x82\xacstatement_id\x00\xa6series\x91\x83\xa4name\xa1m\xa7columns\x92\xa4time\xa1f\xa6values\x94\x92\x01\xcb\x7f\xf0\x00\x00\x00\x00\x00\x00\x92\x02\xcb\xff\xf0\x00\x00\x00\x00\x00\x00\x92\x03\xcb@9\x00\x00\x00\x00\x00\x00\x92\x04\xcb\x00\x00\x00\x00\x00\x00\x00\x00'),
    ('nan_is_null', {'q': 'SELECT (f * 10) - (f * 10) FROM m'}, None, 'application/json',
     b'{"results":[{"statement_id":0,"series":[{"name":"m","columns":["time","f_f"],"values":[["1970-01-01T00:00:01Z",null],["1970-01-01T00:00:02Z",null],["1970-01-01T00:00:03Z",0],["1970-01-01T00:00:04Z",0]]}]}]}\n'),
    ('log_of_zero', {'q': 'SELECT log(f, 2) FROM m'}, None, 'application/json',
     b'json: error calling MarshalJSON for type httpd.Response: json: error calling MarshalJSON for type *query.Result: json: unsupported value: -Inf\n'),
    ('ln_of_zero', {'q': 'SELECT ln(f) FROM m WHERE time > 2s'}, None, 'application/json',
     b'json: error calling MarshalJSON for type httpd.Response: json: error calling MarshalJSON for type *query.Result: json: unsupported value: -Inf\n'),
    ('log_nan_is_null', {'q': 'SELECT log(f, 2) FROM m WHERE time < 4s'}, None, 'application/json',
     b'{"results":[{"statement_id":0,"series":[{"name":"m","columns":["time","log"],"values":[["1970-01-01T00:00:01Z",1023.1538532253077],["1970-01-01T00:00:02Z",null],["1970-01-01T00:00:03Z",1.3219280948873624]]}]}]}\n'),
    ('no_infinity', {'q': 'SELECT f * 10, f FROM m WHERE time > 2s'}, None, 'application/json',
     b'{"results":[{"statement_id":0,"series":[{"name":"m","columns":["time","f","f_1"],"values":[["1970-01-01T00:00:03Z",25,2.5],["1970-01-01T00:00:04Z",0,0]]}]}]}\n'),
]


@pytest.fixture(scope="module")
def client():
    c = make_client("influxdb1")
    assert c.post("/query", data={"q": "CREATE DATABASE db"}).status_code == 200
    assert c.post("/write", params={"db": "db", "precision": "s"}, content=LINES).status_code == 204
    return c


@pytest.mark.skipif(not REAL_ENGINE, reason="needs the query engine")
@pytest.mark.parametrize("name,params,accept,ctype,body", RECORDED, ids=[c[0] for c in RECORDED])
def test_same_bytes_as_influxd(client, name, params, accept, ctype, body):
    r = client.get("/query", params={"db": "db", **params}, headers={"Accept": accept} if accept else {})
    assert (r.status_code, r.headers["content-type"]) == (200, ctype)
    assert r.content == body
