"""Statements that change things: databases, retention policies, DROP/DELETE, and the rest.

Validation and InfluxDB's words live here (the retention-policy rules in
``base/retention.py``); the provider only stores.
"""
from __future__ import annotations

from ...base.errors import DatabaseNotFound, QueryError, RetentionPolicyNotFound
from ...base.retention import (DEFAULT_RP, check_duration, check_name, check_replication, check_shard, normalise_rp,
                               normalised_shard_duration)
from ...base.time import MAX_TIME, MIN_TIME
from ..analyze.time_range import split_where
from .show import _schema, source_measurements, tag_keys
from .where import refs, tag_predicate


def _rp(provider, db, name):
    for p in provider.retention_policies(db):
        if p.name == name:
            return p
    return None


def create_database(provider, stmt, ctx):
    check_name(stmt.name)
    if stmt.rp_name:
        check_name(stmt.rp_name)
    if not stmt.rp_create:
        if not provider.has_database(stmt.name):
            provider.create_database(stmt.name)
        return None
    duration, sgd = normalise_rp(stmt.rp_duration, stmt.rp_shard_group_duration)
    replication = stmt.rp_replication if stmt.rp_replication is not None else 1
    check_replication(replication)
    rp_name = stmt.rp_name or DEFAULT_RP
    if provider.has_database(stmt.name):
        cur = _rp(provider, stmt.name, rp_name)
        if cur is None or (cur.duration, cur.shard_group_duration, cur.replication) != (duration, sgd, replication):
            raise QueryError("retention policy conflicts with an existing policy")
        return None
    provider.create_database(stmt.name, duration=duration, shard_duration=sgd,
                             replication=replication, rp_name=rp_name)
    return None


def drop_database(provider, stmt, ctx):
    if provider.has_database(stmt.name):
        provider.drop_database(stmt.name)
    return None


def create_retention_policy(provider, stmt, ctx):
    check_name(stmt.name)
    if not provider.has_database(stmt.database):
        raise DatabaseNotFound(stmt.database)
    duration, sgd = normalise_rp(stmt.duration, stmt.shard_group_duration)
    check_replication(stmt.replication)
    cur = _rp(provider, stmt.database, stmt.name)
    if cur is not None:
        if (cur.duration, cur.shard_group_duration, cur.replication) != (duration, sgd, stmt.replication):
            raise QueryError("retention policy already exists")
        if stmt.default and not cur.default:
            provider.alter_retention_policy(stmt.database, stmt.name, default=True)
        return None
    provider.create_retention_policy(stmt.database, stmt.name, duration=duration, shard_duration=sgd,
                                     replication=stmt.replication, default=stmt.default)
    return None


def alter_retention_policy(provider, stmt, ctx):
    if not provider.has_database(stmt.database):
        raise DatabaseNotFound(stmt.database)
    cur = _rp(provider, stmt.database, stmt.name)
    if cur is None:
        raise RetentionPolicyNotFound(stmt.name, stmt.database)
    duration = cur.duration if stmt.duration is None else stmt.duration
    check_duration(duration)
    sgd = cur.shard_group_duration
    if stmt.shard_group_duration is not None:
        sgd = normalised_shard_duration(stmt.shard_group_duration, duration)
    check_shard(duration, sgd)
    check_replication(stmt.replication)
    provider.alter_retention_policy(
        stmt.database, stmt.name,
        duration=None if stmt.duration is None else duration,
        shard_duration=None if stmt.shard_group_duration is None else sgd,
        replication=stmt.replication, default=True if stmt.default else None)
    return None


def drop_retention_policy(provider, stmt, ctx):
    if provider.has_database(stmt.database) and _rp(provider, stmt.database, stmt.name) is not None:
        provider.drop_retention_policy(stmt.database, stmt.name)
    return None


def _write_db(provider, ctx) -> str:
    db = ctx.db
    if not db or not provider.has_database(db):
        raise DatabaseNotFound(db)
    return db


def drop_measurement(provider, stmt, ctx):
    db = _write_db(provider, ctx)
    if stmt.name in provider.measurements(db):
        provider.drop_measurement(db, stmt.name)
    return None


def _delete(provider, db, sources, cond, now, *, allow_time: bool):
    start, end = MIN_TIME, MAX_TIME
    if cond is not None and "time" in refs(cond):
        if not allow_time:
            raise QueryError("DROP SERIES doesn't support time in WHERE clause")
        tr, cond = split_where(cond, now)
        start, end = tr.start, tr.end
    for m in source_measurements(provider, db, sources):
        pred = None
        if cond is not None:
            _, fields = _schema(provider, db, m)
            pred = tag_predicate(cond, tag_keys(provider, db, m), fields=tuple(fields), what="delete")
        provider.delete(db, m, start, end, pred)


def drop_series(provider, stmt, ctx):
    db = _write_db(provider, ctx)
    _delete(provider, db, stmt.sources, stmt.condition, ctx.now, allow_time=False)
    return None


def delete_series(provider, stmt, ctx):
    db = _write_db(provider, ctx)
    _delete(provider, db, stmt.sources, stmt.condition, ctx.now, allow_time=True)
    return None


# -- things an embedded store does not have ---------------------------------------------

def drop_shard(provider, stmt, ctx):
    return None  # influxd answers success for an unknown shard id


def create_continuous_query(provider, stmt, ctx):
    raise QueryError("continuous queries are not supported by this store: run the SELECT ... INTO "
                     "on a schedule instead")


def drop_continuous_query(provider, stmt, ctx):
    return None  # influxd answers success for an unknown continuous query


def create_subscription(provider, stmt, ctx):
    raise QueryError("subscriptions are not supported by this store")


def drop_subscription(provider, stmt, ctx):
    raise QueryError("subscription not found")


def create_user(provider, stmt, ctx):
    raise QueryError("users are not supported: this store authenticates with API tokens "
                     "(see the token commands), not InfluxDB 1.x users")


def user_not_found(provider, stmt, ctx):
    raise QueryError("user not found")


def kill_query(provider, stmt, ctx):
    raise QueryError(f"no such query id: {stmt.query_id}")
