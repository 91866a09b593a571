"""`import`: a cheat sheet made a catalog, every block run, and what holds said."""

import math
import sys
from pathlib import Path
from typing import Annotated

import typer

from asyncsnip.catalog import sheet
from asyncsnip.catalog.schema import DEFAULT_TIMEOUT, Snippet
from asyncsnip.cli import options
from asyncsnip.cli.state import state
from asyncsnip.engine.result import Result, Status
from asyncsnip.errors import ExitCode, UsageError
from asyncsnip.output import render, report, verdicts

# A cheat sheet's examples sleep for seconds to show concurrency; a plain run waits for them.
IMPORT_TIMEOUT = 30.0
MAX_SHEET = 16 << 20


def import_sheet(
    ctx: typer.Context,
    source: Annotated[
        str, typer.Argument(metavar="FILE|-", help="The cheat sheet, or '-' for stdin.")
    ],
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", metavar="FILE", help="Write the catalog to FILE (atomically)."
        ),
    ] = None,
    record: Annotated[
        bool, typer.Option(help="Store the real output of blocks whose sheet shows none.")
    ] = False,
    json: options.Json = False,
    timeout: Annotated[
        float,
        typer.Option(min=0.01, metavar="S", help="Seconds before a block is ended."),
    ] = IMPORT_TIMEOUT,
    python: Annotated[
        str | None, typer.Option(metavar="EXE", help="Python to run the blocks with.")
    ] = None,
    jobs: Annotated[
        int | None, typer.Option("--jobs", "-j", min=1, help="Blocks run at once.")
    ] = None,
) -> None:
    """Run a cheat sheet's code; say what holds.

    Every code block becomes a snippet; each runs, and its output is compared with what the
    sheet says it prints. Reads Markdown, reStructuredText, doctest sessions and plain
    text. Example:
    `asyncsnip import asyncio-cheatsheet.md -o sheet.toml`, then
    `asyncsnip --catalog sheet.toml check`. The code runs as it is: read the sheet first.
    Exit status 0 when every block holds, 1 when one does not.
    """
    from asyncsnip.engine import batch
    from asyncsnip.engine.interpreter import default_python
    from asyncsnip.output.term import stderr_is_terminal

    current = state(ctx)
    name = "stdin" if source == "-" else source
    blocks = sheet.read(read_sheet(source))
    if not blocks:
        raise UsageError(f"{name}: no Python code blocks found", hint=FORMATS_HINT)
    runnable = [_snippet(block, name) for block in blocks if block.compiled]
    progress = report.Progress(len(runnable), enabled=not json and stderr_is_terminal())
    try:
        results, took = batch.check_many(
            runnable, [python or default_python()], jobs or current.jobs, timeout, progress.advance
        )
    finally:
        progress.close()
    rep = verdicts.report(name, blocks, results, took)
    if json:
        render.write_json(verdicts.to_json(rep))
    else:
        report.import_report(current.style, rep)
    if output is not None:
        _write(output, blocks, results, name, record)
    raise typer.Exit(ExitCode.OK if rep.holds() else ExitCode.FAILED)


FORMATS_HINT = (
    "import reads ```python fences, indented blocks, '.. code-block:: python', '::' blocks, "
    ">>> sessions, and plain text where a line 'python' opens a block"
)


def read_sheet(source: str) -> str:
    """The sheet's text, from a file (a pipe or FIFO too) or from stdin for '-'."""
    try:
        if source == "-":
            data = sys.stdin.buffer.read(MAX_SHEET + 1)
        else:
            with open(source, "rb") as sheet_file:
                data = sheet_file.read(MAX_SHEET + 1)
    except IsADirectoryError:
        raise UsageError(f"{source}: is a directory, not a cheat sheet") from None
    except OSError as exc:
        raise UsageError(f"{source}: cannot be read ({exc.strerror or exc})") from None
    if len(data) > MAX_SHEET:
        raise UsageError(f"{source}: is larger than {MAX_SHEET >> 20} MiB")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise UsageError(f"{source}:{line}: not UTF-8 text") from None


def _snippet(block: sheet.Block, name: str) -> Snippet:
    return Snippet.from_table(sheet.table(block, name, block.output), name)


def _write(
    path: Path, blocks: list[sheet.Block], results: list[Result], name: str, record: bool
) -> None:
    """The catalog of the blocks that compile; those that do not are listed at its top."""
    from asyncsnip.export.common import OTHER
    from asyncsnip.export.data import to_toml
    from asyncsnip.store.files import write_atomic

    by_id = {result.id: result for result in results}
    snippets = []
    for block in (b for b in blocks if b.compiled):
        table = sheet.table(block, name, _expected(block, by_id.get(block.id), record))
        table |= _timeout(by_id.get(block.id))
        snippets.append(Snippet.from_table(table, str(path)))
    left_out = [b for b in blocks if not b.compiled]
    header = [f"# Imported from {name} by asyncsnip: {len(snippets)} snippets."]
    header += [f"# Left out, line {b.line} ({b.id}): {b.problem}" for b in left_out]
    text = "\n".join(header) + "\n" + to_toml([(OTHER, snippets)])
    write_atomic(path, text.encode("utf-8"), _loads_back)
    sys.stderr.write(f"asyncsnip: wrote {len(snippets)} snippets to {path}\n")


def _expected(block: sheet.Block, result: Result | None, record: bool) -> str | None:
    """The sheet's claim; with --record, what a block that shows none really printed."""
    if block.output is not None or not record or result is None:
        return block.output
    if result.status != Status.PASSED or result.stdout.endswith(CUT):
        return None
    return result.stdout if result.stdout.strip() else None


CUT = "[asyncsnip: output cut at 1 MiB]\n"


def _timeout(result: Result | None) -> dict[str, float]:
    """A block that took more than half the default timeout gets twice what it took."""
    if result is None or result.duration_s <= DEFAULT_TIMEOUT / 2:
        return {}
    return {"timeout": float(math.ceil(result.duration_s * 2))}


def _loads_back(written: Path) -> None:
    from asyncsnip.catalog.fileformat import parse, read_text
    from asyncsnip.errors import CatalogError

    text, reason = read_text(str(written))
    problems = [reason or str(written)] if text is None else parse(text, str(written)).problems
    if problems:
        raise CatalogError([*problems, "the catalog was not written (a bug in asyncsnip)"])
