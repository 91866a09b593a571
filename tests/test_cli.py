"""The commands end to end: exit codes, stdout and stderr, JSON shapes, real pipes and ttys."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tomllib
import warnings
from collections.abc import Callable
from pathlib import Path

import click
import pytest
from click.testing import Result

from conftest import EXE, on_terminal

Invoke = Callable[..., Result]

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).parent / "data"
GOOD = DATA / "good.toml"
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
GOOD_IDS = ["gather-results", "queue-basics", "hostile-code", "long-title"]
SNIPPET_KEYS = {
    "id",
    "title",
    "section",
    "summary",
    "tags",
    "python",
    "code",
    "output",
    "notes",
    "source",
}
GATHER_CODE = """\
import asyncio


async def square(n: int) -> int:
    await asyncio.sleep(0)
    return n * n


async def main() -> None:
    print(await asyncio.gather(square(2), square(3), square(4)))


asyncio.run(main())
"""


def plain(text: str) -> str:
    return ANSI.sub("", text)


# --------------------------------------------------------------------------- list


def test_list_piped_is_one_plain_line_per_snippet(good: Invoke) -> None:
    """`list` on a pipe prints one unwrapped line per snippet, in catalog order."""
    result = good("list")
    assert result.exit_code == 0
    assert result.stderr == ""
    assert "\x1b" not in result.stdout
    lines = result.stdout.splitlines()
    assert [line.split()[0] for line in lines] == GOOD_IDS
    assert "Run coroutines concurrently with gather" in lines[0]
    assert "Map tasks to [bold]results[/bold] with a [dict]" in lines[2]


def test_list_on_a_terminal_is_a_coloured_table(
    good: Invoke, tty: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`list` on a (wide) terminal uses escape codes and keeps every id and bracketed title
    text (brackets are never read as markup)."""
    monkeypatch.setenv("COLUMNS", "160")
    result = good("list")
    assert result.exit_code == 0
    assert result.stderr == ""
    assert "\x1b[" in result.stdout
    text = plain(result.stdout)
    for ident in GOOD_IDS:
        assert ident in text
    assert "[bold]results[/bold]" in text
    assert "[dict]" in text


def test_list_filters(good: Invoke) -> None:
    """--tag (all required), --section and --search narrow the list."""
    cases = {
        ("--tag", "gather"): ["gather-results", "hostile-code"],
        ("--tag", "gather", "--tag", "hostile"): ["hostile-code"],
        ("--section", "queues"): ["queue-basics"],
        ("--search", "LONG"): ["long-title"],  # ranked: the title says it, the rest is weak
        ("--tag", "gather", "--search", "brackets"): ["hostile-code"],
    }
    for args, expected in cases.items():
        result = good("list", "--json", *args)
        assert result.exit_code == 0, args
        assert [s["id"] for s in json.loads(result.stdout)] == expected, args


def test_list_unknown_section_is_a_usage_error(good: Invoke) -> None:
    """`list --section` with an unknown section exits 2 and suggests the close one."""
    result = good("list", "--section", "queus")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "queus" in result.stderr
    assert "queues" in result.stderr
    assert "Traceback" not in result.stderr


def test_list_json_shape(good: Invoke) -> None:
    """`list --json` is an array of snippet objects with every contract key and real values."""
    result = good("list", "--json")
    assert result.exit_code == 0
    assert result.stderr == ""
    data = json.loads(result.stdout)
    assert [s["id"] for s in data] == GOOD_IDS
    for item in data:
        assert item.keys() >= SNIPPET_KEYS
    first = data[0]
    assert first["title"] == "Run coroutines concurrently with gather"
    assert first["section"] == "tasks"
    assert first["summary"] == "Wait for several coroutines and collect their results in order."
    assert first["tags"] == ["gather", "results"]
    assert first["python"] == "3.11"
    assert first["code"] == GATHER_CODE
    assert first["output"] == "[4, 9, 16]\n"
    assert first["notes"] == "Results come back in argument order, not completion order."
    assert first["source"] == str(GOOD)
    last = data[3]
    assert last["section"] is None
    assert last["python"] is None
    assert last["output"] is None


