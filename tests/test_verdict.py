"""A verdict nobody can hide: after a snippet that leaves the terminal concealed, mid-line,
in reverse video, drawing lines, with a scroll region or without newline translation, the
verdict is on a line of its own, readable, with no attribute left on (tmux draws the screen;
`capture-pane -e` shows each cell's attributes)."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import MODULE, PROMPT, Terminal, on_terminal, shell_env
from test_shells import BIN

CATALOG = Path(__file__).parent / "data" / "verdict.toml"
ROWS, COLUMNS = 24, 120


@pytest.fixture
def bash(tmp_path: Path) -> Iterator[Terminal]:
    """bash in a tmux window of ROWS x COLUMNS."""
    home = tmp_path / "shell-home"
    home.mkdir()
    rc = home / ".bashrc"
    rc.write_text(f"PS1='{PROMPT} '\n")
    argv = ["bash", "--noprofile", "--rcfile", str(rc), "-i"]
    term = Terminal(argv, shell_env(home), width=COLUMNS, height=ROWS)
    try:
        term.wait_for(PROMPT)
        yield term
    finally:
        term.close()


def run_in(term: Terminal, command: str) -> tuple[str, str]:
    """Clear the screen, run `command` in the shell, wait for it: (the screen as text, the
    screen with attributes), history included."""
    term.type(f"clear; {command}; echo EXIT=$?")
    term.key("Enter")
    deadline = time.monotonic() + 60
    while "EXIT=" not in term.screen(history=True).replace("echo EXIT=$?", ""):
        assert time.monotonic() < deadline, term.screen()
        time.sleep(0.1)
    with_attributes = term.tmux("capture-pane", "-p", "-e", "-S", "-", "-t", "t")
    return term.screen(history=True), with_attributes


def attributes_at(captured: str, text: str) -> set[str]:
    """The attributes on (`conceal`, `reverse`, `line-drawing`) where `text` starts in a
    `capture-pane -e` screen, its SGR codes and SO/SI shifts followed from the top."""
    position = captured.index(text)
    on: set[str] = set()
    names = {"7": "reverse", "8": "conceal"}
    offs = {"27": "reverse", "28": "conceal"}
    index = 0
    for match in re.finditer(r"\x1b\[([0-9;]*)m|\x0e|\x0f", captured[:position]):
        index = match.end()
        if match[0] == "\x0e":
            on.add("line-drawing")
        elif match[0] == "\x0f":
            on.discard("line-drawing")
        else:
            for param in (match[1] or "0").split(";"):
                if param in ("", "0"):
                    on -= {"reverse", "conceal"}
                elif param in names:
                    on.add(names[param])
                elif param in offs:
                    on.discard(offs[param])
    assert index <= position
    return on


def verdict_line(screen: str, marker: str) -> str:
    lines = [line for line in screen.splitlines() if marker in line]
    assert len(lines) == 1, screen
    return lines[0]


def asyncsnip_run(ident: str) -> str:
    """The command line; the snippet may open the terminal by the name in $VICTIM_TTY (its
    own stdout and stderr are pipes to asyncsnip, and it has no controlling terminal)."""
    return f"VICTIM_TTY=$(tty) {BIN / 'asyncsnip'} --no-builtin --catalog {CATALOG} run {ident}"


@pytest.mark.parametrize(
    "ident",
    ["fake-pass-conceal", "mid-line-reverse", "scroll-region", "line-drawing", "raw-terminal"],
)
def test_failed_verdict_is_visible_after_a_hostile_snippet(bash: Terminal, ident: str) -> None:
    """The real "✗ failed" line starts a line of its own, in plain letters, with neither
    conceal nor reverse on, and the exit status is 1."""
    screen, captured = run_in(bash, asyncsnip_run(ident))
    line = verdict_line(screen, f"failed: {ident} in ")
    assert line.startswith("✗ failed: "), screen
    assert attributes_at(captured, f"failed: {ident} in ") == set()
    assert "EXIT=1" in screen
    assert "  exit status 1" in screen  # the line after the verdict is there too
    prompt = [line for line in screen.splitlines() if line.startswith(PROMPT)]
    assert prompt, screen  # and the shell's prompt after it is readable


def test_a_snippet_left_mid_line_keeps_its_output(bash: Terminal) -> None:
    """What the snippet wrote stays as it wrote it; the verdict goes on the next line."""
    screen, _ = run_in(bash, asyncsnip_run("mid-line-reverse"))
    lines = screen.splitlines()
    at = next(i for i, line in enumerate(lines) if "failed: mid-line-reverse" in line)
    assert lines[at - 1] == "partial line"


def test_passed_verdict_is_visible_after_a_fake_failure(bash: Terminal) -> None:
    """A snippet that prints a fake failure and conceals the terminal still gets a visible
    "✓ passed" after it, and exit status 0."""
    screen, captured = run_in(bash, asyncsnip_run("conceal-then-pass"))
    assert verdict_line(screen, "passed: conceal-then-pass in ").startswith("✓ passed: ")
    assert attributes_at(captured, "passed: conceal-then-pass in ") == set()
    assert "EXIT=0" in screen


def test_check_report_is_visible_after_a_snippet_writes_to_the_terminal(bash: Terminal) -> None:
    """A snippet in `check` has no terminal, but can open the user's one by name: check's
    report still starts on a fresh line, unconcealed, and says what failed."""
    command = f"VICTIM_TTY=$(tty) {BIN / 'asyncsnip'} --no-builtin --catalog {CATALOG} check -t tty"
    screen, captured = run_in(bash, command)
    assert "EXIT=1" in screen
    totals = verdict_line(screen, "1 checked in ")
    assert totals.startswith("1 checked in ") and totals.endswith(": 1 failed")
    assert attributes_at(captured, "1 checked in ") == set()
    row = verdict_line(screen, "tty-conceal  ")
    assert "failed" in row
    assert attributes_at(captured, "tty-conceal  0.") == set()


def test_every_progress_frame_starts_with_the_reset(tmp_path: Path) -> None:
    """check's progress display redraws itself while snippets run; each frame it writes
    begins with the attribute reset, so one drawn after a snippet wrote to the terminal is
    readable too."""
    from asyncsnip.output.reset import ATTRIBUTES

    catalog = tmp_path / "slow.toml"
    catalog.write_text(
        'version = 1\n[[snippets]]\nid = "slow"\ntitle = "Slow"\ntags = ["t"]\n'
        'code = "import time\\ntime.sleep(1)\\n"\n'
    )
    argv = [*MODULE, "--no-builtin", "--catalog", catalog, "check"]
    run = on_terminal(argv, streams="stderr")
    assert run.code == 0, run.stderr
    frames = run.terminal.split(ATTRIBUTES.encode())
    assert frames[0] == b""  # the very first bytes are the reset
    assert len(frames) > 3  # several frames, each after a reset
    assert b"checking" in run.terminal
