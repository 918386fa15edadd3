"""The fast executor: a lean answer for the most common dashboard queries.

    SELECT max(a), mean(b) FROM m WHERE host = 'h1' AND time >= t0 AND time < t1 GROUP BY time(1m)

The general executor (exec/lazy.py) handles every shape through a chain of Polars
stages, each with a fixed cost that dominates when the rows are a few hundred. Here
the scan is exact (``capabilities.exact_tag_scan``: the store slices the series out of
its cache), so the shape needs no filter, and the aggregation, the window grid of
fill(null) and the time rendering run as one lazy query (or in numpy), collected once.

The planner chooses this executor (a ``FastSelect`` node at the root of the plan) only
for shapes whose answer equals the general one's (plan/tree.py says which); property
tests check both agree (tests/query/test_fastpath.py).
"""
from __future__ import annotations

import functools
import itertools
from dataclasses import dataclass

import numpy as np
import polars as pl

from ...base.eager import pick
from ...base.types import TIME
from ..functions import aggregates as agg
from ..analyze.conditions import AnyString, all_refs, conjuncts, tag_equalities
from . import array_cond, fast_tree, go_merge, go_reduce
from .expressions import cond_expr
from .fast_grid import REDUCE as _REDUCE, grid_windows
from .fast_limit import limited_rows
from .fill import bucket_expr, bucket_grid, bucket_grid_array
from ..analyze.time_range import TimeRange
from ..plan.nodes import (ANY_COLUMN, ORDER_FREE_AGGREGATES, SEEN_COLUMN, WINDOW_COLUMN, Aggregate,
                          FastSelect, Fill, Filter, Scan, SelectPlan, output_column)
from ..results import EPOCH_UNITS, FRAME_ROWS, PARTIAL_ROWS, Series, rfc3339_times, time_expr

@dataclass(frozen=True, slots=True)
class _Shape:
    """What this executor reads of a statement, taken from its FastSelect subtree."""

    is_raw: bool
    sources: tuple[Scan]
    columns: tuple
    time_column: str
    condition: object
    interval: int
    offset: int
    fill: str
    time_range: TimeRange
    limit: int = 0
    row_offset: int = 0


def _shape(root: FastSelect) -> _Shape:
    """Project → Order/Limit → [Fill] → Aggregate | Series → [Filter] → Scan, as parameters."""
    project = root.child
    node = project.child.child
    fill = node.mode if isinstance(node, Fill) else "null"
    shape = node.child if isinstance(node, Fill) else node
    below = shape.child
    scan = below.child if isinstance(below, Filter) else below
    windows = isinstance(shape, Aggregate)
    order = project.child
    return _Shape(not windows, (scan,), project.columns, project.time_column,
                  below.condition if isinstance(below, Filter) else None,
                  shape.interval if windows else 0, shape.offset if windows else 0, fill,
                  scan.time_range, order.limit, order.offset)


_SHAPES_MAX = 1024
_shapes: dict[int, tuple[FastSelect, tuple]] = {}  # id -> (the root itself, what _read_shape found)


def _read_shape(root: FastSelect) -> tuple[_Shape, list[str], list[str], bool]:
    """The root's :class:`_Shape`, the fields its calls read (sorted), its column names and whether
    numpy answers every call; found once per root (plans are immutable, and the plan cache
    hands a repeated text's back). The lists are shared: callers copy them."""
    seen = _shapes.get(id(root))
    if seen is not None and seen[0] is root:
        return seen[1]
    shape = _shape(root)
    calls = () if shape.is_raw else shape.columns  # (a raw shape's columns are references)
    found = (shape, sorted({c.expr.args[0].name for c in calls}),
             [shape.time_column] + [c.name for c in shape.columns],
             all(c.expr.name in ORDER_FREE_AGGREGATES for c in calls))
    if len(_shapes) >= _SHAPES_MAX:
        _shapes.clear()
    _shapes[id(root)] = (root, found)
    return found


