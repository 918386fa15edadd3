"""InfluxQL expressions as InfluxDB 3 prints them in its messages: Rust's ``{:?}`` of its
expression tree (crate ``influxdb_influxql_parser``, ``expression/arithmetic.rs`` Expr) and
the ``Display`` of its durations (``literal.rs`` Duration)."""
from __future__ import annotations

from ..ast import expr as A

_OPS = {"+": "Add", "-": "Sub", "*": "Mul", "/": "Div", "%": "Mod", "&": "BitwiseAnd", "|": "BitwiseOr",
        "^": "BitwiseXor"}  # arithmetic.rs BinaryOperator
_TYPES = {"float": "Float", "integer": "Integer", "unsigned": "Unsigned", "string": "String",
          "boolean": "Boolean", "tag": "Tag", "field": "Field"}  # VarRefDataType
_DIVISORS = ((7 * 86400 * 10**9, "w"), (86400 * 10**9, "d"), (3600 * 10**9, "h"), (60 * 10**9, "m"),
             (10**9, "s"), (10**6, "ms"), (10**3, "u"), (1, "ns"))


def string(s: str) -> str:
    """Rust's ``{:?}`` of a string."""
    if s.isprintable() and '"' not in s and "\\" not in s:
        return f'"{s}"'  # nothing to escape: the common case, and long texts stay quick
    out = []
    for ch in s:
        if ch in ('"', "\\"):
            out.append("\\" + ch)
        elif ch in "\n\r\t":
            out.append({"\n": "\\n", "\r": "\\r", "\t": "\\t"}[ch])
        elif ch == "'" or ch.isprintable():
            out.append(ch)
        else:
            out.append(f"\\u{{{ord(ch):x}}}")
    return '"' + "".join(out) + '"'


def _float(v: float) -> str:
    text = repr(float(v))
    return text.replace("e+", "e") if "e" in text else text


def duration(ns: int) -> str:
    """literal.rs ``impl Display for Duration``: units strictly smaller than the value."""
    sign, v = ("-", -ns) if ns < 0 else ("", ns)
    if v == 0:
        return "0s"
    out, rest = [], v
    for div, unit in _DIVISORS:
        if v > div and rest // div > 0:
            out.append(f"{rest // div}{unit}")
            rest -= rest // div * div
    return sign + "".join(out)


def debug(e) -> str:
    """Rust's ``{:?}`` of the v3 expression ``e`` stands for."""
    if isinstance(e, A.VarRef):
        kind = f"Some({_TYPES[e.type.lower()]})" if e.type else "None"
        return f"VarRef(VarRef {{ name: Identifier({string(e.name)}), data_type: {kind} }})"
    if isinstance(e, A.Call):
        return f"Call(Call {{ name: {string(e.name.lower())}, args: [{', '.join(debug(a) for a in e.args)}] }})"
    if isinstance(e, A.BinaryExpr):
        return f"Binary(Binary {{ lhs: {debug(e.lhs)}, op: {_OPS.get(e.op, e.op)}, rhs: {debug(e.rhs)} }})"
    if isinstance(e, A.ParenExpr):
        return f"Nested({debug(e.expr)})"
    if isinstance(e, A.Wildcard):
        return f"Wildcard({'Some(' + e.type.capitalize() + ')' if e.type else 'None'})"
    if isinstance(e, A.Distinct):
        return f"Distinct(Identifier({string(e.val)}))"
    return f"Literal({_literal(e)})"


def _literal(e) -> str:
    if isinstance(e, A.BooleanLiteral):
        return f"Boolean({'true' if e.val else 'false'})"
    if isinstance(e, A.IntegerLiteral):
        return f"Integer({e.val})"
    if isinstance(e, A.UnsignedLiteral):
        return f"Unsigned({e.val})"
    if isinstance(e, A.NumberLiteral):
        return f"Float({_float(e.val)})"
    if isinstance(e, A.StringLiteral):
        return f"String({string(e.val)})"
    if isinstance(e, A.DurationLiteral):
        return f"Duration(Duration({e.val}))"
    if isinstance(e, A.RegexLiteral):
        return f"Regex(Regex({string(e.val)}))"
    return repr(e)
