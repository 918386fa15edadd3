"""Query results: statements → series {name, tags, columns, values}.

The shapes follow InfluxDB 1.x's ``/query`` JSON (``models.Row`` and
``query.Result``): keys that Go omits when empty are omitted here too.
Times are formatted in Polars (one vectorised pass per series), as RFC3339Nano
with trailing zeros trimmed, or as integers in the ``epoch`` unit.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl

from ..base import gcpause
from ..base.time import PRECISIONS
from ..influxql.dialects.names3 import numbered
from .grid_times import MAX_TIMES, MIN_TIMES, grid_texts

# ns per unit of the ``epoch`` query parameter (InfluxDB accepts these spellings).
EPOCH_UNITS: dict[str, int] = {**PRECISIONS, "n": 1}


class SeriesBlock:
    """The rows of a statement's many small series, as one frame (the series are runs of its
    rows, in order): an encoder may write them all in one vectorised pass; Python rows are
    built, for every series at once, only when some series' ``values`` is read.
    """

    __slots__ = ("frame", "_rows")

    def __init__(self, frame: pl.DataFrame) -> None:
        self.frame = frame
        self._rows: list[list] | None = None

    @property
    def spent(self) -> bool:
        """Whether rows were built (and may have been changed since): the frame is stale then."""
        return self._rows is not None

    def rows(self, start: int, n: int) -> list[list]:
        """Rows ``start`` to ``start + n`` (every row is built on the first call, in one pass)."""
        if self._rows is None:
            self._rows = frame_rows(self.frame)
        return self._rows if n == len(self._rows) else self._rows[start:start + n]


class Series:
    """One series of a statement's answer (InfluxDB's ``models.Row``).

    ``values`` are rows of Python values. A large answer may instead carry its rows as a
    Polars ``frame`` (one column per entry of ``columns``): the HTTP encoders write such
    frames column by column, and the rows are built only when ``values`` is first read.
    The many small series of a GROUP BY answer may share one :class:`SeriesBlock` (``span``)
    instead: their rows, too, are built only when read. A small series may carry its rows as
    columns (``cols``: lists, the first the times) for the same reason (:attr:`column_lists`).
    """

    __slots__ = ("_cols", "_floats", "_frame", "_span", "_values", "columns", "name", "no_floats", "partial",
                 "tags")

    def __init__(self, name: str, tags: dict[str, str] | None, columns: list[str],
                 values: list[list] | None = None, partial: bool = False, no_floats: bool = False,
                 frame: pl.DataFrame | None = None, span: tuple[SeriesBlock, int, int] | None = None,
                 float_columns: tuple[tuple[int, np.ndarray], ...] | None = None, cols: list[list] | None = None):
        self.name, self.tags, self.columns = name, tags, columns
        lazy = frame is not None or span is not None or cols is not None
        self._values = values if values is not None or lazy else []
        self._frame = frame if values is None else None
        self._span = span if values is None and frame is None else None
        self._cols = cols if values is None and frame is None and span is None else None
        self.partial = partial
        # a promise that no value is a float: encoders skip the Go float fix-up (SHOW answers)
        self.no_floats = no_floats
        self._floats = float_columns if values is not None or self._cols is not None else None

    @property
    def values(self) -> list[list]:
        if self._values is None:
            frame, self._frame = self._frame, None
            if frame is not None:
                self._values = frame_rows(frame)
            elif self._span is not None:
                block, start, n = self._span
                self._values, self._span = block.rows(start, n), None
            elif self._cols is not None:
                cols, self._cols = self._cols, None
                self._values = list(map(list, zip(*cols)))
            else:
                self._values = []
        return self._values

    @values.setter
    def values(self, rows: list[list]) -> None:
        self._values, self._frame, self._span, self._floats, self._cols = rows, None, None, None, None

    @property
    def float_columns(self) -> tuple[tuple[int, np.ndarray], ...] | None:
        """A promise from the executor that built ``values`` (dropped when they are replaced):
        every float cell is in one of these columns, and column ``j``'s cells are its float64
        array's values (NaN where the cell is None), so an encoder may look at the arrays instead
        of the cells. Rows changed in place elsewhere than in other columns break it."""
        return self._floats if self._floats is not None and (self._values is not None or self._cols is not None) \
            else None

    @property
    def column_lists(self) -> list[list] | None:
        """The rows as columns (lists, the first the times) while ``values`` has not been built
        from them, else None: an encoder may write them without building rows (callers only read them)."""
        return self._cols

    @property
    def frame(self) -> pl.DataFrame | None:
        """The rows as a frame while ``values`` has not been built from it, else None."""
        return self._frame

    @frame.setter
    def frame(self, frame: pl.DataFrame) -> None:
        self._values, self._frame, self._span, self._floats, self._cols = None, frame, None, None, None

    @property
    def span(self) -> tuple[SeriesBlock, int, int] | None:
        """(block, first row, row count) while the rows are still only the block's frame
        (no series of the block has had its ``values`` built), else None."""
        span = self._span
        return span if span is not None and not span[0].spent else None

    @property
    def n_rows(self) -> int:
        if self._values is not None:
            return len(self._values)
        if self._span is not None:
            return self._span[2]
        if self._cols is not None:
            return len(self._cols[0])
        return self._frame.height if self._frame is not None else 0

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Series):
            return NotImplemented
        return (self.name, self.tags, self.columns, self.values, self.partial) == \
            (other.name, other.tags, other.columns, other.values, other.partial)

    __hash__ = None  # type: ignore[assignment]  # mutable, as the dataclass was

    def __repr__(self) -> str:
        return (f"Series(name={self.name!r}, tags={self.tags!r}, columns={self.columns!r}, "
                f"values={self.values!r}, partial={self.partial!r})")

    def header(self) -> dict[str, Any]:
        """Its ``name``, ``tags`` (sorted) and ``columns`` as InfluxDB's JSON has them, those that are set
        (called per series of a GROUP BY answer: one tag needs no sort)."""
        name, tags, columns = self.name, self.tags, self.columns
        if tags and len(tags) > 1:
            tags = dict(sorted(tags.items()))
        if name and tags and columns:
            return {"name": name, "tags": dict(tags), "columns": list(columns)}
        return {k: v for k, v in (("name", name), ("tags", tags and dict(tags)), ("columns", columns and list(columns)))
                if v}

    def to_json(self) -> dict[str, Any]:
        out = self.header()
        if self.n_rows:
            out["values"] = self.values
        if self.partial:
            out["partial"] = True
        return out


@dataclass(slots=True)
class Message:
    """An informational message of a statement result (InfluxDB's ``messages``)."""
    level: str
    text: str

    def to_json(self) -> dict[str, str]:
        return {"level": self.level, "text": self.text}


@dataclass(slots=True)
class StatementResult:
    """The answer to one statement: series, or an error string (InfluxDB's words)."""

    statement_id: int
    series: list[Series] = field(default_factory=list)
    error: str | None = None
    messages: list = field(default_factory=list)
    partial: bool = False

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"statement_id": self.statement_id}
        if self.series:
            out["series"] = [s.to_json() for s in self.series]
        if self.messages:
            out["messages"] = [m.to_json() if isinstance(m, Message) else m for m in self.messages]
        if self.partial:
            out["partial"] = True
        if self.error:
            out["error"] = self.error
        return out

    def to_polars(self) -> pl.DataFrame:
        """All series stacked, tag keys as leading String columns.

        A ``name`` column is added only when the series come from more than one
        measurement.
        """
        if not self.series:
            return pl.DataFrame()
        names = {s.name for s in self.series}
        tag_keys = sorted({k for s in self.series for k in (s.tags or {})})
        frames = []
        for s in self.series:
            cols = list(s.columns)
            uniq = _dedupe(cols)
            data = {c: [row[i] for row in s.values] for i, c in enumerate(uniq)}
            df = pl.DataFrame(data, schema={c: None for c in uniq}, strict=False) if s.values \
                else pl.DataFrame(schema={c: pl.Null for c in uniq})
            extra = [pl.lit((s.tags or {}).get(k, ""), dtype=pl.String).alias(k) for k in tag_keys]
            if len(names) > 1:
                extra.insert(0, pl.lit(s.name, dtype=pl.String).alias("name"))
            frames.append(df.with_columns(extra).select([e.meta.output_name() for e in extra] + uniq))
        return pl.concat(frames, how="diagonal_relaxed")