def select(plan: SelectPlan, provider, tags: dict[str, list[str]], epoch: str | None,
           max_buckets: int) -> list[Series] | None:
    """The statement's series (none or one) for a plan the planner gave to this executor
    (its root a FastSelect); None: declined (then the general executor runs)."""
    if _reduce_tree(plan, provider):
        return _tree_select(plan, provider, tags, epoch, max_buckets)
    influxd = plan.emulates_influxd  # (float sums and means added one row after another)
    plan, fields, names, numpy_aggs = _read_shape(plan.root)
    fields, names = list(fields), list(names)  # (each answer's own: a Series' columns may be changed)
    if plan.is_raw:
        return _raw(plan, provider, tags, epoch)
    src, tr = plan.sources[0], plan.sources[0].time_range
    if numpy_aggs and tags and provider.capabilities.arrays:
        # the rows as numpy views of the decoded file: no frame built only to be taken apart
        arrays = provider.scan_arrays(src.database, src.retention_policy, src.measurement, tr.start,
                                      tr.end, fields, tags)
        if arrays is not None:
            return _windows_series(plan, arrays, epoch, max_buckets, src.measurement, names)
    frame = provider.scan_frame(src.database, src.retention_policy, src.measurement, tr.start, tr.end,
                                fields, tags=tags or None)
    if frame.height == 0:
        return []
    if numpy_aggs and all(
            frame.get_column(f).dtype == pl.Float64 or frame.get_column(f).null_count() == 0 for f in fields):
        arrays = {c: frame.get_column(c).to_numpy() for c in [TIME, *fields]}
        return _windows_series(plan, arrays, epoch, max_buckets, src.measurement, names)
    if plan.limit or plan.row_offset:
        return None  # an integer column with nulls: the general executor's limits
    return _polars_windows(plan, frame, epoch, max_buckets, names, influxd)


def _polars_windows(plan: _Shape, frame: pl.DataFrame, epoch: str | None, max_buckets: int, names: list[str],
                    influxd: bool) -> list[Series]:
    """:func:`select`'s series from the rows of ``frame`` by one lazy query (mean, sum,
    percentile(), integer columns with nulls); ``influxd``: float sums and means added one
    row after another in time order, as the general path adds them (the bits of its)."""
    t = frame.get_column(TIME).to_numpy()
    if influxd and t.size > 1 and not bool((t[1:] >= t[:-1]).all()):
        frame = frame.sort(TIME, maintain_order=True)  # (sources overlapping in time: merged rows)
    src, lf = plan.sources[0], frame.lazy()
    aggs, seen = [], []
    for i, col in enumerate(plan.columns):
        call = col.expr
        v = pl.col(call.args[0].name)
        args = (call.args[1].val,) if call.name == "percentile" else ()
        value = agg.scalar_agg(call.name, v, args, frame.schema[call.args[0].name], plan.interval,
                               in_order=influxd)  # numeric only
        aggs.append(value.alias(output_column(i)))
        # percentile() emits nothing where its index falls outside the window's points
        seen.append(value.is_not_null().cast(pl.UInt32) if args else v.count())
    # a window is kept when some aggregate saw a point in it (as _scalar_aggs decides)
    win = (lf.group_by(bucket_expr(plan.interval, plan.offset, None, None).alias(WINDOW_COLUMN))
           .agg([*aggs, pl.sum_horizontal(seen).alias(SEEN_COLUMN)])
           .filter(pl.col(SEEN_COLUMN) > 0))
    counts = [output_column(i) for i, c in enumerate(plan.columns) if c.expr.name == "count"]
    if plan.fill == "null":
        whole = plan.time_range
        grid = bucket_grid(whole.start, whole.end, plan.interval, plan.offset, None, max_buckets)
        out = (pl.LazyFrame({WINDOW_COLUMN: pl.Series(grid, dtype=pl.Int64)})
               .join(win, on=WINDOW_COLUMN, how="left", maintain_order="left")
               # a window without points counts 0; count() of a window with points but none of
               # this field is null in _scalar_aggs, then filled to 0 by fill(null) as a gap
               .with_columns([pl.col(c).fill_null(0) for c in counts]))
    else:
        out = win.sort(WINDOW_COLUMN).with_columns([pl.when(pl.col(c) != 0).then(pl.col(c)).alias(c) for c in counts])
    out = out.select(time_expr(WINDOW_COLUMN, epoch, None).alias("time"), *[output_column(i) for i in range(len(plan.columns))],
                     pl.col(SEEN_COLUMN).max().alias(ANY_COLUMN)).collect(engine="in-memory")
    if out.height == 0 or out[ANY_COLUMN][0] is None:
        return []  # no point at all: no series
    rows = list(map(list, zip(*(s.to_list() for s in out.drop(ANY_COLUMN).get_columns()))))
    return _series(src.measurement, names, rows)


