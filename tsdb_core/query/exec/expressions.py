"""InfluxQL expressions → Polars expressions (row level: fields, tags, literals, math, WHERE).

InfluxDB's arithmetic rules: integer ``/`` gives a float and ``x / 0`` is 0;
``%`` by zero is 0 for integers; bitwise operators only on integers; a string or
boolean in arithmetic is a type error; comparisons between incompatible types
are false. A tag missing from a series compares as ``''``.
"""
from __future__ import annotations

import numpy as np
import polars as pl

from ...base.errors import QueryError, RowError, UnsupportedType
from ...influxql import ast
from ...influxql import functions as F
from ...influxql.dialects import arith3
from ..functions.math import MATH_FUNCTIONS, math_expr
from ..analyze.condition_v1 import IS_NULL
from ..plan.nodes import MEASUREMENT_COLUMN, LoweredCall
from . import cast_trace
from .cast_trace import CastFailure

_PL_TYPES = {"float": pl.Float64, "integer": pl.Int64, "unsigned": pl.UInt64,
             "string": pl.String, "boolean": pl.Boolean, "tag": pl.String}
_NUMERIC = (pl.Float64, pl.Int64, pl.UInt64)
WRAP_U64 = "wrapping_i64_to_u64"  # InfluxDB 3's wrapping Int64 -> UInt64 cast (dialects/arith3.py)
CHECKED_CAST = "checked_cast"  # InfluxDB 3's CAST: out of range is an error (dialects/arith3.py)
CHECKED_REM = "%!"  # InfluxDB 3's %: an integer 0 divisor is an error, a float one NaN (dialects/arith3.py)
_ARROW_NAMES = {pl.Int64: "Int64", pl.UInt64: "UInt64", pl.Float64: "Float64"}


def _lit(e) -> pl.Expr:
    if isinstance(e, ast.IntegerLiteral):
        return pl.lit(e.val, dtype=pl.Int64)
    if isinstance(e, ast.UnsignedLiteral):
        return pl.lit(e.val, dtype=pl.UInt64)
    if isinstance(e, ast.NumberLiteral):  # a NaN one (influxdb1's folded log(0, 0)): null, as 1.x writes NaN
        return pl.lit(e.val if e.val == e.val else None, dtype=pl.Float64)
    if isinstance(e, (ast.DurationLiteral, ast.TimeLiteral)):
        return pl.lit(e.val, dtype=pl.Int64)
    if isinstance(e, ast.BooleanLiteral):
        return pl.lit(e.val, dtype=pl.Boolean)
    if isinstance(e, ast.StringLiteral):
        return pl.lit(e.val, dtype=pl.String)
    return pl.lit(None)


def dtype_of(e, schema) -> object:
    if isinstance(e, LoweredCall):
        return schema.get(e.column)
    if isinstance(e, ast.VarRef):
        if e.type in ("unknown", "tagarg"):
            return None
        if e.type in ("integer", "float", "unsigned", "string", "boolean") and e.name in schema:
            return _PL_TYPES[e.type]
        return schema.get(e.name)
    if isinstance(e, ast.IntegerLiteral):
        return pl.Int64
    if isinstance(e, ast.NumberLiteral):
        return pl.Float64
    if isinstance(e, ast.StringLiteral):
        return pl.String
    if isinstance(e, ast.BooleanLiteral):
        return pl.Boolean
    if isinstance(e, ast.ParenExpr):
        return dtype_of(e.expr, schema)
    if isinstance(e, ast.BinaryExpr):
        lt, rt = dtype_of(e.lhs, schema), dtype_of(e.rhs, schema)
        if e.op == "/" or pl.Float64 in (lt, rt):
            return pl.Float64
        return lt or rt
    if isinstance(e, ast.Call):
        if e.name == WRAP_U64:
            return pl.UInt64
        if e.name == CHECKED_CAST:
            return dtype_of(e.args[0], schema)
        if e.name in MATH_FUNCTIONS and e.name not in ("abs", "floor", "ceil", "round"):
            return pl.Float64
        return dtype_of(e.args[0], schema) if e.args else None
    return None


