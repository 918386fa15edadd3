"""Row numbers of runs of rows laid end to end: what a gather that copies whole runs reads."""
from __future__ import annotations

import numpy as np


def run_rows(starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """The rows ``starts[i] .. starts[i] + lengths[i]`` of each run in turn (int64), built in
    two vector steps rather than a range per run."""
    lengths = np.asarray(lengths, dtype=np.int64)
    total = int(lengths.sum())
    return np.arange(total, dtype=np.int64) + np.repeat(np.asarray(starts, dtype=np.int64)
                                                        - (np.cumsum(lengths) - lengths), lengths)