def _tree_select(plan: SelectPlan, provider, tags, epoch, max_buckets) -> list[Series] | None:
    """influxd's reduce tree over series runs; None (limits, or rows not held as runs): the
    general executor replays it over rows."""
    shard = plan.sources[0].shard_group_duration(provider) or go_reduce.DEFAULT_SHARD_DURATION
    read, _, names, _ = _read_shape(plan.root)
    if read.limit or read.row_offset:
        return None
    return _tree_series(read, provider, tags, epoch, max_buckets, names, shard)


def _reduce_tree(plan: SelectPlan, provider) -> bool:
    """Whether a float sum or a mean of the statement may add partials of several series or
    shard groups (asked of the index when run: a cached plan stays right as series come), as
    influxd's reduce tree does, or it asks for stddev()."""
    if plan.is_raw or plan.emulates_v3:
        return False
    schema = provider.schema(plan.sources[0].database, plan.sources[0].measurement)
    columns = plan.columns
    seen = _tree_calls.get(id(columns))
    fields = len(schema.fields) if schema is not None else -1
    if seen is None or seen[0] is not columns or seen[1] is not schema or seen[2] != fields:
        seen = (columns, schema, fields, *_calls_of(columns, schema))
        if len(_tree_calls) >= _SHAPES_MAX:
            _tree_calls.clear()
        _tree_calls[id(columns)] = seen
    if seen[3]:
        return True  # stddev(): its running mean (go_reduce.stddev), in any group
    return seen[4] and go_reduce.spans_partials(plan, plan.interval, plan.offset, plan.tz, provider)


# id -> (a plan's columns themselves, the schema asked and its number of fields, stddev() called,
# go_reduce.tree_calls of those columns): a plan is immutable, the plans the plan cache moves
# to a family's other texts share its columns (plan/bind.py rebuilds only the nodes holding
# times and tag values), and the store hands back the same schema object while the
# measurement is unchanged (a provider that grows one in place adds fields)
_tree_calls: dict[int, tuple] = {}


def _calls_of(columns: tuple, schema) -> tuple[bool, bool]:
    """Whether ``columns`` call stddev(), and go_reduce.tree_calls of them under ``schema``."""
    if any(e.name == "stddev" for col in columns for e in go_reduce.ast_calls(col.expr)):
        return True, True
    ftype = lambda name: getattr(schema.fields.get(name), "value", None) if schema else None  # noqa: E731
    return False, go_reduce.tree_calls(columns, ftype)


def _tree_series(plan: _Shape, provider, tags: dict[str, list[str]], epoch: str | None, max_buckets: int,
                 names: list[str], shard: int) -> list[Series] | None:
    """:func:`_windows_series` of sums and means added as influxd's reduce tree adds them
    (exec/fast_tree.py); None when the rows are not held as series runs."""
    got = fast_tree.window_columns(plan, provider, tags, shard)
    if got is None:
        return None
    floats: list = []
    cols = _filled_columns(plan, *got, epoch, max_buckets, floats, True)
    if not cols or not cols[0]:
        return []
    return [Series(plan.sources[0].measurement, None, list(names), partial=len(cols[0]) > PARTIAL_ROWS,
                   float_columns=tuple(floats), cols=cols)]


