"""A statement that fails in a later series, over /query: InfluxDB 3 answers the error alone (and
goes on with the next statements); influxdb1 answers 1.x's (a null the row is dropped for).

Sources (influxdata/influxdb3_core at 349d802bf9a54ab5876399ab013502eeb0d52a6b, crate
``iox_v1_query_api``):
- ``src/response/stream.rs`` l.196 SeriesChunkStream: a RecordBatch whose evaluation fails is
  ``Some(Err(e)) => return Poll::Ready(Some(Err(e)))``: the error replaces the whole batch; the
  batch's series partition (``partition(..).ranges()``) is made only from a batch that succeeded.
  l.71-76 SeriesChunkMergeStream holds the series in progress (``current.merge(chunk)``) until a
  chunk of another series arrives, and returns the error at once, dropping it.
- ``src/response/buffered.rs`` l.148-152 BufferedResultStream: series yielded before the error
  stay in the result, ``result.set_error(e.to_string())``; l.60-65 then ``self.statement_id += 1``:
  the next statements still run.
- ``src/response/chunked.rs`` l.158-169 ChunkedResultStream: the error is set on the chunk it
  holds back (``self.buffered.take().unwrap_or_else(|| StatementResult::new(..))``).
- ``src/response/csv.rs`` l.96 and l.123: CsvStream writes nothing for the error
  (``warn!(error=%e, "Error streaming SeriesChunk")``) and goes to the next statement, whose
  header is preceded by an empty line (``this.add_newline = this.statement_id != 0``).
So a series appears beside the error only when it was complete in a batch before the failing
one: never for data that one batch holds (DataFusion's default batch_size is 8192 rows), as here.
Our executor computes a statement's values before it answers, so it answers as that case does.
"""
from __future__ import annotations

import pytest

from tests.http.conftest import make_client

LINES = "m,h=a i=7i 1000000000\nm,h=a i=8i 2000000000\nm,h=b i=-3i 3000000000"
QUERY = "SELECT i::unsigned FROM m GROUP BY h; SELECT i FROM m WHERE h = 'b'"
CAST = "datafusion error: Arrow error: Cast error: Can't cast value -3 to type UInt64"
LAST = '{"statement_id":1,"series":[{"name":"m","columns":["time","i"],"values":[[3,-3]]}]}'
V1_A = '{"name":"m","tags":{"h":"a"},"columns":["time","i"],"values":[[1,7],[2,8]]}'

JSON, CSV, MSGPACK = "application/json", "application/csv", "application/x-msgpack"


@pytest.mark.parametrize("compat,accept,chunked,body", [
    ("cloud-dedicated", JSON, "false",
     b'{"results":[{"statement_id":0,"error":"' + CAST.encode() + b'"},' + LAST.encode() + b']}'),
    ("cloud-dedicated", JSON, "true",
     b'{"results":[{"statement_id":0,"error":"' + CAST.encode() + b'"}]}{"results":[' + LAST.encode() + b']}'),
    ("cloud-dedicated", CSV, "false", b"\nname,tags,time,i\nm,,3,-3\n"),
    ("cloud-dedicated", MSGPACK, "false",
     b"\x91\x92\x92\x00\xd9M" + CAST.encode() + b"\x92\x01\x91\x93\xa1m\x92\xa4time\xa1i\x91\x92\x03\xfd"),
    ("influxdb1", JSON, "false",
     b'{"results":[{"statement_id":0,"series":[' + V1_A.encode() + b"]}," + LAST.encode() + b"]}\n"),
    ("influxdb1", CSV, "false", b"name,tags,time,i\nm,h=a,1,7\nm,h=a,2,8\n\nname,tags,time,i\nm,,3,-3\n"),
])
def test_error_in_a_later_series(compat, accept, chunked, body):
    c = make_client(compat)
    c.raw_store.create_database("db")
    assert c.raw_store.write("db", LINES).ok
    r = c.get("/query", params={"db": "db", "q": QUERY, "epoch": "s", "chunked": chunked, "chunk_size": "1"},
              headers={"Accept": accept})
    assert (r.status_code, r.content) == (200, body)
