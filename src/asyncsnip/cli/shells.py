"""The completion scripts: printed for a shell, or installed where that shell looks."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from asyncsnip.errors import UsageError

SCRIPTS = {"bash": "asyncsnip.bash", "zsh": "_asyncsnip", "fish": "asyncsnip.fish"}
# where --install-completion puts each script, and the line the shell's rc file needs
INSTALLED = {
    "bash": "~/.bash_completions/asyncsnip.sh",
    "zsh": "~/.zfunc/_asyncsnip",
    "fish": "~/.config/fish/completions/asyncsnip.fish",
}
RC_LINES = {
    "bash": ("~/.bashrc", "source ~/.bash_completions/asyncsnip.sh"),
    "zsh": ("~/.zshrc", "fpath+=~/.zfunc; autoload -Uz compinit; compinit"),
}


def script(shell: str) -> str:
    """The completion script for `shell`, as shipped in completions/."""
    folder = Path(__file__).resolve().parent.parent / "completions"
    return (folder / SCRIPTS[shell]).read_text(encoding="utf-8")


def install(shell: str | None = None) -> str:
    """Put the script where the shell finds it (and its line in the rc file); say what was done."""
    shell = shell or detect()
    target = Path(INSTALLED[shell]).expanduser()
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(script(shell), encoding="utf-8")
    done = f"{shell} completion installed in {target}"
    if shell in RC_LINES:
        rc_name, line = RC_LINES[shell]
        rc = Path(rc_name).expanduser()
        text = rc.read_text(encoding="utf-8") if rc.exists() else ""
        if line not in text.splitlines():
            with rc.open("a", encoding="utf-8") as out:
                out.write(("" if not text or text.endswith("\n") else "\n") + line + "\n")
            done += f" and enabled in {rc}"
    return done + "; open a new shell to use it"


def detect() -> str:
    """The shell asyncsnip was started from: the nearest bash, zsh or fish among its parent
    processes (Linux), else the login shell in $SHELL."""
    pid = os.getppid()
    for _ in range(8):
        name = _process_name(pid)
        if name is None:
            break
        name = name.lstrip("-")
        if name in SCRIPTS:
            return name
        pid = _parent(pid)
        if pid <= 1:
            break
    name = os.path.basename(os.environ.get("SHELL", ""))
    if name in SCRIPTS:
        return name
    raise UsageError(
        "cannot tell which shell this is (bash, zsh or fish)",
        hint="print the script with --show-completion SHELL and install it by hand",
    )


def _process_name(pid: int) -> str | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        with open(f"/proc/{pid}/comm", encoding="utf-8") as comm:
            return comm.read().strip()
    except OSError:
        return None


def _parent(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            return int(stat.read().rpartition(b")")[2].split()[1])
    except (OSError, ValueError, IndexError):
        return 0
