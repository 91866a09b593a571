"""The Typer app, and every piece of glue between asyncsnip and Typer or Click.

Public API only: `typer.Typer`, `typer.Option`, `typer.main.get_command`, Typer's documented
`TyperGroup` subclassing, Click's lazy-group pattern (`list_commands`/`get_command`) and
Click's `ShellComplete`. The commands are plain functions in the modules named in `COMMANDS`;
each becomes a Click command only when it is used (building all of them would cost more
than running most of them). A command registered the usual way, `@app.command()`, works too.
"""

import importlib
import os
import sys
import typing
from pathlib import Path
from typing import Annotated, Any, NoReturn

import click
import typer
from click.shell_completion import CompletionItem, ShellComplete, split_arg_string
from typer.core import TyperCommand, TyperGroup

from asyncsnip import __version__, choices, completion
from asyncsnip.cli import hints
from asyncsnip.cli.state import State
from asyncsnip.errors import AsyncsnipError, ExitCode

# name -> "module:function", in the order `--help` lists them
COMMANDS = {
    "list": "asyncsnip.cli.reading:list_",
    "tags": "asyncsnip.cli.reading:tags",
    "sections": "asyncsnip.cli.reading:sections",
    "show": "asyncsnip.cli.reading:show",
    "run": "asyncsnip.cli.running:run",
    "check": "asyncsnip.cli.running:check",
    "copy": "asyncsnip.cli.sharing:copy",
    "export": "asyncsnip.cli.sharing:export",
    "add": "asyncsnip.cli.writing:add",
    "remove": "asyncsnip.cli.writing:remove",
    "edit": "asyncsnip.cli.editing:edit",
    "import": "asyncsnip.cli.importing:import_sheet",
    "doctor": "asyncsnip.cli.doctor:doctor",
}


def build(name: str) -> click.Command:
    """The Click command for the function named in COMMANDS, through Typer's public API."""
    module, function = COMMANDS[name].split(":")
    callback = getattr(importlib.import_module(module), function)
    single = typer.Typer(add_completion=False, rich_markup_mode=None)
    single.command(name, cls=Command)(callback)
    command = typer.main.get_command(single)
    _argument_help(command, callback)
    return command


def _argument_help(command: click.Command, callback: Any) -> None:
    """Give each argument the help its `typer.Argument(help=...)` says. Typer 0.24 and 0.25
    set it before calling Click's constructor, and Click 8.5 sets `help` to None again, so
    `--help` would list arguments without their words (test_cli checks it)."""
    hints_of = typing.get_type_hints(callback, include_extras=True)
    for param in command.params:
        if isinstance(param, click.Argument) and not getattr(param, "help", None):
            extras = typing.get_args(hints_of.get(param.name or "", ""))[1:]
            words = next((getattr(x, "help", None) for x in extras if hasattr(x, "help")), None)
            if words:
                param.help = words


