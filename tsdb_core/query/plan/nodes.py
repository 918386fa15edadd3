"""The plan of a SELECT: a statement record and the tree of operators that executes it.

:class:`SelectPlan` is the normalised statement (sources resolved, wildcards expanded,
WHERE split into time range + residual, output columns named). Its ``root`` is the
operator tree the planner builds from it (:func:`.planner.build_tree`): frozen nodes,
leaves first, each the input of the one above::

    Project → Order/Limit → Transform → Fill → Aggregate | Series → Filter → Scan

``FastSelect`` at the root marks the physical choice of the fast executor (its child is
the general tree, run when that executor declines at run time). The Polars executor
runs the tree's stages with the parameters the nodes hold, and ``explain()`` prints
exactly that tree (the EXPLAIN statement's output).

Working columns. Executors carry intermediate values in columns whose names start with
a NUL, which no stored tag or field key can hold (writes refuse it), so a tag named like
one of them (``_name``) never collides. The protocol:

* :data:`MEASUREMENT_COLUMN` - the measurement of each row (the first series key);
* :data:`WINDOW_COLUMN` - the start of a row's GROUP BY time window (or the range start);
* :data:`POINT_TIME_COLUMN` - the time of the point a selector picked;
* :data:`ROW_COLUMN` - a row's position while rows are handed out by series;
* :data:`VALUE_COLUMN` / :data:`INPUT_COLUMN` - the value an aggregate / a transform reads;
* :data:`COUNT_COLUMN` / :data:`BOUND_COLUMN` - rows of a group, the time bound of a LIMIT;
* :data:`GRID_COLUMN` / :data:`KEY_COLUMN` - the windows fill() lists, a stand-in series key;
* :func:`output_column` - the i-th output column of the statement (named at the end);
* :func:`aggregate_column` / :func:`transform_column` - a lowered call's result;
* :func:`seen_column` / :func:`gap_column` - points an aggregate saw in a group, and
  whether it saw none (fill() fills those); :data:`SEEN_COLUMN` / :data:`ANY_COLUMN` -
  points all aggregates saw in a window, and whether any window has one.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Union

from ...influxql import ast
from ...influxql import functions as F
from ...influxql.ast.visit import find
from ...influxql.dialects.arith3 import INTERNAL_CALLS
from ...influxql.dialect import Dialect
from ...base.time import format_duration
from ...base.types import TWIN
from ..analyze.time_range import TimeRange

MEASUREMENT_COLUMN = "\x00name"
WINDOW_COLUMN = "\x00b"
POINT_TIME_COLUMN = "\x00t"
ROW_COLUMN = "\x00row"
VALUE_COLUMN = "\x00v"
INPUT_COLUMN = "\x00in"
COUNT_COLUMN = "\x00n"
BOUND_COLUMN = "\x00thr"
SEEN_COLUMN = "\x00seen"
GRID_COLUMN = "\x00g"
KEY_COLUMN = "\x00k"
ANY_COLUMN = "\x00any"
# the time a subquery of one selector per series orders its rows by: its window's, one for
# all (influxd hands them on series by series), where the rows show their point's time
ORDER_TIME_COLUMN = "\x00ot"
ORDER_ROW_COLUMN = "\x00or"  # the row's place in that subquery's answer
SOURCE_COLUMN = "\x00src"  # which subquery of several in FROM a row came from (an input of influxd's heap)
SUBQUERY_ROW_COLUMN = "\x00sub"  # true on the rows of a ``SubqueryScan.whole``
NULL_VALUE_PREFIX = "\x00null:"  # + a name in ``SubqueryScan.nulls``: true on that source's rows
VALUE_PREFIX = "\x00value:"  # + such a name: its value, apart from the grouping key
# Suffix of a GROUP BY name that is a field of the sources, not a tag: influxd groups by a
# tag of that name, which no series has, so its key column (kept apart from the field's
# column of the same name) is always "".
KEY_ONLY = "\x00"
# influxd's field named ``time``, beside the time column (a subquery's column, or nothing):
# the column of a field sharing its key (base.types.TWIN), as a twin of a tag
TIME_FIELD = TWIN + "time"


def tag_name(dimension: str) -> str:
    """The tag a GROUP BY key column stands for."""
    return dimension[:-1] if dimension.endswith(KEY_ONLY) else dimension


def output_column(i: int) -> str:
    return f"\x00c{i}"


def aggregate_column(i: int) -> str:
    return f"\x00a{i}"


def transform_column(i: int) -> str:
    return f"\x00t{i}"


def seen_column(i: int) -> str:
    return f"\x00seen{i}"


def gap_column(column: str) -> str:
    return f"\x00gap{column}"


def reads_extra_window(e) -> bool:
    """Whether a transform of windows reads one window before the range (derivative(mean(x)))."""
    return any(F.spec(c.name).extends_range and c.args and isinstance(c.args[0], ast.Call)
               for c in find(e, ast.Call) if c.name not in INTERNAL_CALLS)


SELECTORS = F.names(F.SELECTOR)
AGGREGATES = F.names(F.AGGREGATE, F.SELECTOR)
TRANSFORMS = F.names(F.TRANSFORM, F.TECHNICAL)
# Aggregates the fast executor computes exactly as the general one does, and those among
# them whose numpy result does not depend on the order values are summed in.
FAST_AGGREGATES = F.names_where(lambda s: s.fast)
ORDER_FREE_AGGREGATES = F.names_where(lambda s: s.exact_in_numpy)


class LoweredCall:
    """An aggregate or transform call replaced by the working column holding its result.

    Immutable and compared by value, but deliberately neither an AST node, a dataclass
    nor a tuple: walkers over a lowered expression (``visit``, the reference collectors)
    see an opaque leaf and never reach the call's arguments, which only the aggregate or
    transform reads.
    """

    __slots__ = ("column", "call")

    def __init__(self, column: str, call: ast.Call) -> None:
        object.__setattr__(self, "column", column)
        object.__setattr__(self, "call", call)

    def __setattr__(self, name: str, value) -> None:
        raise AttributeError("a LoweredCall is immutable")

    def __eq__(self, other) -> bool:
        return isinstance(other, LoweredCall) and (self.column, self.call) == (other.column, other.call)

    def __hash__(self) -> int:
        return hash((self.column, self.call))

    def __repr__(self) -> str:
        return f"LoweredCall({self.column!r}, {self.call!r})"

    def __str__(self) -> str:
        return str(self.call)


def _pad(depth: int) -> str:
    return "  " * depth


def _calls_text(calls) -> str:
    return ", ".join(str(c) for c in calls)


# -- sources --------------------------------------------------------------------------------

TagFilter = tuple[tuple[str, tuple[str, ...]], ...]  # (tag key, accepted values), by key


def _tags_text(tags: TagFilter) -> str:
    return ", ".join(f"{k} IN ({', '.join(repr(v) for v in vals)})" for k, vals in tags)


@dataclass(frozen=True, slots=True)
class Scan:
    """Read one measurement's rows in a time range (the pruning boundary).

    In the operator tree a scan also carries the hints the provider may use: ``tags``, the
    series WHERE's tag equalities keep, and ``limit = (n, newest)`` when the n oldest
    (newest) points of each series are all a raw LIMIT can keep.
    """

    database: str
    retention_policy: str
    measurement: str
    time_range: TimeRange
    columns: tuple[str, ...]
    tags: TagFilter = ()
    limit: tuple[int, bool] | None = None
    # InfluxDB 3: fields that each need the n values of ``limit`` (exec/held_scan.py)
    held: tuple[str, ...] = ()
    # (column, stored column): a field another source of the statement also has as a tag
    # is read under its twin name (``base.types.TWIN``) though stored under its key here
    renames: tuple[tuple[str, str], ...] = ()

    def tag_filter(self) -> dict[str, list[str]] | None:
        return {k: list(v) for k, v in self.tags} or None

    def shard_group_duration(self, provider) -> int:
        """The shard-group duration (ns) of the retention policy read; 0 when none is known
        (influxd's per-shard-group limits follow it)."""
        return next((p.shard_group_duration for p in provider.retention_policies(self.database)
                     if p.name == self.retention_policy), 0)

    def explain(self, depth: int = 0) -> str:
        hints = f" tags=[{_tags_text(self.tags)}]" if self.tags else ""
        if self.limit:
            hints += f" limit={self.limit[0]} {'newest' if self.limit[1] else 'oldest'}"
        return (f"{_pad(depth)}Scan {self.database}.{self.retention_policy}.{self.measurement} "
                f"time={self.time_range} columns=[{', '.join(self.columns)}]{hints}")


@dataclass(frozen=True, slots=True)
class SubqueryScan:
    """Rows produced by an inner SELECT, read as a source by the outer one. ``hidden``: series
    tags its raw rows carry but do not select, which read as null next to other sources.
    ``whole``: under a raw outer query each of its rows is a row, its selected values null
    or not, once the outer query selects a name some source knows (influxd); ``marks``: its
    selected tags the outer query selects, which are such names. ``nulls``: names the outer
    query selects as tags and groups by that this subquery neither selects nor groups by: its
    rows carry them as grouping keys, their values null (influxd maps such a name to nothing)."""

    plan: SelectPlan
    hidden: tuple[str, ...] = ()
    whole: bool = False
    marks: tuple[str, ...] = ()
    nulls: tuple[str, ...] = ()

    def explain(self, depth: int = 0) -> str:
        return _pad(depth) + "Subquery\n" + self.plan.explain(depth + 1)


SourcePlan = Union[Scan, SubqueryScan]


@dataclass(frozen=True, slots=True)
class Merge:
    """The rows of several sources, one after the other (columns aligned by name)."""

    inputs: tuple[SourcePlan, ...]

    def explain(self, depth: int = 0) -> str:
        return "\n".join([_pad(depth) + "Merge"] + [s.explain(depth + 1) for s in self.inputs])


# -- operators ------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Filter:
    """Keep the rows WHERE's residual condition (time already split off) holds for."""

    condition: ast.Expr
    child: Node

    def explain(self, depth: int = 0) -> str:
        return f"{_pad(depth)}Filter {self.condition}\n{self.child.explain(depth + 1)}"


@dataclass(frozen=True, slots=True)
class Series:
    """Raw rows, grouped into series by the measurement and the GROUP BY tags."""

    dimensions: tuple[str, ...]
    child: Node

    def explain(self, depth: int = 0) -> str:
        return (f"{_pad(depth)}Series by=[{', '.join(map(tag_name, self.dimensions))}]\n"
                f"{self.child.explain(depth + 1)}")


@dataclass(frozen=True, slots=True)
class Aggregate:
    """Aggregate calls per series and window (``interval`` 0: one window, the whole range).

    ``point_time``: a lone selector without GROUP BY time gives its rows the picked point's time.
    """

    calls: tuple[LoweredCall, ...]
    dimensions: tuple[str, ...]
    interval: int
    offset: int
    tz: str | None
    point_time: bool
    child: Node

    def window_text(self) -> str:
        if not self.interval:
            return "all"
        return f"time({format_duration(self.interval)}, {format_duration(self.offset)})"

    def explain(self, depth: int = 0) -> str:
        return (f"{_pad(depth)}Aggregate [{_calls_text(self.calls)}] window={self.window_text()} "
                f"by=[{', '.join(map(tag_name, self.dimensions))}]" + (f" tz={self.tz}" if self.tz else "")
                + (" time=point" if self.point_time else "") + "\n" + self.child.explain(depth + 1))


@dataclass(frozen=True, slots=True)
class Fill:
    """Rows for windows without points: null, none, previous, linear or a value."""

    mode: str
    value: object
    child: Node

    def explain(self, depth: int = 0) -> str:
        arg = f"({self.value})" if self.mode == "value" else ""
        return f"{_pad(depth)}Fill {self.mode}{arg}\n{self.child.explain(depth + 1)}"


@dataclass(frozen=True, slots=True)
class Transform:
    """Calls over each series' ordered rows (derivative, moving_average, ...)."""

    calls: tuple[LoweredCall, ...]
    inputs: tuple[ast.Expr, ...]  # what each call reads (aggregates lowered when windowed)
    child: Node

    def explain(self, depth: int = 0) -> str:
        return f"{_pad(depth)}Transform [{_calls_text(self.calls)}]\n{self.child.explain(depth + 1)}"


@dataclass(frozen=True, slots=True)
class ZipByTime:
    """Columns transforming raw points beside aggregate columns (no GROUP BY time): each part
    runs as its own statement and their rows meet on (series, time), as influxd zips them."""

    raw_columns: tuple[int, ...]
    aggregate_columns: tuple[int, ...]
    raw: SelectPlan
    aggregates: SelectPlan

    def explain(self, depth: int = 0) -> str:
        return (f"{_pad(depth)}ZipByTime raw={list(self.raw_columns)} "
                f"aggregates={list(self.aggregate_columns)}\n"
                f"{self.raw.explain(depth + 1)}\n{self.aggregates.explain(depth + 1)}")


@dataclass(frozen=True, slots=True)
class OrderLimit:
    """Time order within each series, then LIMIT/OFFSET per series and SLIMIT/SOFFSET series
    (SLIMIT picks series from the index, before field conditions, as influxd does)."""

    ascending: bool
    limit: int
    offset: int
    slimit: int
    soffset: int
    child: Node

    def explain(self, depth: int = 0) -> str:
        order = "ASC" if self.ascending else "DESC"
        return (f"{_pad(depth)}Order time {order} limit={self.limit} offset={self.offset} "
                f"slimit={self.slimit} soffset={self.soffset}\n{self.child.explain(depth + 1)}")


@dataclass(frozen=True, slots=True)
class Project:
    """The output columns: the time column and each named expression (``exprs``: the same
    with aggregate and transform calls lowered to the columns holding their results)."""

    time_column: str
    columns: tuple[Column, ...]
    exprs: tuple[ast.Expr, ...]
    child: Node

    def explain(self, depth: int = 0) -> str:
        cols = ", ".join(f"{c.expr} AS {c.name}" for c in self.columns)
        return f"{_pad(depth)}Project [{self.time_column}, {cols}]\n{self.child.explain(depth + 1)}"


@dataclass(frozen=True, slots=True)
class FastSelect:
    """The physical choice of the fast executor for this statement.

    ``shape`` is ``windows`` (GROUP BY time of simple aggregates) or ``raw`` (plain
    columns); ``tags`` is the exact tag filter the scan applies. ``child`` is the general
    tree: it runs when the fast executor declines at run time or is not allowed.
    """

    shape: str
    tags: TagFilter
    child: Node

    def tag_filter(self) -> dict[str, list[str]]:
        return {k: list(v) for k, v in self.tags}

    def explain(self, depth: int = 0) -> str:
        return (f"{_pad(depth)}FastSelect {self.shape} tags=[{_tags_text(self.tags)}]\n"
                f"{self.child.explain(depth + 1)}")


Node = Union[Scan, SubqueryScan, Merge, Filter, Series, Aggregate, Fill, Transform, ZipByTime,
             OrderLimit, Project, FastSelect]


def find_node(root: Node, kind: type):
    """The first node of type ``kind`` on the path from ``root`` down its single inputs."""
    node = root
    while node is not None:
        if isinstance(node, kind):
            return node
        node = getattr(node, "child", None)
    return None


@dataclass(frozen=True, slots=True)
class Column:
    """One output column: its name and the (wildcard-free) expression computing it."""

    name: str
    expr: ast.Expr


@dataclass(frozen=True, slots=True)
class SelectPlan:
    """One SELECT, normalised and validated: the facts its operators were built from (read by
    the limits checked before a query runs) and ``root``, the operator tree that runs it."""
    sources: tuple[SourcePlan, ...]
    columns: tuple[Column, ...]
    time_range: TimeRange
    condition: ast.Expr | None = None
    is_raw: bool = True
    dimensions: tuple[str, ...] = ()
    interval: int = 0
    offset: int = 0
    fill: str = "null"
    fill_value: object = None
    ascending: bool = True
    limit: int = 0
    row_offset: int = 0
    slimit: int = 0
    soffset: int = 0
    tz: str | None = None
    time_column: str = "time"
    point_time: bool = False  # single selector, no GROUP BY time: rows carry the point's time
    types: dict = field(default_factory=dict, compare=False, hash=False)  # name -> type text
    into: ast.Target | None = None
    omit_time: bool = False
    extra_intervals: int = 0  # windows read before the range for derivative(mean(x)) & co
    # influxdb1: the range influxd maps shards over, the outermost statement's (with its extra
    # window): every iterator's read is clamped to it (coordinator LocalShardMapping.CreateIterator),
    # a subquery's extra window too. None: the statement's own scan range.
    read_range: TimeRange | None = None
    source_tags: tuple[str, ...] = ()  # tag keys of the sources (raw subqueries pass them on)
    # a subquery's grouping tags taken from the outer statement's GROUP BY (influxd groups the
    # inner query by them too); its own are the other ``dimensions``
    inherited_dimensions: tuple[str, ...] = ()
    # a subquery's: the outer statement's GROUP BY tags (None: the outer groups by * or a regex);
    # influxd runs the inner query under them (query/iterator.go, newIteratorOptionsSubstatement)
    outer_dimensions: tuple[str, ...] | None = None
    outer_pattern: bool = False  # those the outer's GROUP BY * or /regex/ expands to (1.x only)
    # OFFSET without LIMIT on raw fields: influxd's storage reads OFFSET+1 points per series
    # group and shard group, so at most one row per shard group survives; its duration (ns)
    offset_shard: int = 0
    # whose InfluxQL the plan runs as: what that means for execution is the two properties below
    dialect: Dialect = Dialect.INFLUXDB1
    root: Node | None = None  # the operator tree that executes (planner.build_tree)

    def explain(self, depth: int = 0) -> str:
        """The operator tree, one node a line, inputs indented below their consumer."""
        return self.root.explain(depth)

    @property
    def emulates_influxd(self) -> bool:
        """Run as influxd 1.x runs it (``Dialect.INFLUXDB1``): its iterators' reading orders (a
        window's floats added backwards under DESC, a subquery's rows in its merge's order), a
        raw subquery's limits regrouped under the outer GROUP BY (exec/regroup.py) and its int64
        wraps (a fill walk from 1677: exec/fill_walk.py)."""
        return self.dialect is Dialect.INFLUXDB1

    @property
    def emulates_v3(self) -> bool:
        """Run as InfluxDB 3 runs it (``Dialect.INFLUXDB3``): LIMIT/OFFSET count each field's values
        on its own (exec/field_limits.py), max/min/median order a NaN by IEEE total order (only
        v3's arithmetic makes one: the check would cost 1.x's ~1.7x for nothing), fill numbers
        take v3's casts (exec/number_scalar.py)."""
        return self.dialect is Dialect.INFLUXDB3
