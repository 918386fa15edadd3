"""AST callbacks for expressions and the token helpers every statement family shares.

Literals, variable references, calls and the operator climb that nests binary
expressions exactly as influxql's ParseExpr does. Immutable leaves are interned
(dashboards repeat them).
"""
from __future__ import annotations

import re
from functools import lru_cache

from .lalr import Tok as Token

from ..ast import expr as E
from . import depth
from ...base.time import parse_duration
from .lexing import KEYWORDS, ident_needs_quotes, unescape
from .errors import fail, fail_at, found_expected

INT64_MAX = 2**63 - 1
UINT64_MAX = 2**64 - 1

_VARREF_TYPES = {"float": "float", "integer": "integer", "unsigned": "unsigned",
                 "string": "string", "boolean": "boolean", "field": "field", "tag": "tag"}


@lru_cache(maxsize=512)
def check_regex(pattern: str) -> None:
    """Reject patterns that do not compile (influxql compiles them at parse time).

    Python's ``re`` stands in for Go's RE2; the common errors get Go's wording.
    """
    try:
        re.compile(pattern)
    except re.error as exc:
        raise ValueError(f"error parsing regexp: {_go_regex_message(exc, pattern)}") from None
    engine_error = _engine_regex_error(pattern)
    if engine_error is not None:
        raise ValueError(f"error parsing regexp: {engine_error}")


def _engine_regex_error(pattern: str) -> str | None:
    """What the query engine's regex compiler (Polars, Rust ``regex``) refuses that Python's
    accepts: a pattern past its compiled-size limit is Go RE2's ``expression too large``."""
    import polars as pl
    try:
        pl.Series([""], dtype=pl.String).str.contains(pattern)
    except Exception as exc:  # noqa: BLE001 - Polars raises ComputeError for a bad pattern
        lines = str(exc).split("\n")
        if "size limit" in lines[0]:
            return "expression too large"
        # the Rust message quotes the pattern, then says what is wrong on an "error: " line
        return next((ln[len("error: "):] for ln in lines if ln.startswith("error: ")),
                    lines[0].removeprefix("regex error: "))
    return None


# Python's regex error -> Go regexp/syntax's words: (start of Python's message, Go's words,
# the part of the pattern Go quotes as (from, to) offsets around the error position; None: all).
_GO_REGEX_WORDS = (
    ("missing ), unterminated subpattern", "missing closing )", None),
    ("unbalanced parenthesis", "unexpected )", None),
    ("unterminated character set", "missing closing ]", (0, None)),
    ("nothing to repeat", "missing argument to repetition operator", (0, 1)),
    ("multiple repeat", "invalid nested repetition operator", (-1, 1)),
    ("bad escape", "invalid escape sequence", (0, 2)),
)


def _go_regex_message(exc: re.error, pattern: str) -> str:
    msg, pos = exc.msg, exc.pos or 0
    for prefix, words, span in _GO_REGEX_WORDS:
        if msg.startswith(prefix):
            if span is None:
                return f"{words}: `{pattern}`"
            start, end = span
            return f"{words}: `{pattern[pos + start:None if end is None else pos + end]}`"
    return msg


def quote_segments(segs: list[str]) -> str:
    """influxql QuoteIdent(segments...): used in 'too many segments' messages."""
    out = []
    last = len(segs) - 1
    for i, seg in enumerate(segs):
        need = (ident_needs_quotes(seg) if seg else False) or (i < last and seg != "") \
            or ((i == 0 or i == last) and seg == "")
        text = seg.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
        out.append(f'"{text}"' if need else text)
    return ".".join(out)


def _segments(children) -> tuple[list[str], Token | None]:
    """IDENT/DOT token run -> segments ("" for an empty one) and the trailing REGEX, if any.

    Dots before a trailing regex or ``:MEASUREMENT`` end the path (influxql
    parseSegmentedIdents): ``db../re/`` -> ["db", ""].
    """
    segs: list[str] = []
    dots = 0
    regex = None
    for tok in children:
        t = tok.type
        if t == "IDENT":
            if segs:
                segs.extend([""] * (dots - 1))
            segs.append(tok.value)
            dots = 0
        elif t == "DOT":
            dots += 1
        elif t == "REGEX":
            regex = tok
    if dots:  # trailing dots before a regex or a COLON
        segs.extend([""] * (dots - 1))
    if len(segs) > 3:
        fail(f"too many segments in {quote_segments(segs)}", 1, 1)
    return segs, regex


