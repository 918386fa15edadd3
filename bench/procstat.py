"""Process facts from /proc: resident memory of a process tree, bytes under a folder.

Linux only; used for the peak-RSS and bytes-on-disk figures of both servers.
"""
from __future__ import annotations

import os
import threading
from pathlib import Path


def _status_kb(pid: int, key: str) -> int:
    try:
        with open(f"/proc/{pid}/status", "rb") as fh:
            for line in fh:
                if line.startswith(key.encode() + b":"):
                    return int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        pass
    return 0


def _children(pid: int) -> list[int]:
    out: list[int] = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            try:
                with open(f"/proc/{pid}/task/{task}/children") as fh:
                    out.extend(int(c) for c in fh.read().split())
            except FileNotFoundError:
                pass
    except FileNotFoundError:
        pass
    return out


def tree(pid: int) -> list[int]:
    """The pid and all its descendants (servers may fork workers)."""
    todo, seen = [pid], []
    while todo:
        p = todo.pop()
        seen.append(p)
        todo.extend(_children(p))
    return seen


def rss_bytes(pid: int) -> int:
    """Current resident set of the process tree, in bytes."""
    return sum(_status_kb(p, "VmRSS") for p in tree(pid)) * 1024


def hwm_bytes(pid: int) -> int:
    """Peak resident set (VmHWM) summed over the process tree, in bytes."""
    return sum(_status_kb(p, "VmHWM") for p in tree(pid)) * 1024


def reset_own_peak() -> bool:
    """Reset this process's VmHWM to its current RSS (Linux: ``5`` > clear_refs)."""
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
        return True
    except OSError:
        return False


def dir_bytes(path: str | os.PathLike, apparent: bool = False) -> int:
    """Bytes the files under ``path`` occupy on disk (allocated blocks, as ``du``).

    Allocated, not apparent, size: InfluxDB preallocates sparse 4 MiB series-file
    segments that would otherwise count 32 MiB per database that is never written.
    """
    total = 0
    for root, _dirs, files in os.walk(path):
        for f in files:
            try:
                st = os.lstat(os.path.join(root, f))
            except FileNotFoundError:
                continue
            total += st.st_size if apparent else st.st_blocks * 512
    return total


def file_count(path: str | os.PathLike, suffix: str = "") -> int:
    return sum(1 for p in Path(path).rglob(f"*{suffix}") if p.is_file())


class RssSampler:
    """Samples the tree's RSS every ``interval`` s in a thread; ``peak`` is the max seen.

    VmHWM alone misses children that exited; sampling misses short spikes; the report
    takes the larger of the two.
    """

    def __init__(self, pid: int, interval: float = 0.05):
        self.pid, self.interval, self.peak = pid, interval, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, rss_bytes(self.pid))
            self._stop.wait(self.interval)

    def __enter__(self) -> "RssSampler":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, hwm_bytes(self.pid))


def settled_bytes(path: str | os.PathLike, at_least: float, settle: float = 3.0, timeout: float = 600.0) -> int:
    """:func:`dir_bytes` once ``at_least`` seconds have passed and the size has held still for
    ``settle`` seconds (files a store replaced may be deleted only after a grace period). The wait
    is at most ``at_least`` when that is shorter: ``--disk-settle 0`` measures at once."""
    import time
    settle = min(settle, at_least)
    start = time.monotonic()
    last, since = -1, start
    while True:
        size, now = dir_bytes(path), time.monotonic()
        if size != last:
            last, since = size, now
        if (now - start >= at_least and now - since >= settle) or now - start >= timeout:
            return size
        time.sleep(0.5)
