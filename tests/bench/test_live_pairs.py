"""bench.live_pairs: each query's window moved to end just after the newest point."""
from __future__ import annotations

from bench.live_pairs import newest_windows
from bench.queries import BenchQuery

Q = "SELECT max(usage_user) FROM cpu WHERE time >= '2016-01-01T00:00:00Z' and time < '2016-01-01T01:00:00Z'"


def test_windows_keep_their_width_and_end_just_after_the_newest_point():
    newest = (1451610000 * 10**9) + 500_000_000  # 2016-01-01T01:00:00.5Z
    [moved, untouched] = newest_windows([BenchQuery("a", Q), BenchQuery("b", "SHOW TAG VALUES")], newest)
    assert moved == BenchQuery("a", "SELECT max(usage_user) FROM cpu WHERE "
                                    "time >= '2016-01-01T00:00:01Z' and time < '2016-01-01T01:00:01Z'")
    assert untouched == BenchQuery("b", "SHOW TAG VALUES")
