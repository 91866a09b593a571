"""Running snippets: run one, check many. The exit status is decided here."""

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated

import typer

from asyncsnip.catalog import query
from asyncsnip.cli import options
from asyncsnip.cli.state import state
from asyncsnip.engine.result import Result, Status
from asyncsnip.errors import ExitCode
from asyncsnip.output import render, report, reset

# Snippets mostly wait (sleep, I/O) and, forked from a warm interpreter, cost a few ms of
# CPU each. Measured on 2 cores with the built-in catalog (82 snippets): 8 jobs 2.3 s,
# 16 jobs 1.6 s, 32 jobs 1.5 s, 64 and 128 no better; more only adds contention.
DEFAULT_JOBS = 32


def run(
    ctx: typer.Context,
    snippet_id: Annotated[
        str,
        typer.Argument(
            metavar="ID", help="The snippet to run.", autocompletion=options.complete_id
        ),
    ],
    timeout: options.Timeout = None,
    python: Annotated[
        str | None,
        typer.Option(
            metavar="EXE", help="Python to run it with [default: $ASYNCSNIP_PYTHON, or this one]."
        ),
    ] = None,
    json: options.Json = False,
) -> None:
    """Run a snippet and check its output.

    It runs in a fresh process and its output streams live; the verdict goes to stderr,
    so `asyncsnip run ID > out.txt` holds exactly its stdout.
    Exit status: 0 passed, 1 failed/mismatch/skipped, 124 timed out, 130 interrupted.
    """
    from asyncsnip.engine import batch

    current = state(ctx)
    snippet = query.get(current.catalog, snippet_id)
    cursor = reset.Tracker()
    sinks = (None, None) if json else (cursor.sink(sys.stdout), cursor.sink(sys.stderr))
    try:
        with reset.kept_modes(sys.stderr, sys.stdout):
            result = batch.run_one(snippet, python, timeout, *sinks)
    finally:  # the verdict, the JSON or the error line if interrupted: seen, on a new line
        reset.fresh_line(reset.terminal(sys.stderr, sys.stdout), cursor.mid_line)
    _warn_leftovers([result])
    if json:
        render.write_json(result.to_dict())
    else:
        skipped = result.status == Status.SKIPPED
        hint = "try another interpreter with --python EXE" if skipped else None
        report.verdict(current.stderr_style(), result, hint)
    raise typer.Exit(run_exit_code(result))


def run_exit_code(result: Result) -> ExitCode:
    """`run`: a timeout has its own code, and a skipped snippet did not run."""
    if result.status == Status.TIMEOUT:
        return ExitCode.TIMEOUT
    return ExitCode.OK if result.status == Status.PASSED else ExitCode.FAILED


def check_exit_code(results: Sequence[Result]) -> ExitCode:
    """`check`: 0 unless something failed, mismatched or timed out."""
    bad = {result.status for result in results} - {Status.PASSED, Status.SKIPPED}
    return ExitCode.FAILED if bad else ExitCode.OK


def _warn_leftovers(results: Sequence[Result]) -> None:
    for result in results:
        if result.leftover:
            sys.stderr.write(
                f"asyncsnip: warning: {result.id}: its temporary directory could not be "
                f"removed: {result.leftover}\n"
            )


def _note_jobs(asked: int, allowed: int) -> None:
    if allowed < asked:
        sys.stderr.write(
            f"asyncsnip: note: running {allowed} snippets at a time, not {asked}: "
            "that is what the open-file limit (ulimit -n) allows\n"
        )


def check(
    ctx: typer.Context,
    ids: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="[ID]...",
            help="Snippets to check [default: all].",
            autocompletion=options.complete_ids,
        ),
    ] = None,
    tag: options.Tag = None,
    section: options.Section = None,
    jobs: Annotated[
        int | None,
        typer.Option(
            "--jobs",
            "-j",
            min=1,
            help=f"Snippets run at once [default: {DEFAULT_JOBS}, or jobs in the config file]",
        ),
    ] = None,
    timeout: options.Timeout = None,
    python: Annotated[
        list[str] | None,
        typer.Option(metavar="EXE", help="Python to check with; repeat for a version matrix."),
    ] = None,
    json: options.Json = False,
    junit_xml: Annotated[
        Path | None,
        typer.Option(metavar="FILE", help="Also write the results to FILE as JUnit XML, for CI."),
    ] = None,
) -> None:
    """Run many snippets at once; verify each.

    Example: `asyncsnip check --tag queue --python python3.12 --python python3.13`.
    Exit status 0 when nothing failed (skipped is not a failure), else 1.
    """
    from asyncsnip.engine import batch
    from asyncsnip.engine.interpreter import default_python
    from asyncsnip.engine.result import summary
    from asyncsnip.output.term import stderr_is_terminal

    current = state(ctx)
    chosen = query.select(current.catalog, tag or [], section)
    if ids:
        wanted = {query.get(current.catalog, ident).id for ident in ids}
        chosen = [s for s in chosen if s.id in wanted]
    pythons = python or [default_python()]
    _note_jobs(jobs or current.jobs, batch.sized_jobs(jobs or current.jobs))
    progress = report.Progress(
        len(chosen) * len(pythons), enabled=not json and stderr_is_terminal()
    )
    try:
        results, took = batch.check_many(
            chosen, pythons, jobs or current.jobs, timeout, progress.advance
        )
    finally:
        progress.close()
        reset.fresh_line(sys.stderr, cursor=True)  # a snippet may have written to /dev/tty
    _warn_leftovers(results)
    counts = summary(results)
    if junit_xml is not None:
        write_junit(junit_xml, results, took, {s.id: s.source for s in chosen})
    if json:
        render.write_json(
            {"results": [r.to_dict() for r in results], "summary": counts, "duration_s": took}
        )
    else:
        reset.fresh_line(sys.stdout)
        report.check_report(current.style, results, counts, took)
    raise typer.Exit(check_exit_code(results))


def write_junit(
    path: Path, results: Sequence[Result], took: float, sources: dict[str, str]
) -> None:
    """The JUnit XML file, written atomically."""
    from asyncsnip.output.junit import document
    from asyncsnip.store.files import write_atomic

    write_atomic(path, document(results, took, sources))
