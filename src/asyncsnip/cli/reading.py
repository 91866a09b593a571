"""Reading the catalog: list, tags, show."""

from typing import Annotated

import click
import typer

from asyncsnip import choices
from asyncsnip.catalog import query
from asyncsnip.cli import options
from asyncsnip.cli.state import state
from asyncsnip.output import render


def list_(
    ctx: typer.Context,
    tag: options.Tag = None,
    section: options.Section = None,
    search: Annotated[
        str | None,
        typer.Option(help="Only snippets whose id, title, summary or tags contain TEXT."),
    ] = None,
    json: options.Json = False,
) -> None:
    """List snippets in catalog order, e.g. `asyncsnip list --tag queue`."""
    current = state(ctx)
    chosen = query.select(current.catalog, tag or [], section, search)
    if json:
        render.write_json([s.to_dict() for s in chosen])
    else:
        render.snippet_list(current.style, chosen)


def tags(ctx: typer.Context, json: options.Json = False) -> None:
    """Every tag with the number of snippets that carry it."""
    current = state(ctx)
    counts = current.catalog.tags()
    if json:
        render.write_json([{"tag": t, "count": counts[t]} for t in sorted(counts)])
    else:
        render.tag_counts(current.style, counts)


def show(
    ctx: typer.Context,
    query_: Annotated[
        str,
        typer.Argument(
            metavar="QUERY",
            help="A tag, snippet id, section id or search text.",
            autocompletion=options.complete_query,
        ),
    ],
    view: Annotated[
        str,
        typer.Option(
            "--view",
            "-v",
            click_type=click.Choice(choices.VIEWS),
            help="How much to show; 'code' prints only the code.",
        ),
    ] = "standard",
    json: options.Json = False,
) -> None:
    """Show the snippets for a tag, id or section: `asyncsnip show gather`."""
    current = state(ctx)
    found = query.find(current.catalog, query_)
    if json:
        render.write_json([s.to_dict() for s in found])
    else:
        render.snippets(current.style, found, view, current.catalog)
