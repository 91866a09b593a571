"""TAB over hostile text in real bash, zsh and fish (tmux): nothing runs, nothing is created,
and what is inserted is exactly the text offered.

The issue's attack: three snippet titles, `Gather results \\`, `') ; touch ~/pwned ; ws=('`
and `Queue shutdown \\`, made zsh 5.9 run `touch ~/pwned` on `asyncsnip run <TAB>`.
"""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from asyncsnip.completion import answer
from conftest import DATA, PROMPT, shell_env
from test_shell_quoting import stand_in
from test_shells import BIN, STARTERS

MARKERS = ("pwned", "pwned-section", "pwned-tag")
HOSTILE_CATALOG = """\
version = 1

[[sections]]
id = "evil-section"
title = "$(touch ~/pwned-section) `touch ~/pwned-section`; touch ~/pwned-section \\\\"
summary = "') ; touch ~/pwned ; ws=('"

[[snippets]]
id = "gather-bs"
title = 'Gather results \\'
tags = ["x"]
code = "pass"

[[snippets]]
id = "pwn-two"
title = "') ; touch ~/pwned ; ws=('"
tags = ["x"]
code = "pass"

[[snippets]]
id = "queue-bs"
title = 'Queue shutdown \\'
tags = ["x"]
code = "pass"

[[snippets]]
id = "subst"
title = "$(touch ~/pwned) `touch ~/pwned` a:b; x \\u202e \\u00e9"
section = "evil-section"
tags = ["x"]
code = "pass"

[[snippets]]
id = "two-lines"
title = "first\\nsecond; touch ~/pwned"
tags = ["x"]
code = "pass"
"""
INVALID_CATALOG = (DATA / "invalid-shell-code.toml").read_text(encoding="utf-8")
IDS = ["gather-bs", "pwn-two", "queue-bs", "subst", "two-lines"]


def poll(condition: Callable[[], object], what: str, timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"never happened: {what}")


class Shell:
    """One shell in tmux, with a home folder the markers would be created in."""

    def __init__(self, name: str, home: Path, env: dict[str, str]) -> None:
        self.name, self.home = name, home
        self.term = STARTERS[name](home, env)
        self.term.wait_for(PROMPT)
        if name == "bash":  # list ambiguous candidates on the first TAB, as zsh and fish do
            self.command("bind 'set show-all-if-ambiguous on'")
        if name == "fish":  # no grey suggestions from history on the screen
            self.command("set -g fish_autosuggestion_enabled 0")

    def command(self, line: str) -> None:
        """Run `line`, then clear the screen; back when only the prompt shows."""
        self.term.type(f"{line}; clear")
        self.term.key("Enter")
        self.cleared()

    def cleared(self) -> None:
        poll(lambda: self.term.screen().strip() == PROMPT, "a cleared screen")

    def fresh(self) -> None:
        """Abandon the line being typed (and any listing), then clear the screen."""
        self.term.key("C-c")
        poll(lambda: self.term.screen().rstrip().endswith(PROMPT), "a new prompt")
        self.command("true")

    def export(self, name: str, value: str) -> None:
        self.command(f"set -gx {name} {value}" if self.name == "fish" else f"export {name}={value}")

    def tab(self, line: str, expect: str) -> str:
        """Type `line`, press TAB, and return the screen once `expect` shows."""
        self.term.type(line)
        self.term.key("Tab")
        return self.term.wait_for(expect)

    def created(self) -> list[str]:
        return [name for name in MARKERS if (self.home / name).exists()]


@pytest.fixture(params=sorted(STARTERS))
def shell(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Shell]:
    home = tmp_path / "shell-home"
    home.mkdir()
    opened = Shell(request.param, home, shell_env(home))
    try:
        yield opened
    finally:
        opened.term.close()


def age(path: Path, seconds: float) -> None:
    """Set a file's modification time `seconds` ago (negative: in the future, so the
    parsed-catalog cache never stores it and Click's path answers every TAB)."""
    when = time.time() - seconds
    os.utime(path, (when, when))


def warm(home: Path, *args: str) -> None:
    """Fill the parsed-catalog cache, so the fast path answers."""
    argv = [str(BIN / "asyncsnip"), *args, "list"]
    proc = subprocess.run(argv, env=shell_env(home), capture_output=True, timeout=60)
    assert proc.returncode == 0, proc.stderr


def cached(home: Path, catalog: Path) -> bool:
    name = str(catalog.resolve()).replace(os.sep, "%")
    return (home / ".cache" / "asyncsnip" / "catalogs" / f"{name}.index.marshal").exists()


def check_tabs(shell: Shell, prefix: str) -> None:
    """TAB after `run` lists every hostile snippet (with its title, where the shell shows
    descriptions), TAB after `--section` inserts the section; nothing runs."""
    screen = shell.tab(f"{prefix}run ", "two-lines")
    assert all(ident in screen for ident in IDS)
    if shell.name != "bash":
        for title in ("Gather results \\", "') ; touch ~/pwned ; ws=('", "Queue shutdown \\"):
            assert title in screen
        assert "\\u202e" in screen  # a bidi override is shown, not obeyed
    shell.fresh()
    shell.tab(f"{prefix}check --section ", f"{prefix}check --section evil-section")
    shell.fresh()
    assert shell.created() == []


