"""Smoke tests of the benchmark harness pieces (bench/): no influxd, no server, seconds."""
from __future__ import annotations

import math
import re
from datetime import datetime, timezone

import orjson
import pytest

from bench import loader, report
from bench.compare import parse_args, values_in
from bench.queries import CPU_METRICS, QUERY_SET, devops_queries

START = datetime(2016, 1, 1, tzinfo=timezone.utc)
RFC = r"'(2016-01-0[12]T\d\d:\d\d:\d\dZ)'"


# -- generator ---------------------------------------------------------------------------
def _devops():
    return pytest.importorskip("bench.devops", reason="bench/devops.py (the generator) not landed yet")


def _generate(hosts: int, hours: float, seed: int) -> bytes:
    from bench.compare import _generate as gen
    return b"".join(gen(hosts, hours, seed))


def test_generator_is_deterministic():
    _devops()
    a, b = _generate(3, 0.1, 7), _generate(3, 0.1, 7)
    assert a == b
    assert _generate(3, 0.1, 8) != a


def test_generator_shape():
    _devops()
    data = _generate(2, 0.05, 1)            # 2 hosts x 3 minutes = 18 rows
    lines = data.decode().splitlines()
    assert len(lines) == 2 * 18
    assert lines[0].startswith("cpu,hostname=host_0,")
    fields = lines[0].split(" ")[1].split(",")
    assert [f.split("=")[0] for f in fields] == list(CPU_METRICS)
    assert int(lines[0].rsplit(" ", 1)[1]) == 1451606400 * 10**9


# -- query set ---------------------------------------------------------------------------
def test_query_set_renders_every_name():
    qs = devops_queries(100, 24)
    assert [q.name for q in qs] == list(QUERY_SET)
    assert len(qs) == 18


def test_query_set_is_deterministic_and_order_free():
    a = {q.name: q.q for q in devops_queries(100, 24)}
    b = {q.name: q.q for q in devops_queries(100, 24, names=list(reversed(QUERY_SET)))}
    assert a == b
    assert a != {q.name: q.q for q in devops_queries(100, 24, seed=1)}


@pytest.mark.parametrize("name,text", [
    ("lastpoint", 'SELECT * from cpu group by "hostname" order by time desc limit 1'),
    ("count-all", "SELECT count(*) from cpu"),
    ("show-tag-values-hostname", "SHOW TAG VALUES WITH KEY = hostname"),
])
def test_fixed_queries(name, text):
    assert {q.name: q.q for q in devops_queries(100, 24)}[name] == text


@pytest.mark.parametrize("name,hosts,hours,select", [
    ("single-groupby-1-1-1", 1, 1, "max(usage_user)"),
    ("single-groupby-5-8-1", 8, 1, ", ".join(f"max({m})" for m in CPU_METRICS[:5])),
    ("single-groupby-1-1-12", 1, 12, "max(usage_user)"),
    ("cpu-max-all-8", 8, 8, ",".join(f"max({m})" for m in CPU_METRICS)),
])
def test_host_window_queries(name, hosts, hours, select):
    q = {q.name: q.q for q in devops_queries(100, 24)}[name]
    m = re.fullmatch(rf"SELECT (.*) from cpu where \((.*)\) and time >= {RFC} and time < {RFC} "
                     rf"group by time\((1m|1h)\)", q)
    assert m, q
    assert m.group(1) == select
    picked = re.findall(r"hostname = 'host_(\d+)'", m.group(2))
    assert len(set(picked)) == hosts and all(0 <= int(h) < 100 for h in picked)
    lo, hi = (datetime.fromisoformat(m.group(i).replace("Z", "+00:00")) for i in (3, 4))
    assert (hi - lo).total_seconds() == hours * 3600
    assert START <= lo and hi <= datetime(2016, 1, 2, tzinfo=timezone.utc)


def test_windows_clamped_to_a_short_data_set_and_big_host_counts_dropped():
    qs = {q.name: q.q for q in devops_queries(4, 2)}
    assert "single-groupby-1-8-1" not in qs and "cpu-max-all-8" not in qs
    assert "time >= '2016-01-01T00:00:00Z' and time < '2016-01-01T02:00:00Z'" in qs["double-groupby-1"]
    assert "usage_user > 90.0  and time >=" in qs["high-cpu-all"]       # TSBS's double space


# -- loader ------------------------------------------------------------------------------
def test_split_batches_cuts_on_line_boundaries():
    data = b"".join(b"cpu v=%d %d\n" % (i, i) for i in range(12))
    b = loader.split_batches(data, lines_per_batch=5)
    assert [bytes(p).count(b"\n") for p in b.parts] == [5, 5, 2]
    assert b"".join(bytes(p) for p in b.parts) == data and b.lines == 12
    assert loader.split_batches(b"a v=1 1\nb v=2 2", 5).lines == 2          # no final newline


