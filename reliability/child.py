"""``tsdb serve`` with tiny flush/compaction thresholds (and optional query limits).

    python -m reliability.child --data-dir D --port P --no-auth [--buffer-max-rows N]
        [--max-select-point N] [--max-select-series N] [--max-select-buckets N] [--query-timeout S]
"""
from __future__ import annotations

import argparse
import logging

from tsdb_core.base.config import StoreConfig
from tsdb_http.serve import serve


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m reliability.child")
    ap.add_argument("--data-dir", required=True)
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--no-auth", action="store_true")
    ap.add_argument("--compat", default="cloud-dedicated")
    ap.add_argument("--buffer-max-rows", type=int, default=3000)
    ap.add_argument("--buffer-max-age", type=float, default=0.5)
    ap.add_argument("--compact-min-files", type=int, default=3)
    ap.add_argument("--wal-segment-bytes", type=int, default=64 * 1024)
    ap.add_argument("--max-select-point", type=int, default=0)
    ap.add_argument("--max-select-series", type=int, default=0)
    ap.add_argument("--max-select-buckets", type=int, default=0)
    ap.add_argument("--query-timeout", type=float, default=0.0)
    ap.add_argument("--read-timeout", type=float, default=None)
    ap.add_argument("--http-server", default=None, choices=["uvicorn", "hypercorn"])
    a = ap.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    cfg = StoreConfig(buffer_max_rows=a.buffer_max_rows, buffer_max_age_s=a.buffer_max_age,
                      compact_min_files=a.compact_min_files, wal_segment_bytes=a.wal_segment_bytes,
                      max_select_point=a.max_select_point, max_select_series=a.max_select_series,
                      max_select_buckets=a.max_select_buckets, query_timeout_s=a.query_timeout)
    if a.read_timeout is not None:
        import tsdb_http.serve as serve_mod

        serve_mod.READ_TIMEOUT_S = a.read_timeout
    serve(a.data_dir, port=a.port, no_auth=a.no_auth, compat=a.compat, config=cfg,
          background_interval_s=0.2, server=a.http_server)


if __name__ == "__main__":
    main()
