"""Options several commands share, and the completion of their values."""

import os
from typing import Annotated

import click
import typer

from asyncsnip import completion
from asyncsnip.catalog.index import Index

Candidates = list[tuple[str, str]]


def _index(ctx: click.Context) -> Index:
    """The loaded catalogs as completion sees them (see completion.index_for)."""
    root = ctx.find_root().params
    extra = [os.fspath(path) for path in root.get("catalog") or ()]
    return completion.index_for(not root.get("no_builtin"), extra)


def complete_id(ctx: click.Context, incomplete: str) -> Candidates:
    return completion.starting(completion.ids(_index(ctx)), incomplete)


def complete_removable(ctx: click.Context, incomplete: str) -> Candidates:
    return completion.starting(completion.removable(_index(ctx)), incomplete)


def complete_ids(ctx: click.Context, incomplete: str) -> Candidates:
    given = ctx.params.get("ids") or ()
    return completion.starting(completion.ids(_index(ctx), given), incomplete)


def complete_query(ctx: click.Context, incomplete: str) -> Candidates:
    return completion.starting(completion.queries(_index(ctx)), incomplete)


def complete_tag(ctx: click.Context, incomplete: str) -> Candidates:
    given = ctx.params.get("tag") or ()
    return completion.starting(completion.tags(_index(ctx), given), incomplete)


def complete_section(ctx: click.Context, incomplete: str) -> Candidates:
    return completion.starting(completion.sections(_index(ctx)), incomplete)


Tag = Annotated[
    list[str] | None,
    typer.Option(
        "--tag",
        "-t",
        metavar="TAG",
        help="Only snippets with this tag (repeatable).",
        autocompletion=complete_tag,
    ),
]
Section = Annotated[
    str | None,
    typer.Option(
        "--section",
        "-s",
        metavar="SECTION",
        help="Only this section.",
        autocompletion=complete_section,
    ),
]
Json = Annotated[bool, typer.Option("--json", help="Print JSON instead.")]
Timeout = Annotated[
    float | None,
    typer.Option(
        min=0.01, metavar="S", help="Seconds before a snippet is ended (replaces its own)."
    ),
]
