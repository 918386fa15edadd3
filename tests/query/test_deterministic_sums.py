"""Float sums, means and deviations of large groups: the same bits in every process.

Polars' partitioned group-by adds a large group's floats in an order that depends on the
process's hash seeds, so before ``aggregates._in_row_order`` the same query over the same
data answered different last digits from run to run (seen on TSBS data: 5 different means in
6 processes). Each group is now reduced as a slice of its rows is.
"""
from __future__ import annotations

import subprocess
import sys

import numpy as np
import polars as pl

from tsdb_core.query.functions.aggregates import scalar_agg

SCRIPT = r"""
import hashlib, numpy as np, polars as pl
from tsdb_core.query.exec import sorted_groups
from tsdb_core.query.functions.aggregates import scalar_agg
rng = np.random.default_rng(7)
n = 600_000
df = pl.DataFrame({"w": np.repeat(np.arange(24), n // 24)[rng.permutation(n)],
                   "v": rng.standard_normal(n) * 10.0 ** rng.integers(-3, 6, n)})
exprs = [scalar_agg(f, pl.col("v"), (), pl.Float64).alias(f) for f in ("mean", "sum", "stddev")]
hashed = df.lazy().group_by("w").agg(exprs).sort("w").collect()
runs = sorted_groups.agg(df.sort("w", maintain_order=True), ["w"], [], exprs).sort("w")
print(*(hashlib.sha1(out.write_csv(float_precision=17).encode()).hexdigest() for out in (hashed, runs)))
"""


def test_the_same_answer_in_every_process():
    """... and from hashing the keys or sorting the rows into runs (exec/sorted_groups.py)."""
    answers = {subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, check=True,
                              timeout=120).stdout.strip() for _ in range(4)}
    assert len(answers) == 1
    hashed, runs = answers.pop().split()
    assert hashed == runs and len(hashed) == 40


def test_a_group_reduces_as_its_slice_does():
    rng = np.random.default_rng(11)
    n = 400_000
    g = np.repeat(np.arange(8), n // 8)[rng.permutation(n)]
    v = rng.standard_normal(n) * 10.0 ** rng.integers(-3, 6, n)
    df = pl.DataFrame({"g": g, "v": v})
    got = (df.lazy().group_by("g").agg([scalar_agg(f, pl.col("v"), (), pl.Float64).alias(f)
                                        for f in ("mean", "sum", "stddev")]).sort("g").collect())
    for row in got.iter_rows(named=True):
        part = df.filter(pl.col("g") == row["g"]).get_column("v")
        assert (row["mean"], row["sum"], row["stddev"]) == (part.mean(), part.sum(), part.std(ddof=1))


INTEGRAL = r"""
import hashlib, numpy as np, polars as pl
from tsdb_core.query.functions.aggregates import integral_frame
rng = np.random.default_rng(3)
n = 600_000
lf = pl.LazyFrame({"h": (np.arange(n) % 20).astype(str), "time": np.arange(n, dtype=np.int64) // 20 * 10,
                   "v": rng.standard_normal(n) * 10.0 ** rng.integers(-3, 6, n)})
out = integral_frame(lf, ["h"], "v", "i", 75_000, 0, 1).sort("h", "\x00b").collect()
print(hashlib.sha1(out.write_csv(float_precision=17).encode()).hexdigest())
"""


def test_integral_windows_the_same_in_every_process():
    """integral()'s parts of a window are summed in row order too."""
    answers = {subprocess.run([sys.executable, "-c", INTEGRAL], capture_output=True, text=True, check=True,
                              timeout=120).stdout.strip() for _ in range(4)}
    assert len(answers) == 1 and len(answers.pop()) == 40
