"""`edit`: a snippet, or the whole user catalog, in your editor, checked before it is saved.

As `crontab -e` and `visudo` do: the text goes to a temporary file, the editor opens it, and
on save it is checked (the catalog format, and sections some loaded catalog defines); when
it is wrong, asyncsnip says why and asks whether to edit it again. Nothing is written until
it is right; an editor that fails, or a file saved unchanged, changes nothing.
"""

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import tomllib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from asyncsnip.catalog import query
from asyncsnip.catalog.fileformat import parse
from asyncsnip.catalog.paths import BUILTIN, user_catalog_path
from asyncsnip.cli import hints, options
from asyncsnip.cli.state import State, state
from asyncsnip.errors import AsyncsnipError, ExitCode, UsageError

FALLBACK_EDITORS = ("sensible-editor", "editor", "vi")  # Debian's choice, then POSIX's


class EditorFailed(AsyncsnipError):
    code = ExitCode.FAILED


def edit(
    ctx: typer.Context,
    snippet_id: Annotated[
        str | None,
        typer.Argument(
            metavar="[ID]",
            help="The snippet to edit [default: the whole user catalog].",
            autocompletion=options.complete_id,
        ),
    ] = None,
    record: Annotated[
        bool, typer.Option(help="Run it after the edit and store its stdout as its output.")
    ] = False,
) -> None:
    """Edit a snippet in your editor, checked on save.

    The editor is $VISUAL, else $EDITOR, else the system's default. A built-in snippet is
    saved as an override in your user catalog. With no ID, the whole user catalog is
    edited. Example: `EDITOR=nano asyncsnip edit gather-results`.
    """
    current = state(ctx)
    if snippet_id is None:
        if record:
            raise UsageError("--record needs a snippet id")
        _edit_whole(current)
    else:
        _edit_one(current, snippet_id, record)


def _edit_one(current: State, ident: str, record: bool) -> None:
    from asyncsnip.export.data import snippet_toml
    from asyncsnip.store import usercatalog

    snippet = query.get(current.catalog, ident)
    builtin = snippet.source == BUILTIN
    path = Path(user_catalog_path() if builtin else snippet.source)
    text = snippet_toml(snippet) if builtin else usercatalog.table_text(ident, path)
    what = f"an override of the built-in snippet to {path}" if builtin else f"it to {path}"
    header = f"# asyncsnip edit {ident}: saving writes {what}.\n"
    sections = set(current.catalog.sections)

    def check(edited: str) -> tuple[list[str], tuple[str, dict[str, Any]] | None]:
        body = edited.removeprefix(header)
        problems, table = check_one(edited, sections, f"{ident} (edited)")
        if table is not None and record and not problems:
            problems, body = _recorded(current, table)
        return problems, (body, table) if table is not None else None

    saved = edit_until_valid(header + text, ident, check)
    if saved is None:
        return
    body, table = saved
    usercatalog.put(None if builtin else ident, body, table, path)
    told = f"an override of the built-in snippet '{ident}'" if builtin else f"'{table['id']}'"
    sys.stderr.write(f"asyncsnip: saved {told} to {path}\n")


def _edit_whole(current: State) -> None:
    from asyncsnip.store import usercatalog
    from asyncsnip.store.usercatalog import NEW_FILE

    path = Path(user_catalog_path())
    before = path.read_text(encoding="utf-8") if path.exists() else ""
    others = _other_sections(current, path)

    def check(edited: str) -> tuple[list[str], str]:
        return check_whole(edited, str(path), others), edited

    saved = edit_until_valid(before or NEW_FILE, "catalog", check)
    if saved is not None:
        usercatalog.replace_whole(path, before, saved)
        sys.stderr.write(f"asyncsnip: saved {path}\n")


def check_one(text: str, sections: set[str], label: str) -> tuple[list[str], dict[str, Any] | None]:
    """(problems, the table): the text must be exactly one valid [[snippets]] table."""
    parsed = parse(text, label)
    if parsed.problems:
        return parsed.problems, None
    keys = set(tomllib.loads(text))
    if keys != {"snippets"} or len(parsed.snippets) != 1:
        return [f"{label}: must be exactly one [[snippets]] table, and nothing else"], None
    table = parsed.snippets[0]
    return _section_problems(label, parsed.snippets, parsed.snippet_lines, sections), table


def check_whole(text: str, label: str, sections: set[str]) -> list[str]:
    """Every problem of the edited catalog (its sections count as defined)."""
    parsed = parse(text, label)
    defined = sections | {table["id"] for table in parsed.sections}
    problems = _section_problems(label, parsed.snippets, parsed.snippet_lines, defined)
    return parsed.problems + problems


def _section_problems(
    label: str, tables: list[dict[str, Any]], lines: list[dict[str, int]], defined: set[str]
) -> list[str]:
    """What the loader says of a section that no loaded catalog defines."""
    return [
        f"{label}:{where.get('section', where.get('', 0))}: snippet '{table['id']}', field "
        f"'section': no loaded catalog defines section '{table['section']}'"
        for table, where in zip(tables, lines, strict=True)
        if table.get("section") and table["section"] not in defined
    ]


