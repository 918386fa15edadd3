"""date_bin_gapfill with locf / interpolate: every series gets every bin of the WHERE range, filled
as InfluxDB 3 fills it. Expected rows come from a plain-Python reference written here."""
from __future__ import annotations

import math

import pytest

from tsdb_core.base.errors import LimitExceeded, QueryError
from tsdb_core.query.sql import execute as S

from .conftest import MIN, NOW, ROWS
from .test_functions import iso, rows

T0 = NOW - 10 * MIN


def aggregates(stride: int, origin: int, lo: int, hi: int) -> dict[str, dict[int, tuple]]:
    """host → bin → (avg(usage), count(usage), sum(n)) of the rows in [lo, hi]."""
    out: dict[str, dict[int, list]] = {}
    for host, minute, usage, n, _ in ROWS:
        t = T0 + minute * MIN
        if lo <= t <= hi:
            b = origin + (t - origin) // stride * stride
            cell = out.setdefault(host, {}).setdefault(b, [[], 0])
            cell[0].append(usage)
            cell[1] += n
    return {h: {b: (_avg(u), sum(v is not None for v in u), s) for b, (u, s) in bins.items()}
            for h, bins in out.items()}


def _avg(values):
    known = [v for v in values if v is not None]
    return sum(known) / len(known) if known else None


def locf(values: list) -> list:
    out, last = [], None
    for v in values:
        last = v if v is not None else last
        out.append(last)
    return out


def interpolate(times: list[int], values: list, integer: bool) -> list:
    out = list(values)
    known = [i for i, v in enumerate(values) if v is not None]
    for a, b in zip(known, known[1:]):
        for i in range(a + 1, b):
            v = values[a] + (values[b] - values[a]) / (times[b] - times[a]) * (times[i] - times[a])
            out[i] = math.trunc(v) if integer else v
    return out


def expected(stride: int, lo: int, hi: int, origin: int = 0) -> list[tuple]:
    """(host, bin, avg, locf(avg), interpolate(avg), count, interpolate(sum n)) per host and bin."""
    first = origin + (lo - origin) // stride * stride
    last = origin + (hi - origin) // stride * stride
    bins = list(range(first, last + 1, stride))
    out = []
    for host, cells in sorted(aggregates(stride, origin, lo, hi).items()):
        avg = [cells.get(b, (None, 0, None))[0] for b in bins]
        count = [cells.get(b, (None, 0, None))[1] for b in bins]
        total = [cells.get(b, (None, 0, None))[2] for b in bins]
        out += list(zip([host] * len(bins), bins, avg, locf(avg), interpolate(bins, avg, False), count,
                        interpolate(bins, total, True)))
    return out


def query(where: str, stride: str = "1 minute", origin: str = "", tail: str = "ORDER BY host, b") -> str:
    o = f", '{origin}'" if origin else ""
    return (f"SELECT host, date_bin_gapfill(INTERVAL '{stride}', time{o}) AS b, avg(usage) AS a, "
            "locf(avg(usage)) AS l, interpolate(avg(usage)) AS i, count(usage) AS c, interpolate(sum(n)) AS s "
            f"FROM cpu WHERE {where} GROUP BY host, b {tail}")


def approx_rows(got: list[tuple]) -> list[tuple]:
    return [tuple(pytest.approx(v) if isinstance(v, float) else v for v in r) for r in got]


RANGES = [  # (WHERE, stride, origin, lower, upper): the bounds as InfluxDB 3 derives them
    (f"time >= '{iso(T0)}' AND time < '{iso(T0 + 10 * MIN)}'", MIN, 0, T0, T0 + 10 * MIN - 1),
    (f"time > '{iso(T0)}' AND time <= '{iso(T0 + 9 * MIN)}'", MIN, 0, T0 + 1, T0 + 9 * MIN),
    (f"time BETWEEN '{iso(T0 - 3 * MIN)}' AND '{iso(T0 + 12 * MIN)}'", 2 * MIN, 0, T0 - 3 * MIN, T0 + 12 * MIN),
    ("time >= now() - INTERVAL '10 minutes' AND time < now()", MIN, 0, T0, NOW - 1),
    (f"time >= '{iso(T0)}' AND time < '{iso(T0 + 9 * MIN)}' AND host != 'zz'", 3 * MIN, MIN, T0, T0 + 9 * MIN - 1),
]


