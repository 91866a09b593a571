"""Ranked search over the catalog: BM25F over the fields people search by, with the words
normalised and typos of one or two letters forgiven.

Every field is cut into words the same way for snippets and queries: `-`, `_`, `.`, spaces
and case do not matter, `camelCase`, `snake_case` and `kebab-case` names give their parts
and their joined form (`TaskGroup` gives `task`, `group` and `taskgroup`; a dot separates
names: `asyncio.gather` is `asyncio` and `gather`), and plural words count as singular. A
query word that no snippet has stands for the closest words some snippet has (one edit for
words up to 7 letters, two for longer ones; a swap of two letters is one edit), or words it
starts or that start it (`cancelling` finds `cancel`, `forgot` finds `forgotten`).

A snippet's words are kept as one string per field, `" w1  w2  w3 "`, so that counting a
word is one `str.count`; `loader` stores them in the cache, so a search of a large catalog
does not cut every snippet into words again.
"""

from __future__ import annotations

import bisect
import itertools
import math
import re
from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple, TypeGuard

from asyncsnip.catalog.model import Catalog
from asyncsnip.catalog.schema import Snippet

# (field, weight, length normalisation): a word in the id or a tag says more than one in code
FIELDS = (
    ("id", 5.0, 0.75),
    ("title", 3.0, 0.5),
    ("tags", 3.0, 0.3),
    ("api", 2.0, 0.5),
    ("summary", 1.5, 0.5),
    ("notes", 0.6, 0.75),
    ("code", 0.4, 0.75),
    ("section", 1.5, 0.3),  # filled in from the catalog's sections, not stored per snippet
)
K1 = 1.2
# a field counts a word at most this often: a tag listed once says all a tag can say
CAP = tuple(1 if name in ("id", "tags", "api", "section") else 1_000 for name, _, _ in FIELDS)
KIN = 0.5  # the weight of a word of the same stem as the query's
PHRASE = 0.5  # the weight of neighbouring query words found as one word
API_BONUS = 1.5  # the query names an API the snippet teaches
PRIOR = 0.2  # catalogs go from the basics to the special cases: earlier wins a close race
CUTOFF = 0.2  # of the best score: weaker matches are not shown
COMMON = 0.6  # a word in more than this share of the snippets tells them apart too little
LIMIT = 12
STOPWORDS = frozenset(
    {
        *("a", "an", "and", "are", "as", "at", "be", "by", "can", "do", "does", "for", "from"),
        *("get", "how", "i", "in", "into", "is", "it", "its", "me", "my", "of", "on", "one"),
        *("or", "out", "the", "their", "them", "then", "this", "to", "up", "use", "using"),
        *("way", "what", "when", "where", "which", "while", "with", "without", "you", "your"),
        *("python", "asyncio", "vs", "versus", "between", "difference", "example"),
    }
)
_COMPOUND = re.compile(r"[A-Za-z0-9]+(?:[_-]+[A-Za-z0-9]+)*")  # a dot separates names
_PART = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+")
_PLAIN = re.compile(r"[A-Za-z0-9]+")


def stem(word: str) -> str:
    """The singular of an English plural (tasks, queues, entries, classes, matches)."""
    if len(word) <= 3 or not word.endswith("s") or word.endswith(("ss", "us", "is")):
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("sses", "xes", "zes", "ches", "shes")):
        return word[:-2]
    return word[:-1]


def words_plain(text: str) -> list[str]:
    """The text's words as written, lowercase: what tags and section names compare by."""
    return [w.lower() for w in _PLAIN.findall(text)]


def words(text: str) -> list[str]:
    """The search words of a text: each part of every name, and each compound joined."""
    found: list[str] = []
    for compound in _COMPOUND.findall(text):
        parts = [p.lower() for chunk in re.split(r"[_-]+", compound) for p in _PART.findall(chunk)]
        found.extend(stem(part) for part in parts)
        if len(parts) > 1:
            found.append(stem("".join(parts)))
    return found


def _prose(text: str) -> list[str]:
    """The words of a sentence and, for phrases, each two neighbouring ones joined."""
    plain = [stem(w) for w in words_plain(text) if w not in STOPWORDS and len(w) > 2]
    return [*words(text), *(stem(a + b) for a, b in itertools.pairwise(plain))]