def _dedupe(cols: list[str]) -> list[str]:
    return numbered([], cols)


@dataclass(slots=True)
class QueryResult:
    """Every statement's answer, or one request-level ``error`` (e.g. a parse error)."""

    statements: list[StatementResult] = field(default_factory=list)
    error: str | None = None

    def to_json(self) -> dict[str, Any]:
        if self.error is not None:
            return {"error": self.error}
        return {"results": [s.to_json() for s in self.statements]}

    def to_polars(self) -> list[pl.DataFrame]:
        return [s.to_polars() for s in self.statements]

    def to_arrow(self, statement: int = 0, *, parse_times: bool = True):
        """One statement as a ``pyarrow.Table`` (see :mod:`.results_convert`)."""
        from .results_convert import to_arrow
        return to_arrow(self, statement, parse_times=parse_times)

    def to_pandas(self, statement: int = 0, *, parse_times: bool = True, index: str | None = None):
        """One statement as a ``pandas.DataFrame`` (see :mod:`.results_convert`)."""
        from .results_convert import to_pandas
        return to_pandas(self, statement, parse_times=parse_times, index=index)

    @property
    def ok(self) -> bool:
        return self.error is None and all(s.error is None for s in self.statements)


# -- formatting helpers used by the executor ---------------------------------

