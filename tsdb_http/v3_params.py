"""A /query request's values and format as InfluxDB 3 reads them (the influxdb3 dialect).

From ``iox_v1_query_api`` (``src/lib.rs`` QueryParams, ``src/error.rs``, ``src/handler.rs``
extract_request / execute_query; influxdata/influxdb at d7834110, ``core/iox_v1_query_api``):

- The URL is decoded by serde_urlencoded into QueryParams, pair by pair in order: a known name
  given twice is ``duplicate field `q```, ``chunked``/``pretty`` must be ``true``/``false``,
  ``chunk_size`` an unsigned integer, ``epoch`` one of the Precision names (an empty value too);
  a failure is ``error decoding params from url: ...`` (400). No query string at all is
  ``missing query parameters 'db' and 'q'``.
- A POST body is read by its Content-Type (parsed by the ``mime`` crate: ``invalid mime type
  (...)``): none or ``application/vnd.influxql``: the body is ``q`` unless the URL has a
  non-empty one; ``application/x-www-form-urlencoded``: the body's values over the URL's (a
  URL that fails to decode is dropped whole); ``multipart/form-data``: the parts over the body
  read as URL-encoded over the URL, parts' ``chunked``/``chunk_size``/``pretty`` trimmed and
  parsed (``error reading field from body: chunked -- ...``) and ``epoch`` read as JSON.
- QueryFormat::from_bytes compares the Accept header whole: absent, ``application/json`` or
  ``*/*`` is JSON, ``application/csv`` or ``text/csv`` CSV (sent as ``application/csv``),
  ``application/x-msgpack`` msgpack; anything else: ``invalid mime type (<header>)`` (400).
- Then a missing ``q`` is ``expected a query to be provided in the query string or body``, a
  ``params`` that serde_json cannot read ``error decoding query body: ...`` (v3_json_params); a
  ``q`` without statements (empty, blanks, ``;``, comments) is answered 200 with an empty body.
- influxdb3_server renders a failed request as ``serde_json::to_vec(&V1ErrorResponse { error })``:
  ``{"error":"..."}``, no line ending, and no Content-Type header.
"""
from __future__ import annotations

from collections.abc import Mapping

from starlette.requests import Request

from . import v3_forms, v3_json_params
from .formats import CSV, JSON, MSGPACK, v3_json
from .params import DEFAULT_CHUNK_SIZE, V3_EPOCHS, HttpError, QueryParams, read_body

CSV_TYPE = "application/csv"
_KINDS = {"application/json": (JSON, JSON), "*/*": (JSON, JSON), "application/csv": (CSV, CSV_TYPE),
          "text/csv": (CSV, CSV_TYPE), "application/x-msgpack": (MSGPACK, MSGPACK)}
FIELDS = ("chunked", "chunk_size", "db", "rp", "epoch", "pretty", "q", "params")  # QueryParams, serde names

URL_ERROR = "error decoding params from url: "  # Error::SerdeUrlDecoding
BODY_ERROR = "error decoding query body: "  # Error::SerdeJson
NO_URL = "missing query parameters 'db' and 'q'"  # Error::MissingQueryParams
NO_QUERY = "expected a query to be provided in the query string or body"
NO_BOUNDARY = "A boundary header is required for multipart upload"
BAD_BODY = "Error retrieving query from request body"
_BOOL = "provided string was not `true` or `false`"  # Rust's ParseBoolError
_VARIANTS = ", ".join(f"`{e}`" for e in V3_EPOCHS)


def negotiate(accept: str | None) -> tuple[str, str]:
    """(encoder kind, Content-Type) of an Accept header, or HttpError 400."""
    if accept is None:
        return JSON, JSON
    kind = _KINDS.get(accept)
    if kind is None:
        raise HttpError(400, f"invalid mime type ({accept})")
    return kind


def _usize_error(text: str) -> str | None:
    """Rust's ParseIntError for a usize (a leading ``+`` is allowed), None when it parses.
    core::num from_str_radix: up to 16 digits cannot overflow (only the digits are checked);
    longer, digit by digit, so an overflow before a bad character is the overflow."""
    digits = text.removeprefix("+")
    if not text:
        return "cannot parse integer from empty string"
    if not (digits and digits.isascii() and digits.isdigit()) and len(digits) <= 16:
        return "invalid digit found in string"
    value = 0
    for c in digits:
        if not ("0" <= c <= "9"):
            return "invalid digit found in string"
        value = value * 10 + ord(c) - 48
        if value >= 2 ** 64:
            return "number too large to fit in target type"
    return None


def _value_error(name: str, value: str) -> str | None:
    """serde's refusal of one URL-encoded value of QueryParams, None when it reads."""
    if name in ("chunked", "pretty"):
        return None if value in ("true", "false") else _BOOL
    if name == "chunk_size":
        return _usize_error(value)
    if name == "epoch" and value not in V3_EPOCHS:
        return f"unknown variant `{value}`, expected one of {_VARIANTS}"
    return None


def decode_urlencoded(raw: bytes) -> dict[str, str]:
    """serde_urlencoded::from_bytes::<QueryParams>: the known values, or HttpError 400."""
    out: dict[str, str] = {}
    for name, value in v3_forms.form_pairs(raw):
        if name not in FIELDS:
            continue
        if name in out:
            raise HttpError(400, f"{URL_ERROR}duplicate field `{name}`")
        if (problem := _value_error(name, value)) is not None:
            raise HttpError(400, URL_ERROR + problem)
        out[name] = value
    return out