def ref_expr(e: ast.VarRef, schema) -> pl.Expr:
    col = pl.col(e.name)
    src = schema.get(e.name)
    if e.name not in schema or e.type in ("unknown", "tagarg"):
        return pl.lit(None, dtype=pl.Float64)
    if e.type in ("integer", "float", "unsigned", "string", "boolean"):
        want = _PL_TYPES[e.type]
        if src == want:
            return col
        if src in _NUMERIC and want in _NUMERIC:
            return col.cast(want, strict=False)
        return pl.lit(None, dtype=want)
    return col


def _no_zero_divisor(zero: pl.Series) -> pl.Series:
    """``zero`` unless a row divides by 0: arrow's rem fails then (ArrowError::DivideByZero),
    which InfluxDB 3 answers as a DataFusion error."""
    if zero.any():
        raise RowError("datafusion error: Arrow error: Divide by zero error")
    return zero


def _fmod(pair: pl.Series) -> pl.Series:
    """Rust's ``%`` on f64 (C's fmod: exact, the dividend's sign; NaN for a 0 divisor), nulls
    as NaN here (put back by :func:`_float_rem`)."""
    a, b = (pair.struct.field(n).cast(pl.Float64).to_numpy() for n in ("a", "b"))
    with np.errstate(invalid="ignore", divide="ignore"):
        return pl.Series(pair.name, np.fmod(a, b), dtype=pl.Float64)


def _float_rem(lhs: pl.Expr, rhs: pl.Expr) -> pl.Expr:
    """InfluxDB 3's ``%`` with a float operand: arrow's rem kernel on Float64 (``a % b``)."""
    pair = pl.struct(lhs.alias("a"), rhs.alias("b"))
    return pl.when(lhs.is_null() | rhs.is_null()).then(None).otherwise(
        pair.map_batches(_fmod, return_dtype=pl.Float64))


def _go_rem(lhs: pl.Expr, rhs: pl.Expr, dtype) -> pl.Expr:
    """InfluxDB 1.x's ``%``: Go's ``%`` on integers (truncated, exact; ``x % 0`` is 0, MinInt64 % -1
    is 0) and ``math.Mod`` on floats (C's fmod, exact at any magnitude), a NaN (``x % 0``,
    ``+Inf % 2``) null as 1.x writes it."""
    def rem(pair: pl.Series) -> pl.Series:
        a, b = (pair.struct.field(n).cast(dtype).fill_null(0).to_numpy() for n in ("a", "b"))  # (nulls: masked)
        with np.errstate(all="ignore"):
            out = np.fmod(a, b)
        return pl.Series(pair.name, out, dtype=dtype, nan_to_null=dtype == pl.Float64)
    pair = pl.struct(lhs.alias("a"), rhs.alias("b"))
    return pl.when(lhs.is_null() | rhs.is_null()).then(None).otherwise(pair.map_batches(rem, return_dtype=dtype))


def _checked_cast(ref: ast.VarRef, schema) -> pl.Expr:
    """``ref``'s numeric cast as arrow's CAST with safe off: the first value out of the target's
    range fails the query with arrow-cast try_numeric_cast's words."""
    src, want = schema.get(ref.name), _PL_TYPES[ref.type]
    if src not in _NUMERIC or src == want or ref.name not in schema:
        return ref_expr(ref, schema)

    def message(v) -> str:
        text = repr(v).replace("e+", "e").replace("e-0", "e-").replace("e0", "e") if src == pl.Float64 else v
        return f"datafusion error: Arrow error: Cast error: Can't cast value {text} to type {_ARROW_NAMES[want]}"

    def cast(s: pl.Series) -> pl.Series:
        out = s.cast(want, strict=False)
        bad = s.is_not_null() & out.is_null()
        if bad.any():
            raise CastFailure(message(s.filter(bad)[0]))  # (which one: cast_trace.first_failure)
        return out
    trace = cast_trace.TRACE.get()
    if trace is None:
        return pl.col(ref.name).map_batches(cast, return_dtype=want)
    order = trace.order_columns(schema, MEASUREMENT_COLUMN)

    def traced(rows: pl.Series) -> pl.Series:
        s = rows.struct.field(ref.name)
        out = s.cast(want, strict=False)
        bad = rows.filter(s.is_not_null() & out.is_null())
        if len(bad):
            bad = bad.struct.unnest()
            trace.record(bad.select(order).rows(), [message(v) for v in bad.get_column(ref.name)])
        return out
    return pl.struct([ref.name, *(c for c in order if c != ref.name)]).map_batches(traced, return_dtype=want)


