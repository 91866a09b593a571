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


def found(catalog: Catalog, query: str) -> list[str]:
    return ids(find(catalog, query).snippets)


def test_an_exact_id_is_shown_alone(catalog: Catalog) -> None:
    """An id is that snippet alone, even when the same word is a tag of others."""
    assert found(catalog, "shared") == ["shared"]
    assert found(catalog, "fourth") == ["fourth"]


def test_ids_tags_and_sections_ignore_case_and_separators(catalog: Catalog) -> None:
    """`FOURTH`, `Shared` and a section's title name what their slug names."""
    assert found(catalog, "FOURTH") == ["fourth"]
    assert found(catalog, "Beta") == ["shared", "third"]


def test_a_section_and_a_tag_of_the_same_name_give_both(catalog: Catalog) -> None:
    """`alpha` is a section (first) and a tag (fourth): all of them, ranked."""
    assert sorted(found(catalog, "alpha")) == ["first", "fourth"]


def test_an_exact_tag_shows_its_snippets_and_only_those(catalog: Catalog) -> None:
    """'x' is a tag of one snippet; other snippets containing an x are not added."""
    assert found(catalog, "x") == ["first"]


def test_search_covers_notes_plurals_and_any_word_order(catalog: Catalog) -> None:
    """The search reads notes too, treats `queue` and `QUEUES` alike, ignores word order."""
    assert found(catalog, "zebra") == ["shared"]
    assert found(catalog, "queue") == ["third"]
    assert found(catalog, "lock") == ["first"]
    assert found(catalog, "snippet second") == found(catalog, "second snippet")
    assert found(catalog, "second snippet")[0] == "shared"


def test_a_typo_finds_its_target_and_says_how_it_was_read(catalog: Catalog) -> None:
    """`secnod` is read as `second`: the answer says so, and holds the snippet."""
    answer = find(catalog, "secnod")
    assert ids(answer.snippets) == ["shared"]
    assert answer.corrected == "second"


def test_an_empty_query_is_a_usage_error(catalog: Catalog) -> None:
    """`show ''` is bad usage (exit 2), never 'everything'."""
    with pytest.raises(UsageError) as caught:
        find(catalog, "  ")
    assert caught.value.code == 2


def test_not_found_suggests_close_names(catalog: Catalog) -> None:
    """Nothing close enough to search for: NotFoundError (exit 1), and a hint that names
    the ids and tags nearest to what was typed."""
    with pytest.raises(NotFoundError) as caught:
        find(catalog, "thx")
    assert caught.value.code == ExitCode.FAILED == 1
    assert "thx" in caught.value.message


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


def test_select_tag_is_a_known_tag(catalog: Catalog) -> None:
    """A tag filter matches a tag whatever its case, and names no id or part of a tag: an
    unknown tag is a usage error suggesting the close one."""
    assert ids(select(catalog, tags=["SHARED"])) == ["first", "third"]
    for unknown in ("fourth", "share"):
        with pytest.raises(UsageError) as caught:
            select(catalog, tags=[unknown])
        assert caught.value.code == 2
    hint = hint_for(caught.value)
    assert hint is not None and "shared" in hint


def test_select_section(catalog: Catalog) -> None:
    """--section keeps the snippets of that section (named by id or title, any case),
    combined with tags."""
    assert ids(select(catalog, section="beta")) == ["shared", "third"]
    assert ids(select(catalog, section="BETA")) == ["shared", "third"]
    assert ids(select(catalog, tags=["shared"], section="Beta")) == ["third"]


def test_select_search_ranks_like_show(catalog: Catalog) -> None:
    """--search is show's search: case-insensitive, ranked, combined with the filters."""
    assert ids(select(catalog, text="SECOND")) == ["shared"]
    assert ids(select(catalog, text="lock")) == ["first"]
    assert ids(select(catalog, text="snippet", section="alpha")) == ["first"]
    assert ids(select(catalog, text="third queues")) == found(catalog, "third queues")


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
