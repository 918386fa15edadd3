"""Bound parameters (``params=``) as InfluxDB 3 binds them (influxdb_influxql_parser
``parameter.rs`` replace_bind_params_with_values, called per statement by the planner).

v3 binds the whole ``params`` map to each statement in turn: a ``$name`` with no value, a
``null`` value, or (when any params are given) a name the statement does not use fails that
statement only; the others run. InfluxDB 1.x instead fails the request for a missing one
and ignores unused ones. A value that is a list or an object fails the whole request
before any statement is parsed: v3 decodes ``params`` into scalars (iox_query_params).
"""
from __future__ import annotations

import json
import math
import re

from ...base.errors import QueryError
from .select_syntax import tokens
from .statements import pieces

_NAME = re.compile(r'\$(?:"((?:[^"\\]|\\.)*)"|([A-Za-z0-9_]+))')
UNDEFINED = "Bind parameter '${}' was referenced in the InfluxQL statement but its value is undefined."
NOT_FOUND = "Bind parameter '${}' was provided but not found in the InfluxQL statement"
NOT_SUPPORTED = "Parameter type '{}' is not supported by InfluxQL"
PLANNING = "datafusion error: Error during planning: "  # planner.rs error::params -> DataFusionError::Plan
# iox_query_params/src/params.rs TryFrom<serde_json::Value> for StatementParam (the first
# message ends with a full stop, the second does not), through iox_v1_query_api error.rs
# Error::SerdeJson "error decoding query body: {0}" (a 400)
ARRAYS = "JSON arrays are not supported as query parameters. Expected null, boolean, number, or string."
OBJECTS = "JSON objects are not supported as query parameters. Expected null, boolean, number, or string"
DECODING = "error decoding query body: "
RAW_VALUE_TOKEN = "$serde_json::private::RawValue"  # serde_json src/raw.rs TOKEN


class UndecodableParams(QueryError):
    """``params`` v3 cannot decode: the whole request fails (a 400 over HTTP)."""


def value_error(params: dict | None) -> str | None:
    """v3's words for the first list or object among ``params``' values, or None."""
    for value in (params or {}).values():
        if isinstance(value, (list, tuple, dict)):
            return DECODING + (OBJECTS if isinstance(value, dict) else ARRAYS)
    return None


def decode_error(raw: str) -> str | None:
    """v3's words, with serde_json's line and column, for a ``params`` JSON object one of
    whose values is a list or an object; None for anything else (left to the caller)."""
    try:
        doc = _json(raw, _PLAIN)
    except (ValueError, _Unmodelled):
        return None
    if not isinstance(doc, dict):
        return None
    i = _skip(raw, raw.index("{") + 1)
    while raw.startswith('"', i):
        _, i = json.decoder.scanstring(raw, i + 1)
        try:
            value, i = _VALUES.raw_decode(raw, _skip(raw, _skip(raw, i) + 1))
        except _Unmodelled:
            return None
        if isinstance(value, (list, dict)):
            # serde_json: a positionless error; deserialize_map reads the map's end ("}"
            # consumed, "," not) and then takes the reader's own position (de.rs fix_position)
            end = _skip(raw, i)
            end += raw.startswith("}", end)
            return f"{DECODING}{OBJECTS if isinstance(value, dict) else ARRAYS} at {_position(raw, end)}"
        i = _skip(raw, _skip(raw, i) + 1)
    return None


class _Unmodelled(Exception):
    """JSON that Python reads and serde_json refuses in words of its own (NaN, 1e400, a
    surrogate escape, 128 levels, a raw-value map that is not one string)."""


def _json(text: str, decoder: json.JSONDecoder) -> object:
    """``decoder.decode(text)`` within serde_json's limits (de.rs: a recursion limit of 128)."""
    if _SURROGATE.search(text):
        raise _Unmodelled
    depth = deepest = 0
    for bracket in _BRACKETS.findall(_STRING.sub("", text)):
        depth += 1 if bracket in "[{" else -1
        deepest = max(deepest, depth)
    if deepest >= 128:
        raise _Unmodelled
    return decoder.decode(text)


def _raw_values(pairs: list[tuple[str, object]]) -> object:
    """serde_json's Value with the raw_value feature (influxdb3's build has it): a map whose
    first key is RAW_VALUE_TOKEN is the JSON text its one string value holds."""
    if not pairs or pairs[0][0] != RAW_VALUE_TOKEN:
        return dict(pairs)
    if len(pairs) != 1 or not isinstance(pairs[0][1], str):
        raise _Unmodelled
    try:
        return _json(pairs[0][1], _VALUES)
    except ValueError:
        raise _Unmodelled from None


def _finite(text: str) -> float:
    if math.isinf(value := float(text)):
        raise _Unmodelled  # serde_json: number out of range
    return value


def _refuse(text: str) -> object:
    raise _Unmodelled  # NaN, Infinity: not JSON to serde_json


_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
_BRACKETS = re.compile(r"[\[\]{}]")
_SURROGATE = re.compile(r"\\u[dD][89a-fA-F]")
_PLAIN = json.JSONDecoder(parse_float=_finite, parse_constant=_refuse)
_VALUES = json.JSONDecoder(parse_float=_finite, parse_constant=_refuse, object_pairs_hook=_raw_values)


def _skip(raw: str, i: int) -> int:
    while i < len(raw) and raw[i] in " \t\n\r":
        i += 1
    return i


def _position(raw: str, end: int) -> str:
    """serde_json read.rs position_of_index: the 1-based line and the bytes since the last
    newline, at the reader's index ``end``."""
    before = raw[:end].encode()
    lines, column = before.count(b"\n") + 1, len(before) - before.rfind(b"\n") - 1
    return f"line {lines} column {column}"


def referenced(text: str) -> list[list[str]]:
    """Each statement's ``$name``s in the order they appear (strings and comments skipped)."""
    out = []
    for piece in pieces(text):
        names = []
        for tok in tokens(text, piece):
            if tok.text == "$":
                m = _NAME.match(text, tok.start)
                if m is not None:
                    names.append(m.group(2) if m.group(2) is not None else m.group(1).replace('\\"', '"'))
        out.append(names)
    return out


def bind(text: str, params: dict | None) -> tuple[dict, list[str | None]]:
    """(the values to parse ``text`` with, each statement's v3 error or None). A statement
    that fails gets a placeholder for its missing names, so that the others still parse."""
    given = dict(params or {})
    used = referenced(text)
    values = {k: v for k, v in given.items() if v is not None}
    errors: list[str | None] = []
    for names in used:
        errors.append(_statement_error(names, given))
        for name in names:
            values.setdefault(name, "")
    return values, errors


def _statement_error(names: list[str], given: dict) -> str | None:
    for name in names:
        if name not in given:
            return PLANNING + UNDEFINED.format(name)
        if given[name] is None:
            return PLANNING + NOT_SUPPORTED.format("NULL")
    for name in given:
        if name not in names:
            return PLANNING + NOT_FOUND.format(name)
    return None
