"""Text from a catalog or a snippet never drives the terminal: the format refuses control
characters outside code and output, and whatever asyncsnip prints for a person shows them
as visible escapes, while pipes and files get the exact bytes."""

from __future__ import annotations

import json
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import tomli_w
from click.testing import Result

from conftest import MODULE, asyncsnip, on_terminal

Invoke = Callable[..., Result]
DATA = Path(__file__).parent / "data"
ESCAPES = DATA / "terminal-escapes.toml"
BASE = ["--no-builtin", "--catalog", ESCAPES]
# What must never reach a terminal from data: clipboard write, window title, clear screen,
# C1 CSI (as UTF-8), conceal.
RAW = [b"\x1b]52", b"\x1b]0;", b"\x1b[2J", b"\xc2\x9b", b"\x1b[8m", b"\x07"]
CONTROLS = ["\x1b", "\x07", "\x00", "\r", "\x08", "\x7f", "\x85", "\x9b"]


def escapes_snippet(ident: str) -> dict[str, Any]:
    document = tomllib.loads(ESCAPES.read_text(encoding="utf-8"))
    return next(s for s in document["snippets"] if s["id"] == ident)


def assert_inert(data: bytes) -> None:
    for raw in RAW:
        assert raw not in data, f"{raw!r} reached the terminal"


# --------------------------------------------------------------------------- the format

BASIC: dict[str, Any] = {"id": "x", "title": "T", "tags": ["t"], "code": "pass"}
# field -> how a hostile string is put in it
FIELDS: dict[str, Callable[[str], Any]] = {
    "id": lambda bad: f"x{bad}",
    "title": lambda bad: f"Title {bad}",
    "summary": lambda bad: f"Summary {bad}",
    "notes": lambda bad: f"Notes {bad}",
    "tags": lambda bad: ["t", f"t{bad}"],
    "section": lambda bad: f"s{bad}",
    "python": lambda bad: f"3.11{bad}",
    "requires": lambda bad: [f"mod{bad}"],
    "api": lambda bad: [f"asyncio.sleep{bad}"],
    "see_also": lambda bad: [f"y{bad}"],
    "gist": lambda bad: f"pass{bad}",
}


def write_catalog(path: Path, snippet: dict[str, Any], section: dict[str, Any] | None) -> Path:
    document: dict[str, Any] = {"version": 1, "snippets": [snippet]}
    if section is not None:
        document["sections"] = [section]
    path.write_text(tomli_w.dumps(document), encoding="utf-8")
    return path


@pytest.mark.parametrize("control", CONTROLS, ids=[f"{ord(c):02x}" for c in CONTROLS])
@pytest.mark.parametrize("field", sorted(FIELDS))
def test_a_control_character_outside_code_and_output_is_refused(
    cli: Invoke, tmp_path: Path, field: str, control: str
) -> None:
    """C0 and C1 controls (and DEL) in any field but code and output: one line naming the
    file, the line, the snippet, the field and the character; exit 2, nothing on stdout."""
    snippet = dict(BASIC, **{field: FIELDS[field](control)})
    section = {"id": "s", "title": "S"} if field == "section" else None
    path = write_catalog(tmp_path / "bad.toml", snippet, section)
    result = cli("--no-builtin", "--catalog", path, "list")
    assert result.exit_code == 2
    assert result.stdout == ""
    shown = f"\\x{ord(control):02x}"
    lines = [line for line in result.stderr.splitlines() if f"field '{field}'" in line]
    assert len(lines) == 1, result.stderr
    assert "field 'code'" not in result.stderr  # nothing else is blamed
    line_number = (
        path.read_text()
        .splitlines()
        .index(
            next(text for text in path.read_text().splitlines() if text.startswith(f"{field} ="))
        )
    )
    assert f"{path}:{line_number + 1}: snippet '" in lines[0]
    assert f"field '{field}': control character {shown}" in lines[0]
    assert control not in result.stderr


