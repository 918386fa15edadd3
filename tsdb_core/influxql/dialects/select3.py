"""InfluxDB 3's SELECT grammar as a recogniser: where, and in which words, v3's parser stops.

v3's parser (crate ``influxdb_influxql_parser``) is a chain of nom combinators; this follows
the same chain character by character, without building a tree. Three outcomes, as in nom:
a parser that does not match backs out (:class:`Back`: the caller tries something else, or
the clause is left out and its words become an unknown statement), one that has started and
then breaks stops the statement with its message (:class:`Fail`), and a ``cut`` that breaks
stops it with nom's own error (:class:`Cut`). Consulted only for statements a cheaper check
has already found wrong, so valid queries never run it. Message sources: select_syntax.py.
"""
from __future__ import annotations

import functools
import re
import zoneinfo

KEYWORDS = frozenset([  # keywords.rs KEYWORDS
    "ALL", "ALTER", "ANALYZE", "AND", "ANY", "AS", "ASC", "BEGIN", "BY", "CARDINALITY", "CREATE",
    "CONTINUOUS", "DATABASE", "DATABASES", "DEFAULT", "DELETE", "DESC", "DESTINATIONS", "DIAGNOSTICS",
    "DISTINCT", "DROP", "DURATION", "END", "EVERY", "EXACT", "EXPLAIN", "FIELD", "FOR", "FROM", "GRANT",
    "GRANTS", "GROUP", "GROUPS", "IN", "INF", "INSERT", "INTO", "KEY", "KEYS", "KILL", "LIMIT", "MEASUREMENT",
    "MEASUREMENTS", "NAME", "OFFSET", "OR", "ON", "ORDER", "PASSWORD", "POLICY", "POLICIES", "PRIVILEGES",
    "QUERIES", "QUERY", "READ", "REPLICATION", "RESAMPLE", "RETENTION", "REVOKE", "SELECT", "SERIES", "SET",
    "SHOW", "SHARD", "SHARDS", "SLIMIT", "SOFFSET", "STATS", "SUBSCRIPTION", "SUBSCRIPTIONS", "TAG", "TO",
    "USER", "USERS", "VALUES", "WHERE", "WITH", "WRITE",
])
_LONGEST_KEYWORD = max(map(len, KEYWORDS))
_ALPHA = re.compile(r"[A-Za-z]*")  # nom's alpha1 / alphanumeric1 on &str: ASCII only
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_DIGITS = re.compile(r"[0-9]*")
_PARAM = re.compile(r"[A-Za-z0-9_]*")
_RUN = {q: re.compile(f"[^{re.escape(q)}\\\\\n]*") for q in ("'", '"', "/")}  # a string's plain characters
_FOLLOW = frozenset(" \n\t;(),=!><+-/*|&^%")  # keywords.rs keyword_follow_char
_SPACE = frozenset(" \t\r\n")
_MATH = frozenset({"abs", "sin", "cos", "tan", "asin", "acos", "atan", "atan2", "exp", "log", "ln", "log2",
                   "log10", "sqrt", "pow", "floor", "ceil", "round"})  # functions.rs is_scalar_math_function
_UNITS = (("ns", 1), ("µ", 10**3), ("u", 10**3), ("ms", 10**6), ("s", 10**9), ("m", 60 * 10**9),
          ("h", 3600 * 10**9), ("d", 86400 * 10**9), ("w", 7 * 86400 * 10**9))  # literal.rs single_duration
_TYPES = ("FLOAT", "INTEGER", "UNSIGNED", "STRING", "BOOLEAN", "TAG", "FIELD")
I64, U64 = 2**63 - 1, 2**64 - 1

COMMENT = "invalid inline comment, missing closing */"  # common.rs comment_inline
UNTERMINATED_STRING = "unterminated string literal"  # string.rs
UNTERMINATED_REGEX = "unterminated regex literal"
ESCAPE = {"'": r"invalid escape sequence, expected \\, \' or \n",
          '"': r'invalid escape sequence, expected \\, \" or \n'}
