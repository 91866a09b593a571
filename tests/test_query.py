"""Choosing snippets: exact matches for `show`, text search, did-you-mean, and list filters."""

from __future__ import annotations

from pathlib import Path

import pytest

from asyncsnip.catalog.loader import load
from asyncsnip.catalog.model import Catalog
from asyncsnip.catalog.query import find, get, select, suggest
from asyncsnip.cli.hints import hint_for
from asyncsnip.errors import ExitCode, NotFoundError, UsageError

CATALOG = """
version = 1

[[sections]]
id = "alpha"
title = "Alpha"

[[sections]]
id = "beta"
title = "Beta"

[[snippets]]
id = "first"
title = "First snippet"
section = "alpha"
summary = "Mentions a Lock in passing."
tags = ["shared", "x"]
code = "pass"

[[snippets]]
id = "shared"
title = "Second snippet"
section = "beta"
tags = ["y"]
notes = "Only the notes say zebra."
code = "pass"

[[snippets]]
id = "third"
title = "Third, about QUEUES"
section = "beta"
tags = ["shared", "z"]
code = "pass"

[[snippets]]
id = "fourth"
title = "Fourth snippet"
tags = ["alpha"]
code = "pass"
"""


@pytest.fixture
def catalog(tmp_path: Path) -> Catalog:
    path = tmp_path / "q.toml"
    path.write_text(CATALOG, encoding="utf-8")
    return load(builtin=False, extra=[path])


def ids(snippets: list) -> list[str]:
    return [s.id for s in snippets]


def test_find_exact_tag_and_id_in_catalog_order(catalog: Catalog) -> None:
    """A word that is a tag of two snippets and the id of a third gives all three, in order."""
    assert ids(find(catalog, "shared")) == ["first", "shared", "third"]


def test_find_exact_section_and_tag(catalog: Catalog) -> None:
    """A section id matches its snippets; the same word as a tag adds that snippet."""
    assert ids(find(catalog, "alpha")) == ["first", "fourth"]
    assert ids(find(catalog, "beta")) == ["shared", "third"]


def test_find_exact_id(catalog: Catalog) -> None:
    """An id that is nothing else gives exactly that snippet."""
    assert ids(find(catalog, "fourth")) == ["fourth"]


def test_exact_match_wins_over_search(catalog: Catalog) -> None:
    """'x' is a tag of one snippet; the other snippets containing an x are not added."""
    assert ids(find(catalog, "x")) == ["first"]


def test_find_falls_back_to_case_insensitive_search(catalog: Catalog) -> None:
    """Without an exact match, ids, titles, summaries and tags are searched ignoring case."""
    assert ids(find(catalog, "queue")) == ["third"]
    assert ids(find(catalog, "LOCK")) == ["first"]
    assert ids(find(catalog, "Fourth")) == ["fourth"]
    assert ids(find(catalog, "hir")) == ["third"]
    assert ids(find(catalog, "SNIPPET")) == ["first", "shared", "fourth"]


def test_search_does_not_look_at_notes(catalog: Catalog) -> None:
    """Notes are not part of the search."""
    with pytest.raises(NotFoundError):
        find(catalog, "zebra")


def test_not_found_suggests_close_words(catalog: Catalog) -> None:
    """A near miss raises NotFoundError (exit 1) with 'did you mean' and the close word."""
    with pytest.raises(NotFoundError) as caught:
        find(catalog, "shraed")
    assert caught.value.code == ExitCode.FAILED == 1
    assert "shraed" in caught.value.message
    hint = hint_for(caught.value)
    assert hint is not None
    assert hint.startswith("did you mean")
    assert "shared" in hint


def test_not_found_without_close_words_still_hints(catalog: Catalog) -> None:
    """Nothing close: the hint points at a way to look around instead."""
    with pytest.raises(NotFoundError) as caught:
        find(catalog, "qqqqqqqq")
    hint = hint_for(caught.value)
    assert hint
    assert "did you mean" not in hint


def test_suggest_includes_prefix_matches() -> None:
    """A prefix of a long word suggests it even when difflib finds it too far."""
    assert "producer-consumer" in suggest("prod", ["producer-consumer", "queue"])
    assert suggest("zzz", ["producer-consumer", "queue"]) == []


def test_select_without_filters_is_everything_in_order(catalog: Catalog) -> None:
    """No filters: every snippet, in catalog order."""
    assert ids(select(catalog)) == ["first", "shared", "third", "fourth"]


def test_select_repeated_tags_require_all(catalog: Catalog) -> None:
    """Each --tag narrows the selection: a snippet must carry every one."""
    assert ids(select(catalog, tags=["shared"])) == ["first", "third"]
    assert ids(select(catalog, tags=["shared", "z"])) == ["third"]
    assert ids(select(catalog, tags=["shared", "y"])) == []


def test_select_tag_is_exact(catalog: Catalog) -> None:
    """A tag filter does not match an id or a part of a tag."""
    assert ids(select(catalog, tags=["fourth"])) == []
    assert ids(select(catalog, tags=["share"])) == []


def test_select_section(catalog: Catalog) -> None:
    """--section keeps the snippets of that section, combined with tags."""
    assert ids(select(catalog, section="beta")) == ["shared", "third"]
    assert ids(select(catalog, tags=["shared"], section="beta")) == ["third"]


def test_select_search_is_case_insensitive(catalog: Catalog) -> None:
    """--search matches text in ids, titles, summaries and tags, ignoring case."""
    assert ids(select(catalog, search="SECOND")) == ["shared"]
    assert ids(select(catalog, search="lock")) == ["first"]
    assert ids(select(catalog, search="snippet", section="alpha")) == ["first"]


def test_select_unknown_section_is_a_usage_error(catalog: Catalog) -> None:
    """An unknown section is a usage error (exit 2) suggesting the close section."""
    with pytest.raises(UsageError) as caught:
        select(catalog, section="alpah")
    assert caught.value.code == ExitCode.USAGE == 2
    assert "alpah" in caught.value.message
    hint = hint_for(caught.value)
    assert hint is not None
    assert "alpha" in hint


def test_get_unknown_id_is_a_usage_error_with_suggestions(catalog: Catalog) -> None:
    """Looking up an unknown id exits 2 and suggests the close id."""
    assert get(catalog, "third").title == "Third, about QUEUES"
    with pytest.raises(UsageError) as caught:
        get(catalog, "thrid")
    assert caught.value.code == 2
    hint = hint_for(caught.value)
    assert hint is not None
    assert "third" in hint
