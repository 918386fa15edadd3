"""A type conflict inside one body, through the shim and a real client (issue 20, section 3).

influxd 1.6.7 (recorded in tests/cases/query/v1write.json and v1diff.json): in a shard group
the body opens, the write fails whole with 400 ``{"error":"field type conflict"}`` and the
first type stays; in an existing one it is a partial write. ``--compat cloud-dedicated``
keeps the Cloud Dedicated partial-write answer. A key both tag and field is stored.
"""
from __future__ import annotations

import httpx
import pytest

from tests.http.conftest import NOW_S, REAL_ENGINE
from tsdb_http.serve import start_in_thread

pytestmark = pytest.mark.skipif(not REAL_ENGINE, reason="needs the query engine")

CONFLICT = 'cfn f=1 1000000000\ncfn f="s" 2000000000\ncfn g=1 3000000000'


@pytest.fixture
def v1_server(tmp_path):
    h = start_in_thread(tmp_path, compat="influxdb1", no_auth=True)
    h.port = int(h.url.rsplit(":", 1)[1])
    yield h
    h.stop()


def test_conflict_in_a_new_shard_group_fails_the_write_with_the_v1_client(v1_server):
    from influxdb import InfluxDBClient
    from influxdb.exceptions import InfluxDBClientError

    c = InfluxDBClient("127.0.0.1", v1_server.port, database="legacy")
    c.create_database("legacy")
    with pytest.raises(InfluxDBClientError) as e:
        c.write_points(CONFLICT.split("\n"), protocol="line")
    assert e.value.code == 400
    assert e.value.content == '{"error":"field type conflict"}\n'
    assert list(c.query("SELECT * FROM cfn").get_points()) == []
    assert list(c.query("SHOW FIELD KEYS FROM cfn").get_points()) == [{"fieldKey": "f", "fieldType": "float"}]
    assert list(c.query("SHOW MEASUREMENTS").get_points()) == [{"name": "cfn"}]
    # the shard group exists now: the same body is a partial write
    with pytest.raises(InfluxDBClientError) as e:
        c.write_points(CONFLICT.split("\n"), protocol="line")
    assert e.value.code == 400 and e.value.content == (
        '{"error":"partial write: field type conflict: input field \\"f\\" on measurement \\"cfn\\" '
        'is type string, already exists as type float dropped=1"}\n')
    assert list(c.query("SELECT * FROM cfn", epoch="s").get_points()) == [
        {"time": 1, "f": 1.0, "g": None}, {"time": 3, "f": None, "g": 1.0}]


def test_a_key_both_tag_and_field_is_stored(v1_server):
    from influxdb import InfluxDBClient

    c = InfluxDBClient("127.0.0.1", v1_server.port, database="legacy")
    c.create_database("legacy")
    assert c.write_points([{"measurement": "tf", "tags": {"k": "x"}, "fields": {"k": 1.0, "v": 2.0}, "time": 1},
                           {"measurement": "tf", "tags": {"k": "y"}, "fields": {"v": 3.0}, "time": 2}],
                          time_precision="s")
    got = c.query("SELECT * FROM tf", epoch="s").raw["series"][0]
    assert got["columns"] == ["time", "k", "k_1", "v"]
    assert got["values"] == [[1, 1.0, "x", 2.0], [2, None, "y", 3.0]]
    got = c.query("SELECT k::tag, k::field FROM tf", epoch="s").raw["series"][0]
    assert got["values"] == [[1, "x", 1.0]]
    assert list(c.query("SHOW TAG KEYS FROM tf").get_points()) == [{"tagKey": "k"}]


def test_cloud_dedicated_keeps_its_partial_write(tmp_path):
    """Cloud Dedicated's databases keep 3 days: the points are recent, in a group they open."""
    t = NOW_S - NOW_S % 86400 - 86400
    body = f'cfn f=1 {t}\ncfn f="s" {t + 1}\ncfn g=1 {t + 2}'
    h = start_in_thread(tmp_path, compat="cloud-dedicated", no_auth=True)
    try:
        r = httpx.post(f"{h.url}/api/v2/write", params={"bucket": "cloud", "precision": "s"}, content=body)
        assert r.status_code == 400
        assert r.json()["line"] == 2 and "error writing line 2 (1-based): field type conflict" in r.json()["message"]
        r = httpx.get(f"{h.url}/query", params={"db": "cloud", "q": "SELECT f, g FROM cfn", "epoch": "s"})
        assert r.json()["results"][0]["series"][0]["values"] == [[t, 1.0, None], [t + 2, None, 1.0]]
    finally:
        h.stop()


def test_cloud_dedicated_refuses_a_key_both_tag_and_field(tmp_path):
    """InfluxDB 3 refuses it (influxdb3_core mutable_batch_lp: test_duplicate_is_tag_and_field)."""
    t = NOW_S - NOW_S % 86400 - 86400
    h = start_in_thread(tmp_path, compat="cloud-dedicated", no_auth=True)
    try:
        r = httpx.post(f"{h.url}/api/v2/write", params={"bucket": "cloud", "precision": "s"},
                       content=f"tf,k=x v=1 {t}\ntf k=2 {t + 1}")
        assert r.status_code == 400 and r.json()["line"] == 2
        assert r.json()["message"].endswith('error writing line 2 (1-based): invalid field key: input field "k" '
                                            'on measurement "tf" is already a tag key in this batch')
        r = httpx.get(f"{h.url}/query", params={"db": "cloud", "q": "SHOW FIELD KEYS FROM tf"})
        assert r.json()["results"][0]["series"][0]["values"] == [["v", "float"]]
    finally:
        h.stop()
