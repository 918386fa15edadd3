"""routes_query.read_only: its quick test for ASCII texts answers as the two regular expressions do."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tsdb_http.routes_query import _NOT_SIMPLE, _READ_START, read_only


def reference(q: str) -> bool:
    return _READ_START.match(q) is not None and _NOT_SIMPLE.search(q) is None


@pytest.mark.parametrize("q,expected", [
    ("SELECT * FROM cpu", True), ("  show databases", True), ("select into_x from cpu", True),
    ("SELECT * INTO b FROM a", False), ("select * into b from a", False), ("SELECT 1; SELECT 2", False),
    ("SELECT * FROM cpu WHERE s = 'x;y'", False), ("select * ınto b from a", False),  # (dotless i: (?i) matches it)
    ("SELECT * İNTO b FROM a", False), ("DROP DATABASE x", False), ("SELECTx", False), ("selectinto", False),
    ("SELECT a FROM b WHERE c = 'INTO'", False), ("SELECT a FROM \"into\"", False), ("SELECT 'pinto'", True),
])
def test_table(q, expected):
    assert read_only.__wrapped__(q) is expected
    assert reference(q) is expected


@given(st.tuples(st.sampled_from(["select", "SELECT", " show", "Show", "drop", ""]),
                 st.lists(st.sampled_from(list("intoINTO ;_x'\"\n\tıİKſ(") + ["into", "INTO", " into "]),
                          max_size=30).map("".join)).map("".join))
def test_equals_the_regular_expressions(q):
    assert read_only.__wrapped__(q) == reference(q)