@pytest.mark.parametrize("where,stride,origin,lo,hi", RANGES, ids=[r[0][:60] for r in RANGES])
def test_gapfill_locf_interpolate(store, where, stride, origin, lo, hi):
    o = iso(origin) if origin else ""
    got = rows(S.execute(store, "db", query(where, f"{stride // MIN} minutes", o)))
    want = expected(stride, lo, hi, origin)
    assert len(got) == len(want) and got == approx_rows(want)


def test_hand_checked_values(store):
    """The fill of host a (1.5 at minute 1, 4 at 2, 2 at 5, 8 at 9) and b (a null usage at minute 3)."""
    got = rows(S.execute(store, "db", query(f"time >= '{iso(T0)}' AND time < '{iso(T0 + 10 * MIN)}'")))
    a = [r for r in got if r[0] == "a"]
    assert [r[3] for r in a] == [None, 1.5, 4.0, 4.0, 4.0, 2.0, 2.0, 2.0, 2.0, 8.0]  # locf
    assert [r[4] for r in a] == list(approx_rows([(None, 1.5, 4.0, 4 - 2 / 3, 4 - 4 / 3, 2.0, 3.5, 5.0, 6.5, 8.0)])[0])
    assert [r[5] for r in a] == [0, 1, 1, 0, 0, 1, 0, 0, 0, 1]  # count: missing bins are 0, not null
    assert [r[6] for r in a] == [None, 3, 9, 6, 3, 1, 1, 2, 3, 4]  # integers truncated toward zero
    b = [r for r in got if r[0] == "b"]
    assert [r[2:5] for r in b][3] == (None, 5.0, 5.0)  # a present row whose aggregate is null is filled


def test_order_limit_after_filling(store):
    q = query(f"time >= '{iso(T0)}' AND time < '{iso(T0 + 10 * MIN)}'", tail="ORDER BY b DESC, host LIMIT 4 OFFSET 1")
    got = rows(S.execute(store, "db", q))
    want = sorted(expected(MIN, T0, T0 + 10 * MIN - 1), key=lambda r: (-r[1], r[0]))[1:5]
    assert got == approx_rows(want)


def test_without_series_and_unaliased_names(store):
    df = S.execute(store, "db", f"SELECT date_bin_gapfill(INTERVAL '5 minutes', time), locf(max(n)) FROM cpu "
                                f"WHERE time >= '{iso(T0)}' AND time < '{iso(T0 + 20 * MIN)}' GROUP BY 1")
    assert df.columns[1] == "locf(max(n))"
    assert rows(df) == [(T0, 9), (T0 + 5 * MIN, 4), (T0 + 10 * MIN, 4), (T0 + 15 * MIN, 4)]


