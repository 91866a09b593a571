"""The command line: parse, call plain functions, pick how to print, map errors to exit codes."""

import os
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Annotated, Any, NoReturn

import click
import typer
from click.shell_completion import CompletionItem, add_completion_class
from typer import _completion_shared
from typer._completion_classes import FishComplete, ZshComplete
from typer.core import TyperGroup
from typer.main import get_command_from_info, get_command_name
from typer.models import CommandInfo

from asyncsnip import __version__, completion, query, render
from asyncsnip.catalog import Catalog, load
from asyncsnip.errors import AsyncsnipError, ExitCode, UsageError
from asyncsnip.paths import BUILTIN
from asyncsnip.term import Style, decide, stderr_is_terminal


class _ZshComplete(ZshComplete):
    source_template = completion.ZSH_SCRIPT

    def format_completion(self, item: CompletionItem) -> str:
        return completion.zsh_item(item.value, item.help or "")


class _FishComplete(FishComplete):
    def format_completion(self, item: CompletionItem) -> str:
        return completion.fish_item(item.value, item.help or "")


def _completion_classes() -> None:
    """Typer's zsh and fish classes, printing descriptions as they are (Typer renders them
    through rich, which costs a rich import per TAB and eats `[...]`), and a zsh script that
    also completes on the first TAB when it is autoloaded from fpath."""
    add_completion_class(_ZshComplete, "zsh")
    add_completion_class(_FishComplete, "fish")
    _completion_shared._completion_scripts["zsh"] = completion.ZSH_SCRIPT


class _LazyCommands(Mapping[str, click.Command]):
    """The subcommands, each turned into a Click command only when it is used: building all
    of them on every start costs more than running most of them."""

    def __init__(self, registered: list[CommandInfo], markup: Any) -> None:
        self._infos = {_command_name(info): info for info in registered}
        self._markup = markup
        self._built: dict[str, click.Command] = {}

    def __getitem__(self, name: str) -> click.Command:
        if name not in self._built:
            self._built[name] = get_command_from_info(
                self._infos[name], pretty_exceptions_short=True, rich_markup_mode=self._markup
            )
        return self._built[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._infos)

    def __len__(self) -> int:
        return len(self._infos)


def _command_name(info: CommandInfo) -> str:
    assert info.callback is not None
    return info.name or get_command_name(info.callback.__name__)


class _Group(TyperGroup):
    """Runs the app and turns every expected failure into one stderr line and an exit code."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.commands = _LazyCommands(commands.registered_commands, self.rich_markup_mode)  # type: ignore[assignment]

    def main(self, *args: Any, **kwargs: Any) -> NoReturn:
        _completion_classes()
        kwargs["standalone_mode"] = False
        kwargs.setdefault("prog_name", "asyncsnip")
        try:
            code = super().main(*args, **kwargs)
        except AsyncsnipError as exc:
            if os.environ.get("ASYNCSNIP_DEBUG") == "1":
                raise
            render.error(exc.message, exc.hint)
            code = exc.code
        except click.exceptions.NoArgsIsHelpError:
            code = ExitCode.USAGE  # the help was printed; there is no error to add
        except click.ClickException as exc:
            render.error(exc.format_message(), _usage_hint(exc))
            code = exc.exit_code
        except click.Abort:
            code = ExitCode.INTERRUPTED
        except BrokenPipeError:
            _silence_stdout()
            code = ExitCode.OK
        sys.exit(int(code or 0))


def _usage_hint(exc: click.ClickException) -> str | None:
    ctx = getattr(exc, "ctx", None)
    return f"see '{ctx.command_path} --help'" if ctx is not None else None


def _silence_stdout() -> None:
    """After the reader of a pipe went away: no more writes, no 'Exception ignored' noise."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


