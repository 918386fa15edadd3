"""Reuse a SELECT's plan while nothing it was planned from has changed.

Planning a one-host query (binding names, expanding ``*`` against the schema,
splitting WHERE) costs about as much as running it; dashboards send the same
text again and again. A plan is a pure function of the statement,
the default database and policy, ``now``, and the catalog answers the planner
asked for. So the cache records those answers (:class:`_Recorder` stands in for
the provider while planning) and, on the next request of the same statement
object (the parse cache hands back the same one for the same text), asks the
same questions again: equal answers, same plan. No invalidation hooks in the
store to forget, and nothing stale: a new field, a dropped database, another
default policy each change an answer.

``now``: a plan that depends on it (``now()`` anywhere, an open-ended GROUP BY
time range) is never cached. Most statements tell from their AST
(:mod:`..analyze.now_use`): one with ``now()`` is planned once and not kept; one
over measurements without it is kept from its first sighting unless its plan ends
at ``now``. The rest (subqueries) are planned, the second time they are seen, at
``now`` and at a far-off other instant; equal plans mean ``now`` was not used.
"""
from __future__ import annotations

import functools
import threading

from ...influxql.dialect import Dialect
from ...influxql.parser.templates import bound_values, family, literal_sites
from ..analyze.now_use import clock_free, ends_at
from ..analyze.time_range import range_reader, split_where, time_operands, time_sites
from .bind import Binder
from .planner import extended_range
from .retime import range_kind, retimed

_OTHER_NOW = 367 * 86_400 * 10**9 + 1  # a year and a day and a nanosecond later: no window aligns both
MAX_ENTRIES = 1024
_UNSEEN = object()


class _Recorder:
    """The provider as the planner sees it: its catalog questions, each answer noted."""

    __slots__ = ("_provider", "calls")

    def __init__(self, provider) -> None:
        self._provider = provider
        self.calls: list[tuple[str, tuple, object]] = []

    @property
    def capabilities(self):
        return self._provider.capabilities  # fixed for a provider's lifetime: nothing to check

    def _ask(self, name: str, fn, *args):
        answer = fn(*args)
        call = (name, args, answer)
        if call not in self.calls:  # (a question asked again with the same answer is checked once)
            self.calls.append(call)
        return answer

    def has_database(self, *args):
        return self._ask("has_database", self._provider.has_database, *args)

    def retention_policies(self, *args):
        return self._ask("retention_policies", self._provider.retention_policies, *args)

    def resolve_rp(self, *args):
        return self._ask("resolve_rp", self._provider.resolve_rp, *args)

    def measurements(self, *args):
        return self._ask("measurements", self._provider.measurements, *args)

    def schema(self, *args):
        return self._ask("schema", self._provider.schema, *args)


class _Entry:
    __slots__ = ("stmt", "plan", "calls")

    def __init__(self, stmt, plan, calls) -> None:
        self.stmt, self.plan, self.calls = stmt, plan, calls


class _Family:
    """The plan of one member of a family, to move to the others' time ranges and bind to
    their values (:func:`~..parser.templates.bound_values`), in one rebuild."""

    __slots__ = ("plan", "calls", "time_range", "residual", "values", "verified", "rebinds", "rest_follows",
                 "read_range", "_binders", "_extra", "_kinds")

    def __init__(self, plan, calls, time_range, residual, values, rest_follows: bool = False,
                 times: tuple = ()) -> None:
        self.plan, self.calls, self.time_range, self.residual = plan, calls, time_range, residual
        self.values = values
        self.rest_follows = rest_follows  # a member's residual is this one's bound to its values (_rest_follows)
        # a member's time range, read where its time comparisons sit (``times``: range_at's)
        self.read_range = range_reader(times) if rest_follows else None
        self.verified = False  # a second member, planned in full, got the moved plan
        self.rebinds = False  # and one with other values did too: the plan binds other values
        self._extra = plan.extra_intervals * plan.interval  # (how far its scans reach past the range)
        scan = extended_range(time_range, self._extra, plan.ascending)
        self._kinds = (range_kind(time_range), range_kind(scan))  # (the checks of retimed() on this side)
        # a plan retimed() cannot move (its shape) moves by retimed() (which says so); else
        # each range's place is found once (a scan's range equal to the plan's is moved as it:
        # range kinds alike, both extend alike)
        movable = retimed(plan, time_range, time_range) is not None
        self._binders = (Binder(residual, values), Binder(plan, values, (time_range, scan) if movable else ()))

    def moved(self, time_range, values: tuple[str, ...]):
        """(residual, plan) of the member over ``time_range`` with ``values``; plan None when
        it does not move."""
        plan = self.moved_plan(time_range, values)
        return (None, None) if plan is None else (self._binders[0].bind(self.residual, values), plan)

    def moved_plan(self, time_range, values: tuple[str, ...]):
        """:meth:`moved`'s plan alone."""
        if len(values) != len(self.values):
            return None
        plan = self._binders[1]
        if plan.ranges:  # (the checks of retimed(), the nodes' found once)
            kind = range_kind(time_range)
            if kind != self._kinds[0]:
                return None
            if self._extra:  # (else the scans read the range itself: kinds alike)
                scan = extended_range(time_range, self._extra, self.plan.ascending)
                if range_kind(scan) != self._kinds[1]:
                    return None
                return plan.bind(self.plan, values, (time_range, scan))
            return plan.bind(self.plan, values, (time_range, time_range))
        return retimed(plan.bind(self.plan, values), self.time_range, time_range)