def _windows_series(plan: _Shape, arrays: dict[str, np.ndarray], epoch: str | None, max_buckets: int,
                    name: str, names: list[str]) -> list[Series]:
    """The series of :func:`_numpy_windows` over time + field arrays; none when no window has a point."""
    if plan.limit or plan.row_offset:
        rows = limited_rows(plan, arrays, epoch, max_buckets, _numpy_windows, _empty_windows)
    else:
        floats: list = []  # (the rows' float columns as arrays: Series.float_columns)
        cols = _numpy_windows(plan, arrays, epoch, max_buckets, floats, True) if arrays[TIME].size else []
        if not cols or not cols[0]:
            return []
        # (the rows stay columns: an encoder may write them without building them, Series.column_lists)
        return [Series(name, None, names, partial=len(cols[0]) > PARTIAL_ROWS, float_columns=tuple(floats), cols=cols)]
    return _series(name, names, rows) if rows else []


def _series(name: str, columns: list[str], rows: list[list], floats: tuple | None = None) -> list[Series]:
    return [Series(name, None, columns, rows, partial=len(rows) > PARTIAL_ROWS, float_columns=floats)]


def _raw(plan: _Shape, provider, tags: dict[str, list[str]], epoch: str | None) -> list[Series] | None:
    """Rows of the selected fields and tags, by time (then tags, as influxd merges series)."""
    src = plan.sources[0]
    tr = src.time_range
    refs = [c.expr for c in plan.columns]
    cond = plan.condition
    fields = [r.name for r in refs if r.type != "tag"]
    rest = [c for c in conjuncts(cond) if tag_equalities(c, AnyString) is None]
    if tags and provider.capabilities.arrays:
        # the condition is the tag filter (and comparisons of fields): the one series it names, as numpy views
        on = array_cond.field_names(rest, _numeric_fields(provider, src)) if rest else set()
        keep = functools.partial(array_cond.mask, rest) if rest else None  # (each source's rows filtered, then joined)
        found = None if on is None else provider.scan_series(
            src.database, src.retention_policy, src.measurement, tr.start, tr.end, sorted({*fields, *on}), tags, keep)
        if found is not None:
            return _raw_series(plan, *found, epoch, src.measurement)
    wanted = sorted({r.name for r in refs} | {r.name for r in all_refs(cond)})
    frame = provider.scan_frame(src.database, src.retention_policy, src.measurement, tr.start, tr.end,
                                wanted, tags=tags or None)
    if cond is not None and any(tag_equalities(c, AnyString) is None for c in conjuncts(cond)):
        frame = frame.filter(cond_expr(cond, dict(frame.schema)))  # tag equalities are done already
    if fields and any(pick(frame, sorted(set(fields))).null_count().row(0)):
        # a point with none of the selected fields is not a row
        frame = frame.filter(pl.any_horizontal([pl.col(f).is_not_null() for f in set(fields)]))
    if frame.height == 0:
        return []
    t = frame.get_column("time")
    tn = t.to_numpy()
    if tn.size < 2 or bool((tn[1:] > tn[:-1]).all()):
        pass  # ascending, no equal times: as it is (the common case, found without Polars)
    elif t.n_unique() < t.len():
        # equal times of several series: influxd's merge order (exec/go_merge.py)
        tag_order = [c for c in frame.columns if c != "time" and c not in fields]
        if set(tag_order) != set(provider.schema(src.database, src.measurement).tags):
            return None  # the tie-break needs tags not selected: the general path has them
        named = {c: c for c in frame.columns if c in tag_order or frame.schema[c] == pl.String}
        frame = go_merge.merged_rows(frame.sort(["time", *tag_order]), [], tag_order, True,
                                     go_merge.aux_columns(refs, named, []))
    elif not t.is_sorted():
        frame = frame.sort("time")
    names = [plan.time_column] + [c.name for c in plan.columns]
    cols = [r.name for r in refs]
    if frame.height >= FRAME_ROWS:
        return _framed(src.measurement, names, frame.select(
            time_expr("time", epoch, None).alias("time"), *[pl.col(c).alias(f"c{i}") for i, c in enumerate(cols)]))
    times = frame.get_column("time").to_numpy()
    if len(set(cols)) == len(cols) and "time" not in cols:
        # row tuples from Polars in one call (cheaper than converting a column at a time)
        rows = [[tm, *r] for tm, r in zip(_times(times, epoch), pick(frame, cols).rows())]
        return _series(src.measurement, names, rows)
    out = [_times(times, epoch)] + [frame.get_column(c).to_list() for c in cols]
    rows = list(map(list, zip(*out)))
    return _series(src.measurement, names, rows)