def value_expr(e, schema) -> pl.Expr:
    """A row-level InfluxQL expression (fields, tags, literals, math) as Polars."""
    if isinstance(e, ast.VarRef):
        return ref_expr(e, schema)
    if isinstance(e, LoweredCall):  # a call's result, computed into a working column
        return pl.col(e.column) if e.column in schema else pl.lit(None, dtype=pl.Float64)
    if isinstance(e, ast.Literal):
        return _lit(e)
    if isinstance(e, ast.ParenExpr):
        return value_expr(e.expr, schema)
    if isinstance(e, ast.BinaryExpr):
        return _arith(e, schema)
    if isinstance(e, ast.Call) and e.name == WRAP_U64:
        return value_expr(e.args[0], schema).cast(pl.UInt64, wrap_numerical=True)
    if isinstance(e, ast.Call) and e.name == CHECKED_CAST:
        return _checked_cast(e.args[0], schema)
    if isinstance(e, ast.Call) and e.name == IS_NULL:
        return value_expr(e.args[0], schema).is_null()
    if isinstance(e, ast.Call) and e.name in MATH_FUNCTIONS:
        args = [value_expr(a, schema) for a in e.args]
        t = dtype_of(e.args[0], schema)
        if any(dtype_of(a, schema) in (pl.String, pl.Boolean) for a in e.args):
            return pl.lit(None, dtype=pl.Float64)  # influxd: math on a string or boolean is null, not an error
        arg_type = {pl.Int64: "integer", pl.UInt64: "unsigned", pl.Float64: "float"}.get(t)
        return math_expr(e.name, *args, arg_type=arg_type, keep_nan=isinstance(e, arith3.NanKept))
    raise UnsupportedType(f"unsupported expression: {e}")


