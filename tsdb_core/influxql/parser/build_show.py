"""AST callbacks for the SHOW statements."""
from __future__ import annotations

from .lalr import Tok as Token

from ..ast import expr as E
from ..ast import meta as M
from .build_expr import RuleFamily, _regex


class ShowRules(RuleFamily):
    """Callbacks for SHOW ... (mixed into :class:`build.AstBuilder`)."""

    __slots__ = ()

    def on_opt(self, ch):
        return ch[0] if ch else None

    def from_opt(self, ch):
        return ch[1] if ch else ()

    def card_tail(self, ch):
        return ch

    def with_key_in(self, ch):
        names = tuple(c for c in ch if not isinstance(c, Token))
        return ("IN", E.ListLiteral(names))

    def with_key_eq(self, ch):
        op = "!=" if ch[0].type == "NEQ" else "="
        return (op, E.StringLiteral(ch[1]))

    def with_key_regex(self, ch):
        return (ch[0].value, _regex(ch[1]))

    def with_measurement(self, ch):
        return ch[1]

    def show_continuous_queries(self, ch):
        return M.ShowContinuousQueriesStatement()

    def show_databases(self, ch):
        return M.ShowDatabasesStatement()

    def show_diagnostics(self, ch):
        return M.ShowDiagnosticsStatement(ch[2].value if len(ch) > 1 else None)

    def show_stats(self, ch):
        return M.ShowStatsStatement(ch[2].value if len(ch) > 1 else None)

    def show_grants(self, ch):
        return M.ShowGrantsForUserStatement(ch[2])

    def show_queries(self, ch):
        return M.ShowQueriesStatement()

    def show_retention_policies(self, ch):
        return M.ShowRetentionPoliciesStatement(ch[1])

    def show_shard_groups(self, ch):
        return M.ShowShardGroupsStatement()

    def show_shards(self, ch):
        return M.ShowShardsStatement()

    def show_subscriptions(self, ch):
        return M.ShowSubscriptionsStatement()

    def show_users(self, ch):
        return M.ShowUsersStatement()

    @staticmethod
    def _card(cls, ch):
        exact = any(isinstance(c, Token) and c.type == "EXACT" for c in ch)
        on, src, cond, dims, limit, offset = ch[-1]
        return cls(exact=exact, database=on, sources=src, condition=cond, dimensions=dims,
                   limit=limit, offset=offset)

    def show_field_key_cardinality(self, ch):
        return self._card(M.ShowFieldKeyCardinalityStatement, ch)

    def show_measurement_cardinality(self, ch):
        return self._card(M.ShowMeasurementCardinalityStatement, ch)

    def show_series_cardinality(self, ch):
        return self._card(M.ShowSeriesCardinalityStatement, ch)

    def show_tag_key_cardinality(self, ch):
        return self._card(M.ShowTagKeyCardinalityStatement, ch)

    def show_tag_values_cardinality(self, ch):
        exact = ch[1].type == "EXACT"
        on, src, (op, key), cond, dims, limit, offset = ch[-7:]
        return M.ShowTagValuesCardinalityStatement(
            exact=exact, database=on, sources=src, condition=cond, dimensions=dims,
            limit=limit, offset=offset, op=op, tag_key_expr=key)

    def show_field_keys(self, ch):
        on, src, order, limit, offset = ch[1:]
        return M.ShowFieldKeysStatement(on, src, order, limit, offset)

    def show_measurements(self, ch):
        rest = ch[1:]
        if len(rest) == 5:
            on, cond, order, limit, offset = rest
            source = None
        else:
            on, source, cond, order, limit, offset = rest
        return M.ShowMeasurementsStatement(on, source, cond, order, limit, offset)

    def show_series(self, ch):
        on, src, cond, order, limit, offset = ch[1:]
        return M.ShowSeriesStatement(on, src, cond, order, limit, offset)

    def show_tag_keys(self, ch):
        on, src, cond, order, limit, offset, slimit, soffset = ch[1:]
        return M.ShowTagKeysStatement(on, src, cond, order, limit, offset, slimit, soffset)

    def show_tag_values(self, ch):
        on, src, (op, key), cond, order, limit, offset = ch[1:]
        return M.ShowTagValuesStatement(op, key, on, src, cond, order, limit, offset)
