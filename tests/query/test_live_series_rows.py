"""One series' rows read from several sorted pieces of buffered rows (``Files.series_arrays``):
a field condition is asked once of the pieces' rows joined (``_JoinedRows``), not piece by
piece. Whatever the writes (points out of order, a point written again, a field missing from
some points), a store holding them as pieces answers as the same lines flushed to a file."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.stores import pieces_and_flushed
from tsdb_core.storage import partitions

KEY = ("db", "autogen", "m")
QUERIES = [f"SELECT {sel} FROM m WHERE host = 'h1'{cond}{tail}" for sel, cond, tail in (
    ("*", "", ""), ("*", " AND v > 4", ""), ("v", " AND v > 4 AND time >= 3 AND time <= 30", " ORDER BY time DESC"),
    ("w, v", " AND (v < 2 OR v >= 8)", ""), ("v", " AND v != 5", " LIMIT 3"), ("*", " AND w < 50", ""),
    ("v", " AND v > 100", ""), ("*", " AND v >= 3", " ORDER BY time DESC LIMIT 2 OFFSET 1"))]

# each write: (host, first time, points, step, v offset, with w): points h1 and h2 written alike
_WRITE = st.tuples(st.sampled_from(["h1", "h2"]), st.integers(0, 40), st.integers(1, 6), st.integers(1, 3),
                   st.integers(0, 9), st.booleans())


def _lines(host: str, t0: int, n: int, step: int, off: int, with_w: bool) -> str:
    return "\n".join(f"m,host={host} v={(off + i) % 10}" + (f",w={(off + i) * 10}i" if with_w else "")
                     + f" {t0 + i * step}" for i in range(n))


@settings(max_examples=15, deadline=None)
@given(st.lists(_WRITE, min_size=2, max_size=6))
def test_one_series_of_several_pieces_answers_as_settled(writes):
    """Every write a piece of its own (no merge by size): each query answers as the settled
    store does (pieces overlapping in time, or holding a point twice, are read through the
    merge; those one after another through the joined rows)."""
    with pytest.MonkeyPatch.context() as mp:
        _pieces_apart(mp)
        _check_queries([_lines(*w) for w in [("h1", 0, 3, 1, 0, True), *writes]])


def _pieces_apart(mp) -> list:
    """Each write a piece of its own, sorted in the query (no thread, no merge by size); the
    answers of ``Files.series_arrays`` from then on (the list returned)."""
    from tsdb_core.storage import buffer_view
    mp.setattr(buffer_view, "BACKGROUND", False)
    mp.setattr(buffer_view, "_by_size", lambda pieces, tags: pieces)
    answered = []
    real = partitions.Files.series_arrays
    mp.setattr(partitions.Files, "series_arrays", lambda *a, **k: answered.append(got := real(*a, **k)) or got)
    return answered


def _check_queries(writes: list[str]) -> None:
    """Every one of QUERIES answers on the pieces of ``writes`` as on a flushed store."""
    with pieces_and_flushed(writes) as (live, settled):
        for q in QUERIES:
            assert live.query(q, db="db").to_json() == settled.query(q, db="db").to_json(), q


def test_joined_rows_path_taken_over_disjoint_pieces(monkeypatch):
    """Four pieces one after another in time, h1 in three: conditions keeping rows of the first
    and last, none, the last two only, every row; answered from the joined rows (not the merge)
    and as the settled store."""
    answered = _pieces_apart(monkeypatch)
    writes = [_lines("h1", 0, 4, 1, 0, True), _lines("h2", 0, 4, 1, 5, False), _lines("h1", 10, 4, 2, 3, True),
              _lines("h1", 30, 3, 1, 7, False)]
    with pieces_and_flushed(writes) as (live, settled):
        assert [p.decoded.frame.height for p in live._engine.state.buffer.views[KEY]._pieces] == [4, 4, 4, 3]
        want = {"SELECT v FROM m WHERE host = 'h1' AND (v < 1 OR v >= 8)": [[0, 0.0], [31, 8.0], [32, 9.0]],
                "SELECT v FROM m WHERE host = 'h1' AND v > 100": None,
                "SELECT v FROM m WHERE host = 'h1' AND v >= 4": [[12, 4.0], [14, 5.0], [16, 6.0], [30, 7.0], [31, 8.0],
                                                                  [32, 9.0]],
                "SELECT v FROM m WHERE host = 'h1' AND v >= 0 AND time >= 2": [[2, 2.0], [3, 3.0], [10, 3.0], [12, 4.0],
                                                                               [14, 5.0], [16, 6.0], [30, 7.0],
                                                                               [31, 8.0], [32, 9.0]]}
        for q, rows in want.items():
            answered.clear()
            got = live.query(q, db="db", epoch="ns").to_json()
            assert got == settled.query(q, db="db", epoch="ns").to_json(), q
            assert answered and answered[0] is not None, q
            series = got["results"][0].get("series")
            assert (series[0]["values"] if series else None) == rows, q
