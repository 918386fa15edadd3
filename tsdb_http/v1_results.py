"""How InfluxDB 1.x's /query shapes statement results beyond what the core computes
(``--compat influxdb1`` only; the cloud dialect's answers do not pass through here).

- Statements that change things, sent with GET, run and carry 1.x's warning
  (``deprecated use of '...' in a read only context, please use a POST request instead``),
  the statement printed as 1.x prints it after naming every measurement of a
  ``SELECT ... INTO`` with its database and retention policy.
- After a failed statement 1.x answers nothing for the statements after it: its
  executor sends ``not executed`` under the *failed* statement's id, once per
  remaining statement. Chunked, each is a document of its own; not chunked, they
  replace the failed statement's result (1.6.7 merges results of one id, the last
  error winning), so the failure reads ``not executed`` whenever statements followed.
"""
from __future__ import annotations

import dataclasses

from tsdb_core import StatementResult, influxd_string

NOT_EXECUTED = "not executed"

# Statement types whose GET use 1.x warns about (coordinator/statement_executor.go), SELECT
# only with INTO; DELETE, KILL QUERY and the SHOW statements run without a word.
WARNED = frozenset({
    "AlterRetentionPolicyStatement", "CreateContinuousQueryStatement", "CreateDatabaseStatement",
    "CreateRetentionPolicyStatement", "CreateSubscriptionStatement", "CreateUserStatement",
    "DropContinuousQueryStatement", "DropDatabaseStatement", "DropMeasurementStatement",
    "DropSeriesStatement", "DropRetentionPolicyStatement", "DropShardStatement",
    "DropSubscriptionStatement", "DropUserStatement", "GrantStatement", "GrantAdminStatement",
    "RevokeStatement", "RevokeAdminStatement", "SetPasswordUserStatement"})


def warned(stmt) -> bool:
    name = type(stmt).__name__
    return name in WARNED or (name == "SelectStatement" and stmt.into is not None)


def get_warnings(statements, store, db: str) -> dict[int, str]:
    """1.x's GET warning of each statement that changes something, by statement index; worked
    out before the statements run (a database they drop must still name its policy)."""
    return {i: (f"deprecated use of '{_printed(stmt, store, db)}' in a read only context, "
                "please use a POST request instead")
            for i, stmt in enumerate(statements) if warned(stmt)}


def add_warnings(results: list[StatementResult], warnings: dict[int, str]) -> None:
    """Attach the warnings to the statements that ran without failing."""
    for i, res in enumerate(results):
        if i in warnings and res.error is None:
            res.messages = [*res.messages, {"level": "warning", "text": warnings[i]}]


def _printed(stmt, store, db: str) -> str:
    name = type(stmt).__name__
    if name == "SelectStatement":  # (floats with three decimals, TZ('...'): as 1.x prints it)
        return influxd_string(_qualified(stmt, store, db))
    if name == "CreateDatabaseStatement" and stmt.rp_create:
        return _create_database_text(stmt)
    return str(stmt)


def _qualified(stmt, store, db: str):
    """``stmt`` with every measurement named ``db.rp.name`` (1.x's NormalizeStatement)."""
    def measurement(m):
        mdb = m.database or db
        return dataclasses.replace(m, database=mdb, retention_policy=m.retention_policy or _default_rp(store, mdb))

    def source(s):
        inner = getattr(s, "statement", None)
        return dataclasses.replace(s, statement=_qualified(inner, store, db)) if inner is not None else measurement(s)

    into = stmt.into
    if into is not None:
        into = dataclasses.replace(into, measurement=measurement(into.measurement))
    return dataclasses.replace(stmt, sources=tuple(source(s) for s in stmt.sources), into=into)


def _default_rp(store, db: str) -> str:
    """The database's default policy; a database the request creates first has autogen."""
    try:
        return next((p.name for p in store.retention_policies(db) if p.default), "autogen")
    except Exception:  # noqa: BLE001 - no such database (yet)
        return "autogen"


def _create_database_text(stmt) -> str:
    """1.x prints CREATE DATABASE's durations with Go's Duration.String (``24h0m0s``)."""
    out = str(dataclasses.replace(stmt, rp_create=False))
    out += " WITH"
    if stmt.rp_duration is not None:
        out += " DURATION " + go_duration(stmt.rp_duration)
    if stmt.rp_replication is not None:
        out += f" REPLICATION {stmt.rp_replication}"
    if stmt.rp_shard_group_duration:
        out += " SHARD DURATION " + go_duration(stmt.rp_shard_group_duration)
    if stmt.rp_name:
        out += " NAME " + str(stmt).rsplit(" NAME ", 1)[1]
    return out


def go_duration(ns: int) -> str:
    """Go's ``time.Duration.String`` for whole nanoseconds (``1h30m0s``, ``1.5s``, ``250ms``)."""
    if ns == 0:
        return "0s"
    sign, ns = ("-", -ns) if ns < 0 else ("", ns)
    if ns < 1_000_000_000:
        for unit, size in (("ms", 1_000_000), ("µs", 1_000), ("ns", 1)):
            if ns >= size:
                return sign + _decimal(ns, size) + unit
    h, rest = divmod(ns, 3_600_000_000_000)
    m, rest = divmod(rest, 60_000_000_000)
    s = _decimal(rest, 1_000_000_000) + "s"
    if h:
        return f"{sign}{h}h{m}m{s}"
    return f"{sign}{m}m{s}" if m else sign + s


def _decimal(n: int, unit: int) -> str:
    whole, frac = divmod(n, unit)
    if not frac:
        return str(whole)
    digits = str(frac).rjust(len(str(unit)) - 1, "0").rstrip("0")
    return f"{whole}.{digits}"


def after_failure(results: list[StatementResult], chunked: bool) -> list[StatementResult]:
    """1.x's results once a statement failed (see the module docstring)."""
    failed = next((i for i, r in enumerate(results) if r.error is not None), None)
    if failed is None or failed == len(results) - 1:
        return results
    rest = len(results) - 1 - failed
    if not chunked:
        return [*results[:failed], StatementResult(results[failed].statement_id, error=NOT_EXECUTED)]
    sid = results[failed].statement_id
    return [*results[:failed + 1], *(StatementResult(sid, error=NOT_EXECUTED) for _ in range(rest))]
