"""Request parameters: dialects, db/rp mapping, precisions, /query form values, bodies.

Everything here is plain functions over strings and bytes; errors are
:class:`HttpError` with the status and words the endpoint answers with.
"""
from __future__ import annotations

import enum
import functools
import json
import zlib
from codecs import escape_decode
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import parse_qsl

from starlette.requests import Request

import tsdb_core


class Dialect(str, enum.Enum):
    """Which product the shim answers as (status codes, error bodies, precisions)."""

    CLOUD = "cloud-dedicated"
    V1 = "influxdb1"


# The InfluxQL dialect each HTTP dialect runs queries in (tsdb_core.Dialect).
INFLUXQL = {Dialect.CLOUD: tsdb_core.Dialect.INFLUXDB3, Dialect.V1: tsdb_core.Dialect.INFLUXDB1}


def influxql_dialect(dialect: Dialect) -> "tsdb_core.Dialect":
    """The InfluxQL a shim answering as ``dialect`` runs: InfluxDB 3's for Cloud Dedicated."""
    return INFLUXQL[dialect]


class HttpError(Exception):
    """An answer other than success: status, message, and for writes the first bad line.

    ``code`` is the v2/v3 error code (``invalid``, ``not found`` ...) used by the
    cloud dialect's ``{"code", "message"}`` bodies.
    """

    def __init__(self, status: int, message: str, code: str | None = None, *,
                 line: int | None = None, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code or CODES.get(status, "internal error")
        self.line = line
        self.headers = headers or {}


# InfluxDB v2/v3 error codes by HTTP status (influxdb/kit/platform/errors).
CODES = {400: "invalid", 401: "unauthorized", 403: "forbidden", 404: "not found",
         405: "method not allowed", 413: "request too large", 415: "unsupported media type",
         422: "unprocessable entity", 429: "too many requests", 500: "internal error",
         501: "not implemented", 503: "unavailable"}


# -- database / retention policy -------------------------------------------------------

DEFAULT_RP_NAMES = ("", "autogen", "default")


def split_db_rp(db: str, rp: str | None, dialect: Dialect) -> tuple[str, str | None]:
    """Map ``db``/``rp`` parameters to (database, policy or None for the default).

    Cloud dialect (InfluxDB 3's DBRP convention): a database named ``db/rp`` is
    database ``db`` with policy ``rp``; ``rp`` missing, empty, ``autogen`` or
    ``default`` means the database's default policy. influxdb1 dialect: names are
    taken as they are (1.x allows ``/`` in names) and only an empty ``rp`` means default.
    """
    rp = rp or None
    if dialect is Dialect.CLOUD:
        if "/" in db and rp is None:
            db, _, rp = db.partition("/")
            rp = rp or None
        if rp in DEFAULT_RP_NAMES:
            rp = None
    return db, rp


# -- precisions -----------------------------------------------------------------------------

V2_PRECISIONS = ("ns", "us", "ms", "s")
V1_PRECISIONS = ("n", "ns", "u", "us", "µ", "μ", "ms", "s", "m", "h")


def write_precision(raw: str | None, v2: bool, dialect: Dialect) -> str:
    """The precision to hand the core, or HttpError 400.

    /api/v2/write takes the Cloud Dedicated API document's ``ns|us|ms|s``; /write takes 1.x's spellings
    (``n ns u µ ms s m h``, plus ``us``). In the influxdb1 dialect /write treats an
    unknown precision as ns, as 1.x does.
    """
    p = raw or "ns"
    allowed = V2_PRECISIONS if v2 else V1_PRECISIONS
    if p in allowed:
        return p
    if dialect is Dialect.V1 and not v2:
        return "ns"
    expect = ", ".join(allowed)
    raise HttpError(400, f"invalid precision {p!r}: expected one of {expect}")


# -- /query parameters ---------------------------------------------------------------------

# InfluxDB 3's epoch values (iox_v1_query_api/src/types.rs Precision; serde lists the alias µ): v3_params.py.
V3_EPOCHS = ("ns", "u", "µ", "ms", "s", "m", "h", "d", "w")


@dataclass(frozen=True, slots=True)
class QueryParams:
    """The /query parameters, decoded and checked once per request."""
    q: str
    db: str
    rp: str
    epoch: str | None
    chunked: bool
    chunk_size: int
    pretty: bool
    params: dict | None


DEFAULT_CHUNK_SIZE = 10_000


def url_values(query_string: bytes) -> dict[str, str]:
    """The URL's query values (the last of repeated names), as ``dict(request.query_params)``.

    Clients repeat the same query strings (dashboards, benchmarks), so the parse of
    short ones (up to 4 KiB; the cache holds 512) is cached, unless it may carry a token (``p=``).
    """
    if not query_string:
        return {}
    if len(query_string) > 4096 or b"p=" in query_string:  # a token in the URL is not kept in a cache
        return dict(url_pairs(query_string))
    return dict(_url_values(query_string))


@functools.lru_cache(maxsize=512)
def _url_values(query_string: bytes) -> tuple[tuple[str, str], ...]:
    return tuple(dict(url_pairs(query_string)).items())


def url_pairs(query_string: bytes) -> list[tuple[str, str]]:
    """``parse_qsl(query_string.decode("latin-1"), keep_blank_values=True)``, exactly, at a few C
    calls a pair where the string is ASCII without a backslash (every client's encoding): its
    ``%XX`` become ``\\xXX`` for ``codecs.escape_decode`` (parse_qsl's loop in Python cost a
    fresh TSBS request ~12% of its calls). Anything else (a stray ``%``, a raw byte past
    ASCII, whose latin-1 character parse_qsl keeps) is parse_qsl's."""
    if query_string.isascii() and b"\\" not in query_string:
        pairs = []
        try:  # ('+' and '%' mean the same before or after the split on '&' and '=')
            for pair in query_string.replace(b"+", b" ").replace(b"%", b"\\x").split(b"&"):
                if pair:
                    name, _, value = pair.partition(b"=")
                    if b"\\" in name:
                        name = escape_decode(name)[0]
                    if b"\\" in value:
                        value = escape_decode(value)[0]
                    pairs.append((name.decode("utf-8", "replace"), value.decode("utf-8", "replace")))
            return pairs
        except ValueError:  # '%' not followed by two hex digits: parse_qsl keeps it as it is
            pass
    return parse_qsl(query_string.decode("latin-1"), keep_blank_values=True)


async def query_form(request: Request, max_bytes: int) -> dict[str, str]:
    """URL query values, overridden by form values of a POST body (as Go's FormValue).

    A form body (urlencoded or multipart) is capped like a write body (413 past
    ``max_bytes``, read as it streams) and parsed in memory: nothing is spooled to disk.
    """
    values = url_values(request.scope["query_string"])
    if request.method != "POST":
        return values
    ctype_header = request.headers.get("content-type", "")
    ctype = ctype_header.split(";")[0].strip().lower()
    if ctype == "application/x-www-form-urlencoded":
        body = await read_body(request, max_bytes, gzip_ok=False)
        try:
            form = dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
        except ValueError as e:
            raise HttpError(400, str(e)) from None
        return {**values, **{k: v for k, v in form.items()}}
    if ctype == "multipart/form-data":
        body = await read_body(request, max_bytes, gzip_ok=False)
        out = dict(values)
        for k, v in multipart_values(body, ctype_header):
            if k not in out or k == "q" or not out[k]:
                out[k] = v
        return out
    return values


def multipart_values(body: bytes, content_type: str) -> list[tuple[str, str]]:
    """The (name, text) fields of a multipart/form-data body, in order; 400 when malformed."""
    from python_multipart.exceptions import FormParserError
    from python_multipart.multipart import MultipartParser, parse_options_header

    boundary = parse_options_header(content_type)[1].get(b"boundary")
    if not boundary:
        raise HttpError(400, "error parsing form: no multipart boundary")
    fields: list[tuple[str, str]] = []
    headers: dict[bytes, bytes] = {}
    name, value, data = bytearray(), bytearray(), bytearray()

    def header_end():
        headers[bytes(name).lower()] = bytes(value)
        name.clear()
        value.clear()

    def part_end():
        field = parse_options_header(headers.get(b"content-disposition", b""))[1].get(b"name")
        if field is not None:
            fields.append((field.decode("utf-8", "replace"), data.decode("utf-8", "replace")))
        headers.clear()
        data.clear()

    parser = MultipartParser(boundary, {
        "on_header_field": lambda b, s, e: name.extend(b[s:e]),
        "on_header_value": lambda b, s, e: value.extend(b[s:e]),
        "on_header_end": header_end,
        "on_part_data": lambda b, s, e: data.extend(b[s:e]),
        "on_part_end": part_end,
    })
    try:
        parser.write(body)
        parser.finalize()
    except (FormParserError, ValueError) as e:
        raise HttpError(400, f"error parsing form: {e}") from None
    return fields


def query_params(form: Mapping[str, str]) -> QueryParams:
    """Validate /query values as 1.x does (missing q, bad params JSON, chunk size)."""
    q = (form.get("q") or "").strip()
    if not q:
        raise HttpError(400, 'missing required parameter "q"')
    chunked = form.get("chunked") == "true"
    size = DEFAULT_CHUNK_SIZE
    if chunked:
        try:
            n = int(form.get("chunk_size", ""))
            if n > 0:
                size = n
        except ValueError:
            pass
    return QueryParams(q=q, db=form.get("db", ""), rp=form.get("rp", ""),
                       epoch=(form.get("epoch") or "").strip() or None, chunked=chunked,
                       chunk_size=size, pretty=form.get("pretty") == "true",
                       params=parse_bound_params(form.get("params", "")))


def parse_bound_params(raw: str) -> dict | None:
    """``params=`` JSON object; numbers with a '.' become floats, others ints (as 1.x)."""
    if not raw:
        return None
    try:
        val = json.loads(raw, parse_float=float, parse_int=int)
    except json.JSONDecodeError as e:
        raise HttpError(400, f"error parsing query parameters: {e}") from None
    if not isinstance(val, dict):
        raise HttpError(400, "error parsing query parameters: expected a JSON object")
    return val


# -- request bodies ------------------------------------------------------------------------

async def read_body(request: Request, max_bytes: int, *, gzip_ok: bool = True) -> bytes:
    """The body, gunzipped when ``Content-Encoding: gzip``; 413 past ``max_bytes``.

    The cap applies to the bytes received and to the decompressed size (a small
    gzip bomb cannot expand past it). 0 means no cap.
    """
    length = request.headers.get("content-length")
    if length is not None:
        try:
            n = int(length)
        except ValueError:
            raise HttpError(400, "invalid Content-Length") from None
        if max_bytes and n > max_bytes:
            raise HttpError(413, "Request Entity Too Large")
    enc = request.headers.get("content-encoding", "").strip().lower()
    gz = gzip_ok and enc == "gzip"
    if enc and enc not in ("identity", "gzip"):
        raise HttpError(415, f"unsupported Content-Encoding: {enc}")
    chunks: list[bytes] = []
    size = 0
    raw_seen = False
    inflater = zlib.decompressobj(wbits=31) if gz else None
    async for chunk in request.stream():
        if not chunk:
            continue
        raw_seen = True
        if inflater is None:
            size += len(chunk)
            if max_bytes and size > max_bytes:
                raise HttpError(413, "Request Entity Too Large")
            chunks.append(chunk)
            continue
        data = chunk
        while data:
            try:
                out = inflater.decompress(data, (max_bytes - size + 1) if max_bytes else 0)
            except zlib.error as e:
                raise HttpError(400, f"gzip: invalid body: {e}") from None
            size += len(out)
            if max_bytes and size > max_bytes:
                raise HttpError(413, "Request Entity Too Large")
            chunks.append(out)
            data = inflater.unconsumed_tail
            if inflater.eof and inflater.unused_data:
                # concatenated gzip members (gzip -c a b): continue with a new inflater
                rest = inflater.unused_data
                inflater = zlib.decompressobj(wbits=31)
                data = rest
    if inflater is not None and raw_seen and not inflater.eof:
        raise HttpError(400, "gzip: unexpected EOF")
    return b"".join(chunks)
