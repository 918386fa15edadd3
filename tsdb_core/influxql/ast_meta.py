"""Meta statements: SHOW ..., CREATE/DROP/ALTER ..., users and privileges, KILL.

Optional clause values are None (or ``()``/0 for lists and limits) when not
written, so the printer reproduces exactly what was parsed.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Union

from .ast_expr import (Dimension, Expr, ListLiteral, Measurement, RegexLiteral, Source,
                       SortField, StringLiteral, join)
from .ast_select import Statement
from .lexing import format_duration, quote_ident, quote_string


def _on(database: Optional[str]) -> str:
    return f" ON {quote_ident(database)}" if database is not None else ""


def _from(sources: tuple) -> str:
    return f" FROM {join(sources)}" if sources else ""


def _where(cond: Optional[Expr]) -> str:
    return f" WHERE {cond}" if cond is not None else ""


def _group_by(dims: tuple) -> str:
    return f" GROUP BY {join(dims)}" if dims else ""


def _order(order_by: tuple) -> str:
    return f" ORDER BY {join(order_by)}" if order_by else ""


def _limits(*pairs) -> str:
    return "".join(f" {kw} {v}" for kw, v in pairs if v)


# --- SHOW -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ShowDatabasesStatement(Statement):
    """``SHOW DATABASES``."""

    def __str__(self) -> str:
        return "SHOW DATABASES"


@dataclass(frozen=True, slots=True)
class ShowMeasurementsStatement(Statement):
    """``SHOW MEASUREMENTS [ON db] [WITH MEASUREMENT =|=~ m] [WHERE] [ORDER BY] [LIMIT] [OFFSET]``.

    ``source`` is a :class:`Measurement` (name for ``=``, regex for ``=~``).
    """

    database: Optional[str] = None
    source: Optional[Measurement] = None
    condition: Optional[Expr] = None
    order_by: tuple[SortField, ...] = ()
    limit: int = 0
    offset: int = 0

    def __str__(self) -> str:
        out = "SHOW MEASUREMENTS" + _on(self.database)
        if self.source is not None:
            op = "=~" if self.source.regex is not None else "="
            out += f" WITH MEASUREMENT {op} {self.source}"
        return (out + _where(self.condition) + _order(self.order_by)
                + _limits(("LIMIT", self.limit), ("OFFSET", self.offset)))


@dataclass(frozen=True, slots=True)
class ShowSeriesStatement(Statement):
    """``SHOW SERIES [ON db] [FROM] [WHERE] [ORDER BY] [LIMIT] [OFFSET]``."""

    database: Optional[str] = None
    sources: tuple[Source, ...] = ()
    condition: Optional[Expr] = None
    order_by: tuple[SortField, ...] = ()
    limit: int = 0
    offset: int = 0

    def __str__(self) -> str:
        return ("SHOW SERIES" + _on(self.database) + _from(self.sources) + _where(self.condition)
                + _order(self.order_by) + _limits(("LIMIT", self.limit), ("OFFSET", self.offset)))


@dataclass(frozen=True, slots=True)
class ShowTagKeysStatement(Statement):
    """``SHOW TAG KEYS [ON db] [FROM] [WHERE] [ORDER BY] [LIMIT] [OFFSET] [SLIMIT] [SOFFSET]``."""

    database: Optional[str] = None
    sources: tuple[Source, ...] = ()
    condition: Optional[Expr] = None
    order_by: tuple[SortField, ...] = ()
    limit: int = 0
    offset: int = 0
    slimit: int = 0
    soffset: int = 0

    def __str__(self) -> str:
        return ("SHOW TAG KEYS" + _on(self.database) + _from(self.sources) + _where(self.condition)
                + _order(self.order_by)
                + _limits(("LIMIT", self.limit), ("OFFSET", self.offset),
                          ("SLIMIT", self.slimit), ("SOFFSET", self.soffset)))


TagKeyExpr = Union[StringLiteral, RegexLiteral, ListLiteral]


def _with_key(op: str, expr: TagKeyExpr) -> str:
    key = quote_ident(expr.val) if isinstance(expr, StringLiteral) else str(expr)
    return f" WITH KEY {op} {key}"


@dataclass(frozen=True, slots=True)
class ShowTagValuesStatement(Statement):
    """``SHOW TAG VALUES [ON db] [FROM] WITH KEY op expr [WHERE] [ORDER BY] [LIMIT] [OFFSET]``.

    ``op`` is ``'='``, ``'!='``, ``'=~'``, ``'!~'`` or ``'IN'``; ``tag_key_expr``
    a :class:`StringLiteral` (key name), :class:`RegexLiteral` or :class:`ListLiteral`.
    """

    op: str
    tag_key_expr: TagKeyExpr
    database: Optional[str] = None
    sources: tuple[Source, ...] = ()
    condition: Optional[Expr] = None
    order_by: tuple[SortField, ...] = ()
    limit: int = 0
    offset: int = 0

    def __str__(self) -> str:
        return ("SHOW TAG VALUES" + _on(self.database) + _from(self.sources)
                + _with_key(self.op, self.tag_key_expr) + _where(self.condition)
                + _order(self.order_by) + _limits(("LIMIT", self.limit), ("OFFSET", self.offset)))


@dataclass(frozen=True, slots=True)
class ShowFieldKeysStatement(Statement):
    """``SHOW FIELD KEYS [ON db] [FROM] [ORDER BY] [LIMIT] [OFFSET]``."""

    database: Optional[str] = None
    sources: tuple[Source, ...] = ()
    order_by: tuple[SortField, ...] = ()
    limit: int = 0
    offset: int = 0

    def __str__(self) -> str:
        return ("SHOW FIELD KEYS" + _on(self.database) + _from(self.sources)
                + _order(self.order_by) + _limits(("LIMIT", self.limit), ("OFFSET", self.offset)))


@dataclass(frozen=True, slots=True)
class _Cardinality(Statement):
    """Shared shape of the ``SHOW ... [EXACT] CARDINALITY`` statements."""

    exact: bool = False
    database: Optional[str] = None
    sources: tuple[Source, ...] = ()
    condition: Optional[Expr] = None
    dimensions: tuple[Dimension, ...] = ()
    limit: int = 0
    offset: int = 0

    def _text(self, what: str, extra: str = "") -> str:
        return (f"SHOW {what} {'EXACT ' if self.exact else ''}CARDINALITY" + _on(self.database)
                + _from(self.sources) + extra + _where(self.condition) + _group_by(self.dimensions)
                + _limits(("LIMIT", self.limit), ("OFFSET", self.offset)))


@dataclass(frozen=True, slots=True)
class ShowSeriesCardinalityStatement(_Cardinality):
    """``SHOW SERIES [EXACT] CARDINALITY [ON db] [FROM] [WHERE] [GROUP BY] [LIMIT] [OFFSET]``."""

    def __str__(self) -> str:
        return self._text("SERIES")


@dataclass(frozen=True, slots=True)
class ShowMeasurementCardinalityStatement(_Cardinality):
    """``SHOW MEASUREMENT [EXACT] CARDINALITY [ON db] [FROM] [WHERE] [GROUP BY] [LIMIT] [OFFSET]``."""

    def __str__(self) -> str:
        return self._text("MEASUREMENT")


@dataclass(frozen=True, slots=True)
class ShowTagKeyCardinalityStatement(_Cardinality):
    """``SHOW TAG KEY [EXACT] CARDINALITY ...``."""

    def __str__(self) -> str:
        return self._text("TAG KEY")


@dataclass(frozen=True, slots=True)
class ShowFieldKeyCardinalityStatement(_Cardinality):
    """``SHOW FIELD KEY [EXACT] CARDINALITY ...``."""

    def __str__(self) -> str:
        return self._text("FIELD KEY")


@dataclass(frozen=True, slots=True)
class ShowTagValuesCardinalityStatement(_Cardinality):
    """``SHOW TAG VALUES [EXACT] CARDINALITY [ON db] [FROM] WITH KEY op expr ...``.

    ``op``/``tag_key_expr`` as in :class:`ShowTagValuesStatement` (required).
    """

    op: str = "="
    tag_key_expr: Optional[TagKeyExpr] = None

    def __str__(self) -> str:
        return self._text("TAG VALUES", _with_key(self.op, self.tag_key_expr))


@dataclass(frozen=True, slots=True)
class ShowRetentionPoliciesStatement(Statement):
    """``SHOW RETENTION POLICIES [ON db]``."""

    database: Optional[str] = None

    def __str__(self) -> str:
        return "SHOW RETENTION POLICIES" + _on(self.database)


@dataclass(frozen=True, slots=True)
class ShowQueriesStatement(Statement):
    """``SHOW QUERIES``."""

    def __str__(self) -> str:
        return "SHOW QUERIES"


@dataclass(frozen=True, slots=True)
class ShowStatsStatement(Statement):
    """``SHOW STATS [FOR 'module']``."""

    module: Optional[str] = None

    def __str__(self) -> str:
        return "SHOW STATS" + (f" FOR {quote_string(self.module)}" if self.module is not None else "")


@dataclass(frozen=True, slots=True)
class ShowDiagnosticsStatement(Statement):
    """``SHOW DIAGNOSTICS [FOR 'module']``."""

    module: Optional[str] = None

    def __str__(self) -> str:
        return "SHOW DIAGNOSTICS" + (f" FOR {quote_string(self.module)}" if self.module is not None else "")


@dataclass(frozen=True, slots=True)
class ShowUsersStatement(Statement):
    """``SHOW USERS``."""

    def __str__(self) -> str:
        return "SHOW USERS"


@dataclass(frozen=True, slots=True)
class ShowGrantsForUserStatement(Statement):
    """``SHOW GRANTS FOR user``."""

    name: str

    def __str__(self) -> str:
        return f"SHOW GRANTS FOR {quote_ident(self.name)}"


@dataclass(frozen=True, slots=True)
class ShowShardsStatement(Statement):
    """``SHOW SHARDS``."""

    def __str__(self) -> str:
        return "SHOW SHARDS"


@dataclass(frozen=True, slots=True)
class ShowShardGroupsStatement(Statement):
    """``SHOW SHARD GROUPS``."""

    def __str__(self) -> str:
        return "SHOW SHARD GROUPS"


@dataclass(frozen=True, slots=True)
class ShowContinuousQueriesStatement(Statement):
    """``SHOW CONTINUOUS QUERIES``."""

    def __str__(self) -> str:
        return "SHOW CONTINUOUS QUERIES"


@dataclass(frozen=True, slots=True)
class ShowSubscriptionsStatement(Statement):
    """``SHOW SUBSCRIPTIONS``."""

    def __str__(self) -> str:
        return "SHOW SUBSCRIPTIONS"


# --- databases, retention policies, measurements, shards ------------------------------


@dataclass(frozen=True, slots=True)
class CreateDatabaseStatement(Statement):
    """``CREATE DATABASE name [WITH [DURATION d] [REPLICATION n] [SHARD DURATION d] [NAME rp]]``.

    ``rp_create`` is True when ``WITH`` was written; durations are ns
    (``DURATION INF`` = 0); unset options are None.
    """

    name: str
    rp_create: bool = False
    rp_duration: Optional[int] = None
    rp_replication: Optional[int] = None
    rp_shard_group_duration: Optional[int] = None
    rp_name: Optional[str] = None

    def __str__(self) -> str:
        out = f"CREATE DATABASE {quote_ident(self.name)}"
        if self.rp_create:
            out += " WITH"
            if self.rp_duration is not None:
                out += f" DURATION {_dur_inf(self.rp_duration)}"
            if self.rp_replication is not None:
                out += f" REPLICATION {self.rp_replication}"
            if self.rp_shard_group_duration is not None:
                out += f" SHARD DURATION {format_duration(self.rp_shard_group_duration)}"
            if self.rp_name is not None:
                out += f" NAME {quote_ident(self.rp_name)}"
        return out


def _dur_inf(ns: int) -> str:
    return "INF" if ns == 0 else format_duration(ns)


@dataclass(frozen=True, slots=True)
class DropDatabaseStatement(Statement):
    """``DROP DATABASE name``."""

    name: str

    def __str__(self) -> str:
        return f"DROP DATABASE {quote_ident(self.name)}"


@dataclass(frozen=True, slots=True)
class CreateRetentionPolicyStatement(Statement):
    """``CREATE RETENTION POLICY name ON db DURATION d REPLICATION n [SHARD DURATION d] [DEFAULT]``.

    ``duration`` ns (INF = 0); ``shard_group_duration`` None when not written.
    """

    name: str
    database: str
    duration: int
    replication: int
    shard_group_duration: Optional[int] = None
    default: bool = False

    def __str__(self) -> str:
        out = (f"CREATE RETENTION POLICY {quote_ident(self.name)} ON {quote_ident(self.database)}"
               f" DURATION {_dur_inf(self.duration)} REPLICATION {self.replication}")
        if self.shard_group_duration is not None:
            out += f" SHARD DURATION {format_duration(self.shard_group_duration)}"
        return out + (" DEFAULT" if self.default else "")


@dataclass(frozen=True, slots=True)
class AlterRetentionPolicyStatement(Statement):
    """``ALTER RETENTION POLICY name ON db [DURATION d] [REPLICATION n] [SHARD DURATION d] [DEFAULT]``
    (at least one option). Unset options are None."""

    name: str
    database: str
    duration: Optional[int] = None
    replication: Optional[int] = None
    shard_group_duration: Optional[int] = None
    default: bool = False

    def __str__(self) -> str:
        out = f"ALTER RETENTION POLICY {quote_ident(self.name)} ON {quote_ident(self.database)}"
        if self.duration is not None:
            out += f" DURATION {_dur_inf(self.duration)}"
        if self.replication is not None:
            out += f" REPLICATION {self.replication}"
        if self.shard_group_duration is not None:
            out += f" SHARD DURATION {format_duration(self.shard_group_duration)}"
        return out + (" DEFAULT" if self.default else "")


@dataclass(frozen=True, slots=True)
class DropRetentionPolicyStatement(Statement):
    """``DROP RETENTION POLICY name ON db``."""

    name: str
    database: str

    def __str__(self) -> str:
        return f"DROP RETENTION POLICY {quote_ident(self.name)} ON {quote_ident(self.database)}"


@dataclass(frozen=True, slots=True)
class DropMeasurementStatement(Statement):
    """``DROP MEASUREMENT name``."""

    name: str

    def __str__(self) -> str:
        return f"DROP MEASUREMENT {quote_ident(self.name)}"


@dataclass(frozen=True, slots=True)
class DropShardStatement(Statement):
    """``DROP SHARD id``."""

    id: int

    def __str__(self) -> str:
        return f"DROP SHARD {self.id}"


@dataclass(frozen=True, slots=True)
class DropContinuousQueryStatement(Statement):
    """``DROP CONTINUOUS QUERY name ON db``."""

    name: str
    database: str

    def __str__(self) -> str:
        return f"DROP CONTINUOUS QUERY {quote_ident(self.name)} ON {quote_ident(self.database)}"


@dataclass(frozen=True, slots=True)
class CreateSubscriptionStatement(Statement):
    """``CREATE SUBSCRIPTION name ON db.rp DESTINATIONS ALL|ANY 'url'[, ...]``."""

    name: str
    database: str
    retention_policy: str
    mode: str
    destinations: tuple[str, ...]

    def __str__(self) -> str:
        dests = ", ".join(quote_string(d) for d in self.destinations)
        return (f"CREATE SUBSCRIPTION {quote_ident(self.name)} ON {quote_ident(self.database)}."
                f"{quote_ident(self.retention_policy)} DESTINATIONS {self.mode} {dests}")


@dataclass(frozen=True, slots=True)
class DropSubscriptionStatement(Statement):
    """``DROP SUBSCRIPTION name ON db.rp``."""

    name: str
    database: str
    retention_policy: str

    def __str__(self) -> str:
        return (f"DROP SUBSCRIPTION {quote_ident(self.name)} ON {quote_ident(self.database)}."
                f"{quote_ident(self.retention_policy)}")


# --- users and privileges ---------------------------------------------------------------

PRIVILEGES = ("READ", "WRITE", "ALL")  # 'ALL' also written 'ALL PRIVILEGES'


@dataclass(frozen=True, slots=True)
class CreateUserStatement(Statement):
    """``CREATE USER name WITH PASSWORD 'pw' [WITH ALL PRIVILEGES]`` (admin)."""

    name: str
    password: str
    admin: bool = False

    def __str__(self) -> str:
        out = f"CREATE USER {quote_ident(self.name)} WITH PASSWORD {quote_string(self.password)}"
        return out + (" WITH ALL PRIVILEGES" if self.admin else "")

    def redacted(self) -> str:
        """Text for logs: the password replaced by ``[REDACTED]``, as influxql's String() does."""
        out = f"CREATE USER {quote_ident(self.name)} WITH PASSWORD [REDACTED]"
        return out + (" WITH ALL PRIVILEGES" if self.admin else "")


