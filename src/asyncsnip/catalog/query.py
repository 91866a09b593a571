"""Choosing snippets: filters for list/check/export, lookup for show, did-you-mean."""

from __future__ import annotations

import difflib
from collections.abc import Sequence

from asyncsnip.catalog.model import Catalog
from asyncsnip.catalog.schema import Snippet
from asyncsnip.errors import NotFoundError, UnknownName


def select(
    catalog: Catalog,
    tags: Sequence[str] = (),
    section: str | None = None,
    search: str | None = None,
) -> list[Snippet]:
    """Snippets having every tag, in the section, matching the text; catalog order."""
    if section is not None and section not in catalog.sections:
        raise UnknownName("section", section, suggest(section, list(catalog.sections)))
    chosen = []
    for snippet in catalog.snippets.values():
        if not all(tag in snippet.tags for tag in tags):
            continue
        if section is not None and snippet.section != section:
            continue
        if search and not matches_text(snippet, search):
            continue
        chosen.append(snippet)
    return chosen


def matches_text(snippet: Snippet, text: str) -> bool:
    needle = text.casefold()
    haystack = (snippet.id, snippet.title, snippet.summary, *snippet.tags)
    return any(needle in field.casefold() for field in haystack)


def find(catalog: Catalog, query: str) -> list[Snippet]:
    """`show QUERY`: exact tag, id or section matches, else a text search, else an error."""
    exact = [
        snippet
        for snippet in catalog.snippets.values()
        if query in (snippet.id, snippet.section) or query in snippet.tags
    ]
    if exact:
        return exact
    found = [snippet for snippet in catalog.snippets.values() if matches_text(snippet, query)]
    if found:
        return found
    raise NotFoundError(query, suggest(query, vocabulary(catalog)))


def get(catalog: Catalog, ident: str) -> Snippet:
    """The snippet with this exact id, or a usage error with suggestions."""
    try:
        return catalog.snippets[ident]
    except KeyError:
        raise UnknownName("snippet id", ident, suggest(ident, list(catalog.snippets))) from None


def vocabulary(catalog: Catalog) -> list[str]:
    """Every id, tag and section id, once each."""
    words = dict.fromkeys(catalog.snippets)
    for snippet in catalog.snippets.values():
        words.update(dict.fromkeys(snippet.tags))
    words.update(dict.fromkeys(catalog.sections))
    return list(words)


def suggest(word: str, candidates: Sequence[str], limit: int = 5) -> list[str]:
    close = difflib.get_close_matches(word, candidates, n=limit, cutoff=0.6)
    prefixed = [c for c in candidates if c.startswith(word) and c not in close]
    return (close + prefixed)[:limit]
