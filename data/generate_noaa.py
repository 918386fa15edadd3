"""Generate a NOAA_water_database-style sample (deterministic), like InfluxDB's docs.

Measurements (tags → fields), one point per series every 6 minutes from
2019-08-17T00:00:00Z to 2019-09-17T21:42:00Z:

- h2o_feet        location=coyote_creek|santa_monica → level description (string), water_level (float)
- h2o_pressure    location → pressure (float)
- h2o_quality     location, randtag=1|2|3 → index (integer)
- h2o_temperature location → degrees (integer)
- h2o_pH          location → pH (integer)
- average_temperature location → degrees (integer)

Usage: ``python data/generate_noaa.py [out.txt.gz]`` (default: data/NOAA_water_database.txt.gz).
The values are pseudo-random but fixed (a seeded LCG, no ``random`` module), so
the file is byte-identical on every run and platform.
"""
from __future__ import annotations

import gzip
import math
import sys
from pathlib import Path

START = 1566000000  # 2019-08-17T00:00:00Z, seconds
END = 1568756520    # 2019-09-17T21:42:00Z
STEP = 360
LOCATIONS = ("coyote_creek", "santa_monica")


class _Lcg:
    """Numerical Recipes LCG: deterministic across platforms and Python versions."""

    def __init__(self, seed: int):
        self.state = seed & 0xFFFFFFFF

    def next(self) -> float:
        self.state = (1664525 * self.state + 1013904223) & 0xFFFFFFFF
        return self.state / 2**32


def _description(level: float) -> str:
    if level < 3:
        return "below 3 feet"
    if level < 6:
        return "between 3 and 6 feet"
    if level < 9:
        return "between 6 and 9 feet"
    return "at or greater than 9 feet"


def lines():
    rng = _Lcg(20190817)
    for i, t in enumerate(range(START, END + 1, STEP)):
        ns = t * 1_000_000_000
        hours = (t - START) / 3600
        for j, loc in enumerate(LOCATIONS):
            phase = j * 1.7
            level = 4.4 + (3.9 - j) * math.sin(hours / 12.42 * 2 * math.pi + phase) + (rng.next() - 0.5) * 0.6
            level = round(max(level, -0.61), 3)
            yield (f'h2o_feet,location={loc} level\\ description="{_description(level)}",'
                   f'water_level={level!r} {ns}')
            pressure = round(1013.0 + 8 * math.sin(hours / 48 + phase) + (rng.next() - 0.5) * 2, 2)
            yield f"h2o_pressure,location={loc} pressure={pressure!r} {ns}"
            randtag = 1 + int(rng.next() * 3)
            index = int(rng.next() * 101)
            yield f"h2o_quality,location={loc},randtag={randtag} index={index}i {ns}"
            degrees = 60 + int(10 * math.sin(hours / 24 * 2 * math.pi + phase) + rng.next() * 15)
            yield f"h2o_temperature,location={loc} degrees={degrees}i {ns}"
            ph = 6 + int(rng.next() * 3)
            yield f"h2o_pH,location={loc} pH={ph}i {ns}"
            avg = 70 + int(8 * math.sin(hours / 24 * 2 * math.pi + 0.5 + phase) + rng.next() * 12)
            yield f"average_temperature,location={loc} degrees={avg}i {ns}"


def main(argv: list[str]) -> None:
    out = Path(argv[1]) if len(argv) > 1 else Path(__file__).with_name("NOAA_water_database.txt.gz")
    text = ("\n".join(lines()) + "\n").encode()
    if out.suffix == ".gz":
        with open(out, "wb") as f, gzip.GzipFile(fileobj=f, mode="wb", mtime=0) as gz:
            gz.write(text)
    else:
        out.write_bytes(text)


if __name__ == "__main__":
    main(sys.argv)
