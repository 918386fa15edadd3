"""User names → path components that can never leave the store's root.

Database, retention-policy and measurement names come from users. Each is
percent-encoded byte by byte (only ``[A-Za-z0-9_-]`` pass through), so ``/``,
``..``, NUL and friends become inert text; an over-long result is cut and
suffixed with a hash so it stays under the 255-byte component limit. The
catalog records every file's relative path, so decoding is never needed and a
(hash) collision cannot mix data: file ids are unique store-wide.
"""
from __future__ import annotations

import hashlib
from pathlib import Path

_SAFE = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-")
MAX_COMPONENT = 120  # bytes; well below every common filesystem's 255
_TABLE = [chr(b) if b in _SAFE else f"%{b:02X}" for b in range(256)]


def encode_name(name: str) -> str:
    """A path component for ``name``: never empty, never ``.``/``..``, no separators."""
    raw = name.encode("utf-8", "surrogatepass")
    out = "".join(_TABLE[b] for b in raw)
    if not out:
        return "%"  # '%' alone is never produced by encoding a non-empty name
    if len(out) > MAX_COMPONENT:
        digest = hashlib.sha256(raw).hexdigest()[:16]
        out = out[: MAX_COMPONENT - 17] + "~" + digest  # '~' is never produced by encoding
    return out


def measurement_dir(db: str, rp: str, measurement: str) -> str:
    """Relative directory of one measurement of one policy."""
    return f"{encode_name(db)}/{encode_name(rp)}/{encode_name(measurement)}"


def file_relpath(db: str, rp: str, measurement: str, window_start: int, file_id: int) -> str:
    """``<db>/<rp>/<measurement>/<window-start>/<file-id>.parquet`` (all encoded)."""
    return f"{measurement_dir(db, rp, measurement)}/{window_start}/{file_id:012d}.parquet"


def inside(root: Path, rel: str) -> Path:
    """``root/rel``, refusing anything that would resolve outside ``root``."""
    path = (root / rel)
    resolved_root = root.resolve()
    if resolved_root not in path.resolve().parents:
        raise ValueError(f"path escapes the store root: {rel!r}")
    return path
