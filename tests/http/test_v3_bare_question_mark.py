"""A bare ``?`` on /api/v3/query_sql and /api/v3/query_influxql (GET), under each HTTP server.

influxdb3_server/src/http.rs (influxdata/influxdb at d7834110b3680ba8e53d16333d158b18b8847bc7)
l.1375-1378 extract_query_request: ``let query = req.uri().query().ok_or(Error::MissingQueryParams)?;``
then ``serde_urlencoded::from_str::<QueryRequest<D, ..>>(query)?``: no ``?`` is "missing query
parameters 'db' and 'q'" (l.267-270), a bare ``?`` an empty query string that decodes without
its required fields, ``Error::SerdeUrlDecoding`` "serde error: {0}" (l.282-284). QueryRequest
(influxdb3_types/src/http.rs l.386-392): ``db`` (a String for query_sql l.1168, an Option for
query_influxql l.1191), then ``q``. ASGI drops a bare ``?``; the shim's uvicorn protocol marks the
scope (uvicorn_protocol.py), Hypercorn 0.18 keeps nothing of it (protocol/http_stream.py
``path, _, query_string = event.raw_path.partition(b"?")``): there ``?`` is answered as none.
"""
from __future__ import annotations

import pytest

from tests.dialects.test_http_live import _raw
from tsdb_http.serve import start_in_thread

NONE = (400, b'{"error":"missing query parameters \'db\' and \'q\'"}')


@pytest.mark.parametrize("server,target,want", [
    ("uvicorn", b"/api/v3/query_sql", NONE),
    ("uvicorn", b"/api/v3/query_sql?", (400, b'{"error":"serde error: missing field `db`"}')),
    ("uvicorn", b"/api/v3/query_influxql?", (400, b'{"error":"serde error: missing field `q`"}')),
    ("uvicorn", b"/api/v3/query_influxql?db=x", (400, b'{"error":"serde error: missing field `q`"}')),
    ("hypercorn", b"/api/v3/query_sql?", NONE),
    ("hypercorn", b"/api/v3/query_influxql?", NONE),
])
def test_bare_question_mark(tmp_path, server, target, want):
    handle = start_in_thread(tmp_path, no_auth=True, compat="cloud-dedicated", server=server)
    try:
        assert _raw(handle.url, target) == want
    finally:
        handle.stop()
