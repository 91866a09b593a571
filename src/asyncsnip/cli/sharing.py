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
from asyncsnip.errors import ClipboardError, UsageError
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
    """Put a snippet's code on the clipboard.

    Through wl-copy, xclip or xsel, pbcopy, Windows' clipboard, or the terminal itself (OSC
    52).
    """
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
        bool,
        typer.Option(help="The one-page sheet: each snippet's gist, by section, in columns."),
    ] = False,
    format_: Annotated[
        str | None,
        typer.Option(
            "--format",
            "-f",
            click_type=click.Choice(choices.FORMATS),
            help="Document format (markdown; html with --open).",
            show_default=False,
        ),
    ] = None,
    tag: options.Tag = None,
    section: options.Section = None,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", metavar="FILE", help="Write to FILE (atomically)."),
    ] = None,
    copy_: Annotated[
        bool, typer.Option("--copy", help="Put the document on the clipboard.")
    ] = False,
    open_: Annotated[
        bool,
        typer.Option(
            "--open",
            help="Write the html page to the cache directory (or FILE) and open it in the "
            "browser; without one, print its path.",
        ),
    ] = False,
) -> None:
    """Write the catalog as one document.

    Example: asyncsnip export --compact > asyncio.md.

    Output is deterministic; `--format toml` is itself a catalog; `--format html` is the web
    sheet (Standard, Detailed and Compact views, search, copy buttons), one offline file;
    `--compact` is the one-page sheet, which prints on one sheet of paper.
    """
    from asyncsnip.export.dispatch import export as build

    fmt = format_ or ("html" if open_ else "markdown")
    if open_ and fmt != "html":
        raise UsageError(f"--open shows the html page, not {fmt}", hint="leave out --format")
    current = state(ctx)
    chosen = query.select(current.catalog, tag or [], section)
    document = build(current.catalog, chosen, fmt, compact)
    if open_:
        _open(document, output or _cached_page(compact))
    elif output is not None:
        _write(output, document)
        sys.stderr.write(f"asyncsnip: wrote {len(chosen)} snippets to {one_line(str(output))}\n")
    if copy_:
        from asyncsnip import clipboard

        try:
            where = clipboard.copy(document)
        except ClipboardError as exc:
            exc.hint = hints.clipboard_hint(f"asyncsnip export --format {fmt}", "it")
            raise
        sys.stderr.write(f"asyncsnip: copied the {fmt} document to {where}\n")
    if output is None and not copy_ and not open_:
        render.write(document)


def _cached_page(compact: bool) -> Path:
    from asyncsnip.catalog.paths import cache_dir

    name = "cheat-sheet-compact.html" if compact else "cheat-sheet.html"
    return Path(cache_dir()) / name


def _write(path: Path, document: str) -> None:
    """Into a FIFO, a device or /dev/stdout as they are; a regular file atomically."""
    from asyncsnip.store.files import write_output

    write_output(path, document.encode("utf-8"))


def _open(document: str, path: Path) -> None:
    """Write the page, print its path, and open it in the browser if there is one."""
    import webbrowser

    path.parent.mkdir(parents=True, exist_ok=True)
    _write(path, document)
    render.write(f"{path}\n")
    try:
        opened = webbrowser.open(path.resolve().as_uri())
    except webbrowser.Error:
        opened = False
    if opened:
        sys.stderr.write("asyncsnip: opened the page in the browser\n")
    else:
        sys.stderr.write("asyncsnip: no browser found: open the file above\n")
