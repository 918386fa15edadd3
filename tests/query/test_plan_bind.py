"""A Binder's generated rebuild (the node it was built from) gives exactly what the generic
rebuild gives, for the plans and residual conditions of plan families."""
from __future__ import annotations

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import tsdb_core
from tsdb_core.influxql.parser import driver, templates
from tsdb_core.query.analyze.time_range import TimeRange
from tsdb_core.query.plan import bind

from .test_plan_families import ASKED, S, SHAPES, T0

_families: dict[str, tuple] = {}


def _family(shape: str):
    """The verified plan family of ``shape`` over a small store (made once per shape)."""
    if shape not in _families:
        templates._templates.clear()
        templates._families.clear()
        driver._CACHE.clear()
        store = tsdb_core.open(None)
        store.create_database("db")
        store.write("db", "\n".join(f"m,host=h{k % 2} v={k}i,w={k}.5,s=\"x\" {T0 + k * 60 * S}" for k in range(50)))
        for k in range(4):
            store.query(shape.format(h=f"h{k % 2}", g=f"g{k}", a=f"2016-01-01T00:0{k}:00Z",
                                     b=f"2016-01-01T00:3{k}:00Z", i="1m"), db="db")
        fams = [f for f in store.plan_cache._families.values() if f is not None]
        _families[shape] = (store, fams[0] if fams else None)
    return _families[shape][1]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(SHAPES), st.lists(st.sampled_from(ASKED), min_size=3, max_size=3),
       st.integers(-10**12, 10**12), st.integers(0, 10**13), st.integers(-10**12, 10**12))
def test_the_generated_rebuild_is_the_generic_one(shape, values, start, length, pad):
    fam = _family(shape)
    assume(fam is not None)
    residual, plan = fam._binders
    values = tuple(values[:len(fam.values)])
    ranges = (TimeRange(T0 + start, T0 + start + length), TimeRange(T0 + start - pad, T0 + start + length))
    for binder, node, rng in ((residual, fam.residual, ()), (plan, fam.plan, ranges if plan.ranges else ())):
        want = bind._rebuild(node, binder._trie, values, dict(zip(binder.values, values)),
                             rng or binder.ranges) if binder._trie else node
        assert binder.bind(node, values, rng) == want


def test_most_shapes_make_a_family_whose_binder_is_generated():
    fams = [_family(shape) for shape in SHAPES]
    assert sum(f is not None for f in fams) >= len(SHAPES) - 2
    fam = fams[0]
    moved = fam._binders[1].bind(fam.plan, ("h9",), (fam.time_range, fam._binders[1].ranges[1]))
    assert fam._binders[1]._compiled is not None and "'h9'" in str(moved.condition)


def test_a_moved_plan_shares_its_condition_with_its_filter_as_planning_does():
    fam = _family(SHAPES[0])
    binder = fam._binders[1]
    moved = binder.bind(fam.plan, ("h9",), (fam.time_range, binder.ranges[1]))
    filters = [n for n in _chain(fam.plan.root) if type(n).__name__ == "Filter"]
    assert filters and filters[0].condition is fam.plan.condition  # (the plan family's, as planned)
    moved_filter = next(n for n in _chain(moved.root) if type(n).__name__ == "Filter")
    assert moved_filter.condition is moved.condition and "'h9'" in str(moved.condition)


def _chain(node):
    while node is not None:
        yield node
        node = getattr(node, "child", None)
