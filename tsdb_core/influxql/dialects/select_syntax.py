"""v3's own words for the common syntax mistakes in a SELECT (crate ``influxdb_influxql_parser``).

Consulted only after the 1.x grammar has refused a SELECT that v3's statement pass let through,
so queries that parse pay nothing. v3's parser is a chain of nom combinators: a clause that
cannot start backs out silently (the words left over become an unknown statement, ``Nom(...,
Tag)``), while a clause that has started and then breaks fails with its own message at the
byte where it broke. The checks below follow that order on the statement's tokens.
"""
from __future__ import annotations

from dataclasses import dataclass

from .statements import _REGEX, _TOKEN, Piece

UNTERMINATED_STRING = "unterminated string literal"  # string.rs
UNTERMINATED_REGEX = "unterminated regex literal"  # string.rs
EXPECTED_FIELD = "invalid SELECT statement, expected field"  # select.rs field_list
INVALID_FROM = "invalid FROM clause, expected identifier, regular expression or subquery"  # select.rs
EXPECTED_BY = "invalid GROUP BY clause, expected BY"  # select.rs group_by_clause
INVALID_DIMENSION = "invalid GROUP BY clause, expected wildcard, TIME, identifier or regular expression"
TIME_ARGUMENTS = "invalid TIME call, expected 1 or 2 arguments"  # select.rs time_call_expression
TIME_INTERVAL = "invalid TIME call, expected a duration for the interval"
INVALID_CONDITIONAL = "invalid conditional expression"  # expression/conditional.rs
EXPECTED_REGEX = "invalid conditional, expected regular expression"  # expression/conditional.rs
# common.rs limit_clause / offset_clause, select.rs slimit_clause / soffset_clause (SOFFSET's
# message names SLIMIT in v3's source)
_UNSIGNED = {"LIMIT": "invalid LIMIT clause, expected unsigned integer",
             "OFFSET": "invalid OFFSET clause, expected unsigned integer",
             "SLIMIT": "invalid SLIMIT clause, expected unsigned integer",
             "SOFFSET": "invalid SLIMIT clause, expected unsigned integer"}
INVALID_FILL = "invalid FILL option, expected NULL, NONE, PREVIOUS, LINEAR, or a number"  # select.rs fill_clause
INVALID_TZ = "invalid TZ clause, expected string"  # select.rs timezone_clause
_FILL_WORDS = frozenset({"NULL", "NONE", "PREVIOUS", "LINEAR"})
_OPERATORS = frozenset({"=", "<", ">", "AND", "OR"})
CLAUSES = frozenset({"FROM", "WHERE", "GROUP", "FILL", "ORDER", "LIMIT", "OFFSET", "SLIMIT", "SOFFSET", "TZ"})


@dataclass(frozen=True, slots=True)
class Token:
    kind: str  # word, string, ident, regex, other
    text: str
    start: int  # character offsets into the whole text
    end: int
    depth: int  # parentheses around it


def tokens(text: str, piece: Piece) -> list[Token]:
    """The statement's tokens (words upper-cased), whitespace and comments left out."""
    out, pos, depth, prev = [], piece.start, 0, ""
    end = piece.start + len(piece.text)
    while pos < end:
        regex = text[pos] == "/" and prev in ("=~", "!~", "FROM", ",", "BY")
        m = (_REGEX if regex else _TOKEN).match(text, pos)
        kind = "regex" if regex else m.lastgroup
        if kind not in ("ws", "comment"):
            word = m.group().upper() if kind == "word" else m.group()
            depth -= word == ")"
            out.append(Token(kind, word, pos, m.end(), depth))
            depth += word == "("
            prev = word
        pos = m.end()
    return out


def select_syntax_error(text: str, piece: Piece, first: int = 0) -> tuple[str, int] | None:
    """(v3's message, character offset) for a SELECT starting at token ``first``, or None when
    the mistake is not one modelled here. The message ``None`` with an offset means v3 ends the
    statement there and reports the rest as an unknown statement."""
    toks = tokens(text, piece)[first:]
    for check in (_unterminated, _fields, _from, _where, _group_by, _fill_and_tz, _limits):
        found = check(text, toks)
        if found is not None:
            return found
    return None


