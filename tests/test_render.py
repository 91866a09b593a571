"""How `show` looks in each view: plain and exact on pipes, highlighted on terminals."""

from __future__ import annotations

import re
import sys
import tomllib
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

Invoke = Callable[..., Result]

DATA = Path(__file__).parent / "data"
GOOD = DATA / "good.toml"
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
VIEWS = ["standard", "detailed", "compact", "code"]
HOSTILE_TITLE = "Map tasks to [bold]results[/bold] with a [dict]"


def catalog_code(ident: str) -> str:
    """The snippet's code as TOML itself reads it from the test catalog."""
    document = tomllib.loads(GOOD.read_text(encoding="utf-8"))
    return next(s["code"] for s in document["snippets"] if s["id"] == ident)


def catalog_title(ident: str) -> str:
    document = tomllib.loads(GOOD.read_text(encoding="utf-8"))
    return str(next(s["title"] for s in document["snippets"] if s["id"] == ident))


def plain(text: str) -> str:
    return ANSI.sub("", text)


def test_hostile_code_is_really_hostile() -> None:
    """The test snippet holds what trips renderers: markup-like brackets, tabs, unicode, width."""
    code = catalog_code("hostile-code")
    assert "results[task]" in code
    assert "[bold]not markup[/bold]" in code
    assert "\t\tresults[task]" in code
    assert "世界" in code
    assert max(len(line) for line in code.splitlines()) > 250


@pytest.mark.parametrize("ident", ["gather-results", "hostile-code", "long-title"])
def test_code_view_piped_is_the_code_byte_for_byte(good: Invoke, ident: str) -> None:
    """`show ID --view code | ...` gives exactly the catalog's code and nothing else."""
    result = good("show", ident, "--view", "code")
    assert result.exit_code == 0
    assert result.stderr == ""
    assert result.stdout_bytes == catalog_code(ident).encode("utf-8")


def test_code_view_of_several_snippets_holds_each_code(good: Invoke) -> None:
    """`show TAG --view code` prints every matching snippet's code, in catalog order."""
    result = good("show", "gather", "--view", "code")
    assert result.exit_code == 0
    first, second = catalog_code("gather-results"), catalog_code("hostile-code")
    assert result.stdout.index(first) < result.stdout.index(second)
    assert "\x1b" not in result.stdout


@pytest.mark.parametrize("view", VIEWS)
def test_every_view_piped_is_plain_and_unwrapped(good: Invoke, view: str) -> None:
    """Each view on a pipe: no escapes, code lines intact, the 200-character title on one line."""
    for ident in ("hostile-code", "long-title"):
        result = good("show", ident, "--view", view)
        assert result.exit_code == 0
        assert result.stderr == ""
        assert "\x1b" not in result.stdout
        lines = result.stdout.splitlines()
        for code_line in catalog_code(ident).splitlines():
            assert code_line in lines
        if view != "code":
            title = catalog_title(ident)
            assert any(title in line for line in lines)
    assert len(catalog_title("long-title")) == 200


def test_bracketed_title_survives_on_a_pipe(good: Invoke) -> None:
    """A title with [brackets] is printed as written."""
    result = good("show", "hostile-code")
    assert result.exit_code == 0
    assert HOSTILE_TITLE in result.stdout


def test_standard_view_piped(good: Invoke) -> None:
    """The standard view has the title, summary, tags, code and notes, but not the output."""
    result = good("show", "gather-results")
    assert result.exit_code == 0
    out = result.stdout
    assert "Run coroutines concurrently with gather" in out
    assert "Wait for several coroutines and collect their results in order." in out
    assert "gather, results" in out
    assert "Results come back in argument order, not completion order." in out
    assert "[4, 9, 16]" not in out


