"""InfluxDB 3's RFC 3339 times (0, 3, 6 or 9 fractional digits) written on frame-backed series
(query/influxdb3.py ``v3_times`` in Polars, the rows left unbuilt) are the rows path's bytes: over
any int64 time, UTC or with a zone, and through HTTP in cloud-dedicated mode for every epoch,
chunked or not, pretty or not (every series frame-backed, then Python rows)."""
from __future__ import annotations

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import examples
from tests.http.conftest import REAL_ENGINE, make_client
from tests.http.test_encode_frame import all_frames  # noqa: F401 (fixture)
from tsdb_core import Series, StatementResult
from tsdb_core.query.influxdb3 import v3_time, v3_times
from tsdb_core.query.results import frame_rows, time_expr

pytestmark = pytest.mark.skipif(not REAL_ENGINE, reason="needs the query engine")

_FRACTIONS = [0, 1, 10, 100, 120, 123, 1_000, 1_200, 123_456, 1_234_567, 12_345_678, 100_000_000, 999_999_999]
_TIMES = st.one_of(
    st.integers(-2**63 + 1, 2**63 - 1),
    st.tuples(st.integers(-2**33, 2**33), st.sampled_from(_FRACTIONS)).map(lambda p: p[0] * 1_000_000_000 + p[1]))


def _texts(ns: list[int], tz: str | None) -> pl.DataFrame:
    """The core's RFC3339Nano text of ``ns`` (results.time_expr), as a frame-backed series holds it."""
    return pl.DataFrame({"time": ns, "v": list(range(len(ns)))}, schema={"time": pl.Int64, "v": pl.Int64}) \
        .with_columns(time_expr("time", None, tz))


@settings(max_examples=examples(300), deadline=None)
@given(ns=st.lists(_TIMES, min_size=1, max_size=40),
       tz=st.sampled_from([None, "Asia/Kolkata", "America/St_Johns", "Europe/Paris", "UTC"]))
def test_frame_times_equal_rows_path(ns, tz):
    frame = _texts(ns, tz)
    framed = StatementResult(0, [Series("m", None, ["time", "v"], frame=frame)])
    rows = StatementResult(0, [Series("m", None, ["time", "v"], frame_rows(frame))])
    v3_times(framed)
    v3_times(rows)
    assert framed.series[0].frame is not None  # rewritten in Polars, rows not built
    assert frame_rows(framed.series[0].frame) == rows.series[0].values
    assert [r[0] for r in rows.series[0].values] == [v3_time(t) for t in frame["time"].to_list()]


def test_frame_times_digits():
    ns = [0, 1, -1, 1_500_000_000_100_000_000, 1_500_000_000_120_000_000, 1_500_000_000_123_400_000,
          1_500_000_000_000_000_010, -1_500_000_000_500_000_000, -1_000_000_000]
    res = StatementResult(0, [Series("m", None, ["time", "v"], frame=_texts(ns, None))])
    v3_times(res)
    assert res.series[0].frame["time"].to_list() == [
        "1970-01-01T00:00:00Z", "1970-01-01T00:00:00.000000001Z", "1969-12-31T23:59:59.999999999Z",
        "2017-07-14T02:40:00.100Z", "2017-07-14T02:40:00.120Z", "2017-07-14T02:40:00.123400Z",
        "2017-07-14T02:40:00.000000010Z", "1922-06-20T21:19:59.500Z", "1969-12-31T23:59:59Z"]


def test_whole_seconds_leave_the_frame_as_it_is():
    frame = _texts([0, 60_000_000_000, -3_600_000_000_000], None)
    res = StatementResult(0, [Series("m", None, ["time", "v"], frame=frame)])
    v3_times(res)
    assert res.series[0].frame is frame


# -- through HTTP, cloud-dedicated ---------------------------------------------------------------

_BASES = [1_500_000_000_000_000_000, -1_500_000_000_000_000_000]
_LINES = "\n".join(
    f"cpu,host=h{h % 3} usage={(h * 7.25) % 100},n={h - 50}i,msg=\"é{h % 5}\" "
    f"{_BASES[h % 2] + h * 10_000_000_000 + _FRACTIONS[h % len(_FRACTIONS)]}" for h in range(400))

QUERIES = ["SELECT * FROM cpu", "SELECT usage, n, msg FROM cpu GROUP BY host",
           "SELECT usage FROM cpu WHERE host = 'h1' AND time < 0",
           "SELECT * FROM cpu WHERE time > 0 tz('Asia/Kolkata')",
           ("SELECT max(usage), count(n) FROM cpu WHERE time >= '2017-07-14T02:40:00Z' AND time < '2017-07-14T04:00:00Z' "
            "GROUP BY time(1m), *"),
           "SELECT * FROM cpu LIMIT 3; SELECT n FROM cpu GROUP BY host"]


@pytest.fixture(scope="module")
def client():
    c = make_client("cloud-dedicated")
    c.raw_store.create_database("db")
    assert c.raw_store.write("db", _LINES).ok
    return c


@pytest.mark.parametrize("epoch", [None, "ns", "u", "ms", "s", "m", "h", "d", "w"])
@pytest.mark.parametrize("chunked", [False, True])
@pytest.mark.parametrize("pretty", [False, True])
def test_http_json_frames_and_rows_give_the_same_bytes(client, all_frames, epoch, chunked, pretty):  # noqa: F811
    on, off = all_frames
    for q in QUERIES:
        params = {"q": q, "db": "db", **({"epoch": epoch} if epoch else {}),
                  **({"chunked": "true", "chunk_size": "7"} if chunked else {}),
                  **({"pretty": "true"} if pretty else {})}
        on()
        a = client.get("/query", params=params)
        off()
        b = client.get("/query", params=params)
        assert a.status_code == b.status_code == 200, (q, a.text)
        assert a.content == b.content, q
        assert b'"values"' in a.content and b'"error"' not in a.content, (q, a.text[:300])
        if not chunked and q == "SELECT * FROM cpu":  # frame-backed: streamed, not sized
            assert "content-length" not in a.headers and "content-length" in b.headers


def test_http_json_times_as_v3_writes_them(client, all_frames):  # noqa: F811
    on, _ = all_frames
    on()

    def times(where: str, limit: int) -> list[str]:
        q = f"SELECT usage FROM cpu WHERE {where} LIMIT {limit}"
        body = client.get("/query", params={"q": q, "db": "db"}).json()
        return [row[0] for row in body["results"][0]["series"][0]["values"]]
    day = "2017-07-14T02:4"
    assert times("time > 0", 13) == [
        f"{day}0:00Z", f"{day}0:20.000000010Z", f"{day}0:40.000000120Z", f"{day}1:00.000001Z",
        f"{day}1:20.000123456Z", f"{day}1:40.012345678Z", f"{day}2:00.999999999Z", f"{day}2:20.000000001Z",
        f"{day}2:40.000000100Z", f"{day}3:00.000000123Z", f"{day}3:20.000001200Z", f"{day}3:40.001234567Z",
        f"{day}4:00.100Z"]
    assert times("time < 0", 2) == ["1922-06-20T21:20:10.000000001Z", "1922-06-20T21:20:30.000000100Z"]