def test_list_json_is_plain_on_a_terminal(good: Invoke, tty: None) -> None:
    """JSON is never decorated, even on a terminal."""
    result = good("list", "--json")
    assert result.exit_code == 0
    assert "\x1b" not in result.stdout
    assert [s["id"] for s in json.loads(result.stdout)] == GOOD_IDS


# --------------------------------------------------------------------------- tags


def test_tags_piped_lists_each_tag_with_its_count(good: Invoke) -> None:
    """`tags` prints every tag and how many snippets carry it."""
    result = good("tags")
    assert result.exit_code == 0
    assert result.stderr == ""
    assert "\x1b" not in result.stdout
    counts = dict(line.split() for line in result.stdout.splitlines())
    assert counts == {
        "gather": "2",
        "results": "1",
        "queue": "1",
        "producer-consumer": "1",
        "hostile": "1",
        "long": "1",
    }


def test_tags_json(good: Invoke) -> None:
    """`tags --json` gives the same counts as data."""
    result = good("tags", "--json")
    assert result.exit_code == 0
    assert result.stderr == ""
    data = json.loads(result.stdout)
    assert {item["tag"]: item["count"] for item in data} == {
        "gather": 2,
        "results": 1,
        "queue": 1,
        "producer-consumer": 1,
        "hostile": 1,
        "long": 1,
    }


def test_tags_on_a_terminal(good: Invoke, tty: None) -> None:
    """`tags` on a terminal is decorated and still shows every tag."""
    result = good("tags")
    assert result.exit_code == 0
    assert "\x1b[" in result.stdout
    assert "producer-consumer" in plain(result.stdout)


# --------------------------------------------------------------------------- show


def test_show_json_shape(good: Invoke) -> None:
    """`show TAG --json` is an array of the matching snippet objects, in catalog order."""
    result = good("show", "gather", "--json")
    assert result.exit_code == 0
    assert result.stderr == ""
    data = json.loads(result.stdout)
    assert [s["id"] for s in data] == ["gather-results", "hostile-code"]
    for item in data:
        assert item.keys() >= SNIPPET_KEYS
    assert data[0]["code"] == GATHER_CODE


def test_show_a_typo_shows_results_for_the_word_meant(good: Invoke) -> None:
    """`show gathr` is read as `gather`: its snippets, exit 0, and on stderr how it was read."""
    result = good("show", "gathr", "--json")
    assert result.exit_code == 0
    assert json.loads(result.stdout)[0]["id"] == "gather-results"
    assert result.stderr == "asyncsnip: showing results for 'gather'\n"


def test_show_no_match_exits_1_with_suggestions(cli: Invoke) -> None:
    """Nothing close: exit 1, nothing on stdout, suggestions on stderr, no traceback."""
    result = cli("show", "zqxv")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "zqxv" in result.stderr
    assert "asyncsnip: hint: " in result.stderr
    assert "Traceback" not in result.stderr


def test_show_builtin_gather_finds_gather_results(cli: Invoke) -> None:
    """`show gather` on the built-in catalog includes gather-results."""
    result = cli("show", "gather", "--json")
    assert result.exit_code == 0
    assert "gather-results" in [s["id"] for s in json.loads(result.stdout)]


# --------------------------------------------------------------------------- doctor


def test_doctor_piped_reports_the_setup(good: Invoke, user_catalog: Path) -> None:
    """`doctor` names the Python, the catalog with its count and the user catalog path."""
    result = good("doctor")
    assert result.exit_code == 0
    assert result.stderr == ""
    assert "\x1b" not in result.stdout
    assert sys.version.split()[0] in result.stdout
    catalog_line = next(line for line in result.stdout.splitlines() if str(GOOD) in line)
    assert "4" in catalog_line
    assert str(user_catalog) in result.stdout


def test_doctor_on_a_terminal(good: Invoke, tty: None) -> None:
    """`doctor` on a terminal is decorated and still names the catalog."""
    result = good("doctor")
    assert result.exit_code == 0
    assert "\x1b[" in result.stdout
    assert "good.toml" in plain(result.stdout)


