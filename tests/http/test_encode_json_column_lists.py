"""A series carrying its rows as columns (``Series.column_lists``, the fast GROUP BY time
executor's answer) is written from them, never as row lists, and its bytes are those of the
same rows handed over as rows: compact, pretty, InfluxDB 3's forms, epoch times, chunked."""
from __future__ import annotations

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from tsdb_core.query.results import Series, StatementResult
from tsdb_http import chunking
from tsdb_http.encode import Response, encode_json, json_pieces

SPECIALS = [1e-5, 1e-4, 9.999999999999999e-5, 1e16, 1e21, 9999999999999998.0, 2.0 ** 53, 2.0 ** 53 + 2,
            0.0, -0.0, 5e-324, 100.0, -3.0, 99.43507753700882, math.nan, math.inf, -math.inf]
FLOAT = st.one_of(st.floats(), st.sampled_from(SPECIALS), st.none(), st.integers(-10 ** 6, 10 ** 6).map(float),
                  st.floats(0, 100).map(lambda v: round(v, 2)))
INT = st.one_of(st.integers(-10 ** 6, 10 ** 6), st.none())


def _times(n: int, epoch: bool) -> list:
    if epoch:
        return [1451606400 + 60 * i for i in range(n)]
    return [f"2016-01-01T{i // 3600 % 24:02d}:{i // 60 % 60:02d}:{i % 60:02d}{'.5' if i % 7 == 3 else ''}Z"
            for i in range(n)]


def _pair(cols: list[list], kinds: list[str], epoch: bool) -> tuple[Series, Series]:
    """The series as columns (with its float arrays) and as plain rows (no hint: the cell path)."""
    cols = [_times(len(cols[0]), epoch), *cols]
    names = ["time", *(f"c{j}" for j in range(1, len(cols)))]
    floats = tuple((j, np.array(c, dtype=np.float64)) for j, (c, k) in enumerate(zip(cols[1:], kinds), 1) if k == "f")
    rows = [list(r) for r in zip(*cols)]
    return (Series("cpu", None, names, cols=[list(c) for c in cols], float_columns=floats),
            Series("cpu", None, names, rows))


COLUMNS = st.integers(1, 4).flatmap(lambda k: st.integers(1, 120).flatmap(lambda n: st.lists(
    st.sampled_from("fi").flatmap(lambda kind: st.tuples(
        st.just(kind), st.lists(FLOAT if kind == "f" else INT, min_size=n, max_size=n))),
    min_size=k, max_size=k)))


@settings(max_examples=300, deadline=None)
@given(COLUMNS, st.booleans(), st.booleans(), st.booleans())
def test_columns_bytes_equal_rows_bytes(columns, epoch, pretty, v3):
    kinds, cols = [k for k, _ in columns], [c for _, c in columns]
    fast, rows = _pair(cols, kinds, epoch)
    new = encode_json(Response([StatementResult(0, [fast])]), pretty, v3)
    assert new == encode_json(Response([StatementResult(0, [rows])]), pretty, v3)
    if b"error" not in new:  # (an infinity: the error's search reads the rows)
        assert fast.column_lists is not None  # written without building the rows


@settings(max_examples=100, deadline=None)
@given(st.lists(st.floats(0, 100).map(lambda v: round(v, 1)), min_size=1, max_size=60), st.integers(1, 25))
def test_chunked_columns_equal_chunked_rows(vals, size):
    fast, rows = _pair([vals], ["f"], False)

    def chunks(s: Series) -> list[bytes]:
        return [b"".join(json_pieces(r)) for r in chunking.responses([StatementResult(0, [s])], True, size)]
    assert chunks(fast) == chunks(rows)


def test_values_built_once_from_columns():
    fast, rows = _pair([[0.5, None, 2.0]], ["f"], False)
    assert fast.n_rows == 3 and fast.float_columns is not None
    assert fast.values == [["2016-01-01T00:00:00Z", 0.5], ["2016-01-01T00:00:01Z", None],
                           ["2016-01-01T00:00:02Z", 2.0]]
    assert fast.column_lists is None and fast.values is fast.values and fast == rows
    assert fast.float_columns is not None  # (still the rows' float columns)


def test_go_forms_from_columns():
    fast, _ = _pair([[100.0, -0.0, 1e-5, 1e21, None, 0.25]], ["f"], True)
    body = encode_json(Response([StatementResult(0, [fast])]))
    assert b"[1451606400,100],[1451606460,-0],[1451606520,0.00001],[1451606580,1e+21]" in body
    assert b"[1451606640,null],[1451606700,0.25]]" in body


def test_an_infinity_is_the_documents_error():
    fast, _ = _pair([[1.5, math.inf]], ["f"], False)
    assert encode_json(Response([StatementResult(0, [fast])])) == (
        b"json: error calling MarshalJSON for type httpd.Response: json: error calling MarshalJSON for type "
        b"*query.Result: json: unsupported value: +Inf\n")
