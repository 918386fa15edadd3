"""The demo data ``tsdb serve --demo`` loads: the NOAA water sample and a small devops set.

The NOAA sample is the file ``NOAA_water_database.txt.gz`` of the package
``tsdb_core.data`` (the repository's ``data/`` folder, where ``generate_noaa.py`` makes
it), loaded into ``NOAA_water_database`` as in InfluxDB's documentation; ``devops``
gets one hour of TSBS devops-style ``cpu`` points for ten hosts, generated here
(deterministic, from 2024-01-01T00:00:00Z). A database already present is left
alone, so restarting with ``--demo`` costs nothing.
"""
from __future__ import annotations

import gzip
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import tsdb_core
from tsdb_core import UserError

NOAA_DB = "NOAA_water_database"
DEVOPS_DB = "devops"
NOAA_FILE = "NOAA_water_database.txt.gz"
DEVOPS_START = 1_704_067_200  # 2024-01-01T00:00:00Z, seconds


def data_dir() -> Path:
    """The folder of the shipped samples: the package ``tsdb_core.data``, else (an editable
    install made before that package existed) the checkout's ``data/``."""
    try:
        from tsdb_core import data
    except ImportError:
        return Path(tsdb_core.__file__).resolve().parents[1] / "data"
    return data.FOLDER


def devops_lines(hosts: int = 10, minutes: int = 60, step_s: int = 10) -> Iterator[str]:
    """TSBS devops-style ``cpu`` points, deterministic (no random module)."""
    regions = ("us-east-1", "eu-west-1", "ap-south-1")
    for t in range(DEVOPS_START, DEVOPS_START + minutes * 60, step_s):
        for h in range(hosts):
            base = 30 + 20 * math.sin((t - DEVOPS_START) / 600 + h)
            user = round(base + (h * 7 + t // step_s) % 10, 2)
            system = round(5 + (h * 3 + t // step_s) % 7 * 0.5, 2)
            idle = round(max(0.0, 100 - user - system), 2)
            yield (f"cpu,hostname=host_{h},region={regions[h % 3]},datacenter={regions[h % 3]}a,"
                   f"service={h % 4},os=Ubuntu16.04LTS "
                   f"usage_user={user},usage_system={system},usage_idle={idle},"
                   f"usage_iowait={round((h + t // step_s) % 5 * 0.1, 2)} {t * 1_000_000_000}")


def _write_lines(store: Any, db: str, lines: Iterator[bytes], batch: int = 5000) -> int:
    points, buf = 0, []
    for line in lines:
        buf.append(line)
        if len(buf) >= batch:
            points += store.write(db, b"\n".join(buf)).points_written
            buf = []
    if buf:
        points += store.write(db, b"\n".join(buf)).points_written
    return points


def load_demo(store: Any, folder: Path | None = None) -> dict[str, int]:
    """Load the samples into ``store`` (skipping databases it has); returns points per database."""
    folder = folder or data_dir()
    have = set(store.databases())
    loaded: dict[str, int] = {}
    # Created explicitly with an infinite policy: the shim's auto-created
    # databases keep 3 days, which would refuse these historical points.
    if NOAA_DB not in have:
        store.create_database(NOAA_DB, duration=0)
        path = folder / NOAA_FILE
        if not path.exists():
            raise UserError(f"sample data not found: {path} (it ships with the package; in a source "
                            "checkout, regenerate it with python data/generate_noaa.py)")
        with gzip.open(path, "rb") as f:
            loaded[NOAA_DB] = _write_lines(store, NOAA_DB, (ln.rstrip(b"\n") for ln in f))
    if DEVOPS_DB not in have:
        store.create_database(DEVOPS_DB, duration=0)
        loaded[DEVOPS_DB] = _write_lines(store, DEVOPS_DB, (s.encode() for s in devops_lines()))
    return loaded
