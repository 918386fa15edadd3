"""Lark's table cache is a pickle: it must live where only this user can write."""
import os
import stat
import tempfile
from pathlib import Path

from tsdb_core.influxql.parser.driver import _cache_path


def test_cache_is_private_and_outside_the_shared_temp_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    path = Path(_cache_path("grammar text"))
    assert path.parent == tmp_path / "cache" / "tsdb"
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert Path(tempfile.gettempdir()) not in path.parents or tmp_path in path.parents


def test_no_cache_when_the_directory_is_writable_by_others(tmp_path, monkeypatch):
    (tmp_path / "tsdb").mkdir()
    os.chmod(tmp_path / "tsdb", 0o777)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert _cache_path("grammar text") is False
