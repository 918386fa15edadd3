"""Answers of a GROUP BY's series sharing one SeriesBlock: with ``epoch=`` the block's time column
is converted once (tsdb_http/encode.py render_times), 1.x's CSV and msgpack are written from the
block's columns (encode_csv.py, encode_msgpack.py), none building rows, and every format's bytes are the rows path's,
for every epoch precision."""
from __future__ import annotations

import polars as pl
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from tests.http.test_encode_frame import _COLUMNS, _TEXT
from tsdb_core import Series, SeriesBlock, StatementResult
from tsdb_core.query.results import frame_rows
from tsdb_http import encode
from tsdb_http.encode import CSV, JSON, MSGPACK, Encoder, Response

_EPOCHS = [None, "ns", "n", "u", "µ", "us", "ms", "s", "m", "h"]


@st.composite
def blocks(draw):
    """Int64 ns times (either sign, whole seconds or not), random columns, a split into series."""
    kinds = draw(st.lists(st.sampled_from(sorted(_COLUMNS)), min_size=0, max_size=3))
    lengths = draw(st.lists(st.integers(0, 6), min_size=2, max_size=8).filter(any))
    n = sum(lengths)
    times = st.one_of(st.integers(-2**62, 2**62), st.integers(-2**33, 2**33).map(lambda s: s * 1_000_000_000))
    data = {"time": pl.Series(draw(st.lists(times, min_size=n, max_size=n)), dtype=pl.Int64)}
    for i, k in enumerate(kinds):
        dtype, cells = _COLUMNS[k]
        data[f"c{i}"] = pl.Series(draw(st.lists(cells, min_size=n, max_size=n)), dtype=dtype, strict=False)
    tags = [draw(st.one_of(st.none(), st.dictionaries(st.sampled_from(["host", "a<b", "é"]), _TEXT, max_size=2)))
            for _ in lengths]
    return pl.DataFrame(data), lengths, tags


def _answers(frame: pl.DataFrame, lengths, tags, epoch: str, kind: str, swap: bool = False) -> tuple[Response, Response, SeriesBlock]:
    block, rows = SeriesBlock(frame), frame_rows(frame)
    cols = list(frame.columns)
    from_block, from_rows, start = [], [], 0
    for i, (n, t) in enumerate(zip(lengths, tags)):
        from_block.append(Series(f"m{i % 2}", t, cols, span=(block, start, n), partial=i % 3 == 1))
        from_rows.append(Series(f"m{i % 2}", t, cols, [list(r) for r in rows[start:start + n]], partial=i % 3 == 1))
        start += n
    if swap:  # (series not in their block's order: not one run, each written from its rows)
        from_block[:2], from_rows[:2] = from_block[1::-1], from_rows[1::-1]
    out = []
    for series in (from_block, from_rows):
        results = [StatementResult(0, series)]
        encode.render_times(results, epoch, kind)
        out.append(Response(results))
    return out[0], out[1], block


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=blocks(), epoch=st.sampled_from(_EPOCHS), kind=st.sampled_from([JSON, CSV, MSGPACK]),
       v3=st.booleans(), swap=st.booleans())
def test_block_answers_equal_rows_path(case, epoch, kind, v3, swap):
    """(JSON without ``epoch`` is not here: the core writes its RFC 3339 times.)"""
    assume(kind != JSON or epoch)
    by_block, by_rows, block = _answers(*case, epoch, kind, swap)
    enc = Encoder(kind, epoch=epoch, v3=v3)
    got = b"".join(Encoder(kind, epoch=epoch, v3=v3).pieces(by_block))
    assert got == enc.encode(by_rows)
    if (not swap or kind == JSON) and not (kind == MSGPACK and v3):  # (v3's msgpack: rows under 512 rows)
        assert not block.spent  # (written from the block's columns, an infinity found there: no row built)


def test_block_epoch_truncates_toward_zero():
    frame = pl.DataFrame({"time": [-1_500_000_000, -1, 0, 1_999_999_999], "v": [1.5, 2.5, 3.5, 4.5]})
    block = SeriesBlock(frame)
    series = [Series("m", {"h": "a"}, ["time", "v"], span=(block, 0, 2)),
              Series("m", {"h": "b"}, ["time", "v"], span=(block, 2, 2))]
    encode.render_times([StatementResult(0, series)], "s", JSON)
    assert block.frame["time"].to_list() == [-1, 0, 0, 1]
    assert not block.spent


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=blocks(), epoch=st.sampled_from(_EPOCHS), kind=st.sampled_from([JSON, CSV, MSGPACK]),
       cut=st.integers(1, 7))
def test_chunked_block_answers_equal_rows_path(case, epoch, kind, cut):
    """A chunked answer: the statement's series in two responses, one encoder (CSV's header once)."""
    assume(kind != JSON or epoch)
    by_block, by_rows, _ = _answers(*case, epoch, kind)
    cut = min(cut, len(by_block.results[0].series) - 1)
    outs = []
    for resp in (by_block, by_rows):
        series = resp.results[0].series
        enc = Encoder(kind, epoch=epoch)
        outs.append([b"".join(enc.pieces(Response([StatementResult(0, part)]))) for part in (series[:cut], series[cut:])])
    assert outs[0] == outs[1]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(-2**63, 2**63 - 1), min_size=1, max_size=40),
       st.sampled_from([1, 1_000, 1_000_000, 1_000_000_000, 60_000_000_000, 3_600_000_000_000]))
def test_epoch_division_truncates_toward_zero_over_all_int64(times, div):
    """Go divides toward zero; the frame path must, even at -2**63 (no negation to overflow)."""
    frame = pl.DataFrame({"time": pl.Series(times + [-2**63, 2**63 - 1, -1], dtype=pl.Int64)})
    got = encode._epoch_frame(frame, ["time"], div)["time"].to_list()
    want = [-(-t // div) if t < 0 else t // div for t in frame["time"].to_list()]
    assert got == want
