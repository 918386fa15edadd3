"""What writing a /query JSON answer costs, against orjson and against a pre-built answer.

    python -m bench.json_encode [--runs 15] [--rows 37765] [--frame ANSWER.parquet] [--cpu]

For TSBS-shaped answers (high-cpu-all: time, 10 tags, 10 float fields; and small ones:
one row, single-groupby's 12 rows, double-groupby-1's 100 series x 12 rows, SHOW TAG
VALUES' 100 rows) it times, median of ``--runs`` (milliseconds):

- ``rows``: the rows path (``encode_json`` of Python rows, Go's float forms fixed up);
- ``frame``: a frame-backed series written from its columns (``json_pieces``: Polars' CSV
  writer, compact, or column by column, pretty), the path answers of ``FRAME_ROWS`` rows and
  more take, its pieces joined into one body;
  ``frame stream``: the same pieces taken one by one (what the server does with them);
- ``rows e2e``: building the Python rows from the frame (what the core did for every
  answer) plus ``rows``: the end-to-end cost the frame path replaces;
- ``orjson``: ``orjson.dumps`` of the same Python structure (no Go forms: a lower bound
  for any encoder working from Python rows); ``orjson e2e``: building those rows from the
  frame, then ``orjson.dumps``;
- ``floor``: copying the answer's bytes (a pre-built body);
- ``first``: the frame path's time to its first values piece.
- ``block``: double-groupby-1's 100 series sharing one ``SeriesBlock`` (as the core hands
  a GROUP BY answer over), written from the block's columns, against ``rows e2e`` (the
  block's Python rows built, then the rows path) and ``orjson e2e``.

- ``block json epoch=ms``/``block csv``/``block msgpack``...: the same 100 series (3 columns,
  int ns times) in the other forms, from the block (times converted in place, rows built
  only where an encoder still needs them); ``block v3 ...``: InfluxDB 3's CSV and msgpack
  (its msgpack's RFC 3339 times rewritten in the block as the core hands them over).
- ``csv``/``msgpack frame`` and ``... rows e2e``: the same answer (times as int ns) in CSV
  and msgpack, written from the frame and through Python rows built from it; ``v3 csv``/
  ``v3 msgpack``: the same in InfluxDB 3's forms (its msgpack with the RFC 3339 times);
  ``msgpack prebuilt``: ``msgpack.packb`` of pre-built rows.

Both paths' bytes are checked equal before timing. ``--frame`` takes the answer's frame
from a Parquet file (a real query's ``Series.frame``) instead of the generated one;
``--cpu`` times CPU seconds of the process (steadier on a busy machine) instead of wall time.
"""
from __future__ import annotations

import argparse
import statistics
import time

import msgpack
import numpy as np
import orjson
import polars as pl

from tsdb_core import Series, SeriesBlock, StatementResult
from tsdb_core.query.influxdb3 import v3_times
from tsdb_core.query.results import frame_rows, rfc3339_times
from tsdb_http import encode_v3
from tsdb_http.encode import CSV, JSON, MSGPACK, Encoder, Response, encode_json, json_pieces, render_times

TAGS = ("arch", "datacenter", "hostname", "os", "rack", "region", "service", "service_environment",
        "service_version", "team")
FIELDS = ("usage_guest", "usage_guest_nice", "usage_idle", "usage_iowait", "usage_irq", "usage_nice",
          "usage_softirq", "usage_steal", "usage_system", "usage_user")


def high_cpu_frame(rows: int, seed: int = 7) -> pl.DataFrame:
    """time (RFC3339 text), 10 tag strings, 10 float fields: the shape of high-cpu-all's answer."""
    rng = np.random.default_rng(seed)
    t = 1451646018_000_000_000 + np.sort(rng.integers(0, 12 * 3600, rows)) * 1_000_000_000
    cols: dict[str, pl.Series] = {"time": pl.Series(rfc3339_times(t))}
    for i, tag in enumerate(TAGS):
        cols[tag] = pl.Series([f"{tag[:4]}_{v}" for v in rng.integers(0, 10 + 10 * i, rows)])
    for f in FIELDS:
        cols[f] = pl.Series(rng.uniform(0, 100, rows))
    return pl.DataFrame(cols)


