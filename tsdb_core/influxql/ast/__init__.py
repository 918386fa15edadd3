"""The InfluxQL AST: one import point for every node.

Nodes live in three modules by family -- ``ast_expr`` (expressions and the
clauses they form), ``ast_select`` (SELECT and statements wrapping one) and
``ast_meta`` (SHOW, CREATE/DROP/ALTER, users, privileges) -- and are all
re-exported here, so code imports ``from tsdb_core.influxql.ast import X``.
"""
from __future__ import annotations

from .expr import (  # noqa: F401
    ARITHMETIC_OPS, COMPARISON_OPS, DATA_TYPES, PRECEDENCE, REGEX_OPS, BinaryExpr, BooleanLiteral,
    BoundParameter, Call, Dimension, Distinct, DurationLiteral, Expr, Field, IntegerLiteral,
    ListLiteral, Literal, Measurement, NilLiteral, Node, NumberLiteral, ParenExpr, RegexLiteral,
    SortField, Source, StringLiteral, SubQuery, Target, TimeLiteral, UnsignedLiteral, VarRef, Wildcard, unparen,
)
from .meta import (  # noqa: F401
    PRIVILEGES, AlterRetentionPolicyStatement, CreateDatabaseStatement, CreateRetentionPolicyStatement,
    CreateSubscriptionStatement, CreateUserStatement, DropContinuousQueryStatement,
    DropDatabaseStatement, DropMeasurementStatement, DropRetentionPolicyStatement, DropShardStatement,
    DropSubscriptionStatement, DropUserStatement, GrantAdminStatement, GrantStatement,
    KillQueryStatement, RevokeAdminStatement, RevokeStatement, SetPasswordUserStatement,
    ShowContinuousQueriesStatement, ShowDatabasesStatement, ShowDiagnosticsStatement,
    ShowFieldKeyCardinalityStatement, ShowFieldKeysStatement, ShowGrantsForUserStatement,
    ShowMeasurementCardinalityStatement, ShowMeasurementsStatement, ShowQueriesStatement,
    ShowRetentionPoliciesStatement, ShowSeriesCardinalityStatement, ShowSeriesStatement,
    ShowShardGroupsStatement, ShowShardsStatement, ShowStatsStatement, ShowSubscriptionsStatement,
    ShowTagKeyCardinalityStatement, ShowTagKeysStatement, ShowTagValuesCardinalityStatement,
    ShowTagValuesStatement, ShowUsersStatement, TagKeyExpr,
)
from .select import (  # noqa: F401
    FILL_OPTIONS, CreateContinuousQueryStatement, DeleteSeriesStatement, DropSeriesStatement,
    ExplainStatement, SelectStatement, Statement,
)
