"""Flight SQL fuzz, short mode (CI): a few dozen tickets through the real Flight server.

Invariant (reliability/fuzz_flight.py): no marker of a file outside the store or of another
database in any answer or error, no open of the watched secret directory, no request to the
local HTTP server, every error a Flight status with a clean message. TSDB_SLOW=1 runs 2,000
cases; the long run is ``python -m reliability.fuzz_flight --examples 20000``.
"""
from __future__ import annotations

import pytest

pytest.importorskip("pyarrow.flight")

from reliability import fuzz_flight  # noqa: E402

from .conftest import SLOW  # noqa: E402

N = 2000 if SLOW else 48


def test_flight_sql_fuzz_reads_nothing_outside_the_database(tmp_path):
    fig, _wall, _cpu = fuzz_flight.run(N, seed=16, root=tmp_path)
    assert fig.cases == N
    assert fig.findings == []
    assert fig.internal == []
    # the corpus reaches both sides: refusals by the allow-list and real answers
    assert fig.codes["FlightUnauthorizedError"] > 0 and fig.answered > 0
