"""Lark callbacks that build the AST while the LALR parser reduces (no parse tree).

Method names are the grammar's rule names/aliases. Checks that influxql's
parser makes at parse time live here, with its exact wording (see errors.py of
this package for the position conventions).
"""
from __future__ import annotations

import re
from functools import lru_cache

from lark import Transformer

from .lalr import Tok as Token

from . import ast_expr as E
from . import ast_meta as M
from . import ast_select as S
from .lexing import DURATION_UNITS, KEYWORDS, format_duration, ident_needs_quotes, unescape
from .parse_errors import fail, fail_at, found_expected

INT64_MAX = 2**63 - 1
UINT64_MAX = 2**64 - 1
INT32_MAX = 2**31 - 1

_VARREF_TYPES = {"float": "float", "integer": "integer", "unsigned": "unsigned",
                 "string": "string", "boolean": "boolean", "field": "field", "tag": "tag"}
_COMPARE_OPS = frozenset(("=", "!=", "=~", "!~", "<", "<=", ">", ">=", "AND", "OR"))
_DURATION_PART = re.compile(r"([0-9]+)(ns|ms|u|µ|s|m|h|d|w)")


def parse_duration(text: str) -> int:
    """influxql ParseDuration: ``1h30m`` -> ns; raises ValueError with Go's message."""
    if len(text) < 2:
        raise ValueError("invalid duration")
    neg = text.startswith("-")
    body = text[1:] if neg else text
    pos, total, n, unit = 0, 0, 0, ""
    while pos < len(body):
        m = _DURATION_PART.match(body, pos)
        if m is None:
            raise ValueError("invalid duration")
        n, unit = int(m.group(1)), m.group(2)
        if n > INT64_MAX:
            raise ValueError("invalid duration")
        total += n * DURATION_UNITS[unit]
        pos = m.end()
    if total > INT64_MAX and not neg:
        raise ValueError(f"overflowed duration {n}{unit}: choose a smaller duration or INF")
    return -total if neg else total


@lru_cache(maxsize=512)
def check_regex(pattern: str) -> None:
    """Reject patterns that do not compile (influxql compiles them at parse time).

    Python's ``re`` stands in for Go's RE2; the common errors get Go's wording.
    """
    try:
        re.compile(pattern)
    except re.error as exc:
        raise ValueError(f"error parsing regexp: {_go_regex_message(exc, pattern)}") from None


def _go_regex_message(exc: re.error, pattern: str) -> str:
    msg, pos = exc.msg, exc.pos or 0
    if msg.startswith("missing ), unterminated subpattern"):
        return f"missing closing ): `{pattern}`"
    if msg.startswith("unbalanced parenthesis"):
        return f"unexpected ): `{pattern}`"
    if msg.startswith("unterminated character set"):
        return f"missing closing ]: `{pattern[pos:]}`"
    if msg.startswith("nothing to repeat"):
        return f"missing argument to repetition operator: `{pattern[pos:pos + 1]}`"
    if msg.startswith("multiple repeat"):
        return f"invalid nested repetition operator: `{pattern[pos - 1:pos + 1]}`"
    if msg.startswith("bad escape"):
        return f"invalid escape sequence: `{pattern[pos:pos + 2]}`"
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


def _parse_int_range(tok: Token, lo: int, hi: int) -> int:
    n = int(tok.value)
    if n > INT64_MAX:
        fail_at(f'strconv.Atoi: parsing "{tok.value}": value out of range', tok)
    if not lo <= n <= hi:
        fail_at(f"invalid value {n}: must be {lo} <= n <= {hi}", tok)
    return n


def _duration_opt(tok: Token) -> int:
    """A DURATION option value (RP/CQ): INF is 0; errors carry the position."""
    if tok.type == "INF":
        return 0
    try:
        return parse_duration(tok.value)
    except ValueError as exc:
        fail_at(str(exc), tok)


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