@pytest.mark.parametrize("field", ["title", "summary"])
def test_a_control_character_in_a_section_is_refused(
    cli: Invoke, tmp_path: Path, field: str
) -> None:
    """Section titles and summaries are refused the same way."""
    section = {"id": "s", "title": "S", field: "bad \x1b]0;pwned\x07"}
    path = write_catalog(tmp_path / "bad.toml", dict(BASIC, section="s"), section)
    result = cli("--no-builtin", "--catalog", path, "list")
    assert result.exit_code == 2
    assert f"section 's', field '{field}': control character \\x1b" in result.stderr
    assert "\x1b" not in result.stderr


def test_newlines_and_tabs_are_text(cli: Invoke, tmp_path: Path) -> None:
    """Newline and tab are allowed everywhere; code and output may hold any character."""
    snippet = dict(
        BASIC,
        title="Two\tcolumns",
        notes="line one\nline two",
        code="print('\x1b[1m\x9b\x00')\n".replace("\x00", "\\x00"),
        output="\x1b[1m\x9b\\x00\n",
    )
    path = write_catalog(tmp_path / "ok.toml", snippet, None)
    result = cli("--no-builtin", "--catalog", path, "list", "--json")
    assert result.exit_code == 0, result.stderr
    (loaded,) = json.loads(result.stdout)
    assert (loaded["title"], loaded["notes"]) == ("Two\tcolumns", "line one\nline two")
    assert (loaded["code"], loaded["output"]) == (snippet["code"], snippet["output"])


def test_an_unknown_key_with_escapes_is_named_visibly(cli: Invoke, tmp_path: Path) -> None:
    """Even the name of an unknown field is quoted with its escapes visible, on one line
    (its line break too: as `\\n`, not as a space that would look like part of the name)."""
    path = write_catalog(tmp_path / "bad.toml", dict(BASIC, **{"k\x1b[2J\nx": 1}), None)
    result = cli("--no-builtin", "--catalog", path, "list")
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1
    assert "field 'k\\x1b[2J\\nx': unknown field" in result.stderr


# --------------------------------------------------------------------------- on a terminal


@pytest.mark.parametrize("view", ["standard", "detailed", "compact", "code"])
def test_show_on_a_terminal_shows_escapes_visibly(view: str) -> None:
    """`show` in every view: the code's and output's escape sequences are drawn as text."""
    run = on_terminal([*MODULE, *BASE, "show", "esc-code", "--view", view])
    assert run.code == 0, run.stderr
    assert_inert(run.terminal)
    assert b"\\x1b]52;c;cHduZWQ=\\x07" in run.terminal
    assert b"\\x9b31m" in run.terminal
    if view == "detailed":
        assert run.terminal.count(b"\\x1b]0;pwned") == 2  # the code and the expected output


@pytest.mark.parametrize(
    "args",
    [
        ["show", "escapes"],
        ["list"],
        ["export"],
        ["export", "--format", "text"],
        ["export", "--format", "toml"],
        ["export", "--format", "html"],
        ["export", "--compact"],
    ],
    ids=" ".join,
)
def test_reading_commands_on_a_terminal_show_escapes_visibly(args: list[str]) -> None:
    """A section shown, the list, and every export written to a terminal: nothing raw."""
    run = on_terminal([*MODULE, *BASE, *args])
    assert run.code == 0, run.stderr
    assert_inert(run.terminal)
    if args[0] != "list":
        assert b"\\x1b]52;c;cHduZWQ=" in run.terminal


@pytest.mark.parametrize("args", [["show", "esc-code", "--json"], ["export", "--format", "json"]])
def test_json_on_a_terminal_is_inert_and_the_same_data(args: list[str]) -> None:
    """JSON on a terminal writes every control character as a \\u escape: inert, and it
    still decodes to the exact code."""
    run = on_terminal([*MODULE, *BASE, *args])
    assert run.code == 0, run.stderr
    assert_inert(run.terminal)
    data = json.loads(run.terminal.decode().replace("\r\n", "\n"))
    snippets = data if isinstance(data, list) else data["snippets"]
    assert snippets[0]["code"] == escapes_snippet("esc-code")["code"]


def test_an_unknown_id_with_escapes_is_echoed_visibly() -> None:
    """The error line quoting an unknown id shows its escapes; the terminal gets none."""
    run = on_terminal([*MODULE, *BASE, "run", "\x1b]0;pwned\x07\x1b[2J"], streams="stderr")
    assert run.code == 2
    assert_inert(run.terminal)
    assert b"unknown snippet id '\\x1b]0;pwned\\x07\\x1b[2J'" in run.terminal


