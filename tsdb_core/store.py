"""The facade that composes catalog, WAL, buffer, partitions and the query engine.

(Skeleton: the storage-engine work fills this in; signatures are fixed.)
"""
from __future__ import annotations

import os
from pathlib import Path

from .config import StoreConfig
from .model import WriteResult
from .timeutil import Clock, system_clock


class Store:
    """An open store: on disk (``root``) or in memory (``root is None``)."""

    def __init__(self, root: str | os.PathLike | None = None, *, config: StoreConfig | None = None,
                 clock: Clock | None = None):
        self.root = Path(root) if root is not None else None
        self.config = config or StoreConfig()
        self.clock = clock or system_clock

    def write(self, db: str, body: bytes | str, precision: str = "ns", rp: str | None = None) -> WriteResult:
        raise NotImplementedError

    def query(self, q: str, db: str | None = None, rp: str | None = None, epoch: str | None = None,
              params: dict | None = None):
        raise NotImplementedError

    def close(self) -> None:
        pass

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def open(path: str | os.PathLike | None = None, *, config: StoreConfig | None = None,
         clock: Clock | None = None) -> Store:  # noqa: A001 - the public name is fixed
    """Open (creating if absent) the store at ``path``; ``None`` gives an in-memory store."""
    return Store(path, config=config, clock=clock)