def _rows_series(name, tags, columns, rows) -> Series:
    return Series(name, tags, columns, rows)


def small_cases() -> dict[str, Response]:
    rng = np.random.default_rng(3)
    times = rfc3339_times(np.arange(12) * 3_600_000_000_000 + 1451606400_000_000_000)
    one = [StatementResult(0, [_rows_series("cpu", None, ["time", "max"], [[times[0], 91.5]])])]
    single = [StatementResult(0, [_rows_series("cpu", None, ["time", "max"],
                                               [[t, float(v)] for t, v in zip(times, rng.uniform(0, 100, 12))])])]
    double = [StatementResult(0, [_rows_series("cpu", {"hostname": f"host_{h}"}, ["time", "mean"],
                                               [[t, float(v)] for t, v in zip(times, rng.uniform(0, 100, 12))])
                                  for h in range(100)])]
    show = [StatementResult(0, [Series("cpu", None, ["key", "value"],
                                       [["hostname", f"host_{h}"] for h in range(100)], no_floats=True)])]
    return {"1 row": Response(one), "single-groupby (12 rows)": Response(single),
            "double-groupby-1 (100x12)": Response(double), "show tag values (100)": Response(show)}


CLOCK = time.perf_counter  # (--cpu: time.process_time)


def medians_ms(fns: dict, runs: int) -> list[tuple[str, float, float]]:
    """(name, median ms, min ms) of each function, run in turns (round after round) so they
    share the machine's noise (the min: the least disturbed run)."""
    times: dict[str, list[float]] = {k: [] for k in fns}
    for k, fn in fns.items():
        fn()  # warm
    for _ in range(runs):
        for k, fn in fns.items():
            t = CLOCK()
            fn()
            times[k].append(CLOCK() - t)
    return [(k, statistics.median(v) * 1e3, min(v) * 1e3) for k, v in times.items()]


def _first_piece(frame: pl.DataFrame, columns: list[str]) -> None:
    it = json_pieces(Response([StatementResult(0, [Series("cpu", None, columns, frame=frame)])]))
    next(it)
    next(it)  # the first values piece


def big(frame: pl.DataFrame, runs: int) -> list[tuple[str, float]]:
    columns = frame.columns

    def frame_resp():
        return Response([StatementResult(0, [Series("cpu", None, columns, frame=frame)])])

    rows_list = frame_rows(frame)

    def rows_resp():
        return Response([StatementResult(0, [Series("cpu", None, columns, rows_list)])])

    body = encode_json(rows_resp())
    assert encode_json(frame_resp()) == body, "the frame path's bytes differ from the rows path's"
    plain = rows_resp().results[0].to_json()
    return medians_ms({
        "rows": lambda: encode_json(rows_resp()),
        "frame": lambda: b"".join(json_pieces(frame_resp())),
        "frame stream": lambda: sum(map(len, json_pieces(frame_resp()))),
        "rows e2e": lambda: encode_json(Response([StatementResult(0, [Series("cpu", None, columns,
                                                                            frame_rows(frame))])])),
        "orjson e2e": lambda: orjson.dumps({"results": [{"statement_id": 0, "series": [
            {"name": "cpu", "columns": columns, "values": frame_rows(frame)}]}]}),
        "orjson": lambda: orjson.dumps({"results": [plain]}),
        "floor": lambda: bytearray(body),
        "first": lambda: _first_piece(frame, columns)}, runs), len(body) / 1e6


