"""SELECT and the statements built around one (EXPLAIN, continuous queries, DELETE-like)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from .expr import Dimension, Expr, Field, Node, Source, SortField, Target, join, quote_ident
from ...base.time import format_duration
from ..parser.lexing import format_float, quote_string

# fill() options: None = not written (InfluxDB's default, fill(null)).
FILL_OPTIONS = ("null", "none", "previous", "linear", "value")


class Statement(Node):
    """Root of every statement node."""

    __slots__ = ()


def _fill_text(fill: Optional[str], value) -> str:
    if fill is None:
        return ""
    if fill == "value":
        v = format_float(value) if isinstance(value, float) else str(value)
        return f" fill({v})"
    return f" fill({fill})"


@dataclass(frozen=True, slots=True)
class SelectStatement(Statement):
    """``SELECT fields [INTO t] FROM sources [WHERE] [GROUP BY] [fill] [ORDER BY]
    [LIMIT] [OFFSET] [SLIMIT] [SOFFSET] [tz()]``.

    ``fill`` is None (not written), ``'null'``, ``'none'``, ``'previous'``,
    ``'linear'`` or ``'value'`` with ``fill_value`` an int or float.
    ``limit``/``offset``/``slimit``/``soffset`` are 0 when absent (as in influxql).
    ``location`` is the IANA zone name from ``tz('...')`` (validated at parse time).
    """

    fields: tuple[Field, ...]
    sources: tuple[Source, ...] = ()
    into: Optional[Target] = None
    condition: Optional[Expr] = None
    dimensions: tuple[Dimension, ...] = ()
    fill: Optional[str] = None
    fill_value: Optional[int | float] = None
    order_by: tuple[SortField, ...] = ()
    limit: int = 0
    offset: int = 0
    slimit: int = 0
    soffset: int = 0
    location: Optional[str] = None

    @property
    def time_ascending(self) -> bool:
        """False only for ``ORDER BY time DESC`` (or a bare ``ORDER BY DESC``)."""
        return not self.order_by or self.order_by[0].ascending

    def __str__(self) -> str:
        out = ["SELECT ", join(self.fields)]
        if self.into is not None:
            out += [" ", str(self.into)]
        if self.sources:
            out += [" FROM ", join(self.sources)]
        if self.condition is not None:
            out += [" WHERE ", str(self.condition)]
        if self.dimensions:
            out += [" GROUP BY ", join(self.dimensions)]
        out.append(_fill_text(self.fill, self.fill_value))
        if self.order_by:
            out += [" ORDER BY ", join(self.order_by)]
        for kw, v in (("LIMIT", self.limit), ("OFFSET", self.offset),
                      ("SLIMIT", self.slimit), ("SOFFSET", self.soffset)):
            if v:
                out.append(f" {kw} {v}")
        if self.location is not None:
            out.append(f" tz({quote_string(self.location)})")
        return "".join(out)


@dataclass(frozen=True, slots=True)
class ExplainStatement(Statement):
    """``EXPLAIN [ANALYZE] SELECT ...``."""

    statement: SelectStatement
    analyze: bool = False

    def __str__(self) -> str:
        return f"EXPLAIN {'ANALYZE ' if self.analyze else ''}{self.statement}"


@dataclass(frozen=True, slots=True)
class CreateContinuousQueryStatement(Statement):
    """``CREATE CONTINUOUS QUERY name ON db [RESAMPLE [EVERY d] [FOR d]] BEGIN select END``.

    ``resample_every``/``resample_for`` are ns, 0 when absent.
    """

    name: str
    database: str
    source: SelectStatement
    resample_every: int = 0
    resample_for: int = 0

    def __str__(self) -> str:
        out = f"CREATE CONTINUOUS QUERY {quote_ident(self.name)} ON {quote_ident(self.database)} "
        if self.resample_every or self.resample_for:
            out += "RESAMPLE "
            if self.resample_every:
                out += f"EVERY {format_duration(self.resample_every)} "
            if self.resample_for:
                out += f"FOR {format_duration(self.resample_for)} "
        return out + f"BEGIN {self.source} END"


@dataclass(frozen=True, slots=True)
class DeleteSeriesStatement(Statement):
    """``DELETE [FROM sources] [WHERE cond]`` (at least one of the two)."""

    sources: tuple[Source, ...] = ()
    condition: Optional[Expr] = None

    def __str__(self) -> str:
        out = "DELETE"
        if self.sources:
            out += " FROM " + join(self.sources)
        if self.condition is not None:
            out += f" WHERE {self.condition}"
        return out


@dataclass(frozen=True, slots=True)
class DropSeriesStatement(Statement):
    """``DROP SERIES [FROM sources] [WHERE cond]`` (at least one of the two)."""

    sources: tuple[Source, ...] = ()
    condition: Optional[Expr] = None

    def __str__(self) -> str:
        out = "DROP SERIES"
        if self.sources:
            out += " FROM " + join(self.sources)
        if self.condition is not None:
            out += f" WHERE {self.condition}"
        return out