def _opt(s: str):
    return s if s else None


def _regex(tok: Token) -> E.RegexLiteral:
    try:
        check_regex(tok.value)
    except ValueError as exc:
        fail_at(str(exc), tok)
    return E.RegexLiteral(tok.value)


def _ints(tok: Token) -> int:
    n = int(tok.value)
    return INT64_MAX if n > INT64_MAX else n


_PREC = E.PRECEDENCE


def _op_text(tok: Token) -> str:
    t = tok.type
    if t == "AND" or t == "OR":
        return t
    if t == "NEQ":
        return "!="
    return tok.value


def climb(ch: list):
    """Nest ``operand (op operand)*`` exactly as influxql's ParseExpr does.

    Each new operator walks down the right spine of the tree built so far
    while the node there binds looser, and takes that node's right operand as
    its left one. Nodes already closed (parentheses, unary ``-x``) are never
    entered. Work happens on mutable [op, lhs, rhs] lists, frozen at the end.
    """
    if len(ch) == 3:  # one operator: nothing to climb
        rhs = ch[2]
        if rhs.__class__ is Token:
            rhs = _regex(rhs)
        return E.BinaryExpr(_op_text(ch[1]), ch[0], rhs)
    root = [None, None, ch[0]]
    for i in range(1, len(ch), 2):
        tok = ch[i]
        op = _op_text(tok)
        rhs = ch[i + 1]
        if rhs.__class__ is Token:  # the regex after =~ / !~
            rhs = _regex(rhs)
        prec = _PREC[op]
        node = root
        while True:
            r = node[2]
            if r.__class__ is not list or _PREC[r[0]] >= prec:
                node[2] = [op, r, rhs]
                break
            node = r
    return _freeze(root[2])


def _freeze(n):
    if n.__class__ is not list:
        return n
    try:
        return _freeze_rec(n)
    except RecursionError:  # thousands of chained operators: no recursion limit here
        return _freeze_iter(n)


def _freeze_rec(n):
    if n.__class__ is not list:
        return n
    return E.BinaryExpr(n[0], _freeze_rec(n[1]), _freeze_rec(n[2]))


def _freeze_iter(root):
    done: dict = {}
    stack = [(root, False)]
    while stack:
        node, ready = stack.pop()
        if ready:
            lhs, rhs = node[1], node[2]
            done[id(node)] = E.BinaryExpr(
                node[0], done.pop(id(lhs)) if lhs.__class__ is list else lhs,
                done.pop(id(rhs)) if rhs.__class__ is list else rhs)
        else:
            stack.append((node, True))
            for child in (node[2], node[1]):
                if child.__class__ is list:
                    stack.append((child, False))
    return done[id(root)]


_LEAVES: dict = {}  # interned immutable leaves (VarRef, literals): dashboards repeat them


def _leaf(key, make):
    node = _LEAVES.get(key)
    if node is None:
        if len(_LEAVES) > 8192:
            _LEAVES.clear()
        node = _LEAVES[key] = make()
    return node


def _args(ch) -> list:
    """Expressions of a comma list, the ``/regex/`` tokens among them made RegexLiterals."""
    out = []
    for c in ch:
        if c.__class__ is Token:
            if c.type == "REGEX":
                out.append(_regex(c))
        else:
            out.append(c)
    return out


def _pos(tok: Token) -> tuple[int, int]:
    return (tok.line or 1, tok.column or 1)


def _cast_type_token(cast: Token) -> Token:
    """The type name after ``::`` as its own token (errors point at it, as influxql does)."""
    name = cast.value[2:]
    up = name.upper()
    value = up if up in KEYWORDS else name
    return Token("IDENT", value, cast.start_pos + 2, cast.end_pos, cast.text)


