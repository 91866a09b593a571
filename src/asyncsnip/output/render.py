"""Everything printed for people: plain text on pipes, rich on terminals (rich loads lazily).

On a terminal, prose (titles, summaries, notes) wraps at the terminal's width, but code is
printed at column 0, never framed, indented or wrapped: a long line is left to the
terminal's own soft wrap, which it joins again when a mouse selection copies it. Text from a
catalog goes through `safe.visible`, so its control characters show as `\\x1b` and are never
interpreted. Output taller than the screen goes through the pager.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Literal

from asyncsnip.catalog.model import Catalog
from asyncsnip.catalog.paths import BUILTIN
from asyncsnip.catalog.schema import Snippet
from asyncsnip.output import plain, untrusted
from asyncsnip.output.term import Style
from asyncsnip.safe import escaped_in_strings, visible

if TYPE_CHECKING:
    from rich.console import Console, RenderableType
    from rich.text import Text


def write(text: str) -> None:
    sys.stdout.write(untrusted.for_stdout(text))
    sys.stdout.flush()


def write_json(data: Any) -> None:
    import json

    write(escaped_in_strings(json.dumps(data, indent=2, ensure_ascii=False)) + "\n")


def console(style: Style, stderr: bool = False, file: Any = None) -> Console:
    """A rich console for a terminal: the 16 palette colours (or none), no highlighting of
    numbers or brackets, and never wrapping unless asked."""
    from rich.console import Console
    from rich.theme import Theme

    from asyncsnip.output.theme import chosen

    return Console(
        stderr=stderr,
        file=file,
        force_terminal=style.decorated,
        color_system=_colours(style) if style.color else None,
        highlight=False,
        theme=Theme(chosen(style.theme)),
        width=_columns(stderr) if file is not None else None,
    )


def _colours(style: Style) -> Literal["standard", "256", "truecolor"]:
    """`standard` (the terminal's 16 colours) for the ansi theme; a 24-bit theme wants
    more, when the terminal says it has them."""
    from asyncsnip.output.theme import DEFAULT

    if (style.theme or os.environ.get("ASYNCSNIP_THEME") or DEFAULT) == DEFAULT:
        return "standard"
    return "truecolor" if os.environ.get("COLORTERM") in ("truecolor", "24bit") else "256"


def _columns(stderr: bool = False) -> int:
    return shutil.get_terminal_size().columns


class Screen:
    """What one command prints on a terminal, gathered so the pager can take it if it is
    taller than the screen."""

    def __init__(self, style: Style) -> None:
        import io

        self.style = style
        self.buffer = io.StringIO()
        self.out = console(style, file=self.buffer)

    def prose(self, renderable: RenderableType) -> None:
        self.out.print(renderable)

    def code(self, text: Text) -> None:
        """Printed as it is: no wrapping, no padding (soft wrap is the terminal's)."""
        self.out.print(text, soft_wrap=True)

    def blank(self) -> None:
        self.out.print()

    def show(self) -> None:
        text = self.buffer.getvalue()  # asyncsnip's own escapes; the data's were made visible
        if self.style.pager:
            from asyncsnip.output import pager

            pager.show(text, shutil.get_terminal_size().lines, self.style.pager_command)
        else:
            sys.stdout.write(text)
            sys.stdout.flush()


def snippet_list(style: Style, snippets: Sequence[Snippet]) -> None:
    """One row per snippet: ids whole (they are what you type), titles and tags cut to fit;
    a source column only for snippets that are not built-in."""
    show_source = any(s.source != BUILTIN for s in snippets)
    if not style.decorated:
        write(plain.snippet_list(snippets, show_source))
        return
    from rich.table import Table

    rows = [
        [s.id, s.title, ", ".join(s.tags), *([_tail(plain.where(s.source))] if show_source else [])]
        for s in snippets
    ]
    widths = _list_widths(rows, _columns())
    table = Table(box=None, header_style="heading", pad_edge=False, expand=False)
    for (name, role), width in zip(LIST_COLUMNS, widths, strict=False):
        table.add_column(name, style=role, no_wrap=True, overflow="ellipsis", width=width)
    for row in rows:
        table.add_row(*_cells(row))
    screen = Screen(style)
    screen.prose(table)
    screen.show()


LIST_COLUMNS = (("id", "id"), ("title", None), ("tags", "meta"), ("source", "meta"))


def _list_widths(rows: list[list[str]], columns: int) -> list[int]:
    """The id column as wide as the longest id; the source (if any) up to 24 columns; the
    tags a quarter of the rest (at least 8); the title what is left."""
    if not rows:
        return []
    longest = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    ids = max(longest[0], 2)
    source = [min(max(longest[3], 6), SOURCE_WIDTH)] if len(longest) > 3 else []
    room = max(columns - ids - sum(source) - 2 * (len(longest) - 1), 20)
    tags = min(max(longest[2], 4), max(8, room // 4))
    title = min(max(longest[1], 5), room - tags)
    tags = min(max(longest[2], 4), room - title)
    return [ids, title, tags, *source]


SOURCE_WIDTH = 24


def _tail(path: str, width: int = SOURCE_WIDTH) -> str:
    """A path cut from the left, so its file name stays: `…/data/good.toml`."""
    return path if len(path) <= width else "…" + path[-(width - 1) :]


def tag_counts(style: Style, counts: dict[str, int]) -> None:
    if not style.decorated:
        write(plain.tag_counts(counts))
        return
    _two_columns(style, ("tag", "snippets"), [(t, str(n)) for t, n in sorted(counts.items())])


def section_list(style: Style, rows: Sequence[tuple[str, str, int]]) -> None:
    if not style.decorated:
        write(plain.section_list(rows))
        return
    from rich.table import Table

    table = Table(box=None, header_style="heading", pad_edge=False)
    table.add_column("id", style="id", no_wrap=True)
    table.add_column("title")
    table.add_column("snippets", justify="right")
    for ident, title, count in rows:
        table.add_row(*_cells([ident, title, str(count)]))
    screen = Screen(style)
    screen.prose(table)
    screen.show()


def _two_columns(style: Style, header: tuple[str, str], rows: list[tuple[str, str]]) -> None:
    from rich.table import Table

    table = Table(box=None, header_style="heading", pad_edge=False)
    table.add_column(header[0], style="id", no_wrap=True)
    table.add_column(header[1], justify="right")
    for left, right in rows:
        table.add_row(*_cells([left, right]))
    screen = Screen(style)
    screen.prose(table)
    screen.show()


def snippets(style: Style, items: Sequence[Snippet], view: str, catalog: Catalog) -> None:
    if not style.decorated:
        write(plain.snippets(items, view, catalog))
        return
    screen = Screen(style)
    items, catalog = untrusted.snippets(items), untrusted.catalog(catalog)
    for number, s in enumerate(items):
        if number:
            screen.blank()
        if view == "code":
            screen.code(syntax(s.code))
        else:
            _snippet(screen, s, view, catalog, rule=len(items) > 1)
    screen.show()


def _snippet(screen: Screen, s: Snippet, view: str, catalog: Catalog, rule: bool) -> None:
    """Title and id, summary, facts; the code; then the notes (and more when detailed)."""
    from rich.text import Text

    if rule:
        screen.prose(Text("─" * min(_columns(), 80), style="rule"))
    screen.prose(Text.assemble((visible(s.title), "title"), "  ", (s.id, "id")))
    if s.summary:
        screen.prose(Text(visible(s.summary), style="summary"))
    if view != "compact":
        facts = " · ".join(plain.meta(s, catalog, view == "detailed"))
        screen.prose(Text(visible(facts), style="meta"))
    screen.blank()
    screen.code(syntax(s.code))
    if view == "detailed" and s.output is not None:
        screen.blank()
        screen.prose(Text("Output" + ("" if s.ordered else " (lines in any order)"), "heading"))
        screen.code(Text(visible(s.output.rstrip("\n")), style="output"))
    if view != "compact" and s.notes:
        screen.blank()
        screen.prose(Text.assemble(("Notes: ", "heading"), visible(s.notes)))
    if view == "detailed":
        for line in plain.detail_lines(s):
            screen.blank()
            screen.prose(Text(visible(line)))


def _cells(values: list[str]) -> list[RenderableType]:
    """Table cells as Text, so brackets in titles are never read as rich markup, and
    control characters from a catalog are shown, not interpreted."""
    from rich.text import Text

    return [Text(visible(value)) for value in values]


def syntax(code: str) -> Text:
    """The code, coloured by role (see theme.py); its control characters made visible."""
    from rich.text import Text

    from asyncsnip.output.highlight import spans

    text = Text(visible(code.rstrip("\n")), no_wrap=True, overflow="ignore")
    for start, end, role in spans(text.plain):
        text.stylize(role, start, end)
    return text


def doctor(style: Style, facts: Sequence[tuple[str, str]]) -> None:
    """Name and value on each line; values (paths) are never cut, only folded."""
    if not style.decorated:
        write(plain.doctor(facts))
        return
    from rich.table import Table

    table = Table(box=None, show_header=False, pad_edge=False)
    table.add_column(style="heading", no_wrap=True)
    table.add_column(overflow="fold")
    for key, value in facts:
        table.add_row(*_cells([key, value]))
    screen = Screen(style)
    screen.prose(table)
    screen.show()
