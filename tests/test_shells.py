"""Completion in real bash, zsh and fish, driven through tmux like a person at a terminal."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import PROMPT, Terminal, shell_env

REPO = Path(__file__).resolve().parent.parent
COMPLETIONS = REPO / "completions"
BIN = Path(sys.executable).parent  # holds the installed `asyncsnip` script


def start_bash(home: Path, env: dict[str, str] | None = None) -> Terminal:
    """bash with the script sourced from ~/.bashrc, as the README says."""
    rc = home / ".bashrc"
    rc.write_text(f"PS1='{PROMPT} '\nsource {COMPLETIONS / 'asyncsnip.bash'}\n")
    return Terminal(["bash", "--noprofile", "--rcfile", str(rc), "-i"], env or shell_env(home))


def start_zsh(home: Path, env: dict[str, str] | None = None) -> Terminal:
    """zsh with the completions folder on fpath before compinit, as the README says."""
    (home / ".zshrc").write_text(
        f"fpath=({COMPLETIONS} $fpath)\nautoload -Uz compinit && compinit -u\nPROMPT='{PROMPT} '\n"
    )
    env = dict(env or shell_env(home), ZDOTDIR=str(home))
    return Terminal(["zsh", "-i"], env)


def start_fish(home: Path, env: dict[str, str] | None = None) -> Terminal:
    """fish with the script in its completions folder, as the README says."""
    completions = home / ".config" / "fish" / "completions"
    completions.mkdir(parents=True)
    shutil.copy(COMPLETIONS / "asyncsnip.fish", completions / "asyncsnip.fish")
    (home / ".config" / "fish" / "config.fish").write_text(
        f"set -g fish_greeting ''\nfunction fish_prompt; echo -n '{PROMPT} '; end\n"
    )
    return Terminal(["fish", "-i"], env or shell_env(home))


STARTERS = {"bash": start_bash, "zsh": start_zsh, "fish": start_fish}


@pytest.fixture(params=sorted(STARTERS))
def terminal(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Terminal]:
    shell = request.param
    assert shutil.which(shell), f"{shell} is not installed (.ci/run installs it)"
    home = tmp_path / "shell-home"
    home.mkdir()
    term = STARTERS[shell](home)
    try:
        term.wait_for(PROMPT)
        yield term
    finally:
        term.close()


def complete(term: Terminal, line: str, expect: str) -> str:
    """Type `line` and press TAB until `expect` shows: bash inserts a common prefix on one
    TAB, rings the bell on the next and lists the candidates on the one after that."""
    term.type(line)
    for _ in range(2):
        term.key("Tab")
        try:
            return term.wait_for(expect, timeout=3)
        except AssertionError:
            pass
    term.key("Tab")
    return term.wait_for(expect)


def test_show_completes_gather_queries(terminal: Terminal) -> None:
    """`asyncsnip show gath` TAB offers the gather tag and the gather snippets."""
    screen = complete(terminal, "asyncsnip show gath", "gather-results")
    assert "gather-return-exceptions" in screen


def test_run_completes_snippet_ids(terminal: Terminal) -> None:
    """`asyncsnip run ` TAB offers snippet ids."""
    complete(terminal, "asyncsnip run hello", "asyncsnip run hello-world")
    terminal.reset()
    complete(terminal, "asyncsnip run taskg", "taskgroup-basics")


def test_tag_option_completes_tags(terminal: Terminal) -> None:
    """`asyncsnip list --tag ` TAB offers tags."""
    complete(terminal, "asyncsnip list --tag prio", "priority-queue")


def test_first_tab_works_in_a_fresh_shell(tmp_path: Path) -> None:
    """zsh autoloads _asyncsnip from fpath: the very first TAB must already complete."""
    home = tmp_path / "shell-home"
    home.mkdir()
    term = start_zsh(home)
    try:
        term.wait_for(PROMPT)
        term.type("asyncsnip run hello-wo")
        term.key("Tab")  # one TAB only: a unique candidate is inserted at once
        term.wait_for("asyncsnip run hello-world")  # typed: hello-wo
    finally:
        term.close()


def test_descriptions_show_titles(tmp_path: Path) -> None:
    """fish shows each id's title next to it."""
    home = tmp_path / "shell-home"
    home.mkdir()
    term = start_fish(home)
    try:
        term.wait_for(PROMPT)
        screen = complete(term, "asyncsnip run gather-r", "gather-results")
        assert "Run coroutines concurrently with gather" in screen
    finally:
        term.close()


def test_install_completion_then_first_tab_in_zsh(tmp_path: Path) -> None:
    """`asyncsnip --install-completion` run from zsh sets it up so a new zsh completes."""
    home = tmp_path / "shell-home"
    home.mkdir()
    env = dict(shell_env(home), ZDOTDIR=str(home))
    installed = subprocess.run(
        # `; true` keeps zsh alive as the parent, the shell asyncsnip detects
        ["zsh", "-f", "-c", "asyncsnip --install-completion; true"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert installed.returncode == 0, installed.stderr
    assert "zsh completion installed" in installed.stdout
    with (home / ".zshrc").open("a") as rc:
        rc.write(f"\nPROMPT='{PROMPT} '\n")
    term = Terminal(["zsh", "-i"], env)
    try:
        term.wait_for(PROMPT)
        term.type("asyncsnip run hello-wo")
        term.key("Tab")
        term.wait_for("asyncsnip run hello-world")  # typed: hello-wo
    finally:
        term.close()