class RuleFamily:
    """Callbacks of one statement family; ``_state`` is the ContextVar of the running parse."""

    def __init__(self, state_var):
        self._state = state_var

    def callbacks(self) -> dict:
        """Rule name -> bound method, for every public method of the family."""
        return {name: getattr(self, name) for name, value in vars(type(self)).items()
                if not name.startswith("_") and callable(value) and name != "callbacks"}


class ExprRules(RuleFamily):
    """Callbacks for the expression rules (mixed into :class:`build.AstBuilder`)."""

    __slots__ = ()

    def expr(self, ch):
        if len(ch) == 1:
            return ch[0]
        return depth.check(self._state.get(), climb(ch))

    def signed(self, ch):
        sign, lit = ch
        neg = sign.type == "MINUS"
        if isinstance(lit, E.IntegerLiteral):
            return E.IntegerLiteral(-lit.val) if neg else lit
        if isinstance(lit, E.NumberLiteral):
            return E.NumberLiteral(-lit.val) if neg else lit
        if isinstance(lit, E.DurationLiteral):
            return E.DurationLiteral(-lit.val) if neg else lit
        if isinstance(lit, E.UnsignedLiteral):
            if not neg:
                return lit
            if lit.val == INT64_MAX + 1:
                return E.IntegerLiteral(-lit.val)
            fail(f"constant -{lit.val} underflows int64", *_pos(sign), positioned=False)
        return E.BinaryExpr("*", E.IntegerLiteral(-1 if neg else 1), lit)

    def wildcard(self, ch):
        if len(ch) == 1:
            return E.Wildcard()
        cast = ch[1]
        name = cast.value[2:]
        low = name.lower()
        if low not in ("field", "tag"):
            found_expected(_cast_type_token(cast), ["field", "tag"])
        return E.Wildcard(low)

    def integer(self, ch):
        tok = ch[0]
        n = int(tok.value)
        if n <= INT64_MAX:
            return E.IntegerLiteral(n)
        if n <= UINT64_MAX:
            return E.UnsignedLiteral(n)
        fail_at("unable to parse integer", tok)

    def number(self, ch):
        return E.NumberLiteral(float(ch[0].value))

    def duration(self, ch):
        text = ch[0].value
        node = _LEAVES.get(("d", text))
        if node is not None:
            return node
        try:
            val = parse_duration(text)
        except ValueError as exc:
            fail(str(exc), *_pos(ch[0]), positioned=False)
        return _leaf(("d", text), lambda: E.DurationLiteral(val))

    def string(self, ch):
        v = ch[0].value
        node = _LEAVES.get(("s", v))
        return node if node is not None else _leaf(("s", v), lambda: E.StringLiteral(v))

    def true(self, ch):
        return E.BooleanLiteral(True)

    def false(self, ch):
        return E.BooleanLiteral(False)

    def bound_param(self, ch):
        tok = ch[0]
        name = tok.value[1:]
        if name.startswith('"'):
            name = unescape(name[1:-1])[0]
        if not name:
            fail("empty bound parameter", *_pos(tok), positioned=False)
        state = self._state.get()
        if state.params is not None:
            fail(f"missing parameter: {name}", *_pos(tok), positioned=False)
        return E.BoundParameter(name)

    def paren(self, ch):
        return depth.check(self._state.get(), E.ParenExpr(ch[1]))

    def distinct(self, ch):
        return E.Distinct(ch[1])

    def varref(self, ch):
        if len(ch) == 1:
            v = ch[0].value
            node = _LEAVES.get(("v", v))
            return node if node is not None else _leaf(("v", v), lambda: E.VarRef(v))
        cast = ch[-1]
        if cast.type != "CAST":
            return E.VarRef(".".join(_segments(ch)[0]))
        name = ".".join(_segments(ch[:-1])[0])
        low = cast.value[2:].lower()
        typ = _VARREF_TYPES.get(low)
        if typ is None:
            found_expected(_cast_type_token(cast),
                           ["float", "integer", "unsigned", "string", "boolean", "field", "tag"])
        return E.VarRef(name, typ)

    def call(self, ch):
        if len(ch) == 3:
            return E.Call(ch[0].value.lower())
        return depth.check(self._state.get(), E.Call(ch[0].value.lower(), tuple(_args(ch[2:-1]))))

    def ident(self, ch):
        return ch[0].value
