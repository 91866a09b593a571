"""Changing your user catalog: add and remove."""

import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from asyncsnip.catalog import query
from asyncsnip.catalog.paths import BUILTIN
from asyncsnip.cli import options
from asyncsnip.cli.state import State, state
from asyncsnip.engine.result import Status
from asyncsnip.errors import SnippetExists, UsageError
from asyncsnip.output import report
from asyncsnip.safe import one_line


def add(
    ctx: typer.Context,
    snippet_id: Annotated[str, typer.Argument(metavar="ID", help="A new slug id.")],
    title: Annotated[str, typer.Option(help="One line saying what it does.")],
    tag: Annotated[
        list[str],
        typer.Option("--tag", "-t", metavar="TAG", help="A tag (repeatable, at least one)."),
    ],
    section: Annotated[
        str | None,
        typer.Option(
            "--section",
            "-s",
            metavar="SECTION",
            help="Put it in this section (see 'asyncsnip sections').",
            autocompletion=options.complete_section,
        ),
    ] = None,
    summary: Annotated[str | None, typer.Option(help="What it is for, in one line.")] = None,
    notes: Annotated[str | None, typer.Option(help="When to use it; the pitfall to avoid.")] = None,
    python: Annotated[
        str | None, typer.Option(metavar="V", help='Minimum Python, e.g. "3.12".')
    ] = None,
    code_file: Annotated[
        str | None,
        typer.Option(metavar="PATH|-", help="Read the code from PATH, or from stdin with '-'."),
    ] = None,
    record: Annotated[
        bool, typer.Option(help="Run it now and store its stdout as the expected output.")
    ] = False,
    force: Annotated[bool, typer.Option(help="Replace a snippet that has this id.")] = False,
) -> None:
    """Add a snippet to your user catalog.

    Example: `asyncsnip add my-gather --title "Gather, my way" --tag gather
    --code-file demo.py --record` (or `--code-file -` to read the code from stdin).
    """
    from asyncsnip.store import usercatalog

    usercatalog.refuse_if_broken()  # before the warning reading commands would give
    current = state(ctx)
    table = usercatalog.new_table(
        snippet_id, title, tag, read_code(code_file),
        section=section, summary=summary, notes=notes, python=python,
    )  # fmt: skip
    if not force and snippet_id in current.catalog.snippets:
        raise SnippetExists(snippet_id, current.catalog.snippets[snippet_id].source)
    if record:
        table["output"] = _record(current, table)
    path = usercatalog.add(table, replace=force)
    sys.stderr.write(f"asyncsnip: added '{snippet_id}' to {one_line(str(path))}\n")


def read_code(code_file: str | None) -> str:
    """The code from PATH, or stdin for '-' (or when stdin is not a terminal), exactly."""
    if code_file is None:
        if sys.stdin is None or sys.stdin.isatty():
            raise UsageError("no code given", hint="pass --code-file PATH, or '-' for stdin")
        code_file = "-"
    if code_file == "-":
        return _decode(sys.stdin.buffer.read(), "stdin")
    try:
        data = Path(code_file).read_bytes()
    except OSError as exc:
        raise UsageError(f"{code_file}: cannot read the code ({exc.strerror or exc})") from None
    return _decode(data, code_file)


def _decode(data: bytes, name: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise UsageError(f"{name}:{line}: the code is not UTF-8 text") from None


def _record(current: State, table: dict[str, Any]) -> str:
    """Run the new snippet; its stdout becomes its expected output, if it passed."""
    return record_output(current, table, "not added")


def record_output(current: State, table: dict[str, Any], refused: str = "not saved") -> str:
    """Run the snippet; its stdout, if it passed and was kept whole (not cut at the limit)."""
    from asyncsnip.catalog.schema import Snippet
    from asyncsnip.engine import batch
    from asyncsnip.engine.process import CUT_MARK

    result = batch.run_one(Snippet.from_table(table, "new"), None, None)
    if result.status != Status.PASSED:
        report.verdict(current.stderr_style(), result)
        raise UsageError(f"{refused}: the snippet {result.status} when recorded")
    if result.truncated or result.stdout.endswith(CUT_MARK):
        raise UsageError(
            f"{refused}: its output is longer than 1 MiB, more than asyncsnip keeps to record",
            hint="print less, or leave out --record and write its output yourself",
        )
    return result.stdout


def remove(
    ctx: typer.Context,
    snippet_id: Annotated[
        str,
        typer.Argument(
            metavar="ID",
            help="A snippet of your user catalog.",
            autocompletion=options.complete_removable,
        ),
    ],
) -> None:
    """Remove a snippet from your user catalog.

    The previous file is kept as snippets.toml.bak.
    """
    from asyncsnip.store import usercatalog

    usercatalog.refuse_if_broken()
    snippet = query.get(state(ctx).catalog, snippet_id)
    if snippet.source == BUILTIN:
        raise UsageError(
            f"'{snippet_id}' is a built-in snippet and cannot be removed",
            hint="to replace it, add your own with the same id and --force",
        )
    path = usercatalog.remove(snippet_id)
    sys.stderr.write(f"asyncsnip: removed '{snippet_id}' from {one_line(str(path))}\n")
