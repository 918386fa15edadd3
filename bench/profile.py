"""Sampling profiles of the tsdb server with py-spy, summarised as text.

``PySpy(pid, path)`` records collapsed stacks (``--format raw``) while the block runs;
``summarise(path)`` turns them into the two lists that direct optimisation: where
samples *end* (self time, per function and per file) and which functions are *on*
the stack (inclusive time). py-spy is optional: ``available()`` says if it is on PATH.
"""
from __future__ import annotations

import re
import shutil
import signal
import subprocess
import time
from collections import Counter
from pathlib import Path

_FRAME = re.compile(r"^(?P<func>.*) \((?P<file>[^()]*?)(?::(?P<line>\d+))?\)$")


def available() -> bool:
    return shutil.which("py-spy") is not None


class PySpy:
    """``with PySpy(pid, out_path): ...`` samples ``pid`` (and its children) meanwhile."""

    def __init__(self, pid: int, path: str | Path, rate: int = 200):
        self.pid, self.path, self.rate = pid, Path(path), rate
        self.proc: subprocess.Popen | None = None

    def __enter__(self) -> "PySpy":
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.proc = subprocess.Popen(
            ["py-spy", "record", "--pid", str(self.pid), "--rate", str(self.rate), "--format", "raw",
             "--subprocesses", "--nonblocking", "-o", str(self.path)],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        time.sleep(0.5)                      # let it attach before the work starts
        return self

    def __exit__(self, *exc) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGINT)
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def _split(frame: str) -> tuple[str, str, str]:
    """(function, short file, line) of one py-spy frame ``func (file:line)``."""
    m = _FRAME.match(frame.strip())
    if not m:
        return frame.strip(), "?", ""
    f = m.group("file")
    for marker in ("site-packages/", "/lib/python3.11/", "/lib/python3", "/work/main/", "/tmp/bench-head/"):
        if marker in f:
            f = f.split(marker, 1)[1]
    return m.group("func"), f, m.group("line") or ""


PROJECT = ("tsdb_core/", "tsdb_http/")


def read_stacks(path: str | Path) -> Counter:
    stacks: Counter = Counter()
    for line in Path(path).read_text(errors="replace").splitlines():
        stack, _, n = line.rpartition(" ")
        if stack and n.isdigit():
            stacks[stack] += int(n)
    return stacks


def _idle(frames: list[str]) -> bool:
    """Threads parked in a wait (event loop select, lock, sleep) are not work."""
    last = frames[-1]
    return any(w in last for w in ("select (", "wait (", "_worker (", "sleep", "accept (", "poll ("))


def summarise(path: str | Path, top: int = 15, title: str = "") -> str:
    """Self time (function, file), the project line that was running or waiting on a
    library call (the actionable spot), and inclusive time of project functions."""
    stacks = read_stacks(path)
    total = sum(stacks.values())
    self_fn: Counter = Counter()
    self_file: Counter = Counter()
    at_line: Counter = Counter()
    incl: Counter = Counter()
    busy = 0
    for stack, n in stacks.items():
        frames = [f for f in stack.split(";") if f]
        if not frames or _idle(frames):
            continue
        busy += n
        parsed = [_split(f) for f in frames]
        func, file, _line = parsed[-1]
        self_fn[f"{func} ({file})"] += n
        self_file[file] += n
        mine = [p for p in parsed if p[1].startswith(PROJECT)]
        if mine:
            f, fl, ln = mine[-1]
            lib = "" if mine[-1] is parsed[-1] else f" -> {func} ({file})"
            at_line[f"{fl}:{ln} {f}{lib}"] += n
        else:
            at_line["(outside tsdb code: server, event loop, threads)"] += n
        for key in {f"{f} ({fl})" for f, fl, _ in mine}:
            incl[key] += n
    out = [f"== {title or Path(path).name}: {total} samples, {busy} busy (not waiting)"]

    def block(name: str, c: Counter) -> None:
        out.append(f"-- {name}")
        for key, n in c.most_common(top):
            out.append(f"{100 * n / max(busy, 1):6.1f}%  {key}")

    block("self time by function", self_fn)
    block("self time by file", self_file)
    block("deepest tsdb line on the stack (and the library call it is in)", at_line)
    block("inclusive time of tsdb functions", incl)
    return "\n".join(out) + "\n"
