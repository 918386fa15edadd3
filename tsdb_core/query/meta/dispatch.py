"""Every non-SELECT InfluxQL statement, executed against a :class:`DataProvider`.

Entry point::

    execute_meta(provider, stmt, *, db, rp, now, statement_id=0, epoch=None) -> StatementResult

* ``provider``: the store's :class:`~tsdb_core.query.provider.DataProvider`.
* ``stmt``: a statement node of :mod:`tsdb_core.influxql.ast.meta` (SHOW ...,
  CREATE/ALTER/DROP ..., users, grants, KILL) or ``DeleteSeriesStatement`` /
  ``DropSeriesStatement`` / ``CreateContinuousQueryStatement``. SELECT and
  EXPLAIN belong to the SELECT engine.
* ``db``/``rp``: the request's database and retention policy (``ON db`` wins).
* ``now``: ns, for ``now()`` in DELETE time conditions.

Returns InfluxDB 1.6.7's answer for the same state (series names, columns,
ordering, value types, error words); user errors come back as
``StatementResult(error=...)``, never raised. Handlers live in
:mod:`.metadata_show` (SHOW) and :mod:`.metadata_ddl` (statements that change
things, users, grants, KILL); this module dispatches on the statement class.

Deliberate differences (the store is embedded, tokens replace users): there are
no users, shards, continuous queries or subscriptions, so SHOW answers as
influxd does when it has none, DROP/KILL answer influxd's "not found" words,
and CREATE USER / CREATE CONTINUOUS QUERY / CREATE SUBSCRIPTION return a clear
"not supported" error.
"""
from __future__ import annotations

from ...base.errors import TsdbError
from ..results import StatementResult

_HANDLERS: dict[type, object] = {}


def handles(*classes):
    """Register a handler ``fn(provider, stmt, ctx) -> list[Series] | None`` for statement classes."""
    def deco(fn):
        for c in classes:
            _HANDLERS[c] = fn
        return fn
    return deco


class MetaContext:
    """What a handler needs besides the statement: request db/rp and the clock."""

    __slots__ = ("db", "rp", "now", "epoch", "statement_id")

    def __init__(self, db, rp, now, epoch=None, statement_id=0):
        self.db = db or ""
        self.rp = rp
        self.now = now
        self.epoch = epoch
        self.statement_id = statement_id


_HANDLERS_LOADED = False


def _load_handlers() -> None:
    """Import the handler modules once (an import statement costs ~3 µs a query even when done)."""
    global _HANDLERS_LOADED
    from . import ddl as metadata_ddl, show as metadata_show  # noqa: F401

    _HANDLERS_LOADED = True


def execute_meta(provider, stmt, *, db=None, rp=None, now: int = 0, statement_id: int = 0,
                 epoch: str | None = None) -> StatementResult:
    """Run one non-SELECT statement; see the module docstring."""
    if not _HANDLERS_LOADED:
        _load_handlers()
    handler = None
    for cls in type(stmt).__mro__:
        handler = _HANDLERS.get(cls)
        if handler is not None:
            break
    if handler is None:
        return StatementResult(statement_id, error=f"unsupported statement: {stmt}")
    ctx = MetaContext(db, rp, now, epoch, statement_id)
    try:
        series = handler(provider, stmt, ctx) or []
    except TsdbError as e:
        return StatementResult(statement_id, error=str(e))
    return StatementResult(statement_id, series=series)
