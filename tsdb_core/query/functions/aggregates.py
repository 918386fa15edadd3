"""InfluxQL aggregates and selectors as Polars ``group_by().agg()`` expressions.

Each builder takes the value expression (one field) and returns the scalar
expression of one group. Null values never count (each InfluxDB field has its
own iterator), and a group with no values gives null, later filled.
Selectors pick one point; their order (value, then time) follows InfluxDB's
reducers: max/min keep the earliest time on ties, first/last keep the larger
value on equal times.
"""
from __future__ import annotations

import numpy as np
import polars as pl

from ...base.errors import QueryError, UnsupportedType
from ...influxql import functions as F

T = pl.col("time")

# How each selector orders its group: (sort keys, descending flags) → take the first.
_SELECT_ORDER = {
    "max": (lambda v: [v, T], [True, False]),
    "min": (lambda v: [v, T], [False, False]),
    "first": (lambda v: [T, v], [False, True]),
    "last": (lambda v: [T, v], [True, True]),
}

_NUMERIC = (pl.Float64, pl.Int64, pl.UInt64, pl.Float32, pl.Int32)


def check_type(name: str, dtype) -> None:
    """InfluxDB's words when an aggregate meets a type it has no iterator for."""
    if dtype is None or dtype == pl.Null:
        return
    accepted = F.ALL_TYPES if name == "count_distinct" else F.spec(name).input_types
    if dtype == pl.String and "string" not in accepted:
        raise UnsupportedType(f"unsupported {name} iterator type: *query.stringInterruptIterator")
    if dtype == pl.Boolean and "boolean" not in accepted:
        raise UnsupportedType(f"unsupported {name} iterator type: *query.booleanInterruptIterator")


def _in_row_order(v: pl.Expr, reduce, backwards: bool = False) -> pl.Expr:
    """``reduce`` of a group's values taken as one list, for float sums, means and deviations:
    Polars' partitioned group-by adds a large group's floats in an order that changes from
    process to process (hash seeds), so the same query's last digits changed between runs; a
    list is reduced as a slice is (the same bits as RunGroups' list means), every time.
    ``backwards``: from the group's latest point (influxd reads a series backwards under ORDER
    BY time DESC, and its sums add the points in that order; rows written out of order are
    held in arrival order, so they are sorted by time first; a literal, say a field no
    point has, has no order)."""
    values = v.sort_by(T, descending=True).implode() if backwards and v.meta.root_names() else v.implode()
    return values.list.agg(reduce(pl.element()))


def _by_time(v: pl.Expr, backwards: bool) -> pl.Expr:
    """A group's values as one list in the order a subquery's stream brings them: by time
    (its sorted merge), equal times in the rows' order."""
    return v.sort_by(T, descending=backwards, maintain_order=True).implode() if v.meta.root_names() else v.implode()


def _lead_time(name: str, v: pl.Expr, backwards: bool) -> pl.Expr:
    """The time of the points a selector over a subquery's stream keeps first: max()/min() the
    stream's first (its earliest, latest under ORDER BY time DESC), first()/last() their own."""
    tt = T.filter(v.is_not_null())
    return tt.min() if (name == "first" or (name in ("max", "min") and not backwards)) else tt.max()


STREAM_TIES = "\x00stream_ties"  # a subquery's rows: the order its stream brings rows of equal time in


def go_lead(name: str, e: pl.Expr, v: pl.Expr, backwards: bool) -> pl.Expr:
    """``e`` at the point of ``v`` a selector over a subquery's stream keeps first (FloatMaxReducer
    and the others replace it only by a value comparing greater, less for min(), never by NaN):
    of the points at :func:`_lead_time`, the first the stream brings. The stream brings equal
    times in the inner groups' tag order (:data:`STREAM_TIES`), also under ORDER BY time DESC
    (query/iterator.gen.go ``reduce`` emits a window's groups so)."""
    at = v.is_not_null() & (T == _lead_time(name, v, backwards))
    return e.filter(at).sort_by(pl.col(STREAM_TIES).filter(at), maintain_order=True).first()


