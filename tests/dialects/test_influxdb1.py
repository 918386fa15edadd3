"""The influxdb1 dialect (the default): every row of the issue's table runs as InfluxDB 1.x runs it.

The same rows as test_influxdb3.py; where 1.x refuses a statement the words are influxd 1.6.7's
as this project gives them (README: tokens replace users).
"""
from __future__ import annotations

import pytest

from tests.dialects.conftest import answer
from tests.dialects.table import ROWS


@pytest.mark.parametrize("q,v3_error,v1_error", ROWS, ids=[r[0][:60] for r in ROWS])
def test_table_row(v1, q, v3_error, v1_error):
    res = answer(v1, q)
    assert res.get("error") == v1_error, res


def test_times_keep_gos_trimmed_fraction(v1):
    res = answer(v1, "SELECT usage FROM cpu")
    assert [v[0] for v in res["series"][0]["values"]] == ["2024-01-01T00:00:00.5Z", "2024-01-01T00:01:00Z"]


def test_metadata_ignores_time(v1):
    v1.clock.advance("30d")
    assert answer(v1, "SHOW TAG VALUES WITH KEY = host")["series"][0]["values"] == [["host", "a"], ["host", "b"]]


def test_a_parse_error_is_the_requests_error(v1):
    assert v1.query("SHOW MEASUREMENTS;BAD SQL", db="mydb").to_json() == {
        "error": "error parsing query: found BAD, expected SELECT, DELETE, SHOW, CREATE, DROP, EXPLAIN, GRANT, "
                 "REVOKE, ALTER, SET, KILL at line 1, char 19"}
