"""Request bodies and headers as InfluxDB 3's /query reads them: URL-encoded pairs, MIME types,
multipart forms.

Ported for their answers and error words, from the crate versions influxdata/influxdb's
Cargo.lock pins: ``form_urlencoded`` 1.2.2 (``parse``: pairs split on ``&``, the name ending at
the first ``=``, ``+`` a space, percent-decoding, then UTF-8 with replacement characters);
``mime`` 0.3.17 (``src/parse.rs`` parse, its ParseError words; a Mime displays its text with
the type, subtype, parameter names and a charset's value lowercased); ``multer`` 3.1.0
(``src/multipart.rs`` poll_next_field, ``src/buffer.rs`` read_field_data, ``src/constants.rs``
ContentDispositionAttr::extract_from, ``src/error.rs``), given the whole body at once as
iox_v1_query_api's handler.rs gives it.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import unquote_to_bytes


def form_pairs(raw: bytes) -> list[tuple[str, str]]:
    """form_urlencoded::parse: (name, value) pairs in order, empty pieces skipped."""
    out = []
    for piece in raw.split(b"&"):
        if piece:
            name, _, value = piece.partition(b"=")
            out.append((_decode(name), _decode(value)))
    return out


def _decode(b: bytes) -> str:
    return unquote_to_bytes(b.replace(b"+", b" ")).decode("utf-8", "replace")


# -- mime 0.3.17 ----------------------------------------------------------------------------

MISSING_SLASH = "a slash (/) was missing between the type and subtype"
MISSING_EQUAL = "an equals sign (=) was missing between a parameter and its value"
MISSING_QUOTE = 'a quote (") was missing from a parameter value'
_TOKEN = frozenset(b"!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")


class MimeError(ValueError):
    """``mime::FromStrError`` as it displays: ``mime parse error: <ParseError>``."""


def _invalid(pos: int, byte: int) -> MimeError:
    return MimeError(f"mime parse error: an invalid token was encountered, {byte:X} at position {pos}")


@dataclass(frozen=True, slots=True)
class Mime:
    """A media type as the ``mime`` crate parses it (type, subtype, parameters in order)."""

    text: str  # what the Mime displays
    type_: str
    subtype: str
    params: tuple[tuple[str, str], ...]

    def param(self, name: str) -> str | None:
        """The first parameter called ``name`` (``charset``), if any."""
        return next((v for k, v in self.params if k == name), None)


def parse_mime(s: str) -> Mime:
    """mime::Mime::from_str, or MimeError."""
    if s == "*/*":
        return Mime("*/*", "*", "*", ())
    data = s.encode()
    i, slash = 0, None
    while slash is None:
        if i == len(data):
            raise MimeError(f"mime parse error: {MISSING_SLASH}")
        c = data[i]
        if c == ord("/") and i > 0:
            slash = i
        elif c not in _TOKEN:
            raise _invalid(i, c)
        i += 1
    start, plus, semicolon = slash + 1, None, None
    while semicolon is None and i < len(data):
        c = data[i]
        if c == ord("+") and i > start:
            plus = i
        elif c == ord(";") and i > start:
            semicolon = i
        elif c not in _TOKEN:
            raise _invalid(i, c)
        i += 1
    end = plus or semicolon or len(data)
    if semicolon is None:
        low = s.lower()
        return Mime(low, low[:slash], low[slash + 1:end], ())
    params = _params(data, semicolon)
    text = _display(s, semicolon, params) if params else s[:semicolon].lower()
    raw = text.encode()
    values = tuple((raw[a:b].decode(), raw[c:d].decode()) for (a, b), (c, d) in params)
    essence = s[:semicolon].lower()
    return Mime(text, essence[:slash], essence[slash + 1:end], values)


def _params(data: bytes, semicolon: int) -> list:
    """params_from_str: [((name start, end), (value start, end))]."""
    out: list = []
    n, i = len(data), semicolon + 1
    start = i
    while start < n:
        name = None
        while name is None:  # 'name
            if i == n:
                raise MimeError(f"mime parse error: {MISSING_EQUAL}")
            c, i = data[i], i + 1
            if c == ord(" ") and i - 1 == start:
                start = i
                break
            if c == ord("=") and i - 1 > start:
                name, start = (start, i - 1), i
            elif c not in _TOKEN:
                raise _invalid(i - 1, c)
        if name is None:
            continue
        (value, start, i) = _value(data, start, i)
        out.append((name, value))
    return out


def _value(data: bytes, start: int, i: int) -> tuple[tuple[int, int], int, int]:
    """A parameter's value, where the next parameter starts, the reader's index."""
    n, quoted = len(data), False
    while True:  # 'value
        if i == n:
            if quoted:
                raise MimeError(f"mime parse error: {MISSING_QUOTE}")
            return (start, n), n, i
        c, i = data[i], i + 1
        if quoted:
            if c == ord('"') and i - 1 > start:
                break
            if not (c > 31 and c != 127):
                raise _invalid(i - 1, c)
        elif c == ord('"') and i - 1 == start:
            quoted, start = True, i
        elif c == ord(";") and i - 1 > start:
            return (start, i - 1), i, i
        elif c not in _TOKEN:
            raise _invalid(i - 1, c)
    value = (start, i - 1)
    while i < n:  # 'ws after a quoted value
        c, i = data[i], i + 1
        if c == ord(";"):
            return value, i, i
        if c != ord(" "):
            raise _invalid(i - 1, c)
    return value, n, i


def _display(s: str, semicolon: int, params: list) -> str:
    """The text a parsed Mime displays (mime's lower_ascii_with_params: ASCII lowercased, at
    byte offsets: a quoted value may hold other UTF-8)."""
    data = bytearray(s.encode())
    data[:semicolon] = data[:semicolon].lower()
    for (a, b), (c, d) in params:
        data[a:b] = data[a:b].lower()
        if data[a:b] == b"charset":
            data[c:d] = data[c:d].lower()
    return data.decode()


# -- multer 3.1.0 ---------------------------------------------------------------------------

INCOMPLETE_STREAM = "incomplete multipart stream"
READ_HEADERS_FAILED = "failed to read headers"
_TCHAR = _TOKEN
_MAX_HEADERS = 32


class MultipartError(ValueError):
    """multer's error as it displays."""


