"""Arrow Flight SQL beside InfluxDB 3's own ticket on the same Flight server.

The tools that speak Flight SQL (the ADBC Flight SQL driver, pandas ``read_sql`` through it,
the Flight SQL JDBC driver, Grafana's FlightSQL source) send protobuf commands packed in a
``google.protobuf.Any`` as a FlightDescriptor command, a ticket or an action body.
:mod:`.service` answers them over the same store, token check and per-database read
permission as the InfluxDB 3 ticket; the database comes from a call header, as on InfluxDB 3.
"""
from .protocol import ACTIONS as FLIGHT_SQL_ACTIONS, is_flight_sql
from .service import DatabaseHeaderFactory, FlightSqlService

__all__ = ["FLIGHT_SQL_ACTIONS", "DatabaseHeaderFactory", "FlightSqlService", "is_flight_sql"]