def _numeric_fields(provider, src) -> dict[str, str]:
    """The measurement's fields by type name, less names that are tags too (a bare name may be either)."""
    schema = provider.schema(src.database, src.measurement)
    if schema is None:
        return {}
    return {k: getattr(t, "value", t) for k, t in schema.fields.items() if k not in schema.tags}


def _raw_series(plan: _Shape, series_tags: dict, arrays: dict[str, np.ndarray], epoch: str | None,
                name: str) -> list[Series]:
    """:func:`_raw` of one series from numpy (times ascend; a float null is NaN, an integer
    column has none): a row holds its time, its fields and the series' tags."""
    refs = [c.expr for c in plan.columns]
    times = arrays[TIME]
    fields = {r.name for r in refs if r.type != "tag"}
    nulls = {f: m for f in fields if arrays[f].dtype.kind == "f" and (m := np.isnan(arrays[f])).any()}
    keep = None
    if len(nulls) == len(fields):
        none = np.logical_and.reduce(list(nulls.values()))  # a point with none of the selected fields is no row
        if none.any():
            keep = ~none
            times = times[keep]
    if times.size == 0:
        return []
    if times.size >= FRAME_ROWS:
        return _raw_frame(refs, series_tags, arrays, times, keep, set(nulls), epoch, name,
                          [plan.time_column] + [c.name for c in plan.columns])
    cols = []
    for r in refs:
        if r.type == "tag":
            cols.append(itertools.repeat(series_tags.get(r.name)))
            continue
        a = arrays[r.name] if keep is None else arrays[r.name][keep]
        values = a.tolist()
        if r.name in nulls:
            values = [None if v != v else v for v in values]
        cols.append(values)
    rows = list(map(list, zip(_times(times, epoch), *cols)))
    return _series(name, [plan.time_column] + [c.name for c in plan.columns], rows)


def _raw_frame(refs: list, series_tags: dict, arrays: dict[str, np.ndarray], times: np.ndarray, keep,
               nulls: set[str], epoch: str | None, name: str, names: list[str]) -> list[Series]:
    """:func:`_raw_series` of a long series: its rows kept as a frame (NaN as null, the
    series' tags as constant columns), Python rows built only if someone reads them."""
    data: dict[str, np.ndarray] = {"time": times}
    exprs = [time_expr("time", epoch, None).alias("time")]
    for i, r in enumerate(refs):
        if r.type == "tag":
            exprs.append(pl.lit(series_tags.get(r.name), dtype=pl.String).alias(f"c{i}"))
            continue
        data[f"a{i}"] = arrays[r.name] if keep is None else arrays[r.name][keep]
        col = pl.col(f"a{i}")
        exprs.append((col.fill_nan(None) if r.name in nulls else col).alias(f"c{i}"))
    return _framed(name, names, pl.DataFrame(data).select(exprs))


def _framed(name: str, names: list[str], rows: pl.DataFrame) -> list[Series]:
    """A series whose rows stay a frame (large answers: the HTTP encoders write it column by column)."""
    return [Series(name, None, names, frame=rows, partial=rows.height > PARTIAL_ROWS)]


