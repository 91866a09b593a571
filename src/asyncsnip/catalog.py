"""Snippets and sections, and the layered catalog built from every source."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any, NamedTuple

from asyncsnip import cache
from asyncsnip.errors import CatalogError
from asyncsnip.paths import BUILTIN, catalog_paths

DEFAULT_TIMEOUT = 10.0


class Section(NamedTuple):
    id: str
    title: str
    summary: str = ""


class Snippet(NamedTuple):
    """One catalog entry (a named tuple: cheap to define, which start-up time notices)."""

    id: str
    title: str
    tags: tuple[str, ...]
    code: str
    section: str | None = None
    summary: str = ""
    python: str | None = None
    output: str | None = None
    ordered: bool = True
    notes: str = ""
    timeout: float = DEFAULT_TIMEOUT
    requires: tuple[str, ...] = ()
    api: tuple[str, ...] = ()
    see_also: tuple[str, ...] = ()
    source: str = BUILTIN

    @classmethod
    def from_table(cls, table: dict[str, Any], source: str) -> Snippet:
        values = dict(table, source=source)
        for name in ("tags", "requires", "api", "see_also"):
            if name in values:
                values[name] = tuple(values[name])
        if "timeout" in values:
            values["timeout"] = float(values["timeout"])
        return cls(**values)

    def to_dict(self) -> dict[str, Any]:
        data = self._asdict()
        for name in ("tags", "requires", "api", "see_also"):
            data[name] = list(data[name])
        return data


class Source(NamedTuple):
    """One catalog file that was loaded, for `doctor`."""

    label: str
    path: Path | None
    snippet_count: int


class Catalog:
    def __init__(
        self,
        sections: dict[str, Section] | None = None,
        snippets: dict[str, Snippet] | None = None,
        sources: list[Source] | None = None,
    ) -> None:
        self.sections = sections if sections is not None else {}
        self.snippets = snippets if snippets is not None else {}
        self.sources = sources if sources is not None else []

    def tags(self) -> dict[str, int]:
        """Every tag with its snippet count, in order of first appearance."""
        counts: dict[str, int] = {}
        for snippet in self.snippets.values():
            for tag in snippet.tags:
                counts[tag] = counts.get(tag, 0) + 1
        return counts


def load(builtin: bool = True, extra: Iterable[Path] = ()) -> Catalog:
    """Layer every source; later ones replace snippets and sections with the same id."""
    catalog = Catalog()
    problems: list[str] = []
    unresolved: list[tuple[Snippet, str]] = []
    for label, name, required in catalog_paths(builtin, extra):
        path = Path(name)
        if not required and not path.exists():
            continue
        sections, snippets, lines_of = _parse_file(path, problems)
        for table in sections:
            catalog.sections[table["id"]] = Section(**table)
        for table, lines in zip(snippets, lines_of, strict=True):
            snippet = Snippet.from_table(table, label)
            catalog.snippets[snippet.id] = snippet
            where = f"{path}:{lines.get('section', lines.get('', 0))}"
            unresolved.append((snippet, where))
        catalog.sources.append(Source(label, path, len(snippets)))
    for snippet, where in unresolved:
        if snippet.section and snippet.section not in catalog.sections:
            problems.append(
                f"{where}: snippet '{snippet.id}', field 'section': "
                f"no loaded catalog defines section '{snippet.section}'"
            )
    if problems:
        raise CatalogError(problems)
    return catalog


Tables = list[dict[str, Any]]


def _slim(sections: Tables, snippets: Tables) -> tuple[list[Any], list[Any]]:
    """What completion needs of one file, small enough to load on every TAB press."""
    return (
        [(t["id"], t["title"]) for t in sections],
        [(t["id"], t["title"], t["tags"], t.get("section")) for t in snippets],
    )


def _parse_file(path: Path, problems: list[str]) -> tuple[Tables, Tables, list[dict[str, int]]]:
    """The valid tables of one file (from the cache when it is current); problems appended."""
    try:
        stat = path.stat()
    except OSError:
        stat = None
    if stat is not None and (cached := cache.get(path, stat)) is not None:
        return cached  # type: ignore[no-any-return]
    from asyncsnip.validate import parse, read_text

    text, reason = read_text(path)
    if text is None:
        problems.append(reason or str(path))
        return [], [], []
    parsed = parse(text, path)
    problems.extend(parsed.problems)
    if stat is not None and not parsed.problems:
        tables = (parsed.sections, parsed.snippets, parsed.snippet_lines)
        cache.put(path, stat, {"tables": tables, "index": _slim(parsed.sections, parsed.snippets)})
    return parsed.sections, parsed.snippets, parsed.snippet_lines