class Document(NamedTuple):
    """A snippet's words: one `" w1  w2 "` string per field (FIELDS order, but for the
    section's, which the corpus adds), and how many words each holds."""

    texts: tuple[str, ...]
    sizes: tuple[int, ...]


def _field(found: list[str]) -> str:
    return f" {'  '.join(found)} " if found else ""


def document(snippet: Snippet) -> Document:
    """The words of a snippet, but for its section's."""
    fields = [
        words(snippet.id),
        _prose(snippet.title),
        words(" ".join(snippet.tags)),
        words(" ".join(snippet.api)),
        _prose(snippet.summary),
        words(snippet.notes),
        words(snippet.code),
    ]
    return Document(tuple(map(_field, fields)), tuple(map(len, fields)))


def stored(snippets: Iterable[Snippet]) -> dict[str, Any]:
    """What the cache keeps of a file's documents, {id: (texts, sizes)}, and its words for
    typo correction."""
    documents: dict[str, tuple[Any, ...]] = {}
    vocabulary: set[str] = set()
    for snippet in snippets:
        doc = document(snippet)
        documents[snippet.id] = tuple(doc)
        vocabulary.update(w for text in doc.texts for w in text.split() if _correctable(w))
    return {"documents": documents, "vocabulary": frozenset(vocabulary)}


class Ranked(NamedTuple):
    snippets: list[Snippet]
    corrected: str | None  # the query as it was understood, when a word was corrected


class Corpus:
    """The documents of some snippets, with what BM25 needs to know about them. The words
    of a section are kept once per section, not once per snippet."""

    def __init__(
        self,
        snippets: Sequence[Snippet],
        documents: Sequence[Document],
        sections: dict[str, str] | None = None,
    ) -> None:
        self.snippets = list(snippets)
        self.documents = list(documents)
        self.section_words = {key: words(text) for key, text in (sections or {}).items()}
        self.sections = {key: _field(found) for key, found in self.section_words.items()}
        count = max(len(self.documents), 1)
        stored_fields = len(FIELDS) - 1
        totals = map(sum, zip(*(d.sizes for d in self.documents), strict=True))
        self.average = [max(total / count, 1.0) for total in totals] or [1.0] * stored_fields
        in_section = [len(self.section_words.get(s.section or "", ())) for s in self.snippets]
        self.average.append(max(sum(in_section) / count, 1.0))
        self._seen: dict[str, list[int]] = {}
        self._vocabulary: set[str] | frozenset[str] | None = None
        self._all: str | None = None  # every document's words, one line per document
        self._lines: list[str] = []  # those lines
        self._ends: list[int] = []  # where each document's line ends in `_all`

    def having(self, word: str) -> list[int]:
        """The positions of the documents that have the word (their section's included)."""
        if word not in self._seen:
            needle = f" {word} "
            found = self._containing(needle)
            areas = {key for key, text in self.sections.items() if needle in text}
            if areas:
                found.extend(i for i, s in enumerate(self.snippets) if s.section in areas)
                found = sorted(set(found))
            self._seen[word] = found
        return self._seen[word]

    def _containing(self, needle: str) -> list[int]:
        """The documents whose own words include `needle`: found with `str.find` in all of
        them at once, skipping to the next document after each one found (most words are
        in few of 10,000 snippets); a word found often is looked for document by document
        from there on (`asyncio` is in nearly all)."""
        if self._all is None:
            self._lines = ["".join(d.texts) + "\n" for d in self.documents]
            self._all = "".join(self._lines)
            self._ends = list(itertools.accumulate(map(len, self._lines)))
        found: list[int] = []
        at = self._all.find(needle)
        while at >= 0:
            if len(found) == OFTEN:
                rest = range(found[-1] + 1, len(self._lines))
                return found + [i for i in rest if needle in self._lines[i]]
            position = bisect.bisect_right(self._ends, at)
            found.append(position)
            at = self._all.find(needle, self._ends[position])
        return found

    @property
    def vocabulary(self) -> set[str] | frozenset[str]:
        """Every word of the documents (a superset, when it was read from the cache)."""
        if self._vocabulary is None:
            texts = (text for d in self.documents for text in d.texts)
            found = {w for text in texts for w in text.split() if _correctable(w)}
            found.update(w for area in self.section_words.values() for w in area)
            self._vocabulary = found
        return self._vocabulary

    def known(self, word: str) -> bool:
        return bool(self.having(word))

    def idf(self, word: str) -> float:
        n, df = len(self.documents), len(self.having(word))
        return math.log(1 + (n - df + 0.5) / (df + 0.5))

    def score(self, position: int, word: str) -> float:
        """BM25F: the word's weighted, length-normalised frequency over the fields."""
        doc = self.documents[position]
        needle = f" {word} "
        area = self.snippets[position].section or ""
        section = self.sections.get(area, "")
        if needle not in section and not any(needle in text for text in doc.texts):
            return 0.0
        texts = (*doc.texts, section)
        sizes = (*doc.sizes, len(self.section_words.get(area, ())))
        tf = 0.0
        for i, (_, weight, b) in enumerate(FIELDS):
            hits = min(texts[i].count(needle), CAP[i])
            if hits:
                tf += weight * hits / (1 - b + b * sizes[i] / self.average[i])
        return tf / (K1 + tf)


