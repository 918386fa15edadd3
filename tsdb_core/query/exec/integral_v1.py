"""integral() as influxd 1.6.7's stream iterator answers it (query/functions.go
``FloatIntegralReducer``, ``IntegerIntegralReducer``; call_iterator.go ``newIntegralIterator``).

The reducer reads each series' points in the statement's time order, so under ORDER BY
time DESC every step is negative (the area comes out negated) and a window is labelled by
its upper bound (``window.end, window.start = opt.Window(t)``). Its windows are emitted as
points cross them: no fill iterator runs over them, whatever fill() says. Without GROUP BY
time the float reducer leaves its time at zero, the integer one takes ``opt.Window``: the
range's start (``MinTime`` → 0) ascending, its end + 1 descending.
"""
from __future__ import annotations

import itertools

import polars as pl

from ...base.time import MAX_TIME

_INTEGER_TYPES = (pl.Int64, pl.UInt64)
# marks the window a series' reducer emits only once the input ends (GROUP BY time)
FLUSH_COLUMN = "\x00flush"


def leads(aggs) -> bool:
    """Whether the statement's calls are all integral() (one stream iterator per call)."""
    return bool(aggs) and all(call.name == "integral" for call in aggs)


def lone_time(time_range, ascending: bool, input_dtype) -> int:
    """The time of the one row of integral() without GROUP BY time."""
    if input_dtype not in _INTEGER_TYPES:
        return 0
    if ascending:
        return time_range.start if time_range.has_start else 0
    return min(time_range.end, MAX_TIME) + 1


def descending(df: pl.DataFrame, columns: list[str], window_column: str, interval: int) -> pl.DataFrame:
    """Rows of a descending read: areas negated, windows labelled by their upper bound."""
    out = [pl.col(c) * -1.0 for c in columns if c in df.columns]
    if interval:
        out.append(pl.col(window_column) + interval)
    return df.with_columns(out) if out else df


def windows(interval: int, offset: int):
    """``opt.Window`` of GROUP BY time(interval, offset) (no zone)."""
    def window(t: int) -> tuple[int, int]:
        start = (t - offset) // interval * interval + offset
        return start, start + interval
    return window


def whole_range(time_range):
    """``opt.Window`` without GROUP BY time, as the integer reducer sets it: the range, its
    end exclusive."""
    return lambda t: (time_range.start, min(time_range.end, MAX_TIME) + 1)


def lone_stream(aggs, interval: int, ascending: bool, input_dtype) -> bool:
    """integral() of an integer field alone, descending, without GROUP BY time: its reducer
    is run step by step (a point on the range's start closes the window once more)."""
    return len(aggs) == 1 and leads(aggs) and not interval and not ascending \
        and input_dtype in _INTEGER_TYPES


def stream(times, values, window, unit: int, ascending: bool,
           integer: bool) -> list[tuple[int, float]]:
    """One series' (window label, area) pairs in the order the reducer emits them, its
    points given in the statement's time order; ``window(t)`` is ``opt.Window`` (a port of
    ``*IntegralReducer``: the integer one keeps the interpolated value for the rest of the step)."""
    return stream_rows(times, values, window, unit, ascending, integer)[0]


def stream_rows(times, values, window, unit: int, ascending: bool,
                integer: bool) -> tuple[list[tuple[int, float]], bool]:
    """:func:`stream`, and whether its last pair comes from closing the reducer once the
    input ends (influxd emits those after every series' other windows)."""
    out: list[tuple[int, float]] = []
    prev_t = prev_v = None
    total, wstart, wend = 0.0, 0, 0
    for t, v in zip(times, values):
        if prev_t is None:
            prev_t, prev_v = t, v
            wstart, wend = window(t)
            if not ascending:
                wstart, wend = wend, wstart
            continue
        if t == prev_t:
            prev_t, prev_v = t, v
            continue
        value = v
        if (t >= wend) if ascending else (t <= wend):
            if prev_t != wend:
                value = prev_v + (v - prev_v) / (t - prev_t) * (wend - prev_t)
                total += 0.5 * (value + prev_v) * ((wend - prev_t) / unit)
                prev_t = wend
                if not integer:
                    prev_v = value
            out.append((wstart, total))
            wstart, wend = window(t)
            if not ascending:
                wstart, wend = wend, wstart
            total = 0.0
        total += 0.5 * ((value if integer else v) + prev_v) * ((t - prev_t) / unit)
        prev_t, prev_v = t, v
    flushed = prev_t is not None and prev_t != wstart
    if flushed:
        out.append((wstart, total))
    return out, flushed


def stream_frame(df: pl.DataFrame, skeys: list[str], field: str, alias: str, window,
                 unit: int, ascending: bool, window_column: str) -> pl.DataFrame:
    """:func:`stream` over each series of ``df`` (rows with ``time`` and ``field``): one row per
    emitted area, in ascending order of emission within a series reversed when descending
    (the statement's ORDER BY reverses the rows once more); :data:`FLUSH_COLUMN` marks the
    area emitted when the input ends."""
    integer = df.schema[field] in _INTEGER_TYPES
    d = df.filter(pl.col(field).is_not_null()).sort(skeys + ["time"], descending=not ascending,
                                                     maintain_order=True)
    rows: dict[str, list] = {k: [] for k in skeys + [window_column, alias, FLUSH_COLUMN]}
    parts = d.partition_by(skeys, maintain_order=True, as_dict=True) if skeys else {(): d}
    for key, part in parts.items():
        emitted, flushed = stream_rows(part["time"].to_list(), part[field].cast(pl.Float64).to_list(),
                                       window, unit, ascending, integer)
        flags = [False] * len(emitted)
        if flushed:
            flags[-1] = True
        if not ascending:
            emitted.reverse()
            flags.reverse()
        for k, kv in zip(skeys, key):
            rows[k].extend([kv] * len(emitted))
        rows[window_column].extend(w for w, _ in emitted)
        rows[alias].extend(a for _, a in emitted)
        rows[FLUSH_COLUMN].extend(flags)
    schema = {**{k: d.schema[k] for k in skeys}, window_column: pl.Int64, alias: pl.Float64,
              FLUSH_COLUMN: pl.Boolean}
    return pl.DataFrame(rows, schema=schema)


def emission_order(frame: pl.DataFrame, keys: list[str]) -> tuple[list[tuple[tuple, int]], pl.Series]:
    """Reorders ``frame`` (rows by series in read order, :data:`FLUSH_COLUMN` beside) as
    influxd emits them: every series' other windows, then the areas flushed at the end, from
    a Go map most often read in insertion order and popped off the end (so the last series
    first). Answers the runs of rows of one series ((key, row count), a series may come
    back) and the rows' order (indices into ``frame``)."""
    flush = frame[FLUSH_COLUMN]
    body = (~flush).arg_true()
    order = body.append(flush.arg_true().reverse())
    cols = [frame[k].gather(order).to_list() for k in keys]
    runs = [(key, len(list(g))) for key, g in itertools.groupby(zip(*cols))]
    return runs, order
