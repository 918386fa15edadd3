"""engine._contiguous_series: the runs of an answer's series keys, found column by column
(any dtype, nulls included), are itertools.groupby's (and None when a series comes back later)."""
import itertools

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from tsdb_core.query.engine import _contiguous_series

_KEYS = st.sampled_from(["cpu", "host_0", "host_1", "", "é", "a" * 20])


def _groupby_runs(frame, keys):
    runs = [(key, len(list(rows))) for key, rows in
            itertools.groupby(zip(*(frame.get_column(k).to_list() for k in keys)))]
    return runs if len({key for key, _ in runs}) == len(runs) else None


@settings(max_examples=300, deadline=None)
@given(rows=st.lists(st.tuples(_KEYS, st.one_of(_KEYS, st.none())), min_size=1, max_size=30), nulls=st.booleans())
def test_runs_are_groupbys(rows, nulls):
    frame = pl.DataFrame({"name": [r[0] for r in rows],
                          "host": [r[1] if nulls else (r[1] or "") for r in rows]}, schema={"name": pl.String,
                                                                                            "host": pl.String})
    assert _contiguous_series(frame, ["name", "host"]) == _groupby_runs(frame, ["name", "host"])


def test_a_group_by_answer_of_three_hosts():
    frame = pl.DataFrame({"name": ["cpu"] * 5, "host": ["a", "a", "b", "c", "c"]})
    assert _contiguous_series(frame, ["name", "host"]) == [(("cpu", "a"), 2), (("cpu", "b"), 1), (("cpu", "c"), 2)]
    back = pl.DataFrame({"name": ["cpu"] * 3, "host": ["a", "b", "a"]})
    assert _contiguous_series(back, ["name", "host"]) is None


@settings(max_examples=200, deadline=None)
@given(rows=st.lists(st.tuples(_KEYS, st.one_of(st.integers(-2, 2), st.none())), max_size=30))
def test_runs_of_any_dtype_with_nulls_are_groupbys(rows):
    frame = pl.DataFrame({"name": [r[0] for r in rows], "n": [r[1] for r in rows]},
                         schema={"name": pl.String, "n": pl.Int64})
    assert _contiguous_series(frame, ["name", "n"]) == _groupby_runs(frame, ["name", "n"])
