"""AST callbacks for SELECT (with its clauses and subqueries), DELETE and EXPLAIN."""
from __future__ import annotations

from functools import lru_cache

from .lalr import Tok as Token

from ..ast import expr as E
from ..ast import select as S
from . import depth
from .errors import fail, fail_at, found_expected
from .build_expr import _LEAVES, RuleFamily, _args, _ints, _leaf, _opt, _pos, _regex, _segments

_COMPARE_OPS = frozenset(("=", "!=", "=~", "!~", "<", "<=", ">", ">=", "AND", "OR"))


def _bad_field_op(expr) -> str | None:
    """First comparison/logical operator inside a SELECT field (influxql validateField)."""
    stack = [expr]
    while stack:
        e = stack.pop()
        if isinstance(e, E.BinaryExpr):
            if e.op in _COMPARE_OPS:
                return e.op
            stack.append(e.rhs)
            stack.append(e.lhs)
        elif isinstance(e, E.ParenExpr):
            stack.append(e.expr)
        elif isinstance(e, E.Call):
            stack.extend(reversed(e.args))
    return None


def _dimension(expr):
    if expr.__class__ is E.VarRef:
        node = _LEAVES.get(("D", expr))
        return node if node is not None else _leaf(("D", expr), lambda: E.Dimension(expr))
    return E.Dimension(expr)


class Body:
    """A parsed SELECT plus the FROM token (CQs report ``expected INTO`` there)."""

    __slots__ = ("stmt", "from_tok")

    def __init__(self, stmt, from_tok):
        self.stmt = stmt
        self.from_tok = from_tok


@lru_cache(maxsize=256)
def _known_zone(name: str) -> bool:
    if name in ("", "UTC"):
        return True
    try:
        from zoneinfo import ZoneInfo
        ZoneInfo(name)
        return True
    except Exception:
        return False


def no_db_rp(sources):
    """DELETE / DROP SERIES sources: a bare measurement only (influxql's wording)."""
    err = None
    for m in sources:
        if m.database is not None:
            err = "database not supported"
        if m.retention_policy is not None:
            err = "retention policy not supported"
    if err:
        fail(err, 1, 1)
    return sources