# What one query word stands for: groups of catalog words (a group is met when a snippet has
# all of them), each with a weight
Term = list[tuple[tuple[str, ...], float]]


def rank(corpus: Corpus, query: str, limit: int | None = LIMIT) -> Ranked:
    """The snippets that match the query, best first (ties in catalog order); with a
    `limit`, at most that many, and none far weaker than the best."""
    terms, corrected = understand(query, corpus)
    terms = _telling(terms, corpus)
    if not terms:
        return Ranked([], None)
    phrases = _phrases(terms, corpus)
    names = _api_names(query)
    candidates = sorted(
        {i for term in terms for word in _words_of(term) for i in corpus.having(word)}
    )
    count = len(corpus.documents)
    scored = []
    rarity = [max(corpus.idf(w) for w in _words_of(term)) for term in terms]
    for position in candidates:
        total, matched = 0.0, 0.0
        for term, weight in zip(terms, rarity, strict=True):
            best = max(factor * _weight(corpus, position, group) for group, factor in term)
            if best > 0:
                total, matched = total + best, matched + weight
        total += PHRASE * sum(_weight(corpus, position, (p,)) for p in phrases)
        # a snippet that lacks a query word ranks lower, the more so the rarer the word
        total *= (matched / sum(rarity)) ** 1.5 * (1 + PRIOR * (1 - position / count))
        if names and _teaches(corpus.snippets[position], names):
            total *= API_BONUS
        scored.append((-total, position))
    scored.sort()
    if not scored:
        return Ranked([], corrected)
    if limit is None:
        return Ranked([corpus.snippets[p] for _, p in scored], corrected)
    floor = CUTOFF * -scored[0][0]
    return Ranked([corpus.snippets[p] for s, p in scored if -s >= floor][:limit], corrected)


def _weight(corpus: Corpus, position: int, group: tuple[str, ...]) -> float:
    """How much a document has these words: all of them or nothing (the mean of each one's
    BM25 score times its rarity)."""
    scores = [corpus.score(position, word) * corpus.idf(word) for word in group]
    return sum(scores) / len(scores) if all(scores) else 0.0


def _words_of(term: Term) -> list[str]:
    return [word for group, _ in term for word in group]


def _telling(terms: list[Term], corpus: Corpus) -> list[Term]:
    """Leave out words most snippets have (`run` in a catalog of `asyncio.run` programs),
    unless nothing else is left."""
    share = max(len(corpus.documents), 1)
    kept = [t for t in terms if len(corpus.having(t[0][0][0])) / share <= COMMON]
    return kept or terms


