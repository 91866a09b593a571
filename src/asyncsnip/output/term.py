"""How output is decorated: decided once from the --color option and whether stdout is a tty."""

from __future__ import annotations

import os
import sys
from typing import NamedTuple


class Style(NamedTuple):
    decorated: bool  # rich tables, panels and highlighting; False means plain text
    color: bool


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


def decide(mode: str, stderr: bool = False) -> Style:
    """--color wins; in auto mode FORCE_COLOR and NO_COLOR are honoured."""
    if mode == "always":
        return Style(decorated=True, color=True)
    tty = stderr_is_terminal() if stderr else stdout_is_terminal()
    if mode == "never":
        return Style(decorated=tty, color=False)
    if os.environ.get("FORCE_COLOR"):
        return Style(decorated=True, color=not os.environ.get("NO_COLOR"))
    return Style(decorated=tty, color=tty and not os.environ.get("NO_COLOR"))
