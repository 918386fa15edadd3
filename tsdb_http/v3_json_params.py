"""A ``params`` document read as InfluxDB 3's /query reads it, failing with serde_json's words.

InfluxDB 3 (``iox_v1_query_api`` handler.rs) decodes ``params`` with
``serde_json::from_str::<StatementParams>``: a map of names to values, each value read as a
``serde_json::Value`` and then refused when it is a list or an object (``iox_query_params``
params.rs). This is serde_json 1.0.149's reader for that one type (``src/de.rs``
deserialize_map / deserialize_any / MapAccess / SeqAccess / peek_invalid_type, ``src/read.rs``
SliceRead, ``src/error.rs``), with the raw_value feature and without float_roundtrip and
arbitrary_precision, as influxdb3 builds it (features unify across its crates: sqlx-postgres,
reached through data_types, asks for raw_value). Errors are its ErrorCode words followed by `` at line L column C``: the
1-based line and the bytes since the last newline at the reader's index (``error``) or one
past it (``peek_error``); a positionless error (a wrong type, a list or object value) takes
the reader's index after the map's closing brace was read.
"""
from __future__ import annotations

from .v3_floats import shortest_text

# serde_json src/error.rs, impl Display for ErrorCode
EOF_LIST = "EOF while parsing a list"
EOF_OBJECT = "EOF while parsing an object"
EOF_STRING = "EOF while parsing a string"
EOF_VALUE = "EOF while parsing a value"
EXPECTED_COLON = "expected `:`"
EXPECTED_LIST_COMMA_OR_END = "expected `,` or `]`"
EXPECTED_OBJECT_COMMA_OR_END = "expected `,` or `}`"
EXPECTED_IDENT = "expected ident"
EXPECTED_VALUE = "expected value"
INVALID_ESCAPE = "invalid escape"
INVALID_NUMBER = "invalid number"
NUMBER_OUT_OF_RANGE = "number out of range"
CONTROL_CHARACTER = "control character (\\u0000-\\u001F) found while parsing a string"
KEY_MUST_BE_A_STRING = "key must be a string"
LONE_LEADING_SURROGATE = "lone leading surrogate in hex escape"
TRAILING_COMMA = "trailing comma"
TRAILING_CHARACTERS = "trailing characters"
UNEXPECTED_END_OF_HEX_ESCAPE = "unexpected end of hex escape"
RECURSION_LIMIT = "recursion limit exceeded"
# iox_query_params src/params.rs TryFrom<serde_json::Value> for StatementParam
ARRAYS = "JSON arrays are not supported as query parameters. Expected null, boolean, number, or string."
OBJECTS = "JSON objects are not supported as query parameters. Expected null, boolean, number, or string"
# serde_json src/raw.rs TOKEN: with the raw_value feature (which influxdb3's build has: sqlx-postgres
# asks for it), a Value's map whose first key is this holds a JSON text in a string (value/de.rs)
RAW_VALUE_TOKEN = "$serde_json::private::RawValue"

_WS = b" \n\t\r"
_DIGITS = b"0123456789"
_POW10 = [float(f"1e{i}") for i in range(309)]
_U64_MAX = 2 ** 64 - 1
_ESCAPES = {ord('"'): '"', ord("\\"): "\\", ord("/"): "/", ord("b"): "\b", ord("f"): "\f",
            ord("n"): "\n", ord("r"): "\r", ord("t"): "\t"}


class SerdeJsonError(ValueError):
    """serde_json's error as its Display writes it."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class _Positionless(Exception):
    """A serde ``custom`` error (no line yet): positioned where serde_json fixes it."""


def decode(text: str) -> dict:
    """The ``params`` map, or SerdeJsonError with serde_json's message."""
    reader = _Reader(text.encode("utf-8", "surrogatepass"))
    value = reader.top_level_map()
    if reader.ws() is not None:
        raise reader.peek_error(TRAILING_CHARACTERS)
    return value


