"""`tsdb serve` restarts itself once with glibc's malloc asking for huge pages (tsdb_http/huge_pages.py)."""
from __future__ import annotations

import os
import platform
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner

from tsdb_core.cli import cli
from tsdb_http import huge_pages
from tsdb_http.huge_pages import (
    WANTED,
    restart_with_huge_pages,
    started_as_tsdb_serve,
    thp_offered,
    with_huge_pages,
)

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("tunables,want", [
    (None, "glibc.malloc.hugetlb=1"),
    ("", "glibc.malloc.hugetlb=1"),
    ("glibc.malloc.arena_max=2", "glibc.malloc.arena_max=2:glibc.malloc.hugetlb=1"),
    ("glibc.malloc.hugetlb=1", None),                    # restarted already
    ("glibc.malloc.hugetlb=0", None),                    # the user's choice stands
    ("glibc.malloc.arena_max=2:glibc.malloc.hugetlb=2", None),
    ("glibc.malloc.hugetlbx=1", "glibc.malloc.hugetlbx=1:glibc.malloc.hugetlb=1"),  # another name
])
def test_the_tunable_is_added_once(tunables, want):
    env = {"PATH": "/bin"} if tunables is None else {"PATH": "/bin", "GLIBC_TUNABLES": tunables}
    got = with_huge_pages(env)
    if want is None:
        assert got is None
    else:
        assert got == {"PATH": "/bin", "GLIBC_TUNABLES": want, huge_pages.RESTARTED: "1"}


@pytest.mark.parametrize("setting,offered", [
    ("always [madvise] never\n", True),
    ("[always] madvise never\n", True),
    ("always madvise [never]\n", False),
    ("", False),
])
def test_the_kernel_must_offer_huge_pages(setting, offered):
    assert thp_offered(setting) is offered


@pytest.mark.parametrize("argv,own", [
    (["/usr/local/bin/tsdb", "serve", "--port", "0"], True),
    (["/src/tsdb_core/cli/__main__.py", "serve"], True),
    (["/src/tsdb_core/cli/__main__.py", "query", "serve"], True),  # (a query text cannot be "serve" alone)
    (["/usr/local/bin/tsdb", "token", "list"], False),
    (["/usr/bin/pytest", "tests/http", "serve"], False),            # a program calling the command's function
    ([], False),
])
def test_only_the_serve_command_process_restarts(argv, own):
    assert started_as_tsdb_serve(argv) is own



@pytest.mark.parametrize("libc,has", [
    (("glibc", "2.36"), True), (("glibc", "2.35"), True), (("glibc", "2.40.1"), True),
    (("glibc", "2.34"), False), (("glibc", "2.9"), False), (("glibc", ""), False), (("", ""), False),
    (("musl", "1.2"), False),
])
def test_the_tunable_exists_from_glibc_2_35(libc, has):
    assert huge_pages.has_hugetlb_tunable(libc) is has

def _fake_platform(monkeypatch, tmp_path, setting="always [madvise] never\n", argv=("/bin/tsdb", "serve")):
    execs = []
    thp = tmp_path / "enabled"
    thp.write_text(setting)
    monkeypatch.setattr(huge_pages, "THP_SETTING", thp)
    monkeypatch.setattr(huge_pages.sys, "platform", "linux")
    monkeypatch.setattr(huge_pages.platform, "libc_ver", lambda: ("glibc", "2.36"))
    monkeypatch.setattr(huge_pages.sys, "argv", list(argv))
    monkeypatch.setattr(huge_pages.sys, "orig_argv", ["python3", *argv])
    monkeypatch.setattr(huge_pages.os, "execve", lambda path, args, env: execs.append((path, args, env)))
    return execs


def test_the_process_replaces_itself_with_the_same_arguments(monkeypatch, tmp_path):
    monkeypatch.delenv("GLIBC_TUNABLES", raising=False)
    execs = _fake_platform(monkeypatch, tmp_path)
    restart_with_huge_pages()
    [(path, args, env)] = execs
    assert path == sys.executable and args == [sys.executable, "/bin/tsdb", "serve"]
    assert env["GLIBC_TUNABLES"] == WANTED and env["PATH"] == os.environ["PATH"]