def test_doctor_with_a_broken_catalog_reports_it_and_exits_2(cli: Invoke) -> None:
    """`doctor` still reports when a catalog is invalid, shows the problem and exits 2."""
    broken = DATA / "unknown-key.toml"
    result = cli("--no-builtin", "--catalog", broken, "doctor")
    assert result.exit_code == 2
    assert "'colour'" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


# --------------------------------------------------------------------------- global options


def test_version(cli: Invoke) -> None:
    """--version prints the project version from pyproject and exits 0."""
    version = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"][
        "version"
    ]
    result = cli("--version")
    assert result.exit_code == 0
    assert result.stderr == ""
    assert result.stdout.startswith(f"asyncsnip {version}")
    assert len(result.stdout.splitlines()) == 1


COMMAND_OPTIONS = {
    "list": ["--tag", "--section", "--search", "--json"],
    "tags": ["--json"],
    "show": ["--view", "--json", "QUERY"],
    "doctor": [],
}


@pytest.mark.parametrize("command", sorted(COMMAND_OPTIONS))
def test_help_for_each_command(cli: Invoke, command: str) -> None:
    """`COMMAND --help` exits 0 and documents the command's options, without escapes."""
    result = cli(command, "--help")
    assert result.exit_code == 0
    assert result.stderr == ""
    assert "\x1b" not in result.stdout
    assert f"asyncsnip {command}" in result.stdout
    for option in COMMAND_OPTIONS[command]:
        assert option in result.stdout


def test_top_level_help_names_every_command_and_global_option(cli: Invoke) -> None:
    """`--help` lists the commands and the global options."""
    result = cli("--help")
    assert result.exit_code == 0
    assert result.stderr == ""
    for word in [*COMMAND_OPTIONS, "--catalog", "--no-builtin", "--color", "--version"]:
        assert word in result.stdout


def test_no_arguments_shows_usage_and_exits_2(cli: Invoke) -> None:
    """Running with no command prints the usage on stdout and exits 2, like other bad usage."""
    result = cli()
    assert result.exit_code == 2
    assert "Usage: asyncsnip" in result.stdout
    assert "Traceback" not in result.stderr


def test_no_arguments_prints_no_empty_error_line(cli: Invoke) -> None:
    """Bare `asyncsnip` does not follow the usage with an empty 'error:' line."""
    result = cli()
    assert result.exit_code == 2
    assert "asyncsnip: error: \n" not in result.stderr


