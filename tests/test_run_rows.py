"""base.run_rows: the rows of runs laid end to end equal a range per run, concatenated."""
import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from tsdb_core.base.run_rows import run_rows


@given(st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 50)), max_size=30))
def test_run_rows_is_each_runs_range_in_turn(runs):
    starts = np.array([s for s, _ in runs], dtype=np.int64)
    lengths = np.array([n for _, n in runs], dtype=np.int64)
    want = np.concatenate([np.arange(s, s + n) for s, n in runs]) if runs else np.zeros(0, dtype=np.int64)
    got = run_rows(starts, lengths)
    assert got.dtype == np.int64 and got.tolist() == want.tolist()


def test_run_rows_of_three_runs():
    assert run_rows(np.array([5, 0, 9]), np.array([2, 1, 3])).tolist() == [5, 6, 0, 9, 10, 11]