def test_detailed_view_piped(good: Invoke) -> None:
    """The detailed view adds the expected output, the section, the API signature, see also."""
    result = good("show", "gather-results", "--view", "detailed")
    assert result.exit_code == 0
    out = result.stdout
    assert "[4, 9, 16]" in out
    assert "Tasks and Concurrency" in out
    assert "asyncio.gather(*coros_or_futures, return_exceptions=False)" in out
    assert "queue-basics" in out
    assert "Results come back in argument order, not completion order." in out


def test_compact_view_piped(good: Invoke) -> None:
    """The compact view has title, summary and code, and leaves notes and output out."""
    result = good("show", "gather-results", "--view", "compact")
    assert result.exit_code == 0
    out = result.stdout
    assert "Run coroutines concurrently with gather" in out
    assert "Wait for several coroutines" in out
    assert catalog_code("gather-results") in out
    assert "Results come back in argument order" not in out
    assert "[4, 9, 16]" not in out
    assert len(out) < len(good("show", "gather-results").stdout)


@pytest.mark.parametrize("view", VIEWS)
def test_every_view_on_a_terminal_is_highlighted(good: Invoke, tty: None, view: str) -> None:
    """Each view on a terminal has colour escapes and the code's tokens."""
    result = good("show", "gather-results", "--view", view)
    assert result.exit_code == 0
    assert result.stderr == ""
    assert re.search(r"\x1b\[[0-9;]*(3[0-9]|9[0-7]|38;[0-9;]+)[;0-9]*m", result.stdout)
    text = plain(result.stdout)
    for token in ("import asyncio", "async def square", "asyncio.gather", "asyncio.run(main())"):
        assert token in text
    if view != "code":
        assert "Run coroutines concurrently with gather" in text


@pytest.mark.parametrize("view", ["standard", "detailed", "compact"])
def test_bracketed_title_survives_on_a_terminal(good: Invoke, tty: None, view: str) -> None:
    """rich markup does not eat [bold] or [dict] in a title, nor results[task] in code."""
    result = good("show", "hostile-code", "--view", view)
    assert result.exit_code == 0
    text = plain(result.stdout)
    assert HOSTILE_TITLE in text
    assert "results[task] = await task" in text
    assert "# [bold]not markup[/bold]" in text
    assert "héllo → 世界 ✓" in text


def test_bracketed_title_survives_in_the_terminal_list(
    good: Invoke, tty: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The terminal table (wide enough for the title) keeps its bracketed words."""
    monkeypatch.setenv("COLUMNS", "160")
    result = good("list")
    assert result.exit_code == 0
    text = plain(result.stdout)
    assert "[bold]results[/bold]" in text
    assert "[dict]" in text


def test_code_view_on_a_terminal_has_only_code(good: Invoke, tty: None) -> None:
    """`--view code` on a terminal is highlighted code without title or panel."""
    result = good("show", "gather-results", "--view", "code")
    assert result.exit_code == 0
    text = plain(result.stdout)
    assert "Run coroutines concurrently with gather" not in text
    assert [line.rstrip() for line in text.strip("\n").splitlines()] == catalog_code(
        "gather-results"
    ).strip("\n").splitlines()


def test_long_code_line_is_not_cut_on_a_terminal(good: Invoke, tty: None) -> None:
    """On a terminal every character of a long code line is shown (wrapped, not cropped)."""
    result = good("show", "hostile-code", "--view", "code")
    assert result.exit_code == 0
    text = plain(result.stdout)
    assert text.count("y") >= 250


def test_detailed_view_does_not_run_import_side_effects(
    cli: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An `api` entry naming a module with import-time output does not write into stdout."""
    monkeypatch.delitem(sys.modules, "this", raising=False)
    path = tmp_path / "api.toml"
    path.write_text(
        '[[snippets]]\nid = "a"\ntitle = "A"\ntags = ["x"]\ncode = "pass"\napi = ["this"]\n',
        encoding="utf-8",
    )
    result = cli("--no-builtin", "--catalog", path, "show", "a", "--view", "detailed")
    assert result.exit_code == 0
    assert "Zen of Python" not in result.stdout
