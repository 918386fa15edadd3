"""Series codes handed from the parser to the buffer (base/series_codes.py): a row's code names
its tags exactly, through assembly, slicing and concatenation; the buffer's sort numbered by
them gives the piece the hashing sort gives."""
from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tsdb_core.base.series_codes import SeriesCodes, _distinct
from tsdb_core.ingest.line_protocol import parse_vectorised as parse
from tsdb_core.storage import buffer_view

TAGS = {"host": ["h0", "h1", "h2"], "region": ["eu", "us"], "rack": ["r1", "r22"]}

line = st.tuples(
    st.lists(st.sampled_from(sorted(TAGS)), unique=True, max_size=3),  # the tag keys, in the line's order
    st.integers(0, 5),  # picks the values
    st.integers(0, 30),  # time
    st.integers(-5, 5),  # value
)


def _body(lines) -> bytes:
    out = []
    for keys, pick, t, v in lines:
        tags = "".join(f",{k}={TAGS[k][pick % len(TAGS[k])]}" for k in keys)
        out.append(f"cpu{tags} usage={v},idle={v * 2}i {t}")
    return ("\n".join(out) + "\n").encode()


def _tags_of(codes: SeriesCodes, tags: list[str]) -> pl.DataFrame:
    table = codes.table.select([pl.col(t) if t in codes.table.columns else pl.lit(None, pl.String).alias(t)
                                for t in tags])
    return table.gather(pl.Series(codes.codes))


# a few keys repeated on many lines: the parser's keyed path, the one that hands codes over
bodies = st.lists(line, min_size=1, max_size=8).flatmap(
    lambda keys: st.lists(st.sampled_from(keys), min_size=len(keys) * 4, max_size=200))


@pytest.mark.no_catalog
@settings(max_examples=150, deadline=None)
@given(lines=bodies)
def test_a_parsed_rows_code_names_its_tags(lines):
    mb = parse(_body(lines), now=0).batches["cpu"]
    if mb.series is None:  # (a part of tagless lines has no codes: none for the batch)
        assert any(not keys for keys, *_ in lines)
        return
    assert len(mb.series) == mb.frame.height
    assert _tags_of(mb.series, list(mb.tags)).equals(mb.frame.select(mb.tags))


@pytest.mark.no_catalog
@settings(max_examples=150, deadline=None)
@given(lines=bodies, cut=st.integers(0, 200), more=bodies)
def test_sorting_by_codes_gives_the_hashing_sorts_piece(lines, cut, more):
    a, b = parse(_body(lines), now=0).batches["cpu"], parse(_body(more), now=0).batches["cpu"]
    if a.series is None or b.series is None:
        return
    rows = pl.concat([a.frame, b.frame], how="diagonal_relaxed")
    codes = SeriesCodes.concat([a.series, b.series])
    cut = min(cut, rows.height - 1)
    keep = max(1, (rows.height - cut) // 2)  # (a slice that leaves some series out)
    rows, codes = rows.slice(cut, keep), codes.slice(cut, keep)
    tags = tuple(sorted(set(a.tags) | set(b.tags)))
    assert _tags_of(codes, list(tags)).equals(rows.select(tags))
    fields = {**a.fields, **b.fields}
    by_codes = buffer_view.presorted(rows, tags, fields, codes)
    by_hash = buffer_view.presorted(rows, tags, fields)
    assert by_codes.decoded.frame.equals(by_hash.decoded.frame)
    assert np.array_equal(by_codes.decoded.starts, by_hash.decoded.starts)
    assert by_codes.decoded.tag_values == by_hash.decoded.tag_values
    numbers, sets = codes.numbered(list(tags))
    assert sets.height == rows.select(tags).unique().height and numbers.max() == sets.height - 1


@pytest.mark.no_catalog
def test_a_tag_set_written_in_two_key_orders_is_one_series():
    body = b"".join(b"cpu,host=a,region=eu usage=1 %d\ncpu,region=eu,host=a usage=2 %d\n" % (2 * i, 2 * i + 1)
                    for i in range(10))
    mb = parse(body, now=0).batches["cpu"]
    assert mb.series is not None and mb.series.table.height == 2  # two key texts ...
    ids, keys = mb.series.numbered(["host", "region"])
    assert keys.rows() == [("a", "eu")] and set(ids.tolist()) == {0}  # ... one series


@pytest.mark.no_catalog
@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(-3, 40), max_size=60), st.sampled_from([0, 1 << 40, -(1 << 40)]),
       st.booleans())
def test_from_keys_numbers_as_np_unique(keys, base, sparse):
    """from_keys' O(n) numbering of close keys (and its fallback for spread ones) is np.unique's."""
    keys = np.asarray(keys, dtype=np.int64) * (10**6 if sparse else 1) + base
    first, inv = _distinct(keys)
    _, want_first, want_inv = np.unique(keys, return_index=True, return_inverse=True)
    assert first.tolist() == want_first.tolist()
    assert inv.tolist() == want_inv.reshape(-1).tolist() and inv.dtype == np.int64
