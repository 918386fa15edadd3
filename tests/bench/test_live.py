"""bench.live at a tiny scale: every phase timed for every query, in process and over HTTP,
the fresh store's answers checked against the settled store's."""
from __future__ import annotations

import re

from bench import live
from bench.queries import devops_queries


def test_live_bench_times_every_phase_of_every_query(tmp_path):
    out = tmp_path / "out"
    code = live.main(["--mode", "both", "--hosts", "3", "--hours", "1", "--runs", "2", "--live-share", "0.5",
                      "--feed-rate", "500", "--feed-batch", "20", "--out", str(out), "--data-dir", str(tmp_path)])
    assert code == 0
    text = (out / "live.md").read_text()
    for mode in ("embedded", "http"):
        table = text.split(f"### {mode}")[1].split("\n\n")[1]
        names = [row.split("|")[1].strip() for row in table.splitlines()[2:]]
        assert names == [q.name for q in devops_queries(3, 1)]
        for row in table.splitlines()[2:]:
            cells = [c.strip() for c in row.split("|")[2:-1]]
            assert len(cells) == 6 and all(re.fullmatch(r"\d+\.\d\d", c) for c in cells), row
        assert re.search(rf"{mode}: live: [12] of 2 rounds while the feeder wrote", text)
    assert "Over 1.5x the settled store:" in text


def test_fresh_answers_differing_from_settled_ones_are_reported():
    ph = live.Phases()
    ph.answers["fresh"] = {"a": b'{"results":[{"statement_id":0}]}', "b": b'{"results":[1]}'}
    ph.answers["settled"] = {"a": b'{"results":[{"statement_id":0}]}', "b": b'{"results":[2]}'}
    assert live.differing(ph) == ["b"]