def decode_precision(text: str) -> str:
    """``serde_json::from_str::<Precision>`` (iox_v1_query_api types.rs; a multipart ``epoch``):
    the Precision's name (``"ms"``, or the map form ``{"ms": null}``), or SerdeJsonError."""
    from .params import V3_EPOCHS

    reader = _Reader(text.encode("utf-8", "surrogatepass"))
    b = reader.ws()
    if b is None:
        raise reader.peek_error(EOF_VALUE)
    if b not in (ord('"'), ord("{")):
        raise reader.peek_error(EXPECTED_VALUE)
    if b == ord("{"):
        reader.enter()
        reader.i += 1
        reader.ws()
    name = reader.identifier(V3_EPOCHS)
    if b == ord("{"):
        reader.unit_after_colon()
    if reader.ws() is not None:
        raise reader.peek_error(TRAILING_CHARACTERS)
    return "µ" if name == "µ" else name


class _Reader:
    def __init__(self, data: bytes):
        self.data, self.i, self.depth = data, 0, 128

    # -- positions (read.rs SliceRead position_of_index) -------------------------------------
    def _at(self, index: int, code: str) -> SerdeJsonError:
        start = self.data.rfind(b"\n", 0, index) + 1
        line = self.data.count(b"\n", 0, start) + 1
        return SerdeJsonError(f"{code} at line {line} column {index - start}")

    def error(self, code: str) -> SerdeJsonError:
        return self._at(self.i, code)

    def peek_error(self, code: str) -> SerdeJsonError:
        return self._at(min(len(self.data), self.i + 1), code)

    def peek(self) -> int | None:
        return self.data[self.i] if self.i < len(self.data) else None

    def next(self) -> int | None:
        b = self.peek()
        self.i += b is not None
        return b

    def ws(self) -> int | None:
        while (b := self.peek()) is not None and b in _WS:
            self.i += 1
        return b

    def ident(self, rest: bytes) -> None:
        for expected in rest:
            b = self.next()
            if b is None:
                raise self.error(EOF_VALUE)
            if b != expected:
                raise self.error(EXPECTED_IDENT)

    # -- the top level: HashMap<String, StatementParam> (deserialize_map) -------------------
    def top_level_map(self) -> dict:
        b = self.ws()
        if b is None:
            raise self.peek_error(EOF_VALUE)
        if b != ord("{"):
            raise self.error(self.invalid_type("a map"))
        self.enter()
        self.i += 1
        try:
            value = self.entries(params=True)
        except _Positionless as e:
            try:
                self.end_map()
            except SerdeJsonError:
                pass
            raise self.error(str(e)) from None
        self.end_map()
        self.depth += 1
        return value

    def opening(self, char: str, what: str) -> None:
        """Step over the byte a value of type ``what`` must start with (serde_json's deserialize_*
        prologue): end of input and any other byte fail as serde_json words them."""
        b = self.ws()
        if b is None:
            raise self.peek_error(EOF_VALUE)
        if b != ord(char):
            raise self.error(self.invalid_type(what))
        self.i += 1

    def identifier(self, variants: tuple[str, ...]) -> str:
        """deserialize_identifier of a derived enum: a string naming a variant (deserialize_str)."""
        self.opening('"', "variant identifier")
        name = self.string()
        if name not in variants:
            listed = ", ".join(f"`{v}`" for v in variants)
            raise self.error(f"unknown variant `{name}`, expected one of {listed}")
        return name

    def unit_after_colon(self) -> None:
        """The map form's ``: null }`` (parse_object_colon, deserialize_unit, then the brace)."""
        b = self.ws()
        if b != ord(":"):
            raise self.peek_error(EOF_OBJECT if b is None else EXPECTED_COLON)
        self.i += 1
        self.opening("n", "unit")
        self.ident(b"ull")
        self.depth += 1
        b = self.ws()
        if b != ord("}"):
            raise self.error(EOF_OBJECT if b is None else EXPECTED_VALUE)
        self.i += 1

    def enter(self) -> None:
        self.depth -= 1
        if self.depth == 0:
            raise self.peek_error(RECURSION_LIMIT)

    def invalid_type(self, expected: str) -> str:
        """peek_invalid_type: the unexpected value read whole, worded as serde's Unexpected."""
        b = self.peek()
        if b == ord("n"):
            self.i += 1
            self.ident(b"ull")
            what = "null"
        elif b in (ord("t"), ord("f")):
            self.i += 1
            self.ident(b"rue" if b == ord("t") else b"alse")
            what = f"boolean `{'true' if b == ord('t') else 'false'}`"
        elif b == ord("-") or (b is not None and b in _DIGITS):
            self.i += b == ord("-")
            n = self.number(b != ord("-"))
            what = f"floating point `{shortest_text(n)}`" if isinstance(n, float) else f"integer `{n}`"
        elif b == ord('"'):
            self.i += 1
            what = f"string {rust_debug(self.string())}"
        elif b in (ord("["), ord("{")):
            what = "sequence" if b == ord("[") else "map"
        else:
            raise self.peek_error(EXPECTED_VALUE)
        return f"invalid type: {what}, expected {expected}"

    # -- Value (deserialize_any) ------------------------------------------------------------
    def value(self) -> object:
        b = self.ws()
        if b is None:
            raise self.peek_error(EOF_VALUE)
        if b == ord("n"):
            self.i += 1
            self.ident(b"ull")
            return None
        if b in (ord("t"), ord("f")):
            self.i += 1
            self.ident(b"rue" if b == ord("t") else b"alse")
            return b == ord("t")
        if b == ord("-"):
            self.i += 1
            return self.number(False)
        if b in _DIGITS:
            return self.number(True)
        if b == ord('"'):
            self.i += 1
            return self.string()
        if b == ord("["):
            self.enter()
            self.i += 1
            out = self.elements()
            self.end_seq()
            self.depth += 1
            return out
        if b == ord("{"):
            self.enter()
            self.i += 1
            value = self.entries(params=False)
            self.depth += 1
            self.end_map()
            return value
        raise self.peek_error(EXPECTED_VALUE)

    def next_item(self, close: int, eof: str, comma: str, first: bool) -> int | None:
        """The byte that starts the next element of a sequence or map, None at its ``close``
        (serde_json's has_next_element / has_next_key, with their errors)."""
        b = self.ws()
        if b is None:
            raise self.peek_error(eof)
        if b == close:
            return None
        if not first:
            if b != ord(","):
                raise self.peek_error(comma)
            self.i += 1
            b = self.ws()
            if b == close:
                raise self.peek_error(TRAILING_COMMA)
            if b is None:
                raise self.peek_error(EOF_VALUE)
        return b

    def elements(self) -> list:
        out: list = []
        while self.next_item(ord("]"), EOF_LIST, EXPECTED_LIST_COMMA_OR_END, not out) is not None:
            out.append(self.value())
        return out

    def entries(self, params: bool) -> object:
        """MapAccess: ``"key": value`` pairs; as StatementParams, a list or object value fails.
        A Value's map whose first key is RAW_VALUE_TOKEN is the value its string holds."""
        out: dict = {}
        first = True
        while True:
            b = self.next_item(ord("}"), EOF_OBJECT, EXPECTED_OBJECT_COMMA_OR_END, first)
            if b is None:
                return out
            if b != ord('"'):
                raise self.peek_error(KEY_MUST_BE_A_STRING)
            first = False
            self.i += 1
            key = self.string()
            b = self.ws()
            if b != ord(":"):
                raise self.peek_error(EOF_OBJECT if b is None else EXPECTED_COLON)
            self.i += 1
            if not params and not out and key == RAW_VALUE_TOKEN:
                return self.raw_value()
            value = self.value()
            if params and isinstance(value, (list, dict)):
                raise _Positionless(ARRAYS if isinstance(value, list) else OBJECTS)
            out[key] = value

    def raw_value(self) -> object:
        """value/de.rs visit_map, KeyClass::RawValue: the entry's value read as a string
        (deserialize_str into BoxedFromString), then ``from_str::<Value>`` of that string; its
        error, a custom one, keeps the string's own position (error.rs make_error)."""
        self.opening('"', "raw value")
        inner = _Reader(self.string().encode("utf-8", "surrogatepass"))
        value = inner.value()
        if inner.ws() is not None:
            raise inner.peek_error(TRAILING_CHARACTERS)
        return value

    def end_seq(self) -> None:
        self.ws()
        self.i += 1  # elements() returns only at "]"

    def end_map(self) -> None:
        b = self.ws()
        if b == ord("}"):
            self.i += 1
            return
        raise self.peek_error(EOF_OBJECT if b is None else TRAILING_COMMA if b == ord(",") else TRAILING_CHARACTERS)

    # -- strings (read.rs parse_str_bytes, parse_escape, parse_unicode_escape) --------------
    def string(self) -> str:
        data, parts = self.data, []
        start = self.i
        while True:
            j = self.i
            while j < len(data) and data[j] != 0x22 and data[j] != 0x5C and data[j] >= 0x20:
                j += 1
            self.i = j
            if j == len(data):
                raise self.error(EOF_STRING)
            parts.append(data[start:j].decode("utf-8", "surrogatepass"))
            self.i += 1
            if data[j] == 0x22:
                return "".join(parts)
            if data[j] != 0x5C:
                raise self.error(CONTROL_CHARACTER)
            parts.append(self.escape())
            start = self.i

    def escape(self) -> str:
        b = self.next()
        if b is None:
            raise self.error(EOF_STRING)
        if b in _ESCAPES:
            return _ESCAPES[b]
        if b != ord("u"):
            raise self.error(INVALID_ESCAPE)
        n = self.hex4()
        if 0xDC00 <= n <= 0xDFFF:
            raise self.error(LONE_LEADING_SURROGATE)
        if not 0xD800 <= n <= 0xDBFF:
            return chr(n)
        for expected in (ord("\\"), ord("u")):
            b = self.peek()
            if b is None:
                raise self.error(EOF_STRING)
            self.i += 1
            if b != expected:
                raise self.error(UNEXPECTED_END_OF_HEX_ESCAPE)
        n2 = self.hex4()
        if not 0xDC00 <= n2 <= 0xDFFF:
            raise self.error(LONE_LEADING_SURROGATE)
        return chr((((n - 0xD800) << 10) | (n2 - 0xDC00)) + 0x10000)

    def hex4(self) -> int:
        if len(self.data) - self.i < 4:
            self.i = len(self.data)
            raise self.error(EOF_STRING)
        digits = self.data[self.i:self.i + 4]
        self.i += 4
        if not all(c in b"0123456789abcdefABCDEF" for c in digits):
            raise self.error(INVALID_ESCAPE)
        return int(digits, 16)

    # -- numbers (de.rs parse_integer ... f64_from_parts, without float_roundtrip) ----------
    def number(self, positive: bool) -> int | float:
        b = self.next()
        if b is None:
            raise self.error(EOF_VALUE)
        if b == ord("0"):
            if (p := self.peek()) is not None and p in _DIGITS:
                raise self.peek_error(INVALID_NUMBER)
            return self.after_digits(positive, 0)
        if b not in _DIGITS:
            raise self.error(INVALID_NUMBER)
        sig = b - 48
        while (p := self.peek()) is not None and p in _DIGITS:
            if sig * 10 + (p - 48) > _U64_MAX:
                return self.long_integer(positive, sig)
            self.i += 1
            sig = sig * 10 + (p - 48)
        return self.after_digits(positive, sig)

    def after_digits(self, positive: bool, sig: int) -> int | float:
        p = self.peek()
        if p == ord("."):
            return self.decimal(positive, sig, 0)
        if p in (ord("e"), ord("E")):
            return self.exponent(positive, sig, 0)
        if positive:
            return sig
        return -float(sig) if sig == 0 or sig > 2 ** 63 else -sig

    def long_integer(self, positive: bool, sig: int) -> float:
        exp = 0
        while (p := self.peek()) is not None and p in _DIGITS:
            self.i += 1
            exp += 1
        if p == ord("."):
            return self.decimal(positive, sig, exp)
        if p in (ord("e"), ord("E")):
            return self.exponent(positive, sig, exp)
        return self.from_parts(positive, sig, exp)

    def decimal(self, positive: bool, sig: int, exp_before: int) -> float:
        self.i += 1
        after = 0
        while (p := self.peek()) is not None and p in _DIGITS:
            if sig * 10 + (p - 48) > _U64_MAX:  # parse_decimal_overflow: the other digits are dropped
                while (p := self.peek()) is not None and p in _DIGITS:
                    self.i += 1
                break
            self.i += 1
            sig = sig * 10 + (p - 48)
            after -= 1
        else:
            if after == 0:
                raise self.peek_error(INVALID_NUMBER if p is not None else EOF_VALUE)
        if self.peek() in (ord("e"), ord("E")):
            return self.exponent(positive, sig, exp_before + after)
        return self.from_parts(positive, sig, exp_before + after)

    def exponent(self, positive: bool, sig: int, start_exp: int) -> float:
        self.i += 1
        positive_exp = True
        if (p := self.peek()) in (ord("+"), ord("-")):
            self.i += 1
            positive_exp = p == ord("+")
        b = self.next()
        if b is None:
            raise self.error(EOF_VALUE)
        if b not in _DIGITS:
            raise self.error(INVALID_NUMBER)
        exp = b - 48
        while (p := self.peek()) is not None and p in _DIGITS:
            self.i += 1
            if exp * 10 + (p - 48) > 2 ** 31 - 1:  # parse_exponent_overflow
                if sig != 0 and positive_exp:
                    raise self.error(NUMBER_OUT_OF_RANGE)
                while (p := self.peek()) is not None and p in _DIGITS:
                    self.i += 1
                return 0.0 if positive else -0.0
            exp = exp * 10 + (p - 48)
        final = start_exp + exp if positive_exp else start_exp - exp
        return self.from_parts(positive, sig, max(-2 ** 31, min(2 ** 31 - 1, final)))

    def from_parts(self, positive: bool, sig: int, exponent: int) -> float:
        f = float(sig)
        while True:
            if abs(exponent) < len(_POW10):
                if exponent >= 0:
                    f *= _POW10[exponent]
                    if f == float("inf"):
                        raise self.error(NUMBER_OUT_OF_RANGE)
                else:
                    f /= _POW10[-exponent]
                break
            if f == 0.0:
                break
            if exponent >= 0:
                raise self.error(NUMBER_OUT_OF_RANGE)
            f /= 1e308
            exponent += 308
        return f if positive else -f


def rust_debug(s: str) -> str:
    """A string as Rust's ``{:?}`` writes it (serde's ``string "..."``), for printable text and
    the usual escapes; other control characters as ``\\u{..}``."""
    out = ['"']
    for ch in s:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ch in "\t\r\n\0":
            out.append({"\t": "\\t", "\r": "\\r", "\n": "\\n", "\0": "\\0"}[ch])
        elif ord(ch) < 0x20 or ord(ch) == 0x7F or 0x80 <= ord(ch) < 0xA0:
            out.append(f"\\u{{{ord(ch):x}}}")
        else:
            out.append(ch)
    return "".join(out) + '"'
