"""Loading the catalog: every source file parsed (or read from the cache) and layered."""

from __future__ import annotations

import operator
import os
from collections.abc import Iterable
from itertools import repeat
from typing import Any, NamedTuple

from asyncsnip.catalog import cache
from asyncsnip.catalog.index import slim
from asyncsnip.catalog.model import Catalog, Source
from asyncsnip.catalog.paths import BUILTIN, catalog_paths, present
from asyncsnip.catalog.rules import cached_rows
from asyncsnip.catalog.schema import Section, Snippet
from asyncsnip.errors import CatalogError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from asyncsnip.catalog.fileformat import ParsedFile
    from asyncsnip.catalog.paths import StrPath

Tables = list[dict[str, Any]]


class File(NamedTuple):
    """One catalog file as parsed: its tables, and what is wrong with it."""

    label: str
    path: str
    strict: bool  # the built-in catalog and --catalog files: a problem is an error
    sections: Tables
    snippets: list[Snippet]
    lines: list[int]  # each snippet's line of its section (or of its table), for messages
    stat: os.stat_result | None
    problems: list[str]


def load(builtin: bool = True, extra: Iterable[StrPath] = ()) -> Catalog:
    """Layer every source; later ones replace snippets and sections with the same id.

    A problem in the built-in catalog or a `--catalog` file is a CatalogError. Any other
    file (the user catalog, one named in $ASYNCSNIP_CATALOG or the config) with a problem is
    left out whole, and named in `catalog.skipped` with its problems."""
    files = _read_all(builtin, list(extra))
    catalog = Catalog()
    errors = [problem for f in files if f.strict for problem in f.problems]
    for file in files:
        if file.problems and not file.strict:
            catalog.skipped.append((file.path, file.problems))
            continue
        _layer(catalog, file)
    if errors:
        raise CatalogError(errors)
    return catalog


def _read_all(builtin: bool, extra: list[StrPath]) -> list[File]:
    """Every source file parsed; a file naming a section that no good file defines has that
    problem too (the last files given on the command line are the strict ones)."""
    paths = catalog_paths(builtin, extra)
    strict_from = len(paths) - len(extra)
    files = []
    for index, (label, path, required) in enumerate(paths):
        if not required and not present(path):
            continue
        problems: list[str] = []
        parsed = _parse_file(path, label, problems)
        strict = label == BUILTIN or index >= strict_from
        files.append(File(label, path, strict, *parsed, problems))
    while True:  # leaving out a file may leave another one's sections undefined
        defined = {t["id"] for f in files if not f.problems or f.strict for t in f.sections}
        changed = False
        for file in files:
            if file.problems and not file.strict:
                continue
            missing = _undefined_sections(file, defined)
            if missing:
                file.problems.extend(missing)
                changed = not file.strict
        if not changed:
            return files


def _undefined_sections(file: File, defined: set[str]) -> list[str]:
    found = []
    for snippet, line in zip(file.snippets, file.lines, strict=True):
        section = snippet.section
        if section and section not in defined:
            found.append(
                f"{file.path}:{line}: snippet '{snippet.id}', field 'section': "
                f"no loaded catalog defines section '{section}'"
            )
    return found


def _layer(catalog: Catalog, file: File) -> None:
    for table in file.sections:
        catalog.sections[table["id"]] = Section(**table)
    for snippet in file.snippets:
        catalog.snippets[snippet.id] = snippet
    catalog.sources.append(Source(file.label, file.path, len(file.snippets)))
    catalog.files.append((file.label, file.path, file.stat))


Parsed = tuple[Tables, list[Snippet], list[int], os.stat_result | None]


def _parse_file(path: str, label: str, problems: list[str]) -> Parsed:
    """The valid sections and snippets of one file (from the cache when it is current), each
    snippet's section line, and the file's stat; problems appended."""
    try:
        stat = os.stat(path)
    except OSError:
        stat = None
    if stat is not None and (cached := cached_rows(cache.get(path, stat))) is not None:
        sections, rows, lines = cached  # the cache is untrusted: only exactly valid rows
        values = map(operator.add, rows, repeat((label,)))  # and the source
        return (
            sections,
            list(map(Snippet._make, values)),
            lines,
            stat,
        )
    from asyncsnip.catalog.fileformat import parse, read_text

    text, reason = read_text(path)
    if text is None:
        problems.append(reason or path)
        return [], [], [], stat
    parsed = parse(text, path)
    problems.extend(parsed.problems)
    snippets = [Snippet.from_table(table, label) for table in parsed.snippets]
    if stat is not None and not parsed.problems:
        cache.put(path, stat, lambda: derived(parsed, snippets))
    return parsed.sections, snippets, section_lines(parsed), stat


def section_lines(parsed: ParsedFile) -> list[int]:
    return [lines.get("section", lines.get("", 0)) for lines in parsed.snippet_lines]


def derived(parsed: ParsedFile, snippets: list[Snippet] | None = None) -> dict[str, Any]:
    """What the cache keeps of a parsed file: its sections, its snippets as rows (their
    field values in SNIPPET_FIELDS order, which is the model's, but for the source), the
    slim index completion reads and each snippet's search words."""
    from asyncsnip.catalog.search import stored

    if snippets is None:
        snippets = [Snippet.from_table(table, "") for table in parsed.snippets]
    rows = [snippet[:-1] for snippet in snippets]
    return {
        "tables": (parsed.sections, rows, section_lines(parsed)),
        "index": slim(parsed.sections, parsed.snippets),
        "search": stored(snippets),
    }
