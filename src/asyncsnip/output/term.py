"""How output is decorated: decided once from the --color option and whether stdout is a tty."""

from __future__ import annotations

import os
import sys
from typing import NamedTuple


class Style(NamedTuple):
    decorated: bool  # rich tables and highlighting; False means plain text
    color: bool
    pager: bool = False  # output taller than the screen may go through a pager
    theme: str | None = None  # a name in theme.THEMES; None: $ASYNCSNIP_THEME or the default
    pager_command: str | None = None  # the config file's pager (after $ASYNCSNIP_PAGER)


def stdout_is_terminal() -> bool:
    """The one place that asks; tests replace it to pretend to be a terminal."""
    return _isatty(sys.stdout)


def stderr_is_terminal() -> bool:
    return _isatty(sys.stderr)


def _isatty(stream: object) -> bool:
    try:
        return bool(stream.isatty())  # type: ignore[attr-defined]
    except (AttributeError, ValueError):
        return False


def decide(
    mode: str,
    stderr: bool = False,
    pager: bool = True,
    theme: str | None = None,
    pager_command: str | None = None,
) -> Style:
    """--color wins; in auto mode FORCE_COLOR and NO_COLOR are honoured. A pager only ever
    takes output that goes to a terminal (and not with --no-pager)."""
    tty = stderr_is_terminal() if stderr else stdout_is_terminal()
    extra = (pager and tty and not stderr, theme, pager_command)
    if mode == "always":
        return Style(True, True, *extra)
    if mode == "never":
        return Style(tty, False, *extra)
    if os.environ.get("FORCE_COLOR"):
        return Style(True, not os.environ.get("NO_COLOR"), *extra)
    return Style(tty, tty and not os.environ.get("NO_COLOR"), *extra)