def understand(query: str, corpus: Corpus) -> tuple[list[Term], str | None]:
    """The query's terms, each with the catalog words it may mean; and the corrected query
    when some word was understood as another one. A name of several parts (`to_thread`,
    `TaskGroup`, `rate-limit`) is one term, met by its joined form or by all its parts."""
    terms: list[Term] = []
    shown: list[str] = []
    changed = False
    for joined, parts in _query_names(query):
        if len(parts) > 1:
            alternatives: Term = [((joined,), 1.0)] if corpus.known(joined) else []
            if all(corpus.known(p) for p in parts):
                alternatives.append((tuple(parts), 0.9))
            if alternatives:
                terms.append(alternatives)
                shown.append(joined if corpus.known(joined) else " ".join(parts))
                continue
        for word in parts:
            if corpus.known(word):
                terms.append([((word,), 1.0), *(((w,), KIN) for w in _kin(word, corpus))])
                shown.append(word)
                continue
            close = _close(word, corpus)
            if close:
                terms.append([((w,), weight) for w, weight in close])
                shown.append(close[0][0])
                changed = True
    return terms, (" ".join(shown) if changed and shown else None)


def _query_names(query: str) -> list[tuple[str, list[str]]]:
    """Each name of the query: its joined form and its parts, singular, without the words
    that say nothing (`the`, `how`, `asyncio`) unless nothing else is left."""
    found: list[tuple[str, list[str]]] = []
    for compound in _COMPOUND.findall(query):
        parts = [stem(p.lower()) for c in re.split(r"[_-]+", compound) for p in _PART.findall(c)]
        meaningful = [p for p in parts if p not in STOPWORDS]
        found.append((stem("".join(words_plain(compound))), meaningful))
    useful = [(joined, parts) for joined, parts in found if parts]
    if not useful:  # only stopwords: take them as they are
        return [(j, [stem(w) for w in words_plain(j)] or [j]) for j, _ in found][:8]
    return list({joined: (joined, parts) for joined, parts in useful}.values())


def _close(word: str, corpus: Corpus) -> list[tuple[str, float]]:
    """The catalog words a word that no snippet has most likely means: those one or two
    edits away, those it starts or that start it, and those of its stem with another English
    ending (an inflection: cancelling, forgot, throttle for throttling)."""
    if len(word) < 4 or not _correctable(word):
        return []
    limit = 1 if len(word) <= 7 else 2
    found: dict[str, float] = {}
    for candidate in corpus.vocabulary:
        if len(candidate) < 4:
            continue
        if abs(len(candidate) - len(word)) <= limit:
            distance = edits(word, candidate, limit)
            if distance <= limit:
                found[candidate] = max(found.get(candidate, 0.0), 0.9 - 0.15 * distance)
        shorter, longer = sorted((word, candidate), key=len)
        prefix = longer.startswith(shorter) and len(shorter) >= 0.6 * len(longer)
        if prefix or (candidate[:5] == word[:5] and _same_stem(word, candidate)):
            found[candidate] = max(found.get(candidate, 0.0), 0.7)
    known = [(w, weight) for w, weight in found.items() if corpus.known(w)]
    ordered = sorted(known, key=lambda i: (-i[1], -len(corpus.having(i[0])), i[0]))
    if not ordered:
        return []
    return [(w, weight) for w, weight in ordered[:3] if weight >= ordered[0][1] - 0.1]


def _kin(word: str, corpus: Corpus) -> list[str]:
    """Catalog words of the same stem (`concurrent` and `concurrency`, `limit` and `limiter`,
    `cancel` and `cancellation`): the same first five letters or more, then two endings of
    English words."""
    if len(word) < 5 or not _correctable(word):
        return []
    found = [
        candidate
        for candidate in corpus.vocabulary
        if candidate != word and candidate[:5] == word[:5] and _same_stem(word, candidate)
    ]
    return sorted(found, key=lambda w: -len(corpus.having(w)))[:3]


SUFFIXES = frozenset(
    ("", "e", "s", "es", "ed", "d", "ing", "er", "ers", "or", "ion", "ation", "ent", "ence",
     "ency", "ly", "led", "ling", "lation", "ment", "able", "ive", "ity", "y", "ies")
)  # fmt: skip


def _same_stem(a: str, b: str) -> bool:
    """Do `a` and `b` differ only in their English endings (from SUFFIXES)?"""
    for cut in range(min(len(a), len(b)), 4, -1):
        if a[:cut] == b[:cut] and a[cut:] in SUFFIXES and b[cut:] in SUFFIXES:
            return True
    return False


