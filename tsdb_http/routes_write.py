"""POST /api/v2/write and POST /write: one processing, two parameter spellings.

Order of checks (as InfluxDB): database parameter, precision, token and its
write permission, Content-Type (v2, cloud dialect), body size, gzip, database
existence (influxdb1 dialect; the cloud dialect creates it with a 3-day policy),
then the write. Rejected lines follow the Cloud Dedicated API document's partial-write rules:

* cloud ``/api/v2/write``: 400 when any line was rejected (the others are written);
* cloud ``/write``: 201 when some lines were written, 400 when none was;
* influxdb1: 400 ``{"error": "partial write: <reason> dropped=N"}`` as 1.6.7, or 400
  ``{"error": "field type conflict"}`` when a type conflict inside the body fails a shard
  group the body opens (``WriteResult.failure``; the other groups' points are written).

Cloud bodies are ``{"code": "invalid", "line": <first bad line>, "message": ...}``
listing up to 100 rejected lines.
"""
from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from tsdb_core import LineError

from .params import Dialect, HttpError, read_body, split_db_rp, write_precision

MAX_REPORTED = 100
_LP_TYPES = ("", "text/plain", "application/x-www-form-urlencoded", "application/octet-stream",
             "text/x-line-protocol", "application/x-line-protocol")


async def write_v2(request: Request) -> Response:
    q = request.query_params
    return await _write(request, q.get("bucket") or q.get("db") or "", q.get("rp"), q.get("precision"), v2=True)


async def write_v1(request: Request) -> Response:
    q = request.query_params
    return await _write(request, q.get("db") or "", q.get("rp"), q.get("precision"), v2=False)


async def _write(request: Request, db: str, rp: str | None, precision: str | None, *, v2: bool) -> Response:
    shim = request.app.state.shim
    dialect = shim.config.dialect
    if not db:
        raise HttpError(400, "database is required" if dialect is Dialect.V1 or not v2
                        else "bucket is required")
    db, rp = split_db_rp(db, rp, dialect)
    precision = write_precision(precision, v2, dialect)
    principal = await shim.auth.authenticate(request.headers, request.query_params, request.client)
    principal.require("write", db)
    if v2 and dialect is Dialect.CLOUD:
        ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if ctype not in _LP_TYPES:
            raise HttpError(415, f"unsupported Content-Type {ctype!r}: send line protocol as "
                                 "text/plain; charset=utf-8")
    body = await read_body(request, shim.config.max_body_bytes)
    store = shim.store
    if dialect is Dialect.V1 and not store.has_database(db):
        raise HttpError(404, f'database not found: "{db}"')
    if not body or body.isspace():  # (strip() would copy a whole body)
        return Response(status_code=204)
    offload = shim.offload
    offload.writing += 1  # on a thread from here: quick reads may still run inline (offload.py)
    try:
        result = await run_in_threadpool(store.write, db, body, precision, rp,
                                         dialect="influxdb1" if dialect is Dialect.V1 else "influxdb3")
    except BaseException:
        offload.data_changed()  # written in part, perhaps: quick reads are measured again (offload.py)
        raise
    finally:
        offload.writing -= 1
    offload.data_grew(db, result.points_written)  # grown data: measured again past a share (offload.py)
    if not result.errors:
        return Response(status_code=204)
    return _rejected(result.errors, result.points_written, dialect, v2, result.failure)


def _rejected(errors: list[LineError], written: int, dialect: Dialect, v2: bool,
              failure: str | None = None) -> Response:
    if dialect is Dialect.V1:
        raise HttpError(400, failure or v1_message(errors, written))
    shown = errors[:MAX_REPORTED]
    detail = "\n".join(f"{'error parsing' if _is_parse_error(e) else 'error writing'} line {e.line} "
                       f"(1-based): {e.reason}" for e in shown)
    if len(errors) > MAX_REPORTED:
        detail += f"\n... and {len(errors) - MAX_REPORTED} more rejected lines"
    if v2:
        raise HttpError(400, f"failed to parse line protocol: errors encountered on line(s):\n{detail}",
                        "invalid", line=errors[0].line)
    if written:
        raise HttpError(201, f"partial write of line protocol occurred: errors encountered on line(s):\n{detail}",
                        "invalid", line=errors[0].line)
    raise HttpError(400, f"no data written, errors encountered on line(s):\n{detail}",
                    "invalid", line=errors[0].line)


def _is_parse_error(e: LineError) -> bool:
    return e.reason.startswith("unable to parse")


def v1_message(errors: list[LineError], written: int) -> str:
    """1.6.7's wording: parse errors alone, or ``partial write: <first reason> dropped=N``.

    1.x reports a type conflict or retention drop in preference to parse errors, and
    counts only those in ``dropped`` (parse errors are ``dropped=0``).
    """
    dropped = [e for e in errors if not _is_parse_error(e)]
    parse = [e for e in errors if _is_parse_error(e)]
    if dropped:
        return f"partial write: {dropped[0].reason} dropped={len(dropped)}"
    text = "\n".join(e.reason for e in parse)
    if written == 0:
        return text
    return f"partial write: {text} dropped=0"
