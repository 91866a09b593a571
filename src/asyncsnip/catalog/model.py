"""The layered catalog: the sections and snippets of every loaded file, later files winning."""

from __future__ import annotations

import os
from typing import NamedTuple

from asyncsnip.catalog.schema import Section, Snippet


class Source(NamedTuple):
    """One catalog file that was loaded, for `doctor`."""

    label: str
    path: str | None
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
        # (label, path, stat) of each file read, for what the cache keeps about it
        self.files: list[tuple[str, str, os.stat_result | None]] = []
        # (path, problems) of each file left out because it is invalid
        self.skipped: list[tuple[str, list[str]]] = []

    def tags(self) -> dict[str, int]:
        """Every tag with its snippet count, in order of first appearance."""
        counts: dict[str, int] = {}
        for snippet in self.snippets.values():
            for tag in snippet.tags:
                counts[tag] = counts.get(tag, 0) + 1
        return counts
