"""Plain-text output for pipes and files: no escape codes, no wrapping, code byte-exact."""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence

from asyncsnip.catalog.model import Catalog
from asyncsnip.catalog.paths import BUILTIN
from asyncsnip.catalog.schema import Snippet


def snippet_list(snippets: Sequence[Snippet], show_source: bool) -> str:
    width = max((len(s.id) for s in snippets), default=0)
    lines = []
    for s in snippets:
        line = f"{s.id:<{width}}  {s.title}  [{', '.join(s.tags)}]"
        if show_source and s.source != BUILTIN:
            line += f"  ({where(s.source)})"
        lines.append(line)
    return _lines(lines)


def where(source: str) -> str:
    """A snippet's source for people: `builtin`, or its file with `~` for the home folder."""
    if source == BUILTIN:
        return source
    home = os.path.expanduser("~")
    if home not in ("", "/", "~") and source.startswith(home + os.sep):
        return "~" + source[len(home) :]
    return source


def section_list(rows: Sequence[tuple[str, str, int]]) -> str:
    width = max((len(ident) for ident, _, _ in rows), default=0)
    return _lines(f"{ident:<{width}}  {title}  ({count})" for ident, title, count in rows)


def tag_counts(counts: dict[str, int]) -> str:
    width = max((len(tag) for tag in counts), default=0)
    return _lines(f"{tag:<{width}}  {count}" for tag, count in sorted(counts.items()))


def snippets(items: Sequence[Snippet], view: str, catalog: Catalog) -> str:
    if view == "code":  # byte for byte; several snippets are separated by a blank line
        return items[0].code if len(items) == 1 else "\n".join(_code(s) for s in items)
    return "\n".join(snippet(s, view, catalog) for s in items)


def snippet(s: Snippet, view: str, catalog: Catalog) -> str:
    """One snippet as markdown-like text; the code fence holds the code exactly."""
    parts = [f"## {s.title}  [{s.id}]"]
    if view == "compact":
        if s.summary:
            parts.append(s.summary)
        parts.append(f"```python\n{_code(s)}```")
        return _lines(parts)
    if s.summary:
        parts.append(s.summary)
    parts.append(" | ".join(meta(s, catalog, detailed=view == "detailed")))
    parts.append(f"```python\n{_code(s)}```")
    if view == "detailed" and s.output is not None:
        parts.append(f"Output:\n```\n{_block(s.output)}```")
    if s.notes:
        parts.append(f"Notes: {s.notes}")
    if view == "detailed":
        parts.extend(detail_lines(s))
    return _lines(parts, sep="\n\n")


def meta(s: Snippet, catalog: Catalog, detailed: bool) -> list[str]:
    """Short facts about a snippet: tags, Python minimum, and more in the detailed view."""
    facts = [f"tags: {', '.join(s.tags)}"]
    if s.python:
        facts.append(f"python >= {s.python}")
    if detailed:
        if s.section:
            title = catalog.sections[s.section].title if s.section in catalog.sections else ""
            facts.append(f"section: {s.section} ({title})" if title else f"section: {s.section}")
        if s.requires:
            facts.append(f"requires: {', '.join(s.requires)}")
        if not s.ordered:
            facts.append("output lines in any order")
        facts.append(f"timeout: {s.timeout:g}s")
        facts.append(f"source: {s.source}")
    return facts


def detail_lines(s: Snippet) -> list[str]:
    """API signatures and related snippets, for the detailed view."""
    extra = []
    if s.api:
        from asyncsnip.output.apidoc import signature

        extra.append("API:\n" + "\n".join(f"  {signature(name)}" for name in s.api))
    if s.see_also:
        extra.append(f"See also: {', '.join(s.see_also)}")
    return extra


def doctor(facts: Sequence[tuple[str, str]]) -> str:
    width = max(len(key) for key, _ in facts)
    return _lines(f"{key:<{width}}  {value}" for key, value in facts)


def _code(s: Snippet) -> str:
    return _block(s.code)


def _block(text: str) -> str:
    return text if text.endswith("\n") else text + "\n"


def _lines(parts: Iterable[str], sep: str = "\n") -> str:
    """The parts joined and ended with a newline; nothing at all when there are none."""
    items = list(parts)
    return sep.join(items) + "\n" if items else ""
