"""Sample data for ``tsdb serve --demo``, shipped in the wheel as the package ``tsdb_core.data``
(pyproject.toml maps this folder to it, as it maps grammar/ to ``tsdb_core.grammar``).

- ``NOAA_water_database.txt.gz``: the NOAA water sample of InfluxDB's documentation as
  line protocol (made by ``generate_noaa.py``, byte-identical on every run);
- :mod:`tsdb_core.data.devops`: TSBS devops-style ``cpu`` points, generated on demand.
"""
from __future__ import annotations

from pathlib import Path

FOLDER = Path(__file__).parent  # where the files below sit, installed or in a checkout
NOAA_FILE = "NOAA_water_database.txt.gz"
