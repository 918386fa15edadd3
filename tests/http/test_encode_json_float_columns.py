"""The JSON encoder's float fix-up from ``Series.float_columns`` (the fast executor's arrays)
writes the bytes of the per-cell path, for any floats (Go's and InfluxDB 3's forms)."""
from __future__ import annotations

import copy
import math

import numpy as np
import orjson
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import examples
from tsdb_core.query.results import Series, StatementResult
from tsdb_http.encode import Response, encode_json
from tsdb_http.encode_json import KNOWN_MIN_ROWS, _fix_floats, _Infinite

SPECIALS = [1e-5, 1e-4, 9.999999999999999e-5, 0.00010000000000000002, 1e20, 1e21, 1e16, 9999999999999998.0,
            1e15 + 0.5, 2.0 ** 53, 2.0 ** 53 + 2, 2.0 ** 63, -(2.0 ** 63), 0.0, -0.0, 5e-324, 2.2250738585072014e-308,
            -1e-7, 100.0, -3.0, 99.43507753700882, 1.7976931348623157e308, math.nan, math.inf, -math.inf]
CELL = st.one_of(st.floats(), st.sampled_from(SPECIALS), st.none(),
                 st.integers(-10 ** 6, 10 ** 6).map(float), st.floats(-1e3, 1e3))


def _series(cols: list[list], hinted: bool) -> Series:
    """One series: an RFC 3339 time column, then ``cols`` (float or None cells)."""
    n = len(cols[0])
    times = [f"2016-01-01T00:{i // 60 % 60:02d}:{i % 60:02d}Z" for i in range(n)]
    rows = [list(r) for r in zip(times, *cols)]
    floats = tuple((j, np.array(c, dtype=np.float64)) for j, c in enumerate(cols, 1)) if hinted else None
    return Series("cpu", None, ["time", *(f"c{j}" for j in range(len(cols)))], rows, float_columns=floats)


def _body(cols: list[list], hinted: bool, v3: bool) -> bytes:
    return encode_json(Response([StatementResult(0, [_series(copy.deepcopy(cols), hinted)])]), v3=v3)


@settings(max_examples=examples(300), deadline=None)
@given(st.integers(1, 3).flatmap(lambda k: st.integers(0, 150).flatmap(
    lambda n: st.lists(st.lists(CELL, min_size=n, max_size=n), min_size=k, max_size=k))), st.booleans())
def test_hinted_bytes_equal_cell_path(cols, v3):
    assert _body(cols, True, v3) == _body(cols, False, v3)


@settings(max_examples=examples(100), deadline=None)
@given(st.lists(st.floats(1e-4, 1e15, allow_nan=False).filter(lambda v: not v.is_integer()), min_size=64, max_size=200),
       st.lists(st.integers(0, 199), max_size=150), st.booleans())
def test_hinted_bytes_equal_with_integral_values(vals, at, v3):
    """Mostly fractional cells with some integral ones (patched rows, or rebuilt columns)."""
    for i in at:
        vals[i % len(vals)] = float(i)
    assert _body([vals], True, v3) == _body([vals], False, v3)


def test_go_forms_from_arrays():
    cells = [0.5] * 70 + [100.0, -0.0, 1e-5, 1e21, None, 2.0 ** 53]
    body = _body([cells], True, False)
    assert b",100]" in body and b",-0]" in body and b",0.00001]" in body and b",1e+21]" in body
    assert b",null]" in body and b",9007199254740992]" in body
    assert body == _body([cells], False, False)


def test_replaced_values_drop_the_promise():
    s = _series([[0.5] * 3], True)
    assert s.float_columns is not None
    s.values = [["t", 1.0]]
    assert s.float_columns is None


@settings(max_examples=examples(500), deadline=None)
@given(st.lists(CELL, max_size=80), st.booleans(), st.booleans())
def test_usual_floats_shortcut_equals_the_general_rule(cells, v3, strict):
    """_array_fix's shortcut for the usual measurements (only integral values to patch) gives
    the answer of the rule for any floats, in 1.x's forms and v3's."""
    from tsdb_http.encode_json import _array_fix, _array_fix_any, _Infinite

    x = np.array(cells, dtype=np.float64)
    results = []
    for fix in (lambda: _array_fix(x, cells, v3, strict), lambda: _array_fix_any(x, np.abs(x), cells, v3, strict)):
        try:
            results.append(orjson.dumps(fix()))  # (bytes: raw fragments do not compare)
        except _Infinite:
            results.append("infinite")
    assert results[0] == results[1]


def test_integral_values_past_2_53_without_other_odd_values():
    """Go writes 9999999999999998 for the float 9999999999999998.0 (orjson: a trailing ".0"),
    from the arrays as from the cells, short series and long."""
    for n in (3, 70):
        cells = [0.5] * n + [9999999999999998.0, 2.0 ** 53 + 2]
        body = _body([cells], True, False)
        assert b",9999999999999998]" in body and b",9007199254740994]" in body
        assert body == _body([cells], False, False)