def test_values_in_counts_fields_per_line():
    b = loader.split_batches(b"cpu,h=a x=1,y=2,z=3 1\ncpu,h=b x=1,y=2,z=3 2\n")
    assert values_in(b) == 6


def test_loader_posts_every_batch_to_a_sink():
    data = b"".join(b"cpu v=%d %d\n" % (i, i) for i in range(40))
    b = loader.split_batches(data, lines_per_batch=7)
    res = loader.sink_throughput(b, workers=3)
    assert res.ok and res.batches == 6 and res.bytes == len(data) and res.seconds > 0


def test_parse_args_scales():
    a = parse_args(["--scale", "large", "--workers", "1,4"])
    assert (a.hosts, a.hours, a.workers) == (1000, 24, [1, 4])
    assert (parse_args(["--hosts", "7"]).hosts, parse_args([]).hours) == (7, 24)


# -- report math -------------------------------------------------------------------------
@pytest.mark.parametrize("ours,theirs,same", [
    ('{"v":[90.0]}', '{"v":[90]}', True),
    ('{"v":[0.1]}', '{"v":[0.10000000000000002]}', True),
    ('{"v":[0.1]}', '{"v":[0.1001]}', False),
    ('{"v":[1,2]}', '{"v":[2,1]}', False),                 # order matters
    ('{"v":null}', '{"v":0}', False),
    ('{"a":1}', '{"a":1,"b":2}', False),
])
def test_compare_json(ours, theirs, same):
    assert (report.compare_json(ours, theirs) is None) is same


def test_first_difference_names_the_path():
    d = report.compare_json('{"results":[{"series":[{"values":[[1,2.5]]}]}]}',
                            '{"results":[{"series":[{"values":[[1,2.6]]}]}]}')
    assert d == "$.results[0].series[0].values[0][1]: 2.5 != 2.6"


def test_ties_unordered_compares_rows_of_equal_time_as_a_set():
    """A peer's own order among rows of equal time (DuckDB's, VictoriaMetrics') is no
    difference; another value or another time still is."""
    heap = '{"results":[{"series":[{"values":[[1,"b",2],[1,"a",1],[2,"a",3]]}]}]}'
    by_key = '{"results":[{"series":[{"values":[[1,"a",1],[1,"b",2],[2,"a",3]]}]}]}'
    other = '{"results":[{"series":[{"values":[[1,"a",1],[1,"b",2],[2,"a",4]]}]}]}'
    assert report.compare_json(heap, by_key) == "$.results[0].series[0].values[0][1]: 'b' != 'a'"
    assert report.compare_json(heap, by_key, ties_unordered=True) is None
    assert report.compare_json(heap, other, ties_unordered=True) == "$.results[0].series[0].values[2][2]: 3.0 != 4.0"


def test_geomean_and_ratio():
    assert report.geomean([0.5, 2.0]) == pytest.approx(1.0)
    assert report.geomean([0.25, 0.25, 4.0]) == pytest.approx(0.25 ** (1 / 3))
    assert math.isnan(report.geomean([]))
    assert report.ratio(3.0, 2.0) == 1.5 and math.isnan(report.ratio(1.0, 0.0))


def _runs():
    inf = report.SystemRun("influxdb", values=1000, disk_bytes=4000, peak_rss=200 * 2**20,
                           ingest_by_workers={2: 100.0, 4: 50.0},
                           latencies={"q1": [0.010, 0.030, 0.020], "q2": [0.004] * 3},
                           answers={"q1": b'{"r":[1.0]}', "q2": b'{"r":[2]}'})
    ours = report.SystemRun("tsdb", values=1000, disk_bytes=2000, peak_rss=100 * 2**20,
                            ingest_by_workers={2: 150.0, 4: 300.0},
                            latencies={"q1": [0.005, 0.005, 0.005], "q2": [0.008] * 3},
                            answers={"q1": b'{"r":[1]}', "q2": b'{"r":[3]}'})
    return inf, ours


def test_report_rows_ratios_and_mismatches():
    inf, ours = _runs()
    r = report.Report(inf, [ours], ["q1", "q2"]).build()
    rows = {row.figure: row for row in r.rows}
    assert rows["ingest"].influx == 100.0 and rows["ingest"].ratios["tsdb"] == 3.0
    assert rows["disk"].influx == 4.0 and rows["disk"].ratios["tsdb"] == 0.5
    assert rows["peak RSS (load)"].ratios["tsdb"] == 0.5
    assert rows["q1"].influx == pytest.approx(20.0) and rows["q1"].ratios["tsdb"] == pytest.approx(0.25)
    assert rows["q2"].ratios["tsdb"] == pytest.approx(2.0)
    assert r.geomeans["tsdb"] == pytest.approx(math.sqrt(0.25 * 2.0))
    assert list(r.mismatches["tsdb"]) == ["q2"]


