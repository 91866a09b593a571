"""What a person sees in a real terminal (tmux): code that survives copying from the screen
at any width, and colours from the terminal's own palette."""

from __future__ import annotations

import itertools
import re
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from asyncsnip.catalog.loader import load
from asyncsnip.catalog.model import Catalog
from asyncsnip.choices import VIEWS
from conftest import Terminal, shell_env

BIN = Path(sys.executable).parent
DONE = "ALL-SHOWN"
_COUNT = itertools.count()


@pytest.fixture(scope="module")
def builtin() -> Catalog:
    return load()


def shell(tmp_path: Path, width: int) -> Terminal:
    env = shell_env(tmp_path, PS1="$ ")
    return Terminal(["bash", "--noprofile", "--norc"], env, width, 40, history=200_000)


def shown(term: Terminal, command: str, timeout: float = 120) -> list[str]:
    """The lines the terminal shows for `command` (history included), soft-wrapped lines
    joined as a mouse selection copies them, trailing spaces dropped."""
    marker = f"{DONE}-{next(_COUNT)}"
    term.tmux("clear-history", "-t", "t")
    term.type(f"clear; {command}; echo {marker}")
    term.key("Enter")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        lines = [line.rstrip() for line in term.screen(joined=True, history=True).splitlines()]
        if marker in lines:
            return lines[: lines.index(marker)]
        time.sleep(0.2)
    raise AssertionError(f"{command!r} did not finish within {timeout} s")


def holds_block(lines: list[str], code: str) -> bool:
    """Do `lines` hold every line of `code`, verbatim and in order, one after another?"""
    want = [line.rstrip() for line in code.rstrip("\n").split("\n")]
    for start in (i for i, line in enumerate(lines) if line == want[0]):
        if lines[start : start + len(want)] == want:
            return True
    return False


@pytest.fixture(params=[60, 80, 120], ids=lambda w: f"{w}-columns")
def terminal(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Terminal]:
    term = shell(tmp_path, request.param)
    try:
        term.wait_for("$")
        yield term
    finally:
        term.close()


def test_every_snippet_copies_exactly_in_every_view(terminal: Terminal, builtin: Catalog) -> None:
    """At 60, 80 and 120 columns, in every view, the screen holds each snippet's code lines
    verbatim and in order: no border, no gutter, no added indentation, no inserted break."""
    missing = []
    for view in VIEWS:
        command = "; ".join(
            f"asyncsnip --no-pager --color always show {section} --view {view}"
            for section in builtin.sections
        )
        lines = shown(terminal, command)
        missing += [
            (view, s.id) for s in builtin.snippets.values() if not holds_block(lines, s.code)
        ]
    assert missing == []


SGR = re.compile(r"\x1b\[([0-9;]*)m")


def colour_codes(text: str) -> set[int]:
    """Every SGR parameter that sets a colour (30-49 and 90-107, with 38/48 extended)."""
    found = set()
    for match in SGR.finditer(text):
        for part in match[1].split(";"):
            if part.isdigit() and (30 <= int(part) <= 49 or 90 <= int(part) <= 107):
                found.add(int(part))
    return found
