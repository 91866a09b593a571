"""Hot paths import only what they need (checked by the import log, not by timing)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ENTRY = "from asyncsnip.__main__ import main; main()"
HEAVY = ("rich", "pyperclip", "tomli_w", "pydantic", "asyncsnip.engine")


def imported(*args: str, env: dict[str, str] | None = None) -> set[str]:
    """Every module a real asyncsnip process imports, read from `python -X importtime`."""
    argv = [sys.executable, "-X", "importtime", "-c", ENTRY, *args]
    proc = subprocess.run(
        argv, env={**os.environ, **(env or {})}, capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout  # it did answer
    lines = [line for line in proc.stderr.splitlines() if line.startswith("import time:")]
    return {line.rsplit("|", 1)[1].strip() for line in lines[1:]}


def heavy(modules: set[str]) -> set[str]:
    return {m for m in modules if m.split(".")[0] in HEAVY or m in HEAVY}


@pytest.fixture(autouse=True)
def warm(tmp_path: Path) -> None:
    """A first run fills the parsed-catalog cache, as any earlier use of asyncsnip would."""
    subprocess.run([sys.executable, "-c", ENTRY, "list"], capture_output=True, timeout=60)


def test_piped_show_imports_nothing_heavy() -> None:
    """`asyncsnip show gather | ...` needs neither rich, the clipboard, TOML writing nor the
    engine, and reads the catalog from the cache rather than parsing TOML."""
    modules = imported("show", "gather")
    assert heavy(modules) == set()
    assert "tomllib" not in modules
    assert "asyncsnip.cli" in modules  # the check sees a real run


def test_piped_list_imports_nothing_heavy() -> None:
    """`asyncsnip list` piped is plain text too."""
    assert heavy(imported("list")) == set()


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_completion_request_imports_no_framework(shell: str) -> None:
    """A completion request for ids is answered without Typer, Click or rich."""
    line = "asyncsnip run "
    env = {"_ASYNCSNIP_COMPLETE": f"complete_{shell}", "COMP_WORDS": line}
    env["COMP_CWORD"] = "" if shell == "fish" else "2"
    modules = imported(env=env)
    assert heavy(modules) == set()
    assert {"typer", "click", "tomllib", "pathlib", "typing"} & modules == set()
    assert "asyncsnip.completion" in modules
