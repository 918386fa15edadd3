"""Helpers for unit-testing InfluxQL queries against an in-memory store.

The pytest plugin (:mod:`tsdb_core.pytest_plugin`) hands each test a fresh
``tsdb_store`` whose clock is a :class:`ManualClock`; these helpers load data
into it and compare a query's answer with the rows a test expects, printing a
readable diff when they differ. They work with any store, outside pytest too.

    from tsdb_core.testing import assert_query, load_lp

    def test_mean(tsdb_store):
        load_lp(tsdb_store, "mydb", "cpu,host=a v=1 0\\ncpu,host=a v=3 10")
        assert_query(tsdb_store, "SELECT mean(v) FROM cpu", [["1970-01-01T00:00:00Z", 2.0]], db="mydb")
"""
from __future__ import annotations

import difflib
import math
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from typing import Any

from .base.types import WriteResult
from .base.time import S, format_rfc3339, parse_duration as _influxql_duration

__all__ = ["ManualClock", "memory_store", "parse_duration", "to_ns", "load_lp", "load_frame",
           "assert_query", "assert_query_error", "DEFAULT_NOW"]

DEFAULT_NOW = "2024-01-01T00:00:00Z"


def parse_duration(text: str | int | timedelta) -> int:
    """Nanoseconds of an InfluxQL duration (``"1h30m"``), an int (ns) or a timedelta."""
    if isinstance(text, timedelta):
        return (text.days * 86_400 + text.seconds) * S + text.microseconds * 1_000
    if isinstance(text, int):
        return text
    try:
        if text.startswith("-"):
            raise ValueError
        return _influxql_duration(text, aliases=True)
    except ValueError:
        raise ValueError(f"invalid duration {text!r}: expected e.g. 10s, 1h30m, 7d") from None


def to_ns(when: str | int | datetime) -> int:
    """Nanoseconds since the epoch of an RFC3339 string, a datetime (naive = UTC) or an int."""
    if isinstance(when, int):
        return when
    if isinstance(when, str):
        text = when.strip()
        frac = ""
        m = re.match(r"^(.*T\d\d:\d\d:\d\d)(\.\d+)?(Z|[+-]\d\d:\d\d)?$", text)
        if not m:
            raise ValueError(f"invalid time {when!r}: expected RFC3339, e.g. 2024-01-01T00:00:00Z")
        frac = (m.group(2) or ".")[1:]
        when = datetime.fromisoformat(m.group(1) + (m.group(3) or "Z").replace("Z", "+00:00"))
        return to_ns(when) + int((frac + "000000000")[:9])
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    whole = int(when.replace(microsecond=0).timestamp())
    return whole * S + when.microsecond * 1_000


class ManualClock:
    """A store clock that moves only when a test says so.

    ``clock()`` gives now in ns; ``clock.set("2024-01-01T00:00:00Z")`` and
    ``clock.advance("1h")`` move it. It drives ``now()`` in InfluxQL, the
    timestamps of lines written without one, and retention.
    """

    __slots__ = ("ns",)

    def __init__(self, start: str | int | datetime = DEFAULT_NOW):
        self.ns = to_ns(start)

    def __call__(self) -> int:
        return self.ns

    def set(self, when: str | int | datetime) -> int:
        """Move to ``when`` (RFC3339, datetime or ns); returns the new now."""
        self.ns = to_ns(when)
        return self.ns

    def advance(self, by: str | int | timedelta) -> int:
        """Move forward by a duration (``"1h"``, ns or timedelta); returns the new now."""
        self.ns += parse_duration(by)
        return self.ns

    def __repr__(self) -> str:
        return f"ManualClock({format_rfc3339(self.ns)!r})"


@contextmanager
def memory_store(now: str | int | datetime = DEFAULT_NOW, *, config: Any = None) -> Iterator[Any]:
    """A fresh in-memory store with a :class:`ManualClock` (as ``store.clock``), closed on exit.

    What the ``tsdb_store`` fixture gives, for code that cannot take a
    fixture (hypothesis tests, scripts): ``with memory_store() as store: ...``.
    """
    import tsdb_core

    clock = ManualClock(now)
    store = tsdb_core.open(config=config, clock=clock)
    if getattr(store, "clock", None) is not clock:
        store.clock = clock
    try:
        yield store
    finally:
        store.close()


