"""Shell completion: the candidates, the answer the shell scripts read, and a fast path.

Completion runs on every TAB press. The shell scripts in `completions/` set
`_ASYNCSNIP_COMPLETE=complete_SHELL`, `COMP_WORDS` (the line up to the cursor) and
`COMP_CWORD` (the index of the word being completed; fish passes the word itself), and read
back one line per candidate:

    KIND <TAB> VALUE <TAB> DESCRIPTION

KIND is `plain`, or `file` when the shell should complete file names itself. The answer is
data, never shell code: the scripts split it with parameter expansion and hand the values to
`compadd`, `COMPREPLY` or fish's `complete`, and nothing in it is evaluated. Values and
descriptions are made single-line and visible here (`safe.one_line`), so no text from a
catalog can end a record early or reach the terminal as an escape sequence.

The fast path below answers the requests it fully understands from the parsed-catalog cache
without importing Click, Typer, rich or tomllib; everything else goes through Click's
completion (cli/app.py), which formats its items with the same `record`. Tests check that
both give identical answers.
"""

from __future__ import annotations

import os
import sys

from asyncsnip.catalog.paths import BUILTIN
from asyncsnip.choices import FORMATS, SHELLS, VIEWS
from asyncsnip.safe import one_line

TYPE_CHECKING = False  # `typing` itself would be a fifth of a completion's time
if TYPE_CHECKING:
    from collections.abc import Sequence

    from asyncsnip.catalog.index import Index, Slim

Candidate = tuple[str, str]  # (value, description)

ENV = "_ASYNCSNIP_COMPLETE"


def ids(index: Index, exclude: Sequence[str] = ()) -> list[Candidate]:
    return [(i, title) for i, (title, _) in index.snippets.items() if i not in exclude]


def removable(index: Index) -> list[Candidate]:
    """For `remove`: the ids that do not come from the built-in catalog."""
    return ids(index, tuple(index.builtin))


def tags(index: Index, exclude: Sequence[str] = ()) -> list[Candidate]:
    counts: dict[str, int] = {}
    for _, snippet_tags in index.snippets.values():
        for tag in snippet_tags:
            counts[tag] = counts.get(tag, 0) + 1
    return [
        (t, f"{n} snippet{'s' if n != 1 else ''}") for t, n in counts.items() if t not in exclude
    ]


def sections(index: Index) -> list[Candidate]:
    return list(index.sections.items())


def queries(index: Index) -> list[Candidate]:
    """For `show`: tags, then ids, then sections; each value once."""
    seen: dict[str, str] = {}
    for value, description in [*tags(index), *ids(index), *sections(index)]:
        seen.setdefault(value, description)
    return list(seen.items())


def choices(values: Sequence[str]) -> list[Candidate]:
    return [(value, "") for value in values]


def starting(candidates: list[Candidate], incomplete: str) -> list[Candidate]:
    return [c for c in candidates if c[0].startswith(incomplete)]


# The answer.


def record(value: str, description: str, kind: str = "plain") -> str | None:
    """One line of the answer; None for a value that cannot be offered as one word."""
    if value != one_line(value) or not value.strip():
        return None
    return f"{kind}\t{value}\t{one_line(description)}"


FILES = "file\t\t"  # the shell completes file names itself


def answer(candidates: list[Candidate]) -> str:
    lines = (record(value, description) for value, description in candidates)
    return "".join(f"{line}\n" for line in lines if line is not None)


# The fast path.

GLOBAL_FLAGS = {"--no-builtin"}
GLOBAL_VALUED = {"--catalog", "--color"}
# command -> options that take a value; only these commands are answered here
VALUED = {
    "run": {"--timeout", "--python"},
    "copy": set(),
    "remove": set(),
    "check": {"--tag", "-t", "--section", "-s", "--jobs", "-j", "--timeout", "--python"},
    "show": {"--view", "-v"},
    "list": {"--tag", "-t", "--section", "-s", "--search"},
    "export": {"--format", "-f", "--tag", "-t", "--section", "-s", "--output", "-o"},
}
FLAGS = {"--json", "--compact", "--copy"}
SINGLE_ID = {"run": "ids", "copy": "ids", "remove": "removable"}


def fast_complete() -> bool:
    """Answer a completion request without Click if it is simple enough; True if answered."""
    request = words(os.environ.get(ENV, "").removeprefix("complete_"), os.environ)
    if request is None:
        return False
    args, incomplete = request
    plan = _plan(args)
    if plan is None or incomplete.startswith("-"):
        return False
    builtin, extra, kind, given = plan
    index = load_index(builtin, extra)
    if index is None:
        return False
    emit(answer(starting(_candidates(kind, index, given), incomplete)))
    return True


def words(shell: str, environ: os._Environ[str] | dict[str, str]) -> tuple[list[str], str] | None:
    """(args after the program name, the word being completed), split on blanks; None for a
    shell we do not know, or a line whose quotes and escapes need a real parser."""
    line = environ.get("COMP_WORDS", "")
    cword = environ.get("COMP_CWORD", "")
    if shell not in SHELLS or _unsafe(line + cword):
        return None
    parts = line.split()
    if shell == "fish":  # COMP_CWORD is the word itself, which fish leaves in the line
        if cword and parts and parts[-1] == cword:
            parts.pop()
        return parts[1:], cword
    if not cword.isdigit():
        return None
    index = int(cword)
    return parts[1:index], parts[index] if index < len(parts) else ""