def _numpy_windows(plan: _Shape, arrays: dict[str, np.ndarray], epoch: str | None,
                   max_buckets: int, floats: list | None = None, columns: bool = False) -> list[list]:
    """The rows of the windows of time + field ``arrays`` (exec/fast_grid.py's when it applies:
    one sorted series on the grid); ``floats`` as :func:`_reduceat_windows` fills it;
    ``columns``: the rows' columns instead (lists, the times first; [] when no window has a point)."""
    rows = grid_windows(plan, arrays, epoch, max_buckets, floats, _grid_times, columns)
    return rows if rows is not None else _reduceat_windows(plan, arrays, epoch, max_buckets, floats, columns)


def _reduceat_windows(plan: _Shape, arrays: dict[str, np.ndarray], epoch: str | None,
                      max_buckets: int, floats: list | None = None, columns: bool = False) -> list[list]:
    """max/min/count per window with numpy ``reduceat`` over time-sorted rows, percentile()
    by one sort of (window, value) (a null float is NaN: line protocol has no NaN values;
    integer columns here have no nulls). ``floats``: gets (column, float64 array) of each
    float column of the rows (NaN where a cell is None); ``columns``: the rows' columns instead."""
    t = arrays[TIME]
    order = None if t.size < 2 or bool((t[1:] >= t[:-1]).all()) else np.argsort(t, kind="stable")
    if order is not None:
        t = t[order]
    b = (t - plan.offset) // plan.interval * plan.interval + plan.offset
    starts = _run_starts(b)
    cols, seen = _window_columns(plan, arrays, order, starts)
    return _filled_columns(plan, b[starts], cols, seen, epoch, max_buckets, floats, columns)


def _filled_columns(plan: _Shape, wins: np.ndarray, cols: list, seen: np.ndarray, epoch: str | None,
                    max_buckets: int, floats: list | None, columns: bool) -> list[list]:
    """:func:`_reduceat_windows`' rows (columns) of the windows ``wins`` (ascending) and each
    call's (values, count, is_count) in them (``seen``: values a window holds over all calls)."""
    keep = seen > 0
    every = bool(keep.all())
    if not every and not keep.any():
        return []
    if not every:
        wins = wins[keep]
    if plan.fill == "null":
        whole = plan.time_range
        grid = bucket_grid_array(whole.start, whole.end, plan.interval, plan.offset, max_buckets)
        times = _grid_times(grid, plan.interval, epoch)
    else:
        grid = wins
        times = _times(grid, epoch)
    # (every window of the grid has points, the usual dense series: the windows are the grid)
    pos = None if every and wins.size == grid.size and bool((wins == grid).all()) else \
        np.minimum(np.searchsorted(wins, grid), len(wins) - 1)
    hit = True if pos is None else wins[pos] == grid
    out = [times]
    for j, (vals, n, is_count) in enumerate(cols, 1):
        if not every:
            vals, n = vals[keep], n[keep]
        if pos is not None:
            vals, n = vals[pos], n[pos]
        if is_count:  # fill(null): an empty window counts 0; fill(none): a zero count is null
            out.append(np.where(hit, n, 0).tolist() if plan.fill == "null" else
                       [c if c else None for c in n.tolist()])
        else:
            ok = hit & (n > 0)
            full = bool(ok.all())
            if floats is not None and vals.dtype.kind == "f":
                floats.append((j, vals.astype(np.float64, copy=False) if full else np.where(ok, vals, np.nan)))
            out.append(vals.tolist() if full else [x if k else None for x, k in zip(vals.tolist(), ok.tolist())])
    return out if columns else list(map(list, zip(*out)))


def _run_starts(b: np.ndarray) -> np.ndarray:
    """The first row of each run of equal values of ``b`` (not empty)."""
    starts = np.empty(0, dtype=np.intp) if b.size < 2 else np.flatnonzero(b[1:] != b[:-1])
    out = np.empty(starts.size + 1, dtype=np.intp)
    out[0] = 0
    np.add(starts, 1, out=out[1:])
    return out


