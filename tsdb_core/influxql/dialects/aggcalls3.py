"""Which InfluxQL calls InfluxDB 3's aggregate plan draws, and how DataFusion prints each.

One row per function (``planner.rs`` expr_to_df_expr: the DataFusion aggregate each call
becomes, its result type), the fields a wildcard call expands over (rewriter.rs), and each
SELECT field as an expression tree over those aggregates (aggexpr3.py). Used by aggplan3.py.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from ...base import regex as linear_regex
from ..ast import expr as A
from . import aggexpr3 as X
from .showplan3 import Table

# InfluxQL name -> (DataFusion's name, result type: None = the field's type)
AGGREGATES = {"count": ("count", "Int64"), "mean": ("avg", "Float64"), "sum": ("sum", None),
              "median": ("median", None), "stddev": ("stddev", "Float64"), "spread": ("spread", None),
              "mode": ("mode", None)}
SELECTORS = ("first", "last", "min", "max")
PHYSICAL = ("count", "mean", "sum", "median", "stddev")  # the aggregates whose AggregateExec is drawn
TIMED = (*SELECTORS, "mode")  # called with the row's time too (selector_first(f, time), mode(f, time))
# rewriter.rs: the field types a wildcard call expands over (numbers, and more for some functions)
WILDCARD_TYPES = {fn: ("float", "integer", "unsigned", "string", "boolean") for fn in ("count", "first", "last", "mode")}
WILDCARD_TYPES.update({fn: ("float", "integer", "unsigned", "boolean") for fn in ("min", "max")})
ARROW = {"float": "Float64", "integer": "Int64", "unsigned": "UInt64", "string": "Utf8", "boolean": "Boolean"}
NUMERIC = ("Float64", "Int64", "UInt64")
_EPOCH = datetime(1970, 1, 1)


def fields(stmt, table, types, by_time: bool) -> list | None:
    """Each field's expression tree and column name (a wildcard call expanded over the fields
    its function takes, by name: rewriter.rs), names made unique as field_list_to_exprs does."""
    out = []
    for f in stmt.fields:
        e = f.expr
        if isinstance(e, A.Call) and len(e.args) == 1 and isinstance(e.args[0], (A.Wildcard, A.RegexLiteral)) \
                and f.alias is None:
            if isinstance(e.args[0], A.Wildcard) and e.args[0].type not in (None, "field"):
                return None
            pattern = linear_regex.compile(e.args[0].val) if isinstance(e.args[0], A.RegexLiteral) else None
            taken = WILDCARD_TYPES.get(e.name, ("float", "integer", "unsigned"))  # (a regex: planner tests
            for field in sorted(fk for fk in table.fields if types.get(fk) in taken  # wildcard_expressions-6, -7)
                                and (pattern is None or pattern.search(fk))):
                node = call(A.Call(e.name, (A.VarRef(field),)), table, types, by_time, stmt.fill)
                if node is None:
                    return None
                out.append((node, X.wildcard_name(e.name, field)))
            continue
        node = X.build(e, lambda c: call(c, table, types, by_time, stmt.fill))
        name = f.alias if f.alias is not None else X.field_name(e)
        if node is None or isinstance(node, X.Lit) or not name:
            return None
        out.append((node, name))
    return unique_names(out)


def unique_names(outs):
    """The fields with their names made unique as field_list_to_exprs does (``name_1``), or
    None when that still leaves two of one name."""
    names, unique = {}, []
    for node, name in outs:
        n = names.get(name, 0)
        names[name] = n + 1
        unique.append((node, name if n == 0 else f"{name}_{n}"))
    return unique if len({n for _, n in unique}) == len(unique) else None


def call(e, table: Table, types, by_time: bool, fill) -> X.Agg | None:
    """The aggregate a call becomes (None: not drawn): a numeric field's aggregate, count of
    any field, a selector (not under GROUP BY time with a linear fill, nor a value fill unless
    numeric), a distinct count, a percentile."""
    if isinstance(e, A.Call) and e.name == "percentile" and len(e.args) == 2 and fill not in ("value", "linear"):
        return _percentile(e, table, types)
    if isinstance(e, A.Call) and e.name == "count" and len(e.args) == 1:
        inner = e.args[0]  # count(DISTINCT f) and count(distinct(f)): planner.rs, a distinct count
        if isinstance(inner, A.Distinct):
            inner = A.Call("distinct", (A.VarRef(inner.val),))
        if isinstance(inner, A.Call) and inner.name == "distinct":
            if by_time or len(inner.args) != 1 or not isinstance(inner.args[0], A.VarRef):
                return None
            ref = inner.args[0]
            ok = ref.type in (None, "field") and ref.name in table.fields and ref.name in types
            return X.Agg("count", ref.name, "Int64", "DISTINCT") if ok else None
    if not isinstance(e, A.Call) or len(e.args) != 1 or not isinstance(e.args[0], A.VarRef):
        return None
    ref = e.args[0]
    if ref.type not in (None, "field") or ref.name not in table.fields or ref.name not in types:
        return None
    arrow = ARROW[types[ref.name]]
    if e.name in AGGREGATES:
        ok = e.name == "count" or arrow in NUMERIC or (e.name == "mode" and arrow in ("Utf8", "Boolean"))
        return X.Agg(e.name, ref.name, _type(e.name, types[ref.name]), arg=arrow) if ok else None
    if e.name in SELECTORS and not (by_time and fill == "linear"):
        # fill(<value>): number_to_scalar of a string or boolean struct is v3's internal error, not drawn
        ok = (e.name in ("first", "last") or arrow in NUMERIC) and not (by_time and fill == "value" and arrow not in NUMERIC)
        return X.Agg(e.name, ref.name, arrow) if ok else None
    return None


def struct_default(value: int | float, kind: str) -> str | None:
    """A selector's fill(<value>): util.rs number_to_scalar over its ``{value, time}`` struct
    (each field the value cast to its type: ``time`` a TimestampNanosecond of it, ``as i64``),
    as DataFusion's ScalarValue Display prints a struct (each field by arrow's display: a float
    by ryu, ``0.0``; a timestamp as ``%Y-%m-%dT%H:%M:%S%.f``). None where ``as i64`` saturates
    (not drawn). The snapshot ``selectors_aggregate_gby_time_gapfill.snap`` (planner.rs tests,
    FILL(0)) prints ``{value:0.0,time:1970-01-01T00:00:00}``; DataFusion 50.1 printed the same
    for a struct literal of (0.0, 0), and ``{value:0.00001,time:1970-01-01T00:00:00.000000001}``,
    ``{value:1e16,..}``, ``{value:3000.0,time:1970-01-01T00:00:00.000003}`` (by hand)."""
    if kind == "Float64":
        text = _ryu(float(value))
    else:
        text = str(int(value) % 2**64 if kind == "UInt64" else int(value))
    ns = int(value)  # Rust's ``as i64``: truncated toward zero
    if not -2**63 <= ns < 2**63:
        return None  # (saturated by ``as``: not drawn)
    seconds, frac = divmod(ns, 10**9)
    stamp = (_EPOCH + timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%S")
    if frac:
        digits = 3 if frac % 10**6 == 0 else 6 if frac % 1000 == 0 else 9
        stamp += f".{frac // 10 ** (9 - digits):0{digits}d}"
    return f"{{value:{text},time:{stamp}}}"


def _ryu(x: float) -> str:
    """ryu's Display of an f64 (arrow's): the shortest digits (Python's repr finds the same),
    without exponent from 1e-5 to below 1e16 (``.0`` on whole numbers), else ``de<n>``."""
    digits, k = repr(abs(x)), 0
    if "e" in digits:
        head, _, e = digits.partition("e")
        digits, k = head.replace(".", ""), int(e) - (len(head.split(".")[1]) if "." in head else 0)
    else:
        whole, _, frac = digits.partition(".")
        frac = frac.rstrip("0")
        digits, k = (whole + frac).lstrip("0") or "0", -len(frac)
    if digits != "0":
        stripped = digits.rstrip("0")
        k += len(digits) - len(stripped)
        digits = stripped
    n = len(digits)
    kk = n + k
    sign = "-" if str(x).startswith("-") else ""
    if digits == "0":
        return sign + "0.0"
    if 0 <= k and kk <= 16:
        return sign + digits + "0" * k + ".0"
    if 0 < kk <= 16:
        return sign + digits[:kk] + "." + digits[kk:]
    if -5 < kk <= 0:
        return sign + "0." + "0" * -kk + digits
    return sign + (digits if n == 1 else digits[0] + "." + digits[1:]) + f"e{kk - 1}"


def _percentile(e, table: Table, types) -> X.Agg | None:
    """percentile(<numeric field>, <number>) as an aggregate (planner.rs: the PERCENTILE
    aggregate over the field and the number as written, ``Int64(50)``)."""
    ref, n = e.args
    if not isinstance(ref, A.VarRef) or ref.type not in (None, "field") or ref.name not in table.fields:
        return None
    if types.get(ref.name) not in ("float", "integer", "unsigned") or not isinstance(n, (A.IntegerLiteral,
                                                                                          A.NumberLiteral)):
        return None
    param = f"Int64({n.val})" if isinstance(n, A.IntegerLiteral) else X.render(X.Lit(n.val, X.FLOAT), None)
    return X.Agg("percentile", ref.name, ARROW[types[ref.name]], param)


def aggr(m: str, fn: str, field: str, *, spaced: bool, param: str = "") -> str:
    """The aggregate as the Aggregate node prints it (``spaced``) or as its column's name."""
    if fn == "integral":  # the sum of integral_window's column, named as its placeholder call (winfunc3.py)
        return f"sum(integral({m}.{field}{',' + param if param else ''}))"
    if param == "DISTINCT":  # count(DISTINCT field)
        return f"{fn}(DISTINCT {m}.{field})"
    if param:  # percentile(field, N)
        return f"{fn}({m}.{field},{' ' if spaced else ''}{param})"
    if fn in TIMED:
        return f"{AGGREGATES[fn][0] if fn in AGGREGATES else 'selector_' + fn}({m}.{field},{' ' if spaced else ''}{m}.time)"
    return f"{AGGREGATES[fn][0]}({m}.{field})"


def coerced(m: str, a: X.Agg) -> str:
    """``a`` as the Aggregate node prints it after DataFusion's type_coercion: avg() reads an
    Int64 or UInt64 field cast to Float64, ``avg(CAST(m.f AS Float64))`` (Avg's coerce_types;
    DataFusion 50.1 via datafusion-python 50.1.0, once, by hand: the other aggregates keep
    their argument, the Projection above still names ``avg(m.f)``)."""
    if a.fn == "mean" and a.arg in ("Int64", "UInt64") and not a.param:
        return f"avg(CAST({m}.{a.field} AS Float64))"
    return aggr(m, a.fn, a.field, spaced=True, param=a.param)


def _type(fn: str, field_type: str) -> str:
    if fn in SELECTORS:
        return ARROW[field_type]
    kind = AGGREGATES[fn][1]
    return kind if kind is not None else ARROW[field_type]
