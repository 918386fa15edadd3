"""GET|POST /query: InfluxQL through the core, answered in JSON, CSV or msgpack.

Steps as 1.x: authenticate (headers and URL: no body byte is read before),
read ``q`` and the other values (URL, or the form body of a POST), parse once with
``store.prepare`` (400 ``error parsing query: ...``), authorise each statement (401),
``store.execute`` the prepared statements, then encode — whole, or chunk by chunk when
``chunked=true``. Without auth the store parses while it runs (``store.query``).
The core renders RFC3339 times for JSON without ``epoch``; otherwise it is asked
for ``epoch="ns"`` and the encoders render times.
Request-level errors are written by the negotiated formatter, as 1.x does.
"""
from __future__ import annotations

import functools
import logging
import re
import zlib
from collections.abc import Mapping
from types import MappingProxyType
from typing import NamedTuple

from starlette.concurrency import iterate_in_threadpool, run_in_threadpool
from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from tsdb_core import ParseError, QueryResult, StatementResult, Store, TsdbError

from . import chunking, encode, encode_v3, permissions, v1_results, v3_params
from .offload import Offload, on_thread
from .params import (Dialect, HttpError, QueryParams, influxql_dialect, query_form, query_params, split_db_rp,
                     url_values)

log = logging.getLogger("tsdb_http")

_V1 = influxql_dialect(Dialect.V1)
# answers this small are encoded on the event loop (~0.25 us a row: 2,048 rows take about what
# a thread hop costs on a busy machine)
INLINE_ROWS = 2_048
# A direct answer (answer_now) encodes up to this many rows itself: its query has run already,
# and handing it to the ASGI path would run it again (a quick query's answer of a few thousand
# rows, e.g. 100 hosts x 12 windows, encodes in well under the quick-query budget)
ANSWER_NOW_ROWS = 16_384


class QueryError(HttpError):
    """A /query failure, rendered by the negotiated formatter (not the dialect's JSON)."""

    def __init__(self, status: int, message: str, kind: str, ctype: str, gzip: bool):
        super().__init__(status, message)
        self.kind, self.ctype, self.gzip = kind, ctype, gzip

    def body(self) -> bytes:
        if self.kind is None:  # the influxdb3 dialect: one JSON shape whatever the format, never compressed
            return v3_params.error_body(self.message)
        data = encode.Encoder(self.kind).encode(encode.Response(error=self.message))
        return zlib_gzip(data) if self.gzip else data


@functools.lru_cache(maxsize=64)
def _gzip_accepted(accept_encoding: str) -> bool:
    return any(part.split(";")[0].strip().lower() == "gzip" for part in accept_encoding.split(","))


# A single SELECT (without INTO) or SHOW only reads; anything else (or anything in doubt:
# several statements, the word "into" anywhere) never runs on the event loop (offload.py).
_READ_START = re.compile(r"(?i)\s*(select|show)\b")
_NOT_SIMPLE = re.compile(r"(?i);|\binto\b")


@functools.lru_cache(maxsize=1024)  # dashboards send the same texts again and again
def read_only(q: str) -> bool:
    if _READ_START.match(q) is None:
        return False
    if q.isascii() and ";" not in q and "into" not in q.lower():  # (ASCII: no other case of i)
        return True
    return _NOT_SIMPLE.search(q) is None


def zlib_gzip(data: bytes) -> bytes:
    c = zlib.compressobj(6, zlib.DEFLATED, 31)
    return c.compress(data) + c.flush()


class _Shape(NamedTuple):
    """What a request's URL and Accept headers say, worked out once per distinct GET."""

    kind: str
    ctype: str
    gz: bool
    form: Mapping[str, str]
    p: QueryParams
    db: str
    rp: str | None
    reads: bool  # read_only(q): may run inline
    core: tuple  # (offload key, store.query arguments, offload shape): see _core_call


