"""Latency of the TSBS devops aggregates in SQL over Arrow Flight SQL (the ADBC driver) vs the same
in InfluxQL over HTTP /query and in SQL over InfluxDB 3's own Flight ticket.

    python -m tests.flight.bench_flight_sql --hosts 100 --hours 12 --runs 15

The same data, server and queries as tests/flight/bench_flight.py; one warm-up, then the
median and p90 of ``--runs`` runs, timed from the client. Not collected by pytest.
"""
from __future__ import annotations

import argparse
import shutil
import tempfile
import threading
import time

import httpx

from bench.devops import batches
from tests.flight.bench_flight import queries, timed


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--hosts", type=int, default=100)
    ap.add_argument("--hours", type=float, default=12)
    ap.add_argument("--runs", type=int, default=15)
    a = ap.parse_args(argv)

    import adbc_driver_flightsql
    import adbc_driver_flightsql.dbapi as fs
    import tsdb_core
    from influxdb_client_3 import InfluxDBClient3
    from tsdb_http.serve import serve
    from tsdb_http.tokens import TokenStore

    root = tempfile.mkdtemp(prefix="tsdb-flight-sql-bench-")
    with tsdb_core.open(root) as st:
        st.create_database("devops")  # infinite retention: the data set starts in 2016
        for body in batches(a.hosts, a.hours):
            st.write("devops", body)
        st.flush()
    tokens = TokenStore(None)
    token = tokens.create("*")[0]
    stop, ready, urls = threading.Event(), threading.Event(), []
    th = threading.Thread(target=serve, args=(root,), daemon=True,
                          kwargs=dict(port=0, stop=stop, ready=ready, url_out=urls, tokens=tokens, flight_port=0))
    th.start()
    ready.wait(60)
    http_url, flight_loc = urls
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
        h_med, h_p90, _ = timed(lambda: http.get(f"{http_url}/query", params={"db": "devops", "q": iql}).json(),
                                a.runs)
        t_med, t_p90, _ = timed(lambda: client.query(sql, language="sql"), a.runs)
        print(f"| {label} | {a_med:.1f} / {a_p90:.1f} | {h_med:.1f} / {h_p90:.1f} | {t_med:.1f} / {t_p90:.1f} "
              f"| {table.num_rows} |")
    cur.close()
    conn.close()
    client.close()
    stop.set()
    th.join(30)
    shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
