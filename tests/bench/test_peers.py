"""The benchmark's peers at a tiny scale: DuckDB's SQL and VictoriaMetrics' MetricsQL translations
of the TSBS queries, the cross-system result check, --decimals data and the plot."""
from __future__ import annotations

import os
import re

import orjson
import pytest

from bench import devops, loader, report
from bench.queries import devops_queries

HOSTS, HOURS, SEED = 6, 2, 3


def _lp(decimals):
    return b"".join(devops.batches(HOSTS, HOURS, SEED, decimals=decimals))


@pytest.fixture(scope="module", params=[None, 2], ids=["full", "2dp"])
def loaded(request):
    """(data, tsdb store holding it) for one precision."""
    import tsdb_core
    data = _lp(request.param)
    store = tsdb_core.open()
    for part in loader.split_batches(data).parts:
        store.write("benchmark", bytes(part))
    yield data, store
    store.close()


def test_decimals_round_every_value():
    lines = _lp(2).decode().splitlines()
    values = [kv.split("=")[1] for line in lines for kv in line.split(" ")[1].split(",")]
    assert len(values) == HOSTS * HOURS * 360 * 10
    assert all(re.fullmatch(r"\d+(\.\d{1,2})?", v) for v in values), values[:20]
    assert len(set(values)) > 1000
    full = _lp(None).decode().splitlines()
    assert [line.split(" ")[0] for line in full] == [line.split(" ")[0] for line in lines]


def test_duckdb_answers_every_query_as_tsdb_does(loaded):
    pytest.importorskip("duckdb")
    from bench.duckdb_peer import DuckPeer, parse_line_protocol
    data, store = loaded
    peer = DuckPeer(threads=2)
    try:
        assert peer.load(parse_line_protocol(data)) > 0
        assert peer.disk_bytes() > 0
        for q in devops_queries(HOSTS, HOURS, seed=SEED):
            status, body = peer.run(peer.translate(q))
            ours = orjson.dumps(store.query(q.q, db="benchmark").to_json())
            assert status == 200 and report.compare_json(body, ours, ties_unordered=True) is None, q.name
            assert b'"values"' in body, q.name          # every query of the set has rows here
    finally:
        peer.close()


def test_a_differing_peer_is_a_mismatch_and_an_untranslatable_query_is_not():
    inf = report.SystemRun("influxdb")
    tsdb = report.SystemRun("tsdb", latencies={"q1": [0.001], "q2": [0.001]},
                            answers={"q1": b'{"r":[1]}', "q2": b'{"r":[2]}'})
    duck = report.SystemRun("duckdb", latencies={"q1": [0.001], "q2": [0.001]},
                            answers={"q1": b'{"r":[1.0]}', "q2": b'{"r":[2.5]}'})
    vm = report.SystemRun("victoriametrics", latencies={"q1": [0.001]}, answers={"q1": b'{"data":[]}'},
                          shaped={})
    r = report.Report(inf, [tsdb, duck, vm], ["q1", "q2"]).build()
    assert r.mismatches == {"tsdb": {}, "duckdb": {"q2": "$.r[0]: 2.5 != 2.0 (against tsdb)"},
                            "victoriametrics": {}}
    assert [r.checked(n, "q1") for n in ("duckdb", "victoriametrics")] == ["ok", "-"]
    md = r.peer_markdown()
    assert "| figure | unit | tsdb | victoriametrics | ratio |" in md
    assert "| q1 | ms | 1.00 | 1.00 | 1.00x |" in md