def _window_columns(plan: _Shape, arrays: dict[str, np.ndarray], order, starts: np.ndarray):
    """Each call's (values, count, is_count) per window of the time-sorted rows, and how many
    values each window holds over all calls."""
    cols, seen = [], np.zeros(len(starts), dtype=np.int64)
    lengths = None  # (rows of each window: the count of a column without NaN)
    for col in plan.columns:
        call = col.expr
        v = arrays[call.args[0].name]
        if order is not None:
            v = v[order]
        isfloat = v.dtype.kind == "f"
        nan = np.isnan(v) if isfloat else None
        if nan is not None and nan.any():
            n = np.add.reduceat((~nan).astype(np.int64), starts)
        else:  # every row has a value: a window's count is its length
            if lengths is None:
                lengths = np.empty(len(starts), dtype=np.int64)
                np.subtract(starts[1:], starts[:-1], out=lengths[:-1])
                lengths[-1] = v.size - starts[-1]
            n = lengths
        if call.name == "percentile":  # a window counts where it emits a value
            vals, n = _percentiles(v, nan, starts, n, float(call.args[1].val))
            seen += n
            cols.append((vals, n, False))
            continue
        seen += n
        if call.name == "count":
            cols.append((n, n, True))
        else:
            red = _REDUCE[call.name][0 if isfloat else 1]
            cols.append((red.reduceat(v, starts), n, False))
    return cols, seen


def _percentiles(v: np.ndarray, nan, starts: np.ndarray, n: np.ndarray, p: float):
    """percentile() of each window (rows ``starts[w]`` on, ``n[w]`` values): the value at
    index floor(n * p / 100 + 0.5) - 1 of the window's sorted values (influxd's reducer),
    and 1 where that index falls inside the window, else 0 (nothing emitted)."""
    w = np.repeat(np.arange(len(starts)), np.diff(np.append(starts, v.size)))
    keep = slice(None) if nan is None or not nan.any() else ~nan
    vv, ww = v[keep], w[keep]
    order = np.lexsort((vv, ww))
    first = np.concatenate(([0], np.cumsum(n)[:-1]))
    idx = np.floor(n * p / 100.0 + 0.5).astype(np.int64) - 1
    ok = (idx >= 0) & (idx < n)
    at = np.where(ok, first + idx, 0)
    vals = vv[order][at] if vv.size else np.zeros(len(n), dtype=v.dtype)
    return vals, ok.astype(np.int64)


def _empty_windows(plan: _Shape, epoch: str | None) -> list[list]:
    """fill(null) rows of the windows of ``plan.time_range`` when none has a point: null
    values, counts 0 (a series with points elsewhere in the range, past a LIMIT)."""
    tr = plan.time_range
    grid = bucket_grid_array(tr.start, tr.end, plan.interval, plan.offset)
    cells = [0 if c.expr.name == "count" else None for c in plan.columns]
    return [[t, *cells] for t in _grid_times(grid, plan.interval, epoch)]


_GRID_TIMES: dict[tuple, list] = {}  # (first window, interval, windows, epoch) -> their rendered times
_GRID_TIMES_MAX = 256
_GRID_TIMES_WINDOWS = 10_000  # longer grids are rendered each time (not kept)


def _grid_times(grid: np.ndarray, interval: int, epoch: str | None) -> list:
    """:func:`_times` of a regular grid, remembered: dashboards ask for the same windows again.
    The list is shared: callers only read it."""
    if not 0 < grid.size <= _GRID_TIMES_WINDOWS:
        return _times(grid, epoch)
    key = (int(grid[0]), interval, grid.size, epoch)
    times = _GRID_TIMES.get(key)
    if times is None:
        times = _times(grid, epoch)
        if len(_GRID_TIMES) >= _GRID_TIMES_MAX:
            _GRID_TIMES.clear()
        _GRID_TIMES[key] = times
    return times


def _times(grid: np.ndarray, epoch: str | None) -> list:
    """Window starts as InfluxDB renders them (result.time_expr, without Polars)."""
    if epoch:
        unit = EPOCH_UNITS.get(epoch, 1)
        if unit == 1:
            return grid.tolist()
        return np.where(grid >= 0, grid // unit, -((-grid) // unit)).tolist()
    return rfc3339_times(grid)