def time_expr(col: str, epoch: str | None, tz: str | None = None) -> pl.Expr:
    """An expression rendering an Int64 ns column as InfluxDB renders times.

    With ``tz`` the text carries that zone's offset (Go prints ``Z`` for +00:00).
    """
    c = pl.col(col)
    if epoch:
        unit = EPOCH_UNITS.get(epoch, 1)  # InfluxDB treats unknown units as ns
        if unit == 1:
            return c
        # Go truncates toward zero (t.UnixNano() / precision).
        return pl.when(c >= 0).then(c // unit).otherwise(-((-c) // unit))
    if tz:
        local = pl.from_epoch(c, "ns").dt.replace_time_zone("UTC").dt.convert_time_zone(tz)
        # Go prints an offset's minutes truncated (+10:04 for Sydney's +10:04:52 of 1677)
        text = local.dt.to_string("%Y-%m-%dT%H:%M:%S%.9f%::z").str.replace(r"\+00:00:00$", "Z")
        text = text.str.replace(r"(\.\d*?)0*([+-]\d\d:\d\d|Z)(?::\d\d)?$", "${1}${2}")
        return text.str.replace(r"\.([+-]\d\d:\d\d|Z)$", "${1}")
    text = pl.from_epoch(c, "ns").dt.to_string("%Y-%m-%dT%H:%M:%S%.9f")
    return text.str.strip_chars_end("0").str.strip_chars_end(".") + "Z"


def frame_rows(df: pl.DataFrame) -> list[list]:
    """The frame's rows as lists (what JSON wants): columns converted in bulk, then zipped
    (the cyclic collector held off meanwhile: base/gcpause.py)."""
    with gcpause.paused():
        return list(map(list, zip(*(s.to_list() for s in df.get_columns()))))


FRAME_ROWS = 4096  # from here a statement's series keep their rows as frames (Series.frame) ...
FRAME_SERIES_ROWS = 256  # ... when its series are this long on average
BLOCK_ROWS = 32  # from here the small series of a GROUP BY answer share one SeriesBlock
PARTIAL_ROWS = 10_000  # influxd's DefaultChunkSize: a longer series says "partial": true
POLARS_TIMES = 1024   # from here one Polars pass is the fastest (its start-up cost is paid once)
FRACTION_TIMES = 256  # ... and from here when some times have a fraction of a second


def rfc3339_times(ns: list[int] | np.ndarray) -> list[str]:
    """Go's RFC3339Nano for int64 ns values: ``2016-01-01T00:00:10.5Z`` (fraction trimmed, none when 0).

    A regular grid (a GROUP BY time answer's windows) is cut from cached blocks of texts
    (:mod:`.grid_times`). Else below ``POLARS_TIMES`` values NumPy writes the whole seconds
    (``datetime_as_string``, much cheaper than starting Polars for an answer of a few rows)
    and Python the rare fractions; past it, or past ``FRACTION_TIMES`` with fractions, Polars does all.
    """
    n = len(ns)
    arr = np.asarray(ns, dtype=np.int64)
    texts = grid_texts(arr, _numpy_texts) if MIN_TIMES <= n <= MAX_TIMES else None
    if texts is not None:
        return texts
    if n >= POLARS_TIMES:
        return _rfc3339_polars(arr)
    secs, frac = np.divmod(arr, 1_000_000_000)
    if not frac.any():
        return _whole_seconds(secs)
    if n >= FRACTION_TIMES:
        return _rfc3339_polars(arr)
    return _numpy_texts(arr)


def _numpy_texts(ns: np.ndarray) -> list[str]:
    """:func:`rfc3339_times` by NumPy (whole seconds) and Python (fractions), nothing remembered."""
    secs, frac = np.divmod(ns, 1_000_000_000)
    text = np.datetime_as_string(secs.view("datetime64[s]"), unit="s").tolist()
    return [f"{t}.{f:09d}".rstrip("0") + "Z" if f else t + "Z" for t, f in zip(text, frac.tolist())]


_SECONDS: dict[int, str] = {}  # epoch second -> its text: dashboards ask for the same windows again
_SECONDS_MAX = 1 << 17


def _whole_seconds(secs: np.ndarray) -> list[str]:
    """Whole seconds as RFC3339, remembered (a lookup is cheaper than formatting again)."""
    keys = secs.tolist()
    get = _SECONDS.get
    known = [get(k) for k in keys]
    if None not in known:
        return known  # type: ignore[return-value]  # no None in it
    out = [t + "Z" for t in np.datetime_as_string(secs.view("datetime64[s]"), unit="s").tolist()]
    if len(_SECONDS) + len(keys) > _SECONDS_MAX:
        _SECONDS.clear()
    _SECONDS.update(zip(keys, out))
    return out


def _rfc3339_polars(ns: list[int] | np.ndarray) -> list[str]:
    text = pl.Series(ns, dtype=pl.Int64).cast(pl.Datetime("ns")).dt.to_string("%Y-%m-%dT%H:%M:%S%.9f")
    return (text.str.strip_chars_end("0").str.strip_chars_end(".") + "Z").to_list()
