"""Putting text on the clipboard: the only module that imports pyperclip.

On Linux (and other X11/Wayland systems) the clipboard tools are called directly, because
pyperclip ignores their exit status (a wrong DISPLAY looks like success) and lets xclip's
background owner inherit our stdout (`asyncsnip copy ID | cat` then never ends). pyperclip is
the fallback where no tool applies (Windows, WSL, Qt or Klipper desktops). With no clipboard at
all, a terminal still gets the text through the OSC 52 escape sequence.
"""

from __future__ import annotations

import base64
import os
import shutil
import subprocess
import sys
import tempfile
import time
from typing import NamedTuple

from asyncsnip.errors import ClipboardError

TOOL_TIMEOUT_S = 5.0
DETAIL_LIMIT = 200  # characters of a tool's error message kept for ours
SETTLE_S = 1.0  # longest wait for a tool's background process to take the clipboard


class Tool(NamedTuple):
    where: str  # what copy() reports, e.g. "the X clipboard (xclip)"
    argv: list[str]
    paste: list[str]  # reads the clipboard back; empty when copying is synchronous
    env: dict[str, str]  # added to the environment


def copy(text: str) -> str:
    """Put text on the clipboard; return a short description of where it went."""
    problems: list[str] = []
    where = _system_clipboard(text, problems)
    if where is None and _to_terminal(text):
        where = "the terminal's clipboard via OSC 52" + (" (through tmux)" if _in_tmux() else "")
    if where is None:
        reasons = "; ".join(problems)
        raise ClipboardError(f"no clipboard could be reached: {reasons}")
    return where


def _system_clipboard(text: str, problems: list[str]) -> str | None:
    """Copy with the first tool that works, or pyperclip where no tool applies.

    Returns where the text went, or None after adding to problems why it went nowhere.
    """
    tools = _tools()
    for tool in tools:
        problem = _feed(tool, text)
        if problem is None:
            _settle(tool, text)
            return tool.where
        problems.append(problem)
    if tools:  # pyperclip would repeat a failed tool's mistakes (it ignores exit statuses)
        return None
    problem = _via_pyperclip(text)
    if problem is not None:
        problems.append(problem)
        return None
    return "the system clipboard (pyperclip)"


def _tools() -> list[Tool]:
    """The clipboard commands that apply here, best first, among those installed."""
    if sys.platform == "win32":
        return []
    if sys.platform == "darwin":
        # pbcopy reads bytes in the locale's encoding: make that UTF-8 whatever the locale.
        candidates = [Tool("the macOS clipboard (pbcopy)", ["pbcopy"], [], {"LC_CTYPE": "UTF-8"})]
    else:
        candidates = _wayland() + _x11()
    return [tool for tool in candidates if shutil.which(tool.argv[0])]


def _wayland() -> list[Tool]:
    if not os.environ.get("WAYLAND_DISPLAY"):
        return []
    return [Tool("the Wayland clipboard (wl-copy)", ["wl-copy"], ["wl-paste", "--no-newline"], {})]


def _x11() -> list[Tool]:
    if not os.environ.get("DISPLAY"):
        return []
    xclip = ["xclip", "-selection", "clipboard"]
    xsel = ["xsel", "--clipboard"]
    return [
        Tool("the X clipboard (xclip)", [*xclip, "-i"], [*xclip, "-o"], {}),
        Tool("the X clipboard (xsel)", [*xsel, "--input"], [*xsel, "--output"], {}),
    ]


def _feed(tool: Tool, text: str) -> str | None:
    """Run the tool with text on its stdin; None when it worked, else what went wrong.

    The tools fork a process that owns the selection and outlives them: it must not inherit
    a pipe anybody waits on, so stdout goes to /dev/null and stderr to an unnamed file.
    """
    name = tool.argv[0]
    with tempfile.TemporaryFile() as err:
        try:
            done = subprocess.run(
                tool.argv,
                input=text.encode(),
                stdout=subprocess.DEVNULL,
                stderr=err,
                close_fds=True,
                env={**os.environ, **tool.env},
                timeout=TOOL_TIMEOUT_S,
                check=False,
            )
        except subprocess.TimeoutExpired:
            return f"{name} did not finish within {TOOL_TIMEOUT_S:g} s"
        except OSError as exc:
            return f"{name} could not start ({exc.strerror or exc})"
        if done.returncode == 0:
            return None
        err.seek(0)
        return f"{name} failed: {_detail(err.read(4096), done.returncode)}"


def _settle(tool: Tool, text: str) -> None:
    """Wait until the clipboard serves text, or SETTLE_S at most.

    xclip, xsel and wl-copy exit before their background process owns the selection (xsel
    often by tens of milliseconds), so a paste right after copy() could get the old content.
    """
    want = text.encode()
    deadline = time.monotonic() + SETTLE_S
    while tool.paste and time.monotonic() < deadline:
        if _read_back(tool.paste) == want:
            return
        time.sleep(0.01)


def _read_back(argv: list[str]) -> bytes | None:
    try:
        done = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, timeout=1)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout if done.returncode == 0 else None


def _detail(stderr: bytes, returncode: int) -> str:
    """A tool's error output as one short line."""
    detail = " ".join(stderr.decode(errors="replace").split())[:DETAIL_LIMIT]
    return detail or f"exit status {returncode}"


def _via_pyperclip(text: str) -> str | None:
    """Copy with pyperclip; None when it worked, else why not."""
    import pyperclip  # type: ignore[import-untyped, unused-ignore]

    try:
        pyperclip.copy(text)
    except Exception as exc:  # any backend can fail in its own way; never a traceback
        if isinstance(exc, pyperclip.PyperclipException) and sys.platform not in (
            "win32",
            "darwin",
        ):
            return _nothing_found()
        return f"pyperclip failed: {' '.join(str(exc).split())[:DETAIL_LIMIT]}"
    return None


def _nothing_found() -> str:
    if os.environ.get("WAYLAND_DISPLAY") or os.environ.get("DISPLAY"):
        return "no clipboard tool found (wl-copy, xclip or xsel)"
    return "no display (DISPLAY and WAYLAND_DISPLAY are unset) and no terminal attached"


def _to_terminal(text: str) -> bool:
    """Send text to the controlling terminal as OSC 52; False when there is none."""
    try:
        with open("/dev/tty", "wb", buffering=0) as tty:
            tty.write(osc52(text))
    except OSError:
        return False
    return True


def osc52(text: str) -> bytes:
    """The escape sequence that asks a terminal to put text on its clipboard (tmux-wrapped)."""
    payload = base64.b64encode(text.encode()).decode("ascii")
    sequence = f"\x1b]52;c;{payload}\x07"
    if _in_tmux():
        sequence = "\x1bPtmux;" + sequence.replace("\x1b", "\x1b\x1b") + "\x1b\\"
    return sequence.encode("ascii")


def _in_tmux() -> bool:
    return bool(os.environ.get("TMUX"))
