"""influxql-shaped parse errors: ``found X, expected A, B at line L, char C``.

Lark reports the set of terminals its LALR state accepts; influxql's
hand-written parser reports the one thing it was looking for after skipping
optional clauses. ``expected_names`` bridges the two: it drops operators and
optional-clause keywords, then prints the known keyword groups in influxql's
own order.
"""
from __future__ import annotations

from .lalr import Tok as Token

from ...base.errors import ParseError

# Terminals that only continue what came before (never "the thing expected").
_CONTINUATIONS = frozenset("""
EQ NEQ LT LTE GT GTE EQREGEX NEQREGEX PLUS MINUS BITOR BITXOR STAR DIV MOD BITAND
AND OR COMMA DOT COLON CAST _AS
""".split())

# Keywords that open optional clauses: influxql tries them silently.
_OPTIONAL = frozenset("""
_INTO _WHERE _GROUP FILL _ORDER LIMIT OFFSET SLIMIT SOFFSET TZ _ON EXACT ANALYZE
_PRIVILEGES DEFAULT SHARD_KW _WITH RESAMPLE _RESAMPLE
""".split())

_OPERAND = frozenset(("IDENT", "STRING", "INTEGER"))
_SIGNABLE = frozenset(("INTEGER", "NUMBER", "DURATIONVAL", "LPAR", "IDENT"))

_DISPLAY = {
    "IDENT": "identifier", "FUNC_NAME": "identifier", "STRING": "string", "INTEGER": "integer",
    "NUMBER": "number", "DURATIONVAL": "duration", "REGEX": "regex", "BOUNDPARAM": "bound parameter",
    "LPAR": "(", "RPAR": ")", "COMMA": ",", "_SEMI": ";", "DOT": ".", "COLON": ":",
    "EQ": "=", "NEQ": "!=", "LT": "<", "LTE": "<=", "GT": ">", "GTE": ">=", "EQREGEX": "=~",
    "NEQREGEX": "!~", "PLUS": "+", "MINUS": "-", "BITOR": "|", "BITXOR": "^", "STAR": "*",
    "DIV": "/", "MOD": "%", "BITAND": "&", "$END": "EOF", "INF": "INF",
}

# influxql's orders for keyword groups (parse_tree.go registration order etc.).
_GROUPS = [
    "SELECT DELETE SHOW CREATE DROP EXPLAIN GRANT REVOKE ALTER SET KILL",
    "CONTINUOUS DATABASES DIAGNOSTICS FIELD GRANTS MEASUREMENT MEASUREMENTS QUERIES RETENTION "
    "SERIES SHARD SHARDS STATS SUBSCRIPTIONS TAG USERS",
    "CONTINUOUS DATABASE USER RETENTION SUBSCRIPTION",
    "CONTINUOUS DATABASE MEASUREMENT RETENTION SERIES SHARD SUBSCRIPTION USER",
    "KEY KEYS VALUES",
    "KEY KEYS",
    "DURATION NAME REPLICATION SHARD",
    "DURATION REPLICATION SHARD DEFAULT",
    "FROM WHERE",
    "EVERY FOR",
    "ALL ANY",
    "ON TO",
    "ON FROM",
    "EXACT CARDINALITY",
]
_GROUP_ORDER = {frozenset(g.split()): g.split() for g in _GROUPS}


def display(name: str) -> str:
    """Terminal name -> the word influxql uses for it in messages."""
    d = _DISPLAY.get(name)
    if d is not None:
        return d
    if name.endswith("_KW"):
        name = name[:-3]
    return name.lstrip("_")


def expected_names(expected: set[str]) -> list[str]:
    """The ``expected`` list influxql would print for an LALR state accepting ``expected``."""
    e = set(expected) - {"FILL", "TZ", "BAD_STRING", "BAD_ESCAPE", "ILLEGAL", "QUOTED_IDENT"}
    if {"SELECT", "SHOW", "CREATE"} <= e:
        return _GROUPS[0].split()
    if "$END" in e or "_SEMI" in e:
        return [";"]
    if _OPERAND <= e:
        return ["identifier", "string", "number", "bool"]
    if _SIGNABLE <= e and "STRING" not in e:
        return ["identifier", "number", "duration", "("]
    if {"IN", "EQ", "EQREGEX"} <= e:
        return ["IN", "=", "=~"]
    if e == {"EQ", "EQREGEX"}:
        return ["=", "=~"]
    d = e - _CONTINUATIONS
    if not d:
        return sorted(display(n) for n in e)
    order = _GROUP_ORDER.get(frozenset(display(n) for n in d - {"_PRIVILEGES"}))
    if order:
        return order
    if "_WITH" in d and "CARDINALITY" in d:  # SHOW TAG VALUES: only WITH KEY is required
        return ["WITH"]
    core = d - _OPTIONAL
    if "CARDINALITY" in core and "EXACT" in d and len(core) == 1:
        return ["EXACT", "CARDINALITY"]
    if core:
        d = core
    if "IDENT" in d:
        rest = d - {"IDENT", "FUNC_NAME", "REGEX", "LPAR", "DEFAULT", "BOUNDPARAM"}
        return ["identifier"] + sorted(display(n) for n in rest)
    if {"DURATIONVAL", "INF"} <= d:
        return ["duration"]
    if {"READ", "WRITE", "ALL"} <= d:
        return ["READ", "WRITE", "ALL [PRIVILEGES]"]
    names = [display(n) for n in d]
    order = _GROUP_ORDER.get(frozenset(names))
    if order:
        return order
    return sorted(names)


def token_text(tok: Token) -> str:
    """influxql's tokstr: the literal for values, the keyword name for keywords."""
    t = tok.type
    if t == "$END":
        return "EOF"
    if t in ("IDENT", "FUNC_NAME", "FILL", "TZ", "WS", "STRING", "INTEGER", "NUMBER", "DURATIONVAL", "REGEX",
             "BOUNDPARAM", "BAD_STRING", "BAD_ESCAPE", "ILLEGAL"):
        return tok.value if tok.value != "" else ("IDENT" if t == "IDENT" else t)
    if t == "NEQ":
        return "!="
    if t == "CAST":  # influxql scans "::" and the type name separately
        return "::"
    if t in _DISPLAY:
        return _DISPLAY[t]
    return display(t)


def fail(message: str, line: int = 1, column: int = 1, positioned: bool = True):
    """Raise ParseError; ``positioned`` appends influxql's `` at line L, char C``."""
    text = f"{message} at line {line}, char {column}" if positioned else message
    raise ParseError(text, line, column)


def fail_at(message: str, tok: Token):
    fail(message, tok.line or 1, tok.column or 1)


def found_expected(tok: Token, expected: list[str]):
    fail(f"found {token_text(tok)}, expected {', '.join(expected)}", tok.line or 1, tok.column or 1)
