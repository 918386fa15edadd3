"""KeptAnswers (tsdb_http/kept_answers.py): what a shape's direct answers leave kept."""
from __future__ import annotations

import pytest

from tsdb_http.kept_answers import NEVER_AFTER, RETRY_EVERY, KeptAnswers
from tsdb_http.routes_query import RawResponse


def body(n: int) -> RawResponse:
    return RawResponse(b"x" * n, [])


class Shape:
    """A request shape stands for itself (identity), as routes_query's cached _Shape does."""


@pytest.mark.parametrize("before, after, kept", [
    (7, 7, True),        # the same kept answer around the call
    (None, 7, False),    # an answer kept during the call: read both again next time
    (7, 8, False),       # replaced during the call
    (7, None, False),    # gone stale during the call
    (None, None, False),
])
def test_a_response_is_kept_only_under_one_token_read_before_and_after(before, after, kept):
    k, shape, r = KeptAnswers(), Shape(), body(3)
    k.put(shape, before, after, r)
    entry = k.get(shape)
    assert entry[1] == after and (entry[2] is r) is kept
    assert k.asks(entry)
    assert k.get(Shape()) is None


def test_a_shape_without_tokens_stops_asking_and_one_with_a_token_starts_again():
    k, shape = KeptAnswers(), Shape()
    for i in range(NEVER_AFTER):
        assert k.asks(k.get(shape))
        k.put(shape, None, None, body(1))
    assert not k.asks(k.get(shape))
    other = Shape()
    for _ in range(NEVER_AFTER - 1):
        k.put(other, None, None, body(1))
    k.put(other, None, 3, body(1))  # a token after all: the count starts again
    assert k.asks(k.get(other)) and k.get(other)[3] == 0


def test_a_family_without_tokens_stops_asking_for_its_new_texts_and_one_with_a_token_asks_again():
    k, family = KeptAnswers(), ("shape", "query")
    for _ in range(NEVER_AFTER):
        assert k.asks(None, family)
        k.put(Shape(), None, None, body(1), family)  # each a new text of the family
    assert not k.asks(None, family) and k.asks(None, ("shape", "other")) and k.asks(None)
    shape = Shape()
    k.put(shape, None, None, body(1))
    assert k.asks(k.get(shape), family)  # a shape seen answers by its own count
    k.put(Shape(), 5, 5, body(1), family)  # a text of the family with a token
    assert k.asks(None, family)


def test_a_silent_shape_asks_again_once_in_every_retry_every_requests_and_keeps_a_token_it_finds():
    k, shape = KeptAnswers(), Shape()
    for _ in range(NEVER_AFTER):
        k.put(shape, None, None, body(1))
    for _ in range(2):  # two retries, each answered without a token: silent again
        assert [k.asks(k.get(shape)) for _ in range(RETRY_EVERY)] == [False] * (RETRY_EVERY - 1) + [True]
        k.put(shape, None, None, body(1))
    assert [k.asks(k.get(shape)) for _ in range(RETRY_EVERY)].count(True) == 1
    k.put(shape, 7, 7, body(1))  # the retry found a token (the series index settled): kept, asked again
    assert k.get(shape)[2] is not None and all(k.asks(k.get(shape)) for _ in range(2 * NEVER_AFTER))


def test_a_silent_family_asks_again_for_a_new_text_once_in_every_retry_every_requests():
    k, family = KeptAnswers(), ("shape", "query")
    for _ in range(NEVER_AFTER):
        k.put(Shape(), None, None, body(1), family)
    asked = [k.asks(None, family) for _ in range(3 * RETRY_EVERY)]
    assert [i for i, a in enumerate(asked) if a] == [RETRY_EVERY - 1, 2 * RETRY_EVERY - 1, 3 * RETRY_EVERY - 1]
    k.put(Shape(), 5, 5, body(1), family)
    assert all(k.asks(None, family) for _ in range(2 * NEVER_AFTER))


def test_kept_bytes_are_bounded():
    k = KeptAnswers(max_bytes=10)
    a, b, c = Shape(), Shape(), Shape()
    k.put(a, 1, 1, body(6))
    k.put(b, 2, 2, body(11))  # larger than everything: never kept, the others stay
    assert k.get(a)[2] is not None and k.get(b)[2] is None
    k.put(c, 3, 3, body(6))  # over the total: what was kept goes
    assert k.get(a) is None and k.get(c)[2] is not None


@pytest.mark.parametrize("qs, cacheable", [
    (b"db=db&q=SHOW+TAG+VALUES+WITH+KEY+%3D+host", True),
    (b"db=db&u=me&p=secret&q=SHOW+DATABASES", False),
    (b"db=db&u=me&%70=secret&q=SHOW+DATABASES", False),  # the name ``p`` percent-encoded
    (b"db=db&q=" + b"x" * 5000, False),
])
def test_a_request_shape_carrying_a_password_is_never_kept(qs, cacheable):
    from tsdb_http.routes_query import _cacheable
    assert _cacheable(qs) is cacheable
