"""The pager and the palette, on real pseudo-terminals and in tmux."""

from __future__ import annotations

import re
import shutil
import sys
import time
from pathlib import Path

import pytest

from conftest import EXE, Terminal, asyncsnip, on_terminal, shell_env

BIN = Path(sys.executable).parent
SGR = re.compile(r"\x1b\[([0-9;]*)m")
TALL = ["show", "queue"]  # several snippets: far taller than a 20-row screen
SHORT = ["show", "hello-world", "--view", "code"]


@pytest.fixture
def fake_pager(tmp_path: Path) -> tuple[str, Path]:
    """A pager that notes it ran, then shows its input (as `cat` would)."""
    mark = tmp_path / "paged"
    script = tmp_path / "pager.sh"
    script.write_text(f'#!/bin/sh\necho ran >> "{mark}"\nexec cat\n')
    script.chmod(0o755)
    return str(script), mark


def run(args: list[str], env: dict[str, str], rows: int = 20) -> bytes:
    done = on_terminal([EXE, *args], env=env, size=(rows, 100))
    assert done.code == 0, done.stderr
    return done.terminal


def test_tall_output_on_a_terminal_goes_through_the_pager(fake_pager: tuple[str, Path]) -> None:
    """Taller than the screen: $ASYNCSNIP_PAGER gets it, and what it shows is the answer."""
    pager, mark = fake_pager
    shown = run(TALL, {"ASYNCSNIP_PAGER": pager})
    assert mark.read_text() == "ran\n"
    assert b"queue-producer-consumer" in shown


def test_output_that_fits_is_not_paged(fake_pager: tuple[str, Path]) -> None:
    """A screenful or less is written straight to the terminal."""
    pager, mark = fake_pager
    assert b"hello" in run(SHORT, {"ASYNCSNIP_PAGER": pager}, rows=40)
    assert not mark.exists()


def test_no_pager_option_turns_it_off(fake_pager: tuple[str, Path]) -> None:
    """--no-pager: everything at once, the pager never starts."""
    pager, mark = fake_pager
    assert b"queue-producer-consumer" in run(["--no-pager", *TALL], {"ASYNCSNIP_PAGER": pager})
    assert not mark.exists()


def test_a_pipe_is_never_paged(fake_pager: tuple[str, Path]) -> None:
    """Piped output never goes through a pager."""
    pager, mark = fake_pager
    done = asyncsnip(*TALL, env={"ASYNCSNIP_PAGER": pager})
    assert done.returncode == 0
    assert b"queue-producer-consumer" in done.stdout
    assert not mark.exists()


def test_pager_falls_back_to_the_pager_variable(
    fake_pager: tuple[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without $ASYNCSNIP_PAGER, $PAGER is used."""
    pager, mark = fake_pager
    monkeypatch.delenv("ASYNCSNIP_PAGER")
    done = on_terminal([EXE, *TALL], env={"PAGER": pager}, size=(20, 100))
    assert done.code == 0
    assert mark.exists()


@pytest.mark.parametrize("pager", ["/nonexistent/pager", "false"])
def test_a_pager_that_cannot_start_means_plain_output(pager: str) -> None:
    """A missing pager, or one that dies at once: the answer is printed, with no error."""
    done = on_terminal([EXE, *TALL], env={"ASYNCSNIP_PAGER": pager}, size=(20, 100))
    assert done.code == 0
    assert b"queue-producer-consumer" in done.terminal
    assert b"asyncsnip: error" not in done.terminal
    assert b"not found" not in done.terminal


@pytest.fixture
def less_terminal(tmp_path: Path) -> Terminal:
    assert shutil.which("less"), "less is not installed"
    env = shell_env(tmp_path, PS1="READY$ ")
    term = Terminal(["bash", "--noprofile", "--norc"], env, 100, 20)
    term.wait_for("READY$")
    return term


@pytest.mark.parametrize("key", ["q", "C-c"])
def test_less_by_default_and_leaving_it_is_clean(less_terminal: Terminal, key: str) -> None:
    """With no pager set, `less -FRX` shows a tall answer; `q` (or Ctrl-C, then `q`) leaves
    it, and asyncsnip exits 0 without a traceback."""
    term = less_terminal
    try:
        term.type(f"{EXE} show queue; echo exit=$?")
        term.key("Enter")
        term.wait_for("queue-producer-consumer")
        time.sleep(0.3)
        assert "exit=" not in term.screen()  # still in the pager
        term.key(key)
        if key == "C-c":  # less stays on Ctrl-C, as it does for git
            time.sleep(0.3)
            term.key("q")
        screen = term.wait_for("exit=")
        assert "exit=0" in screen
        assert "Traceback" not in screen
    finally:
        term.close()


def colours(text: bytes) -> set[str]:
    """Every SGR parameter list that sets a colour (foreground or background)."""
    found = set()
    for match in SGR.finditer(text.decode("utf-8", "replace")):
        params = match[1].split(";")
        for i, part in enumerate(params):
            if part in ("38", "48"):
                found.add(";".join(params[i:]))
                break
            if part.isdigit() and (30 <= int(part) <= 49 or 90 <= int(part) <= 107):
                found.add(part)
    return found


def test_default_colours_are_the_terminals_16(fake_pager: tuple[str, Path]) -> None:
    """By default every colour is one of the 16 ANSI colours (30-37, 90-97, and their
    backgrounds), so the terminal's own theme decides; no 256-colour or 24-bit colour."""
    for args in (["show", "gather"], ["list"], ["show", "to-thread", "--view", "detailed"]):
        shown = run(["--no-pager", "--color", "always", *args], {"COLORTERM": "truecolor"})
        found = colours(shown)
        assert found, args
        assert all(not c.startswith(("38", "48")) for c in found), (args, found)


def test_a_24_bit_theme_is_an_explicit_choice() -> None:
    """ASYNCSNIP_THEME=monokai gives 24-bit colour on a terminal that has it."""
    env = {"ASYNCSNIP_THEME": "monokai", "COLORTERM": "truecolor"}
    found = colours(run(["--no-pager", "show", "gather-results"], env))
    assert any(c.startswith("38;2;") for c in found)
