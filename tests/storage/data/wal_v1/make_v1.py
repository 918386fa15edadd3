"""Run with PYTHONPATH=/tmp/wal7/before (the code at 33dafb7): a WAL segment of version-1 records."""
import sys
from pathlib import Path
import polars as pl
from tsdb_core.storage.wal import Wal, WalEntry, encode_write

T0 = 1_700_000_000_000_000_000
cpu = pl.DataFrame({"time": [T0, T0 + 1, T0 + 2],
                    "host": ["a", "b", None], "region": ["eu", "eu", "us"],
                    "usage": [1.5, float("nan"), None], "n": pl.Series([1, None, -3], dtype=pl.Int64),
                    "ok": [True, None, False], "msg": ["x", "é ü\n", None]})
mem = pl.DataFrame({"time": [T0 + 3], "free": pl.Series([2**64 - 1], dtype=pl.UInt64)})
out = Path(sys.argv[1])
w = Wal(out)
list(w.replay())
w.sync(w.append(encode_write("telemetry", "autogen", [
    WalEntry("cpu", ("host", "region"), {"usage": "float", "n": "integer", "ok": "boolean", "msg": "string"}, cpu),
    WalEntry("mem", (), {"free": "unsigned"}, mem)])))
w.sync(w.append(encode_write("telemetry", "autogen", [
    WalEntry("cpu", ("host",), {"usage": "float"}, pl.DataFrame({"time": [T0 + 10], "host": ["c"], "usage": [9.25]}))])))
w.close()
