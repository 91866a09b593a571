"""Choosing snippets: filters for list/check/export, `show`'s lookup, did-you-mean.

Tags, section ids and section titles are matched with `-`, `_`, `.`, spaces, case and a
plural `s` not mattering (`Rate Limit` is the tag `rate-limit`, `queues` the tag `queue`).
A filter naming something no loaded catalog has is an error with suggestions, never an empty
answer.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from typing import NamedTuple

from asyncsnip.catalog import search
from asyncsnip.catalog.model import Catalog
from asyncsnip.catalog.rules import SLUG
from asyncsnip.catalog.schema import Snippet
from asyncsnip.errors import EmptyQuery, NotFoundError, UnknownName


def key(text: str) -> str:
    """What a tag, section or id is compared by: its words, singular, joined by `-`."""
    words = text.split("-") if SLUG.fullmatch(text) else search.words_plain(text)
    return "-".join(search.stem(w) for w in words)


class Found(NamedTuple):
    snippets: list[Snippet]
    corrected: str | None = None  # the query as understood, when a word was corrected


def select(
    catalog: Catalog,
    tags: Sequence[str] = (),
    section: str | None = None,
    text: str | None = None,
) -> list[Snippet]:
    """Snippets having every tag and in the section: catalog order; with `text`, what
    `show TEXT` shows among them, in the same order."""
    wanted = [resolve_tag(catalog, tag) for tag in tags]
    area = resolve_section(catalog, section) if section is not None else None
    chosen = [
        s
        for s in catalog.snippets.values()
        if all(tag in s.tags for tag in wanted) and (area is None or s.section == area)
    ]
    if text is None:
        return chosen
    return find(catalog, text, chosen).snippets


def resolve_tag(catalog: Catalog, tag: str) -> str:
    """The catalog's spelling of a tag, or UnknownName with the close ones."""
    known = {key(t): t for t in catalog.tags()}
    found = known.get(key(tag))
    if found is None:
        raise UnknownName("tag", tag, suggest(tag, list(catalog.tags())))
    return found


def resolve_section(catalog: Catalog, section: str) -> str:
    """The id of the section named by its id or its title, or UnknownName."""
    found = _section_id(catalog, section)
    if found is None:
        names = [*catalog.sections, *(s.title for s in catalog.sections.values())]
        raise UnknownName("section", section, suggest(section, names))
    return found


def _section_id(catalog: Catalog, name: str) -> str | None:
    wanted = key(name)
    for ident, section in catalog.sections.items():
        if wanted in (key(ident), key(section.title)):
            return ident
    return None


def find(catalog: Catalog, query: str, within: Sequence[Snippet] | None = None) -> Found:
    """`show QUERY` (among `within`, default all): an exact id shows that snippet alone; an
    exact tag or section its snippets, ranked; anything else the ranked search. Nothing
    close: NotFoundError."""
    text = _nonempty(query)
    pool = {s.id: s for s in (catalog.snippets.values() if within is None else within)}
    exact = pool.get(text) or pool.get("-".join(search.words_plain(text)))
    if exact is not None:
        return Found([exact])
    members = _members(catalog, text, pool.values())
    if members.snippets:
        return Found(_ranked_members(catalog, members))
    ranked = search.rank(search.corpus_of(catalog, pool.values()), text)
    if ranked.snippets:
        return Found(ranked.snippets, ranked.corrected)
    raise NotFoundError(query, suggest(query, vocabulary(catalog)))


def _nonempty(text: str) -> str:
    if not text.strip():
        raise EmptyQuery()
    return text.strip()


class Members(NamedTuple):
    """What an exact tag or section names: its snippets, the tag's own spelling (what the
    others are ranked by), and the section's id."""

    snippets: list[Snippet]
    name: str
    area: str | None


def _members(catalog: Catalog, text: str, pool: Iterable[Snippet]) -> Members:
    wanted = sorted(key(text).split("-"))  # words in any order
    tags = {t for t in catalog.tags() if sorted(key(t).split("-")) == wanted}
    area = _section_id(catalog, text)
    found = [s for s in pool if tags & set(s.tags) or (area is not None and s.section == area)]
    name = min(tags) if tags else catalog.sections[area].title if area else text
    return Members(found, name, area)


def _ranked_members(catalog: Catalog, members: Members) -> list[Snippet]:
    """All the members: first those whose id starts with the tag's name (`gather-results`
    for `gather`) and the section's own snippets, in the catalog's order, which goes from
    the basic to the special; then the others, those the name describes best first."""
    stem = key(members.name)
    lead = [
        s
        for s in members.snippets
        if key(s.id).startswith(stem) or (members.area is not None and s.section == members.area)
    ]
    rest = [s for s in members.snippets if s not in lead]
    if not rest:
        return lead
    best = search.rank(search.corpus_of(catalog, rest), members.name, limit=None).snippets
    ranked = {s.id for s in best}
    return [*lead, *best, *(s for s in rest if s.id not in ranked)]


def get(catalog: Catalog, ident: str) -> Snippet:
    """The snippet with this exact id, or a usage error with suggestions."""
    try:
        return catalog.snippets[ident]
    except KeyError:
        raise UnknownName("snippet id", ident, suggest(ident, list(catalog.snippets))) from None


def vocabulary(catalog: Catalog) -> list[str]:
    """Every id, tag and section id, once each."""
    names = dict.fromkeys(catalog.snippets)
    for snippet in catalog.snippets.values():
        names.update(dict.fromkeys(snippet.tags))
    names.update(dict.fromkeys(catalog.sections))
    return list(names)


def suggest(word: str, candidates: Sequence[str], limit: int = 5) -> list[str]:
    lowered: dict[str, str] = {}
    for candidate in candidates:  # the first spelling of a name wins (an id before a title)
        lowered.setdefault(candidate.casefold(), candidate)
    close = difflib.get_close_matches(word.casefold(), list(lowered), n=limit, cutoff=0.6)
    prefixed = [c for c in lowered if c.startswith(word.casefold()) and c not in close]
    return [lowered[c] for c in (close + prefixed)[:limit]]