@settings(max_examples=examples(300), deadline=None)
@given(st.integers(1, 4).flatmap(lambda k: st.integers(KNOWN_MIN_ROWS, 63).flatmap(
    lambda n: st.lists(st.lists(CELL, min_size=n, max_size=n), min_size=k, max_size=k))),
    st.booleans(), st.booleans())
def test_a_few_rows_fixed_from_their_arrays_as_cell_by_cell(cols, v3, strict):
    """_fix_floats' arrays path for fewer than 64 rows (_fix_small_known) changes the cells the
    per-cell path changes, into the same forms, and raises for an infinity alike."""
    rows = [list(r) for r in zip([f"t{i}" for i in range(len(cols[0]))], *cols)]
    floats = tuple((j, np.array(c, dtype=np.float64)) for j, c in enumerate(cols, 1))

    def fixed(**kw):
        try:
            return orjson.dumps(_fix_floats([list(r) for r in rows], v3, strict, **kw))
        except _Infinite:
            return "infinite"

    assert fixed(floats=floats) == fixed()


def test_a_few_rows_fixed_from_their_arrays_keep_untouched_rows():
    rows = [["t", 0.5 + i] for i in range(40)]
    rows[7][1] = 3.0
    out = _fix_floats(rows, False, True, floats=((1, np.array([r[1] for r in rows])),))
    assert out[7] == ["t", 3] and type(out[7][1]) is int and out[7] is not rows[7]
    assert all(out[i] is rows[i] for i in range(40) if i != 7)
    assert rows[7][1] == 3.0  # (the caller's rows are not changed)


USUAL = st.one_of(st.floats(1e-4, 1e16, exclude_max=True), st.integers(1, 10 ** 6).map(float), st.none(),
                  st.sampled_from([1e-4, 9999999999999998.0, 100.0, 99.5, math.nan]))


@settings(max_examples=examples(150), deadline=None)
@given(st.integers(1, 3).flatmap(lambda k: st.integers(KNOWN_MIN_ROWS, 63).flatmap(
    lambda n: st.lists(st.lists(USUAL, min_size=n, max_size=n), min_size=k, max_size=k))),
    st.booleans(), st.sampled_from([None, 0, -1]), st.sampled_from([1e-5, -2.0, 1e16, math.inf, math.nan]))
def test_usual_columns_found_from_their_python_floats_as_cell_by_cell(cols, v3, at, odd):
    """The usual columns (positive, 1e-4 to 1e16: only integral cells change), whose cells
    _integral_cells finds without NumPy, change as cell by cell; an odd value anywhere (first,
    last, or none) takes the NumPy test, with the same answer."""
    if at is not None:
        cols[0][at] = odd
    rows = [list(r) for r in zip([f"t{i}" for i in range(len(cols[0]))], *cols)]
    floats = tuple((j, np.array(c, dtype=np.float64)) for j, c in enumerate(cols, 1))

    def fixed(**kw):
        try:
            return orjson.dumps(_fix_floats([list(r) for r in rows], v3, True, **kw))
        except _Infinite:
            return "infinite"

    assert fixed(floats=floats) == fixed()


def test_integral_cells_of_usual_columns_only():
    from tsdb_http.encode_json import _integral_cells

    assert _integral_cells(np.array([0.5, 3.0, math.nan, 7.25, 1e15])) == [1, 4]
    assert _integral_cells(np.array([0.5, 0.25])) == []
    for odd in ([math.nan, 1e-5, 2.0], [2.0, math.nan, 1e-5], [1.5, -1.0], [1.5, 1e16], [1.5, math.inf], [0.0, 1.5]):
        assert _integral_cells(np.array(odd)) is None, odd


@settings(max_examples=examples(300), deadline=None)
@given(st.lists(st.one_of(st.floats(1e-4, 2.0 ** 54), st.integers(1, 10 ** 6).map(float), st.just(math.nan),
                          st.sampled_from([9.999999999999999e-5, 2.0 ** 53, -1.0, math.inf])), max_size=120),
       st.booleans(), st.booleans())
def test_positive_columns_shortcut_equals_the_general_rule(cells, v3, strict):
    """_array_fix's shortcut for positive columns (no absolute values taken) answers as the rule."""
    from tsdb_http.encode_json import _array_fix, _array_fix_any

    x = np.array(cells, dtype=np.float64)
    results = []
    for fix in (lambda: _array_fix(x, cells, v3, strict), lambda: _array_fix_any(x, np.abs(x), cells, v3, strict)):
        try:
            results.append(orjson.dumps(fix()))
        except _Infinite:
            results.append("infinite")
    assert results[0] == results[1]