def _go_extreme(name: str, v: pl.Expr, backwards: bool) -> pl.Expr:
    """A selector over a subquery's stream as FloatMaxReduce and the others take it: a point
    replaces the kept one only where it compares greater (less for min()), or (first()/last())
    comes earlier (later) or compares greater at an equal time, so a NaN kept first (a subquery's
    stddev() of one point) stays, and a later one is skipped (Polars' max/min skip NaN)."""
    lead = go_lead(name, v, v, backwards) if v.meta.root_names() else v.drop_nulls().first()
    if name in ("first", "last"):
        rest = v.filter(v.is_not_null() & (T == _lead_time(name, v, backwards))).max()
    else:
        rest = getattr(v, name)()
    return pl.when(lead.is_nan()).then(lead).otherwise(rest)


def _added_in_order(name: str, v: pl.Expr, backwards: bool, by_time: bool) -> pl.Expr:
    """A group's float sum or mean as influxd's reducers add it: one value after another from
    the group's first row (from its latest point under ``backwards``, :func:`_in_row_order`;
    from its earliest under ``by_time``: rows that may not come in time order). Polars adds a
    list of values so at any length (``list.sum``, ``list.mean``: exec/runs.py's
    ``lists_add_in_order`` checks it), but a slice, or a list holding nulls, in blocks from 128
    values on. A sum adds the values negated from +0.0, then negates: Go's starts from the
    first value, so that -0.0 alone sums to -0.0 (a negation is exact, rounding symmetric)."""
    x = -v if name == "sum" else v.cast(pl.Float64)
    if (backwards or by_time) and v.meta.root_names():
        x = x.sort_by(T, descending=backwards, maintain_order=True)
    values = x.drop_nulls().implode()
    return -values.list.sum() if name == "sum" else values.list.mean()


def _running_sum(e: pl.Expr) -> pl.Expr:
    """The sum of a list's values added in order (a running sum's last value)."""
    return e.drop_nulls().cum_sum().last()


def scalar_agg(name: str, v: pl.Expr, args: tuple, dtype, interval: int = 0, nan_order: bool = False,
               backwards: bool = False, sequential: bool = False, in_order: bool = False,
               by_time: bool = False) -> pl.Expr:
    """One value per group; ``nan_order``: max/min/median order NaN as InfluxDB 3 (:func:`_nan_aware`);
    ``backwards``: float sums in the reverse of the rows' order (:func:`_in_row_order`);
    ``sequential``: a float sum added one value after another at any length (FloatSumReduce over
    a subquery's stream; Polars' sum of more than 128 values adds them in blocks), its float
    selectors as their reducers keep points (:func:`_go_extreme`), NaN as Go reads it; ``in_order``:
    float sums and means added so in the rows' order (influxd's reducers over one series,
    :func:`_added_in_order`), or in time order with ``by_time`` (rows that may not come so)."""
    check_type(name, dtype)
    nn = v.is_not_null()
    has = v.count() > 0
    if name == "count":
        return v.count().cast(pl.Int64)
    if sequential and dtype == pl.Float64 and name in _GO_NAN:  # a subquery's floats: NaN as Go reads it
        return _GO_NAN[name](v, backwards)
    if name == "count_distinct":
        return v.drop_nulls().n_unique().cast(pl.Int64)
    if name == "sum":
        if dtype is not None and dtype.is_integer():
            return pl.when(has).then(v.sum())
        if sequential:
            return pl.when(has).then(_by_time(v, backwards).list.agg(_running_sum(pl.element())))
        if in_order and dtype is not None and dtype.is_float():
            return pl.when(has).then(_added_in_order(name, v, backwards, by_time))
        return pl.when(has).then(_in_row_order(v, pl.Expr.sum, backwards))
    if name == "mean":
        if sequential:
            return _by_time(v.cast(pl.Float64), backwards).list.agg(_running_sum(pl.element()) / pl.element().count())
        if in_order and dtype is not None and dtype.is_integer():  # IntegerMeanReducer: an int64 sum
            return pl.when(has).then(v.sum().cast(pl.Float64) / v.count())
        if in_order:
            return _added_in_order(name, v, backwards, by_time)
        return _in_row_order(v.cast(pl.Float64), pl.Expr.mean, backwards)
    if name == "median":
        return _nan_aware(name, v, v.median()) if nan_order and dtype == pl.Float64 else v.cast(pl.Float64).median()
    if name == "spread":
        return _spread3(v, dtype) if nan_order else pl.when(has).then(v.max() - v.min())
    if name == "stddev":
        return pl.when(v.count() > 1).then(_in_row_order(v.cast(pl.Float64), lambda e: e.std(ddof=1), backwards))
    if name in ("max", "min"):
        if sequential and dtype == pl.Float64:
            return _go_extreme(name, v, backwards)
        return _nan_aware(name, v, getattr(v, name)()) if nan_order and dtype == pl.Float64 else getattr(v, name)()
    if name in ("first", "last"):
        return _first_last(name, v, dtype, backwards, sequential)
    if name == "percentile":
        p = float(args[0])
        idx = ((v.count() * p / 100.0 + 0.5).floor().cast(pl.Int64) - 1)
        s = v.drop_nulls()
        s = s.sort_by(total_key(s)) if nan_order and dtype == pl.Float64 else s.sort()
        return pl.when((idx >= 0) & (idx < v.count())).then(s.get(idx.clip(0, None), null_on_oob=True))
    if name == "integral":
        unit = int(args[0]) if args else 1_000_000_000
        vv = v.filter(nn).cast(pl.Float64).sort_by(T.filter(nn))
        tt = T.filter(nn).sort()
        area = ((vv + vv.shift(1)) / 2 * (tt - tt.shift(1)).cast(pl.Float64)).sum()
        return pl.when(has).then(area / unit)
    raise QueryError(f"undefined function {name}()")


