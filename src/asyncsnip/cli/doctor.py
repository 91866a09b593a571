"""`doctor`: what asyncsnip sees on this machine, as (name, value) facts."""

import os
import shutil
import sys
from pathlib import Path

import typer

from asyncsnip import __version__
from asyncsnip.catalog.loader import load
from asyncsnip.catalog.paths import catalog_paths, user_catalog_path
from asyncsnip.cli.shells import INSTALLED
from asyncsnip.cli.state import State, state
from asyncsnip.errors import CatalogError, UsageError
from asyncsnip.output import render
from asyncsnip.output.term import Style

CLIPBOARD_TOOLS = ("wl-copy", "xclip", "xsel", "pbcopy", "clip.exe")


def doctor(ctx: typer.Context) -> None:
    """Show what asyncsnip sees on this machine.

    Python, catalogs (and every problem in them), user catalog, clipboard, colour,
    completion.
    """
    current = state(ctx)
    rows, ok = facts(current.builtin, current.catalogs, current.style)
    rows += config_facts(current)
    render.doctor(current.style, rows)
    if not ok:
        raise UsageError("a catalog is invalid: see the problems listed above")


def facts(builtin: bool, extra: list[Path], style: Style) -> tuple[list[tuple[str, str]], bool]:
    """The facts, and whether every catalog loaded."""
    rows = [
        ("asyncsnip", __version__),
        ("python", f"{sys.version.split()[0]} ({sys.executable})"),
    ]
    ok = True
    try:
        catalog = load(builtin=builtin, extra=extra)
        for source in catalog.sources:
            rows.append(
                ("catalog", f"{source.label}: {source.snippet_count} snippets ({source.path})")
            )
        for path, problems in catalog.skipped:
            ok = False
            rows.append(("catalog", f"{path}: left out, it is invalid"))
            rows.extend(("problem", problem) for problem in problems)
        rows.append(("snippets", f"{len(catalog.snippets)} in {len(catalog.sections)} sections"))
    except CatalogError as exc:
        ok = False
        for label, path, _ in catalog_paths(builtin, extra):
            rows.append(("catalog", f"{label} ({path})"))
        rows.extend(("problem", problem) for problem in exc.problems)
    rows.append(("user catalog", _user_catalog_state()))
    rows.append(("clipboard", _clipboard()))
    rows.append(("containment", _containment()))
    rows.append(("colour", _colour(style)))
    rows.append(("completion", _completion()))
    return rows, ok


def _user_catalog_state() -> str:
    path = Path(user_catalog_path())
    if not path.exists():
        return f"{path} (not created yet; 'asyncsnip add' creates it)"
    from asyncsnip.catalog.fileformat import parse, read_text

    text, reason = read_text(str(path))
    if text is None:
        return f"{path} (invalid: {reason})"
    parsed = parse(text, str(path))
    if parsed.problems:
        return f"{path} (invalid: {len(parsed.problems)} problem(s), listed above)"
    count = len(parsed.snippets)
    return f"{path} ({count} snippet{'' if count == 1 else 's'})"


def _containment() -> str:
    from asyncsnip.engine.contain import describe

    return describe()


def _clipboard() -> str:
    found = [tool for tool in CLIPBOARD_TOOLS if shutil.which(tool)]
    display = [name for name in ("WAYLAND_DISPLAY", "DISPLAY") if os.environ.get(name)]
    if sys.platform in ("darwin", "win32"):
        return f"system clipboard ({sys.platform})"
    tools = ", ".join(found) or "no clipboard tool found (install xclip or wl-clipboard)"
    where = ", ".join(f"{n}={os.environ[n]}" for n in display) or "no display"
    return f"{tools}; {where}"


def _colour(style: Style) -> str:
    mode = "rich (terminal)" if style.decorated else "plain text (not a terminal)"
    env = [name for name in ("NO_COLOR", "FORCE_COLOR") if os.environ.get(name)]
    colour = "colour on" if style.color else "colour off"
    return f"{mode}, {colour}" + (f" ({', '.join(env)} set)" if env else "")


def _completion() -> str:
    states = []
    for shell, where in INSTALLED.items():
        installed = Path(where).expanduser().exists()
        states.append(f"{shell}: {'installed' if installed else 'not installed'}")
    return "; ".join(states) + " (asyncsnip --install-completion)"


def config_facts(current: State) -> list[tuple[str, str]]:
    """The config file, and each setting in force with where it came from."""
    from asyncsnip.catalog.config import ENV, in_force

    settings = current.config
    where = settings.path + (f" (from ${ENV})" if settings.chosen_by_env else "")
    rows = [("config", f"{where} ({'read' if settings.exists else 'none there'})")]
    for name, value, source in in_force(settings, current.given, os.environ):
        rows.append((f"  {name}", f"{value} ({source})"))
    return rows