def test_tab_over_hostile_titles_with_catalog_option(shell: Shell, tmp_path: Path) -> None:
    """`--catalog FILE` on the line: Click's path (file never cached), then the fast path."""
    catalog = tmp_path / "evil.toml"
    catalog.write_text(HOSTILE_CATALOG, encoding="utf-8")
    age(catalog, -3600)
    check_tabs(shell, f"asyncsnip --no-builtin --catalog {catalog} ")
    assert not cached(shell.home, catalog)
    age(catalog, 3600)
    warm(shell.home, "--no-builtin", "--catalog", str(catalog))
    assert cached(shell.home, catalog)
    check_tabs(shell, f"asyncsnip --no-builtin --catalog {catalog} ")


def test_tab_over_hostile_titles_from_environment_and_user_catalog(
    shell: Shell, tmp_path: Path
) -> None:
    """The same catalog as ASYNCSNIP_CATALOG (Click's path), then as the user catalog (the
    fast path)."""
    catalog = tmp_path / "evil.toml"
    catalog.write_text(HOSTILE_CATALOG, encoding="utf-8")
    age(catalog, -3600)
    shell.export("ASYNCSNIP_CATALOG", str(catalog))
    check_tabs(shell, "asyncsnip --no-builtin ")
    shell.export("ASYNCSNIP_CATALOG", "''")
    user = shell.home / ".config" / "asyncsnip" / "snippets.toml"
    user.parent.mkdir(parents=True)
    user.write_text(HOSTILE_CATALOG, encoding="utf-8")
    age(user, 3600)
    warm(shell.home, "--no-builtin")
    assert cached(shell.home, user)
    check_tabs(shell, "asyncsnip --no-builtin ")


def test_tab_with_an_invalid_hostile_catalog(shell: Shell, tmp_path: Path) -> None:
    """A catalog whose id and tags are shell code is invalid: named with --catalog, TAB
    offers none of its text (the command would fail); as the user catalog it is left out
    and the built-in snippets are offered. Nothing runs either way."""
    catalog = tmp_path / "invalid.toml"
    catalog.write_text(INVALID_CATALOG, encoding="utf-8")
    shell.term.type(f"asyncsnip --catalog {catalog} show ")
    shell.term.key("Tab")
    time.sleep(1.5)  # no candidate to wait for: give the shell time to answer
    screen = shell.term.screen()
    assert "bad-tag" not in screen and "hello-world" not in screen
    assert screen.count("touch ~/pwned") == 0
    shell.fresh()
    user = shell.home / ".config" / "asyncsnip" / "snippets.toml"
    user.parent.mkdir(parents=True)
    user.write_text(INVALID_CATALOG, encoding="utf-8")
    screen = shell.tab("asyncsnip show hello-w", "hello-world")
    assert "pwned" not in screen.replace("asyncsnip show hello-w", "")
    shell.fresh()
    assert shell.created() == []


# What TAB inserts, read back as the arguments the command then receives.
INSERTED = [
    "Gather results \\",
    "') ; touch ~/pwned ; ws=('",
    "Queue shutdown \\",
    "$(touch ~/pwned)",
    "`touch ~/pwned`",
    "a;touch ~/pwned&",
    "x:y\\:z",
    "é 中 ü",
    "!!",
    "~/pwned*",
    "{a,b}",
    "\"double\" 'single'",
    "$HOME",
    "-n",
]


def test_tab_inserts_exactly_the_offered_text(tmp_path: Path) -> None:
    """Each hostile value, offered as the only candidate by a stand-in asyncsnip, is inserted
    by TAB so that running the line passes exactly that value, in bash, zsh and fish."""
    for name in sorted(STARTERS):
        folder = tmp_path / name
        home = folder / "home"
        home.mkdir(parents=True)
        stand_in(folder)
        env = dict(shell_env(home), PATH=f"{folder}:{shell_env(home)['PATH']}")
        env.update(STUB_ANSWER=str(folder / "answer"), STUB_ARGS=str(folder / "args"))
        opened = Shell(name, home, env)
        try:
            for value in INSERTED:
                assert inserted(opened, folder, value) == (
                    None if name == "fish" and value.startswith("~") else ["pick", value]
                ), name
            assert opened.created() == []
        finally:
            opened.term.close()


def inserted(shell: Shell, folder: Path, value: str) -> list[str] | None:
    """Offer `value` alone, press TAB after `asyncsnip pick `, run the line: the arguments the
    program got; None if TAB inserted nothing (fish leaves out a value starting with `~`,
    which it would expand)."""
    (folder / "answer").write_text(answer([(value, "")]), encoding="utf-8")
    shell.term.type("asyncsnip pick ")
    shell.term.key("Tab")
    typed = "asyncsnip pick"
    try:
        poll(lambda: not shell.term.screen().rstrip().endswith(typed), "insertion", timeout=5)
    except AssertionError:
        shell.fresh()
        return None
    shell.term.type("; clear")
    shell.term.key("Enter")
    poll((folder / "args").exists, f"{shell.name} ran the line for {value!r}")
    got = (folder / "args").read_bytes().split(b"\0")[:-1]
    (folder / "args").unlink()
    shell.cleared()
    return [arg.decode() for arg in got]