def _correctable(word: str) -> bool:
    """Can a query word be corrected to this one? Not to numbers or names with digits."""
    return not any(char.isdigit() for char in word)


def edits(a: str, b: str, limit: int) -> int:
    """Optimal string alignment distance (a swap of neighbours is one edit), or limit + 1
    as soon as it must exceed `limit`."""
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = a[i - 1] != b[j - 1]
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


def _phrases(terms: list[Term], corpus: Corpus) -> list[str]:
    """Neighbouring query words that some snippet has as one word (`rate limit` and
    `rate-limit`): a match of those counts as well."""
    firsts = ["".join(term[0][0]) for term in terms]
    joined = (stem(a + b) for a, b in itertools.pairwise(firsts))
    return [word for word in joined if corpus.known(word)]


def _api_names(query: str) -> set[str]:
    """The names in the query written as code (`asyncio.Event`, `wait_for`, `TaskGroup`)."""
    found = set()
    for name in re.findall(r"[A-Za-z_][A-Za-z0-9_.]*", query):
        if "." in name or "_" in name or not name.islower():
            found.add(name.lower().removeprefix("asyncio."))
    return found


def _teaches(snippet: Snippet, names: set[str]) -> bool:
    """Does the snippet teach one of these APIs (by full name, or by its last part)?"""
    for api in snippet.api:
        lowered = api.lower().removeprefix("asyncio.")
        if lowered in names or lowered.rsplit(".", 1)[-1] in names:
            return True
    return False


def corpus_of(catalog: Catalog, snippets: Iterable[Snippet] | None = None) -> Corpus:
    """The documents of these snippets (default: all), from the cache where it has them."""
    chosen = list(catalog.snippets.values() if snippets is None else snippets)
    kept, vocabulary = _stored(catalog) if len(chosen) > SMALL else ({}, None)
    docs = []
    for snippet in chosen:
        found = kept.get(snippet.id)
        docs.append(document(snippet) if found is None or found[0] != snippet.source else found[1])
    titles = {key: f"{key} {section.title}" for key, section in catalog.sections.items()}
    corpus = Corpus(chosen, docs, titles)
    if vocabulary is not None:
        corpus._vocabulary = vocabulary.union(*corpus.section_words.values())
    return corpus


OFTEN = 200  # found in this many documents, a word is looked for in each in turn
SMALL = 40  # fewer snippets than this are cut into words at once rather than read back
Kept = dict[str, tuple[str, Document]]


def _stored(catalog: Catalog) -> tuple[Kept, set[str] | None]:
    """id -> (source, document) for every file the catalog was loaded from, and all their
    words: from the cache, or cut into words now for a file the cache does not hold."""
    from asyncsnip.catalog import cache

    found: Kept = {}
    vocabulary: set[str] = set()
    for label, path, stat in catalog.files:
        entry = cache.get(path, stat, "search") if stat is not None else None
        if not _sound(entry):
            entry = stored(s for s in catalog.snippets.values() if s.source == label)
        for ident, doc in entry["documents"].items():
            found[ident] = (label, Document._make(doc))
        vocabulary |= entry["vocabulary"]
    return found, vocabulary


def _sound(entry: Any) -> TypeGuard[dict[str, Any]]:
    """Is this, read from the (untrusted) cache, what `stored` makes? Its shape and types,
    checked in bulk; a crafted entry of the right shape can only change the ranking."""
    if type(entry) is not dict or entry.keys() != {"documents", "vocabulary"}:
        return False
    documents, vocabulary = entry["documents"], entry["vocabulary"]
    if type(documents) is not dict or type(vocabulary) is not frozenset:
        return False
    docs = list(documents.values())
    if {*map(type, docs)} - {tuple} or {*map(len, docs)} - {2}:
        return False
    parts = [part for doc in docs for part in doc]
    if {*map(type, parts)} - {tuple} or {*map(len, parts)} - {len(FIELDS) - 1}:
        return False
    chain = itertools.chain.from_iterable
    texts, sizes = chain(parts[0::2]), chain(parts[1::2])
    return not (
        {*map(type, texts)} - {str}
        or {*map(type, sizes)} - {int}
        or {*map(type, documents)} - {str}
        or {*map(type, vocabulary)} - {str}
    )