def test_report_markdown_table():
    inf, ours = _runs()
    md = report.Report(inf, [ours], ["q1", "q2"], {"command": "python -m bench.compare"}).build().markdown()
    assert "- command: python -m bench.compare" in md
    assert "| figure | unit | InfluxDB 1.6.7 | tsdb | ratio | same result |" in md
    assert "| q1 | ms | 20.0 | 5.00 | 0.25x | ok |" in md
    assert "| q2 | ms | 4.00 | 8.00 | 2.00x ! | DIFF |" in md
    assert "| ingest | values/s | 100 | 300 | 3.00x |  |" in md
    assert "- `q2`: $.r[0]: 3.0 != 2.0" in md          # ours first, then InfluxDB


def test_missing_answer_is_a_mismatch():
    inf, ours = _runs()
    del ours.answers["q1"], ours.latencies["q1"]
    r = report.Report(inf, [ours], ["q1", "q2"]).build()
    assert r.mismatches["tsdb"]["q1"] == "no answer"
    assert math.isnan({row.figure: row for row in r.rows}["q1"].ratios["tsdb"])


def test_normalise_keeps_json_types():
    assert report.normalise({"a": [1, True, None, "x"]}) == {"a": [1.0, True, None, "x"]}
    assert orjson.dumps(report.normalise(0.30000000000000004)) == b"0.3"


# -- profile summaries -------------------------------------------------------------------
def test_profile_summary_counts_self_and_inclusive_time(tmp_path):
    from bench import profile
    raw = tmp_path / "raw.txt"
    raw.write_text(
        "main (a.py:1);parse (/work/main/tsdb_core/ingest/lp.py:10) 6\n"
        "main (a.py:1);scan (/x/site-packages/polars/io.py:5) 3\n"
        "loop (asyncio/base_events.py:1);select (selectors.py:9) 50\n"
        "main (a.py:1) 1\n")
    text = profile.summarise(raw, top=3, title="t")
    assert text.startswith("== t: 60 samples, 10 busy (not waiting)")
    assert "  60.0%  parse (tsdb_core/ingest/lp.py)" in text
    assert "  30.0%  polars/io.py" in text
    assert "  60.0%  tsdb_core/ingest/lp.py:10 parse\n" in text
    assert "  40.0%  (outside tsdb code" in text
    assert "  60.0%  parse (tsdb_core/ingest/lp.py)" in text.split("inclusive")[1]


def test_rss_is_marked_against_two_gib_not_the_ratio():
    from bench.report import Report, SystemRun

    inf, ours = SystemRun("influxdb"), SystemRun("tsdb")
    inf.peak_rss, ours.peak_rss = 300 * 2**20, 600 * 2**20  # twice influxd's, well under 2 GiB
    rep = Report(inf, [ours], []).build()
    [row] = [r for r in rep.rows if r.figure == "peak RSS (load)"]
    assert rep._cells(row)[3:5] == ["600", "2.00x"]
    ours.peak_rss = 3 * 2**30
    rep = Report(inf, [ours], []).build()
    [row] = [r for r in rep.rows if r.figure == "peak RSS (load)"]
    assert rep._cells(row)[4] == "10.24x !"


def test_objectstore_bench_at_a_tiny_scale(capsys):
    """``python -m bench.objectstore``: local vs the S3 server, every query in three states."""
    pytest.importorskip("moto.server", reason="moto[server] is not installed (the test extra)")
    from bench import objectstore

    objectstore.main(["--hosts", "2", "--hours", "0.25", "--runs", "1", "--no-progress"])
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("ingest values/s") and "s3/local" in lines[0]
    assert lines[2].split() == ["median", "ms", "local", "cold", "local", "warm", "local", "hot", "s3", "cold",
                                "s3", "warm", "s3", "hot", "ratio", "cold", "ratio", "warm", "ratio", "hot"]
    rows = {line.split()[0]: [float(x) for x in line.split()[1:]] for line in lines[3:]}
    assert {q.name for q in devops_queries(2, 0.25)} == set(rows)
    assert all(len(v) == 9 and all(x >= 0 for x in v) for v in rows.values())


def test_direct_lane_counts_and_times_a_request(tmp_path):
    from bench import direct_lane
    from bench.queries import devops_queries
    from bench.shim_overhead import build_store

    build_store(tmp_path, 2, 1)
    q = devops_queries(2, 1, names=["single-groupby-1-1-1"])[0].q
    got = direct_lane.child(str(tmp_path), [q], 2)[q]
    assert 50 < got["calls"] < 2000  # (a request is a few hundred calls)
    assert got["warm"] > 0 and len(got["body"]) == 64