commands = typer.Typer()  # the subcommands, registered here and built lazily by _Group
app = typer.Typer(
    cls=_Group,
    name="asyncsnip",
    help="Verified asyncio snippets in your terminal: show, run, check, copy and export them.",
    no_args_is_help=True,
    suggest_commands=False,  # Click suggests already; Typer would add the same again
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


class State:
    """Global options, and the catalog loaded once on first use."""

    def __init__(self, catalogs: list[Path], builtin: bool, color: str) -> None:
        self.catalogs = catalogs
        self.builtin = builtin
        self.style: Style = decide(color)
        self.color = color
        self._catalog: Catalog | None = None

    @property
    def catalog(self) -> Catalog:
        if self._catalog is None:
            self._catalog = load(builtin=self.builtin, extra=self.catalogs)
        return self._catalog


def _version(value: bool) -> None:
    if value:
        render.write(f"asyncsnip {__version__} (Python {sys.version.split()[0]})\n")
        raise typer.Exit()


@app.callback()
def main(
    ctx: typer.Context,
    catalog: Annotated[
        list[Path] | None,
        typer.Option(
            "--catalog",
            metavar="PATH",
            help="Load this catalog file after the others (repeatable; later ones win).",
        ),
    ] = None,
    no_builtin: Annotated[
        bool, typer.Option("--no-builtin", help="Leave out the built-in catalog.")
    ] = False,
    color: Annotated[
        str,
        typer.Option(
            "--color",
            click_type=click.Choice(completion.COLORS),
            help="Colour and decoration of output.",
        ),
    ] = "auto",
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = False,
) -> None:
    """Verified asyncio snippets: every one runs, and its output is checked.

    Examples:  asyncsnip show gather  ·  asyncsnip run gather-results  ·  asyncsnip list --tag queue
    """
    ctx.obj = State(catalog or [], not no_builtin, color)


def _state(ctx: typer.Context) -> State:
    state = ctx.find_root().obj
    assert isinstance(state, State)
    return state


def _index(ctx: click.Context) -> completion.Index:
    """The loaded catalogs as completion sees them; nothing at all if one is broken."""
    root = ctx.find_root().params
    try:
        extra = [Path(path) for path in root.get("catalog") or ()]
        catalog = load(builtin=not root.get("no_builtin"), extra=extra)
    except AsyncsnipError:
        return completion.Index()
    return completion.Index.of(catalog)


def _complete_id(ctx: click.Context, incomplete: str) -> list[completion.Candidate]:
    return completion.ids(_index(ctx))


def _complete_removable(ctx: click.Context, incomplete: str) -> list[completion.Candidate]:
    return completion.removable(_index(ctx))


def _complete_ids(ctx: click.Context, incomplete: str) -> list[completion.Candidate]:
    return completion.ids(_index(ctx), ctx.params.get("ids") or ())


def _complete_query(ctx: click.Context, incomplete: str) -> list[completion.Candidate]:
    return completion.queries(_index(ctx))


def _complete_tag(ctx: click.Context, incomplete: str) -> list[completion.Candidate]:
    return completion.tags(_index(ctx), ctx.params.get("tag") or ())


def _complete_section(ctx: click.Context, incomplete: str) -> list[completion.Candidate]:
    return completion.sections(_index(ctx))


TagOption = Annotated[
    list[str] | None,
    typer.Option(
        "--tag",
        "-t",
        metavar="TAG",
        help="Only snippets with this tag (repeatable).",
        autocompletion=_complete_tag,
    ),
]
SectionOption = Annotated[
    str | None,
    typer.Option(
        "--section",
        "-s",
        metavar="SECTION",
        help="Only this section.",
        autocompletion=_complete_section,
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead.")]


@commands.command("list")
def list_(
    ctx: typer.Context,
    tag: TagOption = None,
    section: SectionOption = None,
    search: Annotated[
        str | None,
        typer.Option(help="Only snippets whose id, title, summary or tags contain TEXT."),
    ] = None,
    json: JsonOption = False,
) -> None:
    """List snippets in catalog order, e.g. `asyncsnip list --tag queue`."""
    state = _state(ctx)
    chosen = query.select(state.catalog, tag or [], section, search)
    if json:
        render.write_json([s.to_dict() for s in chosen])
    else:
        render.snippet_list(state.style, chosen)


@commands.command()
def tags(ctx: typer.Context, json: JsonOption = False) -> None:
    """Every tag with the number of snippets that carry it."""
    state = _state(ctx)
    counts = state.catalog.tags()
    if json:
        render.write_json([{"tag": t, "count": counts[t]} for t in sorted(counts)])
    else:
        render.tag_counts(state.style, counts)


@commands.command()
def show(
    ctx: typer.Context,
    query_: Annotated[
        str,
        typer.Argument(
            metavar="QUERY",
            help="A tag, snippet id, section id or search text.",
            autocompletion=_complete_query,
        ),
    ],
    view: Annotated[
        str,
        typer.Option(
            "--view",
            "-v",
            click_type=click.Choice(completion.VIEWS),
            help="How much to show; 'code' prints only the code.",
        ),
    ] = "standard",
    json: JsonOption = False,
) -> None:
    """Show the snippets for a tag, id or section: `asyncsnip show gather`."""
    state = _state(ctx)
    found = query.find(state.catalog, query_)
    if json:
        render.write_json([s.to_dict() for s in found])
    else:
        render.snippets(state.style, found, view, state.catalog)


@commands.command()
def doctor(ctx: typer.Context) -> None:
    """What asyncsnip sees: Python, catalogs, user catalog, clipboard, colour, completion."""
    from asyncsnip.doctor import facts

    state = _state(ctx)
    rows, ok = facts(state.builtin, state.catalogs, state.style)
    render.doctor(state.style, rows)
    if not ok:
        raise UsageError("a catalog is invalid: see the problems listed above")


TimeoutOption = Annotated[
    float | None,
    typer.Option(
        min=0.01, metavar="S", help="Seconds before a snippet is ended (replaces its own)."
    ),
]


@commands.command("run")
def run_(
    ctx: typer.Context,
    snippet_id: Annotated[
        str, typer.Argument(metavar="ID", help="The snippet to run.", autocompletion=_complete_id)
    ],
    timeout: TimeoutOption = None,
    python: Annotated[
        str | None,
        typer.Option(
            metavar="EXE", help="Python to run it with [default: $ASYNCSNIP_PYTHON, or this one]."
        ),
    ] = None,
    json: JsonOption = False,
) -> None:
    """Run a snippet in a fresh process, stream its output, then check it.

    The verdict goes to stderr, so `asyncsnip run ID > out.txt` holds exactly its stdout.
    Exit status: 0 passed, 1 failed/mismatch/skipped, 124 timed out, 130 interrupted.
    """
    from asyncsnip import runs

    state = _state(ctx)
    snippet = query.get(state.catalog, snippet_id)
    result = runs.run_one(snippet, python, timeout, stream=not json)
    if json:
        render.write_json(result.to_dict())
    else:
        hint = "try another interpreter with --python EXE" if result.status == "skipped" else None
        render.verdict(decide(state.color, stderr=True), result, hint)
    raise typer.Exit(runs.run_exit_code(result))


@commands.command()
def check(
    ctx: typer.Context,
    ids: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="[ID]...",
            help="Snippets to check [default: all].",
            autocompletion=_complete_ids,
        ),
    ] = None,
    tag: TagOption = None,
    section: SectionOption = None,
    jobs: Annotated[
        int | None,
        typer.Option("--jobs", "-j", min=1, help="Snippets run at once [default: 32]."),
    ] = None,
    timeout: TimeoutOption = None,
    python: Annotated[
        list[str] | None,
        typer.Option(metavar="EXE", help="Python to check with; repeat for a version matrix."),
    ] = None,
    json: JsonOption = False,
) -> None:
    """Run snippets concurrently and verify each one's output.

    Example: `asyncsnip check --tag queue --python python3.12 --python python3.13`.
    Exit status 0 when nothing failed (skipped is not a failure), else 1.
    """
    from asyncsnip import runs
    from asyncsnip.engine import default_python

    state = _state(ctx)
    chosen = query.select(state.catalog, tag or [], section)
    if ids:
        wanted = {query.get(state.catalog, ident).id for ident in ids}
        chosen = [s for s in chosen if s.id in wanted]
    pythons = python or [default_python()]
    progress = render.Progress(
        len(chosen) * len(pythons), enabled=not json and stderr_is_terminal()
    )
    try:
        results, took = runs.check_many(
            chosen, pythons, jobs or runs.DEFAULT_JOBS, timeout, progress.advance
        )
    finally:
        progress.close()
    counts = runs.summary(results)
    if json:
        render.write_json(
            {"results": [r.to_dict() for r in results], "summary": counts, "duration_s": took}
        )
    else:
        render.check_report(state.style, results, counts, took)
    raise typer.Exit(runs.exit_code(results))


@commands.command()
def copy(
    ctx: typer.Context,
    snippet_id: Annotated[
        str, typer.Argument(metavar="ID", help="The snippet to copy.", autocompletion=_complete_id)
    ],
) -> None:
    """Put a snippet's code on the clipboard (X11, Wayland, macOS, Windows, or OSC 52)."""
    from asyncsnip import clipboard

    snippet = query.get(_state(ctx).catalog, snippet_id)
    where = clipboard.copy(snippet.code, ident=snippet.id)
    sys.stderr.write(f"asyncsnip: copied the code of '{snippet.id}' to {where}\n")


@commands.command()
def export(
    ctx: typer.Context,
    compact: Annotated[
        bool, typer.Option(help="The one-page sheet: title, code and one line each.")
    ] = False,
    format_: Annotated[
        str,
        typer.Option(
            "--format", "-f", click_type=click.Choice(completion.FORMATS), help="Document format."
        ),
    ] = "markdown",
    tag: TagOption = None,
    section: SectionOption = None,
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
    from asyncsnip.export import export as build

    state = _state(ctx)
    chosen = query.select(state.catalog, tag or [], section)
    document = build(state.catalog, chosen, format_, compact)
    if output is not None:
        from asyncsnip.files import write_atomic

        write_atomic(output, document.encode("utf-8"))
        sys.stderr.write(f"asyncsnip: wrote {len(chosen)} snippets to {output}\n")
    if copy_:
        from asyncsnip import clipboard

        where = clipboard.copy(document)
        sys.stderr.write(f"asyncsnip: copied the {format_} document to {where}\n")
    if output is None and not copy_:
        render.write(document)


@commands.command()
def add(
    ctx: typer.Context,
    snippet_id: Annotated[str, typer.Argument(metavar="ID", help="A new slug id.")],
    title: Annotated[str, typer.Option(help="One line saying what it does.")],
    tag: Annotated[
        list[str],
        typer.Option("--tag", "-t", metavar="TAG", help="A tag (repeatable, at least one)."),
    ],
    section: SectionOption = None,
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
    from asyncsnip import usercatalog

    state = _state(ctx)
    table = usercatalog.new_table(
        snippet_id, title, tag, usercatalog.read_code(code_file),
        section=section, summary=summary, notes=notes, python=python,
    )  # fmt: skip
    if not force and snippet_id in state.catalog.snippets:
        where = state.catalog.snippets[snippet_id].source
        raise UsageError(
            f"a snippet '{snippet_id}' exists already ({where})", hint="add --force to replace it"
        )
    if record:
        table["output"] = _record(state, table)
    path = usercatalog.add(table, replace=force)
    sys.stderr.write(f"asyncsnip: added '{snippet_id}' to {path}\n")


def _record(state: State, table: dict[str, Any]) -> str:
    """Run the new snippet; its stdout becomes its expected output, if it passed."""
    from asyncsnip import runs
    from asyncsnip.catalog import Snippet

    result = runs.run_one(Snippet.from_table(table, "new"), None, None, stream=False)
    if result.status != "passed":
        render.verdict(decide(state.color, stderr=True), result)
        raise UsageError(f"not added: the snippet {result.status} when recorded")
    return result.stdout


@commands.command()
def remove(
    ctx: typer.Context,
    snippet_id: Annotated[
        str,
        typer.Argument(
            metavar="ID", help="A snippet of your user catalog.", autocompletion=_complete_removable
        ),
    ],
) -> None:
    """Remove a snippet from your user catalog (the previous file is kept as .bak)."""
    from asyncsnip import usercatalog

    snippet = query.get(_state(ctx).catalog, snippet_id)
    if snippet.source == BUILTIN:
        raise UsageError(
            f"'{snippet_id}' is a built-in snippet and cannot be removed",
            hint="to replace it, add your own with the same id and --force",
        )
    path = usercatalog.remove(snippet_id)
    sys.stderr.write(f"asyncsnip: removed '{snippet_id}' from {path}\n")


def run() -> None:
    app()
