"""Everything printed for people: plain text on pipes, rich on terminals (rich loads lazily)."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from asyncsnip import plain
from asyncsnip.catalog import BUILTIN, Catalog, Snippet
from asyncsnip.term import Style

if TYPE_CHECKING:
    from rich.console import Console, RenderableType

THEME = "monokai"


def write(text: str) -> None:
    sys.stdout.write(text)
    sys.stdout.flush()


def write_json(data: Any) -> None:
    write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def console(style: Style, stderr: bool = False) -> Console:
    from rich.console import Console

    return Console(
        stderr=stderr,
        force_terminal=style.decorated,
        no_color=not style.color,
        highlight=False,
        soft_wrap=not style.decorated,
    )


def snippet_list(style: Style, snippets: Sequence[Snippet]) -> None:
    show_source = any(s.source != BUILTIN for s in snippets)
    if not style.decorated:
        write(plain.snippet_list(snippets, show_source))
        return
    from rich.table import Table

    table = Table(box=None, header_style="bold", pad_edge=False)
    for column in ("id", "title", "section", "tags"):
        table.add_column(column, style="cyan" if column == "id" else None)
    if show_source:
        table.add_column("source", style="dim")
    for s in snippets:
        row = [s.id, s.title, s.section or "", ", ".join(s.tags)]
        table.add_row(*_cells(row + ([s.source] if show_source else [])))
    console(style).print(table)


def tag_counts(style: Style, counts: dict[str, int]) -> None:
    if not style.decorated:
        write(plain.tag_counts(counts))
        return
    from rich.table import Table

    table = Table(box=None, header_style="bold", pad_edge=False)
    table.add_column("tag", style="cyan")
    table.add_column("snippets", justify="right")
    for tag, count in sorted(counts.items()):
        table.add_row(*_cells([tag, str(count)]))
    console(style).print(table)


def snippets(style: Style, items: Sequence[Snippet], view: str, catalog: Catalog) -> None:
    if not style.decorated:
        write(plain.snippets(items, view, catalog))
        return
    out = console(style)
    for s in items:
        if view == "code":
            out.print(_syntax(s.code))
        else:
            out.print(_panel(s, view, catalog))


def _cells(values: list[str]) -> list[RenderableType]:
    """Table cells as Text, so brackets in titles are never read as rich markup."""
    from rich.text import Text

    return [Text(value) for value in values]


def _syntax(code: str) -> RenderableType:
    from rich.syntax import Syntax

    return Syntax(code.rstrip("\n"), "python", theme=THEME, background_color="default")


def _panel(s: Snippet, view: str, catalog: Catalog) -> RenderableType:
    from rich.console import Group
    from rich.panel import Panel
    from rich.text import Text

    parts: list[RenderableType] = []
    if s.summary:
        parts.append(Text(s.summary, style="italic"))
    if view != "compact":
        parts.append(Text(" | ".join(plain.meta(s, catalog, view == "detailed")), style="dim"))
    parts.append(_syntax(s.code))
    if view == "detailed" and s.output is not None:
        parts += [Text("Output", style="bold"), Text(s.output.rstrip("\n"), style="green")]
    if view != "compact" and s.notes:
        parts.append(Text.assemble(("Notes: ", "bold"), s.notes))
    if view == "detailed":
        parts += [Text(line) for line in plain.detail_lines(s)]
    title = Text.assemble((s.title, "bold"), "  ", (s.id, "cyan"))
    return Panel(Group(*parts), title=title, title_align="left", border_style="blue")


def doctor(style: Style, facts: Sequence[tuple[str, str]]) -> None:
    if not style.decorated:
        write(plain.doctor(facts))
        return
    from rich.table import Table

    table = Table(box=None, show_header=False, pad_edge=False)
    table.add_column(style="bold")
    table.add_column()
    for key, value in facts:
        table.add_row(*_cells([key, value]))
    console(style).print(table)


def error(message: str, hint: str | None = None) -> None:
    """One line on stderr (and a hint line where one helps); never decorated."""
    lines = message.splitlines() or [message]
    text = "".join(f"asyncsnip: error: {line}\n" for line in lines)
    if hint:
        text += f"asyncsnip: hint: {hint}\n"
    sys.stderr.write(text)
    sys.stderr.flush()
