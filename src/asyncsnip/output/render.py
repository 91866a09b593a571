"""Everything printed for people: plain text on pipes, rich on terminals (rich loads lazily)."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from asyncsnip.catalog.model import Catalog
from asyncsnip.catalog.paths import BUILTIN
from asyncsnip.catalog.schema import Snippet
from asyncsnip.output import plain, reset, untrusted
from asyncsnip.output.term import Style
from asyncsnip.safe import escaped_in_strings, visible

if TYPE_CHECKING:
    from rich.console import Console, RenderableType

    from asyncsnip.engine.result import Result


def write(text: str) -> None:
    sys.stdout.write(untrusted.for_stdout(text))
    sys.stdout.flush()


def write_json(data: Any) -> None:
    import json

    write(escaped_in_strings(json.dumps(data, indent=2, ensure_ascii=False)) + "\n")


def console(style: Style, stderr: bool = False, file: Any = None) -> Console:
    from rich.console import Console

    return Console(
        file=file,
        stderr=stderr,
        force_terminal=style.decorated,
        color_system="auto" if style.color else None,
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
    items, catalog = untrusted.snippets(items), untrusted.catalog(catalog)
    for s in items:
        if view == "code":
            out.print(_syntax(s.code))
        else:
            out.print(_panel(s, view, catalog))


def _cells(values: list[str]) -> list[RenderableType]:
    """Table cells as Text, so brackets in titles are never read as rich markup."""
    from rich.text import Text

    return [Text(visible(value)) for value in values]


def _syntax(code: str) -> RenderableType:
    """The code, coloured; long lines wrap rather than being cut at the terminal's edge."""
    from rich.text import Text

    from asyncsnip.output.highlight import spans

    text = Text(visible(code).rstrip("\n"), no_wrap=False)
    for start, end, style in spans(text.plain):
        text.stylize(style, start, end)
    return text


def _panel(s: Snippet, view: str, catalog: Catalog) -> RenderableType:
    from rich.console import Group
    from rich.panel import Panel
    from rich.text import Text

    head: list[RenderableType] = []
    if s.summary:
        head.append(Text(s.summary, style="italic"))
    if view != "compact":
        head.append(Text(" | ".join(plain.meta(s, catalog, view == "detailed")), style="dim"))
    blocks: list[list[RenderableType]] = [head, [_syntax(s.code)]]
    if view == "detailed" and s.output is not None:
        blocks.append([Text("Output", style="bold"), Text(s.output.rstrip("\n"), style="green")])
    if view != "compact" and s.notes:
        blocks.append([Text.assemble(("Notes: ", "bold"), s.notes)])
    if view == "detailed":
        blocks.append([Text(line) for line in plain.detail_lines(s)])
    parts: list[RenderableType] = []
    for block in (b for b in blocks if b):  # a blank line between blocks
        parts += [Text(""), *block] if parts else block
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


MARKS = {"passed": "✓", "failed": "✗", "mismatch": "≠", "timeout": "⏱", "skipped": "-"}
COLOURS = {"passed": "green", "failed": "red", "mismatch": "yellow", "timeout": "red"}


def verdict(style: Style, result: Result, hint: str | None = None) -> None:
    """The outcome of `run`, on stderr, so stdout holds exactly the snippet's output."""
    result = untrusted.result(result)
    line = f"{MARKS[result.status]} {result.status}: {result.id} in {result.duration_s:.2f}s"
    line += f" on Python {result.python}"
    reason = [f"  {result.reason}"] if result.reason else []
    diff = result.diff.rstrip("\n") if result.diff else None
    after = [f"  hint: {hint}"] if hint else []
    if not style.decorated:
        sys.stderr.write("\n".join([line, *reason, *([diff] if diff else []), *after]) + "\n")
        return
    from rich.text import Text

    out = console(style, stderr=True)
    out.print(Text(line, style=f"bold {COLOURS.get(result.status, 'dim')}"))
    for text in reason:
        out.print(Text(text))
    if diff:
        out.print(_diff_text(diff))
    for text in after:
        out.print(Text(text))


def _diff_text(diff: str) -> RenderableType:
    from rich.text import Text

    text = Text()
    for line in diff.splitlines():
        colour = {"+": "green", "-": "red", "@": "cyan"}.get(line[:1], "")
        text.append(line + "\n", style=colour)
    return text


def check_report(
    style: Style, results: Sequence[Result], counts: dict[str, int], took: float
) -> None:
    """One line per snippet, the details of every problem, then the totals."""
    results = [untrusted.result(r) for r in results]
    multi = len({r.python for r in results}) > 1
    problems = [r for r in results if r.status not in ("passed", "skipped")]
    summary = ", ".join(f"{counts[k]} {k}" for k in counts if k != "total" and counts[k])
    totals = f"{counts['total']} checked in {took:.2f}s: {summary or 'nothing to check'}"
    if not style.decorated:
        lines = [_result_line(r, multi) for r in results]
        for r in problems:
            lines += ["", f"--- {r.id} ({r.python}): {r.reason}", *_evidence(r)]
        write("\n".join([*lines, "", totals]) + "\n")
        return
    from rich.table import Table
    from rich.text import Text

    table = Table(box=None, header_style="bold", pad_edge=False)
    for column in ("status", "id", "time", "python" if multi else "", "reason"):
        if column:
            table.add_column(column, justify="right" if column == "time" else "left")
    for r in results:
        row = [Text(r.status, style=COLOURS.get(r.status, "dim")), *_cells([r.id])]
        row.append(Text(f"{r.duration_s:.2f}s"))
        row += _cells(([r.python] if multi else []) + [r.reason or ""])
        table.add_row(*row)
    out = console(style)
    out.print(table)
    for r in problems:
        out.print(Text(f"\n{r.id} ({r.python}): {r.reason}", style="bold"))
        out.print(_diff_text(r.diff) if r.diff else Text("\n".join(_evidence(r))))
    out.print(Text(totals, style="bold"))


def _result_line(r: Result, multi: bool) -> str:
    where = f"  [{r.python}]" if multi else ""
    reason = f"  ({r.reason})" if r.reason and r.status == "skipped" else ""
    return f"{r.status:<8}  {r.id}  {r.duration_s:.2f}s{where}{reason}"


def _evidence(r: Result) -> list[str]:
    """What helps to see why: the diff, or the end of stderr."""
    if r.diff:
        return [r.diff]
    return r.stderr.rstrip("\n").splitlines()[-15:]


class Progress:
    """A progress bar on stderr while `check` runs; nothing when stderr is not a terminal."""

    def __init__(self, total: int, enabled: bool) -> None:
        self.bar: Any = None
        if enabled:
            from rich.progress import Progress as Bar

            guarded = reset.Prefixed(sys.stderr)  # snippets may write to the terminal too
            self.bar = Bar(console=console(Style(True, True), True, guarded), transient=True)
            self.task = self.bar.add_task("checking", total=total)
            self.bar.start()

    def advance(self, result: Result) -> None:
        if self.bar is not None:
            self.bar.update(self.task, advance=1, description=f"checking ({result.id})")

    def close(self) -> None:
        if self.bar is not None:
            self.bar.stop()
