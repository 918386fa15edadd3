"""DataFusion's common_sub_expression_eliminate over v3's plan of an aggregate SELECT: one extracted divisor.

A division is v3's CASE (aggexpr3.py): its divisor is tested first (``rhs = 0``, always evaluated)
and read again (``ELSE lhs / rhs``). When the divisor is more than an aggregate's column (a cast,
an operation), DataFusion 50.1 extracts it: a Projection ``<divisor> AS __common_expr_1, <the
input's columns>`` under the fields' Projection, every occurrence of it replaced by the alias,
then optimize_projections keeps the alias and the columns still read. So DataFusion 50.1
(datafusion-python 50.1.0, once, by hand) printed v3's plan shape (Sort, Projection, [Filter
__aggr_count], Aggregate grouped by tags or not) for ``avg / CAST(count AS Float64)``, ``avg /
(avg + avg)`` and ``CAST(sum AS Float64) / CAST(sum AS Float64)``. Drawn for one such divisor
(one expression extracted, numbered 1), without GROUP BY time, LIMIT/OFFSET, tz() or a value fill.
"""
from __future__ import annotations

ALIAS = "__common_expr_1"


def eliminated(plan: str, common: str, columns: list[str], narrow: bool) -> str:
    """``plan`` (a Sort over the fields' Projection) with ``common`` extracted under the
    Projection: its input ``columns`` (in their order) listed after the alias, or when
    ``narrow`` only those the Projection still reads."""
    lines = plan.split("\n")
    fields = replaced(lines[1], common)
    kept = [c for c in columns if not narrow or _reads(fields, c)]
    extracted = "    Projection: " + ", ".join([f"{common} AS {ALIAS}", *kept])
    return "\n".join([lines[0], fields, extracted, *("  " + line for line in lines[2:])])


def replaced(text: str, common: str) -> str:
    """``text`` with each occurrence of ``common`` (parenthesized as a divisor, or bare) the alias."""
    return text.replace(f"/ ({common})", f"/ {ALIAS}").replace(common, ALIAS)


def _reads(fields: str, column: str) -> bool:
    """Whether the Projection's line reads ``column`` (an aggregate's, a tag's ``m.tag AS tag``)."""
    return column in fields
