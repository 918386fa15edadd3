"""The explorer's charting library, uPlot, as taken from its npm package.

uPlot (MIT, about 50 KB minified, no dependencies) draws time-series lines on a
canvas with a time axis and drag-to-zoom. Its built files are checked in under
``static/vendor/`` so the shim serves them with no network and no Node.js at
install time; this script fetches the pinned release with ``npm pack`` and puts
them there again, refusing files whose SHA-256 differs from :data:`FILES`:

    python -m tsdb_http.explorer.vendor          # needs npm and the npm registry
"""
from __future__ import annotations

import hashlib
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

PACKAGE, VERSION = "uplot", "1.6.32"
VENDOR = Path(__file__).resolve().parent / "static" / "vendor"
# file in the package → (file here, SHA-256)
FILES = {
    "package/dist/uPlot.iife.min.js": ("uPlot.iife.min.js",
                                       "19c8d4c6ad88929a79f4ae49d6f7161566dfd0ba3d15cc495e974f787eb78f1f"),
    "package/dist/uPlot.min.css": ("uPlot.min.css", "df630c6a8d6f8eeaff264b50f73ce5b114f646ffd9a0bb74f049b0a00135fa04"),
    "package/LICENSE": ("uPlot.LICENSE", "8f989229699b4fe2f1a0432d0e9edc338a8a911e250e2d1b01ecd770a5f5b1bd"),
}


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def mismatches(folder: Path = VENDOR) -> list[str]:
    """Checked-in files that are missing or differ from the pinned release (empty: all good)."""
    bad = []
    for name, digest in FILES.values():
        path = folder / name
        if not path.is_file() or sha256(path.read_bytes()) != digest:
            bad.append(name)
    return bad


def fetch(folder: Path = VENDOR) -> None:
    """``npm pack uplot@VERSION``, check each file's hash, write it into ``folder``."""
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["npm", "pack", f"{PACKAGE}@{VERSION}", "--silent"], cwd=tmp, check=True,
                       stdout=subprocess.DEVNULL)
        (tarball,) = Path(tmp).glob("*.tgz")
        with tarfile.open(tarball) as tar:
            for member, (name, digest) in FILES.items():
                data = tar.extractfile(member).read()
                if sha256(data) != digest:
                    raise SystemExit(f"{member} of {PACKAGE}@{VERSION} has SHA-256 {sha256(data)}, expected {digest}")
                (folder / name).write_bytes(data)


if __name__ == "__main__":
    fetch()
    print(f"{PACKAGE}@{VERSION} written to {VENDOR}", file=sys.stderr)
