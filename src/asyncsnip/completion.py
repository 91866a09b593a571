"""Shell completion: candidates, their formatting per shell, and a fast path without Typer.

Completion runs on every TAB press. The candidates come from one small `Index` (ids with
titles, tags with counts, sections with titles). Typer's completion (wired in cli.py) and the
fast path below both call the same functions and format items the same way; the fast path
answers only the cases it fully understands, from the parsed-catalog cache, and hands every
other request to Typer. It imports neither Typer nor rich nor tomllib.
"""

from __future__ import annotations

import os
import sys

from asyncsnip.paths import BUILTIN

TYPE_CHECKING = False  # `typing` itself would be a fifth of a completion's time
if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import Any

    from asyncsnip.catalog import Catalog

Candidate = tuple[str, str]  # (value, description)

VIEWS = ("standard", "detailed", "compact", "code")
FORMATS = ("markdown", "text", "json", "toml", "html")
COLORS = ("auto", "always", "never")

# The zsh script, safe to autoload from fpath: on the first TAB compinit runs this file as
# the function `_asyncsnip`, so it must complete right away, not only register itself.
ZSH_SCRIPT = """\
#compdef %(prog_name)s

%(complete_func)s() {
  eval $(env _TYPER_COMPLETE_ARGS="${words[1,$CURRENT]}" %(autocomplete_var)s=complete_zsh \
%(prog_name)s)
}

if [[ "${funcstack[1]}" == "_%(prog_name)s" ]]; then
  %(complete_func)s "$@"
else
  compdef %(complete_func)s %(prog_name)s
fi
"""


class Index:
    """What completion needs of the layered catalog: id -> (title, tags), section -> title."""

    def __init__(self) -> None:
        self.snippets: dict[str, tuple[str, tuple[str, ...]]] = {}
        self.sections: dict[str, str] = {}
        self.section_refs: set[str] = set()
        self.builtin: set[str] = set()  # ids whose winning definition is the built-in one

    def add(self, slim: tuple[list[Any], list[Any]], builtin: bool) -> None:
        """Layer one catalog file (its slim cached form) over what is there; later ones win."""
        sections, snippets = slim
        self.sections.update(sections)
        for ident, title, tags, section in snippets:
            self.snippets[ident] = (title, tuple(tags))
            (self.builtin.add if builtin else self.builtin.discard)(ident)
            if section is not None:
                self.section_refs.add(section)

    @classmethod
    def of(cls, catalog: Catalog) -> Index:
        index = cls()
        index.sections = {i: section.title for i, section in catalog.sections.items()}
        index.snippets = {i: (s.title, s.tags) for i, s in catalog.snippets.items()}
        index.builtin = {i for i, s in catalog.snippets.items() if s.source == BUILTIN}
        return index

    def valid(self) -> bool:
        """Every section a snippet names is defined (else loading the catalog fails)."""
        return self.section_refs <= self.sections.keys()


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


# Formatting, as Typer's completion classes do it (help text printed as it is).


def zsh_item(value: str, description: str) -> str:
    def escape(s: str) -> str:
        return (
            s.replace('"', '""')
            .replace("'", "''")
            .replace("$", "\\$")
            .replace("`", "\\`")
            .replace(":", r"\\:")
        )

    if description:
        return f'"{escape(value)}":"{escape(description)}"'
    return f'"{escape(value)}"'


def fish_item(value: str, description: str) -> str:
    if not description:
        return value
    return value + "\t" + "".join(" " if char.isspace() else char for char in description)


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
    "export": {"--format", "--tag", "-t", "--section", "-s", "--output"},
}
FLAGS = {"--json", "--compact", "--copy"}
SINGLE_ID = {"run": "ids", "copy": "ids", "remove": "removable"}


def fast_complete() -> bool:
    """Answer a completion request without Typer if it is simple enough; True if answered."""
    instruction = os.environ.get("_ASYNCSNIP_COMPLETE", "")
    shell = instruction.removeprefix("complete_")
    request = _request(shell)
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
    found = [c for c in _candidates(kind, index, given) if c[0].startswith(incomplete)]
    return _answer(shell, found)


def _request(shell: str) -> tuple[list[str], str] | None:
    """(args after the program name, the word being completed), as Typer's classes read them."""
    if shell == "bash":
        line, cword = os.environ.get("COMP_WORDS", ""), os.environ.get("COMP_CWORD", "")
        if not cword.isdigit() or _unsafe(line):
            return None
        words = line.split()
        index = int(cword)
        return words[1:index], words[index] if index < len(words) else ""
    if shell in ("zsh", "fish"):
        line = os.environ.get("_TYPER_COMPLETE_ARGS", "")
        if _unsafe(line):
            return None
        args = line.split()[1:]
        if args and not line.endswith(" "):
            return args[:-1], args[-1]
        return args, ""
    return None


def _unsafe(line: str) -> bool:
    """Quotes, escapes and `=` need Click's own parsing: leave those lines to Typer."""
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
        if command == "export" and last == "--format":
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
    words, position = [], 0
    while position < len(rest):
        word = rest[position]
        if word in VALUED[command]:
            position += 2
        elif word in FLAGS:
            position += 1
        elif word.startswith("-"):
            return None
        else:
            words.append(word)
            position += 1
    return words


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


def _answer(shell: str, found: list[Candidate]) -> bool:
    if shell == "bash":
        output = "\n".join(value for value, _ in found)
    elif shell == "zsh":
        items = "\n".join(zsh_item(v, d) for v, d in found)
        output = f"_arguments '*: :(({items}))'" if found else "_files"
    else:
        action = os.environ.get("_TYPER_COMPLETE_FISH_ACTION", "")
        if action == "is-args":
            sys.exit(0 if found else 1)
        if action != "get-args":
            return False
        output = "\n".join(fish_item(v, d) for v, d in found)
    sys.stdout.write(output + "\n")
    return True


def load_index(builtin: bool, extra: list[str]) -> Index | None:
    """The index from cached catalogs only; None when any file needs a real parse."""
    from asyncsnip import cache
    from asyncsnip.paths import catalog_paths

    index = Index()
    for label, path, required in catalog_paths(builtin, extra):
        try:
            stat = os.stat(path)
        except OSError:
            if required:
                return None
            continue
        slim = cache.get(path, stat, "index")
        if slim is None:
            return None
        index.add(slim, builtin=label == BUILTIN)
    return index if index.valid() else None
