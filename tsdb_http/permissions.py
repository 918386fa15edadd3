"""What each InfluxQL statement needs: (action, database) pairs.

SELECT and SHOW need ``read`` on the database they read (the statement's own
``db.rp.m`` / ``ON db``, else the request's ``db``); SELECT ... INTO needs
``write`` on the target too. Statements that change the schema or remove data
(CREATE/ALTER/DROP, DELETE, DROP SERIES/MEASUREMENT) need ``manage`` on the
database they concern: a ``write`` token writes points only. Server-wide
statements (users, grants, shards, queries, stats) need the permission on
``*``. SHOW DATABASES needs nothing: its answer is filtered to the databases
the token may read (:func:`filter_show_databases`).

A need's database is None when the statement names none and the request has
no ``db``: only a permission on ``*`` covers it (the core then answers
"database name required" as influxd does); any other token is refused before
anything runs (:meth:`tsdb_http.auth.Principal.require`).

Statements are matched by class name so this module depends only on the
shape of the AST (``tsdb_core/influxql``), not on its import layout.
"""
from __future__ import annotations

import re
from typing import Iterable

from tsdb_http.tokens import ALL_DATABASES

Need = tuple[str, "str | None"]

_SERVER_READ = {"ShowQueriesStatement", "ShowStatsStatement", "ShowDiagnosticsStatement",
                "ShowUsersStatement", "ShowGrantsForUserStatement", "ShowShardsStatement",
                "ShowShardGroupsStatement", "ShowSubscriptionsStatement",
                "ShowContinuousQueriesStatement"}
_SERVER_MANAGE = {"CreateUserStatement", "DropUserStatement", "SetPasswordUserStatement",
                  "GrantStatement", "GrantAdminStatement", "RevokeStatement",
                  "RevokeAdminStatement", "KillQueryStatement", "DropShardStatement"}
_MANAGE_NAMED = {"CreateDatabaseStatement", "DropDatabaseStatement"}  # .name is the database
_MANAGE_DB = {"CreateRetentionPolicyStatement", "AlterRetentionPolicyStatement",
              "DropRetentionPolicyStatement", "CreateContinuousQueryStatement",
              "DropContinuousQueryStatement", "CreateSubscriptionStatement",
              "DropSubscriptionStatement"}  # .database
_MANAGE_SOURCES = {"DeleteSeriesStatement", "DropSeriesStatement", "DeleteStatement"}
_WORDS = {"DeleteSeriesStatement": "DELETE"}  # what the user typed (the parser's name differs)


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
    """The permissions one statement needs; a None database: the statement names none."""
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
    if name in _SERVER_MANAGE:
        return [("manage", ALL_DATABASES)]
    if name in _MANAGE_NAMED:
        return [("manage", stmt.name)]
    if name in _MANAGE_DB:
        return [("manage", getattr(stmt, "database", None) or default_db)]
    if name == "DropMeasurementStatement":
        return [("manage", default_db)]
    if name in _MANAGE_SOURCES:
        dbs = list(_source_dbs(getattr(stmt, "sources", ()), default_db)) or [default_db]
        return [("manage", db) for db in dbs]
    if name.startswith("Show"):
        db = getattr(stmt, "database", None) or default_db
        out = [("read", db)]
        for src_db in _source_dbs(getattr(stmt, "sources", ()) or (), db):
            out.append(("read", src_db))
        return out
    return [("manage", ALL_DATABASES)]  # anything unknown: only a token that may manage every database


def statement_words(stmt) -> str:
    """The statement's kind as InfluxQL words (``DropMeasurementStatement`` → ``DROP MEASUREMENT``)."""
    name = type(stmt).__name__
    if name in _WORDS:
        return _WORDS[name]
    return " ".join(re.findall(r"[A-Z][a-z]*", name.removesuffix("Statement"))).upper() or name


def statements_of(parsed) -> list:
    """The statement list of whatever ``tsdb_core.influxql.parser.driver`` returns."""
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