def formats(frame: pl.DataFrame, runs: int) -> list[tuple[str, float, float]]:
    """CSV and msgpack of the answer (1.x's and, ``v3 ...``, InfluxDB 3's forms): from the
    frame, and through Python rows built from it. Times as int ns, except InfluxDB 3's
    msgpack, which sends the RFC 3339 text."""
    ns = frame.with_columns(pl.Series(frame.columns[0], 1451646018_000_000_000 + np.arange(frame.height) * 10**9))
    columns = ns.columns

    def resp(f: pl.DataFrame, rows: bool) -> Response:
        s = Series("cpu", None, columns, frame_rows(f)) if rows else Series("cpu", None, columns, frame=f)
        return Response([StatementResult(0, [s])])

    fns = {}
    for kind, label, v3, f in ((CSV, "csv", False, ns), (MSGPACK, "msgpack", False, ns),
                               (CSV, "v3 csv", True, ns), (MSGPACK, "v3 msgpack", True, frame)):
        assert Encoder(kind, v3=v3).encode(resp(f, False)) == Encoder(kind, v3=v3).encode(resp(f, True)), label
        fns[f"{label} frame"] = lambda k=kind, v=v3, f=f: b"".join(Encoder(k, v3=v).pieces(resp(f, False)))
        fns[f"{label} rows e2e"] = lambda k=kind, v=v3, f=f: Encoder(k, v3=v).encode(resp(f, True))
    prebuilt = frame_rows(ns)
    fns["msgpack prebuilt"] = lambda: msgpack.packb(prebuilt)
    return medians_ms(fns, runs)


def small(runs: int) -> dict[str, list[tuple[str, float]]]:
    out = {}
    for label, resp in small_cases().items():
        body = encode_json(resp)
        plain = {"results": [r.to_json() for r in resp.results]}
        out[label] = medians_ms({"rows": lambda r=resp: encode_json(r), "orjson": lambda p=plain: orjson.dumps(p),
                                 "floor": lambda b=body: bytearray(b)}, runs)
    return out


def block(runs: int, hosts: int = 100, windows: int = 12) -> list[tuple[str, float, float]]:
    """double-groupby-1's answer as the core now hands it over: ``hosts`` series of ``windows``
    rows sharing one :class:`SeriesBlock`. ``block``: written from the block's columns;
    ``rows e2e``: its Python rows built first (what the core did for every GROUP BY answer),
    then the rows path; ``orjson e2e``: those rows built, then ``orjson.dumps``."""
    rng = np.random.default_rng(5)
    times = rfc3339_times(np.arange(windows) * 3_600_000_000_000 + 1451606400_000_000_000)
    frame = pl.DataFrame({"time": times * hosts, "mean": rng.uniform(0, 100, hosts * windows)})
    columns = ["time", "mean"]

    def resp() -> Response:
        b = SeriesBlock(frame)
        return Response([StatementResult(0, [Series("cpu", {"hostname": f"host_{h}"}, columns,
                                                    span=(b, h * windows, windows)) for h in range(hosts)])])

    def rows_e2e() -> bytes:
        r = resp()
        for s in r.results[0].series:
            s.values  # (the whole block's rows built at the first)
        return encode_json(r)

    def orjson_e2e() -> bytes:
        rows = frame_rows(frame)
        return orjson.dumps({"results": [{"statement_id": 0, "series": [
            {"name": "cpu", "tags": {"hostname": f"host_{h}"}, "columns": columns,
             "values": rows[h * windows:(h + 1) * windows]} for h in range(hosts)]}]})

    assert encode_json(resp()) == rows_e2e(), "the block path's bytes differ from the rows path's"
    return medians_ms({"block": lambda: encode_json(resp()), "rows e2e": rows_e2e, "orjson e2e": orjson_e2e}, runs)


