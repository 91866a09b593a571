"""The terminal put back after a snippet wrote to it, so asyncsnip's own words are seen.

`run` streams a snippet's output to the terminal as it was written, escape sequences and
all: that is what running a program means. A snippet can leave the terminal concealed, in
reverse video, drawing lines instead of letters, mid-line or with a scroll region that
makes every new line overwrite the last one. Before a verdict, a progress frame or a report,
`fresh_line` undoes all of that and starts a fresh line; `kept_modes` restores the
terminal's line settings (echo, newline translation) that a snippet can change too.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Callable, Iterator
from typing import Any

# What is undone, in this order. DECSC/DECRC around DECSTBM: resetting the scroll region
# moves the cursor home, so the cursor is saved and put back (and as DECRC also restores the
# attributes it saved, those are reset after it).
ATTRIBUTES = (
    "\x1b7\x1b[r\x1b8"  # scroll region: the whole screen, cursor where it was
    "\x1b[0m"  # SGR: no conceal, reverse, blink, colours or other attributes
    "\x0f\x1b(B"  # character set: G0, and G0 is ASCII (not line drawing)
    "\x1b[4l"  # replace mode, not insert
    "\x1b[?7h"  # lines wrap at the right edge
    "\x1b[?1000l\x1b[?1002l\x1b[?1003l\x1b[?1006l"  # no mouse reporting
)
SHOW_CURSOR = "\x1b[?25h"
ERASE_LINE = "\x1b[K"


def is_terminal(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError, OSError):
        return False


def terminal(*streams: Any) -> Any:
    """The first of `streams` that is a terminal, or None."""
    return next((stream for stream in streams if is_terminal(stream)), None)


def fresh_line(stream: Any, mid_line: bool = False, cursor: bool = True) -> None:
    """On a terminal: every attribute reset, then the cursor at the start of an empty line
    (the next one when the last output ended `mid_line`). Nothing when `stream` is not a
    terminal (or is None): a file or a pipe gets no escape codes."""
    if not is_terminal(stream):
        return
    text = ATTRIBUTES + (SHOW_CURSOR if cursor else "") + ("\r\n" if mid_line else "\r")
    stream.write(text + ERASE_LINE)
    stream.flush()


# Escape sequences, which print nothing: CSI, OSC (ended by BEL or ST), charset choices, others.
_SEQUENCE = re.compile(rb"\x1b(\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)?|[()*+].|.)?")


class Tracker:
    """Where the terminal's cursor is left by what a snippet wrote to it: after a newline
    (escape sequences aside) or mid-line. Its `sink`s pass the bytes on, as written."""

    def __init__(self) -> None:
        self.mid_line = False

    def saw(self, data: bytes) -> None:
        line_start = data.rfind(b"\n") + 1
        printed = bool(_SEQUENCE.sub(b"", data[line_start:]))
        self.mid_line = printed or (self.mid_line and not line_start)

    def sink(self, stream: Any) -> Callable[[bytes], None]:
        binary = stream.buffer
        terminal = is_terminal(stream)

        def write(data: bytes) -> None:
            binary.write(data)
            binary.flush()
            if terminal:
                self.saw(data)

        return write


class Prefixed:
    """A stream that starts every write with the attribute reset: for a display that redraws
    itself (check's progress) while snippets run that may write to the terminal directly."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        return int(self._stream.write(ATTRIBUTES + text) or 0)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


@contextlib.contextmanager
def kept_modes(*streams: Any) -> Iterator[None]:
    """The terminal's line settings as they were before, whatever ran inside (a snippet can
    turn off echo or newline translation on the terminal it writes to)."""
    found = terminal(*streams)
    fd = found.fileno() if found is not None else None
    saved = _modes(fd)
    try:
        yield
    finally:
        if fd is not None and saved is not None:
            _restore(fd, saved)


def _modes(fd: int | None) -> list[Any] | None:
    if fd is None:
        return None
    try:
        import termios
    except ImportError:  # Windows: no such settings to keep
        return None
    try:
        return termios.tcgetattr(fd)
    except termios.error:
        return None


def _restore(fd: int, saved: list[Any]) -> None:
    """Only when they changed, and only in the foreground: a background process that sets
    terminal modes is stopped (SIGTTOU)."""
    import termios

    with contextlib.suppress(termios.error, OSError):
        if termios.tcgetattr(fd) != saved and os.tcgetpgrp(fd) == os.getpgrp():
            termios.tcsetattr(fd, termios.TCSADRAIN, saved)
