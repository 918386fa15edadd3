"""InfluxDB 3's column names for a SELECT list: its rewriter's, then its planner's.

The rewriter (rewriter.rs ``fields_resolve_aliases_and_types``) makes the names unique over
aliases and generated names alike: the first keeps its name, a later one takes ``_<n>``, n
the smallest no field of the list is named (influxd keeps aliases as written). The planner
(planner/select.rs ``ProjectionInfo::new``) then puts, after ``time``, each GROUP BY tag that no
field selects as a tag (a field of that name whose type is a tag or unknown), and names the
list again (planner.rs ``field_list_to_exprs``: a name seen before gets ``_<count>``): a field
named as such a tag is renamed, ``SELECT count(foo) AS foo ... GROUP BY foo`` answers ``foo_1``.
"""
from __future__ import annotations

from collections.abc import Iterable

from ..ast import expr as A

# expr_type_evaluator.rs eval_call: the calls whose type is not their first argument's
_TYPED_CALLS = frozenset({
    "mean", "count", "median", "integral", "stddev", "derivative", "non_negative_derivative",
    "moving_average", "exponential_moving_average", "double_exponential_moving_average",
    "triple_exponential_moving_average", "relative_strength_index", "triple_exponential_derivative",
    "kaufmans_efficiency_ratio", "kaufmans_adaptive_moving_average", "chande_momentum_oscillator",
    "holt_winters", "holt_winters_with_fit", "elapsed"})
_TAG_OR_UNKNOWN = ("tag", "tagarg", "unknown", None)  # planner.py _bind's VarRef types


def column_names(names: list[str], exprs: list, group_by: list[str]) -> list[str]:
    """The names v3 answers for a SELECT list (``names``: aliases or generated names, in
    order; ``exprs``: the bound expressions) under GROUP BY tags ``group_by``."""
    return planner_names(rewriter_names(names), map(tag_or_unknown, exprs), group_by)


def planner_names(names: list[str], tag_like: Iterable[bool], group_by: list[str]) -> list[str]:
    """The rewriter's ``names`` as field_list_to_exprs names them after ProjectionInfo::new added
    each GROUP BY tag no field selects as a tag (``tag_like``: a field's type is a tag or unknown)."""
    projected = {n for n, t in zip(names, tag_like) if t}
    return numbered([d for d in group_by if d not in projected], names)


def numbered(taken: list[str], names: list[str]) -> list[str]:
    """``names`` made unique against ``taken`` and each other: a name's k-th repeat ``name_k``."""
    seen = dict.fromkeys(taken, 0)
    out = []
    for name in names:
        if name in seen:
            seen[name] += 1
            out.append(f"{name}_{seen[name]}")
        else:
            seen[name] = 0
            out.append(name)
    return out


def rewriter_names(names: list[str]) -> list[str]:
    """rewriter.rs fields_resolve_aliases_and_types: ``x, x, x_1`` → ``x, x_2, x_1``."""
    count = dict.fromkeys(names, 0)
    out = []
    for name in names:
        n = count[name]
        if n == 0:
            count[name] = 1
            out.append(name)
            continue
        while f"{name}_{n}" in count:
            n += 1
        count[name] = n + 1
        out.append(f"{name}_{n}")
    return out


def tag_or_unknown(e) -> bool:
    """Whether v3's TypeEvaluator types a field as a tag or not at all (expr_type_evaluator.rs:
    a call takes its first argument's type but for those of fixed type, a binary expression
    the type of the operand that has one)."""
    if isinstance(e, A.VarRef):
        return e.type in _TAG_OR_UNKNOWN
    if isinstance(e, A.Call):
        return e.name not in _TYPED_CALLS and (not e.args or tag_or_unknown(e.args[0]))
    if isinstance(e, A.ParenExpr):
        return tag_or_unknown(e.expr)
    if isinstance(e, A.BinaryExpr):
        return tag_or_unknown(e.lhs) and tag_or_unknown(e.rhs)
    return False
