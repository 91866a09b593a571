"""How the command line words an expected failure: the message, and a hint naming commands.

The parts raise errors with the facts (an unknown id and the close ones, an interpreter and
why it cannot run); the advice about which command or option to use is written here only.
"""

from __future__ import annotations

import re
import shlex
import sys

import click

from asyncsnip import errors
from asyncsnip.safe import one_line

LISTING = {"snippet id": "asyncsnip list", "section": "asyncsnip sections", "tag": "asyncsnip tags"}
GLOBAL = ("--catalog", "--no-builtin", "--color", "--no-pager", "--version")


def hint_for(exc: errors.AsyncsnipError) -> str | None:
    if isinstance(exc, errors.UnknownName):
        return did_you_mean(exc.suggestions) or f"see '{LISTING.get(exc.kind, 'asyncsnip list')}'"
    if isinstance(exc, errors.NotFoundError):
        close = did_you_mean(exc.suggestions)
        return close or "try 'asyncsnip tags' or 'asyncsnip list --search TEXT'"
    if isinstance(exc, errors.InterpreterError):
        return "pass --python with the path of a Python 3 interpreter"
    if isinstance(exc, errors.ConfigError):
        return "fix it, or set ASYNCSNIP_CONFIG to another file (os.devnull for none)"
    if isinstance(exc, errors.SnippetExists):
        return "add --force to replace it"
    if isinstance(exc, errors.EmptyQuery):
        return "give a tag, an id, a section or words to search for: asyncsnip show gather"
    if isinstance(exc, errors.WriteError):
        if exc.failure:
            return "nothing was changed: what was there before is as it was"
        return "give the path of a file (FIFOs and character devices are written into)"
    return exc.hint


def clipboard_hint(instead: str, what: str = "the code") -> str:
    """What to install for a clipboard, or the command that prints `what` instead."""
    if sys.platform in ("win32", "darwin"):
        return f"print {what} instead with: {instead}"
    return f"install xclip or xsel (X11) or wl-clipboard (Wayland), or print {what} with: {instead}"


def did_you_mean(suggestions: list[str]) -> str | None:
    return "did you mean: " + ", ".join(suggestions) + "?" if suggestions else None


def usage_hint(exc: click.ClickException) -> str | None:
    ctx = getattr(exc, "ctx", None)
    if isinstance(exc, click.NoSuchOption) and exc.option_name in GLOBAL and ctx is not None:
        return (
            f"{exc.option_name} is a global option: it goes before the command, "
            f"as in 'asyncsnip {exc.option_name} ... {ctx.info_name}'"
        )
    words = _extra_words(exc)
    if words and ctx is not None and ctx.info_name == "show" and ctx.params.get("query_"):
        query = f"{ctx.params['query_']} {words}"
        plain = not set(query) & set('"$`\\!')  # nothing a shell does something with in "..."
        quoted = f'"{query}"' if plain else shlex.quote(query)
        return f"to search for several words, quote them: asyncsnip show {one_line(quoted)}"
    return f"see '{ctx.command_path} --help'" if ctx is not None else None


def _extra_words(exc: click.ClickException) -> str | None:
    """The words of Click's "Got unexpected extra argument(s) (...)", if that is the error."""
    found = re.fullmatch(r"Got unexpected extra arguments? \((.*)\)", exc.message, re.DOTALL)
    return found[1] if found else None


def skipped_catalog(path: str, problems: list[str]) -> None:
    """One warning for an invalid catalog file that was left out."""
    more = f" and {len(problems) - 1} more problems" if len(problems) > 1 else ""
    sys.stderr.write(
        f"asyncsnip: warning: {one_line(problems[0])} (this file is left out{more}; "
        "run 'asyncsnip doctor')\n"
    )


def error(message: str, hint: str | None = None) -> None:
    """One line on stderr per line of the message (and a hint line); never decorated, and
    anything quoted from the user or a file is shown with its control characters visible."""
    lines = message.splitlines() or [message]
    text = "".join(f"asyncsnip: error: {one_line(line)}\n" for line in lines)
    if hint:
        text += f"asyncsnip: hint: {one_line(hint)}\n"
    sys.stderr.write(text)
    sys.stderr.flush()


def note(message: str) -> None:
    """A line on stderr that is not an error (the answer still goes to stdout)."""
    sys.stderr.write(f"asyncsnip: {one_line(message)}\n")
    sys.stderr.flush()
