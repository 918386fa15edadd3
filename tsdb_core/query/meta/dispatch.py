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
``StatementResult(error=...)``, never raised. Handlers live in :mod:`.show`
(SHOW) and :mod:`.ddl` (statements that change things, users, grants, KILL);
:data:`HANDLERS` below maps each statement class to its handler.

Deliberate differences (the store is embedded, tokens replace users): there are
no users, shards, continuous queries or subscriptions, so SHOW answers as
influxd does when it has none, DROP/KILL answer influxd's "not found" words,
and CREATE USER / CREATE CONTINUOUS QUERY / CREATE SUBSCRIPTION return a clear
"not supported" error.
"""
from __future__ import annotations

from ...base.errors import TsdbError
from ...influxql.ast import meta as M
from ...influxql.ast import select as S
from ..results import StatementResult
from . import ddl, show


class MetaContext:
    """What a handler needs besides the statement: request db/rp and the clock."""

    __slots__ = ("db", "rp", "now", "epoch", "statement_id")

    def __init__(self, db, rp, now, epoch=None, statement_id=0):
        self.db = db or ""
        self.rp = rp
        self.now = now
        self.epoch = epoch
        self.statement_id = statement_id


# Statement class -> handler ``fn(provider, stmt, ctx) -> list[Series] | None``.
HANDLERS = {
    M.ShowDatabasesStatement: show.show_databases,
    M.ShowMeasurementsStatement: show.show_measurements,
    M.ShowSeriesStatement: show.show_series,
    M.ShowTagKeysStatement: show.show_tag_keys,
    M.ShowTagValuesStatement: show.show_tag_values,
    M.ShowFieldKeysStatement: show.show_field_keys,
    M.ShowSeriesCardinalityStatement: show.show_series_cardinality,
    M.ShowMeasurementCardinalityStatement: show.show_measurement_cardinality,
    M.ShowTagKeyCardinalityStatement: show.show_tag_key_cardinality,
    M.ShowFieldKeyCardinalityStatement: show.show_field_key_cardinality,
    M.ShowTagValuesCardinalityStatement: show.show_tag_values_cardinality,
    M.ShowRetentionPoliciesStatement: show.show_retention_policies,
    M.ShowQueriesStatement: show.show_queries,
    M.ShowStatsStatement: show.show_stats,
    M.ShowDiagnosticsStatement: show.show_diagnostics,
    M.ShowUsersStatement: show.show_users,
    M.ShowGrantsForUserStatement: show.show_grants,
    M.ShowShardsStatement: show.show_shards,
    M.ShowShardGroupsStatement: show.show_shard_groups,
    M.ShowContinuousQueriesStatement: show.show_continuous_queries,
    M.ShowSubscriptionsStatement: show.show_subscriptions,
    M.CreateDatabaseStatement: ddl.create_database,
    M.DropDatabaseStatement: ddl.drop_database,
    M.CreateRetentionPolicyStatement: ddl.create_retention_policy,
    M.AlterRetentionPolicyStatement: ddl.alter_retention_policy,
    M.DropRetentionPolicyStatement: ddl.drop_retention_policy,
    M.DropMeasurementStatement: ddl.drop_measurement,
    S.DropSeriesStatement: ddl.drop_series,
    S.DeleteSeriesStatement: ddl.delete_series,
    M.DropShardStatement: ddl.drop_shard,
    S.CreateContinuousQueryStatement: ddl.create_continuous_query,
    M.DropContinuousQueryStatement: ddl.drop_continuous_query,
    M.CreateSubscriptionStatement: ddl.create_subscription,
    M.DropSubscriptionStatement: ddl.drop_subscription,
    M.CreateUserStatement: ddl.create_user,
    M.DropUserStatement: ddl.user_not_found,
    M.SetPasswordUserStatement: ddl.user_not_found,
    M.GrantStatement: ddl.user_not_found,
    M.GrantAdminStatement: ddl.user_not_found,
    M.RevokeStatement: ddl.user_not_found,
    M.RevokeAdminStatement: ddl.user_not_found,
    M.KillQueryStatement: ddl.kill_query,
}


def execute_meta(provider, stmt, *, db=None, rp=None, now: int = 0, statement_id: int = 0,
                 epoch: str | None = None) -> StatementResult:
    """Run one non-SELECT statement; see the module docstring."""
    handler = HANDLERS.get(type(stmt))
    if handler is None:
        return StatementResult(statement_id, error=f"unsupported statement: {stmt}")
    ctx = MetaContext(db, rp, now, epoch, statement_id)
    try:
        series = handler(provider, stmt, ctx) or []
    except TsdbError as e:
        return StatementResult(statement_id, error=str(e))
    return StatementResult(statement_id, series=series)