OVERFLOW = "overflow"  # literal.rs single_duration map_fail("overflow", ...)
INTEGER_OVERFLOW = "unable to parse integer due to overflow"  # literal.rs integer_literal
UNSIGNED = "unable to parse unsigned integer"  # literal.rs unsigned_integer
SIGNED_OVERFLOW = "constant overflows signed integer"  # arithmetic.rs unary
UNARY = ("unexpected unary expression: expected literal integer, float, duration, field, function or "
         "parenthesis")  # arithmetic.rs unary
VAR_TYPE = ("invalid data type for tag or field reference, expected float, integer, unsigned, string, boolean, "
            "field, tag")  # arithmetic.rs var_ref
WILDCARD_TYPE = "invalid wildcard type specifier, expected TAG or FIELD"  # select.rs wildcard
DISTINCT = "invalid DISTINCT expression, expected identifier"  # select.rs FieldExpression
ALIAS = "invalid field alias, expected identifier"  # select.rs Field
WHERE_CALL = ("invalid expression, the only valid function calls are 'now' with no arguments, or scalar "
              "math functions")  # conditional.rs
NOW_CALL = "invalid expression, the only valid function call is 'now' with no arguments"  # select.rs
EXPECTED_REGEX = "invalid conditional, expected regular expression"  # conditional.rs
CONDITIONAL = "invalid conditional expression"
EXPECTED_FIELD = "invalid SELECT statement, expected field"  # select.rs field_list
INVALID_FROM = "invalid FROM clause, expected identifier, regular expression or subquery"
EXPECTED_BY = "invalid GROUP BY clause, expected BY"
DIMENSION = "invalid GROUP BY clause, expected wildcard, TIME, identifier or regular expression"
TIME_ARGUMENTS = "invalid TIME call, expected 1 or 2 arguments"
TIME_INTERVAL = "invalid TIME call, expected a duration for the interval"
TIME_CLOSE = "invalid TIME call, expected ')'"
FILL = "invalid FILL option, expected NULL, NONE, PREVIOUS, LINEAR, or a number"
ORDER = "invalid ORDER BY, expected ASC, DESC or TIME"  # common.rs order_by_clause
ORDER_TIME = "invalid ORDER BY, expected TIME column"
TZ = "invalid TZ clause, expected string"
TZ_UNKNOWN = "unable to find timezone"
# common.rs limit_clause / offset_clause, select.rs slimit_clause / soffset_clause (SOFFSET's
# message names SLIMIT in v3's source)
LIMITS = (("LIMIT", "invalid LIMIT clause, expected unsigned integer"),
          ("OFFSET", "invalid OFFSET clause, expected unsigned integer"),
          ("SLIMIT", "invalid SLIMIT clause, expected unsigned integer"),
          ("SOFFSET", "invalid SLIMIT clause, expected unsigned integer"))
FIELD, WHERE, INTERVAL, OFFSET_ARG = "field", "where", "interval", "offset"  # operand sets


class Back(Exception):
    """nom's recoverable error: this parser does not match at ``pos``."""

    def __init__(self, pos: int):
        self.pos = pos


class Fail(Exception):
    """A syntax failure with v3's message at ``pos``; ``message`` None is nom's own error of
    kind ``kind`` (a ``cut``)."""

    def __init__(self, message: str | None, pos: int, kind: str = "Char"):
        self.message, self.pos, self.kind = message, pos, kind


@functools.lru_cache(maxsize=1)
def _zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones()) | {"UTC"}


