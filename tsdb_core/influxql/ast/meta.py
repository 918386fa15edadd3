"""Meta statements: SHOW ..., CREATE/DROP/ALTER ..., users and privileges, KILL.

Optional clause values are None (or ``()``/0 for lists and limits) when not
written, so the printer reproduces exactly what was parsed.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Union

from .expr import (
    Dimension, Expr, ListLiteral, Measurement, RegexLiteral, Source, SortField, StringLiteral, join,
)
from .select import Statement
from ...base.time import format_duration
from ..parser.lexing import quote_ident, quote_string


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


def _clauses(stmt, head: str, extra: str = "") -> str:
    """``head`` then the clauses ``stmt`` has, in influxql's order; ``extra`` (WITH ...) after FROM.

    SHOW statements differ only in which of these fields they carry, so one
    printer serves them all and each class states its head and its WITH part.
    """
    get = lambda name, default: getattr(stmt, name, default)  # noqa: E731
    return (head + _on(stmt.database) + _from(get("sources", ())) + extra
            + _where(get("condition", None)) + _group_by(get("dimensions", ()))
            + _order(get("order_by", ()))
            + _limits(("LIMIT", get("limit", 0)), ("OFFSET", get("offset", 0)),
                      ("SLIMIT", get("slimit", 0)), ("SOFFSET", get("soffset", 0))))


def _for_module(module: Optional[str]) -> str:
    return f" FOR {quote_string(module)}" if module is not None else ""


def _on_db(database: str) -> str:
    return f" ON {quote_ident(database)}"


def _on_db_rp(database: str, rp: str) -> str:
    return f" ON {quote_ident(database)}.{quote_ident(rp)}"


def _rp_options(duration: Optional[int], replication: Optional[int], shard: Optional[int]) -> str:
    """`` DURATION d REPLICATION n SHARD DURATION d``, each only when set (INF = 0)."""
    out = ""
    if duration is not None:
        out += f" DURATION {_dur_inf(duration)}"
    if replication is not None:
        out += f" REPLICATION {replication}"
    if shard is not None:
        out += f" SHARD DURATION {format_duration(shard)}"
    return out


def _privilege(p: str) -> str:
    return "ALL PRIVILEGES" if p == "ALL" else p


def _dur_inf(ns: int) -> str:
    return "INF" if ns == 0 else format_duration(ns)


@dataclass(frozen=True, slots=True)
class _Keyword(Statement):
    """A statement with no operands: it prints its class's ``KEYWORDS``."""

    KEYWORDS = ""

    def __str__(self) -> str:
        return self.KEYWORDS


@dataclass(frozen=True, slots=True)
class _Named(Statement):
    """``KEYWORDS name``: one quoted identifier after fixed keywords."""

    KEYWORDS = ""
    name: str

    def __str__(self) -> str:
        return f"{self.KEYWORDS} {quote_ident(self.name)}"


@dataclass(frozen=True, slots=True)
class _NamedOn(Statement):
    """``KEYWORDS name ON db``."""

    KEYWORDS = ""
    name: str
    database: str

    def __str__(self) -> str:
        return f"{self.KEYWORDS} {quote_ident(self.name)}" + _on_db(self.database)


# --- SHOW -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ShowDatabasesStatement(_Keyword):
    """``SHOW DATABASES``."""

    KEYWORDS = "SHOW DATABASES"


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
        with_ = ""
        if self.source is not None:
            op = "=~" if self.source.regex is not None else "="
            with_ = f" WITH MEASUREMENT {op} {self.source}"
        return _clauses(self, "SHOW MEASUREMENTS", with_)


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
        return _clauses(self, "SHOW SERIES")


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
        return _clauses(self, "SHOW TAG KEYS")


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
        return _clauses(self, "SHOW TAG VALUES", _with_key(self.op, self.tag_key_expr))


@dataclass(frozen=True, slots=True)
class ShowFieldKeysStatement(Statement):
    """``SHOW FIELD KEYS [ON db] [FROM] [ORDER BY] [LIMIT] [OFFSET]``."""

    database: Optional[str] = None
    sources: tuple[Source, ...] = ()
    order_by: tuple[SortField, ...] = ()
    limit: int = 0
    offset: int = 0

    def __str__(self) -> str:
        return _clauses(self, "SHOW FIELD KEYS")


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
        return _clauses(self, f"SHOW {what} {'EXACT ' if self.exact else ''}CARDINALITY", extra)


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
        return _clauses(self, "SHOW RETENTION POLICIES")


@dataclass(frozen=True, slots=True)
class ShowQueriesStatement(_Keyword):
    """``SHOW QUERIES``."""

    KEYWORDS = "SHOW QUERIES"


@dataclass(frozen=True, slots=True)
class ShowStatsStatement(Statement):
    """``SHOW STATS [FOR 'module']``."""

    module: Optional[str] = None

    def __str__(self) -> str:
        return "SHOW STATS" + _for_module(self.module)


@dataclass(frozen=True, slots=True)
class ShowDiagnosticsStatement(Statement):
    """``SHOW DIAGNOSTICS [FOR 'module']``."""

    module: Optional[str] = None

    def __str__(self) -> str:
        return "SHOW DIAGNOSTICS" + _for_module(self.module)


@dataclass(frozen=True, slots=True)
class ShowUsersStatement(_Keyword):
    """``SHOW USERS``."""

    KEYWORDS = "SHOW USERS"


