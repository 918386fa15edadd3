"""A SELECT field over aggregates (``mean(x) * 2``, ``abs(mean(x))``, ``count(x) + mean(x)``) as InfluxDB 3 plans it.

v3's planner (``planner.rs`` field_to_df_expr, arithmetic_expr_to_df_expr) maps each aggregate
call to its aggregate's output column and keeps the arithmetic as written (DataFusion's
binary_expr, no casts). DataFusion's analyzer then coerces the operands (type_coercion: an
Int64 or UInt64 side of an operator with a Float64 one is cast to Float64) and
simplify_expressions folds a cast literal and drops a ``* 1``; DataFusion 50.1 printed these
for the same expressions (once, by hand). Printing follows DataFusion's Display of a binary
expression: a child of lower precedence in parentheses. A division is v3's CASE
(planner_rewrite_expression.rs ``divide_carefully``: ``when(rhs = 0 AND lhs IS NOT NULL, 0)
.otherwise(lhs / rhs)``, both sides cast to Float64 first when both are Int64, a UInt64 zero
when both are UInt64); DataFusion 50.1 (datafusion-python 50.1.0, once, by hand, over v3's plan
shape) coerces only its comparison and division, folds a literal divisor's test to
``Boolean(false)`` (the CASE kept), drops ``IS NOT NULL`` of a literal or a count, and ``/ 1``.
An Int64 literal beside a UInt64 operand is v3's wrapping cast (``nvl(TRY_CAST(..))``, folded
to a UInt64 literal when simplified). A literal 0 (DataFusion 50.1): ``A * 0`` folds to 0 for a count (never
null, not a float), nothing else folds (``+ 0``, ``- 0``, a float's ``* 0``); a division by 0 tests
only ``lhs IS NOT NULL`` (``Boolean(true)`` for a count). Not drawn (None): an Int64 operand that is
no literal beside a UInt64 one (v3's planner refuses it), functions other than abs(), a divisor
that is neither a literal nor an aggregate's plain column (DataFusion's
common_sub_expression_eliminate extracts it: it is tested before the CASE and read after; drawn
in cse3.py where no division holds it, distinct ones each once), and a repeated cast, operation
or CASE (extracted likewise).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from dataclasses import field as _field

import numpy as np

from ..ast import expr as A
from .timerange3 import identifier

PRECEDENCE = {"+": 13, "-": 13, "*": 14, "/": 14}  # DataFusion's Operator::precedence (relative order)
FLOAT = "Float64"


@dataclass(frozen=True, slots=True)
class Agg:
    """One aggregate call's output column: InfluxQL function, field, Arrow type of the result,
    and a literal argument as DataFusion prints it (percentile's ``Int64(50)``; else empty)."""

    fn: str
    field: str
    kind: str
    param: str = ""
    arg: str = _field(default="", kw_only=True)  # the field's Arrow type (aggcalls3.coerced)


@dataclass(frozen=True, slots=True)
class Lit:
    """A number literal and its Arrow type (Int64 or Float64; UInt64: an Int64 literal ``wrapped``
    by v3 beside a UInt64 operand, planner_rewrite_expression.rs wrapping_i64_to_u64_cast)."""

    val: int | float
    kind: str
    wrapped: bool = False


@dataclass(frozen=True, slots=True)
class Op:
    """A binary arithmetic operation and its result's Arrow type."""

    op: str
    lhs: object
    rhs: object
    kind: str


@dataclass(frozen=True, slots=True)
class Func:
    """A scalar function of one argument over an aggregate expression (abs keeps the type)."""

    name: str
    arg: object
    kind: str


@dataclass(frozen=True, slots=True)
class Div:
    """``lhs / rhs`` as v3's planner writes it: a CASE giving 0 for a zero divisor (InfluxQL's
    rule), of Arrow type ``kind`` (Float64, or UInt64 for two UInt64 sides); ``widen``: both sides
    Int64, each cast to Float64 by the planner."""

    lhs: object
    rhs: object
    kind: str
    widen: bool = False


def build(e, aggregate) -> Agg | Lit | Op | Func | Div | None:
    """The expression tree of field expression ``e``; ``aggregate(call)`` gives an Agg for
    a drawn aggregate call (None: not drawn). None when ``e`` is not drawn."""
    e = A.unparen(e)
    if isinstance(e, A.IntegerLiteral):
        return Lit(e.val, "Int64")
    if isinstance(e, A.NumberLiteral):
        return Lit(e.val, FLOAT)
    if isinstance(e, A.Call) and e.name == "abs" and len(e.args) == 1:
        arg = build(e.args[0], aggregate)
        return None if arg is None or isinstance(arg, Lit) else Func("abs", arg, arg.kind)
    if isinstance(e, A.Call):
        return aggregate(e)
    if isinstance(e, A.BinaryExpr) and e.op in PRECEDENCE:
        lhs, rhs = build(e.lhs, aggregate), build(e.rhs, aggregate)
        if lhs is None or rhs is None or {lhs.kind, rhs.kind} - {"Int64", "UInt64", FLOAT}:
            return None
        if isinstance(lhs, Lit) and isinstance(rhs, Lit):
            return None
        if {lhs.kind, rhs.kind} == {"Int64", "UInt64"}:  # v3: a literal wrapped to UInt64, else an error
            lhs, rhs = _unsigned(lhs), _unsigned(rhs)
        kinds = {lhs.kind, rhs.kind}
        if kinds == {"Int64", "UInt64"}:
            return None
        if e.op == "/":
            return Div(lhs, rhs, "UInt64" if kinds == {"UInt64"} else FLOAT, kinds == {"Int64"})
        return Op(e.op, lhs, rhs, FLOAT if FLOAT in kinds else lhs.kind)
    return None


def _unsigned(side):
    """rewrite_binary_expr's mixed Int64/UInt64 arm: an Int64 literal beside a UInt64 operand
    becomes ``wrapping_i64_to_u64_cast(lit)``; anything else stays (v3's planner then refuses
    "cannot use ... between an integer and unsigned": not drawn)."""
    return Lit(side.val, "UInt64", wrapped=True) if isinstance(side, Lit) and side.kind == "Int64" else side


def aggregates(node) -> list[Agg]:
    """The aggregate calls of ``node``, left to right."""
    if isinstance(node, Agg):
        return [node]
    if isinstance(node, (Op, Div)):
        return aggregates(node.lhs) + aggregates(node.rhs)
    return aggregates(node.arg) if isinstance(node, Func) else []


def divisions(node) -> list[Div]:
    """The divisions of ``node``, outer ones first."""
    if isinstance(node, Div):
        return [node, *divisions(node.lhs), *divisions(node.rhs)]
    if isinstance(node, Op):
        return divisions(node.lhs) + divisions(node.rhs)
    return divisions(node.arg) if isinstance(node, Func) else []


def operations(node) -> list:
    """The operations, functions and divisions of ``node`` (each subtree more than a leaf), as
    :func:`_normal` keys: DataFusion's CSE takes ``a + b`` and ``b + a`` for one expression."""
    if isinstance(node, (Op, Div)):
        return [_normal(node), *operations(node.lhs), *operations(node.rhs)]
    return [_normal(node), *operations(node.arg)] if isinstance(node, Func) else []


def _normal(node):
    """``node`` with the sides of each ``+`` and ``*`` in one order (a hashable key)."""
    if isinstance(node, Op):
        sides = (_normal(node.lhs), _normal(node.rhs))
        return (node.op, node.kind, *(sorted(sides, key=repr) if node.op in "+*" else sides))
    if isinstance(node, Div):
        return ("/", node.kind, node.widen, _normal(node.lhs), _normal(node.rhs))
    return (node.name, _normal(node.arg)) if isinstance(node, Func) else node


def outer_divisions(node) -> list[Div]:
    """The divisions of ``node`` that no division holds (evaluated whatever a CASE's test gives)."""
    if isinstance(node, Div):
        return [node]
    if isinstance(node, Op):
        return outer_divisions(node.lhs) + outer_divisions(node.rhs)
    return outer_divisions(node.arg) if isinstance(node, Func) else []


def extracted(d: Div, column) -> bool:
    """Whether DataFusion extracts ``d``'s divisor (cse3.py): neither a literal nor a plain column
    (``column(agg)``) of the CASE's type."""
    rhs = d.rhs
    while isinstance(rhs, Op) and _identity(rhs):  # simplify_expressions leaves ``x`` of ``x * 1``
        rhs = rhs.rhs if isinstance(rhs.lhs, Lit) else rhs.lhs
    return not isinstance(rhs, Lit) and not (isinstance(rhs, Agg) and column(rhs) and rhs.kind == d.kind
                                             and not d.widen)


def divisor(d: Div, leaf, stage: str) -> str:
    """The text of ``d``'s divisor at ``stage`` (cast as the CASE reads it, no parentheses)."""
    return _operand(d.rhs, d, leaf, stage, alone=True)


def drawn_division(d: Div, column, by_time: bool) -> bool:
    """Whether DataFusion leaves ``d`` as :func:`render` prints it: its divisor a literal or a
    plain column (``column(agg)``: the aggregate's column, not a function of it) of the CASE's
    type (else the coerced divisor, tested first and read again, is extracted by
    common_sub_expression_eliminate); a count dividend's ``IS NOT NULL`` dropped only where the
    count is known not null (no GapFill: without GROUP BY time)."""
    if extracted(d, column):
        return False
    if isinstance(d.rhs, Lit) and d.rhs.val == 0 and not _not_null(d.lhs):  # its test reads the dividend
        return not d.widen and isinstance(d.lhs, Agg) and column(d.lhs)  # (else extracted)
    return (isinstance(d.rhs, Lit) and d.rhs.val != 0) or not (by_time and _not_null(d.lhs))


def zero_count_product(node) -> bool:
    """Whether ``node`` multiplies a count (never null but after GapFill) by 0, which DataFusion
    folds to ``Int64(0)`` (``A * 0`` is 0 when A is not null and not a float)."""
    if isinstance(node, Op):
        return _zero_product(node) or zero_count_product(node.lhs) or zero_count_product(node.rhs)
    if isinstance(node, Div):
        return zero_count_product(node.lhs) or zero_count_product(node.rhs)
    return zero_count_product(node.arg) if isinstance(node, Func) else False


def _zero_product(node: Op) -> bool:
    return node.op == "*" and node.kind == "Int64" and any(isinstance(one, Lit) and one.val == 0 and _not_null(other) and other.kind == "Int64"
                                  for one, other in ((node.lhs, node.rhs), (node.rhs, node.lhs)))


def field_name(e) -> str:
    """InfluxQL's name of a field: a call's name, an operation's call names joined by ``_``."""
    e = A.unparen(e)
    if isinstance(e, A.Call):
        return e.name
    if isinstance(e, A.BinaryExpr):
        return "_".join(n for n in (field_name(e.lhs), field_name(e.rhs)) if n)
    return ""


def wildcard_name(fn: str, field: str) -> str:
    """rewriter.rs: a wildcard call's field is named ``<fn>_<field>``, the field an
    ``Identifier`` as v3 prints it (``median_"with space"``, ``median_"from"``, ``median_true``:
    v3's keywords, not InfluxDB 1.x's, which add ``TRUE`` and ``FALSE``)."""
    return f"{fn}_{identifier(field)}"


def render(node, leaf, stage: str = "planner") -> str:
    """DataFusion's text of ``node`` with ``leaf(agg)`` for each aggregate's column, at
    ``stage``: the planner's (``planner``), after type_coercion (``coerced``), after
    simplify_expressions (``simplified``)."""
    if isinstance(node, Agg):
        return leaf(node)
    if isinstance(node, Lit):
        return _wrapped(node.val) if node.wrapped and stage != "simplified" else _lit(node.val, node.kind)
    if isinstance(node, Func):
        return f"{node.name}({render(node.arg, leaf, stage)})"
    if isinstance(node, Div):
        return _case(node, leaf, stage)
    if stage == "simplified" and _zero_product(node):
        return _lit(0, node.kind)  # DataFusion's simplifier: A * 0 is 0 for A never null, not a float
    if stage == "simplified":
        for one, other in ((node.lhs, node.rhs), (node.rhs, node.lhs)):
            if node.op == "*" and isinstance(one, Lit) and one.val == 1:
                return render(other, leaf, stage)  # DataFusion's simplifier: A * 1 is A
    sides = [_side(side, node, leaf, stage) for side in (node.lhs, node.rhs)]
    return f"{sides[0]} {node.op} {sides[1]}"


def _side(side, parent: Op, leaf, stage: str) -> str:
    text = render(side, leaf, stage)
    if stage != "planner" and parent.kind == FLOAT and side.kind != FLOAT:
        if stage == "simplified" and (isinstance(side, Lit) or (isinstance(side, Op) and _zero_product(side))):
            return _lit(float(side.val) if isinstance(side, Lit) else 0.0, FLOAT)
        return f"CAST({text} AS {FLOAT})"
    if isinstance(side, Op) and PRECEDENCE[side.op] < PRECEDENCE[parent.op] and not (
            stage == "simplified" and _identity(side)):
        return f"({text})"
    return text


def _case(node: Div, leaf, stage: str) -> str:
    """divide_carefully's CASE: the planner's; type_coercion casts the comparison's and the
    division's sides to the CASE's type (``IS NOT NULL`` takes any); simplify_expressions folds
    a literal's cast and test (``Float64(2) = Float64(0)`` is false, ``false AND x`` false,
    ``Int64(1) IS NOT NULL`` true and dropped, as a count's: never null) and ``x / 1``."""
    zero = _lit(0, node.kind)
    lhs, rhs = (_operand(side, node, leaf, stage) for side in (node.lhs, node.rhs))
    tested = _operand(node.lhs, node, leaf, stage, tested=True)
    compared = _operand(node.rhs, node, leaf, stage, alone=True)  # (``=`` binds looser than ``+``)
    if stage == "simplified" and isinstance(node.rhs, Lit) and node.rhs.val == 1:
        division = _operand(node.lhs, node, leaf, stage, alone=True)
    else:
        division = f"{lhs} / {rhs}"
    if stage != "simplified":
        return f"CASE WHEN {compared} = {zero} AND {tested} IS NOT NULL THEN {zero} ELSE {division} END"
    if isinstance(node.rhs, Lit) and node.rhs.val == 0:  # (0 = 0 is true, true AND x is x)
        test = "Boolean(true)" if _not_null(node.lhs) else f"{tested} IS NOT NULL"
    elif isinstance(node.rhs, Lit):
        test = "Boolean(false)"
    elif isinstance(node.lhs, Lit) or _not_null(node.lhs):
        test = f"{compared} = {zero}"
    else:
        test = f"{compared} = {zero} AND {tested} IS NOT NULL"
    return f"CASE WHEN {test} THEN {zero} ELSE {division} END"


def _operand(side, parent: Div, leaf, stage: str, tested: bool = False, alone: bool = False) -> str:
    """A side of a division: cast by the planner (``widen``) or by type_coercion (not where it is
    ``tested`` for null), a literal's cast folded when simplified, parenthesized under ``/``
    (not ``alone``: the dividend left of a division by 1, the divisor compared to 0)."""
    text = render(side, leaf, stage)
    cast = parent.widen or (stage != "planner" and not tested and side.kind != parent.kind)
    if cast and isinstance(side, Lit) and stage == "simplified":
        return _lit(float(side.val), FLOAT)
    if cast:
        return f"CAST({text} AS {FLOAT})"
    if not (tested or alone) and isinstance(side, Op) and PRECEDENCE[side.op] < PRECEDENCE["/"]:
        return f"({text})"
    return text


def _not_null(node) -> bool:
    """Known never null to DataFusion: a count, an operation of counts and literals."""
    if isinstance(node, Agg):
        return node.fn == "count"
    if isinstance(node, Op):
        return all(isinstance(s, Lit) or _not_null(s) for s in (node.lhs, node.rhs))
    return False


def _identity(node: Op) -> bool:
    return node.op == "*" and any(isinstance(s, Lit) and s.val == 1 for s in (node.lhs, node.rhs))


def _wrapped(val: int) -> str:
    """wrapping_i64_to_u64_cast(Int64(val)) as DataFusion prints it: ``nvl(try_cast(e, UInt64),
    lit(u64::MAX) - try_cast(e.neg(), UInt64))``; simplify_expressions folds it to
    ``UInt64(val)``, a negative one ``UInt64(u64::MAX + val)`` (DataFusion 50.1)."""
    return (f"nvl(TRY_CAST(Int64({val}) AS UInt64), UInt64(18446744073709551615) - "
            f"TRY_CAST((- Int64({val})) AS UInt64))")


def _lit(val, kind: str) -> str:
    """A ScalarValue as DataFusion prints it (Rust's f64 Display: no exponent, no ``.0``)."""
    if kind == FLOAT:
        return f"{FLOAT}({np.format_float_positional(float(val), trim='-')})"
    return f"{kind}({val if kind != 'UInt64' or val >= 0 else 2**64 - 1 + val})"  # u64::MAX - (-val): v3's wrap


def repeated(texts: list[str]) -> bool:
    """True when a cast, a CASE, a CASE's zero test, an operation or a function appears twice
    among ``texts`` (the field expressions, after simplification, that are more than an
    aggregate's column): DataFusion's common_sub_expression_eliminate would extract it (not
    drawn; two divisions by one column: DataFusion 50.1 extracts ``avg(..) = Float64(0)``)."""
    seen: set[str] = set()
    for text in texts:
        parts = [*_casts(text), *_cases(text), *_tests(text)]
        for part in parts if text in parts else [text, *parts]:  # (a text that is one CAST or CASE: once)
            if part in seen:
                return True
            seen.add(part)
    return False


def _tests(text: str) -> list[str]:
    """The zero tests ``<divisor> = <zero>`` of a printed expression's CASEs (the divisor a
    column, an alias or a literal: a longer one is extracted first)."""
    return re.findall(r"(?<=CASE WHEN )\S+ = (?:Float64|UInt64)\(0\)", text)


def _cases(text: str) -> list[str]:
    """The ``CASE ... END`` parts of a printed expression (nested ones too)."""
    out, starts = [], []
    for m in re.finditer(r"\bCASE WHEN\b|\bEND\b", text):
        if m.group() != "END":
            starts.append(m.start())
        elif starts:
            out.append(text[starts.pop():m.end()])
    return out


def _casts(text: str) -> list[str]:
    """The ``CAST(...)`` parts of a printed expression."""
    out, depth, start = [], 0, None
    for i, ch in enumerate(text):
        if start is None and text.startswith("CAST(", i):
            start, depth = i, 0
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if start is not None and depth == 0:
                out.append(text[start:i + 1])
                start = None
    return out
