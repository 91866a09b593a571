"""Taking snippets elsewhere: copy to the clipboard, export as a document."""

import sys
from pathlib import Path
from typing import Annotated

import click
import typer

from asyncsnip import choices
from asyncsnip.catalog import query
from asyncsnip.cli import hints, options
from asyncsnip.cli.state import state
from asyncsnip.errors import ClipboardError
from asyncsnip.output import render
from asyncsnip.safe import one_line


def copy(
    ctx: typer.Context,
    snippet_id: Annotated[
        str,
        typer.Argument(
            metavar="ID", help="The snippet to copy.", autocompletion=options.complete_id
        ),
    ],
) -> None:
    """Put a snippet's code on the clipboard (X11, Wayland, macOS, Windows, or OSC 52)."""
    from asyncsnip import clipboard

    snippet = query.get(state(ctx).catalog, snippet_id)
    try:
        where = clipboard.copy(snippet.code)
    except ClipboardError as exc:
        exc.hint = hints.clipboard_hint(f"asyncsnip show {snippet.id} --view code")
        raise
    sys.stderr.write(f"asyncsnip: copied the code of '{snippet.id}' to {where}\n")


def export(
    ctx: typer.Context,
    compact: Annotated[
        bool, typer.Option(help="The one-page sheet: title, code and one line each.")
    ] = False,
    format_: Annotated[
        str,
        typer.Option(
            "--format", "-f", click_type=click.Choice(choices.FORMATS), help="Document format."
        ),
    ] = "markdown",
    tag: options.Tag = None,
    section: options.Section = None,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", metavar="FILE", help="Write to FILE (atomically)."),
    ] = None,
    copy_: Annotated[
        bool, typer.Option("--copy", help="Put the document on the clipboard.")
    ] = False,
) -> None:
    """The catalog, or a selection, as one document: `asyncsnip export --compact > asyncio.md`.

    Output is deterministic; `--format toml` is itself a catalog; `--format html` is one
    self-contained printable page.
    """
    from asyncsnip.export.dispatch import export as build

    current = state(ctx)
    chosen = query.select(current.catalog, tag or [], section)
    document = build(current.catalog, chosen, format_, compact)
    if output is not None:
        from asyncsnip.store.files import write_atomic

        write_atomic(output, document.encode("utf-8"))
        sys.stderr.write(f"asyncsnip: wrote {len(chosen)} snippets to {one_line(str(output))}\n")
    if copy_:
        from asyncsnip import clipboard

        try:
            where = clipboard.copy(document)
        except ClipboardError as exc:
            exc.hint = hints.clipboard_hint(f"asyncsnip export --format {format_}", "it")
            raise
        sys.stderr.write(f"asyncsnip: copied the {format_} document to {where}\n")
    if output is None and not copy_:
        render.write(document)