@dataclass(frozen=True, slots=True)
class ShowGrantsForUserStatement(_Named):
    """``SHOW GRANTS FOR user``."""

    KEYWORDS = "SHOW GRANTS FOR"


@dataclass(frozen=True, slots=True)
class ShowShardsStatement(_Keyword):
    """``SHOW SHARDS``."""

    KEYWORDS = "SHOW SHARDS"


@dataclass(frozen=True, slots=True)
class ShowShardGroupsStatement(_Keyword):
    """``SHOW SHARD GROUPS``."""

    KEYWORDS = "SHOW SHARD GROUPS"


@dataclass(frozen=True, slots=True)
class ShowContinuousQueriesStatement(_Keyword):
    """``SHOW CONTINUOUS QUERIES``."""

    KEYWORDS = "SHOW CONTINUOUS QUERIES"


@dataclass(frozen=True, slots=True)
class ShowSubscriptionsStatement(_Keyword):
    """``SHOW SUBSCRIPTIONS``."""

    KEYWORDS = "SHOW SUBSCRIPTIONS"


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
            out += " WITH" + _rp_options(self.rp_duration, self.rp_replication,
                                         self.rp_shard_group_duration)
            if self.rp_name is not None:
                out += f" NAME {quote_ident(self.rp_name)}"
        return out


@dataclass(frozen=True, slots=True)
class DropDatabaseStatement(_Named):
    """``DROP DATABASE name``."""

    KEYWORDS = "DROP DATABASE"


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
        return (f"CREATE RETENTION POLICY {quote_ident(self.name)}" + _on_db(self.database)
                + _rp_options(self.duration, self.replication, self.shard_group_duration)
                + (" DEFAULT" if self.default else ""))


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
        return (f"ALTER RETENTION POLICY {quote_ident(self.name)}" + _on_db(self.database)
                + _rp_options(self.duration, self.replication, self.shard_group_duration)
                + (" DEFAULT" if self.default else ""))


@dataclass(frozen=True, slots=True)
class DropRetentionPolicyStatement(_NamedOn):
    """``DROP RETENTION POLICY name ON db``."""

    KEYWORDS = "DROP RETENTION POLICY"


@dataclass(frozen=True, slots=True)
class DropMeasurementStatement(_Named):
    """``DROP MEASUREMENT name``."""

    KEYWORDS = "DROP MEASUREMENT"


@dataclass(frozen=True, slots=True)
class DropShardStatement(Statement):
    """``DROP SHARD id``."""

    id: int

    def __str__(self) -> str:
        return f"DROP SHARD {self.id}"


@dataclass(frozen=True, slots=True)
class DropContinuousQueryStatement(_NamedOn):
    """``DROP CONTINUOUS QUERY name ON db``."""

    KEYWORDS = "DROP CONTINUOUS QUERY"


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
        return (f"CREATE SUBSCRIPTION {quote_ident(self.name)}"
                + _on_db_rp(self.database, self.retention_policy) + f" DESTINATIONS {self.mode} {dests}")


@dataclass(frozen=True, slots=True)
class DropSubscriptionStatement(Statement):
    """``DROP SUBSCRIPTION name ON db.rp``."""

    name: str
    database: str
    retention_policy: str

    def __str__(self) -> str:
        return f"DROP SUBSCRIPTION {quote_ident(self.name)}" + _on_db_rp(self.database, self.retention_policy)


# --- users and privileges ---------------------------------------------------------------

PRIVILEGES = ("READ", "WRITE", "ALL")  # 'ALL' also written 'ALL PRIVILEGES'


@dataclass(frozen=True, slots=True)
class CreateUserStatement(Statement):
    """``CREATE USER name WITH PASSWORD 'pw' [WITH ALL PRIVILEGES]`` (admin)."""

    name: str
    password: str
    admin: bool = False

    def __str__(self) -> str:
        return self._text(quote_string(self.password))

    def redacted(self) -> str:
        """Text for logs: the password replaced by ``[REDACTED]``, as influxql's String() does."""
        return self._text("[REDACTED]")

    def _text(self, password: str) -> str:
        out = f"CREATE USER {quote_ident(self.name)} WITH PASSWORD {password}"
        return out + (" WITH ALL PRIVILEGES" if self.admin else "")


@dataclass(frozen=True, slots=True)
class DropUserStatement(_Named):
    """``DROP USER name``."""

    KEYWORDS = "DROP USER"


@dataclass(frozen=True, slots=True)
class SetPasswordUserStatement(Statement):
    """``SET PASSWORD FOR name = 'pw'``."""

    name: str
    password: str

    def __str__(self) -> str:
        return self._text(quote_string(self.password))

    def redacted(self) -> str:
        """Text for logs: the password replaced by ``[REDACTED]``, as influxql's String() does."""
        return self._text("[REDACTED]")

    def _text(self, password: str) -> str:
        return f"SET PASSWORD FOR {quote_ident(self.name)} = {password}"


@dataclass(frozen=True, slots=True)
class GrantStatement(Statement):
    """``GRANT READ|WRITE|ALL [PRIVILEGES] ON db TO user``."""

    privilege: str
    on: str
    user: str

    def __str__(self) -> str:
        return f"GRANT {_privilege(self.privilege)}{_on_db(self.on)} TO {quote_ident(self.user)}"


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
        return f"REVOKE {_privilege(self.privilege)}{_on_db(self.on)} FROM {quote_ident(self.user)}"


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