def test_a_missing_catalog_path_with_escapes_is_named_visibly(tmp_path: Path) -> None:
    """A file name is user input too: the error line shows its escapes."""
    run = on_terminal(
        [*MODULE, "--catalog", f"{tmp_path}/\x1b]0;x\x07.toml", "list"], streams="stderr"
    )
    assert run.code == 2
    assert_inert(run.terminal)
    assert b"\\x1b]0;x\\x07.toml: no such file" in run.terminal


def test_check_report_on_a_terminal_shows_stderr_and_diffs_visibly() -> None:
    """`check`: the failing snippet's stderr tail and the mismatch diff, on the terminal
    (progress and report both), with every escape visible."""
    run = on_terminal([*MODULE, *BASE, "check"], streams="stdout,stderr")
    assert run.code == 1
    assert_inert(run.terminal)
    assert b"\\x1b]52;c;cHduZWQ=\\x07" in run.terminal  # esc-stderr's stderr
    assert b"\\x1b]0;wanted\\x07" in run.terminal and b"\\x1b]0;got\\x07" in run.terminal


def test_check_report_in_a_pipe_shows_escapes_visibly() -> None:
    """A report is for people even in a CI log (whose viewer may obey escapes): the stderr
    tail and diffs are visible there too; `--json` keeps the exact bytes."""
    done = asyncsnip(*BASE, "check", "esc-stderr", "esc-mismatch")
    assert done.returncode == 1
    assert_inert(done.stdout)
    assert b"\\x1b]0;pwned" in done.stdout and b"\\x1b]0;got" in done.stdout
    as_json = asyncsnip(*BASE, "check", "esc-stderr", "--json")
    (result,) = json.loads(as_json.stdout)["results"]
    assert result["stderr"] == "\x1b]52;c;cHduZWQ=\x07\x1b]0;pwned\x07\x1b[2J\n"


def test_run_streams_the_output_raw_but_its_verdict_shows_the_diff_visibly() -> None:
    """`run` passes the snippet's own output through as written (it is running a program),
    but the verdict after it shows the diff with its escapes visible."""
    run = on_terminal([*MODULE, *BASE, "run", "esc-mismatch"], streams="stdout,stderr")
    assert run.code == 1
    streamed, mark, verdict = run.terminal.partition("≠ mismatch".encode())
    assert mark, run.terminal
    assert b"\x1b]0;got\x07" in streamed
    assert_inert(verdict)
    assert b"\\x1b]0;wanted\\x07" in verdict and b"\\x1b]0;got\\x07" in verdict


# --------------------------------------------------------------------------- pipes and files


def test_show_code_in_a_pipe_is_byte_exact() -> None:
    """`show --view code | ...` gets the code exactly, escapes and all."""
    done = asyncsnip(*BASE, "show", "esc-code", "--view", "code")
    assert done.returncode == 0, done.stderr
    assert done.stdout == escapes_snippet("esc-code")["code"].encode()


@pytest.mark.parametrize("fmt", ["markdown", "text", "toml", "json", "html"])
def test_export_to_a_pipe_or_a_file_keeps_the_bytes(fmt: str, tmp_path: Path) -> None:
    """`export` to a pipe and to `--output FILE`: the same document, holding the exact code
    (JSON and HTML as their own escapes, which decode to it)."""
    piped = asyncsnip(*BASE, "export", "--format", fmt)
    assert piped.returncode == 0, piped.stderr
    target = tmp_path / f"out.{fmt}"
    written = asyncsnip(*BASE, "export", "--format", fmt, "--output", target)
    assert written.returncode == 0, written.stderr
    assert target.read_bytes() == piped.stdout
    code = escapes_snippet("esc-code")["code"]
    if fmt == "json":
        assert json.loads(piped.stdout)["snippets"][0]["code"] == code
    elif fmt == "toml":
        assert tomllib.loads(piped.stdout.decode())["snippets"][0]["code"] == code
    elif fmt == "html":
        assert b"\x1b]52;c;cHduZWQ=\x07" in piped.stdout
    else:
        assert all(line.encode() in piped.stdout for line in code.splitlines())
