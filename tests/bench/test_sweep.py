"""The scale sweep at a tiny scale: one bench.compare process per scale, its figures.json, the
cost-per-value table and plot; and the pieces that let the 1,000-host file be loaded without
holding it (a mapped file split a slice at a time, DuckDB's frame parsed chunk by chunk)."""
from __future__ import annotations

import math

import orjson
import pytest

from bench import devops, loader, sweep
from bench.queries import devops_queries, values_selected


def _query(name: str, hosts: int = 100, hours: float = 24):
    return next(q for q in devops_queries(hosts, hours) if q.name == name)


def test_values_selected_counts_hosts_points_and_fields():
    assert values_selected(_query("double-groupby-1"), 100, 24) == 100 * 12 * 360 * 1
    assert values_selected(_query("double-groupby-all"), 100, 24) == 100 * 12 * 360 * 10
    assert values_selected(_query("single-groupby-5-8-1"), 100, 24) == 8 * 360 * 5
    assert values_selected(_query("cpu-max-all-8"), 100, 24) == 8 * 8 * 360 * 10
    assert values_selected(_query("raw-1-host-1-min"), 100, 24) == 1 * 6 * 10
    assert values_selected(_query("count-all"), 100, 24) == 8_640_000
    assert values_selected(_query("lastpoint"), 1000, 24) == 86_400_000
    assert values_selected(_query("show-tag-values-hostname"), 100, 24) == 100
    # groupby-orderby-limit: every host's usage_user before a random end
    q = _query("groupby-orderby-limit")
    assert 0 < values_selected(q, 100, 24) < 100 * 8640 and values_selected(q, 100, 24) % 100 == 0


def test_a_mapped_file_splits_as_its_bytes_do_and_chunks_are_whole_lines(tmp_path):
    data = b"".join(devops.batches(3, 0.5, 7))
    path = tmp_path / "d.lp"
    path.write_bytes(data)
    whole = loader.split_batches(data, 100)
    mapped = loader.map_file(path, 100)
    sliced = loader.split_batches(data, 100, scan_bytes=997)       # newlines found a slice at a time
    assert whole.lines == mapped.lines == sliced.lines == 540
    assert [bytes(p) for p in whole.parts] == [bytes(p) for p in mapped.parts] == [bytes(p) for p in sliced.parts]
    chunks = [bytes(c) for c in mapped.chunks(2)]
    assert len(chunks) == 3 and b"".join(chunks) == data and all(c.endswith(b"\n") for c in chunks)
    empty = tmp_path / "e.lp"
    empty.write_bytes(b"")
    assert loader.map_file(empty).lines == 0


def test_duckdb_frame_parsed_by_chunks_is_the_frame_parsed_whole():
    pytest.importorskip("polars")
    from bench.duckdb_peer import parse_line_protocol
    batches = loader.split_batches(b"".join(devops.batches(4, 0.3, 5)), 50)
    whole = parse_line_protocol(batches.data)
    assert parse_line_protocol(batches.chunks(3)).equals(whole)
    assert whole.height == 4 * 108
    assert whole["hostname"].rle_id().max() == 3                      # by series, then time
    assert whole["time"].head(108).is_sorted() and whole["hostname"].head(108).n_unique() == 1


def _figures(hosts: int, *, ingest: float, disk: int, medians: dict, mismatches=None, left_out=None) -> dict:
    return {"meta": {"command": f"python -m bench.compare --hosts {hosts}", "date": "d", "code": "c"},
            "hosts": hosts, "values": hosts * 1000,
            "selected": {"q1": hosts * 10, "q2": 50, "show": hosts},
            "systems": [{"name": "tsdb", "ingest_rate": ingest, "disk_bytes": disk, "medians_ms": medians,
                         "errors": {}},
                        {"name": "duckdb", "ingest_rate": None, "disk_bytes": None,
                         "medians_ms": {"q1": 1.0}, "errors": {"q2": "boom"}}],
            "mismatches": mismatches or {}, "left_out": left_out or {"influxdb": "--skip"}}


