"""The fast executor on dense series (a point in every window, as dashboards' hosts have): it
takes the windows as the grid without gathering them (exec/fast.py), and answers what the
general executor answers; gaps and NaN-free integer columns alongside."""
from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import tsdb_core

from .test_fastpath import _both, same_answer

S = 1_000_000_000


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(1, 4), st.lists(st.floats(-1e3, 1e3, allow_nan=False), min_size=30, max_size=120),
       st.sampled_from(["max", "min", "count"]), st.sampled_from([1, 3, 10]), st.integers(-20, 20),
       st.integers(1, 150), st.sampled_from(["", " fill(none)"]), st.booleans(), st.sampled_from([None, "s"]))
def test_dense_series_answer_as_the_general_executor(step, values, agg, every, lo, span, fill, gap, epoch):
    s = tsdb_core.open(None)
    s.create_database("db")
    lines = [f"m,host=a f={v},i={i}i {i * step * S}" for i, v in enumerate(values)
             if not (gap and i % 17 == 5)]  # gap: some windows without points
    s.write("db", "\n".join(lines))
    q = (f"SELECT {agg}(f), max(i) FROM m WHERE host = 'a' AND time >= {lo}s AND time < {lo + span}s "
         f"GROUP BY time({every}s){fill}")
    fast, general = _both(s, q, epoch=epoch)
    assert fast is not None
    assert same_answer(fast, general), (q, fast, general)
    s.close()
