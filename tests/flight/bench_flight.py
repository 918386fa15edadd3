"""Latency of a SQL aggregate over Flight vs the same aggregate in InfluxQL over HTTP /query.

    python -m tests.flight.bench_flight --hosts 100 --hours 12 --runs 15

Loads TSBS devops cpu data (bench/devops.py) into a store on disk (flushed to
Parquet), starts ``serve(..., flight_port=0)`` on loopback with a token, then
times each query end to end from the client (median and p90 of ``--runs``
runs after one warm-up): SQL through the official ``influxdb3-python`` client
over Flight, InfluxQL through httpx to ``/query`` (JSON), and the same InfluxQL
over Flight for reference. Not collected by pytest (no ``test_`` prefix).
"""
from __future__ import annotations

import argparse
import contextlib
import shutil
import statistics
import tempfile
import time

import httpx

from bench.devops import START_NS, batches

HOUR = 3_600_000_000_000


def _iso(ns: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ns // 1_000_000_000))


def queries(hours: float) -> list[tuple[str, str, str]]:
    lo, hi = _iso(START_NS), _iso(START_NS + int(hours * HOUR))
    where = f"time >= '{lo}' AND time < '{hi}'"
    return [
        ("max+mean per host, whole range",
         f"SELECT hostname, max(usage_user) AS max, avg(usage_system) AS mean FROM cpu WHERE {where} "
         "GROUP BY hostname ORDER BY hostname",
         f"SELECT max(usage_user), mean(usage_system) FROM cpu WHERE {where} GROUP BY hostname"),
        ("max per hour, all hosts",
         f"SELECT date_trunc('hour', time) AS hour, max(usage_user) AS max FROM cpu WHERE {where} "
         "GROUP BY 1 ORDER BY 1",
         f"SELECT max(usage_user) FROM cpu WHERE {where} GROUP BY time(1h)"),
        ("one host, 1 h, max per minute (small answer)",
         f"SELECT date_trunc('minute', time) AS m, max(usage_user) AS max FROM cpu "
         f"WHERE hostname = 'host_0' AND time >= '{lo}' AND time < '{_iso(START_NS + HOUR)}' GROUP BY 1 ORDER BY 1",
         f"SELECT max(usage_user) FROM cpu WHERE hostname = 'host_0' AND time >= '{lo}' "
         f"AND time < '{_iso(START_NS + HOUR)}' GROUP BY time(1m)"),
    ]


def timed(fn, runs: int) -> tuple[float, float, object]:
    out = fn()  # warm-up
    samples = []
    for _ in range(runs):
        t0 = time.perf_counter()
        out = fn()
        samples.append((time.perf_counter() - t0) * 1000)
    samples.sort()
    return statistics.median(samples), samples[min(len(samples) - 1, int(len(samples) * 0.9))], out


def args(doc: str, argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=doc.splitlines()[0])
    ap.add_argument("--hosts", type=int, default=100)
    ap.add_argument("--hours", type=float, default=12)
    ap.add_argument("--runs", type=int, default=15)
    return ap.parse_args(argv)


@contextlib.contextmanager
def devops_server(a: argparse.Namespace, prefix: str):
    """A store of ``a.hosts`` x ``a.hours`` of devops cpu behind ``serve`` with HTTP and Flight on
    free ports: yields (token, HTTP URL, Flight location); stops and removes it after."""
    import tsdb_core
    from tsdb_http.serve import start_in_thread
    from tsdb_http.tokens import TokenStore

    root = tempfile.mkdtemp(prefix=prefix)
    t0 = time.perf_counter()
    with tsdb_core.open(root) as st:
        st.create_database("devops")  # infinite retention: the data set starts in 2016
        for body in batches(a.hosts, a.hours):
            st.write("devops", body)
        st.flush()
    print(f"loaded {a.hosts} hosts x {a.hours} h of devops cpu in {time.perf_counter() - t0:.1f} s ({root})")
    tokens = TokenStore(None)
    token = tokens.create("*")[0]
    handle = start_in_thread(root, tokens=tokens, flight_port=0)
    try:
        yield token, handle.url, handle.flight
    finally:
        handle.stop(30)
        shutil.rmtree(root, ignore_errors=True)


def main(argv: list[str] | None = None) -> None:
    from influxdb_client_3 import InfluxDBClient3

    a = args(__doc__, argv)
    with devops_server(a, "tsdb-flight-bench-") as (token, http_url, flight_loc):
        client = InfluxDBClient3(host=http_url, token=token, database="devops",
                                 query_port_overwrite=int(flight_loc.rsplit(":", 1)[1]))
        http = httpx.Client(headers={"Authorization": f"Token {token}"}, timeout=120)
        print("| query | SQL over Flight (influxdb3-python) ms median / p90 | InfluxQL over HTTP /query ms "
              "median / p90 | InfluxQL over Flight ms median / p90 | rows |")
        print("|---|---|---|---|---|")
        for label, sql, iql in queries(a.hours):
            s_med, s_p90, table = timed(lambda: client.query(sql, language="sql"), a.runs)
            h_med, h_p90, body = timed(lambda: http.get(f"{http_url}/query",
                                                        params={"db": "devops", "q": iql}).json(), a.runs)
            f_med, f_p90, _ = timed(lambda: client.query(iql, language="influxql"), a.runs)
            n_http = sum(len(s.get("values", [])) for s in body["results"][0].get("series", []))
            print(f"| {label} | {s_med:.1f} / {s_p90:.1f} | {h_med:.1f} / {h_p90:.1f} | {f_med:.1f} / {f_p90:.1f} "
                  f"| {table.num_rows} (HTTP {n_http}) |")
        client.close()


if __name__ == "__main__":
    main()
