"""fill() over a row's missing values: what influxd 1.6.7's iterator scanner does.

influxd reads each output row's selected names (fields and tags, raw rows or next to a
selector) from its iterators into a map; a name the row lacks gets the fill value cast to
the name's type (``castToType`` in query/cast.go: a float becomes an integer by
truncation, a number stays a number where the name is a tag, a string or a boolean), and
``fill(previous)`` leaves the map's value from the series' previous row (the map is
cleared at each new series). Other fills leave the name null.

Here: numeric columns take the cast value in the frame; a text or boolean column cannot
hold a number, so its filled cells are written into the answer's rows
(:func:`mixed_cells`, :func:`patch_rows`).
"""
from __future__ import annotations

import polars as pl

from ...influxql import ast
from ...influxql.ast.visit import transform
from .number_scalar import number_to_scalar
from ..plan.nodes import SelectPlan, output_column

_INTEGERS = (pl.Int64, pl.Int32, pl.Int16, pl.Int8)


def cast_fill(value, dtype):
    """The fill value as influxd casts it for a column of ``dtype``; None where the column
    cannot hold it (text, boolean: the number itself is answered)."""
    if dtype in _INTEGERS:
        return int(value)  # Go's int64(float64) truncates toward zero
    if dtype == pl.UInt64:
        return int(value) % (1 << 64)
    if dtype in (pl.Float64, pl.Float32):
        return float(value)
    if dtype == pl.Null:
        return value  # a name of no known type: the value as written
    return None


def prefill_refs(lf: pl.LazyFrame, schema: dict, refs: list[str], value, cast=cast_fill) -> pl.LazyFrame:
    """Fill the numeric columns an expression reads before it is computed (``usage + 1``
    over a row without usage is ``value + 1`` in influxd); ``cast``: the value as a type."""
    fills = []
    for name in refs:
        dtype = schema.get(name)
        v = cast(value, dtype) if dtype is not None and dtype != pl.Null else None
        if v is not None:
            fills.append(pl.col(name).fill_null(v))
    return lf.with_columns(fills) if fills else lf


def _aux_columns(plan: SelectPlan, df: pl.DataFrame) -> list[str]:
    return [output_column(i) for i, c in enumerate(plan.columns)
            if isinstance(c.expr, ast.VarRef) and output_column(i) in df.columns]


def fill_aux(plan: SelectPlan, df: pl.DataFrame, keys: list[str]) -> pl.DataFrame:
    """The selected names of the final rows (after LIMIT/OFFSET: influxd's scanner reads
    the rows its iterators emit) filled as the statement's fill() says."""
    if plan.fill not in ("value", "previous") or not df.height:
        return df
    cols = _aux_columns(plan, df)
    if not cols:
        return df
    if plan.fill == "previous":
        return df.with_columns([pl.col(c).forward_fill().over(keys) for c in cols])
    fills = []
    for c in cols:  # influxdb3: SeriesLimit's defaults (number_to_scalar: text and boolean NULL)
        cast = number_to_scalar if plan.emulates_v3 else cast_fill
        v = cast(plan.fill_value, df.schema[c])
        if v is not None:
            fills.append(pl.col(c).fill_null(v))
    return df.with_columns(fills) if fills else df


def mixed_cells(plan: SelectPlan, frame: pl.DataFrame) -> dict[int, object]:
    """{position in the answer's row: value} for the text and boolean columns fill(<number>)
    writes a number into (position 0 is time); none under influxdb3 (number_to_scalar: NULL)."""
    if plan.fill != "value" or plan.omit_time or plan.emulates_v3:
        return {}
    out = {}
    for i, c in enumerate(plan.columns):
        col = output_column(i)
        if isinstance(c.expr, ast.VarRef) and col in frame.columns \
                and frame.schema[col] in (pl.String, pl.Boolean) and frame[col].null_count():
            out[i + 1] = plan.fill_value
    return out


def patch_rows(rows: list[list], cells: dict[int, object]) -> list[list]:
    """Write the fill value into the null cells of ``cells``' positions (in place)."""
    if not cells:
        return rows
    for row in rows:
        for j, v in cells.items():
            if row[j] is None:
                row[j] = v
    return rows


# -- a subquery's fill(<number>) into its text and boolean columns ----------------------------
# influxd's subquery hands its rows on as values, so the outer query reads the number in those
# cells: it shows them, compares them with numbers in WHERE, and its own fill() leaves them.

FILLED_PREFIX = "\x00filled:"
_COMPARISONS = ("=", "!=", "<>", "<", "<=", ">", ">=")


def text_fills(plan: SelectPlan, frame: pl.DataFrame) -> dict[str, object]:
    """{column: the number} for a subquery's rows (columns named as selected) whose text or
    boolean cells its fill(<number>) left empty (every empty cell there holds the number);
    none under influxdb3 (number_to_scalar: NULL)."""
    if plan.fill != "value" or not plan.omit_time or plan.emulates_v3:
        return {}
    out: dict[str, object] = {}
    for c in plan.columns:
        if isinstance(c.expr, ast.VarRef) and c.name in frame.columns and c.name not in out \
                and frame.schema[c.name] in (pl.String, pl.Boolean) and frame[c.name].null_count():
            out[c.name] = plan.fill_value
    return out


def inner_cells(plan: SelectPlan, frame: pl.DataFrame, fills: dict[str, object]) -> dict[int, object]:
    """:func:`mixed_cells` for the columns reading a subquery's filled cells (``fills``)."""
    if not fills or plan.omit_time:
        return {}
    return {i + 1: fills[c.expr.name] for i, c in enumerate(plan.columns)
            if isinstance(c.expr, ast.VarRef) and c.expr.name in fills
            and frame.schema.get(output_column(i)) in (pl.String, pl.Boolean)}


def numeric_comparisons(cond, fills: dict[str, object]) -> tuple[object, list[pl.Expr]]:
    """``cond`` with each comparison of a filled column with a number reading the number
    where the cell is empty (a column of its own), and those columns."""
    used: dict[str, pl.Expr] = {}

    def side(e, other):
        if isinstance(e, ast.VarRef) and e.name in fills \
                and isinstance(other, (ast.NumberLiteral, ast.IntegerLiteral)):
            name = FILLED_PREFIX + e.name
            used[name] = pl.when(pl.col(e.name).is_null()).then(
                pl.lit(float(fills[e.name]))).otherwise(None).alias(name)
            return ast.VarRef(name, "float")
        return e

    def swap(e):
        if not isinstance(e, ast.BinaryExpr) or e.op not in _COMPARISONS:
            return e
        lhs, rhs = side(e.lhs, e.rhs), side(e.rhs, e.lhs)
        return e if lhs is e.lhs and rhs is e.rhs else ast.BinaryExpr(e.op, lhs, rhs)

    return transform(cond, swap), list(used.values())