@dataclass(frozen=True, slots=True)
class DropUserStatement(Statement):
    """``DROP USER name``."""

    name: str

    def __str__(self) -> str:
        return f"DROP USER {quote_ident(self.name)}"


@dataclass(frozen=True, slots=True)
class SetPasswordUserStatement(Statement):
    """``SET PASSWORD FOR name = 'pw'``."""

    name: str
    password: str

    def __str__(self) -> str:
        return f"SET PASSWORD FOR {quote_ident(self.name)} = {quote_string(self.password)}"

    def redacted(self) -> str:
        """Text for logs: the password replaced by ``[REDACTED]``, as influxql's String() does."""
        return f"SET PASSWORD FOR {quote_ident(self.name)} = [REDACTED]"


@dataclass(frozen=True, slots=True)
class GrantStatement(Statement):
    """``GRANT READ|WRITE|ALL [PRIVILEGES] ON db TO user``."""

    privilege: str
    on: str
    user: str

    def __str__(self) -> str:
        p = "ALL PRIVILEGES" if self.privilege == "ALL" else self.privilege
        return f"GRANT {p} ON {quote_ident(self.on)} TO {quote_ident(self.user)}"


@dataclass(frozen=True, slots=True)
class GrantAdminStatement(Statement):
    """``GRANT ALL [PRIVILEGES] TO user``."""

    user: str

    def __str__(self) -> str:
        return f"GRANT ALL PRIVILEGES TO {quote_ident(self.user)}"


@dataclass(frozen=True, slots=True)
class RevokeStatement(Statement):
    """``REVOKE READ|WRITE|ALL [PRIVILEGES] ON db FROM user``."""

    privilege: str
    on: str
    user: str

    def __str__(self) -> str:
        p = "ALL PRIVILEGES" if self.privilege == "ALL" else self.privilege
        return f"REVOKE {p} ON {quote_ident(self.on)} FROM {quote_ident(self.user)}"


@dataclass(frozen=True, slots=True)
class RevokeAdminStatement(Statement):
    """``REVOKE ALL [PRIVILEGES] FROM user``."""

    user: str

    def __str__(self) -> str:
        return f"REVOKE ALL PRIVILEGES FROM {quote_ident(self.user)}"


@dataclass(frozen=True, slots=True)
class KillQueryStatement(Statement):
    """``KILL QUERY id [ON host]`` (host is an identifier, e.g. ``"h:8088"``)."""

    query_id: int
    host: Optional[str] = None

    def __str__(self) -> str:
        out = f"KILL QUERY {self.query_id}"
        return out + (f" ON {quote_ident(self.host)}" if self.host is not None else "")
