"""bench.server_cpu_ab's requests: one text repeated, or TSBS's fresh texts (another host and range each)."""
from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from bench.server_cpu_ab import request_paths


def _q(path: str) -> str:
    return parse_qs(urlsplit(path).query)["q"][0]


def test_one_text_or_fresh_texts():
    same = request_paths("single-groupby-1-1-1", 10, 2, 5, fresh=False)
    fresh = request_paths("single-groupby-1-1-1", 10, 2, 5, fresh=True)
    assert len(set(same)) == 1 and len(same) == 5
    assert len(set(fresh)) == 5
    assert all(_q(p).startswith("SELECT max(usage_user) from cpu where (hostname = 'host_") for p in fresh)
    assert [_q(p) for p in request_paths("tag-values", 10, 2, 2, fresh=True)] == \
        ["SHOW TAG VALUES WITH KEY = hostname"] * 2