class Command(TyperCommand):
    """Typer's command, listing its arguments once: Click 8.5 added a "Positional
    arguments" section of its own beside Typer's "Arguments"."""

    def format_arguments(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        pass


class Group(TyperGroup):
    """Lazy commands, and every expected failure turned into one stderr line and a code."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return [*COMMANDS, *(name for name in super().list_commands(ctx) if name not in COMMANDS)]

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in COMMANDS and name not in self.commands:
            self.add_command(build(name), name)
        return super().get_command(ctx, name)

    def main(self, *args: Any, **kwargs: Any) -> NoReturn:
        kwargs["standalone_mode"] = False
        kwargs.setdefault("prog_name", "asyncsnip")
        try:
            code = super().main(*args, **kwargs)
        except AsyncsnipError as exc:
            if os.environ.get("ASYNCSNIP_DEBUG") == "1":
                raise
            hints.error(exc.message, hints.hint_for(exc))
            code = exc.code
        except click.exceptions.NoArgsIsHelpError as exc:
            sys.stdout.write(exc.format_message() + "\n")  # the help, and no error line
            code = ExitCode.USAGE
        except click.ClickException as exc:
            hints.error(exc.format_message(), hints.usage_hint(exc))
            code = exc.exit_code
        except click.Abort:
            code = ExitCode.INTERRUPTED
        except BrokenPipeError:
            _silence_stdout()
            code = ExitCode.OK
        sys.exit(int(code or 0))


def _silence_stdout() -> None:
    """After the reader of a pipe went away: no more writes, no 'Exception ignored' noise."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


app = typer.Typer(
    cls=Group,
    name="asyncsnip",
    help="Verified asyncio snippets in your terminal: show, run, check, copy and export them.",
    no_args_is_help=True,
    add_completion=False,  # the scripts are files of ours: see --show-completion
    suggest_commands=False,  # Click suggests already; Typer would add the same again
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # Click's plain help: readable at 60 columns, nothing eaten
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        sys.stdout.write(f"asyncsnip {__version__} (Python {sys.version.split()[0]})\n")
        raise typer.Exit()


def _show_completion(shell: str | None) -> None:
    if shell:
        from asyncsnip.cli import shells

        sys.stdout.write(shells.script(shell))
        raise typer.Exit()


def _install_completion(value: bool) -> None:
    if value:
        from asyncsnip.cli import shells

        sys.stdout.write(shells.install() + "\n")
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
            click_type=click.Choice(choices.COLORS),
            help="Colour and decoration of output.",
        ),
    ] = "auto",
    no_pager: Annotated[
        bool,
        typer.Option(
            "--no-pager", help="Print everything at once, even when it is taller than the screen."
        ),
    ] = False,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = False,
    install_completion: Annotated[
        bool,
        typer.Option(
            "--install-completion",
            callback=_install_completion,
            is_eager=True,
            help="Install TAB completion for the shell you run (bash, zsh or fish).",
        ),
    ] = False,
    show_completion: Annotated[
        str | None,
        typer.Option(
            "--show-completion",
            metavar="SHELL",
            click_type=click.Choice(choices.SHELLS),
            callback=_show_completion,
            is_eager=True,
            help="Print the completion script for SHELL, to install it by hand.",
        ),
    ] = None,
) -> None:
    """Verified asyncio snippets: every one runs, and its output is checked.

    Examples:  asyncsnip show gather  ·  asyncsnip run gather-results  ·  asyncsnip list --tag queue
    """
    from asyncsnip.catalog import config

    settings = config.load()  # an invalid config file is exit 2, before anything else
    given = ctx.get_parameter_source("color") == click.ParameterSource.COMMANDLINE
    ctx.obj = State(
        catalog or [],
        not no_builtin,
        color if given else settings.get("color", color),
        pager=not no_pager,
        config=settings,
    )
    ctx.obj.given = {"color": color} if given else {}
    if no_pager:
        ctx.obj.given["no_pager"] = True


class Complete(ShellComplete):
    """Click's completion, answering in the format the shell scripts read (see completion)."""

    name = "asyncsnip"
    source_template = ""  # the scripts are files: see --show-completion

    def __init__(self, cli: click.Command, shell: str) -> None:
        super().__init__(cli, {}, "asyncsnip", completion.ENV)
        self.shell = shell

    def get_completion_args(self) -> tuple[list[str], str]:
        simple = completion.words(self.shell, os.environ)
        if simple is not None:
            return simple
        line = split_arg_string(os.environ.get("COMP_WORDS", ""))
        word = os.environ.get("COMP_CWORD", "")
        if self.shell == "fish":
            incomplete = (split_arg_string(word) or [""])[0] if word else ""
            args = line[1:]
            if incomplete and args and args[-1] == incomplete:
                args.pop()
            return args, incomplete
        index = int(word) if word.isdigit() else len(line)
        return line[1:index], line[index] if index < len(line) else ""

    def format_completion(self, item: CompletionItem) -> str:
        if item.type in ("file", "dir"):
            return completion.FILES
        return completion.record(item.value, item.help or "") or ""

    def complete(self) -> str:
        lines = (
            self.format_completion(item)
            for item in self.get_completions(*self.get_completion_args())
        )
        return "".join(f"{line}\n" for line in lines if line)


def run() -> None:
    """The program: a completion request when the shell scripts ask for one, else the app."""
    shell = os.environ.get(completion.ENV, "").removeprefix("complete_")
    if shell:
        if shell in choices.SHELLS:
            completion.emit(Complete(typer.main.get_command(app), shell).complete())
        return
    app()
