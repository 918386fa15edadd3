"""Smoke test of the reader scaling benchmark (bench/readers.py) at a tiny scale: real
reader processes on a real store, a writer beside them, the table and the JSON written."""
from __future__ import annotations

import json

from bench import readers
from bench.queries import devops_queries


def test_readers_benchmark_runs_every_level_and_writes_the_table(tmp_path, capsys):
    out = tmp_path / "out"
    assert readers.main(["--hosts", "2", "--hours", "0.5", "--readers", "1,2", "--warmup", "0",
                         "--duration", "0.5", "--with-writer", "--writer-values", "2000",
                         "--flush-interval", "0.2", "--no-progress", "--out", str(out),
                         "--dir", str(tmp_path)]) == 0
    data = json.loads((out / "readers.json").read_text())
    levels = data["levels"]
    assert [(lv["readers"], lv["with_writer"]) for lv in levels] == [(1, False), (2, False), (1, True), (2, True)]
    names = {q.name for q in devops_queries(2, 0.5)}
    for lv in levels:
        assert lv["queries"] > 0 and len(lv["per_process_qps"]) == lv["readers"]
        assert lv["qps"] == lv["queries"] / 0.5
        assert set(lv["median_ms"]) <= names and lv["median_ms"]
    assert all(lv["writer_values"] > 0 and lv["writer_flushes"] >= 1 for lv in levels[2:])
    md = (out / "readers.md").read_text()
    assert "| 1 | - |" in md and "1.00x" in md and "| lastpoint |" in md
    assert list(tmp_path.iterdir()) == [out]  # the store's temp dir is gone


def test_markdown_scales_against_one_reader_of_the_same_kind():
    def level(n, qps, writer):
        lv = {"readers": n, "with_writer": writer, "qps": qps, "per_process_qps": [qps / n] * n,
              "median_ms": {"q": 1.5}, "runs": {"q": 3}}
        if writer:
            lv.update(writer_values=100, writer_seconds=2.0, writer_flushes=4)
        return lv

    md = readers.markdown([level(1, 10.0, False), level(2, 18.0, False), level(1, 8.0, True),
                           level(2, 12.0, True)], ["q"], {"command": "x"})
    assert "| 2 | - | 18.0 | 9.0 (9.0-9.0) | 1.80x |" in md
    assert "| 2 | 50 values/s, 4 flushes | 12.0 | 6.0 (6.0-6.0) | 1.50x |" in md
    assert "| q | 1.50 (3) | 1.50 (3) | 1.50 (3) | 1.50 (3) |" in md