class PlanCache:
    """Plans by (statement, db, rp, dialect), checked against the provider's answers on every use."""

    def __init__(self, max_entries: int = MAX_ENTRIES) -> None:
        self.max_entries = max_entries
        self._entries: dict[tuple, _Entry | object] = {}
        self._families: dict[tuple, _Family | None] = {}  # None: the family's plans do not move
        self._lock = threading.Lock()
        self.hits = self.misses = self.moved = 0

    def plan(self, plan_select, stmt, provider, *, db, rp, now: int, dialect: Dialect = Dialect.INFLUXDB1):
        """``plan_select(stmt, provider, db=db, rp=rp, now=now, dialect=dialect)``, from the cache
        when still valid. The dialect is part of the key: it names the generated columns (a v1 and
        a v3 request of one text share the parsed statement, not the plan)."""
        if dialect is not Dialect.INFLUXDB1:
            plan_select = functools.partial(plan_select, dialect=dialect)
        key = (id(stmt), db, rp, dialect)
        entry = self._entries.get(key)
        if isinstance(entry, _Entry) and entry.stmt is stmt and self._still_valid(entry, provider):
            self.hits += 1
            return entry.plan
        self.misses += 1
        known = clock_free(stmt)
        if known is False:  # uses now(): never kept
            return plan_select(stmt, provider, db=db, rp=rp, now=now)
        if known:
            fam = family(stmt)
            fkey = (fam, db, rp, dialect) if fam is not None else None
            moved = self._moved(fkey, stmt, provider, now) if fkey is not None else None
            if moved is not None:
                self.moved += 1
                plan, calls = moved
                if not ends_at(plan, now):
                    self._put(key, _Entry(stmt, plan, calls))
                return plan
            rec = _Recorder(provider)
            plan = plan_select(stmt, rec, db=db, rp=rp, now=now)
            if not ends_at(plan, now):
                self._put(key, _Entry(stmt, plan, rec.calls))
                if fkey is not None:
                    self._learn(fkey, stmt, plan, rec.calls, now)
            return plan
        return self._plan_twice(plan_select, stmt, provider, entry, key, db=db, rp=rp, now=now)

    def _plan_twice(self, plan_select, stmt, provider, entry, key, *, db, rp, now: int):
        """A statement the AST cannot clear: kept only when planning it at another ``now``
        gives the same plan, tried from its second sighting on."""
        seen = isinstance(entry, tuple) and entry[0] is stmt
        stale = isinstance(entry, _Entry) and entry.stmt is stmt  # an answer changed: plan again
        if not (seen or stale):
            self._put(key, (stmt,))  # first sighting: remember only that it was seen
            return plan_select(stmt, provider, db=db, rp=rp, now=now)
        rec = _Recorder(provider)
        plan = plan_select(stmt, rec, db=db, rp=rp, now=now)
        if self._same(plan, lambda: plan_select(stmt, provider, db=db, rp=rp,
                                                                    now=now + _OTHER_NOW)):
            self._put(key, _Entry(stmt, plan, rec.calls))
        return plan

    def _moved(self, fkey: tuple, stmt, provider, now: int):
        """(plan, catalog answers) of ``stmt`` from its family's plan, or None."""
        fam = self._families.get(fkey)
        if fam is None or not fam.verified or not self._still_valid(fam, provider):
            return None
        values = bound_values(stmt)
        if not (fam.rebinds or values == fam.values):
            return None
        if fam.rest_follows:  # only the time range is the member's own: no residual to build and compare
            time_range = _range(stmt, now, fam.read_range)
            plan = fam.moved_plan(time_range, values) if time_range is not None else None
            return (plan, fam.calls) if plan is not None else None
        split = _split(stmt, now)
        if split is None:
            return None
        residual, plan = fam.moved(split[0], values)
        return (plan, fam.calls) if plan is not None and split[1] == residual else None

    def _learn(self, fkey: tuple, stmt, plan, calls, now: int) -> None:
        """A member planned in full: the family's first, or one that checks the first's
        plan moves (then the family's plans move from now on, or never): the first one
        after it, and the first one with other bound values."""
        split = _split(stmt, now)
        values = bound_values(stmt)
        fam = self._families.get(fkey, _UNSEEN)  # (one get: another thread may evict it meanwhile)
        if fam is _UNSEEN or split is None:
            self._put_family(fkey, _Family(plan, calls, *split, values, *_follows(stmt))
                             if split is not None else None)
            return
        if fam is None or (fam.verified and (fam.rebinds or values == fam.values)):
            if fam is not None and fam.calls != calls:  # planned again after a catalog change
                self._put_family(fkey, _Family(plan, calls, *split, values, *_follows(stmt)))
            return
        residual, moved = fam.moved(split[0], values)
        if fam.calls == calls and split[1] == residual and moved == plan:
            fam.verified = True
            fam.rebinds = fam.rebinds or values != fam.values
        else:
            self._put_family(fkey, None)

    def _put_family(self, fkey: tuple, value) -> None:
        with self._lock:
            if len(self._families) >= self.max_entries and fkey not in self._families:
                self._families.pop(next(iter(self._families)))
            self._families[fkey] = value

    @staticmethod
    def _still_valid(entry: _Entry | _Family, provider) -> bool:
        for name, args, answer in entry.calls:
            try:
                if getattr(provider, name)(*args) != answer:  # (name: a _Recorder method's, the provider's)
                    return False
            except Exception:  # noqa: BLE001 - the question fails now: plan afresh (and raise there)
                return False
        return True

    @staticmethod
    def _same(plan, replan) -> bool:
        try:
            return bool(plan == replan())
        except Exception:  # noqa: BLE001 - another now fails, or plans do not compare: not cached
            return False

    def _put(self, key, value) -> None:
        with self._lock:
            if len(self._entries) >= self.max_entries and key not in self._entries:
                self._entries.pop(next(iter(self._entries)))  # the oldest
            self._entries[key] = value