def test_a_restarted_process_whose_tunables_were_stripped_does_not_restart_again(monkeypatch, tmp_path):
    """glibc drops GLIBC_TUNABLES for secure-execution processes (setcap'd python): the marker
    stops the second restart that would otherwise follow, and the one after."""
    monkeypatch.delenv("GLIBC_TUNABLES", raising=False)
    execs = _fake_platform(monkeypatch, tmp_path)
    restart_with_huge_pages()
    [(_, _, env)] = execs
    stripped = {k: v for k, v in env.items() if k != "GLIBC_TUNABLES"}
    monkeypatch.setattr(huge_pages.os, "environ", stripped)
    restart_with_huge_pages()
    assert len(execs) == 1


@pytest.mark.parametrize("setting,tunables,argv", [
    ("always madvise [never]\n", None, ("/bin/tsdb", "serve")),
    ("always [madvise] never\n", WANTED, ("/bin/tsdb", "serve")),
    ("always [madvise] never\n", None, ("/usr/bin/pytest", "serve")),
])
def test_no_restart_when_nothing_would_change(monkeypatch, tmp_path, setting, tunables, argv):
    if tunables is None:
        monkeypatch.delenv("GLIBC_TUNABLES", raising=False)
    else:
        monkeypatch.setenv("GLIBC_TUNABLES", tunables)
    execs = _fake_platform(monkeypatch, tmp_path, setting, argv)
    restart_with_huge_pages()
    assert execs == []


@pytest.mark.parametrize("args,env,calls", [
    ((), {}, 1),
    (("--no-huge-pages",), {}, 0),
    ((), {"TSDB_HUGE_PAGES": "0"}, 0),
])
def test_serve_asks_for_the_restart_unless_told_not_to(tmp_path, monkeypatch, args, env, calls):
    import tsdb_http.serve

    seen = []
    monkeypatch.setattr(huge_pages, "restart_with_huge_pages", lambda: seen.append("restart"))
    monkeypatch.setattr(tsdb_http.serve, "serve", lambda *a, **kw: seen.append("serve"))
    r = CliRunner().invoke(cli, ["serve", "--no-auth", "--data-dir", str(tmp_path / "d"), *args], env=env,
                           catch_exceptions=False)
    assert r.exit_code == 0, r.output
    assert seen == ["restart"] * calls + ["serve"]


@pytest.mark.skipif(sys.platform != "linux" or platform.libc_ver()[0] != "glibc", reason="glibc's tunable")
def test_a_served_process_runs_with_the_tunable(tmp_path):
    try:
        if not thp_offered(huge_pages.THP_SETTING.read_text()):
            pytest.skip("the kernel offers no transparent huge pages")
    except OSError:
        pytest.skip("no transparent huge pages here")
    env = {k: v for k, v in os.environ.items() if k not in ("GLIBC_TUNABLES", "TSDB_HUGE_PAGES")}
    proc = subprocess.Popen([sys.executable, "-m", "tsdb_core.cli", "serve", "--data-dir", str(tmp_path / "d"),
                             "--port", "0", "--no-auth"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            env={**env, "PYTHONPATH": str(REPO)}, text=True)
    try:
        for line in proc.stderr:  # "tsdb: serving http://127.0.0.1:PORT (...)" once it listens
            if line.startswith("tsdb: serving "):
                url = line.split()[2]
                break
        else:
            raise AssertionError(f"server did not start: {proc.wait()}")
        with urllib.request.urlopen(f"{url}/ping", timeout=60) as r:  # serving: SIGTERM stops it cleanly
            assert r.status == 204
        environ = Path(f"/proc/{proc.pid}/environ").read_bytes().split(b"\0")  # (the same PID after the exec)
        assert f"GLIBC_TUNABLES={WANTED}".encode() in environ
    finally:
        proc.terminate()
        proc.communicate(timeout=60)
    assert proc.returncode == 0