def load_lp(store: Any, db: str, text: str | bytes, *, precision: str = "ns", rp: str | None = None,
            strict: bool = True) -> WriteResult:
    """Write line protocol; with ``strict`` a rejected line fails the test with its reason."""
    __tracebackhide__ = True
    if isinstance(text, str):
        text = _dedent_lines(text)
    result: WriteResult = store.write(db, text, precision=precision, rp=rp)
    if strict and result.errors:
        raise AssertionError("line protocol rejected:\n" + "\n".join(
            f"  line {e.line}: {e.reason}: {e.text}" for e in result.errors))
    return result


def _dedent_lines(text: str) -> str:
    """Strip the indentation of triple-quoted blocks (line protocol ignores none)."""
    return "\n".join(line.strip() for line in text.strip().splitlines())


def load_frame(store: Any, db: str, df: Any, measurement: str, *, tags: Sequence[str] = (),
               fields: Sequence[str] | None = None, time: str | None = "time", precision: str = "ns",
               rp: str | None = None) -> WriteResult:
    """Write a Polars or pandas DataFrame (see :meth:`tsdb_core.Store.write_dataframe`)."""
    __tracebackhide__ = True
    result = store.write_dataframe(db, df, measurement, tags=tags, fields=fields, time=time,
                                   precision=precision, rp=rp)
    if result.errors:
        raise AssertionError("points rejected:\n" + "\n".join(
            f"  row {e.line}: {e.reason}" for e in result.errors))
    return result


# -- comparing answers ----------------------------------------------------------

def _run(store: Any, q: str, db: str | None, rp: str | None, epoch: str | None,
         params: dict | None) -> Any:
    __tracebackhide__ = True
    from .base.errors import UserError

    try:
        res = store.query(q, db=db, rp=rp, epoch=epoch, params=params)
    except UserError as exc:
        raise AssertionError(f"query failed: {exc}\n  query: {q}") from None
    if res.error is not None:
        raise AssertionError(f"query failed: {res.error}\n  query: {q}")
    return res


def _norm(value: Any, epoch: str | None) -> Any:
    """Expected cells as the answer spells them: datetimes as RFC3339 (or epoch ints)."""
    if isinstance(value, datetime):
        ns = to_ns(value)
        if epoch:
            from .query.results import EPOCH_UNITS
            return ns // EPOCH_UNITS.get(epoch, 1)
        return format_rfc3339(ns)
    if isinstance(value, tuple):
        return [_norm(v, epoch) for v in value]
    if isinstance(value, list):
        return [_norm(v, epoch) for v in value]
    return value


def _same(a: Any, b: Any, rel: float) -> bool:
    if isinstance(a, float) and isinstance(b, (int, float)) and not isinstance(b, bool) or \
            isinstance(b, float) and isinstance(a, (int, float)) and not isinstance(a, bool):
        if math.isnan(a) and math.isnan(b):
            return True
        return math.isclose(a, b, rel_tol=rel, abs_tol=rel if rel else 0.0)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y, rel) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k], rel) for k in a)
    return type(a) is type(b) and a == b if isinstance(a, bool) or isinstance(b, bool) else a == b


def _series_dict(s: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"name": s.name}
    if s.tags:
        out["tags"] = dict(sorted(s.tags.items()))
    out["columns"] = list(s.columns)
    out["values"] = [list(r) for r in s.values]
    return out


def _render_series(series: list[dict[str, Any]]) -> list[str]:
    lines: list[str] = []
    for s in series:
        tags = ",".join(f"{k}={v}" for k, v in (s.get("tags") or {}).items())
        lines.append(f"series {s.get('name', '')}" + (f" {{{tags}}}" if tags else ""))
        if "columns" in s:
            lines.append(f"  columns {list(s['columns'])!r}")
        lines.extend(f"  {list(row)!r}" for row in s.get("values", []))
    return lines


def _fail(q: str, db: str | None, expected: list[str], actual: list[str]) -> None:
    __tracebackhide__ = True
    diff = difflib.unified_diff(expected, actual, "expected", "actual", lineterm="", n=3)
    raise AssertionError(f"query answer differs from the expected one\n  query: {q}"
                         + (f"\n  db: {db}" if db else "") + "\n" + "\n".join(diff))