class SelectRules(RuleFamily):
    """Callbacks for SELECT, DELETE and EXPLAIN (mixed into :class:`build.AstBuilder`)."""

    __slots__ = ()

    def select_stmt(self, ch):
        return ch[1].stmt

    def select_body(self, ch):
        (fields, into, from_tok, sources, cond, dims, fill, order,
         limit, offset, slimit, soffset, tz) = ch
        # positional: SelectStatement's field order
        stmt = S.SelectStatement(fields, sources, into, cond, dims, fill[0], fill[1], order,
                                 limit, offset, slimit, soffset, tz)
        return Body(stmt, from_tok)

    def fields(self, ch):
        if len(ch) == 1:
            return (ch[0],)
        return tuple([c for c in ch if c.__class__ is not Token])

    def field(self, ch):
        self._check_field(ch[0])
        return E.Field(ch[0])

    def field_alias(self, ch):
        self._check_field(ch[0])
        return E.Field(ch[0], ch[1])

    def field_regex(self, ch):
        return E.Field(_regex(ch[0]))

    def field_regex_alias(self, ch):
        return E.Field(_regex(ch[0]), ch[1])

    def _check_field(self, expr):
        op = _bad_field_op(expr)
        if op is not None:
            line, col = self._state.get().field_start()
            fail(f"invalid operator {op} in SELECT clause at line {line}, char {col}; "
                 "operator is intended for WHERE clause", line, col, positioned=False)

    def into_opt(self, ch):
        return ch[0] if ch else None

    def target_name(self, ch):
        segs, _ = _segments(ch)
        return E.Target(self._measurement(segs))

    def target_backref(self, ch):
        segs, _ = _segments(ch)
        if len(segs) < 3:
            segs.append("")
        return E.Target(self._measurement(segs))

    @staticmethod
    def _measurement(segs, regex=None):
        if regex is not None:
            if len(segs) == 1:
                return E.Measurement(retention_policy=_opt(segs[0]), regex=regex)
            return E.Measurement(database=_opt(segs[0]), retention_policy=_opt(segs[1]), regex=regex)
        if len(segs) == 1:
            return E.Measurement(name=segs[0])
        if len(segs) == 2:
            return E.Measurement(retention_policy=_opt(segs[0]), name=_opt(segs[1]))
        return E.Measurement(database=_opt(segs[0]), retention_policy=_opt(segs[1]), name=_opt(segs[2]))

    def sources(self, ch):
        if len(ch) == 1:
            return (ch[0],)
        return tuple([c for c in ch if c.__class__ is not Token])

    msources = sources

    def subquery(self, ch):
        stmt = ch[2].stmt
        if stmt.into is not None:  # influxd 1.6 parses it and ignores it: nothing would be written
            fail_at("INTO is not allowed in a subquery", self._into_token(ch[1]))
        return depth.check(self._state.get(), E.SubQuery(stmt))

    def _into_token(self, select: Token) -> Token:
        """The INTO keyword of the subquery whose SELECT token is ``select``."""
        toks = self._state.get().tokens
        i = next((k for k, t in enumerate(toks) if t is select), len(toks))
        depth = 0
        for t in toks[i + 1:]:
            if t.type == "LPAR":
                depth += 1
            elif t.type == "RPAR":
                depth -= 1
            elif t.type == "_INTO" and depth == 0:
                return t
        return select

    def source_name(self, ch):
        if len(ch) == 1:
            name = ch[0].value
            node = _LEAVES.get(("M", name))
            return node if node is not None else _leaf(("M", name), lambda: E.Measurement(name=name))
        segs, regex_tok = _segments(ch)
        if regex_tok is not None:
            if len(segs) >= 3:
                found_expected(regex_tok, ["identifier"])
            return self._measurement(segs, _regex(regex_tok))
        return self._measurement(segs)

    def source_regex(self, ch):
        return E.Measurement(regex=_regex(ch[0]))

    def where_opt(self, ch):
        return ch[0] if ch else None

    def group_opt(self, ch):
        return ch[0] if ch else ()

    def dimensions(self, ch):
        return tuple([_dimension(c) for c in _args(ch)])

    def fill_opt(self, ch):
        if not ch:
            return (None, None)
        args = _args(ch)
        if len(args) != 1:
            fail("fill requires an argument, e.g.: 0, null, none, previous, linear", *_pos(ch[0]),
                 positioned=False)
        arg = args[0]
        text = arg.name if arg.__class__ is E.VarRef and arg.type is None else str(arg)
        if text in ("null", "none", "previous", "linear"):
            return (text, None)
        if isinstance(arg, (E.IntegerLiteral, E.NumberLiteral)):
            return ("value", arg.val)
        fail("expected number argument in fill()", *_pos(ch[0]), positioned=False)

    def order_opt(self, ch):
        return ch[0] if ch else ()

    def sort_fields(self, ch):
        fields = [c for c in ch if not isinstance(c, Token)]
        first = fields[0]
        if (first[0] is not None and first[0] != "time") or len(fields) > 1:
            fail("only ORDER BY time supported at this time", 1, 1, positioned=False)
        return (E.SortField(first[0], first[1]),)

    def sort_name(self, ch):
        return (ch[0], True)

    def sort_name_asc(self, ch):
        return (ch[0], True)

    def sort_name_desc(self, ch):
        return (ch[0], False)

    def sort_asc(self, ch):
        return (None, True)

    def sort_desc(self, ch):
        return (None, False)

    def limit_opt(self, ch):
        if not ch:
            return 0
        n = _ints(ch[1])
        if n < 0:  # only a bound parameter can be negative here
            fail_at(f"{ch[0].type} must be >= 0", ch[1])
        return n

    offset_opt = slimit_opt = soffset_opt = limit_opt

    def tz_opt(self, ch):
        if not ch:
            return None
        args = _args(ch)
        where = _pos(ch[0])
        if len(args) != 1:
            fail("tz requires exactly one argument", *where, positioned=False)
        if not isinstance(args[0], E.StringLiteral):
            fail("expected string argument in tz()", *where, positioned=False)
        name = args[0].val
        if not _known_zone(name):
            fail(f"unable to find time zone {name}", *where, positioned=False)
        return name

    def delete_stmt(self, ch):
        return S.DeleteSeriesStatement(sources=no_db_rp(ch[1]), condition=ch[2])

    def delete_where(self, ch):
        return S.DeleteSeriesStatement(condition=ch[1])

    def delete_from(self, ch):
        return ch[1]

    def explain_stmt(self, ch):
        analyze = len(ch) == 4
        return S.ExplainStatement(ch[-1].stmt, analyze)
