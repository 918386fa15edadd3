"""Rewriting InfluxDB 3's functions cannot smuggle a file, URL or table function to Polars.

The rewrite runs between parsing and the allow-list check, and the check runs on what the
rewrite produced; the functions' arguments (strides, origins, bounds, field names, aliases made
from user text) are the places where text could try to slip through.
"""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlglot import exp

from tsdb_core.base.errors import PermissionDenied, UserError
from tsdb_core.query.sql import execute as S
from tsdb_core.query.sql import guard

GAP = "WHERE time >= now() - INTERVAL '1 hour' AND time < now()"


def smuggling(path: str) -> list[str]:
    lit = "'" + path.replace("'", "''") + "'"
    sub = f"(SELECT max(time) FROM read_csv({lit}))"
    return [
        f"SELECT date_bin(INTERVAL '1 minute', {sub}) FROM cpu",
        f"SELECT date_bin(INTERVAL '1 minute', time, {sub}) FROM cpu",
        f"SELECT date_bin(read_csv({lit}), time) FROM cpu",
        f"SELECT selector_first(usage, {sub}) FROM cpu",
        f"SELECT selector_last(read_parquet({lit}), time)['value'] FROM cpu",
        f"SELECT selector_max(usage, time)[{sub}] FROM cpu",
        f"SELECT now({sub}) FROM cpu",
        f"SELECT count(*) FROM cpu WHERE time > now() - read_csv({lit})",
        f"SELECT date_bin_gapfill(INTERVAL '1 minute', time) AS b, locf(avg(usage)) FROM cpu "
        f"WHERE time >= {sub} AND time < now() GROUP BY b",
        f"SELECT date_bin_gapfill(INTERVAL '1 minute', time) AS b, interpolate((SELECT avg(n) FROM "
        f"read_csv({lit}))) FROM cpu {GAP} GROUP BY b",
        f"SELECT date_bin_gapfill(INTERVAL '1 minute', time) AS b, count(*) FROM cpu {GAP} GROUP BY b "
        f"ORDER BY (SELECT 1 FROM read_csv({lit}))",
        f"SELECT date_bin_gapfill(INTERVAL '1 minute', time) AS b, count(*) FROM read_csv({lit}) {GAP} GROUP BY b",
        f"SELECT date_bin(INTERVAL '1 minute'') FROM read_csv({lit}) --', time) FROM cpu",
        f"SELECT count(*) FROM cpu WHERE time > '2024-01-01'' OR 1 IN (SELECT 1 FROM read_csv({lit})) --'",
    ]


@pytest.fixture
def secret(tmp_path):
    p = tmp_path / "secret.csv"
    p.write_text("time,n\n2024-01-01T00:00:00Z,424242\n")
    return str(p)


def test_rewrites_cannot_smuggle_table_functions(store, secret):
    for q in smuggling(secret):
        with pytest.raises(UserError) as e:
            S.execute(store, "db", q)
        assert "424242" not in str(e.value), q


def test_table_functions_inside_rewritten_calls_are_permission_matters(store, secret):
    lit = "'" + secret + "'"
    for q in [f"SELECT date_bin(INTERVAL '1 minute', time, read_csv({lit})) FROM cpu",
              f"SELECT selector_first(usage, time)[read_csv({lit})] FROM cpu",
              f"SELECT date_bin_gapfill(INTERVAL '1 minute', time) AS b, count(*) FROM cpu "
              f"WHERE time >= scan_parquet({lit}) AND time < now() GROUP BY b"]:
        with pytest.raises(PermissionDenied, match="function not allowed"):
            S.execute(store, "db", q)


def test_aliases_made_from_user_text_stay_identifiers(store):
    """An unaliased item is named after its text; a quote in that text stays inside the name."""
    q = ('SELECT date_bin_gapfill(INTERVAL \'1 minute\', time) AS b, max("x"" FROM read_csv(\'/etc/passwd\') --") '
         f"FROM cpu {GAP} GROUP BY b")
    with pytest.raises(UserError, match="No field named") as e:
        S.execute(store, "db", q)
    assert "root:" not in str(e.value)
    q = 'SELECT selector_first("u"" FROM read_csv(\'/etc/passwd\') --", time) FROM cpu'
    with pytest.raises(UserError, match="No field named"):
        S.execute(store, "db", q)


def _functions(sql: str) -> set[str]:
    tree = guard._parse_one_query(sql)
    assert all(isinstance(t.this, exp.Identifier) for t in tree.find_all(exp.Table))
    return {f.name.lower() for f in tree.find_all(exp.Anonymous)}


ITEMS = st.sampled_from([
    "selector_first(usage, time)", "selector_max(n, time)['time']", "selector_min(msg, time)['value']",
    "date_bin(INTERVAL '5 minutes', time)", "date_bin('1 hour', time, '2024-01-01T00:00:00+02:00')",
    "now() - INTERVAL '1 day'", "date_trunc('hour', time)", "count(*)", "avg(usage)",
])


@settings(max_examples=100, deadline=None)
@given(st.lists(ITEMS, min_size=1, max_size=4))
def test_every_rewritten_query_passes_the_allow_list_again(items):
    """What Polars receives uses only allow-listed functions and plain tables: checking it again
    accepts it unchanged."""
    q = f"SELECT {', '.join(items)} FROM cpu WHERE time > '2024-01-01T00:00:00Z'"
    checked = guard.check(q, ["cpu"], "db", now_ns=0)
    assert _functions(checked.sql) <= guard.FUNCTIONS
    again = guard.check(checked.sql, ["cpu"], "db", now_ns=0)
    assert again.sql == checked.sql
