"""InfluxQL expression nodes (influxql's ast.go names, Python spelling).

Every node is a frozen, slotted dataclass, hashable and comparable by value;
``str(node)`` prints canonical InfluxQL that parses back to an equal node.
Binary expressions print without added parentheses, as influxql does: the
parser keeps explicit parentheses as :class:`ParenExpr`, so parsed trees
round-trip; hand-built trees must add ``ParenExpr`` where precedence needs it.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Union

from ...base.time import format_duration, format_rfc3339
from ..parser.lexing import format_float, quote_ident, quote_regex, quote_string

# Operator precedence (influxql token.go): higher binds tighter; all left-associative.
PRECEDENCE = {
    "OR": 1, "AND": 2,
    "=": 3, "!=": 3, "=~": 3, "!~": 3, "<": 3, "<=": 3, ">": 3, ">=": 3,
    "+": 4, "-": 4, "|": 4, "^": 4,
    "*": 5, "/": 5, "%": 5, "&": 5,
}
COMPARISON_OPS = frozenset(("=", "!=", "=~", "!~", "<", "<=", ">", ">="))
REGEX_OPS = frozenset(("=~", "!~"))
ARITHMETIC_OPS = frozenset(("+", "-", "*", "/", "%", "&", "|", "^"))

# VarRef/Wildcard casts accepted after ``::`` (influxql DataType names).
DATA_TYPES = ("float", "integer", "unsigned", "string", "boolean", "field", "tag")


class Node:
    """Root of every AST node (expressions, clauses, statements)."""

    __slots__ = ()


class Expr(Node):
    """An expression: literal, reference, call, binary or parenthesised expression."""

    __slots__ = ()


class Literal(Expr):
    """A constant value; ``val`` holds the Python value."""

    __slots__ = ()


@dataclass(frozen=True, slots=True)
class NumberLiteral(Literal):
    """A float literal (``1.5``); InfluxQL has no exponent syntax."""

    val: float

    def __str__(self) -> str:
        return format_float(self.val)


@dataclass(frozen=True, slots=True)
class IntegerLiteral(Literal):
    """A signed 64-bit integer literal (``42``; ``-42`` once unary minus is folded)."""

    val: int

    def __str__(self) -> str:
        return str(self.val)


@dataclass(frozen=True, slots=True)
class UnsignedLiteral(Literal):
    """An integer literal above 2**63-1 (the parser only makes one for such values)."""

    val: int

    def __str__(self) -> str:
        return str(self.val)


@dataclass(frozen=True, slots=True)
class StringLiteral(Literal):
    """A single-quoted string (``'a\\'b'``); time strings stay strings until analysis."""

    val: str

    def __str__(self) -> str:
        return quote_string(self.val)


@dataclass(frozen=True, slots=True)
class BooleanLiteral(Literal):
    """``true`` / ``false``."""

    val: bool

    def __str__(self) -> str:
        return "true" if self.val else "false"


@dataclass(frozen=True, slots=True)
class DurationLiteral(Literal):
    """A duration in integer nanoseconds (``1h30m`` -> 5_400_000_000_000)."""

    val: int

    def __str__(self) -> str:
        return format_duration(self.val)


@dataclass(frozen=True, slots=True)
class TimeLiteral(Literal):
    """An absolute time, integer ns since the epoch (UTC).

    The parser never makes one (time strings are :class:`StringLiteral`); the
    analysis step converts them. Prints as a quoted RFC3339Nano string.
    """

    val: int

    def __str__(self) -> str:
        return quote_string(format_rfc3339(self.val))


@dataclass(frozen=True, slots=True)
class RegexLiteral(Literal):
    """``/pattern/``; ``val`` is the pattern with ``\\/`` already unescaped to ``/``."""

    val: str

    def __str__(self) -> str:
        return quote_regex(self.val)


@dataclass(frozen=True, slots=True)
class ListLiteral(Literal):
    """An identifier list, only in ``SHOW TAG VALUES WITH KEY IN (a, b)``."""

    vals: tuple[str, ...]

    def __str__(self) -> str:
        return "(" + ", ".join(quote_ident(v) for v in self.vals) + ")"


@dataclass(frozen=True, slots=True)
class NilLiteral(Literal):
    """The null value; not in the language, used internally (prints ``nil``)."""

    def __str__(self) -> str:
        return "nil"


@dataclass(frozen=True, slots=True)
class BoundParameter(Expr):
    """``$name`` left unsubstituted because no params were given.

    Executing a statement that still holds one fails with
    ``missing parameter: <name>``.
    """

    name: str

    def __str__(self) -> str:
        return "$" + quote_ident(self.name)


@dataclass(frozen=True, slots=True)
class VarRef(Expr):
    """A reference to a field, tag or ``time``, optionally cast with ``::type``.

    ``type`` is None or one of :data:`DATA_TYPES` (``'float'``, ``'integer'``,
    ``'unsigned'``, ``'string'``, ``'boolean'``, ``'field'``, ``'tag'``).
    """

    name: str
    type: Optional[str] = None

    def __str__(self) -> str:
        s = quote_ident(self.name)
        return f"{s}::{self.type}" if self.type else s


@dataclass(frozen=True, slots=True)
class Call(Expr):
    """A function call; the parser lower-cases ``name`` (``MEAN(x)`` is ``mean(x)``, as in influxql)."""

    name: str
    args: tuple[Expr, ...] = ()

    def __str__(self) -> str:
        return f"{self.name}({', '.join(str(a) for a in self.args)})"


@dataclass(frozen=True, slots=True)
class Distinct(Expr):
    """``DISTINCT field`` (the keyword form; ``distinct(field)`` is a :class:`Call`)."""

    val: str

    def __str__(self) -> str:
        return f"DISTINCT {quote_ident(self.val)}"


@dataclass(frozen=True, slots=True)
class BinaryExpr(Expr):
    """``lhs op rhs``; ``op`` is the operator text upper-cased for AND/OR
    (``'+'``, ``'='``, ``'=~'``, ``'AND'``, ``'OR'``, ``'&'`` ...)."""

    op: str
    lhs: Expr
    rhs: Expr

    def __str__(self) -> str:
        spine = []  # walk the left spine iteratively: long a+b+c+... chains are left-deep
        node = self
        while type(node) is BinaryExpr:
            spine.append(node)
            node = node.lhs
        out = str(node)
        for b in reversed(spine):
            out = f"{out} {b.op} {b._rhs_text()}"
        return out

    def _rhs_text(self) -> str:
        rhs = self.rhs
        if type(rhs) is BinaryExpr and PRECEDENCE[rhs.op] <= PRECEDENCE[self.op]:
            unary = unary_text(rhs)
            if unary is not None:
                return unary
        return str(rhs)


def unary_text(e: BinaryExpr) -> str | None:
    """``-x``/``+x`` for the ``(-1|1) * x`` node influxql's parser makes from a unary sign.

    Printed in unary form only where ``-1 * x`` would re-associate (as the
    right operand of ``*``, ``/``, ``%``, ``&``), so that printing round-trips.
    """
    lhs = e.lhs
    if (e.op == "*" and type(lhs) is IntegerLiteral and lhs.val in (1, -1)
            and type(e.rhs) in (VarRef, Call, ParenExpr)):
        return ("-" if lhs.val < 0 else "+") + str(e.rhs)
    return None


@dataclass(frozen=True, slots=True)
class ParenExpr(Expr):
    """Explicit parentheses, kept so that printing reproduces the grouping."""

    expr: Expr

    def __str__(self) -> str:
        return f"({self.expr})"


def unparen(e):
    """The expression inside any parentheses: they group, and change nothing a pass matches on."""
    while isinstance(e, ParenExpr):
        e = e.expr
    return e


@dataclass(frozen=True, slots=True)
class Wildcard(Expr):
    """``*``, ``*::field`` or ``*::tag`` (``type`` None, ``'field'`` or ``'tag'``)."""

    type: Optional[str] = None

    def __str__(self) -> str:
        return f"*::{self.type}" if self.type else "*"


# --- clauses shared by several statements -------------------------------------


@dataclass(frozen=True, slots=True)
class Field(Node):
    """One SELECT column: an expression and its optional ``AS alias``."""

    expr: Expr
    alias: Optional[str] = None

    def __str__(self) -> str:
        return f"{self.expr} AS {quote_ident(self.alias)}" if self.alias is not None else str(self.expr)


@dataclass(frozen=True, slots=True)
class Dimension(Node):
    """One GROUP BY item: ``time(...)`` call, tag :class:`VarRef`, :class:`Wildcard`
    or :class:`RegexLiteral`."""

    expr: Expr

    def __str__(self) -> str:
        return str(self.expr)


@dataclass(frozen=True, slots=True)
class SortField(Node):
    """One ORDER BY item; ``name`` None means a bare ``ASC``/``DESC``.

    Only ``time`` is executable (the engine reports
    ``only ORDER BY time supported at this time`` otherwise)."""

    name: Optional[str] = None
    ascending: bool = True

    def __str__(self) -> str:
        d = "ASC" if self.ascending else "DESC"
        return f"{quote_ident(self.name)} {d}" if self.name is not None else d


@dataclass(frozen=True, slots=True)
class Measurement(Node):
    """A FROM/INTO source: ``db.rp.name``, ``db..name``, ``rp.name`` or a ``/regex/``.

    Exactly one of ``name`` / ``regex`` is set for a source. For an INTO target
    both are None when written ``:MEASUREMENT`` (back-reference to the source
    measurement name).
    """

    database: Optional[str] = None
    retention_policy: Optional[str] = None
    name: Optional[str] = None
    regex: Optional[RegexLiteral] = None

    def __str__(self) -> str:
        out = ""
        if self.database is not None:
            out = quote_ident(self.database) + "."
        if self.retention_policy is not None:
            out += quote_ident(self.retention_policy)
        if self.database is not None or self.retention_policy is not None:
            out += "."
        if self.name is not None:
            out += quote_ident(self.name)
        elif self.regex is not None:
            out += str(self.regex)
        return out


@dataclass(frozen=True, slots=True)
class SubQuery(Node):
    """``(SELECT ...)`` used as a FROM source."""

    statement: "SelectStatement"  # noqa: F821 (defined in ast_select)

    def __str__(self) -> str:
        return f"({self.statement})"


Source = Union[Measurement, SubQuery]


@dataclass(frozen=True, slots=True)
class Target(Node):
    """``INTO measurement``; ``measurement.name`` None means ``:MEASUREMENT``."""

    measurement: Measurement

    def __str__(self) -> str:
        m = self.measurement
        if m.name is None and m.regex is None:
            return f"INTO {m}:MEASUREMENT"
        return f"INTO {m}"


def join(items) -> str:
    """Comma-join printed nodes (fields, sources, dimensions, sort fields)."""
    return ", ".join(str(i) for i in items)