def assert_query(store: Any, q: str, expected: Any, *, db: str | None = None, rp: str | None = None,
                 epoch: str | None = None, params: dict | None = None, statement: int = 0,
                 rel: float = 1e-9) -> None:
    """Run ``q`` and fail with a diff unless its answer is ``expected``.

    ``expected`` may be:

    - a list of rows (lists or tuples): the statement must answer exactly one
      series with these values (``time`` first, as InfluxDB puts it);
    - a list of dicts ``{column: value}``: one series, rows compared by column;
    - a list of series dicts ``{"name", "tags"?, "columns"?, "values"}``
      (InfluxDB's JSON shape) for answers with several series;
    - a Polars DataFrame, compared with ``result.statements[i].to_polars()``.

    Datetimes in ``expected`` are formatted the way the answer is (RFC3339 or
    ``epoch``); floats compare with relative tolerance ``rel``.
    """
    __tracebackhide__ = True
    res = _run(store, q, db, rp, epoch, params)
    if statement >= len(res.statements):
        raise AssertionError(f"query answered {len(res.statements)} statement(s), "
                             f"no statement {statement}\n  query: {q}")
    st = res.statements[statement]
    if st.error is not None:
        raise AssertionError(f"statement {statement} failed: {st.error}\n  query: {q}")
    got = [_series_dict(s) for s in st.series]

    if _is_polars_frame(expected):
        _assert_frame(q, db, expected, st.to_polars())
        return
    expected = list(expected)
    if expected and isinstance(expected[0], dict) and "values" in expected[0]:
        want = [_norm_series(s, epoch) for s in expected]
        if not _same_series(want, got, rel):
            _fail(q, db, _render_series(want), _render_series(got))
        return
    if expected and isinstance(expected[0], dict):
        if len(got) != 1:
            _fail(q, db, ["1 series", *[f"  {r!r}" for r in expected]], _render_series(got))
        cols = got[0]["columns"]
        got_rows = [dict(zip(cols, row)) for row in got[0]["values"]]
        want_rows = [{k: _norm(v, epoch) for k, v in row.items()} for row in expected]
        if not _same(want_rows, got_rows, rel):
            _fail(q, db, [repr(r) for r in want_rows], [repr(r) for r in got_rows])
        return
    want_values = [_norm(list(row), epoch) for row in expected]
    if not expected:
        if got:
            _fail(q, db, ["(no series)"], _render_series(got))
        return
    if len(got) != 1:
        _fail(q, db, ["1 series", *[f"  {r!r}" for r in want_values]], _render_series(got))
    if not _same(want_values, got[0]["values"], rel):
        header = [f"columns {got[0]['columns']!r}"]
        _fail(q, db, header + [repr(r) for r in want_values], header + [repr(r) for r in got[0]["values"]])


def _norm_series(s: dict[str, Any], epoch: str | None) -> dict[str, Any]:
    out: dict[str, Any] = {"name": s.get("name", "")}
    if s.get("tags"):
        out["tags"] = dict(sorted(s["tags"].items()))
    if "columns" in s:
        out["columns"] = list(s["columns"])
    out["values"] = [_norm(list(r), epoch) for r in s["values"]]
    return out


def _same_series(want: list[dict[str, Any]], got: list[dict[str, Any]], rel: float) -> bool:
    if len(want) != len(got):
        return False
    for w, g in zip(want, got):
        if w.get("name", "") != g.get("name", "") or w.get("tags") != g.get("tags"):
            return False
        if "columns" in w and w["columns"] != g["columns"]:
            return False
        if not _same(w["values"], g["values"], rel):
            return False
    return True


def _is_polars_frame(obj: Any) -> bool:
    return type(obj).__module__.startswith("polars") and hasattr(obj, "equals")


def _assert_frame(q: str, db: str | None, expected: Any, actual: Any) -> None:
    __tracebackhide__ = True
    from polars.testing import assert_frame_equal

    try:
        assert_frame_equal(actual, expected, check_dtypes=False)
    except AssertionError as exc:
        raise AssertionError(f"query answer differs from the expected frame\n  query: {q}\n{exc}\n"
                             f"expected:\n{expected}\nactual:\n{actual}") from None


def assert_query_error(store: Any, q: str, match: str, *, db: str | None = None,
                       rp: str | None = None, params: dict | None = None) -> str:
    """Fail unless ``q`` is refused with an error containing ``match``; returns the error."""
    __tracebackhide__ = True
    from .base.errors import UserError

    error: str | None
    try:
        res = store.query(q, db=db, rp=rp, params=params)
    except UserError as exc:
        error = str(exc)
    else:
        error = res.error or next((s.error for s in res.statements if s.error), None)
    if error is None:
        raise AssertionError(f"query succeeded, expected an error matching {match!r}\n  query: {q}")
    if match not in error:
        raise AssertionError(f"error {error!r} does not contain {match!r}\n  query: {q}")
    return error