def test_plot_is_a_png(tmp_path):
    pytest.importorskip("matplotlib")
    runs = [report.SystemRun(n, latencies={"q1": [0.002], "q2": [0.01]}) for n in ("tsdb", "duckdb")]
    r = report.Report(report.SystemRun("influxdb"), runs, ["q1", "q2"]).build()
    assert r.plot(tmp_path / "p.png")
    assert (tmp_path / "p.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_victoriametrics_loads_answers_and_stops(loaded):
    from bench import victoria
    if not victoria.available():
        pytest.skip("victoria-metrics is not installed (apt-get install victoria-metrics)")
    data, store = loaded
    queries = devops_queries(HOSTS, HOURS, seed=SEED)
    paths = {q.name: victoria.translate(q) for q in queries}
    assert {n for n, p in paths.items() if p is None} == {
        "high-cpu-1", "high-cpu-all", "lastpoint", "groupby-orderby-limit", "raw-1-host-1-min", "count-all"}
    with victoria.VictoriaMetrics() as vm:
        pid = vm.pid
        res = loader.load_http(loader.split_batches(data), vm.port, "benchmark", 2, progress=False)
        assert res.ok, res.errors
        vm.stop()
        assert vm.force_compaction() > 0
        for q in queries:
            if paths[q.name] is None:
                continue
            body = vm._get(paths[q.name])
            answer = orjson.loads(body)
            assert answer["status"] == "success" and answer["data"], q.name
        names = {r["metric"]["__name__"] for r in orjson.loads(vm._get(paths["double-groupby-all"]))["data"]["result"]}
        assert len(names) == 10
        shaped = victoria.influx_shape_of_labels(vm._get(paths["show-tag-values-hostname"]))
        ours = orjson.dumps(store.query("SHOW TAG VALUES WITH KEY = hostname", db="benchmark").to_json())
        assert report.compare_json(shaped, ours) is None
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


def test_a_peer_answering_in_one_piece_matches_influxdbs_partial_pieces():
    pieces = orjson.dumps({"results": [{"statement_id": 0, "series": [
        {"name": "cpu", "columns": ["time", "v"], "values": [["t1", 1.0]], "partial": True},
        {"name": "cpu", "columns": ["time", "v"], "values": [["t2", 2]]}]}]})
    whole = orjson.dumps({"results": [{"statement_id": 0, "series": [
        {"name": "cpu", "columns": ["time", "v"], "values": [["t1", 1], ["t2", 2]]}]}]})
    assert report.compare_json(whole, pieces, whole_series=True) is None
    assert report.compare_json(whole, pieces) is not None           # tsdb must send the same pieces
    shorter = whole.replace(b',["t2",2]', b"")
    assert report.compare_json(shorter, pieces, whole_series=True) == "$.results[0].series[0].values: length 1 != 2"


def test_each_system_can_be_skipped_and_decimals_parse():
    from bench.compare import make_systems, parse_args
    said = []
    everyone = parse_args(["--embedded", "--decimals", "2"])
    assert everyone.decimals == 2 and parse_args([]).decimals is None
    systems = make_systems(everyone, 10, said.append)
    names = [s.name for s in systems]
    for s in systems:
        s.close()                                   # nothing started; the embedded one's folder goes
    assert names[:3] == ["influxdb", "tsdb", "tsdb-embedded"]
    assert set(names[3:]) <= {"duckdb", "victoriametrics"} and len(names) + len(said) == 5
    args = parse_args(["--skip", "influxdb,tsdb,duckdb,victoriametrics"])
    assert make_systems(args, 10, said.append) == []


def test_systems_are_asked_in_turn_every_other_run_in_reverse():
    """No system always runs right after the same one (what a server leaves running after its
    answer slows whichever is asked next), and none is asked twice in a row (warm caches, awake
    threads); every latency is still recorded per system."""
    from bench import compare

    asked = []

    class Recording(compare.System):
        def __init__(self, name):
            super().__init__(name, 1)
            self.run = lambda q: asked.append(self.name) or (200, b'{"results":[]}')

    systems = [Recording(n) for n in ("a", "b", "c")]
    bq = next(q for q in devops_queries(4, 1) if q.name == "single-groupby-1-1-1")
    compare._time_query(systems, bq, warmup=1, runs=4)
    assert asked == ["a", "b", "c", "b", "a", "c"] * 2 + ["a", "b", "c"]
    assert all(x != y for x, y in zip(asked, asked[1:]))
    from bench.turns import turn_order
    five = [turn_order(list("01234"), k) for k in range(6)]
    flat = [x for run in five for x in run]
    assert all(x != y for x, y in zip(flat, flat[1:]))
    assert five[1] == list("32104") and turn_order(list("ab"), 1) == ["a", "b"]
    assert all(len(s.result.latencies[bq.name]) == 4 and not s.result.errors for s in systems)


def test_shim_overhead_asks_victoriametrics_the_same_work():
    """bench.shim_overhead --victoria: each request's VictoriaMetrics form (none for SHOW DATABASES)."""
    from bench import shim_overhead, victoria

    todo = shim_overhead.cases(4, 1, ["single-groupby-1-1-1", "lastpoint"])
    paths = shim_overhead.victoria_paths(4, 1, todo)
    bq = next(q for q in devops_queries(4, 1) if q.name == "single-groupby-1-1-1")
    assert paths == {"GET /ping": "/health", "SHOW TAG VALUES hostname": "/api/v1/label/hostname/values",
                     "single-groupby-1-1-1": victoria.translate(bq)}  # (lastpoint: not in MetricsQL)


def test_shim_overhead_fresh_texts_ask_every_server_the_same_new_text_each_round():
    """--fresh-texts: a TSBS query drawn anew per call (warm-up and timed), VictoriaMetrics' form
    of the same draw alongside; SHOWs and /ping stay one request."""
    import types

    from bench import shim_overhead, victoria

    a = types.SimpleNamespace(hosts=4, hours=1, warmup=2, n=3, fresh_texts=True)
    paths, vm = shim_overhead.asked(a, "single-groupby-1-1-1", "SELECT ...", "benchmark", {})
    drawn = [devops_queries(4, 1, seed=s, names=["single-groupby-1-1-1"])[0] for s in range(1, 6)]
    assert paths == [shim_overhead.Client.path(bq.q, "benchmark") for bq in drawn]
    assert vm == [victoria.translate(bq) for bq in drawn] and len(set(paths)) > 1
    assert shim_overhead.asked(a, "GET /ping", None, None, {"GET /ping": "/health"}) == (["/ping"] * 5, ["/health"] * 5)
    a.fresh_texts = False
    assert shim_overhead.asked(a, "x", "SELECT 1", "db", {})[0] == [shim_overhead.Client.path("SELECT 1", "db")] * 5
