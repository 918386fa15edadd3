"""Bound parameters (``params=``) as InfluxDB 3 binds them (influxdb_influxql_parser
``parameter.rs`` replace_bind_params_with_values, called per statement by the planner).

v3 binds the whole ``params`` map to each statement in turn: a ``$name`` with no value, a
``null`` value, or (when any params are given) a name the statement does not use fails that
statement only; the others run. InfluxDB 1.x instead fails the request for a missing one
and ignores unused ones.
"""
from __future__ import annotations

import re

from .select_syntax import tokens
from .statements import pieces

_NAME = re.compile(r'\$(?:"((?:[^"\\]|\\.)*)"|([A-Za-z0-9_]+))')
UNDEFINED = "Bind parameter '${}' was referenced in the InfluxQL statement but its value is undefined."
NOT_FOUND = "Bind parameter '${}' was provided but not found in the InfluxQL statement"
NOT_SUPPORTED = "Parameter type '{}' is not supported by InfluxQL"
PLANNING = "datafusion error: Error during planning: "  # planner.rs error::params -> DataFusionError::Plan


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
