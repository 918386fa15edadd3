"""What the vectorised parser remembers from body to body (a bulk load sends the same keys and
shapes again and again): it must give what parsing afresh gives, and never a stale value."""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from tsdb_core.ingest import lp_fast, lp_keys
from tsdb_core.ingest.line_protocol import parse_exact, parse_vectorised

_TEXT = st.text(alphabet="ab=,_x1\t#", max_size=12)


@settings(max_examples=300, deadline=None)
@given(st.lists(_TEXT, min_size=1, max_size=5).map(",".join))
def test_a_remembered_key_is_the_key_parsed_afresh(key: str) -> None:
    assert lp_keys.known_key(key) == lp_keys.key_of(key)
    assert lp_keys.known_key(key) == lp_keys.key_of(key)  # (the second time from memory)


def test_a_long_key_is_parsed_each_time() -> None:
    key = "cpu,host=" + "h" * lp_keys.KNOWN_KEY_CHARS
    before = lp_keys._remembered.cache_info().currsize
    assert lp_keys.known_key(key) == ("cpu", ("host",), ("h" * lp_keys.KNOWN_KEY_CHARS,))
    assert lp_keys._remembered.cache_info().currsize == before


def _body(hosts: list[str], ts: bool = True) -> bytes:
    lines = [f"cpu,host={h},dc=d{i % 2} u=1.5,v=2 {1000 + i if ts else ''}".rstrip()
             for i, h in enumerate(hosts * 8)]
    return ("\n".join(lines) + "\n").encode()


def test_bodies_with_the_same_keys_share_their_tag_table_and_get_their_own_rows() -> None:
    lp_keys._remembered_table.cache_clear()
    a = parse_vectorised(_body(["h1", "h2", "h3"]), now=0).batches["cpu"]
    hits = lp_keys._remembered_table.cache_info().hits
    b = parse_vectorised(_body(["h1", "h2", "h3"]), now=0).batches["cpu"]
    assert lp_keys._remembered_table.cache_info().hits == hits + 1
    c = parse_vectorised(_body(["h1", "h2", "h4"]), now=0).batches["cpu"]
    assert lp_keys._remembered_table.cache_info().hits == hits + 1
    assert a.frame.equals(b.frame)
    assert c.frame["host"].to_list() == ["h1", "h2", "h4"] * 8
    assert c.frame.equals(parse_exact(_body(["h1", "h2", "h4"]), now=0).batches["cpu"].frame)


def test_the_plan_of_a_shape_serves_bodies_parsed_at_other_times() -> None:
    body = _body(["h1", "h2"])
    parse_vectorised(body, now=1)
    misses = lp_fast._plan.cache_info().misses
    parse_vectorised(body, now=2_000_000_000)
    assert lp_fast._plan.cache_info().misses == misses


def test_lines_without_timestamps_take_the_time_of_their_own_body() -> None:
    body = _body(["h1", "h2"], ts=False)
    first = parse_vectorised(body, now=5_000).batches["cpu"].frame["time"].unique().to_list()
    second = parse_vectorised(body, now=7_000).batches["cpu"].frame["time"].unique().to_list()
    assert (first, second) == ([5_000], [7_000])
    assert parse_vectorised(body, precision="us", now=7_777).batches["cpu"].frame["time"].to_list() == [7_000] * 16


def test_a_table_of_long_keys_is_not_remembered(monkeypatch) -> None:
    """The tables kept hold a few MB at most: keys whose text passes KNOWN_TABLE_CHARS are
    tabled afresh each body (and still parse as the exact parser does)."""
    monkeypatch.setattr(lp_keys, "KNOWN_TABLE_CHARS", 200)
    lp_keys._remembered_table.cache_clear()
    long_hosts = ["h" * 40 + str(i) for i in range(8)]  # 8 keys of ~60 characters
    for _ in range(2):
        got = parse_vectorised(_body(long_hosts), now=0).batches["cpu"].frame
    assert lp_keys._remembered_table.cache_info().currsize == 0
    assert got.equals(parse_exact(_body(long_hosts), now=0).batches["cpu"].frame)
    parse_vectorised(_body(["h1", "h2"]), now=0)  # (short keys: kept)
    assert lp_keys._remembered_table.cache_info().currsize == 1


def test_bodies_with_the_same_distinct_keys_parse_them_once() -> None:
    lp_keys._remembered_keys.cache_clear()
    parse_vectorised(_body(["k1", "k2", "k3"]), now=0)
    misses = lp_keys._remembered_keys.cache_info().misses
    again = parse_vectorised(_body(["k1", "k2", "k3"]), now=0).batches["cpu"]
    assert lp_keys._remembered_keys.cache_info().misses == misses
    other = parse_vectorised(_body(["k1", "k2", "k4"]), now=0).batches["cpu"]
    assert lp_keys._remembered_keys.cache_info().misses == misses + 1
    assert again.frame.equals(parse_exact(_body(["k1", "k2", "k3"]), now=0).batches["cpu"].frame)
    assert other.frame["host"].to_list() == ["k1", "k2", "k4"] * 8