ERRORS = [
    ("SELECT date_bin_gapfill(INTERVAL '1 minute', time) AS b, avg(usage) FROM cpu GROUP BY b",
     "Error during planning: gap-filling query is missing both upper and lower time bounds"),
    ("SELECT date_bin_gapfill(INTERVAL '1 minute', time) AS b, avg(usage) FROM cpu WHERE time < now() GROUP BY b",
     "Error during planning: gap-filling query is missing lower time bound"),
    ("SELECT date_bin_gapfill(INTERVAL '1 minute', time) AS b, avg(usage) FROM cpu "
     "WHERE time >= now() - INTERVAL '1 hour' OR host = 'a' GROUP BY b",
     "Error during planning: gap-filling query is missing both upper and lower time bounds"),
    ("SELECT date_bin_gapfill(INTERVAL '1 minute', time) AS b, avg(usage) FROM cpu "
     "WHERE time >= now() - INTERVAL '1 hour' GROUP BY b",
     "Error during planning: gap-filling query is missing upper time bound"),
    ("SELECT date_bin_gapfill(INTERVAL '1 minute', time) AS b, avg(usage) FROM cpu "
     "WHERE time >= usage AND time < now() GROUP BY b",
     "Error during planning: lower time bound for gap fill query must evaluate to a scalar"),
    ("SELECT locf(avg(usage)) FROM cpu",
     "Error during planning: locf may only be used in the SELECT list of a gap-filling query"),
    ("SELECT date_bin(INTERVAL '1 minute', time) AS b, interpolate(avg(usage)) FROM cpu GROUP BY b",
     "Error during planning: interpolate may only be used in the SELECT list of a gap-filling query"),
    ("SELECT date_bin_gapfill(INTERVAL '1 minute', time) AS b FROM cpu WHERE time >= now() AND time < now()",
     "Error during planning: date_bin_gapfill may only be used as a GROUP BY expression"),
    ("SELECT date_bin_gapfill(INTERVAL '1 minute', time) AS b, usage, locf(usage) FROM cpu "
     "WHERE time >= now() AND time < now() GROUP BY b, usage",
     "Error during planning: locf must be called on an aggregate column in a gap-filling query"),
    ("SELECT date_bin_gapfill(INTERVAL '1 minute', time) AS b, date_bin_gapfill(INTERVAL '2 minutes', time) AS c, "
     "count(*) FROM cpu WHERE time >= now() AND time < now() GROUP BY b, c",
     "Error during planning: DATE_BIN_GAPFILL specified more than once"),
    ("SELECT date_bin_gapfill(INTERVAL '0 minutes', time) AS b, count(*) FROM cpu "
     "WHERE time >= now() AND time < now() GROUP BY b", "Execution error: DATE_BIN_GAPFILL stride must be non-zero"),
    ("SELECT date_bin_gapfill(INTERVAL '1 minute', time) AS b, interpolate(max(msg)) AS m FROM cpu "
     "WHERE time >= now() - INTERVAL '1 hour' AND time < now() GROUP BY b", "interpolate of String values"),
]


@pytest.mark.parametrize("q,message", ERRORS, ids=[e[1][:60] for e in ERRORS])
def test_errors(store, q, message):
    with pytest.raises(QueryError) as e:
        S.execute(store, "db", q)
    assert message in str(e.value) and str(e.value).startswith("SQL error: ")


def test_too_many_bins_refused_before_reading(store):
    with pytest.raises(LimitExceeded, match="gap filling would make"):
        S.execute(store, "db", "SELECT date_bin_gapfill(INTERVAL '1 nanosecond', time) AS b, count(*) FROM cpu "
                               "WHERE time >= now() - INTERVAL '1 hour' AND time < now() GROUP BY b")


def test_selectors_in_a_gap_filling_query(store):
    """locf of a selector's value; a whole selector struct is null (not a struct of nulls) in added rows."""
    where = f"time >= '{iso(T0)}' AND time < '{iso(T0 + 10 * MIN)}' AND host = 'a'"
    df = S.execute(store, "db", "SELECT date_bin_gapfill(INTERVAL '1 minute', time) AS b, "
                                "locf(selector_last(usage, time)['value']) AS v, selector_last(n, time) AS s "
                                f"FROM cpu WHERE {where} GROUP BY b ORDER BY b")
    got = rows(df)
    assert [r[1] for r in got] == [None, 1.5, 4.0, 4.0, 4.0, 2.0, 2.0, 2.0, 2.0, 8.0]
    present = {1: 3, 2: 9, 5: 1, 9: 4}
    assert [r[2] for r in got] == [(present[m], T0 + m * MIN) if m in present else None for m in range(10)]
