"""Deterministic TSBS "devops" cpu-only data as line protocol.

    python -m bench.devops --hosts 100 --hours 1 -o cpu.lp

Measurement ``cpu``; tags hostname, region, datacenter, rack, os, arch, team,
service, service_version, service_environment (fixed per host, drawn from
TSBS's value lists); ten float fields usage_user … usage_guest_nice that
follow a clamped random walk in [0, 100] per host, as TSBS generates them;
one row per host every 10 s from 2016-01-01T00:00:00Z, rows ordered by time
then host. The same (hosts, hours, seed, decimals) always gives the same bytes.
``decimals=N`` writes each value rounded to N decimals (the walk itself keeps full
precision), as real metrics are mostly reported: 2 decimals give percentages like 42.17.
"""
from __future__ import annotations

import argparse
import random
import sys
from collections.abc import Iterator

START_NS = 1_451_606_400_000_000_000  # 2016-01-01T00:00:00Z
INTERVAL_NS = 10_000_000_000
FIELDS = ("usage_user", "usage_system", "usage_idle", "usage_nice", "usage_iowait",
          "usage_irq", "usage_softirq", "usage_steal", "usage_guest", "usage_guest_nice")
REGIONS = {
    "us-east-1": ("us-east-1a", "us-east-1b", "us-east-1c", "us-east-1e"),
    "us-west-1": ("us-west-1a", "us-west-1b"),
    "us-west-2": ("us-west-2a", "us-west-2b", "us-west-2c"),
    "eu-west-1": ("eu-west-1a", "eu-west-1b", "eu-west-1c"),
    "eu-central-1": ("eu-central-1a", "eu-central-1b"),
    "ap-southeast-1": ("ap-southeast-1a", "ap-southeast-1b"),
    "ap-southeast-2": ("ap-southeast-2a", "ap-southeast-2b"),
    "ap-northeast-1": ("ap-northeast-1a", "ap-northeast-1c"),
    "sa-east-1": ("sa-east-1a", "sa-east-1b", "sa-east-1c"),
}
OSES = ("Ubuntu16.10", "Ubuntu16.04LTS", "Ubuntu15.10")
ARCHES = ("x64", "x86")
TEAMS = ("SF", "NYC", "LON", "CHI")
ENVIRONMENTS = ("production", "staging", "test")
BATCH_LINES = 5000


def host_keys(hosts: int, rng: random.Random) -> list[str]:
    """The ``cpu,<tags>`` prefix of each host, tags in TSBS order."""
    out = []
    regions = list(REGIONS)
    for h in range(hosts):
        region = rng.choice(regions)
        tags = (("hostname", f"host_{h}"), ("region", region),
                ("datacenter", rng.choice(REGIONS[region])), ("rack", str(rng.randrange(100))),
                ("os", rng.choice(OSES)), ("arch", rng.choice(ARCHES)), ("team", rng.choice(TEAMS)),
                ("service", str(rng.randrange(20))), ("service_version", str(rng.randrange(2))),
                ("service_environment", rng.choice(ENVIRONMENTS)))
        out.append("cpu," + ",".join(f"{k}={v}" for k, v in tags))
    return out


def lines(hosts: int = 100, hours: float = 1.0, seed: int = 123,
          decimals: int | None = None) -> Iterator[str]:
    """Every line (without newline), in time-then-host order; values rounded to ``decimals``."""
    rng = random.Random(seed)
    keys = host_keys(hosts, rng)
    state = [[rng.uniform(0, 100) for _ in FIELDS] for _ in range(hosts)]
    steps = int(hours * 3600 * 1_000_000_000 // INTERVAL_NS)
    gauss = rng.gauss
    for step in range(steps):
        ts = START_NS + step * INTERVAL_NS
        for h in range(hosts):
            values = state[h]
            for j, v in enumerate(values):
                v += gauss(0.0, 1.0)
                values[j] = 0.0 if v < 0.0 else 100.0 if v > 100.0 else v
            shown = values if decimals is None else [round(v, decimals) for v in values]
            fields = ",".join(f"{k}={v!r}" for k, v in zip(FIELDS, shown))
            yield f"{keys[h]} {fields} {ts}"


def batches(hosts: int = 100, hours: float = 1.0, seed: int = 123,
            batch_lines: int = BATCH_LINES, decimals: int | None = None) -> Iterator[bytes]:
    """Write bodies of ``batch_lines`` lines each (newline-terminated)."""
    buf: list[str] = []
    for line in lines(hosts, hours, seed, decimals):
        buf.append(line)
        if len(buf) == batch_lines:
            yield ("\n".join(buf) + "\n").encode()
            buf = []
    if buf:
        yield ("\n".join(buf) + "\n").encode()


def iter_chunks(hosts: int = 100, hours: float = 1.0, seed: int = 123,
                decimals: int | None = None) -> Iterator[bytes]:
    """Bodies of 5,000 lines (the name bench/compare.py uses)."""
    return batches(hosts, hours, seed, decimals=decimals)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--hosts", type=int, default=100)
    ap.add_argument("--hours", type=float, default=1.0)
    ap.add_argument("--seed", type=int, default=123)
    ap.add_argument("--decimals", type=int, help="round values to this many decimals")
    ap.add_argument("-o", "--output", help="file to write (default: stdout)")
    args = ap.parse_args(argv)
    out = open(args.output, "wb") if args.output else sys.stdout.buffer
    try:
        for body in batches(args.hosts, args.hours, args.seed, decimals=args.decimals):
            out.write(body)
    finally:
        if args.output:
            out.close()


if __name__ == "__main__":
    main()
