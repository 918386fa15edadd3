"""POST /api/tsdb/check: will these InfluxQL statements run on InfluxDB 1.x and on InfluxDB 3?

This server's own endpoint (no InfluxDB product has it; hence the ``/api/tsdb/`` prefix):
the HTTP face of ``Store.check`` (``tsdb check`` on the command line). ``q`` comes in the
body only (statements stay out of URLs): a form (urlencoded or multipart, as /query takes
it) or a JSON object ``{"q": ...}``. The answer, per statement: whether each product runs it, the exact error it
would answer, the InfluxDB 3 way to write it, and how the answers differ when both run it.

Nothing is read from the store, but the caller must hold a valid token (any permission):
credentials are checked before a body byte is read, as on every other route, and the
body is capped like theirs. Errors are rendered by the app in the server's dialect.
"""
from __future__ import annotations

from urllib.parse import parse_qsl

import orjson
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from tsdb_core import Store

from .params import HttpError, multipart_values, read_body, url_values

PATH = "/api/tsdb/check"
MISSING_Q = 'missing required parameter "q"'
FORMS = ("application/json", "application/x-www-form-urlencoded", "multipart/form-data")
INLINE_CHARS = 4_096  # a text this short is checked on the event loop


def _verdict(v) -> dict:
    return {"statement": v.statement, "portable": v.portable,
            "influxdb1": {"runs": v.influxdb1 is None, "error": v.influxdb1},
            "influxdb3": {"runs": v.influxdb3 is None, "error": v.influxdb3, "v3_way": v.v3_way, "note": v.note}}


async def _values(request: Request, max_bytes: int) -> dict:
    """The body's values: a JSON object, or a form (urlencoded or multipart); 415 for other bodies."""
    header = request.headers.get("content-type", "")
    ctype = header.split(";")[0].strip().lower()
    if ctype not in FORMS:
        raise HttpError(415, f"unsupported Content-Type: {ctype or '(none)'}: send q as a form or a JSON object")
    body = await read_body(request, max_bytes)  # (gzip: Content-Encoding, capped as it inflates)
    if ctype == "application/x-www-form-urlencoded":
        return dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
    if ctype == "multipart/form-data":
        return dict(multipart_values(body, header))
    try:
        values = orjson.loads(body)
    except orjson.JSONDecodeError as e:
        raise HttpError(400, f"error parsing JSON body: {e}") from None
    if not isinstance(values, dict):
        raise HttpError(400, 'error parsing JSON body: expected an object like {"q": "SELECT ..."}')
    return values


async def _q(request: Request, max_bytes: int) -> str:
    q = (await _values(request, max_bytes)).get("q")
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
