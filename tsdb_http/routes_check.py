"""POST /api/tsdb/check: will these InfluxQL statements run on InfluxDB 1.x and on InfluxDB 3?

This server's own endpoint (no InfluxDB product has it; hence the ``/api/tsdb/`` prefix):
the HTTP face of ``Store.check`` (``tsdb check`` on the command line). ``q`` comes as a
form value (urlencoded or multipart, as /query takes it), a JSON body ``{"q": ...}``, or
in the URL. The answer, per statement: whether each product runs it, the exact error it
would answer, the InfluxDB 3 way to write it, and how the answers differ when both run it.

Nothing is read from the store, but the caller must hold a valid token (any permission):
credentials are checked before a body byte is read, as on every other route, and the
body is capped like theirs. Errors are rendered by the app in the server's dialect.
"""
from __future__ import annotations

import orjson
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from tsdb_core import Store

from .params import HttpError, query_form, read_body, url_values

PATH = "/api/tsdb/check"
MISSING_Q = 'missing required parameter "q"'
INLINE_CHARS = 4_096  # a text this short is checked on the event loop


def _verdict(v) -> dict:
    return {"statement": v.statement, "portable": v.portable,
            "influxdb1": {"runs": v.influxdb1 is None, "error": v.influxdb1},
            "influxdb3": {"runs": v.influxdb3 is None, "error": v.influxdb3, "v3_way": v.v3_way, "note": v.note}}


async def _q(request: Request, max_bytes: int) -> str:
    """``q`` from a JSON body, else from the form body or the URL (the body's value wins)."""
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype != "application/json":
        q = (await query_form(request, max_bytes)).get("q")
    else:
        body = await read_body(request, max_bytes)
        try:
            values = orjson.loads(body) if body.strip() else {}
        except orjson.JSONDecodeError as e:
            raise HttpError(400, f"error parsing JSON body: {e}") from None
        if not isinstance(values, dict):
            raise HttpError(400, 'error parsing JSON body: expected an object like {"q": "SELECT ..."}')
        q = values.get("q", url_values(request.scope["query_string"]).get("q"))
        if q is not None and not isinstance(q, str):
            raise HttpError(400, '"q" must be a string')
    if q is None or not q.strip():
        raise HttpError(400, MISSING_Q)
    return q


async def check(request: Request) -> Response:
    shim = request.app.state.shim
    await shim.auth.authenticate(request.headers, url_values(request.scope["query_string"]), request.client)
    q = await _q(request, shim.config.max_body_bytes)
    verdicts = Store.check(q) if len(q) <= INLINE_CHARS else await run_in_threadpool(Store.check, q)
    return Response(orjson.dumps({"verdicts": [_verdict(v) for v in verdicts]}), 200, media_type="application/json")


__all__ = ["PATH", "check"]