def from_url(query_string: bytes, bare: bool = False) -> dict[str, str]:
    """QueryParams::from_request_query_string (no query string: 400). v3 reads ``/query?`` as an
    empty query string (then "expected a query ..." for a GET, the body for an InfluxQL POST).
    ASGI drops a bare ``?``: ``bare`` says the target had one, which only the default (uvicorn)
    protocol can tell (:func:`bare_query`); under Hypercorn ``/query?`` is read as ``/query``."""
    if not query_string and not bare:
        raise HttpError(400, NO_URL)
    return decode_urlencoded(query_string)


BARE_QUERY = "tsdb.bare_query"  # a scope extension: the request target ended its path with "?"


def bare_query(scope) -> bool:
    """The request's target had a ``?`` and nothing after it (the protocol marks the scope)."""
    return not scope["query_string"] and BARE_QUERY in scope.get("extensions", ())


def _lenient_url(query_string: bytes) -> dict[str, str]:
    """``from_request_query_string(&req).unwrap_or_default()``: a URL that fails counts as none."""
    try:
        return from_url(query_string)
    except HttpError:
        return {}


async def from_post(request: Request, max_bytes: int) -> dict[str, str]:
    """extract_request for a POST: the values of the URL and the body, by Content-Type."""
    qs = request.scope["query_string"]
    raw = next((v for k, v in request.scope["headers"] if k == b"content-type"), None)
    if raw is None:
        return await _influxql_body(request, qs, max_bytes)
    if (problem := v3_forms.utf8_error(raw)) is not None:
        raise HttpError(400, f"Invalid UTF8: mime type {problem}")
    try:
        mime = v3_forms.parse_mime(raw.decode())
    except v3_forms.MimeError as e:
        raise HttpError(400, f"invalid mime type ({e})") from None
    if (mime.type_, mime.subtype) == ("application", "x-www-form-urlencoded"):
        body = await read_body(request, max_bytes, gzip_ok=False)
        return {**_lenient_url(qs), **decode_urlencoded(body)}
    if mime.type_ == "application" and mime.subtype == "vnd.influxql":
        return await _influxql_body(request, qs, max_bytes)
    if (mime.type_, mime.subtype) == ("multipart", "form-data"):
        return await _multipart(request, qs, mime.param("boundary"), max_bytes)
    raise HttpError(400, f"invalid mime type ({mime.text})")


async def _influxql_body(request: Request, qs: bytes, max_bytes: int) -> dict[str, str]:
    """The URL's values; the body is ``q`` unless the URL has a non-empty one."""
    values = from_url(qs, bare_query(request.scope))
    if not values.get("q"):
        body = await read_body(request, max_bytes, gzip_ok=False)
        try:
            values["q"] = body.decode("utf-8")
        except UnicodeDecodeError:
            raise HttpError(400, BAD_BODY) from None
    return values


async def _multipart(request: Request, qs: bytes, boundary: str | None, max_bytes: int) -> dict[str, str]:
    if boundary is None:
        raise HttpError(400, NO_BOUNDARY)
    body = await read_body(request, max_bytes, gzip_ok=False)
    lower = {**_lenient_url(qs), **decode_urlencoded(body)}
    return {**lower, **_multipart_values(multipart_form(body, boundary))}


def multipart_form(body: bytes, boundary: str) -> dict[str, str]:
    """handler.rs multipart_upload's loop: each named part read whole, then refused unless
    UTF-8, before multer is asked for the next; a repeated name keeps its last value."""
    fields: dict[str, str] = {}
    try:
        for name, data in v3_forms.multipart_fields(body, boundary):
            if (problem := v3_forms.utf8_error(data)) is not None:
                raise HttpError(400, f"Invalid UTF8: multipart field {problem}")
            fields[name] = data.decode("utf-8")
    except v3_forms.MultipartError as e:
        raise HttpError(400, f"error decoding multipart file upload: {e}") from None
    return fields


def _multipart_values(fields: Mapping[str, str]) -> dict[str, str]:
    """QueryParams::from_hashmap_multipart."""
    out: dict[str, str] = {}
    for name in ("chunked", "chunk_size", "epoch", "pretty"):
        if name not in fields:
            continue
        text = fields[name].strip()
        if name == "epoch":
            try:
                epoch = v3_json_params.decode_precision(text)
            except v3_json_params.SerdeJsonError as e:
                raise HttpError(400, BODY_ERROR + e.message) from None
            out[name] = epoch
            continue
        if (problem := _value_error(name, text)) is not None:
            raise HttpError(400, f"error reading field from body: {name} -- {problem}")
        out[name] = text.removeprefix("+") if name == "chunk_size" else text
    out.update({k: fields[k] for k in ("db", "rp", "q", "params") if k in fields})
    return out


def query_params(values: Mapping[str, str]) -> QueryParams:
    """execute_query's reading of the values: ``q`` required, ``params`` decoded by serde_json,
    an empty ``db`` none; ``chunk_size=0`` splits nothing (``NonZero::new(chunk_size)``)."""
    q = values.get("q")
    if q is None:
        raise HttpError(400, NO_QUERY)
    params = None
    if "params" in values:
        try:
            params = v3_json_params.decode(values["params"]) or None
        except v3_json_params.SerdeJsonError as e:
            raise HttpError(400, BODY_ERROR + e.message) from None
    chunked = values.get("chunked") == "true"
    size = int(values.get("chunk_size") or DEFAULT_CHUNK_SIZE) if "chunk_size" in values else DEFAULT_CHUNK_SIZE
    return QueryParams(q=q, db=values.get("db", ""), rp=values.get("rp", ""), epoch=values.get("epoch"),
                       chunked=chunked, chunk_size=size if size else 1 << 62, pretty=values.get("pretty") == "true",
                       params=params)


def error_body(message: str) -> bytes:
    """A failed request's body as influxdb3_server writes it."""
    return v3_json({"error": message})
