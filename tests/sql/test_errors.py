"""SQL errors: one error class (QueryError, PermissionDenied for refusals, LimitExceeded for
limits), DataFusion's words where InfluxDB 3 has them, never a Python exception of another kind."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tsdb_core.base.errors import QueryError, UserError
from tsdb_core.query.sql import execute as S

ERRORS = [
    ("SELECT * FROM nope", "SQL error: Error during planning: table 'public.iox.nope' not found"),
    ("SELECT nosuch FROM cpu",
     "SQL error: Schema error: No field named nosuch. Valid fields are host, msg, n, time, usage."),
    ("SELECT host FROM cpu WHERE nosuch > 1", "SQL error: Schema error: No field named nosuch."),
    ("SELECT x.usage FROM cpu", "SQL error: Schema error: No field named x"),
    ("SELECT nosuch(usage) FROM cpu", "SQL error: Error during planning: Invalid function 'nosuch'."),
    ("SELECT time_bucket(INTERVAL '1 minute', time) FROM cpu",
     "SQL error: Error during planning: Invalid function 'time_bucket'."),
    ("SELEC usage FROM cpu", "SQL error: sql parser error:"),
    ("SELECT usage FROM cpu WHERE", "SQL error: sql parser error:"),
    ("SELECT date_bin(INTERVAL '1 fortnight', time) FROM cpu",
     "SQL error: Arrow error: Not yet implemented: Unknown interval type: fortnight"),
    ("SELECT date_bin('soon', time) FROM cpu", 'Invalid input syntax for type interval: "soon"'),
    ("SELECT date_bin('3 soons', time) FROM cpu", "Unknown interval type: soons"),
    ("SELECT date_bin('1 minute and', time) FROM cpu", 'Invalid input syntax for type interval: "1 minute and"'),
    ("SELECT count(*) FROM cpu WHERE time > 'yesterday'",
     "SQL error: Arrow error: Parser error: Error parsing timestamp from 'yesterday'"),
    ("SELECT date_bin(INTERVAL '1 minute') FROM cpu",
     "SQL error: Error during planning: DATE_BIN expected two or three arguments"),
    ("SELECT date_bin(INTERVAL '0 seconds', time) FROM cpu", "SQL error: Execution error: DATE_BIN stride must be non-zero"),
    ("SELECT date_bin(INTERVAL '1 month', time) FROM cpu", "DATE_BIN with a stride in months or years"),
    ("SELECT date_bin(INTERVAL '1 minute', time, host) FROM cpu",
     "DATE_BIN only supports literal values for the origin argument"),
    ("SELECT date_bin(usage, time) FROM cpu", "DATE_BIN only supports literal values for the stride argument"),
    ("SELECT selector_first(usage) FROM cpu", "selector_first with other than two arguments"),
    ("SELECT selector_first(usage, time)['other'] FROM cpu", "selector_first has the fields 'value' and 'time'"),
    ("SELECT usage FROM cpu ORDER BY selector_last(usage, time)", "as a struct outside the SELECT list"),
    ("SELECT now(1) FROM cpu", "now() takes no arguments"),
    ("SHOW COLUMNS FROM nope", "SQL error: Error during planning: Unknown relation for SHOW COLUMNS: nope"),
]


@pytest.mark.parametrize("q,message", ERRORS, ids=[e[0] for e in ERRORS])
def test_error_words(store, q, message):
    with pytest.raises(QueryError) as e:
        S.execute(store, "db", q)
    assert message in str(e.value)
    assert str(e.value).startswith("SQL error: ")


FRAGMENTS = st.sampled_from([
    "SELECT", "FROM", "cpu", "WHERE", "GROUP BY", "ORDER BY", "LIMIT 2", ",", "(", ")", "*", "time", "usage",
    "host", "n", "msg", "1", "'2024-01-01T00:00:00Z'", "'x'", "now()", "INTERVAL '1 minute'", "'5 minutes'",
    "date_bin(", "date_bin_gapfill(", "locf(", "interpolate(", "selector_first(", "selector_max(", "avg(",
    "count(", "['value']", "['time']", ">=", "<", "AND", "OR", "-", "+", "AS b", "b", "1970", "NULL",
    "date_trunc('hour',", "information_schema.columns", "SHOW TABLES",
])


@settings(max_examples=300, deadline=None)
@given(st.lists(FRAGMENTS, min_size=1, max_size=14))
def test_any_text_answers_or_raises_a_user_error(store, parts):
    """Whatever the text, the outcome is an answer or a UserError, never another exception."""
    try:
        S.execute(store, "db", " ".join(parts))
    except UserError:
        pass


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(["selector_first", "selector_last", "selector_min", "selector_max"]),
       st.sampled_from(["usage", "n", "msg", "host"]), st.sampled_from(["", "WHERE usage > 2", "WHERE host = 'zz'"]),
       st.sampled_from(["", "GROUP BY host", "GROUP BY date_bin(INTERVAL '2 minutes', time)"]),
       st.sampled_from(["", "['value']", "['time']"]))
def test_selector_combinations_answer(store, fn, col, where, group, field):
    df = S.execute(store, "db", f"SELECT {fn}({col}, time){field} AS s FROM cpu {where} {group}")
    assert df.columns == ["s"]
