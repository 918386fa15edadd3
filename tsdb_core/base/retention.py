"""Retention-policy rules of InfluxDB 1.x's meta store, with its words (one copy for DDL and catalog).

A duration is INF (0) or at least 1h; the shard group duration defaults from the
duration (< 2d: 1h, < 180d: 1d, else or INF: 7d), is raised to 1h when smaller,
and must not exceed the duration; the replication factor is at least 1.
"""
from __future__ import annotations

from .errors import QueryError
from .time import D, H

MIN_RP_DURATION = H
DEFAULT_RP = "autogen"


def default_shard_group_duration(duration: int) -> int:
    """InfluxDB 1.x's shardGroupDuration: 0 or >= 6 months → 7d, >= 2d → 1d, else 1h."""
    if duration == 0 or duration >= 180 * D:
        return 7 * D
    if duration >= 2 * D:
        return D
    return H


def normalised_shard_duration(shard: int, duration: int) -> int:
    """InfluxDB's normalisedShardDuration: 0 → the default, below 1h → 1h."""
    if shard <= 0:
        return default_shard_group_duration(duration)
    return max(shard, MIN_RP_DURATION)


def check_duration(duration: int) -> None:
    if duration < 0 or 0 < duration < MIN_RP_DURATION:
        raise QueryError("retention policy duration must be at least 1h0m0s")


def check_shard(duration: int, shard: int) -> None:
    if duration and duration < shard:
        raise QueryError("retention policy duration must be greater than the shard duration")


def check_replication(replication: int | None) -> None:
    if replication is not None and replication < 1:
        raise QueryError("replication factor must be greater than 0")


def normalise_rp(duration: int | None, shard: int | None) -> tuple[int, int]:
    """(duration, shard duration) after influxd's defaults and checks."""
    duration = duration or 0
    check_duration(duration)
    sgd = normalised_shard_duration(shard or 0, duration)
    check_shard(duration, sgd)
    return duration, sgd


def check_name(name: str) -> None:
    """The meta store's rule for database and policy names (influxd's ``meta.ValidName``):
    printable, not empty, not ``.`` or ``..``, no ``/`` or ``\\``."""
    if not name or name in (".", "..") or "/" in name or "\\" in name or not name.isprintable():
        raise QueryError("invalid name")
