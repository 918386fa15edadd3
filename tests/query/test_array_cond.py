"""Field conditions of a one-series raw read evaluated over numpy arrays (exec/array_cond.py):
the rows the general executor's Polars filter keeps, on files and on a store still being
written to (sorted buffered pieces), for random comparisons joined by AND/OR."""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import tsdb_core
from tsdb_core import StoreConfig
from tsdb_core.storage import buffer_view

from .test_fastpath import _both, _cached_store, _series_lines, same_answer

FIELDS = {"f": (0.0, 900.0), "i": (-300, 300), "sparse": (0.0, 86.0)}  # (f, sparse: float; i: integer)


@st.composite
def comparisons(draw):
    name = draw(st.sampled_from(sorted(FIELDS)))
    lo, hi = FIELDS[name]
    value = draw(st.one_of(st.integers(int(lo) - 5, int(hi) + 5),
                           st.floats(lo - 5, hi + 5, allow_nan=False).map(lambda v: round(v, 1))))
    op = draw(st.sampled_from(["=", "!=", "<>", "<", "<=", ">", ">="]))
    text = repr(value) if isinstance(value, float) else str(value)
    return f"{text} {op} {name}" if draw(st.booleans()) else f"{name} {op} {text}"


conditions = st.recursive(comparisons(), lambda inner: st.tuples(inner, st.sampled_from(["AND", "OR"]), inner).map(
    lambda t: f"({t[0]} {t[1]} {t[2]})"), max_leaves=5)


def _time_ordered():
    return sorted(_series_lines(), key=lambda ln: (int(ln.rsplit(" ", 1)[1]), ln))


@pytest.fixture(scope="module")
def stores(tmp_path_factory):
    """(a store of cached files, one still being written to: sorted buffered pieces, a settled one)."""
    files = _cached_store(tmp_path_factory.mktemp("files"))
    files.write("db", "\n".join(_series_lines()))
    files.flush()
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(buffer_view, "BACKGROUND", False)
        live = tsdb_core.open(None, config=StoreConfig(buffer_sort_min_rows=0, buffer_sort_tail_rows=30,  # (40 lines a write: a time is never split)
                                                       buffer_sort_quiet_s=3600.0))
        lines = _time_ordered()
        for k in range(0, len(lines), 40):
            live.write("db", "\n".join(lines[k:k + 40]))
            live.query("SELECT count(f) FROM m", db="db")
        yield files, live
    files.close()
    live.close()


def _series_scans(store, monkeypatch) -> list:
    used: list = []
    real = store.scan_series
    monkeypatch.setattr(store, "scan_series", lambda *a, **kw: used.append(real(*a, **kw)) or used[-1])
    return used


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.function_scoped_fixture])
@given(conditions, st.sampled_from(["*", "f", "sparse", "i, sparse", "host, sparse, f"]), st.sampled_from(["h0", "h3"]))
def test_field_conditions_keep_the_rows_of_the_polars_filter(stores, monkeypatch, cond, columns, host):
    files, live = stores
    q = f"SELECT {columns} FROM m WHERE host = '{host}' AND {cond}"
    with monkeypatch.context() as mp:
        used = _series_scans(files, mp)
        fast, general = _both(files, q)
        assert fast is not None and same_answer(fast, general), q
        assert any(u is not None for u in used), q  # read as arrays
        used = _series_scans(live, mp)
        fast_live, general_live = _both(live, q)
        assert fast_live is not None and same_answer(fast_live, general), q
        assert same_answer(general_live, general), q
        assert any(u is not None for u in used), q


@pytest.mark.parametrize("cond", [
    "f::integer > 100",  # the field is a float: no match, as the Polars path says
    "f > i",  # a field against a field
    "dc =~ /d/",
    "f > 100 AND dc = 'd0'",  # a tag equality beside it: the tag filter already did it
    "sparse > '3'",
])
def test_other_conditions_answer_the_same(stores, cond):
    files, live = stores
    q = f"SELECT f, sparse FROM m WHERE host = 'h0' AND {cond}"
    for store in (files, live):
        fast, general = _both(store, q)
        assert fast is None or same_answer(fast, general), (q, store)