def _go_stddev(v: pl.Expr, backwards: bool) -> pl.Expr:
    """FloatStddevReduceSlice over a subquery's floats (two points or more): its mean and variance
    skip NaN, dividing by the count of the others less one (none: 0 / -1, a -0.0; one: 0 / 0)."""
    x = v.filter(~v.is_nan())
    return pl.when(v.count() > 1).then(
        pl.when(x.count() == 0).then(-0.0).when(x.count() == 1).then(_NAN)
        .otherwise(_in_row_order(x, lambda e: e.std(ddof=1), backwards)))


def _go_spread(v: pl.Expr, backwards: bool) -> pl.Expr:
    """FloatSpreadReducer: Go's math.Min/Max answer NaN once they read one."""
    return pl.when(v.count() > 0).then(pl.when(v.is_nan().any()).then(_NAN).otherwise(v.max() - v.min()))


def _go_count_distinct(v: pl.Expr, backwards: bool) -> pl.Expr:
    """FloatDistinctReducer's map: a NaN key never matches another, so each NaN is a value of its own."""
    return (v.filter(~v.is_nan()).n_unique() + v.is_nan().sum()).cast(pl.Int64)


_GO_NAN = {"stddev": _go_stddev, "spread": _go_spread, "count_distinct": _go_count_distinct}


def _first_last(name: str, v: pl.Expr, dtype, backwards: bool, sequential: bool) -> pl.Expr:
    """first()/last(): the earliest (latest) point, the greatest value at an equal time; over a
    subquery's floats (``sequential``) as its reducer keeps them (:func:`_go_extreme`)."""
    if sequential and dtype == pl.Float64 and v.meta.root_names():
        return _go_extreme(name, v, backwards)
    nn = v.is_not_null()
    vv, tt = v.filter(nn), T.filter(nn)
    return vv.sort_by([tt, vv], descending=_SELECT_ORDER[name][1]).first()


_NAN = float("nan")
_NEG_NAN = -_NAN  # the sign bit set (x86's default NaN), as Polars keeps it


def _total_bits(s: pl.Series) -> pl.Series:
    b = s.fill_null(0.0).to_numpy().view(np.int64)
    out = pl.Series(s.name, np.where(b < 0, b ^ np.int64(0x7FFF_FFFF_FFFF_FFFF), b))
    return out.set(s.is_null(), None) if s.null_count() else out


def total_key(v: pl.Expr) -> pl.Expr:
    """Int64 keys of Float64 values ordered as ``f64::total_cmp`` orders them (arrow's float
    sort and compare, DataFusion's ScalarValue order): -NaN < -inf < .. < -0.0 < 0.0 < .. <
    inf < NaN, two keys equal when the bits are (Polars' sort and group-by make NaNs one value
    and -0.0 equal to 0.0)."""
    return v.map_batches(_total_bits, return_dtype=pl.Int64, is_elementwise=True)