def _shape(kind: str, ctype: str, gz: bool, form: Mapping[str, str], dialect: Dialect, influxql,
           accept: str | None = None) -> _Shape:
    """``form``: the request's values (the influxdb3 dialect: as v3_params read them)."""
    if influxql is not _V1:  # InfluxDB 3: values (read before), the whole Accept header, then q and params
        kind, ctype = v3_params.negotiate(accept)
        gz = False  # influxdb3_server has no compression layer: Accept-Encoding changes nothing
        p = v3_params.query_params(form)
        portability_warning(p.q)
    else:
        if kind == encode.MSGPACK and form.get("chunked") == "true":
            # Deliberate deviation: 1.x sends several msgpack objects, which the `influxdb`
            # Python client (it asks for msgpack) cannot read; chunks go out as JSON lines.
            kind, ctype = encode.JSON, encode.JSON
        p = query_params(form)
    db, rp = split_db_rp(p.db, p.rp, dialect) if p.db else ("", p.rp or None)
    return _Shape(kind, ctype, gz, form, p, db, rp, read_only(p.q), _core_call(kind, p, db, rp, form, influxql))


def _v3_values(url: Mapping[str, str], values: Mapping[str, str]) -> dict[str, str]:
    """The values InfluxDB 3 read, plus the URL's other names (``p``/``u``: the credentials)."""
    return {**{k: v for k, v in url.items() if k not in v3_params.FIELDS}, **values}


def _v3_url_values(query_string: bytes, bare: bool = False) -> dict[str, str]:
    return _v3_values(url_values(query_string), v3_params.from_url(query_string, bare))


@functools.lru_cache(maxsize=512)
def _get_shape(query_string: bytes, accept: str | None, accept_encoding: str, dialect: Dialect, influxql) -> _Shape:
    """The shape of a GET (dashboards repeat theirs); errors are raised, never cached."""
    kind, ctype = encode.negotiate(accept)
    values = url_values(query_string) if influxql is _V1 else _v3_url_values(query_string)
    form = MappingProxyType(values)  # shared by every request of this shape: read-only
    return _shape(kind, ctype, _gzip_accepted(accept_encoding), form, dialect, influxql, accept)


class RawResponse:
    """A sized answer sent as two ASGI messages (Starlette's Response does the same, and more)."""

    __slots__ = ("body", "headers")

    def __init__(self, body: bytes, headers: list[tuple[bytes, bytes]]):
        self.body, self.headers = body, headers

    async def __call__(self, scope, receive, send) -> None:
        await send({"type": "http.response.start", "status": 200,
                    "headers": [*self.headers, (b"content-length", b"%d" % len(self.body))]})
        await send({"type": "http.response.body", "body": self.body})


def _accepts(headers) -> tuple[str | None, str]:
    """Accept and Accept-Encoding from raw ASGI headers, in one look (the first of each, as Headers.get)."""
    accept, accept_encoding = None, ""
    for k, v in headers:
        if k == b"accept" and accept is None:
            accept = v.decode("latin-1")
        elif k == b"accept-encoding" and not accept_encoding:
            accept_encoding = v.decode("latin-1")
    return accept, accept_encoding


def _cacheable(qs: bytes) -> bool:
    # (no token kept in a cache: neither ``p=`` nor its percent-encoded name ``%70``)
    return len(qs) <= 4096 and b"p=" not in qs and b"%70" not in qs


def _authorise(principal, statements, db: str) -> None:
    for st in statements:
        for action, need_db in permissions.needs(st, db or None):
            principal.require(action, need_db, st)


def _execute_args(shim, shape: _Shape, prepared) -> tuple:
    """The store call of a request: ``execute`` of its prepared statements (parsed for the
    permission check), else ``query`` of its text (no auth: nothing parsed it yet)."""
    q, db, rp, epoch, params = shape.core[1]
    if prepared is None:
        return (shim.query_fn(), q, db, rp, epoch, params)
    return (shim.execute_fn(), prepared, db, rp, epoch)


def _core_call(kind: str, p: QueryParams, db: str, rp: str | None, form: Mapping[str, str], influxql=_V1):
    """The offload key, the arguments of ``store.query`` and the offload shape (a new text of a
    shape measured quick may run inline: offload.py) for a request's shape.

    JSON without ``epoch`` wants RFC3339 text: the core writes it while it builds
    the rows (numpy on the lean path); so does InfluxDB 3's msgpack; every other form
    starts from int ns (encode.render_times).
    """
    text_times = kind == encode.JSON or (kind == encode.MSGPACK and influxql is not _V1)
    core_epoch = None if text_times and not p.epoch else "ns"
    args = (p.q, db or None, rp, core_epoch, p.params)
    params = form.get("params", "")
    shape = None if params else Offload.shape("query", p.q, db, rp, core_epoch)
    return Offload.key("query", params, *args[:3]), args, shape