def _range(stmt, now: int, read_range):
    """``_split(stmt, now)[0]`` without the rest of the condition (``read_range``: its
    family's), or None."""
    try:
        return read_range(stmt.condition, now, stmt.location)
    except Exception:  # noqa: BLE001 - the planner raises it, in its own words
        return None


def _follows(stmt) -> tuple[bool, tuple]:
    """(:func:`_rest_follows`, its time comparisons) of a family's first member."""
    follows = _rest_follows(stmt)
    return follows, (time_sites(stmt.condition) if follows else ())


def _rest_follows(stmt) -> bool:
    """Whether every member of ``stmt``'s family splits its WHERE into its own time range and
    ``stmt``'s rest with the member's bound values: each literal cut from the text that sits
    in WHERE is read as a time (an operand of a time comparison) or is a bound value (members
    share the others: the family key holds them; a time string elsewhere answers False)."""
    sites = literal_sites(stmt)
    if sites is None or stmt.condition is None:
        return False
    times = [("condition", *p) for p in time_operands(stmt.condition)]
    bound = set(bound_values(stmt))
    for path, value in zip(*sites):
        if path[0] != "condition" or value in bound or any(path[:len(t)] == t for t in times):
            continue
        return False
    return True


def _split(stmt, now: int):
    """(time range, rest of the condition) of ``stmt``'s WHERE; None when it does not split
    (planning words the error)."""
    try:
        return split_where(stmt.condition, now, stmt.location)
    except Exception:  # noqa: BLE001 - the planner raises it, in its own words
        return None
