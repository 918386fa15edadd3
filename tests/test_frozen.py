"""with_fields answers as dataclasses.replace: plan and AST nodes, and classes whose
__init__ does more (then it is dataclasses.replace)."""
from __future__ import annotations

import dataclasses

import pytest

from tsdb_core.base.frozen import rebuilder, setter, with_fields
from tsdb_core.influxql import ast as A
from tsdb_core.query.analyze.time_range import TimeRange
from tsdb_core.query.plan.nodes import Scan, SelectPlan


@dataclasses.dataclass(frozen=True, slots=True)
class Checked:
    n: int

    def __post_init__(self):
        if self.n < 0:
            raise ValueError("negative")


@dataclasses.dataclass(frozen=True)
class Derived:
    a: int
    b: int = dataclasses.field(init=False, default=0)


@pytest.mark.parametrize("obj, changes", [
    (SelectPlan((), (), TimeRange(1, 5), interval=60), {"time_range": TimeRange(2, 9)}),
    (Scan("db", "rp", "cpu", TimeRange(), ("v",), (("host", ("a",)),)), {"time_range": TimeRange(0, 1)}),
    (A.BinaryExpr("AND", A.VarRef("x"), A.StringLiteral("a")), {"rhs": A.StringLiteral("b")}),
    (Derived(1), {"a": 2}),
])
def test_the_same_as_replace(obj, changes):
    new = with_fields(obj, **changes)
    assert new == dataclasses.replace(obj, **changes) and new != obj
    assert type(new) is type(obj)
    for f in dataclasses.fields(obj):
        if f.name not in changes:
            assert getattr(new, f.name) is getattr(obj, f.name)


def test_a_post_init_still_runs():
    with pytest.raises(ValueError, match="negative"):
        with_fields(Checked(1), n=-1)
    with pytest.raises(dataclasses.FrozenInstanceError):
        with_fields(Checked(1), n=2).n = 3


@pytest.mark.parametrize("obj, changes", [
    (SelectPlan((), (), TimeRange(1, 5), interval=60), {"time_range": TimeRange(2, 9), "interval": 5}),
    (Scan("db", "rp", "cpu", TimeRange(), ("v",), (("host", ("a",)),)), {"tags": ()}),
    (A.BinaryExpr("AND", A.VarRef("x"), A.StringLiteral("a")), {"rhs": A.StringLiteral("b"), "op": "OR"}),
    (Derived(1), {"a": 2}),
])
def test_a_setter_answers_as_with_fields(obj, changes):
    put = setter(type(obj), tuple(changes))
    new = put(obj, *changes.values())
    assert new == with_fields(obj, **changes) == dataclasses.replace(obj, **changes)
    assert type(new) is type(obj) and put is setter(type(obj), tuple(changes))
    for f in dataclasses.fields(obj):
        if f.name not in changes:
            assert getattr(new, f.name) is getattr(obj, f.name)


def test_a_setter_still_runs_post_init():
    with pytest.raises(ValueError, match="negative"):
        setter(Checked, ("n",))(Checked(1), -1)


def test_a_rebuilder_replaces_the_named_parts_and_keeps_the_rest():
    cond = A.BinaryExpr("AND", A.ParenExpr(A.BinaryExpr("=", A.VarRef("h"), A.StringLiteral("a"))),
                        A.BinaryExpr(">", A.VarRef("time"), A.StringLiteral("t")))
    node = Scan("db", "rp", "cpu", TimeRange(), ("v", "w"), (("host", ("a",)),))
    fn = rebuilder((cond, node), {0: {"lhs": {"expr": {"rhs": 0}}, "rhs": {"rhs": 1}}, 1: {"columns": {1: 2}}},
                   lambda i, old: f"_S(values[{i}])", {"_S": A.StringLiteral})
    new_cond, new_node = fn((cond, node), ("b", "u", "x"), None)
    assert new_cond == A.BinaryExpr("AND", A.ParenExpr(A.BinaryExpr("=", A.VarRef("h"), A.StringLiteral("b"))),
                                    A.BinaryExpr(">", A.VarRef("time"), A.StringLiteral("u")))
    assert new_node == dataclasses.replace(node, columns=("v", A.StringLiteral("x")))
    assert new_cond.lhs.expr.lhs is cond.lhs.expr.lhs and new_node.tags is node.tags
    assert fn((cond, node), ("a", "t", "w"), None)[0] == cond   # the old values: an equal copy


def test_a_shared_rebuilder_rebuilds_a_part_held_twice_once():
    part = A.ParenExpr(A.BinaryExpr("=", A.VarRef("h"), A.StringLiteral("a")))
    trie = {0: {"expr": {"rhs": 0}}, 1: {"expr": {"rhs": 0}}}
    leaf = lambda i, old: f"_S(values[{i}])"  # noqa: E731
    one, two = rebuilder((part, part), trie, leaf, {"_S": A.StringLiteral}, shared=True)((part, part), ("b",), None)
    assert one is two and one == A.ParenExpr(A.BinaryExpr("=", A.VarRef("h"), A.StringLiteral("b")))
    one, two = rebuilder((part, part), trie, leaf, {"_S": A.StringLiteral})((part, part), ("b",), None)
    assert one is not two and one == two  # (not shared: a trie of literal sites may differ below them)