def _spread3(v: pl.Expr, dtype) -> pl.Expr:
    """InfluxDB 3's spread(): IOx's SpreadAccumulator (iox_query_influxql aggregate/spread.rs)
    starts its max at ``ScalarValue::new_zero`` and its min at null, keeps a value greater
    (less) by ScalarValue's order (``f64::total_cmp``), and answers ``max.sub(&min)`` (wrapping):
    a group of negative values answers ``0 - min``; a NaN above every number makes the max NaN,
    one below (sign bit set) the min, either the answer."""
    has = v.count() > 0
    if dtype == pl.UInt64:
        return pl.when(has).then(v.max() - v.min())
    if dtype != pl.Float64:
        return pl.when(has).then(pl.max_horizontal(v.max(), pl.lit(0, dtype=dtype)) - v.min())
    neg, pos = _nans(v)
    num = v.filter(~v.is_nan())
    hi = pl.when(pos.any()).then(pl.lit(_NAN)).otherwise(pl.max_horizontal(num.max(), pl.lit(0.0)))
    lo = pl.when(neg.any()).then(pl.lit(_NEG_NAN)).otherwise(v.min())
    return pl.when(has).then(hi - lo)


def _neg_nan(s: pl.Series) -> pl.Series:
    """Which values are a NaN with its sign bit set (x86's default NaN: ``sqrt(-1)``, fmod by 0)."""
    x = s.to_numpy()
    return pl.Series(s.name, np.isnan(x) & np.signbit(x))


