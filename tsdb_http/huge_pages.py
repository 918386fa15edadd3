"""``tsdb serve`` restarts itself once with glibc's malloc asking for transparent huge pages.

A small query answered after other processes had the core runs from cold caches and a cold
TLB: its CPU is 2-3x that of the same request answered back to back, and most of it is
spread evenly over the whole request path (the profile's shares do not move). Fewer, larger
pages make that refill cheaper: with ``GLIBC_TUNABLES=glibc.malloc.hugetlb=1`` glibc
advises its heap and its large blocks (NumPy buffers, Python objects over 512 bytes) for
transparent huge pages (``madvise``), and a server asked small queries between other programs' work
spends 4-9 % less CPU on each (TSBS single-groupby and SHOW TAG VALUES at 100 hosts, with a
1-2 ms pause after each request: ``bench.server_cpu_ab --gap``). glibc reads the setting
only when a process starts, so the server replaces itself (``os.execve``: same PID, same
arguments) before it opens the store. ``tsdb serve --no-huge-pages`` (or
``TSDB_HUGE_PAGES=0``) keeps the process as started; a ``glibc.malloc.hugetlb`` already in
the environment is left as it is. Cost: the start imports the modules twice (about a
second of CPU); resident memory measured the same (a 100-host store: 411-413 MiB either way,
35 MiB of it then in huge pages). Nothing is done off Linux/glibc, or where the kernel's
THP mode is ``never``, or before glibc 2.35 (no such tunable).
"""
from __future__ import annotations

import os
import platform
import sys
from collections.abc import Mapping
from pathlib import Path

TUNABLES = "GLIBC_TUNABLES"
HUGETLB = "glibc.malloc.hugetlb"
WANTED = f"{HUGETLB}=1"
THP_SETTING = Path("/sys/kernel/mm/transparent_hugepage/enabled")
# set in the restarted process: glibc strips GLIBC_TUNABLES from secure-execution processes
# (setuid, file capabilities such as cap_net_bind_service), which would otherwise restart forever
RESTARTED = "TSDB_HUGE_PAGES_RESTARTED"


def with_huge_pages(environ: Mapping[str, str]) -> dict[str, str] | None:
    """``environ`` with ``glibc.malloc.hugetlb=1`` added to its glibc tunables, or None when
    it names ``glibc.malloc.hugetlb`` already (the user's value) or this process is the restarted one."""
    current = environ.get(TUNABLES, "")
    names = [item.partition("=")[0] for item in current.split(":") if item]
    if HUGETLB in names or RESTARTED in environ:
        return None
    return {**environ, TUNABLES: f"{current}:{WANTED}" if current else WANTED, RESTARTED: "1"}


def thp_offered(setting: str) -> bool:
    """Whether the kernel's THP mode (the text of :data:`THP_SETTING`, e.g.
    ``always [madvise] never``) grants huge pages to memory advised for them."""
    chosen = setting[setting.find("[") + 1:setting.find("]")] if "[" in setting else ""
    return chosen in ("always", "madvise")


def started_as_tsdb_serve(argv: list[str]) -> bool:
    """Whether this process is the ``tsdb serve`` command itself (``tsdb serve ...`` or
    ``python -m tsdb_core.cli serve ...``), not a program that called the command's function."""
    first = Path(argv[0]) if argv else Path()
    own = first.name == "tsdb" or first.parts[-3:] == ("tsdb_core", "cli", "__main__.py")
    return own and "serve" in argv[1:]



def has_hugetlb_tunable(libc: tuple[str, str]) -> bool:
    """Whether ``platform.libc_ver()``'s C library reads ``glibc.malloc.hugetlb`` (glibc 2.35 on;
    an older one would restart for nothing)."""
    name, version = libc
    try:
        return name == "glibc" and tuple(int(p) for p in version.split(".")[:2]) >= (2, 35)
    except ValueError:
        return False

def restart_with_huge_pages() -> None:
    """Replace this ``tsdb serve`` process with itself under :func:`with_huge_pages`'s
    environment, when that changes anything and the platform has the setting."""
    if sys.platform != "linux" or not has_hugetlb_tunable(platform.libc_ver()) or not started_as_tsdb_serve(sys.argv):
        return
    try:
        offered = thp_offered(THP_SETTING.read_text())
    except OSError:
        return
    env = with_huge_pages(os.environ)
    if not offered or env is None:
        return
    sys.stdout.flush()
    sys.stderr.flush()
    os.execve(sys.executable, [sys.executable, *sys.orig_argv[1:]], env)