def test_cost_per_value_table_from_figures():
    small = sweep.Scale(10, _figures(10, ingest=2e6, disk=50_000, medians={"q1": 1.0, "q2": 0.5, "show": 0.1}))
    large = sweep.Scale(100, _figures(100, ingest=1e6, disk=250_000, medians={"q1": 5.0, "q2": 0.5}))
    rows = {(r[0], r[1]): r[2:] for r in sweep.summary_rows([small, large])}
    assert rows[("ingest, s per M values", "tsdb")] == ["0.50", "1.00", "2.00x"]
    assert rows[("disk, bytes/value", "tsdb")] == ["5.00", "2.50", "0.50x"]
    # q1 (over every host): 1 ms / 100 values = 10,000 ns, then 5 ms / 1,000 = 5,000;
    # q2 (a fixed set): 0.5 ms / 50 = 10,000 at both; show: not answered at 100 hosts, left out
    assert rows[("queries over every host, ns per value selected (geomean)", "tsdb")] == ["10,000", "5,000", "0.50x"]
    assert rows[("queries over 1-8 hosts, ns per value selected (geomean)", "tsdb")] == ["10,000", "10,000", "1.00x"]
    assert rows[("all queries, median ms (geomean)", "tsdb")] == [
        sweep.fmt(math.sqrt(0.5)), sweep.fmt(math.sqrt(2.5)), f"{math.sqrt(5):.2f}x"]
    assert rows[("ingest, s per M values", "duckdb")] == ["n/a", "n/a", "n/a"]
    per_query = [r for r in sweep.query_rows([small, large]) if r[0] == "q1"]
    assert per_query == [["q1", "100 / 1,000", "tsdb", "10,000", "5,000", "0.50x"],
                         ["q1", "", "duckdb", "10,000", "1,000", "0.10x"]]
    notes = sweep.left_out_lines([small, large])
    assert notes[0] == "influxdb left out at 10, 100 hosts: --skip"
    assert "10 hosts: duckdb q2: boom" in notes


def test_report_exits_1_when_answers_differed_or_a_scale_failed(tmp_path):
    from rich.console import Console
    with open(tmp_path / "log", "w") as log:
        _check_report_exit_codes(tmp_path, Console(file=log, width=200))


def _check_report_exit_codes(tmp_path, console):
    ok = sweep.Scale(10, _figures(10, ingest=1e6, disk=1, medians={"q1": 1.0}))
    bad = sweep.Scale(100, _figures(100, ingest=1e6, disk=1, medians={"q1": 1.0},
                                    mismatches={"duckdb": {"q1": "$.x: 1 != 2"}}))
    assert sweep.report([ok], [], tmp_path / "a", console) == 0
    assert sweep.report([ok, bad], [], tmp_path / "b", console) == 1
    assert "RESULTS DIFFER, duckdb: q1" in (tmp_path / "b" / "sweep.md").read_text()
    assert sweep.report([ok], ["100 hosts: bench.compare exited with 2"], tmp_path / "c", console) == 1
    assert sweep.report([], [], tmp_path / "d", console) == 1


