"""What each InfluxQL statement needs: (action, database) pairs.

SELECT and SHOW need ``read`` on the database they read (the statement's own
``db.rp.m`` / ``ON db``, else the request's ``db``); SELECT ... INTO needs
``write`` on the target too. Statements that change things (CREATE/DROP/ALTER,
DELETE, DROP SERIES/MEASUREMENT) need ``write`` on the database concerned.
Server-wide statements (users, grants, shards, queries, stats) need the
permission on ``*``. SHOW DATABASES needs nothing: its answer is filtered to
the databases the token may read (:func:`filter_show_databases`).

Statements are matched by class name so this module depends only on the
shape of the AST (``tsdb_core/influxql``), not on its import layout.
"""
from __future__ import annotations

from typing import Iterable

from tsdb_core.tokens import ALL_DATABASES

Need = tuple[str, "str | None"]

_SERVER_READ = {"ShowQueriesStatement", "ShowStatsStatement", "ShowDiagnosticsStatement",
                "ShowUsersStatement", "ShowGrantsForUserStatement", "ShowShardsStatement",
                "ShowShardGroupsStatement", "ShowSubscriptionsStatement",
                "ShowContinuousQueriesStatement"}
_SERVER_WRITE = {"CreateUserStatement", "DropUserStatement", "SetPasswordUserStatement",
                 "GrantStatement", "GrantAdminStatement", "RevokeStatement",
                 "RevokeAdminStatement", "KillQueryStatement", "DropShardStatement"}
_WRITE_NAMED = {"CreateDatabaseStatement", "DropDatabaseStatement"}  # .name is the database
_WRITE_DB = {"CreateRetentionPolicyStatement", "AlterRetentionPolicyStatement",
             "DropRetentionPolicyStatement", "CreateContinuousQueryStatement",
             "DropContinuousQueryStatement", "CreateSubscriptionStatement",
             "DropSubscriptionStatement"}  # .database
_WRITE_SOURCES = {"DeleteSeriesStatement", "DropSeriesStatement", "DeleteStatement"}


def _source_dbs(sources, default: str | None) -> Iterable[str | None]:
    for src in sources or ():
        inner = getattr(src, "statement", None)
        if inner is not None:  # a subquery
            yield from _select_reads(inner, default)
        else:
            yield getattr(src, "database", None) or default


def _select_reads(stmt, default: str | None) -> Iterable[str | None]:
    dbs = list(_source_dbs(getattr(stmt, "sources", ()), default))
    return dbs or [default]


def needs(stmt, default_db: str | None) -> list[Need]:
    """The permissions one statement needs; ``None`` database = "some database"."""
    name = type(stmt).__name__
    if name == "ExplainStatement":
        return needs(stmt.statement, default_db)
    if name == "SelectStatement":
        out: list[Need] = [("read", db) for db in _select_reads(stmt, default_db)]
        into = getattr(stmt, "into", None)
        if into is not None:
            m = getattr(into, "measurement", into)
            out.append(("write", getattr(m, "database", None) or default_db))
        return out
    if name == "ShowDatabasesStatement":
        return []
    if name in _SERVER_READ:
        return [("read", ALL_DATABASES)]
    if name in _SERVER_WRITE:
        return [("write", ALL_DATABASES)]
    if name in _WRITE_NAMED:
        return [("write", stmt.name)]
    if name in _WRITE_DB:
        return [("write", getattr(stmt, "database", None) or default_db)]
    if name == "DropMeasurementStatement":
        return [("write", default_db)]
    if name in _WRITE_SOURCES:
        dbs = list(_source_dbs(getattr(stmt, "sources", ()), default_db)) or [default_db]
        return [("write", db) for db in dbs]
    if name.startswith("Show"):
        db = getattr(stmt, "database", None) or default_db
        out = [("read", db)]
        for src_db in _source_dbs(getattr(stmt, "sources", ()) or (), db):
            out.append(("read", src_db))
        return out
    return [("write", ALL_DATABASES)]  # anything unknown: only an all-databases token


def statements_of(parsed) -> list:
    """The statement list of whatever ``tsdb_core.influxql.parse`` returns."""
    if isinstance(parsed, (list, tuple)):
        return list(parsed)
    return list(getattr(parsed, "statements", [parsed]))


def filter_show_databases(statements, results, principal) -> None:
    """Drop from SHOW DATABASES answers the databases the caller may not read (in place)."""
    if principal.all_databases:
        return
    for stmt, res in zip(statements, results):
        if type(stmt).__name__ != "ShowDatabasesStatement":
            continue
        for s in res.series:
            s.values = [row for row in s.values if row and principal.readable(row[0])]
