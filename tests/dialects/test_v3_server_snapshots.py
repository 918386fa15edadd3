"""The shim in cloud-dedicated mode against InfluxDB 3's own end-to-end /query tests.

v3_snapshots/lib__server__query__api_v1_query_group_by*.snap are insta snapshots of
``influxdb3/tests/server/query.rs`` (api_v1_query_group_by, api_v1_query_group_by_with_nulls),
copied as they are from influxdata/influxdb at d7834110b3680ba8e53d16333d158b18b8847bc7: a
server is written the same points, asked each query with and without ``chunked=true``, and
each JSON document it sends is compared. Among them: a series whose GROUP BY tag is missing
comes after the others (v3 sorts ``NULLS LAST``; 1.x sorts its empty value first).
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.http.conftest import json_documents, make_client

SNAPSHOTS = Path(__file__).with_name("v3_snapshots")
POINTS = {  # query.rs: server.write_lp_to_db("foo", ..., Precision::Second)
    "api_v1_query_group_by": "bar,t1=a,t2=aa val=1 2998574931\nbar,t1=b,t2=aa val=2 2998574932\n"
                             "bar,t1=a,t2=bb val=3 2998574933\nbar,t1=b,t2=bb val=4 2998574934",
    "api_v1_query_group_by_with_nulls": "bar,t1=a val=1 2998574931\nbar val=2 2998574932\nbar,t1=a val=3 2998574933",
}
CASES = sorted(SNAPSHOTS.glob("lib__server__query__api_v1_query_group_by*.snap"))


@pytest.fixture(scope="module")
def servers():
    out = {}
    for test, lp in POINTS.items():
        c = make_client("cloud-dedicated", no_auth=True)
        c.raw_store.create_database("foo")
        assert c.raw_store.write("foo", lp, precision="s").ok
        out[test] = c
    return out


def test_every_case_is_here():
    assert len(CASES) == 18


@pytest.mark.parametrize("path", CASES, ids=[p.stem.split("__")[-1] for p in CASES])
def test_the_answer_is_v3s(servers, path):
    text = path.read_text()
    q, chunked = re.search(r'description: "query: (.*), chunked: (\w+)"', text).groups()
    expected = json.loads(text.split("\n---\n", 1)[1])
    test = path.stem.split("__")[-1].split("-")[0]
    r = servers[test].get("/query", params={"db": "foo", "q": q, "chunked": chunked})
    assert r.status_code == 200
    assert json_documents(r.text) == expected  # (chunked: documents back to back)


def test_1x_puts_the_missing_tag_first():
    c = make_client("influxdb1", no_auth=True)
    c.raw_store.create_database("foo")
    c.raw_store.write("foo", POINTS["api_v1_query_group_by_with_nulls"], precision="s")
    series = c.get("/query", params={"db": "foo", "q": "select * from bar group by t1"}).json()["results"][0]["series"]
    assert [s["tags"] for s in series] == [{"t1": ""}, {"t1": "a"}]
