"""base.regex: a query's regex matched in linear time, and a bad one refused in plain words."""
from __future__ import annotations

import pytest

from tsdb_core.base import regex
from tsdb_core.base.errors import QueryError


def test_search_and_select():
    r = regex.compile("^cpu[0-9]$")
    assert r.search("cpu1") and not r.search("cpu10")
    assert r.select(["cpu2", "mem", "cpu3"]) == ["cpu2", "cpu3"]


def test_a_pattern_that_backtracks_in_python_answers_at_once():
    """Python's re would try about 2**40 ways here; the linear engine answers at once."""
    r = regex.compile("(a+)+$")
    assert r.search("a" * 40 + "!") is False and r.search("b" + "a" * 40) is True


def test_a_bad_pattern_is_refused_without_polars_words():
    with pytest.raises(QueryError) as e:
        regex.compile("(")
    assert str(e.value).startswith("error parsing regexp: regex error: regex parse error:")
    assert str(e.value).endswith("error: unclosed group")
    assert "col(" not in str(e.value) and "This error occurred" not in str(e.value)