def _nans(v: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """(NaN below every number, NaN above every number) rows of ``v`` in IEEE 754's total order."""
    neg = v.fill_null(0.0).map_batches(_neg_nan, return_dtype=pl.Boolean, is_elementwise=True)
    return neg, v.is_nan() & ~neg


def _nan_aware(name: str, v: pl.Expr, plain: pl.Expr) -> pl.Expr:
    """max/min/median of Float64 groups as DataFusion takes them (only InfluxDB 3 makes NaN:
    exec/expressions.py): by total order (arrow's max/min kernels, median's sort), a NaN with its
    sign bit set the least value, another the greatest; ``plain`` (Polars: NaN skipped by
    max/min, the greatest in median) where that agrees. Scalar per group, so Polars keeps its
    fast group-by aggregations."""
    neg, pos = _nans(v)
    if name == "max":
        return pl.when(pos.any()).then(pl.lit(_NAN)).otherwise(plain)
    # the NaN answered keeps its sign: an outer query orders it again (x86's (a + b) / 2 of the
    # median's two middle values is the first NaN among them)
    if name == "min":
        return pl.when(neg.any()).then(pl.lit(_NEG_NAN)).otherwise(plain)
    low = pl.when(neg).then(float("-inf")).otherwise(v).median()  # -NaN at the bottom, +NaN on top
    return pl.when(neg.sum() > (v.count() - 1) // 2).then(pl.lit(_NEG_NAN)).otherwise(low)  # a -NaN in the middle


def _by_value(v: pl.Expr, nn: pl.Expr, ascending: bool, dtype=None) -> list:
    """percentile()'s sort of the points by value: ties keep the order the points were read
    in, newest first under ORDER BY time DESC (influxd's reducer reads them so). InfluxDB 3
    (``dtype`` given) numbers the rows of a window ordered by value (``f64::total_cmp``), then
    time as the statement orders it (iox_query_influxql planner.rs ``project_select_selector``:
    ``field_key.as_expr().sort(true, false), ctx.time_sort_expr()``)."""
    if dtype is not None:
        vv = v.filter(nn)
        return [total_key(vv) if dtype == pl.Float64 else vv, T.filter(nn) if ascending else -T.filter(nn)]
    if ascending:
        return [v.filter(nn)]
    return [v.filter(nn), -T.filter(nn)]


def selector_time(name: str, v: pl.Expr, args: tuple, ascending: bool = True, dtype=None,
                  stream: bool = False) -> pl.Expr:
    """The time of the point a selector picks (used when it is the only call); under InfluxDB 3's
    NaN order (``dtype`` given: Float64) a NaN picked (:func:`_nan_aware`) at its earliest point,
    as IOx's selector_max finds it; over a subquery's ``stream``, a NaN kept first at its own
    (:func:`_go_extreme`)."""
    nn = v.is_not_null()
    if stream and name in ("max", "min") and v.meta.root_names():
        lead = go_lead(name, v, v, not ascending)
        return pl.when(lead.is_nan()).then(_lead_time(name, v, not ascending)) \
            .otherwise(selector_time(name, v, args, ascending, dtype))
    if name in ("max", "min"):
        if dtype != pl.Float64:
            return T.filter(v == getattr(v, name)()).min()
        neg, pos = _nans(v)
        nan = pos if name == "max" else neg
        return pl.when(nan.any()).then(T.filter(nan).min()).otherwise(T.filter(v == getattr(v, name)()).min())
    if name == "first":
        return T.filter(nn).min()
    if name == "last":
        return T.filter(nn).max()
    if name == "percentile":
        p = float(args[0])
        idx = ((v.count() * p / 100.0 + 0.5).floor().cast(pl.Int64) - 1)
        return T.filter(nn).sort_by(_by_value(v, nn, ascending, dtype)).get(idx.clip(0, None), null_on_oob=True)
    raise QueryError(f"undefined function {name}()")


def selector_aux(name: str, v: pl.Expr, aux: pl.Expr, args: tuple, ascending: bool = True,
                 dtype=None, stream: bool = False) -> pl.Expr:
    """An auxiliary column's value at the point the selector picks (under InfluxDB 3's NaN order,
    ``dtype`` given: max/min of a group holding a NaN, the earliest NaN it picks, :func:`_nan_aware`;
    over a subquery's ``stream``, a NaN kept first, :func:`_go_extreme`, else none of its NaN)."""
    nn = v.is_not_null()
    if stream and name in _SELECT_ORDER and v.meta.root_names():
        lead = go_lead(name, v, v, not ascending)
        return pl.when(lead.is_nan()).then(go_lead(name, aux, v, not ascending)) \
            .otherwise(selector_aux(name, v.fill_nan(None), aux, args, ascending, dtype))
    if name == "percentile":
        p = float(args[0])
        idx = ((v.count() * p / 100.0 + 0.5).floor().cast(pl.Int64) - 1)
        return aux.filter(nn).sort_by(_by_value(v, nn, ascending, dtype)).get(idx.clip(0, None), null_on_oob=True)
    keys, desc = _SELECT_ORDER[name]
    plain = aux.filter(nn).sort_by([k.filter(nn) for k in keys(v)], descending=desc).first()
    if name not in ("max", "min") or dtype != pl.Float64:
        return plain
    neg, pos = _nans(v)
    nan = pos if name == "max" else neg
    return pl.when(nan.any()).then(aux.filter(nan).sort_by(T.filter(nan)).first()).otherwise(plain)


def mode_frame(lf: pl.LazyFrame, keys: list[str], field: str, alias: str,
               runs: str | None = None) -> pl.LazyFrame:
    """mode(): the most frequent value per group, with InfluxDB's tie rules.

    influxd sorts the points by value and walks the runs: when every value occurs
    once the smallest wins; otherwise among the most frequent values the one whose
    first point is earliest wins, a later (larger) value winning an equal time (as a
    stable sort of points read in time order gives). Where several values tie, which one
    influxd answers depends on its unstable sort: ``runs`` names a column holding, for
    those groups only, the tied values in value order with the first and last time of
    their points (``v``, ``lo``, ``hi``), which exec/go_ties.py reads. Booleans are
    counted, not sorted: true wins a tie.
    """
    v = pl.col(field)
    if lf.collect_schema().get(field) == pl.Boolean:
        out = (lf.filter(v.is_not_null()).group_by(keys)
               .agg((v.sum() * 2 >= v.len()).alias(alias)))
        return out.with_columns(pl.lit(None).alias(runs)) if runs else out
    counted = (lf.filter(v.is_not_null())
               .group_by(keys + [field])
               .agg(pl.len().alias("\x00n"), T.min().alias("\x00first"),
                    *([T.max().alias("\x00last")] if runs else [])))
    top = pl.col("\x00n").max().over(keys) if keys else pl.col("\x00n").max()
    counted = counted.filter(pl.col("\x00n") == top)
    singles = (counted.filter(pl.col("\x00n") == 1).group_by(keys)
               .agg(pl.col(field).min().alias(alias)))
    multis = (counted.filter(pl.col("\x00n") > 1).sort(["\x00first", field], descending=[False, True])
              .group_by(keys, maintain_order=True).agg(pl.col(field).first().alias(alias),
                                                       *([_tied_runs(field)] if runs else [])))
    if not runs:
        return pl.concat([singles, multis])
    multis = multis.with_columns(pl.when(pl.col("\x00runs").list.len() > 1).then(pl.col("\x00runs"))
                                 .alias(runs)).drop("\x00runs")
    return pl.concat([singles, multis], how="diagonal")


def mode_frame3(lf: pl.LazyFrame, keys: list[str], field: str, alias: str) -> pl.LazyFrame:
    """InfluxDB 3's mode(): IOx's ModeAccumulator (iox_query_influxql aggregate/mode.rs ``mode``)
    sorts a group's (value, time) pairs by ScalarValue's order (``f64::total_cmp``: -NaN, NaN,
    -0.0 and 0.0 are four values) and walks them as 1.x's ModeReduceSlice does, with no unstable
    sort left to replay: every value once, the least wins; else the first most frequent run in
    value order, a later one as frequent taking over when its earliest time is no later than the
    latest time of the run holding (the time of the point that made it the mode)."""
    v = pl.col(field)
    key = total_key(v) if lf.collect_schema().get(field) == pl.Float64 else v
    runs = (lf.filter(v.is_not_null()).with_columns(key.alias("\x00k"))
            .group_by(keys + ["\x00k"])
            .agg(v.first().alias(alias), pl.len().alias("\x00n"), T.min().alias("\x00lo"), T.max().alias("\x00hi")))
    top = pl.col("\x00n").max().over(keys) if keys else pl.col("\x00n").max()
    runs = runs.filter(pl.col("\x00n") == top).sort(keys + ["\x00k"])
    lists = runs.group_by(keys, maintain_order=True).agg(
        pl.col(alias), pl.col("\x00lo"), pl.col("\x00hi"), pl.col("\x00n").first())
    many = (pl.col(alias).list.len() > 1) & (pl.col("\x00n") > 1)
    walked = (lists.filter(many)
              .with_columns(pl.struct("\x00lo", "\x00hi").map_elements(_mode_walk, return_dtype=pl.Int64)
                            .alias("\x00w"))
              .select(keys + [pl.col(alias).list.get(pl.col("\x00w"))]))
    return pl.concat([lists.filter(~many).select(keys + [pl.col(alias).list.first()]), walked])


def _mode_walk(runs: dict) -> int:
    """Which of a group's equally frequent runs (value order, their times ``lo``..``hi``) wins."""
    win = 0
    for r, lo in enumerate(runs["\x00lo"][1:], 1):
        if lo <= runs["\x00hi"][win]:
            win = r
    return win


def _tied_runs(field: str) -> pl.Expr:
    """The group's most frequent values, in value order, each with its points' time range."""
    run = pl.struct(pl.col(field).alias("v"), pl.col("\x00first").alias("lo"), pl.col("\x00last").alias("hi"))
    return run.sort_by(pl.col(field)).alias("\x00runs")


def percentile_tied(v: pl.Expr, args: tuple, dtype) -> pl.Expr:
    """Whether another point of the group has the value percentile() picks (then which of
    them influxd answers depends on its sort: exec/go_ties.py). The percentile expression is
    the one of the answer's column, computed once."""
    x = scalar_agg("percentile", v, args, dtype)
    return ((v == x).sum() >= 2).fill_null(False)


def multi_rows(name: str, lf: pl.LazyFrame, keys: list[str], field: str, args: tuple,
               alias: str, extra: list[str], ascending: bool = True) -> pl.LazyFrame:
    """top/bottom/sample/distinct: several rows per group, with their own ``_t`` times.
    distinct() as influxd's DistinctReducer: each value's first point in the input's order
    (the latest under ORDER BY time DESC), emitted sorted by that point's time, then value
    (query/functions.gen.go, ``sort.Sort(integerPoints)``)."""
    v = pl.col(field)
    base = lf.filter(v.is_not_null())
    if name == "distinct":
        first = (T.min() if ascending else T.max()).alias("\x00f")
        return (base.group_by(keys + [field]).agg(first).sort(keys + ["\x00f", field])
                .group_by(keys, maintain_order=True).agg(v.alias(alias))
                .explode(alias).with_columns(pl.col("\x00b").alias("\x00t")))
    if name in ("top", "bottom"):
        n = int(args[-1])
        desc = name == "top"
        tags = [a for a in args[:-1]]
        if tags:  # one point per distinct tag combination first (a group key has one value)
            base = (base.sort([field, "time"], descending=[desc, False])
                    .group_by(keys + [t for t in tags if t not in keys], maintain_order=True).first())
        cols = [T.alias("\x00t"), v.alias(alias)] + [pl.col(c) for c in extra if c != field]
        return (base.sort([field, "time"], descending=[desc, False])
                .group_by(keys, maintain_order=True).head(n)
                .select(keys + cols)
                .sort(keys + ["\x00t"], maintain_order=True))  # equal times: by value, as Emit sorts
    if name == "sample":
        n = int(args[0])
        return (base.group_by(keys).agg(pl.struct(T.alias("\x00t"), v.alias(alias))
                                         .shuffle().head(n).alias("\x00s"))
                .explode("\x00s").unnest("\x00s").sort(keys + ["\x00t"]))
    raise QueryError(f"undefined function {name}()")


def integral_frame(lf: pl.LazyFrame, skeys: list[str], field: str, alias: str,
                   interval: int, offset: int, unit: int, integer: bool = False,
                   flush: str | None = None) -> pl.LazyFrame:
    """integral() with GROUP BY time: InfluxDB's stream reducer over each series, ascending.

    A segment crossing a window boundary is split at the boundary, the value there
    interpolated linearly; each part goes to its window (``IntegralReducer``). The integer
    reducer computes the part after the boundary from the interpolated value and the
    previous point's (it never updates the latter). A series whose last point sits on its
    window's start emits nothing for that window (``Close``).
    (exec/integral_v1.stream is the reducer itself; the tests hold the two equal.)
    """
    v, t = pl.col(field).cast(pl.Float64), T
    d = lf.filter(pl.col(field).is_not_null()).select(skeys + ["time", v.alias("\x00v")])
    d = d.sort(skeys + ["time"], maintain_order=True)
    over = (lambda e: e.over(skeys)) if skeys else (lambda e: e)
    t0, v0 = over(t.shift(1)), over(pl.col("\x00v").shift(1))
    win = lambda x: ((x - offset) // interval) * interval + offset  # noqa: E731
    d = d.with_columns(t0.alias("\x00t0"), v0.alias("\x00v0"))
    d = d.with_columns(win(pl.col("\x00t0")).alias("\x00w0"), win(t).alias("\x00w1"))
    end0 = pl.col("\x00w0") + interval
    vb = pl.col("\x00v0") + (pl.col("\x00v") - pl.col("\x00v0")) * (end0 - pl.col("\x00t0")) / (t - pl.col("\x00t0"))
    same = pl.col("\x00w0") == pl.col("\x00w1")
    whole = 0.5 * (pl.col("\x00v") + pl.col("\x00v0")) * (t - pl.col("\x00t0")) / unit
    head = 0.5 * (pl.col("\x00v0") + vb) * (end0 - pl.col("\x00t0")) / unit
    tail = 0.5 * (vb + pl.col("\x00v0" if integer else "\x00v")) * (t - end0) / unit
    d = d.with_columns(pl.when(same).then(whole).otherwise(tail).fill_null(0.0).alias("\x00a1"),
                       pl.when(same).then(0.0).otherwise(head).fill_null(0.0).alias("\x00a0"))
    parts = pl.concat([
        d.select(skeys + [pl.col("\x00w1").alias("\x00b"), pl.col("\x00a1").alias(alias)]),
        d.filter(pl.col("\x00w0").is_not_null()).select(skeys + [pl.col("\x00w0").alias("\x00b"),
                                                               pl.col("\x00a0").alias(alias)]),
    ])
    out = parts.group_by(skeys + ["\x00b"]).agg(_in_row_order(pl.col(alias), pl.Expr.sum))
    last = d.group_by(skeys).agg(t.max().alias("\x00t"), pl.col("\x00w1").max().alias("\x00b")) \
        if skeys else d.select(t.max().alias("\x00t"), pl.col("\x00w1").max().alias("\x00b"))
    closed = last.filter(pl.col("\x00t") == pl.col("\x00b")).select(skeys + ["\x00b"])
    out = out.join(closed, on=skeys + ["\x00b"], how="anti", nulls_equal=True)
    if flush:  # the window of a series' last point comes once the input ends (``Close``)
        ends = last.select(skeys + ["\x00b"]).with_columns(pl.lit(True).alias(flush))
        out = out.join(ends, on=skeys + ["\x00b"], how="left", nulls_equal=True).with_columns(
            pl.col(flush).fill_null(False))
    return out
