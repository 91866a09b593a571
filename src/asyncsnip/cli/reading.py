"""Reading the catalog: list, tags, sections, show."""

from typing import Annotated

import click
import typer

from asyncsnip import choices
from asyncsnip.catalog import query
from asyncsnip.cli import hints, options
from asyncsnip.cli.state import state
from asyncsnip.output import render


def list_(
    ctx: typer.Context,
    tag: options.Tag = None,
    section: options.Section = None,
    search: Annotated[
        str | None,
        typer.Option(
            metavar="TEXT",
            help="Only the snippets the search finds for TEXT, best match first (as show).",
        ),
    ] = None,
    json: options.Json = False,
) -> None:
    """List snippets, by tag, section or search.

    Catalog order, or with --search the best match first. Example: asyncsnip list --tag
    queue.
    """
    current = state(ctx)
    chosen = query.select(current.catalog, tag or [], section, search)
    if json:
        render.write_json([s.to_dict() for s in chosen])
    else:
        render.snippet_list(current.style, chosen)


def tags(ctx: typer.Context, json: options.Json = False) -> None:
    """Every tag, with how many snippets carry it."""
    current = state(ctx)
    counts = current.catalog.tags()
    if json:
        render.write_json([{"tag": t, "count": counts[t]} for t in sorted(counts)])
    else:
        render.tag_counts(current.style, counts)


def sections(ctx: typer.Context, json: options.Json = False) -> None:
    """Every section: id, title, snippet count.

    A section's id or its title can be given to `show` and to `--section`.
    """
    current = state(ctx)
    catalog = current.catalog
    counts: dict[str, int] = {}
    for snippet in catalog.snippets.values():
        if snippet.section:
            counts[snippet.section] = counts.get(snippet.section, 0) + 1
    rows = [(ident, s.title, counts.get(ident, 0)) for ident, s in catalog.sections.items()]
    if json:
        render.write_json([{"id": i, "title": t, "count": n} for i, t, n in rows])
    else:
        render.section_list(current.style, rows)


def show(
    ctx: typer.Context,
    query_: Annotated[
        str,
        typer.Argument(
            metavar="QUERY",
            help="A snippet id, a tag, a section (id or title), or words to search for.",
            autocompletion=options.complete_query,
        ),
    ],
    view: Annotated[
        str,
        typer.Option(
            "--view",
            "-v",
            click_type=click.Choice(choices.VIEWS),
            help="How much to show: 'detailed' adds expected output and API signatures; "
            "'code' prints only the code.",
        ),
    ] = "standard",
    json: options.Json = False,
) -> None:
    """Show snippets by id, tag, section or words.

    An exact id shows that snippet; an exact tag or section its snippets; anything else
    the best matches of a search over every field (typos forgiven). Examples: asyncsnip
    show gather · asyncsnip show "rate limit" · asyncsnip show gather-results --view code
    > demo.py
    """
    current = state(ctx)
    found = query.find(current.catalog, query_)
    if found.corrected:
        hints.note(f"showing results for '{found.corrected}'")
    if json:
        render.write_json([s.to_dict() for s in found.snippets])
    else:
        render.snippets(current.style, found.snippets, view, current.catalog)