def _unterminated(text: str, toks: list[Token]):
    for t in toks:
        if t.kind in ("string", "ident"):
            newline = t.text.find("\n")
            if newline >= 0:
                return UNTERMINATED_STRING, t.start + newline
            if len(t.text) < 2 or t.text[-1] != t.text[0] or _escaped_end(t.text):
                return UNTERMINATED_STRING, t.end
        if t.kind == "regex" and (len(t.text) < 2 or t.text[-1] != "/"):
            return UNTERMINATED_REGEX, t.end
    return None


def _escaped_end(s: str) -> bool:
    """A closing quote preceded by an odd number of backslashes is escaped, not closing."""
    n = len(s) - 1 - len(s[:-1].rstrip("\\"))
    return n % 2 == 1


def _next(text: str, toks: list[Token], i: int) -> int:
    """Where v3 looks after token ``i`` and its whitespace."""
    if i + 1 < len(toks):
        return toks[i + 1].start
    end = toks[i].end
    return end + len(text[end:]) - len(text[end:].lstrip())


def _fields(text: str, toks: list[Token]):
    nxt = toks[1] if len(toks) > 1 else None
    if nxt is None or nxt.text in ("FROM", ",", ")", ";"):
        return EXPECTED_FIELD, _next(text, toks, 0)
    return None


def _top(toks: list[Token], word: str) -> int:
    return next((i for i, t in enumerate(toks) if t.depth == 0 and t.kind == "word" and t.text == word), -1)


def _from(text: str, toks: list[Token]):
    i = _top(toks, "FROM")
    if i < 0:
        return None, toks[0].start
    nxt = toks[i + 1] if i + 1 < len(toks) else None
    ok = nxt is not None and (
        nxt.kind in ("ident", "regex") or (nxt.kind == "word" and nxt.text not in CLAUSES)
        or (nxt.text == "(" and i + 2 < len(toks) and toks[i + 2].text == "SELECT"))
    return None if ok else (INVALID_FROM, _next(text, toks, i))


def _where(text: str, toks: list[Token]):
    i = _top(toks, "WHERE")
    if i < 0:
        return None
    if i + 1 == len(toks) or toks[i + 1].text in CLAUSES:
        return None, toks[i].start  # no condition: the WHERE clause backs out
    j = next((k for k in range(i + 1, len(toks)) if toks[k].depth == 0 and toks[k].text in CLAUSES), len(toks))
    last = toks[j - 1]
    if last.text in ("=~", "!~"):
        return EXPECTED_REGEX, last.end
    if last.text in _OPERATORS:
        return INVALID_CONDITIONAL, last.end
    return None


def _group_by(text: str, toks: list[Token]):
    i = _top(toks, "GROUP")
    if i < 0:
        return None
    if i + 1 == len(toks) or (toks[i + 1].text == "BY" and i + 2 == len(toks)):
        return None, toks[i].start  # GROUP and BY each want whitespace after them
    if toks[i + 1].text != "BY":
        return EXPECTED_BY, toks[i + 1].start
    dim = toks[i + 2]
    if dim.text == "TIME":
        if i + 3 == len(toks) or toks[i + 3].text != "(":
            return TIME_ARGUMENTS, dim.end
        arg = toks[i + 4] if i + 4 < len(toks) else None
        if arg is None or not arg.text[:1].isdigit():
            return TIME_INTERVAL, toks[i + 3].end
        return None
    if dim.kind in ("ident", "regex") or dim.text == "*" or (dim.kind == "word" and dim.text not in CLAUSES):
        return None
    return INVALID_DIMENSION, dim.start


def _fill_and_tz(text: str, toks: list[Token]):
    for i, t in enumerate(toks[:-1]):
        if t.depth or t.text not in ("FILL", "TZ") or toks[i + 1].text != "(":
            continue
        arg = toks[i + 2] if i + 2 < len(toks) else None
        if t.text == "TZ" and (arg is None or arg.kind != "string"):
            return INVALID_TZ, toks[i + 1].end
        if t.text == "FILL" and not (arg is not None and (arg.text in _FILL_WORDS or arg.text[:1] in "0123456789-+.")):
            return INVALID_FILL, toks[i + 1].end
    return None


def _limits(text: str, toks: list[Token]):
    for i, t in enumerate(toks):
        if t.depth or t.text not in _UNSIGNED:
            continue
        if i + 1 == len(toks):
            return None, t.start  # the keyword wants whitespace after it: the clause backs out
        if not toks[i + 1].text[:1].isdigit():
            return _UNSIGNED[t.text], toks[i + 1].start
    return None
