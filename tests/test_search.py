"""The search, as users meet it: `show` and `list --search` over the built-in catalog."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest

from conftest import Invoke

QUERIES = tomllib.loads((Path(__file__).parent / "data" / "search_queries.toml").read_text())[
    "queries"
]
TOP1_TARGET, TOP3_TARGET = 0.80, 0.95


def shown(cli: Invoke, *args: str) -> list[str]:
    result = cli(*args, "--json")
    if result.exit_code == 1:
        return []
    assert result.exit_code == 0, result.stderr
    return [s["id"] for s in json.loads(result.stdout)]


def test_query_set_meets_its_targets(cli: Invoke) -> None:
    """Over the query set of tests/data/search_queries.toml (what users type, each with the
    ids that must come in the top 3): top-3 at least 95%, top-1 at least 80%."""
    assert len(QUERIES) >= 40
    top1 = top3 = 0
    misses = []
    for entry in QUERIES:
        found = shown(cli, "show", entry["query"])
        hit3 = all(ident in found[:3] for ident in entry["top"])
        hit1 = bool(found) and found[0] in entry["top"]
        top1, top3 = top1 + hit1, top3 + hit3
        if not hit3:
            misses.append((entry["query"], found[:3], entry["top"]))
    print(f"\nsearch: top-1 {top1}/{len(QUERIES)}, top-3 {top3}/{len(QUERIES)}")
    assert top3 / len(QUERIES) >= TOP3_TARGET, misses
    assert top1 / len(QUERIES) >= TOP1_TARGET


def test_every_query_set_id_exists(cli: Invoke) -> None:
    """The query set names real snippets (a renamed id must not pass silently)."""
    every = set(shown(cli, "list"))
    assert {i for entry in QUERIES for i in entry["top"]} <= every


def test_an_exact_tag_starts_with_its_best_snippet(cli: Invoke) -> None:
    """`show gather` starts with gather-results; every gather snippet follows."""
    found = shown(cli, "show", "gather")
    assert found[0] == "gather-results"
    tagged = {s["id"] for s in json.loads(cli("list", "--tag", "gather", "--json").stdout)}
    assert set(found) == tagged


def test_an_exact_id_is_shown_alone(cli: Invoke) -> None:
    """An id shows that one snippet, whatever its case and separators."""
    assert shown(cli, "show", "gather-results") == ["gather-results"]
    assert shown(cli, "show", "Gather_Results") == ["gather-results"]


@pytest.mark.parametrize("query", ["asyncio.gather", "gather", "rate limit", "timeout"])
def test_show_and_list_search_rank_alike(cli: Invoke, query: str) -> None:
    """`show --json` and `list --search --json` list the same snippets in the same order."""
    listed = shown(cli, "list", "--search", query)
    assert listed
    assert shown(cli, "show", query)[: len(listed)] == listed[: len(shown(cli, "show", query))]


@pytest.mark.parametrize(
    ("typo", "meant", "firsts"),
    [("gahter", "gather", {"gather-results"}), ("taskgrop", "taskgroup", {"taskgroup-basics"}),
     ("semafore", "semaphore", {"semaphore-limit", "bounded-semaphore"})],
)  # fmt: skip
def test_a_typo_shows_results_and_says_for_what(
    cli: Invoke, typo: str, meant: str, firsts: set[str]
) -> None:
    """One or two letters off: results for the word meant, exit 0, and stderr says so."""
    result = cli("show", typo, "--json")
    assert result.exit_code == 0
    assert json.loads(result.stdout)[0]["id"] in firsts
    assert result.stderr == f"asyncsnip: showing results for '{meant}'\n"


@pytest.mark.parametrize("word", ["throttle", "throttled", "throttles"])
def test_another_ending_of_a_catalog_word_finds_it(cli: Invoke, tmp_path: Path, word: str) -> None:
    """A word no snippet has, of the same stem as one a snippet has (`throttle` for
    `throttling`), finds that snippet, and stderr says which word was meant."""
    catalog = tmp_path / "mine.toml"
    catalog.write_text(
        '[[snippets]]\nid = "pace-calls"\ntitle = "Pace the calls"\ntags = ["pace"]\n'
        'summary = "Throttling for an API."\ncode = "print(1)"\n'
        '[[snippets]]\nid = "other"\ntitle = "Something else"\ntags = ["misc"]\n'
        'code = "print(2)"\n',
        encoding="utf-8",
    )
    result = cli("--no-builtin", "--catalog", catalog, "show", word, "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)[0]["id"] == "pace-calls"
    assert result.stderr == "asyncsnip: showing results for 'throttling'\n"


def test_words_in_any_order_and_separators_alike(cli: Invoke) -> None:
    """`rate limit`, `rate-limit`, `Rate_Limit` and `limit rate` find the same snippets."""
    expected = shown(cli, "show", "rate limit")
    for spelling in ("rate-limit", "Rate_Limit", "RATE LIMIT"):
        assert shown(cli, "show", spelling) == expected
    assert set(shown(cli, "show", "limit rate")[:3]) == set(expected[:3])


def test_nothing_close_is_exit_1_with_a_hint(cli: Invoke) -> None:
    """A query nothing resembles: exit 1, no output, one error and one hint."""
    result = cli("show", "xqzvw")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.startswith("asyncsnip: error: nothing matches 'xqzvw'\n")
    assert "asyncsnip: hint: " in result.stderr


@pytest.mark.parametrize("query", ["", "   "])
def test_an_empty_query_is_bad_usage(cli: Invoke, query: str) -> None:
    """`show ''` is exit 2, never every snippet."""
    result = cli("show", query)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "empty" in result.stderr
