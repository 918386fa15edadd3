"""The fast path's float values are bit for bit Python's ``float()`` of the text.

``lp_fast`` casts a float field's text with Polars (``cast(pl.Float64)``, a correctly rounded
parser), never through an arithmetic shortcut: ``int(digits) / 100`` would be exact in IEEE
arithmetic, but Polars turns a division by a literal into a multiplication by its reciprocal
(``29 / 10.0`` gives 2.9000000000000004 there), and it is slower too.
"""
from __future__ import annotations

import struct

from hypothesis import given, settings
from hypothesis import strategies as st

from tsdb_core.ingest import lp_fast
from tsdb_core.ingest.lp_assemble import LINE

T0 = 1_700_000_000_000_000_000


def _two_decimals(n: int, form: int) -> str:
    """``n`` hundredths as line protocol writes them: ``-12.34``, ``12.3`` (trailing zero
    dropped), ``.5``, ``12.`` (a bare dot) or ``12``."""
    sign, n = ("-" if n < 0 else ""), abs(n)
    whole, cents = divmod(n, 100)
    text = f"{whole}.{cents:02d}"
    if form == 1:
        text = text.rstrip("0")
    elif form == 2 and whole == 0:
        text = text[1:]
    elif form == 3 and cents == 0:
        text = f"{whole}"
    return sign + text


two_decimals = st.builds(_two_decimals, st.integers(-10**12, 10**12), st.integers(0, 3))
# any decimal text the fast path takes: up to 30 digits (past the 19 of the quick path in
# Rust's float parsers), a dot anywhere, an exponent that keeps the value finite
decimal = st.builds(
    lambda sign, digits, dot, exp: sign + (digits[:dot] + "." + digits[dot:] if dot is not None else digits) + exp,
    st.sampled_from(["", "-"]),
    st.text("0123456789", min_size=1, max_size=30),
    st.one_of(st.none(), st.integers(0, 30)),
    st.one_of(st.just(""), st.integers(-300, 280).map(lambda e: f"e{e}"),
              st.integers(-30, 30).map(lambda e: f"E+{e}" if e >= 0 else f"E{e}")),
)


def _bits(x: float) -> bytes:
    return struct.pack("<d", x)


def _fast_floats(texts: list[str]) -> list[float]:
    """The values of field ``v`` parsed by the vectorised path (asserting every line took it)."""
    body = "".join(f"m,host=h{i % 2} v={t} {T0 + i}\n" for i, t in enumerate(texts)).encode()
    parts: list = []
    leftover = lp_fast.fast_lines(body, None, 1, 0, parts)
    assert leftover == []
    (part,) = parts
    return part.frame.sort(LINE).get_column("v").to_list()


@settings(max_examples=60, deadline=None)
@given(st.lists(two_decimals, min_size=20, max_size=80))
def test_two_decimal_text_parses_as_python_float(texts):
    assert [_bits(v) for v in _fast_floats(texts)] == [_bits(float(t)) for t in texts]


@settings(max_examples=60, deadline=None)
@given(st.lists(decimal, min_size=20, max_size=80))
def test_any_decimal_text_parses_as_python_float(texts):
    texts = [t for t in texts if abs(float(t)) < 1e308] or ["0"]
    texts = (texts * 20)[:max(20, len(texts))]
    assert [_bits(v) for v in _fast_floats(texts)] == [_bits(float(t)) for t in texts]