def _parse_key(shape: _Shape):
    return Offload.key("parse", shape.p.q, shape.form.get("params", ""))


def _parse_shape(shape: _Shape):
    return None if shape.form.get("params") else Offload.shape("parse", shape.p.q)


def _results(shim, shape: _Shape, qr, prepared, principal):
    """The statements' results ready to encode (times rendered, SHOW DATABASES filtered)."""
    if qr.error is not None:
        msg = qr.error if qr.error.startswith("error parsing query") else f"error parsing query: {qr.error}"
        raise QueryError(400, msg, shape.kind, shape.ctype, shape.gz)
    results = qr.statements
    if prepared is not None and shim.auth.enabled:
        permissions.filter_show_databases(prepared.statements, results, principal)
    if shim.influxql is not _V1:
        encode_v3.render_times(results, shape.p.epoch)
    elif shape.kind != encode.JSON or shape.p.epoch:
        encode.render_times(results, shape.p.epoch, shape.kind)
    return results


def _small(results, rows: int = INLINE_ROWS) -> bool:
    """Few enough rows (at most ``rows``) to encode on the event loop (a thread hand-off costs more)."""
    return sum(se.n_rows for st in results for se in st.series) <= rows


def _framed(results) -> bool:
    """Some series still hold their rows as a frame: a large answer, written as it goes."""
    return any(se.frame is not None for st in results for se in st.series)


def _sized(shape: _Shape, body: bytes) -> RawResponse:
    if shape.gz:
        return RawResponse(zlib_gzip(body), [(b"content-type", shape.ctype.encode()), (b"content-encoding", b"gzip")])
    return RawResponse(body, [(b"content-type", shape.ctype.encode())])


def answer_now(shim, query_string: bytes, headers) -> RawResponse | None:
    """A GET /query answered synchronously, or None: the ASGI path (:func:`query`) takes it.

    The server's protocol asks this before it starts an ASGI task (uvicorn_server.py):
    a repeated read whose parse and query are known to be quick (:mod:`offload`'s
    record), asked while no other request is in flight (writes waiting on their fsync
    aside: a loader's stream of them would otherwise keep every read off this path), skips the task, the ASGI
    messages and the thread hop. Anything else, errors included, answers None and
    goes the usual way, which does all of it again and renders what went wrong.
    A repeated SHOW TAG VALUES whose kept answer the core still names gets the bytes sent
    last time (:mod:`kept_answers`), once its credentials and statements are checked.
    """
    offload = shim.offload
    if offload.serving or offload.budget_s <= 0 or not _cacheable(query_string):
        return None
    accept, accept_encoding = _accepts(headers)
    try:
        shape = _get_shape(query_string, accept, accept_encoding, shim.config.dialect, shim.influxql)
    except Exception:  # noqa: BLE001 - the ASGI path answers what is wrong with it
        return None
    if not shape.reads or shape.p.chunked:
        return None
    key, _, kshape = shape.core
    offload.busy += 1  # this request, as the app counts its own (inline_ok allows one)
    try:
        kept = shim.kept.get(shape)
        ready = kept is not None and kept[2] is not None  # a response kept (kept_answers.py)
        if not ready and not _quick(offload, key, kshape):
            return None
        prepared = principal = None
        if shim.auth.enabled:
            principal = shim.auth.authenticate_now(Headers(raw=headers), shape.form)
            pkey, pshape = _parse_key(shape), _parse_shape(shape)
            if not offload.inline_ok(pkey, pshape):
                return None
            prepared = offload.call(pkey, shim.prepare_fn(), shape.p.q, shape.p.params, shape=pshape)
            _authorise(principal, prepared.statements, shape.db)
        asks = shim.kept.asks(kept, kshape)
        before = _token(shim, shape, prepared) if asks else None
        if ready:
            if before == kept[1]:
                return kept[2]
            if not _quick(offload, key, kshape):
                return None
        qr = offload.call(key, *_execute_args(shim, shape, prepared), shape=kshape)
        results = _results(shim, shape, qr, prepared, principal)
        if not _small(results, ANSWER_NOW_ROWS):
            offload.answer_too_large(key, kshape)  # (the next ones are not run here first)
            return None
        encoder = encode.Encoder(shape.kind, shape.p.pretty, shape.p.epoch, shim.influxql is not _V1)
        response = _sized(shape, encoder.encode(encode.Response(results)))
        if asks:
            shim.kept.put(shape, before, _token(shim, shape, prepared), response, kshape)
        return response
    except Exception:  # noqa: BLE001 - the ASGI path asks again and answers the error
        return None
    finally:
        offload.busy -= 1


