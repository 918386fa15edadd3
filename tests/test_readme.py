"""The README's code runs, so it never rots.

- ```python blocks run as they are (fresh globals, in a temp directory);
- ```python test_x.py blocks are pytest files: they run under the plugin and all must pass;
- ```python http blocks run against a real `tsdb serve` (no auth) on a free port,
  with ``127.0.0.1:8086``/``port=8086`` pointed at it;
- ```sh cli blocks run line by line (``tsdb`` through this checkout's CLI, the rest
  in bash), and their stdout must equal the ```text block that follows.
Also: the two set-up commands and the deviations table stay, and every CLI command
is in the README's command table.
"""
from __future__ import annotations

import re
import shlex
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()
pytest_plugins = ["pytester"]


@dataclass(frozen=True)
class Block:
    lang: str
    tag: str
    code: str
    line: int
    after: str  # the text following the block (for expected output)

    def __str__(self) -> str:
        return f"README.md:{self.line}"


def blocks() -> list[Block]:
    out = []
    for m in re.finditer(r"^```(\w*)[ \t]*([^\n]*)\n(.*?)^```[ \t]*$", README, re.M | re.S):
        out.append(Block(m.group(1), m.group(2).strip(), m.group(3), README[:m.start()].count("\n") + 1,
                         README[m.end():]))
    return out


def of(lang: str, tag: str | None = None) -> list[Block]:
    return [b for b in blocks() if b.lang == lang and (b.tag == tag if tag is not None else True)]


PLAIN = [b for b in of("python") if not b.tag]
TEST_FILES = [b for b in of("python") if b.tag.startswith("test_") and b.tag.endswith(".py")]
HTTP = of("python", "http")
CLI = of("sh", "cli")


def test_the_readme_has_examples_of_every_kind():
    assert len(PLAIN) >= 4 and TEST_FILES and HTTP and CLI


@pytest.mark.parametrize("block", PLAIN, ids=str)
def test_python_block(block, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    exec(compile(block.code, str(block), "exec"), {"__name__": "__readme__"})


@pytest.mark.parametrize("block", TEST_FILES, ids=str)
def test_pytest_example(block, pytester, monkeypatch):
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    pytester.makepyfile(**{block.tag[:-3]: block.code})
    r = pytester.runpytest_subprocess("-p", "tsdb_core.pytest_plugin", "-p", "no:cacheprovider", "-q")
    r.assert_outcomes(passed=len(re.findall(r"^def test_", block.code, re.M)))


@pytest.mark.parametrize("block", HTTP, ids=str)
def test_http_block(block, tmp_path):
    pytest.importorskip("starlette")
    pytest.importorskip("influxdb")
    from tsdb_http.serve import start_in_thread

    server = start_in_thread(tmp_path / "data", no_auth=True)
    try:
        port = server.url.rsplit(":", 1)[1]
        code = block.code.replace("127.0.0.1:8086", f"127.0.0.1:{port}").replace("port=8086", f"port={port}")
        exec(compile(code, str(block), "exec"), {"__name__": "__readme__"})
    finally:
        server.stop()


@pytest.mark.parametrize("block", CLI, ids=str)
def test_cli_block(block, tmp_path, monkeypatch):
    """``tsdb`` lines run in-process (click's runner); other lines run in bash."""
    from click.testing import CliRunner

    from tsdb_core.cli import cli

    expected = re.match(r"\s*(?:[^\n`]*\n)*?\s*```text\n(.*?)^```", block.after, re.M | re.S)
    assert expected, f"{block}: a ```text block with the expected output must follow"
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TSDB_DATA_DIR", str(tmp_path / "tsdb-data"))
    stdout = ""
    for line in block.code.splitlines():
        if line.startswith("tsdb "):
            r = CliRunner().invoke(cli, shlex.split(line)[1:], catch_exceptions=False)
            assert r.exit_code == 0, f"{line}\n{r.output}"
            stdout += r.stdout
        elif line.strip():
            r2 = subprocess.run(["bash", "-c", line], capture_output=True, text=True, timeout=60)
            assert r2.returncode == 0, f"{line}\n{r2.stderr}"
            stdout += r2.stdout
    assert stdout == expected.group(1)


def test_the_two_commands_stay():
    section = README.split("## The two commands", 1)[1].split("\n## ", 1)[0]
    assert "python -m pip install -e '.[http]' && tsdb serve --demo" in section
    assert "python -m pip install -e '.[test]' && python -m pytest -q -n 2" in section


def test_the_deviations_table_stays():
    section = README.split("## Deliberate differences from InfluxDB 1.x", 1)[1]
    assert "| topic | InfluxDB 1.x | tsdb |" in section


def test_every_cli_command_is_documented():
    from click import Group

    from tsdb_core.cli import cli

    table = README.split("## The command line", 1)[1].split("\n## ", 1)[0]
    for name, cmd in cli.commands.items():
        subs = list(cmd.commands) if isinstance(cmd, Group) else [None]
        for sub in subs:
            words = f"tsdb {name}" + (f" {sub}" if sub else "")
            spelled = f"tsdb {name} " + "\\|".join(cmd.commands) if isinstance(cmd, Group) else words
            assert words in table or spelled in table, f"{words} is missing from the README's command table"


def test_the_failure_shown_is_what_assert_query_prints():
    import tsdb_core
    from tsdb_core.testing import assert_query, load_lp

    shown = README.split("A failing `assert_query` prints", 1)[1].split("```text\n", 1)[1].split("```", 1)[0]
    with tsdb_core.open() as store:
        load_lp(store, "mydb", "cpu,host=a usage=10 1704067200000000000\ncpu,host=a usage=20 1704067260000000000\n"
                               "cpu,host=b usage=5 1704067200000000000")
        with pytest.raises(AssertionError) as exc:
            assert_query(store, "SELECT mean(usage) FROM cpu", [["1970-01-01T00:00:00Z", 12.0]], db="mydb")
    assert f"AssertionError: {exc.value}\n" == shown


def test_every_function_the_engine_knows_is_listed():
    from tsdb_core.query.plan.nodes import AGGREGATES, TRANSFORMS
    from tsdb_core.query.functions.math import MATH_FUNCTIONS

    section = README.split("## Supported InfluxQL and HTTP API", 1)[1].split("\n## ", 1)[0]
    missing = sorted(f for f in AGGREGATES | TRANSFORMS | MATH_FUNCTIONS if f"`{f}()`" not in section)
    assert not missing, f"functions missing from the README: {missing}"


def test_every_statement_example_parses():
    from tsdb_core.influxql import parse_statement

    section = README.split("## Supported InfluxQL and HTTP API", 1)[1].split("Functions:", 1)[0]
    examples = [e for e in re.findall(r"`([A-Z][A-Z]+ [^`]+)`", section)]
    assert len(examples) >= 20
    for text in examples:
        params = {"host": "a"} if "$host" in text else None
        parse_statement(text, params)  # raises ParseError with the position if the README lies