def block_formats(runs: int, hosts: int = 100, windows: int = 12) -> list[tuple[str, float, float]]:
    """double-groupby-like answers sharing one block, int ns times (as the shim asks the core
    for them outside JSON without ``epoch``): ``epoch=`` JSON, CSV and msgpack, each rendered
    (``render_times``) and encoded as the route does."""
    rng = np.random.default_rng(5)
    t = np.tile(np.arange(windows) * 3_600_000_000_000 + 1451606400_000_000_000, hosts)
    frame = pl.DataFrame({"time": t, "mean": rng.uniform(0, 100, hosts * windows),
                          "max": rng.uniform(0, 100, hosts * windows)})
    columns = list(frame.columns)

    texts = frame.with_columns(pl.Series("time", rfc3339_times(t), pl.String))  # (v3's msgpack without epoch)

    def answer(kind: str, epoch: str | None, v3: bool = False) -> bytes:
        b = SeriesBlock(texts if v3 and kind == MSGPACK and not epoch else frame)
        results = [StatementResult(0, [Series("cpu", {"hostname": f"host_{h}"}, columns,
                                              span=(b, h * windows, windows)) for h in range(hosts)])]
        if v3:  # the core's v3 times, then the route's epoch
            v3_times(results[0])
            encode_v3.render_times(results, epoch)
        else:
            render_times(results, epoch, kind)
        return b"".join(Encoder(kind, epoch=epoch, v3=v3).pieces(Response(results)))

    cases = {"block json epoch=ms": (JSON, "ms"), "block csv": (CSV, None), "block csv epoch=s": (CSV, "s"),
             "block msgpack": (MSGPACK, None), "block msgpack epoch=ms": (MSGPACK, "ms"),
             "block v3 csv": (CSV, None, True), "block v3 msgpack": (MSGPACK, None, True),
             "block v3 msgpack epoch=ms": (MSGPACK, "ms", True)}
    return medians_ms({k: (lambda c=c: answer(*c)) for k, c in cases.items()}, runs)


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m bench.json_encode", description=__doc__.split("\n\n")[0])
    p.add_argument("--runs", type=int, default=15)
    p.add_argument("--rows", type=int, default=37_765)
    p.add_argument("--frame", default=None, help="a Parquet file holding an answer's frame (time as text first)")
    p.add_argument("--cpu", action="store_true", help="time CPU seconds of the process, not wall time")
    args = p.parse_args(argv)
    global CLOCK
    CLOCK = time.process_time if args.cpu else time.perf_counter
    frame = pl.read_parquet(args.frame) if args.frame else high_cpu_frame(args.rows)
    print(f"medians of {args.runs} runs, {'CPU' if args.cpu else 'wall'} ms (a shared machine: read ratios)")
    res, mb = big(frame, args.runs)
    print(f"\n{frame.height:,} rows x {frame.width} columns, {mb:.1f} MB; median (min) ms:")
    print("  " + "  ".join(f"{k} {med:.1f} ({low:.1f})" for k, med, low in res))
    d = {k: med for k, med, _ in res}
    print(f"  medians: frame/orjson {d['frame'] / d['orjson']:.2f}x, frame/orjson e2e "
          f"{d['frame'] / d['orjson e2e']:.2f}x, rows e2e/frame {d['rows e2e'] / d['frame']:.1f}x")
    fm = formats(frame, args.runs)
    print("  " + "  ".join(f"{k} {med:.1f} ({low:.1f})" for k, med, low in fm))
    d.update({k: med for k, med, _ in fm})
    print("  medians: " + ", ".join(f"{k} rows e2e/frame {d[k + ' rows e2e'] / d[k + ' frame']:.1f}x"
                                    for k in ("csv", "msgpack", "v3 csv", "v3 msgpack"))
          + f", msgpack frame/prebuilt {d['msgpack frame'] / d['msgpack prebuilt']:.2f}x")
    bl = block(args.runs * 20)
    print("\ndouble-groupby-1 (100 series x 12 rows sharing one block), median (min) µs:\n  "
          + "  ".join(f"{k} {med * 1e3:.1f} ({low * 1e3:.1f})" for k, med, low in bl))
    d = {k: med for k, med, _ in bl}
    print(f"  medians: rows e2e/block {d['rows e2e'] / d['block']:.2f}x, block/orjson e2e {d['block'] / d['orjson e2e']:.2f}x")
    print("  " + "  ".join(f"{k} {med * 1e3:.1f} ({low * 1e3:.1f})" for k, med, low in block_formats(args.runs * 20)))
    print("\nsmall answers (rows path), median (min) µs:")
    for label, r in small(args.runs * 20).items():
        print(f"  {label:28s} " + "  ".join(f"{k} {med * 1e3:.1f} ({low * 1e3:.1f})" for k, med, low in r))


if __name__ == "__main__":
    main()
