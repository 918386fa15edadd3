"""Which InfluxDB product's InfluxQL a query is run as: InfluxDB 1.x or InfluxDB 3.

``influxdb1`` (the default) runs InfluxQL as ``influxd`` 1.x does, every statement included.
``influxdb3`` runs it as InfluxDB 3 (Cloud Dedicated, Core, Enterprise) does: the statements,
clauses and functions v3 refuses are refused with its words, and results take its shapes
(``dialects/influxdb3.py``). A team targeting Cloud Dedicated develops against ``influxdb3``
so that what production would reject is rejected here too.
"""
from __future__ import annotations

import enum

from ..base.errors import UserError


class Dialect(str, enum.Enum):
    """An InfluxQL dialect; its value is the name users write (``dialect="influxdb3"``)."""

    INFLUXDB1 = "influxdb1"
    INFLUXDB3 = "influxdb3"

    def __str__(self) -> str:
        return self.value


DEFAULT = Dialect.INFLUXDB1
_BY_NAME = {d.value: d for d in Dialect}


def dialect_of(value: "Dialect | str | None", default: Dialect = DEFAULT) -> Dialect:
    """``value`` as a Dialect (None: ``default``); UserError naming the choices when unknown."""
    if value is None:
        return default
    if isinstance(value, Dialect):
        return value
    found = _BY_NAME.get(str(value).strip().lower())
    if found is None:
        raise UserError(f"unknown InfluxQL dialect {value!r}: expected one of {', '.join(_BY_NAME)}")
    return found