def _quick(offload, key, kshape) -> bool:
    """The query may run here: measured quick, its answer not known to be too large."""
    return offload.inline_ok(key, kshape) and not offload.known_too_large(key, kshape)


def _token(shim, shape: _Shape, prepared):
    """The core's token of the answer to the request now (kept_answers.py): to ``prepared``,
    else to its text (the store's parse cache has it); None from a store that tells none."""
    answer_token = getattr(shim.store, "answer_token", None)
    if answer_token is None:
        return None
    query = shape.p.q if prepared is None else prepared
    return answer_token(query, shape.core[1][1], shape.p.params, dialect=shim.influxql)


async def _shape_of(request: Request, shim, accepts: tuple[str | None, str], kind: str, ctype: str, gz: bool):
    """The request's shape and principal (credentials from headers and URL, as 1.x: checked
    before any body byte is read)."""
    qs = request.scope["query_string"]
    if request.method == "GET" and _cacheable(qs) and not v3_params.bare_query(request.scope):
        shape = _get_shape(qs, *accepts, shim.config.dialect, shim.influxql)
        return shape, await shim.auth.authenticate(request.headers, shape.form, request.client)
    url = url_values(qs)
    principal = await shim.auth.authenticate(request.headers, url, request.client)
    if shim.influxql is _V1:
        form = await query_form(request, shim.config.max_body_bytes)
    elif request.method == "POST":
        form = _v3_values(url, await v3_params.from_post(request, shim.config.max_body_bytes))
    else:
        form = _v3_url_values(qs, v3_params.bare_query(request.scope))
    return _shape(kind, ctype, gz, form, shim.config.dialect, shim.influxql, accepts[0]), principal


async def _run_query(shim, shape: _Shape, principal):
    """Parse and authorise (with auth), then run: reads through the offload, changes on a thread."""
    prepared = None
    offload = shim.offload
    if shim.auth.enabled:
        try:
            prepared = await offload.run(_parse_key(shape), shim.prepare_fn(), shape.p.q, shape.p.params,
                                         shape=_parse_shape(shape))
        except ParseError as e:
            if shim.influxql is not _V1:  # InfluxDB 3 answers a parse error as a statement's, in a 200
                return QueryResult([StatementResult(0, error=e.message)]), None
            raise HttpError(400, _parse_message(e)) from None
        _authorise(principal, prepared.statements, shape.db)
    call = _execute_args(shim, shape, prepared)
    if shape.reads:
        return await offload.run(shape.core[0], *call, shape=shape.core[2]), prepared
    try:
        return await run_in_threadpool(*call), prepared
    finally:
        offload.data_changed()  # (SELECT INTO, DROP, DELETE ...: see offload.py)


def _query_error(shim, e: Exception, kind: str, ctype: str, gz: bool) -> Exception:
    """A failure before encoding, as the negotiated formatter renders it (401 and 429 keep the
    dialect's own body and Retry-After; the influxdb3 dialect answers ``{"error":...}`` JSON)."""
    if shim.influxql is not _V1:
        kind, ctype = None, encode.JSON
    if isinstance(e, HttpError):
        return e if e.status in (401, 429) else QueryError(e.status, e.message, kind, ctype, gz)
    if isinstance(e, ParseError):
        return QueryError(400, _parse_message(e), kind, ctype, gz)
    from .app import error_message, status_for

    status = status_for(e, shim.config.dialect)
    if status >= 500:
        log.error("query failed: %s", e, exc_info=not isinstance(e, TsdbError))
    return QueryError(status, error_message(e, shim.config.dialect), kind, ctype, gz)