class AstBuilder(Transformer):
    """Inline LALR callbacks: each returns an AST node (or a plain value for clauses)."""

    def __init__(self, state_var):
        super().__init__(visit_tokens=False)
        self._state = state_var  # ContextVar holding the per-parse ParseState

    # ------------------------------------------------------------- statements list
    def start(self, ch):
        return [c for c in ch if not isinstance(c, Token)]

    # ------------------------------------------------------------- SELECT
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
        return E.SubQuery(ch[2].stmt)

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

    # ------------------------------------------------------------- expressions
    def expr(self, ch):
        if len(ch) == 1:
            return ch[0]
        return climb(ch)

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
        return E.ParenExpr(ch[1])

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
        return E.Call(ch[0].value.lower(), tuple(_args(ch[2:-1])))

    def ident(self, ch):
        return ch[0].value

    # ------------------------------------------------------------- DELETE / EXPLAIN
    def delete_stmt(self, ch):
        return S.DeleteSeriesStatement(sources=self._no_db_rp(ch[1]), condition=ch[2])

    def delete_where(self, ch):
        return S.DeleteSeriesStatement(condition=ch[1])

    def delete_from(self, ch):
        return ch[1]

    @staticmethod
    def _no_db_rp(sources):
        err = None
        for m in sources:
            if m.database is not None:
                err = "database not supported"
            if m.retention_policy is not None:
                err = "retention policy not supported"
        if err:
            fail(err, 1, 1)
        return sources

    def explain_stmt(self, ch):
        analyze = len(ch) == 4
        return S.ExplainStatement(ch[-1].stmt, analyze)

    # ------------------------------------------------------------- SHOW
    def on_opt(self, ch):
        return ch[0] if ch else None

    def from_opt(self, ch):
        return ch[1] if ch else ()

    def card_tail(self, ch):
        return ch

    def with_key_in(self, ch):
        names = tuple(c for c in ch if not isinstance(c, Token))
        return ("IN", E.ListLiteral(names))

    def with_key_eq(self, ch):
        op = "!=" if ch[0].type == "NEQ" else "="
        return (op, E.StringLiteral(ch[1]))

    def with_key_regex(self, ch):
        return (ch[0].value, _regex(ch[1]))

    def with_measurement(self, ch):
        return ch[1]

    def show_continuous_queries(self, ch):
        return M.ShowContinuousQueriesStatement()

    def show_databases(self, ch):
        return M.ShowDatabasesStatement()

    def show_diagnostics(self, ch):
        return M.ShowDiagnosticsStatement(ch[2].value if len(ch) > 1 else None)

    def show_stats(self, ch):
        return M.ShowStatsStatement(ch[2].value if len(ch) > 1 else None)

    def show_grants(self, ch):
        return M.ShowGrantsForUserStatement(ch[2])

    def show_queries(self, ch):
        return M.ShowQueriesStatement()

    def show_retention_policies(self, ch):
        return M.ShowRetentionPoliciesStatement(ch[1])

    def show_shard_groups(self, ch):
        return M.ShowShardGroupsStatement()

    def show_shards(self, ch):
        return M.ShowShardsStatement()

    def show_subscriptions(self, ch):
        return M.ShowSubscriptionsStatement()

    def show_users(self, ch):
        return M.ShowUsersStatement()

    @staticmethod
    def _card(cls, ch):
        exact = any(isinstance(c, Token) and c.type == "EXACT" for c in ch)
        on, src, cond, dims, limit, offset = ch[-1]
        return cls(exact=exact, database=on, sources=src, condition=cond, dimensions=dims,
                   limit=limit, offset=offset)

    def show_field_key_cardinality(self, ch):
        return self._card(M.ShowFieldKeyCardinalityStatement, ch)

    def show_measurement_cardinality(self, ch):
        return self._card(M.ShowMeasurementCardinalityStatement, ch)

    def show_series_cardinality(self, ch):
        return self._card(M.ShowSeriesCardinalityStatement, ch)

    def show_tag_key_cardinality(self, ch):
        return self._card(M.ShowTagKeyCardinalityStatement, ch)

    def show_tag_values_cardinality(self, ch):
        exact = ch[1].type == "EXACT"
        on, src, (op, key), cond, dims, limit, offset = ch[-7:]
        return M.ShowTagValuesCardinalityStatement(
            exact=exact, database=on, sources=src, condition=cond, dimensions=dims,
            limit=limit, offset=offset, op=op, tag_key_expr=key)

    def show_field_keys(self, ch):
        on, src, order, limit, offset = ch[1:]
        return M.ShowFieldKeysStatement(on, src, order, limit, offset)

    def show_measurements(self, ch):
        rest = ch[1:]
        if len(rest) == 5:
            on, cond, order, limit, offset = rest
            source = None
        else:
            on, source, cond, order, limit, offset = rest
        return M.ShowMeasurementsStatement(on, source, cond, order, limit, offset)

    def show_series(self, ch):
        on, src, cond, order, limit, offset = ch[1:]
        return M.ShowSeriesStatement(on, src, cond, order, limit, offset)

    def show_tag_keys(self, ch):
        on, src, cond, order, limit, offset, slimit, soffset = ch[1:]
        return M.ShowTagKeysStatement(on, src, cond, order, limit, offset, slimit, soffset)

    def show_tag_values(self, ch):
        on, src, (op, key), cond, order, limit, offset = ch[1:]
        return M.ShowTagValuesStatement(op, key, on, src, cond, order, limit, offset)

    # ------------------------------------------------------------- CREATE / DROP
    def create_cq(self, ch):
        name, db = ch[1], ch[2]
        resample = ch[3] if isinstance(ch[3], tuple) else (0, 0)
        body, end_tok = ch[-2], ch[-1]
        sel = body.stmt
        if sel.into is None:
            found_expected(body.from_tok, ["INTO"])
        interval, err = _group_by_interval(sel)
        if _is_aggregate(sel) and (interval == 0 or err):
            expected = ["GROUP BY time(...)"] + ([err] if err else [])
            found_expected(self._state.get().token_before(end_tok), expected)
        if err:
            fail(err, 1, 1, positioned=False)
        every, for_ = resample
        if for_:
            if every and every > interval:
                interval = every
            if interval > for_:
                fail(f"FOR duration must be >= GROUP BY time duration: must be a minimum of "
                     f"{format_duration(interval)}, got {format_duration(for_)}", 1, 1, positioned=False)
        return S.CreateContinuousQueryStatement(name, db, sel, every, for_)

    def resample(self, ch):
        every = for_ = 0
        for i, tok in enumerate(ch):
            if isinstance(tok, Token) and tok.type in ("EVERY", "FOR"):
                val = ch[i + 1]
                try:
                    d = parse_duration(val.value)
                except ValueError as exc:
                    fail_at(str(exc), val)
                if tok.type == "EVERY":
                    every = d
                else:
                    for_ = d
        return (every, for_)

    def create_database(self, ch):
        name = ch[1]
        opts = [c for c in ch[2:]]
        if not opts:
            return M.CreateDatabaseStatement(name)
        values = {}
        order = ("DURATION", "REPLICATION", "SHARD", "NAME")
        last = -1
        for kw_tok, key, val, _ in opts:
            idx = order.index(key)
            if idx <= last:
                found_expected(kw_tok, [";"])
            last = idx
            values[key] = val
        return M.CreateDatabaseStatement(
            name, True, values.get("DURATION"), values.get("REPLICATION"),
            values.get("SHARD"), values.get("NAME"))

    def opt_duration(self, ch):
        return (ch[0], "DURATION", _duration_opt(ch[1]), ch[1])

    def opt_replication(self, ch):
        return (ch[0], "REPLICATION", _parse_int_range(ch[1], 1, INT32_MAX), ch[1])

    def opt_shard_duration(self, ch):
        return (ch[0], "SHARD", _duration_opt(ch[2]), ch[2])

    def opt_name(self, ch):
        return (ch[0], "NAME", ch[1], ch[0])

    def opt_default(self, ch):
        return (ch[0], "DEFAULT", True, ch[0])

    def duration_val(self, ch):
        return ch[0]

    def create_user(self, ch):
        admin = any(isinstance(c, Token) and c.type == "ALL" for c in ch)
        return M.CreateUserStatement(ch[1], ch[2].value, admin)

    def create_rp(self, ch):
        # CREATE name ON db DURATION_KW d REPLICATION_KW n [SHARD_KW DURATION_KW d] [DEFAULT]
        name, db = ch[1], ch[2]
        duration = _duration_opt(ch[4])
        replication = _parse_int_range(ch[6], 1, INT32_MAX)
        shard = None
        default = False
        rest = ch[7:]
        if rest and rest[0].type == "SHARD_KW":
            if rest[2].type == "INF":
                fail_at("invalid duration INF for shard duration", rest[2])
            shard = _duration_opt(rest[2])
            rest = rest[3:]
        if rest:
            default = True
        return M.CreateRetentionPolicyStatement(name, db, duration, replication, shard, default)

    def create_subscription(self, ch):
        name, db, rp = ch[1], ch[2], ch[4]
        mode = ch[5].type
        dests = tuple(t.value for t in ch[6:] if t.type == "STRING")
        return M.CreateSubscriptionStatement(name, db, rp, mode, dests)

    def drop_cq(self, ch):
        return M.DropContinuousQueryStatement(ch[1], ch[2])

    def drop_database(self, ch):
        return M.DropDatabaseStatement(ch[1])

    def drop_measurement(self, ch):
        return M.DropMeasurementStatement(ch[1])

    def drop_rp(self, ch):
        return M.DropRetentionPolicyStatement(ch[1], ch[2])

    def drop_series(self, ch):
        if len(ch) == 3:
            return S.DropSeriesStatement(self._no_db_rp(ch[1]), ch[2])
        return S.DropSeriesStatement(condition=ch[1])

    def drop_shard(self, ch):
        tok = ch[2]
        n = int(tok.value)
        if n > UINT64_MAX:
            fail_at(f'strconv.ParseUint: parsing "{tok.value}": value out of range', tok)
        return M.DropShardStatement(n)

    def drop_subscription(self, ch):
        return M.DropSubscriptionStatement(ch[1], ch[2], ch[4])

    def drop_user(self, ch):
        return M.DropUserStatement(ch[1])

    # ------------------------------------------------------------- users, privileges
    def privilege(self, ch):
        return ch[0].type

    def grant(self, ch):
        return M.GrantStatement(ch[1], ch[2], ch[4])

    def grant_admin(self, ch):
        return M.GrantAdminStatement(ch[-1])

    def revoke(self, ch):
        return M.RevokeStatement(ch[1], ch[2], ch[4])

    def revoke_admin(self, ch):
        return M.RevokeAdminStatement(ch[-1])

    def alter_rp_stmt(self, ch):
        name, db = ch[1], ch[2]
        seen = set()
        vals = {}
        for kw_tok, key, val, val_tok in ch[3:]:
            if key in seen:
                fail_at(f"found duplicate {key} option", kw_tok)
            if key == "SHARD" and val_tok.type == "INF":
                fail_at("invalid duration INF for shard duration", val_tok)
            seen.add(key)
            vals[key] = val
        return M.AlterRetentionPolicyStatement(
            name, db, vals.get("DURATION"), vals.get("REPLICATION"), vals.get("SHARD"),
            vals.get("DEFAULT", False))

    def rp_name(self, ch):
        c = ch[0]
        return "default" if isinstance(c, Token) else c

    def set_password_stmt(self, ch):
        return M.SetPasswordUserStatement(ch[2], ch[4].value)

    def kill_query_stmt(self, ch):
        tok = ch[1]
        n = int(tok.value)
        if n > UINT64_MAX:
            fail_at(f'strconv.ParseUint: parsing "{tok.value}": value out of range', tok)
        return M.KillQueryStatement(n, ch[2] if len(ch) > 2 else None)


