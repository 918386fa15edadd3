"""InfluxDB 3's CREATE DATABASE, DROP MEASUREMENT and DELETE grammar as a recogniser.

Follows ``create.rs``, ``drop.rs``, ``delete.rs`` and ``simple_from_clause.rs`` of the crate
``influxdb_influxql_parser``, on select3.py's lexing and conditions: v3 parses these three
statements (its planner then refuses them), so a mistake inside one gets its parser's words.
Consulted only for a statement the 1.x grammar has refused.
"""
from __future__ import annotations

from .select3 import Back
from .show3 import SHOW_FROM, Show3

INVALID_CREATE = "Invalid CREATE statement, expected DATABASE following CREATE"  # create.rs
WITH = 'invalid WITH clause, expected "DURATION", "REPLICATION", "SHARD" or "NAME"'
DURATION = "invalid DURATION clause, expected duration"
REPLICATION = "invalid REPLICATION clause, expected unsigned integer"
SHARD_KEYWORD = 'invalid SHARD DURATION clause, expected "DURATION"'
SHARD_DURATION = "invalid SHARD DURATION clause, expected duration"
NAME = "invalid NAME clause, expected identifier"
INVALID_DROP = "invalid DROP statement, expected MEASUREMENT"  # drop.rs
DROP_NAME = "invalid DROP MEASUREMENT statement, expected identifier"
INVALID_DELETE = "invalid DELETE statement, expected FROM or WHERE"  # delete.rs


class Ddl3(Show3):
    """``create(i)`` / ``drop(i)`` / ``delete(i)`` → the offset where the statement ends,
    or raises Back / Fail."""

    def create(self, i: int) -> int:
        """CREATE DATABASE from ``i``: the offset after it; raises Back (not this statement) or Fail (v3's words)."""
        i = self.ws1(self.keyword(i, "CREATE"))
        return self._expect(INVALID_CREATE, self._database, i)

    def _database(self, i: int) -> int:
        i = self.identifier(self.keyword(i, "DATABASE"))
        try:
            j = self.keyword(self.ws1(i), "WITH")
        except Back:
            return i
        self._expect(WITH, lambda k: self._either(self.ws1(k), *(
            lambda m, w=w: self.keyword(m, w) for w in ("DURATION", "REPLICATION", "SHARD", "NAME"))), j)
        j = self._option(j, "DURATION", DURATION, lambda k: self.duration(self.ws1(k)))
        j = self._option(j, "REPLICATION", REPLICATION, lambda k: self.unsigned(self.ws1(k)))
        try:
            k = self.keyword(self.ws1(j), "SHARD")
        except Back:
            pass
        else:
            k = self._expect(SHARD_KEYWORD, lambda m: self.keyword(self.ws1(m), "DURATION"), k)
            j = self._expect(SHARD_DURATION, lambda m: self.duration(self.ws1(m)), k)
        return self._option(j, "NAME", NAME, self.identifier)

    def _option(self, i: int, word: str, message: str, value) -> int:
        """``opt(preceded(preceded(ws1, keyword(word)), expect(message, value)))``."""
        try:
            k = self.keyword(self.ws1(i), word)
        except Back:
            return i
        return self._expect(message, value, k)

    def drop(self, i: int) -> int:
        """DROP MEASUREMENT from ``i``: the offset after it; raises Back (not this statement) or Fail (v3's words)."""
        i = self.ws1(self.keyword(i, "DROP"))
        return self._expect(INVALID_DROP, lambda k: self._expect(
            DROP_NAME, self.identifier, self.keyword(k, "MEASUREMENT")), i)

    def delete(self, i: int) -> int:
        """DELETE from ``i``: the offset after it; raises Back (not this statement) or Fail (v3's words)."""
        i = self.keyword(i, "DELETE")
        return self._expect(INVALID_DELETE, self._delete_body, i)

    def _delete_body(self, i: int) -> int:
        i = self.ws1(i)
        try:
            j = self.ws1(self.keyword(i, "FROM"))
        except Back:
            return self._where(i)
        j = self._list(j, lambda k: self._either(k, self.identifier, self.regex), SHOW_FROM)
        try:
            return self._where(self.ws0(j))
        except Back:
            return j