async def query(request: Request) -> Response | RawResponse:
    shim = request.app.state.shim
    accepts = _accepts(request.scope["headers"])
    kind, ctype = encode.negotiate(accepts[0])  # (cached; the shape may change them, errors use them)
    gz = _gzip_accepted(accepts[1])
    try:
        shape, principal = await _shape_of(request, shim, accepts, kind, ctype, gz)
        kind, ctype, gz = shape.kind, shape.ctype, shape.gz
        v1 = shim.config.dialect is Dialect.V1
        warnings = await _get_warnings(shim, shape) if v1 and request.method == "GET" else None
        qr, prepared = await _run_query(shim, shape, principal)
    except Exception as e:  # core errors (and bugs) in the 1.x /query shape, via the formatter
        raise _query_error(shim, e, kind, ctype, gz) from None
    results = _results(shim, shape, qr, prepared, principal)
    if not results and shim.influxql is not _V1:  # no statement: InfluxDB 3 sends an empty body
        return RawResponse(b"", [(b"content-type", shape.ctype.encode())])
    if v1:  # 1.x's GET warnings and its answer after a failed statement (v1_results)
        if warnings:
            v1_results.add_warnings(results, warnings)
        results = v1_results.after_failure(results, shape.p.chunked)
    encoder = encode.Encoder(kind, shape.p.pretty, shape.p.epoch, shim.influxql is not _V1)
    if not shape.p.chunked:
        if _framed(results):
            return _streamed(encoder.pieces(encode.Response(results)), shape)
        if _small(results):
            body = encoder.encode(encode.Response(results))
        else:
            # (offload's plain executor hand-off: anyio's limiter and checkpoints cost the loop more)
            body = await on_thread(encoder.encode, encode.Response(results))
        return _sized(shape, body)
    return _chunked(results, encoder, shape)


async def _get_warnings(shim, shape: _Shape) -> dict[int, str] | None:
    """1.x's warnings for write statements sent with GET (a read runs without a word)."""
    if shape.reads:
        return None
    try:
        prepared = await run_in_threadpool(shim.store.prepare, shape.p.q, shape.p.params)
    except ParseError:
        return None  # the run that follows answers the parse error
    return v1_results.get_warnings(prepared.statements, shim.store, shape.db)


def _chunked(results, encoder, shape: _Shape) -> StreamingResponse:
    pieces = (encoder.encode(resp) for resp in chunking.responses(results, True, shape.p.chunk_size, encoder.v3))
    return _streamed(pieces, shape, sync_flush=True)


def _streamed(pieces, shape: _Shape, sync_flush: bool = False) -> StreamingResponse:
    """A body sent as its pieces are written, on a worker thread (no Content-Length: as
    InfluxDB's Go server, large bodies go out with chunked transfer encoding). Chunked
    answers flush the gzip stream after each piece (each line readable when it arrives)."""
    headers = {"Content-Type": shape.ctype}
    if shape.gz:
        headers["Content-Encoding"] = "gzip"

    def body():
        comp = zlib.compressobj(6, zlib.DEFLATED, 31) if shape.gz else None
        for data in pieces:
            if comp is not None:
                data = comp.compress(data) + (comp.flush(zlib.Z_SYNC_FLUSH) if sync_flush else b"")
            if data:
                yield data
        if comp is not None:
            yield comp.flush()

    return StreamingResponse(iterate_in_threadpool(body()), 200, headers=headers)


@functools.lru_cache(maxsize=1024)  # once per distinct text: dashboards repeat theirs
def portability_warning(q: str) -> None:
    """Log (never answer) a line per statement InfluxDB 1.x would run differently (tsdb check)."""
    try:
        verdicts = Store.check(q)
    except Exception:  # noqa: BLE001 - a check that fails must not fail the query
        log.debug("portability check failed", exc_info=True)
        return
    for i, v in enumerate(verdicts):
        if v.portable or v.influxdb1 is not None:
            continue
        why = (v.influxdb3 or v.note or "").replace("\n", " / ")
        way = f"; InfluxDB 3 way: {v.v3_way}" if v.v3_way else ""
        log.warning("portability: statement %d (%s) runs differently on InfluxDB 1.x: here %s%s",
                    i, " ".join(v.statement.split())[:200], why, way)


def _parse_message(e: ParseError) -> str:
    msg = e.message
    return msg if msg.startswith("error parsing query") else f"error parsing query: {msg}"


__all__ = ["query", "QueryError", "Dialect"]