def _unsafe(line: str) -> bool:
    """Quotes, escapes and `=` need Click's own parsing: leave those lines to it."""
    return any(char in line for char in "\"'\\=\t\n")


def _plan(args: list[str]) -> tuple[bool, list[str], str, list[str]] | None:
    """(builtin?, extra catalogs, what to complete, values given already) or None."""
    builtin, extra, position = True, [], 0
    while position < len(args) and args[position].startswith("-"):
        option = args[position]
        if option in GLOBAL_FLAGS:
            builtin, position = False, position + 1
        elif option in GLOBAL_VALUED and position + 1 < len(args):
            if option == "--catalog":
                extra.append(args[position + 1])
            position += 2
        else:
            return None
    if position >= len(args) or args[position] not in VALUED:
        return None
    command, rest = args[position], args[position + 1 :]
    kind = _kind(command, rest)
    if kind is None:
        return None
    positionals = _positionals(command, rest[:-1] if rest and rest[-1] in VALUED[command] else rest)
    if positionals is None:
        return None
    given = [rest[i + 1] for i in range(len(rest) - 1) if rest[i] in ("--tag", "-t")]
    return builtin, extra, kind, given if kind == "tags" else positionals


def _kind(command: str, rest: list[str]) -> str | None:
    """What the word after `rest` is: a value of the last option, or a positional."""
    last = rest[-1] if rest else ""
    option_kinds = {"--tag": "tags", "-t": "tags", "--section": "sections", "-s": "sections"}
    if last in VALUED[command]:
        if command == "show" and last in ("--view", "-v"):
            return "views"
        if command == "export" and last in ("--format", "-f"):
            return "formats"
        return option_kinds.get(last)
    positionals = _positionals(command, rest)
    if positionals is None:
        return None
    if command in SINGLE_ID:
        return SINGLE_ID[command] if not positionals else None
    if command == "check":
        return "check-ids"
    if command == "show":
        return "queries" if not positionals else None
    return None


def _positionals(command: str, rest: list[str]) -> list[str] | None:
    found, position = [], 0
    while position < len(rest):
        word = rest[position]
        if word in VALUED[command]:
            position += 2
        elif word in FLAGS:
            position += 1
        elif word.startswith("-"):
            return None
        else:
            found.append(word)
            position += 1
    return found


def _candidates(kind: str, index: Index, given: list[str]) -> list[Candidate]:
    if kind == "tags":
        return tags(index, given)
    if kind == "check-ids":
        return ids(index, given)
    table = {
        "ids": lambda: ids(index),
        "removable": lambda: removable(index),
        "sections": lambda: sections(index),
        "queries": lambda: queries(index),
        "views": lambda: choices(VIEWS),
        "formats": lambda: choices(FORMATS),
    }
    return table[kind]()


def emit(text: str) -> None:
    """Write an answer as UTF-8 whatever the locale, so no title can fail to encode."""
    sys.stdout.flush()
    sys.stdout.buffer.write(text.encode("utf-8", "replace"))


def index_for(builtin: bool, extra: Sequence[str]) -> Index:
    """The index for Click's path, parsing what is not cached. Invalid files are treated
    as the reading commands treat them: an invalid `--catalog` file means no candidates at
    all (the command would fail), an invalid user or ASYNCSNIP_CATALOG file is left out."""
    from asyncsnip.catalog.index import Index
    from asyncsnip.catalog.paths import catalog_paths

    strict = {os.path.abspath(path) for path in extra}
    index = Index()
    for label, path, _ in catalog_paths(builtin, extra):
        form = _parsed_form(path)
        if form is None and label in strict:
            return Index()
        if form is not None:
            index.add(form, builtin=label == BUILTIN)
    return index if index.valid() else Index()


def _parsed_form(path: str) -> Slim | None:
    """One file's index form, from the cache or parsed (and then cached); None if the file
    is missing or invalid."""
    from asyncsnip.catalog import cache
    from asyncsnip.catalog.fileformat import parse, read_text
    from asyncsnip.catalog.index import slim, well_formed
    from asyncsnip.catalog.loader import derived

    try:
        stat = os.stat(path)
    except OSError:
        return None
    cached = cache.get(path, stat, "index")
    if cached is not None and well_formed(cached):
        return cached  # type: ignore[no-any-return]
    text, _ = read_text(path)
    parsed = parse(text, path) if text is not None else None
    if parsed is None or parsed.problems:
        return None
    cache.put(path, stat, lambda: derived(parsed))
    return slim(parsed.sections, parsed.snippets)


def load_index(builtin: bool, extra: list[str]) -> Index | None:
    """The index from cached catalogs only; None when any file needs a real parse."""
    from asyncsnip.catalog import cache
    from asyncsnip.catalog.index import Index, well_formed
    from asyncsnip.catalog.paths import catalog_paths
    from asyncsnip.errors import AsyncsnipError

    index = Index()
    try:
        sources = catalog_paths(builtin, extra)
    except AsyncsnipError:  # an invalid config file: Click's completion answers instead
        return None
    for label, path, required in sources:
        try:
            stat = os.stat(path)
        except OSError:
            if required:
                return None
            continue
        form = cache.get(path, stat, "index")
        if form is None or not well_formed(form):
            return None
        index.add(form, builtin=label == BUILTIN)
    return index if index.valid() else None
