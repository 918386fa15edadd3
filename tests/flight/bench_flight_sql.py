"""Latency of the TSBS devops aggregates in SQL over Arrow Flight SQL (the ADBC driver) vs the same
in InfluxQL over HTTP /query and in SQL over InfluxDB 3's own Flight ticket.

    python -m tests.flight.bench_flight_sql --hosts 100 --hours 12 --runs 15

The same data, server and queries as tests/flight/bench_flight.py; one warm-up, then the
median and p90 of ``--runs`` runs, timed from the client. Not collected by pytest.
"""
from __future__ import annotations


import httpx

from tests.flight.bench_flight import args, devops_server, queries, timed


def main(argv: list[str] | None = None) -> None:
    import adbc_driver_flightsql
    import adbc_driver_flightsql.dbapi as fs
    from influxdb_client_3 import InfluxDBClient3

    a = args(__doc__, argv)
    with devops_server(a, "tsdb-flight-sql-bench-") as (token, http_url, flight_loc):
        conn = fs.connect("grpc://" + flight_loc.split("://", 1)[1], autocommit=True, db_kwargs={
            adbc_driver_flightsql.DatabaseOptions.AUTHORIZATION_HEADER.value: f"Bearer {token}",
            "adbc.flight.sql.rpc.call_header.database": "devops"})
        client = InfluxDBClient3(host=http_url, token=token, database="devops",
                                 query_port_overwrite=int(flight_loc.rsplit(":", 1)[1]))
        http = httpx.Client(headers={"Authorization": f"Token {token}"}, timeout=120)
        print(f"{a.hosts} hosts x {a.hours} h, {a.runs} runs")
        print("| query | SQL over Flight SQL (ADBC) ms median / p90 | InfluxQL over HTTP /query ms median / p90 "
              "| SQL over the InfluxDB 3 ticket ms median / p90 | rows |")
        print("|---|---|---|---|---|")
        cur = conn.cursor()

        def adbc(sql):
            cur.execute(sql)
            return cur.fetch_arrow_table()

        for label, sql, iql in queries(a.hours):
            a_med, a_p90, table = timed(lambda: adbc(sql), a.runs)
            h_med, h_p90, _ = timed(lambda: http.get(f"{http_url}/query",
                                                     params={"db": "devops", "q": iql}).json(), a.runs)
            t_med, t_p90, _ = timed(lambda: client.query(sql, language="sql"), a.runs)
            print(f"| {label} | {a_med:.1f} / {a_p90:.1f} | {h_med:.1f} / {h_p90:.1f} | {t_med:.1f} / {t_p90:.1f} "
                  f"| {table.num_rows} |")
        cur.close()
        conn.close()
        client.close()


if __name__ == "__main__":
    main()
