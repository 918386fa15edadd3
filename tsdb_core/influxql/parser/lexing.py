"""Token-level helpers shared by the printer and the parser.

InfluxQL's quoting and number rules live here once (durations and times: :mod:`tsdb_core.base.time`), so that the text
the AST prints is exactly the text the grammar reads back.
"""
from __future__ import annotations

import re
from decimal import Decimal

# Keywords of influxql's token.go: a bare identifier may not be one of these.
KEYWORDS = frozenset("""
ALL ALTER ANALYZE ANY AS ASC BEGIN BY CARDINALITY CREATE CONTINUOUS DATABASE
DATABASES DEFAULT DELETE DESC DESTINATIONS DIAGNOSTICS DISTINCT DROP DURATION
END EVERY EXACT EXPLAIN FIELD FOR FROM GRANT GRANTS GROUP GROUPS IN INF INSERT
INTO KEY KEYS KILL LIMIT MEASUREMENT MEASUREMENTS NAME OFFSET ON ORDER PASSWORD
POLICY POLICIES PRIVILEGES QUERIES QUERY READ REPLICATION RESAMPLE RETENTION
REVOKE SELECT SERIES SET SHOW SHARD SHARDS SLIMIT SOFFSET STATS SUBSCRIPTION
SUBSCRIPTIONS TAG TO USER USERS VALUES WHERE WITH WRITE AND OR TRUE FALSE
""".split())

_BARE_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


def ident_needs_quotes(name: str) -> bool:
    """True when ``name`` cannot be written bare (keyword or non-identifier characters)."""
    return not _BARE_IDENT.match(name) or name.upper() in KEYWORDS


def quote_ident(name: str) -> str:
    """One identifier segment, double-quoted only when needed (influxql QuoteIdent)."""
    if name and not ident_needs_quotes(name):
        return name
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def quote_string(s: str) -> str:
    """A single-quoted string literal with InfluxQL's escapes (influxql QuoteString)."""
    return "'" + s.replace("\\", "\\\\").replace("'", "\\'").replace("\n", "\\n") + "'"


def quote_regex(pattern: str) -> str:
    """A ``/.../`` regex literal; slashes are the only escape the lexer undoes."""
    return "/" + pattern.replace("/", "\\/") + "/"


def format_float(v: float) -> str:
    """Exact, re-parseable float text: fixed notation, always with a fraction digit.

    influxql prints 3 decimals and so loses precision; we print the shortest text
    that reads back to the same float (the scanner has no exponent syntax).
    """
    r = repr(float(v))
    if "e" in r or "E" in r:
        r = format(Decimal(r), "f")
    if "." not in r:
        r += ".0"
    return r


_ESCAPES = {"n": "\n", "\\": "\\", '"': '"', "'": "'"}


def unescape(body: str) -> tuple[str, int]:
    """Undo InfluxQL string/identifier escapes (``\\n \\\\ \\" \\'``).

    Returns (text, -1), or (partial, i) where ``body[i]`` starts a bad escape.
    """
    if "\\" not in body:
        return body, -1
    out = []
    i, n = 0, len(body)
    while i < n:
        c = body[i]
        if c == "\\":
            nxt = body[i + 1] if i + 1 < n else ""
            rep = _ESCAPES.get(nxt)
            if rep is None:
                return "".join(out), i
            out.append(rep)
            i += 2
        else:
            out.append(c)
            i += 1
    return "".join(out), -1


def unescape_regex(body: str) -> str:
    """Regex literal body: only ``\\/`` is an escape; other backslashes pass through."""
    return body.replace("\\/", "/") if "\\/" in body else body
