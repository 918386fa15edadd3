"""DataFusion's common_sub_expression_eliminate over v3's plan of an aggregate SELECT: the extracted divisors.

A division is v3's CASE (aggexpr3.py): its divisor is tested first (``rhs = 0``, always evaluated)
and read again (``ELSE lhs / rhs``). When the divisor is more than an aggregate's column (a cast,
an operation), DataFusion 50.1 extracts it: a Projection ``<divisor> AS __common_expr_1, <the
input's columns>`` under the fields' Projection, every occurrence of it replaced by the alias,
then optimize_projections keeps the alias and the columns still read. So DataFusion 50.1
(datafusion-python 50.1.0, once, by hand) printed v3's plan shape (Sort, Projection, [Filter
__aggr_count], Aggregate grouped by tags or not) for ``avg / CAST(count AS Float64)``, ``avg /
(avg + avg)`` and ``CAST(sum AS Float64) / CAST(sum AS Float64)``. Several distinct divisors are
numbered ``__common_expr_1``, ``_2`` ... in the order the fields first read them (left to right,
the divisor of a later division read earlier by an operation first), all in
the one Projection, before the input's columns (DataFusion 50.1, likewise). Drawn without GROUP BY
time, LIMIT/OFFSET, tz() or a value fill, for divisions no other division holds (DataFusion does
not extract what only a CASE's branch evaluates) and divisors that neither repeat nor hold one
another (DataFusion then extracts ``__common_expr_3 = 0`` over a second Projection: not drawn).
"""
from __future__ import annotations

PREFIX = "__common_expr_"


def alias(i: int) -> str:
    """The name DataFusion's CSE gives its ``i``-th extracted expression (from 0)."""
    return f"{PREFIX}{i + 1}"


def eliminated(plan: str, commons: list[str], columns: list[str], narrow: bool) -> str:
    """``plan`` (a Sort over the fields' Projection) with ``commons`` extracted under the
    Projection: its input ``columns`` (in their order) listed after the aliases, or when
    ``narrow`` only those the Projection still reads."""
    lines = plan.split("\n")
    fields = replaced(lines[1], commons)
    kept = [c for c in columns if not narrow or _reads(fields, c)]
    extracted = "    Projection: " + ", ".join([*(f"{c} AS {alias(i)}" for i, c in enumerate(commons)), *kept])
    return "\n".join([lines[0], fields, extracted, *("  " + line for line in lines[2:])])


def replaced(text: str, commons: list[str]) -> str:
    """``text`` with each occurrence of each of ``commons`` (parenthesized as a divisor, or bare) its alias."""
    for i, common in enumerate(commons):
        text = text.replace(f"/ ({common})", f"/ {alias(i)}").replace(common, alias(i))
    return text


def ordered(commons: list[str], texts: list[str]) -> list[str]:
    """``commons`` in the order DataFusion's CSE meets them, top-down and left to right: where
    the fields' ``texts`` first read each (a divisor may be read before its division)."""
    joined = "\n".join(texts)
    return sorted(commons, key=lambda c: (joined.find(c) if c in joined else len(joined)))


def nested(commons: list[str]) -> bool:
    """Whether a divisor repeats or holds another (not drawn: DataFusion's CSE then extracts in two steps)."""
    return any(i != j and a in b for i, a in enumerate(commons) for j, b in enumerate(commons))


def _reads(fields: str, column: str) -> bool:
    """Whether the Projection's line reads ``column`` (an aggregate's, a tag's ``m.tag AS tag``)."""
    return column in fields
