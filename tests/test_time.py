"""base/time: the one copy of duration units, duration texts and RFC 3339 times."""
from __future__ import annotations

import numpy as np
import pytest

from tsdb_core.base.time import (DURATION_ALIASES, DURATION_UNITS, H, M, S, US, format_duration,
                                 format_rfc3339, go_duration, parse_duration)
from tsdb_core.query.results import FRACTION_TIMES, POLARS_TIMES, rfc3339_times


@pytest.mark.parametrize("ns,influxql,go", [
    (0, "0s", "0s"), (1, "1ns", "1ns"), (1_500, "1500ns", "1.5µs"), (US, "1u", "1µs"),
    (90 * M, "90m", "1h30m0s"), (-H, "-1h", "-1h0m0s"), (-1_500, "-1500ns", "-1.5µs"),
    (72 * H, "3d", "72h0m0s"), (S + 500_000_000, "1500ms", "1.5s"),
])
def test_duration_texts(ns, influxql, go):
    assert format_duration(ns) == influxql
    assert go_duration(ns) == go
    assert parse_duration(influxql) == ns


def test_aliases_only_when_asked():
    assert set(DURATION_ALIASES).isdisjoint(DURATION_UNITS)
    assert parse_duration("3us", aliases=True) == 3 * US
    assert parse_duration("2μ", aliases=True) == 2 * US
    with pytest.raises(ValueError, match="invalid duration"):
        parse_duration("3us")


def test_overflow_has_gos_words():
    with pytest.raises(ValueError, match=r"^overflowed duration 9223372036855s: choose a smaller duration or INF$"):
        parse_duration("9223372036855s")
    assert parse_duration("-9223372036855s") == -9223372036855 * S


@pytest.mark.parametrize("count", [3, FRACTION_TIMES + 1, POLARS_TIMES + 1])
@pytest.mark.parametrize("fractions", [False, True])
def test_vectorised_rfc3339_equals_the_scalar_rule(count, fractions):
    """results.rfc3339_times (many values at once) and format_rfc3339 (one) write the same text."""
    rng = np.random.default_rng(count)
    secs = rng.integers(-2 * 10**9, 4 * 10**9, count, dtype=np.int64) * S
    ns = secs + (rng.integers(0, S, count) * rng.integers(0, 2, count) if fractions else 0)
    ns[0] = 1_577_836_800_000_000_500
    assert rfc3339_times(ns) == [format_rfc3339(int(x)) for x in ns]