def _pos(tok: Token) -> tuple[int, int]:
    return (tok.line or 1, tok.column or 1)


def _cast_type_token(cast: Token) -> Token:
    """The type name after ``::`` as its own token (errors point at it, as influxql does)."""
    name = cast.value[2:]
    up = name.upper()
    value = up if up in KEYWORDS else name
    return Token("IDENT", value, cast.start_pos + 2, cast.end_pos, cast.text)


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


def _is_aggregate(sel: S.SelectStatement) -> bool:
    """influxql IsRawQuery is False when any field contains a call."""
    stack = [f.expr for f in sel.fields]
    while stack:
        e = stack.pop()
        if isinstance(e, E.Call):
            return True
        if isinstance(e, E.BinaryExpr):
            stack += [e.lhs, e.rhs]
        elif isinstance(e, E.ParenExpr):
            stack.append(e.expr)
    return False


def _group_by_interval(sel: S.SelectStatement) -> tuple[int, str | None]:
    """(interval ns, error text) as influxql GroupByInterval computes them."""
    for d in sel.dimensions:
        e = d.expr
        if isinstance(e, E.Call) and e.name == "time":
            if not 1 <= len(e.args) <= 2:
                return 0, "time dimension expected 1 or 2 arguments"
            if not isinstance(e.args[0], E.DurationLiteral):
                return 0, "time dimension must have duration argument"
            return e.args[0].val, None
    return 0, None
