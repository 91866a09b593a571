"""What every export format shares: sections in order, counts, one line per snippet."""

from __future__ import annotations

import io
import re
import tokenize
from collections.abc import Sequence

from asyncsnip.catalog.model import Catalog
from asyncsnip.catalog.schema import Section, Snippet

SHEET_TITLE = "asyncio cheat sheet"
OTHER = Section(id="", title="Other")
Group = tuple[Section, list[Snippet]]
_SKIPPED_LINE = re.compile(r"(import\s|from\s+\S+\s+import\s|#|@|def\s|async\s+def\s|class\s)")


def group(catalog: Catalog, snippets: Sequence[Snippet]) -> list[Group]:
    """The snippets by section, in the catalog's section order; unsectioned ones last."""
    by_section: dict[str, list[Snippet]] = {}
    for snippet in snippets:
        key = snippet.section if snippet.section in catalog.sections else None
        by_section.setdefault(key or "", []).append(snippet)
    groups = [(sec, by_section[key]) for key, sec in catalog.sections.items() if key in by_section]
    if "" in by_section:
        groups.append((OTHER, by_section[""]))
    return groups


def counts(groups: Sequence[Group]) -> str:
    """ "12 snippets in 3 sections"."""
    n = sum(len(items) for _, items in groups)
    return f"{_plural(n, 'snippet')} in {_plural(len(groups), 'section')}"


def one_line(snippet: Snippet) -> str:
    """The summary, else the first sentence of the notes, else nothing."""
    if snippet.summary:
        return " ".join(snippet.summary.split())
    notes = " ".join(snippet.notes.split())
    match = re.match(r"(.+?[.!?])(\s|$)", notes)
    return match[1] if match else notes


def key_line(snippet: Snippet) -> str:
    """The most characteristic line of the code, for the quick-reference table. With a
    gist, a line of the gist: the first calling the snippet's first `api` name (else its
    next ones), else the gist's first line. Without one, the same search over the code,
    skipping imports, defs, decorators and comments, else its first such line. Stripped,
    and without a trailing comment."""
    if snippet.gist:
        code_lines = [line.strip() for line in snippet.gist.split("\n") if line.strip()]
        lines = code_lines
    else:
        lines = [line.strip() for line in snippet.code.split("\n")]
        code_lines = [line for line in lines if line and not _SKIPPED_LINE.match(line)]
    names = [name.rsplit(".", 1)[-1] for name in snippet.api]
    for needles in ([f"{name}(" for name in names], names):
        for needle in needles:
            for line in code_lines:
                if needle in line:
                    return _without_comment(line)
    fallback = code_lines or [line for line in lines if line]
    return _without_comment(fallback[0]) if fallback else ""


def _without_comment(line: str) -> str:
    tokens = io.StringIO(line).readline
    try:
        for token in tokenize.generate_tokens(tokens):
            if token.type == tokenize.COMMENT:
                return line[: token.start[1]].rstrip() or line
    except (tokenize.TokenError, SyntaxError):
        pass  # an unclosed bracket: the comment, if any, came before the error
    return line


def gist(snippet: Snippet) -> str:
    """The pattern, for the one-page sheet: the snippet's `gist` (its lines verbatim, the
    common indentation removed), else its key line; no final newline."""
    if not snippet.gist or not snippet.gist.strip():
        return key_line(snippet)
    lines = [line.rstrip() for line in snippet.gist.strip("\n").split("\n")]
    lines = [line for line in lines if line.strip()]
    margin = min(len(line) - len(line.lstrip()) for line in lines)
    return "\n".join(line[margin:] for line in lines)


def meta(snippet: Snippet) -> list[str]:
    """Tags, Python minimum, required modules."""
    facts = [f"tags: {', '.join(snippet.tags)}"]
    if snippet.python:
        facts.append(f"Python >= {snippet.python}")
    if snippet.requires:
        facts.append(f"requires: {', '.join(snippet.requires)}")
    return facts


def ended(body: str) -> str:
    return body if body.endswith("\n") else body + "\n"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"