class Select3:
    """``select(i)`` → the offset where the statement ends, or raises Back / Fail."""

    def __init__(self, text: str):
        self.t, self.n = text, len(text)

    # -- lexical -------------------------------------------------------------------------------

    def ws0(self, i: int) -> int:
        t = self.t
        while i < self.n:
            if t[i] in _SPACE:
                i += 1
            elif t.startswith("--", i):
                while i < self.n and t[i] not in "\r\n":
                    i += 1
            elif t.startswith("/*", i):
                end = t.find("*/", i + 2)
                if end < 0:
                    raise Fail(COMMENT, i + 2)
                i = end + 2
            else:
                break
        return i

    def ws1(self, i: int) -> int:
        j = self.ws0(i)
        if j == i:
            raise Back(i)
        return j

    def char(self, i: int, c: str) -> int:
        if self.t.startswith(c, i):
            return i + len(c)
        raise Back(i)

    def keyword(self, i: int, word: str) -> int:
        j = i + len(word)
        if self.t[i:j].upper() == word and (j == self.n or self.t[j] in _FOLLOW):
            return j
        raise Back(i)

    def _alpha(self, i: int) -> int:
        return _ALPHA.match(self.t, i).end()

    def identifier(self, i: int) -> int:
        """identifier.rs identifier: whitespace, then a word that is not a keyword, or a quoted name."""
        i = self.ws0(i)
        if i < self.n and self.t[i] == '"':
            return self.quoted(i, '"')
        return self.unquoted(i)

    def unquoted(self, i: int) -> int:
        j = self._alpha(i)
        if 0 < j - i <= _LONGEST_KEYWORD and (j == self.n or self.t[j] in _FOLLOW) and self.t[i:j].upper() in KEYWORDS:
            raise Back(i)
        m = _WORD.match(self.t, i)
        if m is None:
            raise Back(i)
        return m.end()

    def quoted(self, i: int, q: str) -> int:
        """string.rs single_quoted_string / double_quoted_string."""
        i = self.char(i, q)
        while True:
            i = _RUN[q].match(self.t, i).end()
            if i >= self.n or self.t[i] != "\\":
                break
            if i + 1 >= self.n or self.t[i + 1] not in ("\\", q, "n"):
                raise Fail(ESCAPE[q], i + 1)
            i += 2
        if i < self.n and self.t[i] == q:
            return i + 1
        raise Fail(UNTERMINATED_STRING, i)

    def regex(self, i: int) -> int:
        """string.rs regex: ``\\/`` is a slash, any other backslash stays."""
        i = self.char(i, "/")
        while True:
            i = _RUN["/"].match(self.t, i).end()
            if i >= self.n or self.t[i] != "\\":
                break
            i += 2 if self.t.startswith("\\/", i) else 1
        if i < self.n and self.t[i] == "/":
            return i + 1
        raise Fail(UNTERMINATED_REGEX, i)

    # -- literals ------------------------------------------------------------------------------

    def digits(self, i: int) -> int:
        j = _DIGITS.match(self.t, i).end()
        if j == i:
            raise Back(i)
        return j

    def duration(self, i: int) -> int:
        """literal.rs duration: fragments of an i64 and a unit, each checked for overflow."""
        start, total = i, 0
        while True:
            try:
                j = self.digits(i)
            except Back:
                break
            value = int(self.t[i:j])
            unit = next(((u, f) for u, f in _UNITS if self.t.startswith(u, j)), None)
            if value > I64 or unit is None:
                break
            j += len(unit[0])
            if value * unit[1] > I64:
                raise Fail(OVERFLOW, j)
            total, i = total + value * unit[1], j
        if i == start:
            raise Back(start)
        return i

    def unsigned(self, i: int) -> int:
        j = self.digits(i)
        if int(self.t[i:j]) > U64:
            raise Fail(UNSIGNED, j)
        return j

    def float_(self, i: int) -> int:
        return self.digits(self.char(_DIGITS.match(self.t, i).end(), "."))

    def literal(self, i: int, regex: bool = False) -> tuple[int, str]:
        """literal.rs literal_no_regex (and literal with ``regex``): (end, kind)."""
        for kind, parse in (("float", self.float_), ("duration", self.duration)):
            try:
                return parse(i), kind
            except Back:
                pass
        try:
            j = self.digits(i)
        except Back:
            pass
        else:
            value = int(self.t[i:j])
            if value > U64:
                raise Fail(INTEGER_OVERFLOW, j)
            return j, "integer" if value <= I64 else "unsigned"
        if i < self.n and self.t[i] == "'":
            return self.quoted(i, "'"), "string"
        for word in ("TRUE", "FALSE"):
            try:
                return self.keyword(i, word), "boolean"
            except Back:
                pass
        if regex:
            return self.regex(i), "regex"
        raise Back(i)

    # -- arithmetic (expression/arithmetic.rs) ---------------------------------------------------

    def arithmetic(self, i: int, ops: str) -> tuple[int, str]:
        i, kind = self.term(i, ops)
        while True:
            j = self.ws0(i)
            if j >= self.n or self.t[j] not in "+-|^":
                return i, kind
            try:
                i, kind = self.term(j + 1, ops)  # cut(term): no backing out after the operator
            except Back:
                # nom reports the last alternative tried: a bind parameter's ``$`` (or, in
                # time(), an unsigned integer's digits), where the operand should start
                raise Fail(None, self.ws0(j + 1), "Digit" if ops == INTERVAL else "Char") from None
            kind = "binary"

    def term(self, i: int, ops: str) -> tuple[int, str]:
        i, kind = self.factor(i, ops)
        while True:
            j = self.ws0(i)
            if j >= self.n or self.t[j] not in "*/&%":
                return i, kind
            try:
                i, _ = self.factor(j + 1, ops)
            except Back:
                return i, kind
            kind = "binary"

    def factor(self, i: int, ops: str) -> tuple[int, str]:
        j = self.ws0(i)
        if j < self.n and self.t[j] in "+-":
            try:
                end, kind = self.factor(j + 1, ops)
            except Back:
                pass
            else:
                if self.t[j] == "+" or kind in ("float", "integer", "duration", "varref", "call", "nested",
                                                "param"):
                    return end, kind
                if kind == "unsigned":
                    if int(self.t[self.ws0(j + 1):end]) != I64 + 1:
                        raise Fail(SIGNED_OVERFLOW, end)
                    return end, "integer"
                raise Fail(UNARY, end)
        if j < self.n and self.t[j] == "(":
            try:
                end, _ = self.arithmetic(j + 1, ops)
                return self.char(self.ws0(end), ")"), "nested"
            except Back:
                pass
        return self.operand(i, ops)

    def operand(self, i: int, ops: str) -> tuple[int, str]:
        i = self.ws0(i)
        if ops == FIELD:
            return self.field_operand(i)
        if ops == INTERVAL:
            for parse, kind in ((self.duration, "duration"), (self.unsigned, "unsigned")):
                try:
                    return parse(i), kind
                except Back:
                    pass
            raise Back(i)
        if ops == OFFSET_ARG:
            return self.offset_operand(i)
        try:
            return self.literal(i)
        except Back:
            pass
        try:
            end, name, args = self.call(i, ops)
        except Back:
            return self.var_or_param(i)
        if not ((name == "now" and not args) or name in _MATH):
            raise Fail(WHERE_CALL, i)
        return end, "call"

    def field_operand(self, i: int) -> tuple[int, str]:
        try:
            j = self.ws1(self.keyword(i, "DISTINCT"))
        except Back:
            pass
        else:
            try:
                return self.identifier(j), "distinct"
            except Back:
                raise Fail(DISTINCT, j) from None
        if i < self.n and self.t[i] == "*":
            return self.type_spec(i + 1, ("TAG", "FIELD"), WILDCARD_TYPE), "wildcard"
        try:
            return self.literal(i, regex=True)
        except Back:
            pass
        try:
            return self.call(i, FIELD)[0], "call"
        except Back:
            return self.var_or_param(i)

    def offset_operand(self, i: int) -> tuple[int, str]:
        try:
            end, name, args = self.call(i, OFFSET_ARG)
        except Back:
            pass
        else:
            if name != "now" or args:
                raise Fail(NOW_CALL, i)
            return end, "call"
        try:
            return self.duration(i), "duration"
        except Back:
            pass
        if i < self.n and self.t[i] == "'":
            return self.quoted(i, "'"), "string"
        raise Back(i)

    def type_spec(self, i: int, words, message: str) -> int:
        if not self.t.startswith("::", i):
            return i
        for word in words:
            try:
                return self.keyword(i + 2, word)
            except Back:
                pass
        raise Fail(message, i + 2)

    def call(self, i: int, ops: str) -> tuple[int, str, int]:
        """arithmetic.rs call_expression: (end, lower-case name, number of arguments)."""
        try:
            j = self.unquoted(i)
        except Back:
            j = self.keyword(i, "DISTINCT")
        name = self.t[i:j].lower()
        j = self.char(self.ws0(j), "(")
        args = 0
        try:
            j, args = self.regex(self.ws0(j)), 1
        except Back:
            j, args = self._arguments(j, ops)
        k = self.ws0(j)
        if k < self.n and self.t[k] == ")":
            return k + 1, name, args
        raise Fail(None, k)  # cut(preceded(ws0, char(')')))

    def _arguments(self, j: int, ops: str) -> tuple[int, int]:
        args = 0
        while True:
            try:
                start = j if args == 0 else self.char(self.ws0(j), ",")
                j, args = self.arithmetic(start, ops)[0], args + 1
            except Back:
                return j, args

    def var_or_param(self, i: int) -> tuple[int, str]:
        if i < self.n and self.t[i] == "$":
            if i + 1 < self.n and self.t[i + 1] == '"':
                return self.quoted(i + 1, '"'), "param"
            j = _PARAM.match(self.t, i + 1).end()  # parameter.rs unquoted_parameter
            if j > i + 1:
                return j, "param"
            raise Back(i)
        return self.var_ref(i), "varref"

    def var_ref(self, i: int) -> int:
        return self.type_spec(self.segmented(i), _TYPES, VAR_TYPE)

    def segmented(self, i: int, name=None) -> int:
        """``[db.rp.|db..|rp.]name`` (arithmetic.rs segmented_identifier, common.rs
        qualified_measurement_name): the first prefix form that matches is kept."""
        return (name or self.identifier)(self._prefix(i))

    def _prefix(self, i: int) -> int:
        try:
            return self.char(self.identifier(self.char(self.identifier(i), ".")), ".")
        except Back:
            pass
        for sep in ("..", "."):
            try:
                return self.char(self.identifier(i), sep)
            except Back:
                pass
        return i

    # -- conditions (expression/conditional.rs) --------------------------------------------------

    def condition(self, i: int) -> int:
        """disjunction → conjunction → conditional → conditional_regex → expr_or_group."""
        return self._joined(i, "OR", lambda j: self._joined(j, "AND", self._compare))

    def _joined(self, i: int, word: str, inner) -> int:
        i = inner(i)
        while True:
            try:
                j = self.keyword(self.ws0(i), word)
            except Back:
                return i
            i = self._expect(CONDITIONAL, inner, j)

    def _compare(self, i: int) -> int:
        i = self._regex_match(i)
        while True:
            j = self.ws0(i)
            op = next((o for o in ("<=", ">=", "!=", "<>", "<", ">", "=") if self.t.startswith(o, j)), None)
            if op is None:
                return i
            i = self._expect(CONDITIONAL, self._regex_match, j + len(op))

    def _regex_match(self, i: int) -> int:
        i = self._expr_or_group(i)
        while True:
            j = self.ws0(i)
            if not (self.t.startswith("=~", j) or self.t.startswith("!~", j)):
                return i
            i = self._expect(EXPECTED_REGEX, lambda k: self.regex(self.ws0(k)), j + 2)

    def _expr_or_group(self, i: int) -> int:
        try:
            return self.arithmetic(i, WHERE)[0]
        except Back:
            pass
        j = self.char(self.ws0(i), "(")
        return self.char(self.ws0(self.condition(j)), ")")

    @staticmethod
    def _expect(message: str, parse, i: int):
        """internal.rs expect: backing out at ``i`` becomes a failure with ``message``."""
        try:
            return parse(i)
        except Back:
            raise Fail(message, i) from None

    # -- clauses (select.rs, common.rs) ------------------------------------------------------------

    def _list(self, i: int, item, message: str) -> int:
        """common.rs separated_list1: the first item is expected, later ones back out before
        their comma."""
        i = self._expect(message, lambda j: item(self.ws0(j)), i)
        while True:
            try:
                i = item(self.ws0(self.char(self.ws0(i), ",")))
            except Back:
                return i

    def field(self, i: int) -> int:
        i = self.arithmetic(i, FIELD)[0]
        try:
            j = self.keyword(self.ws0(i), "AS")
        except Back:
            return i
        return self._expect(ALIAS, self.identifier, j)

    def measurement(self, i: int) -> int:
        try:
            return self.segmented(i, lambda j: self._either(j, self.identifier, self.regex))
        except Back:
            pass
        j = self.ws0(self.char(self.ws0(i), "("))
        return self.char(self.ws0(self.select(j)), ")")

    @staticmethod
    def _either(i: int, *parsers) -> int:
        for parse in parsers:
            try:
                return parse(i)
            except Back:
                pass
        raise Back(i)

    def dimension(self, i: int) -> int:
        if i < self.n and self.t[i] == "*":
            return self.type_spec(i + 1, ("TAG", "FIELD"), WILDCARD_TYPE)
        try:
            j = self.keyword(i, "TIME")
        except Back:
            return self._either(i, self.regex, self.var_ref)
        j = self._expect(TIME_ARGUMENTS, lambda k: self.char(self.ws0(k), "("), j)
        j = self._expect(TIME_INTERVAL, lambda k: self.arithmetic(k, INTERVAL)[0], j)
        try:
            j = self.arithmetic(self.char(self.ws0(j), ","), OFFSET_ARG)[0]
        except Back:
            pass
        return self._expect(TIME_CLOSE, lambda k: self.char(self.ws0(k), ")"), j)

    def select(self, i: int) -> int:
        """select.rs select_statement: SELECT fields FROM ... then the optional clauses in order."""
        i = self.ws0(self.keyword(i, "SELECT"))
        i = self._list(i, self.field, EXPECTED_FIELD)
        j = self.ws0(self.keyword(self.ws0(i), "FROM"))
        i = self._list(j, self.measurement, INVALID_FROM)
        for clause in (self._where, self._group_by, self._fill, self._order_by, *self._limits(), self._tz):
            try:
                i = clause(self.ws0(i))
            except Back:
                pass
        return i

    def _where(self, i: int) -> int:
        return self.condition(self.ws0(self.keyword(i, "WHERE")))

    def _group_by(self, i: int) -> int:
        i = self.ws1(self.keyword(i, "GROUP"))
        i = self.ws1(self._expect(EXPECTED_BY, lambda k: self.keyword(k, "BY"), i))
        return self._list(i, self.dimension, DIMENSION)

    def _fill(self, i: int) -> int:
        i = self.char(self.ws0(self.keyword(i, "FILL")), "(")
        i = self._expect(FILL, lambda k: self._fill_option(self.ws0(k)), i)
        return self.char(self.ws0(i), ")")

    def _fill_option(self, i: int) -> int:
        for word in ("NULL", "NONE"):
            try:
                return self.keyword(i, word)
            except Back:
                pass
        j = i + (i < self.n and self.t[i] in "+-")
        try:
            j = self.ws0(j)
            return self._either(j, self.float_, self._signed)
        except Back:
            pass
        return self._either(i, lambda k: self.keyword(k, "PREVIOUS"), lambda k: self.keyword(k, "LINEAR"))

    def _signed(self, i: int) -> int:
        j = self.digits(i)
        if int(self.t[i:j]) > I64:
            raise Back(i)  # literal.rs integer: map_error, so it backs out
        return j

    def _order_by(self, i: int) -> int:
        i = self.keyword(self.ws1(self.keyword(i, "ORDER")), "BY")
        return self._expect(ORDER, self._order, i)

    def _order(self, i: int) -> int:
        j = self.ws1(i)
        try:
            return self._either(j, lambda k: self.keyword(k, "ASC"), lambda k: self.keyword(k, "DESC"))
        except Back:
            pass
        end = self.identifier(j)
        if self.t[j:end].strip('"').lower() != "time":
            raise Fail(ORDER_TIME, j)
        try:
            k = self.ws1(end)
            return self._either(k, lambda m: self.keyword(m, "ASC"), lambda m: self.keyword(m, "DESC"))
        except Back:
            return end

    def _limits(self):
        return [functools.partial(self._limit, word, message) for word, message in LIMITS]

    def _limit(self, word: str, message: str, i: int) -> int:
        i = self.ws1(self.keyword(i, word))
        return self._expect(message, self.unsigned, i)

    def _tz(self, i: int) -> int:
        i = self.char(self.ws0(self.keyword(i, "TZ")), "(")
        i = self._expect(TZ, lambda k: self._zone(self.ws0(k)), i)
        return self.char(self.ws0(i), ")")

    def _zone(self, i: int) -> int:
        if i >= self.n or self.t[i] != "'":
            raise Back(i)
        j = self.quoted(i, "'")
        if self.t[i + 1:j - 1] not in _zones():
            raise Fail(TZ_UNKNOWN, j)
        return j