def _other_sections(current: State, user: Path) -> set[str]:
    """The sections of every loaded catalog except the user catalog."""
    from asyncsnip.catalog.fileformat import read_text
    from asyncsnip.catalog.paths import catalog_paths

    found: set[str] = set()
    for _, where, _ in catalog_paths(current.builtin, current.catalogs):
        if os.path.abspath(where) != os.path.abspath(user):
            text, _ = read_text(where)
            found |= {t["id"] for t in parse(text, where).sections} if text else set()
    return found


def _recorded(current: State, table: dict[str, Any]) -> tuple[list[str], str]:
    """Run the edited snippet; its stdout becomes its output (the table is written anew)."""
    from asyncsnip.catalog.schema import Snippet
    from asyncsnip.cli.writing import record_output
    from asyncsnip.export.data import snippet_toml

    try:
        table["output"] = record_output(current, {k: v for k, v in table.items() if k != "output"})
    except UsageError as exc:
        return [exc.message], ""
    return [], snippet_toml(Snippet.from_table(table, "edit"))


# The editing session.

T = TypeVar("T")


def edit_until_valid(text: str, name: str, check: Callable[[str], tuple[list[str], T]]) -> T | None:
    """Edit `text` until `check` finds no problem in it, and return what `check` made of it;
    None when it was saved unchanged. Each time it is wrong: the problems, and a question,
    edit again or give up (nothing is written then; the text is kept in a file)."""
    with _scratch(text, name) as scratch:
        while True:
            edited = _run_editor(scratch)
            if edited == text:
                sys.stderr.write("asyncsnip: no changes; nothing was changed\n")
                return None
            problems, made = check(edited)
            if not problems:
                return made
            for problem in problems:
                hints.error(problem)
            answer = ask("asyncsnip: edit it again? [Y/n] ")
            if answer is not True:
                scratch_kept(scratch, answer)


def scratch_kept(scratch: Path, answer: bool | None) -> None:
    """Abort: nothing was written; the rejected text stays in the scratch file."""
    keep = scratch.with_name(scratch.name.replace(".editing", ""))
    shutil.copyfile(scratch, keep)
    why = "not saved" if answer is False else "not saved: there is no terminal to ask on"
    raise UsageError(f"the edit was {why}; nothing was changed", hint=f"your text is in {keep}")


@contextlib.contextmanager
def _scratch(text: str, name: str) -> Iterator[Path]:
    fd, where = tempfile.mkstemp(prefix=f"asyncsnip-{name}-", suffix=".editing.toml")
    path = Path(where)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as out:
            out.write(text)
        yield path
    finally:
        path.unlink(missing_ok=True)


def editor() -> str:
    """The editor command, chosen as git chooses: $VISUAL (unless the terminal is dumb),
    $EDITOR, else the system's default (sensible-editor, editor, vi)."""
    dumb = os.environ.get("TERM", "dumb") == "dumb"
    for name in ("VISUAL", "EDITOR"):
        value = os.environ.get(name, "").strip()
        if value and not (name == "VISUAL" and dumb):
            return value
    if dumb:
        raise UsageError("the terminal is dumb and $EDITOR is not set", hint="set $EDITOR")
    found = next((e for e in FALLBACK_EDITORS if shutil.which(e)), None)
    if found is None:
        raise UsageError("no editor found", hint="set $VISUAL or $EDITOR")
    return found


def _run_editor(scratch: Path) -> str:
    """Open the scratch file in the editor (a shell command, as git runs it)."""
    command = editor()
    argv = ["sh", "-c", f'{command} "$@"', command, str(scratch)]
    previous = [signal.signal(s, signal.SIG_IGN) for s in (signal.SIGINT, signal.SIGQUIT)]
    try:
        status = subprocess.call(argv) if os.name != "nt" else subprocess.call([command, scratch])
    except OSError as exc:
        raise EditorFailed(f"cannot start the editor '{command}': {exc.strerror or exc}") from None
    finally:
        for sig, handler in zip((signal.SIGINT, signal.SIGQUIT), previous, strict=True):
            signal.signal(sig, handler)
    if status != 0:
        raise EditorFailed(f"the editor '{command}' exited with status {status}; nothing changed")
    try:
        return scratch.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        return "\ufffd"  # checked like any text: parse reports it


def ask(question: str) -> bool | None:
    """Yes or no, read from the terminal (stdin when it is one, else /dev/tty) or from piped
    stdin; None when there is no one to ask."""
    sys.stderr.write(question)
    sys.stderr.flush()
    line = sys.stdin.readline() if sys.stdin is not None and not sys.stdin.closed else ""
    if not line and not (sys.stdin is not None and sys.stdin.isatty()):
        try:
            with open("/dev/tty", encoding="utf-8") as tty:
                line = tty.readline()
        except OSError:
            line = ""
    if not line or not line.endswith("\n") or not _tty(sys.stdin):
        sys.stderr.write("\n")  # the answer was not echoed
    if not line:
        return None
    return line.strip().lower() in ("", "y", "yes")


def _tty(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False