def multipart_fields(body: bytes, boundary: str) -> Iterator[tuple[str, bytes]]:
    """(name, data) of each part with a name, in order, each read as it is asked for (the
    handler checks a part's UTF-8 before it asks multer for the next); MultipartError as
    multer words it."""
    dash = b"--" + boundary.encode()
    at = body.find(dash)
    if at < 0:
        raise MultipartError(INCOMPLETE_STREAM)
    buf = body[at:]
    while True:
        if len(buf) < len(dash) or buf[:len(dash)] != dash:
            raise MultipartError(INCOMPLETE_STREAM)
        buf = buf[len(dash):]
        if len(buf) < 2:
            raise MultipartError(INCOMPLETE_STREAM)
        if buf[:2] == b"--":
            return
        buf = buf.lstrip(b" \t")
        if len(buf) < 2 or buf[:2] != b"\r\n":
            raise MultipartError(INCOMPLETE_STREAM)
        end = buf.find(b"\r\n\r\n", 2)
        if end < 0:
            raise MultipartError(INCOMPLETE_STREAM)
        name = _field_name(_headers(buf[2:end + 4]))
        buf = buf[end + 4:]
        stop = buf.find(b"\r\n" + dash)
        if stop < 0:
            shown = name if name is not None else "<unknown>"
            raise MultipartError(f"field {_rust_debug(shown)} received with incomplete data")
        if name is not None:
            yield name, buf[:stop]
        buf = buf[stop + 2:]


_HEADER = re.compile(rb"([!#$%&'*+\-.^_`|~0-9A-Za-z]+):[ \t]*([\t\x20-\x7e\x80-\xff]*?)[ \t]*\r?\n")


def _headers(block: bytes) -> dict[str, bytes]:
    """httparse::parse_headers of a header block ending in an empty line (the last of a name wins)."""
    out: dict[str, bytes] = {}
    i = 0
    while not block.startswith(b"\r\n", i) and not block.startswith(b"\n", i):
        m = _HEADER.match(block, i)
        if m is None or len(out) >= _MAX_HEADERS:
            raise MultipartError(READ_HEADERS_FAILED)
        out[m.group(1).decode().lower()] = m.group(2)
        i = m.end()
    return out


def _field_name(headers: dict[str, bytes]) -> str | None:
    """ContentDispositionAttr::Name.extract_from the Content-Disposition header."""
    header = headers.get("content-disposition")
    while header is not None:
        i = header.find(b"name")
        if i < 0:
            return None
        rest = header[i + 4:]
        if i > 0 and not (header[i - 1:i].isspace() or header[i - 1] == ord(";")):
            header = rest
            continue
        rest = rest.lstrip()
        if not rest.startswith(b"="):
            return None
        rest = rest[1:].lstrip()
        if rest.startswith(b'"'):
            rest = rest[1:]
            k = rest.find(b'"')
            escaped = False
            while k > 0 and rest[k - 1] == ord("\\"):
                escaped = True
                nxt = rest.find(b'"', k + 1)
                if nxt < 0:
                    return None
                k = nxt
            if k < 0:
                return None
            raw = rest[:k]
        else:
            raw, escaped = re.split(rb"[; ]", rest, maxsplit=1)[0], False
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            return None
        return text.replace('\\"', '"') if escaped else text
    return None


def _rust_debug(s: str) -> str:
    from .v3_json_params import rust_debug

    return rust_debug(s)


def utf8_error(data: bytes) -> str | None:
    """Rust's Utf8Error for ``data`` (``invalid utf-8 sequence of N bytes from index I`` /
    ``incomplete utf-8 byte sequence from index I``), None when it is UTF-8."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as e:
        if e.end >= len(data) and e.reason == "unexpected end of data":
            return f"incomplete utf-8 byte sequence from index {e.start}"
        return f"invalid utf-8 sequence of {e.end - e.start} bytes from index {e.start}"
    return None
