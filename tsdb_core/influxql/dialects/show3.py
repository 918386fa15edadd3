"""InfluxDB 3's SHOW grammar as a recogniser, on select3.py's lexing and conditions.

Follows ``show.rs``, ``show_measurements.rs``, ``show_tag_keys.rs``, ``show_tag_values.rs``,
``show_field_keys.rs``, ``show_retention_policies.rs`` and ``simple_from_clause.rs`` of the
crate ``influxdb_influxql_parser``: each optional clause is ``opt(preceded(ws1, clause))``,
so one that cannot start is left over, and one that starts and breaks stops the statement
with its message. Consulted only for a SHOW statement the 1.x grammar has refused.
"""
from __future__ import annotations

from .select3 import LIMITS, Back, Fail, Select3

INVALID_SHOW = ("invalid SHOW statement, expected DATABASES, FIELD KEYS, MEASUREMENTS, TAG KEYS, TAG VALUES, "
                "or RETENTION POLICIES following SHOW")  # show.rs
ON = "invalid ON clause, expected identifier"  # show.rs on_clause
EXTENDED_ON = "invalid ON clause, expected wildcard or identifier"  # show_measurements.rs
WITH_MEASUREMENT = "invalid WITH clause, expected MEASUREMENT"
EQUALS = "expected = or =~"
MEASUREMENT_NAME = "expected measurement name"
SHOW_TAG = "invalid SHOW TAG statement, expected KEYS or VALUES"
FIELD_KEYS = "invalid SHOW FIELD KEYS statement, expected KEYS"  # show_field_keys.rs
RETENTION = "invalid SHOW RETENTION POLICIES statement, expected POLICIES"
SHOW_FROM = "invalid FROM clause, expected identifier or regular expression"  # simple_from_clause.rs
TAG_VALUES = "invalid SHOW TAG VALUES statement, expected WITH KEY clause"  # show_tag_values.rs
WITH_KEY = "invalid WITH KEY clause, expected KEY"
KEY_CONDITION = "invalid WITH KEY clause, expected condition"
KEY_OPERAND = {"=~": "invalid WITH KEY clause, expected regular expression following =~",
               "!~": "invalid WITH KEY clause, expected regular expression following =!",
               "=": "invalid WITH KEY clause, expected identifier following =",
               "!=": "invalid WITH KEY clause, expected identifier following !="}
KEY_IN = "invalid WITH KEY clause, expected identifier list following IN"
IN_LIST = "invalid IN clause, expected identifier"
IN_CLOSE = "invalid identifier list, expected ')'"


class Show3(Select3):
    """``show(i)`` → the offset where the SHOW statement ends, or raises Back / Fail."""

    def show(self, i: int) -> int:
        i = self.ws1(self.keyword(i, "SHOW"))
        for kind in (self._databases, self._field_keys, self._measurements, self._retention, self._tag):
            try:
                return kind(i)
            except Back:
                pass
        raise Fail(INVALID_SHOW, i)

    def _optional(self, i: int, *clauses) -> int:
        """``opt(preceded(ws1, clause))`` for each clause in turn."""
        for clause in clauses:
            try:
                i = clause(self.ws1(i))
            except Back:
                pass
        return i

    def _databases(self, i: int) -> int:
        return self.keyword(i, "DATABASES")

    def _retention(self, i: int) -> int:
        i = self.ws1(self.keyword(i, "RETENTION"))
        i = self._expect(RETENTION, lambda k: self.keyword(k, "POLICIES"), i)
        return self._optional(i, self._on)

    def _field_keys(self, i: int) -> int:
        i = self.ws1(self.keyword(i, "FIELD"))
        i = self._expect(FIELD_KEYS, lambda k: self.keyword(k, "KEYS"), i)
        return self._optional(i, self._on, self._from, *self._limit_offset())

    def _measurements(self, i: int) -> int:
        i = self.keyword(i, "MEASUREMENTS")
        return self._optional(i, self._extended_on, self._with_measurement, self._where, *self._limit_offset())

    def _tag(self, i: int) -> int:
        i = self.ws1(self.keyword(i, "TAG"))
        try:
            return self._optional(self.keyword(i, "KEYS"), self._on, self._from, self._where, *self._limit_offset())
        except Back:
            pass
        try:
            j = self._optional(self.keyword(i, "VALUES"), self._on, self._from)
        except Back:
            raise Fail(SHOW_TAG, i) from None
        j = self._expect(TAG_VALUES, lambda k: self._with_key(self.ws1(k)), j)
        return self._optional(j, self._where, *self._limit_offset())

    def _limit_offset(self):
        return [lambda k, w=word, m=message: self._limit(w, m, k) for word, message in LIMITS[:2]]

    def _on(self, i: int) -> int:
        return self._expect(ON, self.identifier, self.keyword(i, "ON"))

    def _extended_on(self, i: int) -> int:
        i = self.ws1(self.keyword(i, "ON"))
        if self.t.startswith("*.*", i):
            return i + 3
        if self.t.startswith("*", i):
            return i + 1
        try:
            j = self.identifier(i)
            return self.identifier(j + 1) if self.t.startswith(".", j) else j
        except Back:
            raise Fail(EXTENDED_ON, i) from None

    def _from(self, i: int) -> int:
        i = self.ws1(self.keyword(i, "FROM"))
        return self._list(i, lambda k: self.segmented(k, lambda m: self._either(m, self.identifier, self.regex)),
                          SHOW_FROM)

    def _with_measurement(self, i: int) -> int:
        i = self.ws1(self.keyword(i, "WITH"))
        i = self.ws0(self._expect(WITH_MEASUREMENT, lambda k: self.keyword(k, "MEASUREMENT"), i))
        name = self._measurement_name
        if self.t.startswith("=~", i):
            return name(self.ws0(i + 2))
        if self.t.startswith("=", i):
            return self._expect(MEASUREMENT_NAME, name, self.ws0(i + 1))
        raise Fail(EQUALS, i)

    def _measurement_name(self, i: int) -> int:
        return self.segmented(i, lambda m: self._either(m, self.identifier, self.regex))

    def _with_key(self, i: int) -> int:
        i = self.ws1(self.keyword(i, "WITH"))
        i = self._expect(WITH_KEY, lambda k: self.keyword(k, "KEY"), i)
        j = self.ws0(i)
        for op in ("=~", "!~", "=", "!="):
            if self.t.startswith(op, j) and not (op == "=" and self.t.startswith("=~", j)):
                parse = self.regex if "~" in op else self.identifier
                k = j + len(op)
                return self._expect(KEY_OPERAND[op], parse, self.ws0(k) if "~" in op else k)
        try:
            k = self.char(self.ws1(i), "IN")  # tag("IN"): upper case only
        except Back:
            raise Fail(KEY_CONDITION, i) from None
        return self._expect(KEY_IN, self._identifier_list, k)

    def _identifier_list(self, i: int) -> int:
        i = self.char(self.ws0(i), "(")
        i = self._list(i, self.identifier, IN_LIST)
        return self._expect(IN_CLOSE, lambda k: self.char(self.ws0(k), ")"), i)
