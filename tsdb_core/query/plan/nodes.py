"""Plan nodes of a SELECT: frozen values the executor turns into Polars.

A :class:`SelectPlan` is the normalised statement (sources resolved, wildcards
expanded, WHERE split into time range + residual, output columns named);
``explain()`` prints it as an indented tree (scan → filter → window/aggregate →
fill → transform → order/limit → project), the text EXPLAIN and golden tests show.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional, Union

from ...influxql import ast
from ...influxql import functions as F
from ...base.time import format_duration
from ..analyze.time_range import TimeRange

# Functions that pick points (their time and auxiliary fields come with them).
# Working columns of the executors: a NUL in the name, which no stored tag or field key can hold
# (writes refuse it), so a tag named like them (``_name``) never collides.
MEASUREMENT_COLUMN = "\x00name"
ROW_COLUMN = "\x00row"

SELECTORS = F.names(F.SELECTOR)
AGGREGATES = F.names(F.AGGREGATE, F.SELECTOR)
TRANSFORMS = F.names(F.TRANSFORM, F.TECHNICAL)


@dataclass(frozen=True, slots=True)
class Scan:
    """Read one measurement's rows in a time range (the pruning boundary)."""

    database: str
    retention_policy: str
    measurement: str
    time_range: TimeRange
    columns: tuple[str, ...]

    def explain(self, depth: int = 0) -> str:
        pad = "  " * depth
        return (f"{pad}Scan {self.database}.{self.retention_policy}.{self.measurement} "
                f"time={self.time_range} columns=[{', '.join(self.columns)}]")


@dataclass(frozen=True, slots=True)
class SubqueryScan:
    """Rows produced by an inner SELECT, read as a source by the outer one."""

    plan: "SelectPlan"

    def explain(self, depth: int = 0) -> str:
        return "  " * depth + "Subquery\n" + self.plan.explain(depth + 1)


SourcePlan = Union[Scan, SubqueryScan]


@dataclass(frozen=True, slots=True)
class Column:
    """One output column: its name and the (wildcard-free) expression computing it."""

    name: str
    expr: ast.Expr


@dataclass(frozen=True, slots=True)
class SelectPlan:
    """The normalised, validated form of one SELECT that the Polars executor runs."""
    sources: tuple[SourcePlan, ...]
    columns: tuple[Column, ...]
    time_range: TimeRange
    condition: Optional[ast.Expr] = None
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
    tz: Optional[str] = None
    time_column: str = "time"
    point_time: bool = False  # single selector, no GROUP BY time: rows carry the point's time
    types: dict = field(default_factory=dict, compare=False, hash=False)  # name -> type text
    into: Optional[ast.Target] = None
    omit_time: bool = False
    extra_intervals: int = 0  # windows read before the range for derivative(mean(x)) & co
    source_tags: tuple[str, ...] = ()  # tag keys of the sources (raw subqueries pass them on)

    def explain(self, depth: int = 0) -> str:
        pad = "  " * depth
        lines = []
        cols = ", ".join(f"{c.expr} AS {c.name}" for c in self.columns)
        lines.append(f"{pad}Project [{self.time_column}, {cols}]")
        order = "ASC" if self.ascending else "DESC"
        lines.append(f"{pad}  Order time {order} limit={self.limit} offset={self.row_offset} "
                     f"slimit={self.slimit} soffset={self.soffset}")
        inner = depth + 2
        if not self.is_raw:
            if self.interval:
                lines.append(f"{'  ' * inner}Fill {self.fill}"
                             + (f"({self.fill_value})" if self.fill == "value" else ""))
                inner += 1
            win = (f"time({format_duration(self.interval)}, {format_duration(self.offset)})"
                   if self.interval else "all")
            lines.append(f"{'  ' * inner}Aggregate window={win} by=[{', '.join(self.dimensions)}]"
                         + (f" tz={self.tz}" if self.tz else ""))
        else:
            lines.append(f"{'  ' * inner}Series by=[{', '.join(self.dimensions)}]")
        inner += 1
        if self.condition is not None:
            lines.append(f"{'  ' * inner}Filter {self.condition}")
            inner += 1
        for s in self.sources:
            lines.append(s.explain(inner))
        return "\n".join(lines)