def test_sweep_runs_each_scale_in_its_own_process_and_reuses_figures(tmp_path, monkeypatch):
    """Two tiny scales through the real bench.compare (tsdb in process, DuckDB if installed)."""
    out = tmp_path / "sweep"
    argv = ["--hosts", "3,2", "--hours", "0.1", "--runs", "2,1", "--warmup", "0", "--out", str(out),
            "--data-dir", str(tmp_path / "data"), "--skip", "influxdb,tsdb,victoriametrics", "--embedded",
            "--workers", "1", "--no-sink", "--no-progress", "--disk-settle", "0"]
    assert sweep.main(argv) == 0
    figs = {h: orjson.loads((out / f"h{h}" / "figures.json").read_bytes()) for h in (2, 3)}
    assert figs[2]["values"] == 2 * 36 * 10 and figs[3]["values"] == 3 * 36 * 10
    emb = next(s for s in figs[3]["systems"] if s["name"] == "tsdb-embedded")
    assert set(emb["runs"].values()) == {2} and emb["disk_bytes"] > 0      # runs follow their scale
    assert set(next(s for s in figs[2]["systems"] if s["name"] == "tsdb-embedded")["runs"].values()) == {1}
    md = (out / "sweep.md").read_text()
    row = next(line for line in md.splitlines() if line.startswith("| disk, bytes/value | tsdb-embedded |"))
    e2 = next(s for s in figs[2]["systems"] if s["name"] == "tsdb-embedded")
    assert row.split(" | ")[2] == sweep.fmt(e2["disk_bytes"] / figs[2]["values"])
    assert "| 2 hosts | 3 hosts | 3 / 2 |" in md
    assert "| 3 hosts (full) | ingest, M values/s |" in (out / "peers.md").read_text()
    assert (out / "cost-per-value.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" or not _has_matplotlib()

    def no_rerun(*a, **k):
        raise AssertionError("a scale with figures was run again")
    monkeypatch.setattr(sweep, "run_scale", no_rerun)
    assert sweep.main(argv + ["--reuse"]) == 0
    assert sweep.main(argv + ["--report-only", "--hosts", "2,3,5", "--runs", "1"]) == 0   # 5: no figures, not run
    assert "| 2 hosts | 3 hosts | 3 / 2 |" in (out / "sweep.md").read_text()


def _has_matplotlib() -> bool:
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return False
    return True


def test_peer_table_shows_both_precisions_per_scale(tmp_path):
    from bench import peer_table
    full = _figures(100, ingest=2e6, disk=700_000, medians={"lastpoint": 5.0, "count-all": 3.0})
    two = _figures(100, ingest=4e6, disk=300_000, medians={"lastpoint": 4.0})
    for name, figs in (("h100", full), ("h100-2dp", two), ("h1000", full)):
        (tmp_path / name).mkdir()
        (tmp_path / name / "figures.json").write_bytes(orjson.dumps(figs))
    md = peer_table.table(tmp_path, [10, 100, 1000])
    assert "10 hosts" not in md
    rows = [line.split(" | ") for line in md.splitlines()[2:]]
    by = {(r[0].strip("| "), r[1]): r[2:] for r in rows}
    assert by[("100 hosts (2 decimals / full)", "ingest, M values/s")][0] == "4.00 / 2.00"
    assert [r for r in rows if r[1] == "disk, bytes/value"][0][2] == "3.00 / 7.00"
    assert [r for r in rows if r[1] == "count-all, ms"][0][2] == "- / 3.00"      # not run at 2 decimals
    assert [r for r in rows if r[1] == "lastpoint, ms"][1][2] == "5.00"          # 1,000 hosts: full only
    assert [r for r in rows if r[1] == "lastpoint, ms"][0][3] == "-"             # tsdb-embedded: not run
    assert "1,000 hosts (full)" in md


def test_an_interrupted_run_leaves_partial_figures_that_reuse_runs_again(tmp_path, monkeypatch):
    from bench import compare
    out = tmp_path / "sweep"
    real, asked = compare._time_query, []

    def stop_at_the_second(systems, bq, warmup, runs):
        asked.append(bq.name)
        if len(asked) == 2:
            raise KeyboardInterrupt
        real(systems, bq, warmup, runs)

    monkeypatch.setattr(compare, "_time_query", stop_at_the_second)
    with pytest.raises(KeyboardInterrupt):
        compare.main(["--hosts", "2", "--hours", "0.1", "--runs", "1", "--warmup", "0", "--out", str(out / "h2"),
                      "--data-dir", str(tmp_path / "data"), "--skip", "influxdb,tsdb,duckdb,victoriametrics",
                      "--embedded", "--workers", "1", "--no-sink", "--no-progress", "--disk-settle", "0",
                      "--queries", "lastpoint,count-all"])
    figs = orjson.loads((out / "h2" / "figures.json").read_bytes())
    assert figs["meta"]["partial"] == "stopped after: 1 of 2 queries timed"
    (emb,) = figs["systems"]
    assert emb["name"] == "tsdb-embedded" and list(emb["medians_ms"]) == ["lastpoint"] and emb["disk_bytes"] > 0
    assert asked == ["lastpoint", "count-all"]

    reran = []
    monkeypatch.setattr(sweep, "run_scale", lambda hosts, *a: reran.append(hosts) or 0)
    assert sweep.main(["--hosts", "2", "--out", str(out), "--reuse"]) == 1          # partial: run again
    assert reran == [2]
    assert "2 hosts: PARTIAL run, stopped after: 1 of 2 queries timed" in (out / "sweep.md").read_text()


def test_disk_is_measured_after_replaced_files_are_gone(tmp_path):
    """tsdb deletes the files a compaction replaced after a grace period: measure after it."""
    import threading
    from bench import procstat
    (tmp_path / "kept").write_bytes(b"k" * 8192)
    (tmp_path / "replaced").write_bytes(b"r" * 65536)
    threading.Timer(0.5, (tmp_path / "replaced").unlink).start()
    before = procstat.dir_bytes(tmp_path)
    after = procstat.settled_bytes(tmp_path, at_least=1.0, settle=0.5, timeout=30)
    assert before > after == procstat.dir_bytes(tmp_path) > 0