def _arith(e: ast.BinaryExpr, schema) -> pl.Expr:
    lt, rt = dtype_of(e.lhs, schema), dtype_of(e.rhs, schema)
    lhs, rhs = value_expr(e.lhs, schema), value_expr(e.rhs, schema)
    op = e.op
    ints = lt in (pl.Int64, pl.UInt64) and rt in (pl.Int64, pl.UInt64)
    if op in ("+", "-", "*", "/", "%") and (lt in (pl.String, pl.Boolean) or rt in (pl.String, pl.Boolean)):
        return pl.lit(None)  # (influxd's check lets it pass beside a name of unknown type: nil)
    if op == "+":
        return lhs + rhs
    if op == "-":
        return lhs - rhs
    if op == "*":
        return lhs * rhs
    if op == "//":  # InfluxDB 3's UInt64 division (dialects/arith3.py): truncating, 0 by 0
        return pl.when((rhs == 0) & lhs.is_not_null()).then(pl.lit(0, dtype=pl.UInt64)).otherwise(lhs // rhs)
    if op == CHECKED_REM and pl.Float64 in (lt, rt):  # (an unsigned literal's dtype is None here)
        return _float_rem(lhs, rhs)
    if op == CHECKED_REM:
        rem = lhs % rhs if lt == pl.UInt64 else (lhs.abs() % rhs.abs()) * lhs.sign()  # Rust's %: sign of lhs
        zero = ((rhs == 0) & lhs.is_not_null()).map_batches(_no_zero_divisor, return_dtype=pl.Boolean)
        return pl.when(zero).then(None).otherwise(rem)
    if op == "/":
        # x / 0 is 0, but for a missing x (null)
        return pl.when((rhs == 0) & lhs.is_not_null()).then(pl.lit(0.0)).otherwise(
            lhs.cast(pl.Float64) / rhs.cast(pl.Float64))
    if op == "%" and ints and lt != rt:  # Int64 beside UInt64 (no influxd 1.6.7 answer): as before
        return pl.when(rhs == 0).then(pl.lit(0, dtype=pl.Int64)).otherwise(lhs - (lhs / rhs).cast(pl.Int64) * rhs)
    if op == "%":
        return _go_rem(lhs, rhs, lt if ints else pl.Float64)
    if op in ("&", "|", "^"):
        return _bitwise(op, lhs, rhs, lt, rt)
    return cond_expr(e, schema)


_BITWISE = {"&": pl.Expr.and_, "|": pl.Expr.or_, "^": pl.Expr.xor}


def _bitwise(op: str, lhs: pl.Expr, rhs: pl.Expr, lt, rt) -> pl.Expr:
    """``&``, ``|``, ``^`` as influxd's evalBinaryExpr: on integers (a side of unknown type null);
    with a boolean side, a null beside a boolean is false (``true ^ <null>`` is true), a boolean
    left side beside a value of another type false, anything else null."""
    fn = _BITWISE[op]
    if pl.Boolean in (lt, rt):
        lb = lhs if lt == pl.Boolean else pl.lit(None, dtype=pl.Boolean)
        rb = rhs if rt == pl.Boolean else pl.lit(None, dtype=pl.Boolean)
        l_other = lhs.is_not_null() if lt != pl.Boolean else pl.lit(False)
        r_other = rhs.is_not_null() if rt != pl.Boolean else pl.lit(False)
        return (pl.when(l_other | (lhs.is_null() & (rhs.is_null() | r_other))).then(None)
                .when(r_other).then(False).otherwise(fn(lb.fill_null(False), rb.fill_null(False))))
    if lt in (pl.Int64, pl.UInt64) and rt in (pl.Int64, pl.UInt64):
        return fn(lhs.cast(lt), rhs.cast(rt))
    return pl.lit(None)


_TYPE_NAMES = {pl.Float64: "float", pl.Int64: "integer", pl.UInt64: "unsigned",
               pl.String: "string", pl.Boolean: "boolean"}


def check_types(e, types: dict) -> None:
    """InfluxDB 3's operand check: no arithmetic on strings or booleans, bitwise operators on
    integers only (influxd's is analyze/types_v1.py)."""
    if isinstance(e, ast.ParenExpr):
        return check_types(e.expr, types)
    if isinstance(e, ast.Call):
        for a in e.args:
            check_types(a, types)
        return
    if isinstance(e, ast.BinaryExpr) and e.op in ("+", "-", "*", "/", "%", "&", "|", "^"):
        check_types(e.lhs, types)
        check_types(e.rhs, types)
        lt, rt = _type_name(e.lhs, types), _type_name(e.rhs, types)
        if {lt, rt} & {"string", "boolean", "tag"} or (e.op in ("&", "|", "^") and "float" in (lt, rt)):
            raise QueryError(f"type error: {e}: incompatible types: {lt} and {rt}")


def _type_name(e, types: dict) -> str | None:
    if isinstance(e, ast.ParenExpr):
        return _type_name(e.expr, types)
    if isinstance(e, ast.VarRef):
        return {"tag": "tag", "unknown": None, "tagarg": None}.get(e.type, e.type) if e.type else types.get(e.name)
    if isinstance(e, ast.IntegerLiteral):
        return "integer"
    if isinstance(e, ast.NumberLiteral):
        return "float"
    if isinstance(e, ast.StringLiteral):
        return "string"
    if isinstance(e, ast.BooleanLiteral):
        return "boolean"
    if isinstance(e, ast.Call):
        result = F.spec(e.name).result
        if result != "input":
            return result
        return _type_name(e.args[0], types) if e.args else None
    if isinstance(e, ast.BinaryExpr):
        lt, rt = _type_name(e.lhs, types), _type_name(e.rhs, types)
        return "float" if "float" in (lt, rt) or e.op == "/" else (lt or rt)
    return None


def cond_expr(e, schema, go_nan: bool = False) -> pl.Expr:
    """A WHERE condition (time comparisons already removed) as a Boolean expression.

    The one compiler from InfluxQL conditions to Polars: WHERE on points, and the tag
    predicates of SHOW/DROP SERIES/DELETE (meta/where.py rewrites those into untyped
    names compared with strings over a frame of String tag columns). ``go_nan``: a float
    NaN compares as in Go (only ``!=`` holds), not in Polars' total order (NaN above all).
    """
    if isinstance(e, ast.ParenExpr):
        return cond_expr(e.expr, schema, go_nan)
    if isinstance(e, ast.BooleanLiteral):
        return pl.lit(bool(e.val))
    if not isinstance(e, ast.BinaryExpr):
        return value_expr(e, schema).cast(pl.Boolean, strict=False)
    if e.op in ("AND", "OR"):
        lhs, rhs = cond_expr(e.lhs, schema, go_nan), cond_expr(e.rhs, schema, go_nan)
        return (lhs & rhs) if e.op == "AND" else (lhs | rhs)
    if e.op in ("=~", "!~"):
        return _regex_match(e, schema)
    if e.op in _COMPARE:
        out = _compare(e, schema)
        return _go_nan_compare(e, schema, out) if go_nan else out
    return value_expr(e, schema).cast(pl.Boolean, strict=False)


_COMPARE = {"=": pl.Expr.eq, "!=": pl.Expr.ne, "<>": pl.Expr.ne, "<": pl.Expr.lt,
            "<=": pl.Expr.le, ">": pl.Expr.gt, ">=": pl.Expr.ge}


def _go_nan_compare(e: ast.BinaryExpr, schema, out: pl.Expr) -> pl.Expr:
    """A comparison with a float NaN side as Go makes it: false, but for ``!=``."""
    sides = [_cond_side(x, schema) for x in (e.lhs, e.rhs) if _cond_type(x, schema) == pl.Float64]
    sides = [x for x in sides if x is not None]
    if not sides:
        return out
    nan = pl.any_horizontal([x.is_nan() for x in sides]).fill_null(False)
    return (out | nan) if e.op in ("!=", "<>") else (out & ~nan)


def _regex_match(e: ast.BinaryExpr, schema) -> pl.Expr:
    ref, rx = (e.lhs, e.rhs) if isinstance(e.rhs, ast.RegexLiteral) else (e.rhs, e.lhs)
    if not isinstance(rx, ast.RegexLiteral):
        return pl.lit(False)
    col = _cond_side(ref, schema)
    if col is None or _cond_type(ref, schema) not in (pl.String, None):
        return pl.lit(False)
    m = col.str.contains(rx.val)
    return m if e.op == "=~" else ~m


def _compare(e: ast.BinaryExpr, schema) -> pl.Expr:
    op = e.op
    if op in ("<", "<=", ">", ">=") and any(
            isinstance(x, ast.VarRef) and x.type == "tag" for x in (e.lhs, e.rhs)):
        return pl.lit(False)  # tags only compare for (in)equality and regexes
    if op in ("<", "<=", ">", ">=") and (_missing(e.lhs, schema) or _missing(e.rhs, schema)):
        return pl.lit(False)  # a name the source lacks is nil to influxd: no order
    lt, rt = _cond_type(e.lhs, schema), _cond_type(e.rhs, schema)
    if _incompatible(lt, rt):  # (an absent name is '' to influxd, and '' is no number)
        return pl.lit(False)  # Go's evalBinaryExpr: = and != alike are false between types
    lhs, rhs = _cond_side(e.lhs, schema), _cond_side(e.rhs, schema)
    if lhs is None or rhs is None:
        return pl.lit(False)
    return _COMPARE[op](lhs, rhs)


def _missing(e, schema) -> bool:
    """A name the source does not have (influxd compares it as a missing tag: '')."""
    return (isinstance(e, ast.VarRef) and e.type in ("tag", None, "unknown")
            and (e.type == "unknown" or e.name not in schema
                 or schema.get(e.name) == pl.Null))  # Null: a column of nothing


def _cond_type(e, schema):
    """dtype_of, where a name the source lacks compares as the empty string."""
    return pl.String if _missing(e, schema) else dtype_of(e, schema)


def _incompatible(a, b) -> bool:
    if a is None or b is None:
        return False
    group = lambda t: "n" if t in _NUMERIC else str(t)  # noqa: E731
    return group(a) != group(b)


def _cond_side(e, schema):
    if isinstance(e, ast.VarRef):
        if _missing(e, schema):
            return pl.lit("", dtype=pl.String)
        if e.name not in schema:
            return None
        col = ref_expr(e, schema)
        if schema.get(e.name) == pl.String and e.type in ("tag", None):
            return col.fill_null("")
        return col
    return value_expr(e, schema)