def test_every_registered_command_has_help(cli: Invoke) -> None:
    """Every command the app registers (including ones added later) answers --help."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        from typer.main import get_command

        from asyncsnip.cli.app import app
    group = get_command(app)
    assert isinstance(group, click.Group)
    names = sorted(group.list_commands(click.Context(group)))
    assert set(COMMAND_OPTIONS) <= set(names)
    for name in names:
        result = cli(name, "--help")
        assert result.exit_code == 0, name
        assert result.stderr == "", name
        assert f"asyncsnip {name}" in result.stdout, name


@pytest.mark.parametrize(
    "args",
    [
        ["--bogus", "list"],
        ["list", "--bogus"],
        ["no-such-command"],
        ["show"],
        ["show", "gather", "--view", "sideways"],
        ["--color", "purple", "list"],
    ],
)
def test_bad_usage_exits_2_with_one_error_line(good: Invoke, args: list[str]) -> None:
    """Unknown options, commands, missing arguments and bad choices exit 2 with no traceback."""
    result = good(*args)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if "error" in line.lower()]
    assert len(errors) == 1


def test_color_always_decorates_a_pipe(good: Invoke) -> None:
    """--color always uses escape codes even when stdout is not a terminal."""
    result = good("--color", "always", "list")
    assert result.exit_code == 0
    assert "\x1b[" in result.stdout


def test_color_never_has_no_colour_on_a_terminal(good: Invoke, tty: None) -> None:
    """--color never on a terminal uses no colour escape codes."""
    result = good("--color", "never", "show", "gather-results")
    assert result.exit_code == 0
    colours = re.findall(r"\x1b\[[0-9;]*(?:3[0-9]|9[0-7]|38;[0-9;]+)m", result.stdout)
    assert colours == []
    assert "asyncio.gather" in plain(result.stdout)


def test_no_color_env_on_a_terminal(
    good: Invoke, tty: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """NO_COLOR on a terminal removes colour."""
    monkeypatch.setenv("NO_COLOR", "1")
    result = good("list")
    assert result.exit_code == 0
    assert re.findall(r"\x1b\[[0-9;]*(?:3[0-9]|9[0-7]|38;[0-9;]+)m", result.stdout) == []


def test_force_color_env_decorates_a_pipe(good: Invoke, monkeypatch: pytest.MonkeyPatch) -> None:
    """FORCE_COLOR decorates output that goes to a pipe."""
    monkeypatch.setenv("FORCE_COLOR", "1")
    result = good("list")
    assert result.exit_code == 0
    assert "\x1b[" in result.stdout


# --------------------------------------------------------------------------- real processes


def run_on_pty(args: list[str | Path]) -> tuple[int, bytes, bytes]:
    """Run asyncsnip with stdout on a 100x40 pseudo-terminal; return (code, stdout, stderr)."""
    run = on_terminal([EXE, *args])
    return run.code, run.terminal, run.stderr


def test_real_terminal_gets_escape_codes() -> None:
    """A real pty run of `show` is highlighted and contains the code."""
    code, out, err = run_on_pty(["--no-builtin", "--catalog", GOOD, "show", "gather-results"])
    assert code == 0
    assert err == b""
    text = out.decode()
    assert "\x1b[" in text
    assert "asyncio.gather" in plain(text)


def test_real_pipe_gets_plain_text() -> None:
    """A real pipe run of `show --view code` is the code, byte for byte, with no escapes."""
    args = [str(EXE), "--no-builtin", "--catalog", str(GOOD), "show", "gather-results"]
    proc = subprocess.run([*args, "--view", "code"], capture_output=True, timeout=30)
    assert proc.returncode == 0
    assert proc.stderr == b""
    assert proc.stdout == GATHER_CODE.encode()
    proc = subprocess.run(args, capture_output=True, timeout=30)
    assert proc.returncode == 0
    assert b"\x1b" not in proc.stdout
    assert b"asyncio.gather" in proc.stdout


def test_python_dash_m_is_the_same_program() -> None:
    """`python -m asyncsnip` behaves like the console script."""
    args = ["--no-builtin", "--catalog", str(GOOD), "list", "--json"]
    proc = subprocess.run(
        [sys.executable, "-m", "asyncsnip", *args], capture_output=True, timeout=30
    )
    assert proc.returncode == 0
    assert [s["id"] for s in json.loads(proc.stdout)] == GOOD_IDS


def big_catalog(path: Path, count: int = 2000) -> Path:
    """A catalog whose `list` output is far bigger than a pipe buffer."""
    tables = [
        f'[[snippets]]\nid = "s{n}"\ntitle = "{"t" * 200}"\ntags = ["x"]\ncode = "pass"\n'
        for n in range(count)
    ]
    path.write_text("\n".join(tables), encoding="utf-8")
    return path


@pytest.mark.parametrize("command", [["list"], ["show", "x"], ["show", "x", "--view", "code"]])
def test_closed_pipe_ends_quietly(tmp_path: Path, command: list[str]) -> None:
    """`asyncsnip ... | head -1`: the reader goes away, asyncsnip exits 0 without a traceback."""
    catalog = big_catalog(tmp_path / "big.toml")
    with subprocess.Popen(
        [str(EXE), "--no-builtin", "--catalog", str(catalog), *command],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    ) as proc:
        assert proc.stdout is not None and proc.stderr is not None
        first = proc.stdout.readline()
        proc.stdout.close()
        stderr = proc.stderr.read()
        code = proc.wait(timeout=30)
    assert first
    assert stderr == b""
    assert code == 0
