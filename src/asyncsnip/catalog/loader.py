"""Loading the catalog: every source file parsed (or read from the cache) and layered."""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import Any

from asyncsnip.catalog import cache
from asyncsnip.catalog.index import slim
from asyncsnip.catalog.model import Catalog, Source
from asyncsnip.catalog.paths import catalog_paths, present
from asyncsnip.catalog.schema import Section, Snippet
from asyncsnip.errors import CatalogError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from asyncsnip.catalog.paths import StrPath

Tables = list[dict[str, Any]]


def load(builtin: bool = True, extra: Iterable[StrPath] = ()) -> Catalog:
    """Layer every source; later ones replace snippets and sections with the same id."""
    catalog = Catalog()
    problems: list[str] = []
    unresolved: list[tuple[Snippet, str]] = []
    for label, path, required in catalog_paths(builtin, extra):
        if not required and not present(path):
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


def _parse_file(path: str, problems: list[str]) -> tuple[Tables, Tables, list[dict[str, int]]]:
    """The valid tables of one file (from the cache when it is current); problems appended."""
    try:
        stat = os.stat(path)
    except OSError:
        stat = None
    from asyncsnip.catalog.fileformat import cached_tables, parse, read_text

    if stat is not None and (cached := cached_tables(cache.get(path, stat))) is not None:
        return cached  # the cache is untrusted: only exactly valid tables are taken

    text, reason = read_text(path)
    if text is None:
        problems.append(reason or path)
        return [], [], []
    parsed = parse(text, path)
    problems.extend(parsed.problems)
    if stat is not None and not parsed.problems:
        tables = (parsed.sections, parsed.snippets, parsed.snippet_lines)
        cache.put(path, stat, {"tables": tables, "index": slim(parsed.sections, parsed.snippets)})
    return parsed.sections, parsed.snippets, parsed.snippet_lines
