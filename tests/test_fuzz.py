"""Fuzzing the command line: generated catalogs (valid and broken in every way) and argument
lists never give a traceback, and every exit status is one the contract documents.

A fixed number of examples runs by default (CI included, about 20 s); for many more:
    ASYNCSNIP_HYPOTHESIS=many .venv/bin/python -m pytest -q tests/test_fuzz.py
"""

from __future__ import annotations

import io
import os
import re
import sys
import tomllib
import unicodedata
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import tomli_w
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

from asyncsnip.catalog.fileformat import check_snippet
from asyncsnip.catalog.rules import cached_rows
from asyncsnip.catalog.schema import SNIPPET_FIELDS
from asyncsnip.choices import COLORS, FORMATS, VIEWS
from asyncsnip.cli.app import COMMANDS
from conftest import CliRunner, app, examples

DOCUMENTED = {0, 1, 2, 124, 130}  # the contract's exit statuses
# asyncsnip's own traceback (a snippet's, streamed by `run`, is its output)
OWN_TRACEBACK = re.compile(r'File "[^"]*[/\\]asyncsnip[/\\]')
SLUGS = st.from_regex(r"\A[a-z0-9]{1,5}(-[a-z0-9]{1,3}){0,2}\Z") | st.just("x" * 300)
HOSTILE = st.sampled_from(
    ["", " ", "\x1b]0;x\x07", "\x9b2J", "a\nb", "\t", "[bold]x[/bold]", "'; rm -rf ~ #", "\\",
     "$(touch ~/pwned)", "é中🐍", "\u202e", "x" * 300, "-", "--help", "3.11", "3.99", "gather",
     "gather\n", "3.11\n", "asyncio.run\n"]
)  # fmt: skip
TEXT = st.text(max_size=20) | HOSTILE
CODES = st.sampled_from(
    ["print(1)\n", "pass\n", "import sys\nsys.exit(3)\n", "raise ValueError('x')\n",
     "print('\\x1b[8m\\x1b[1;2r')\n", "import sys\nsys.stderr.write('\\x1b]0;t\\x07')\n",
     "def f(:\n", "print(1", "\x00", "import time\ntime.sleep(0.05)\nprint('late')\n"]
)  # fmt: skip
API = st.sampled_from(["asyncio.gather", "asyncio.nosuch", "antigravity", "os.path.join", "x.y"])
BAD_API = st.sampled_from(["x.y\n", "x..y", ".x", "asyncio gather"])


CLEAN = st.text(st.characters(blacklist_categories=["Cc", "Cs"]), min_size=1, max_size=20).filter(
    str.strip
)
GOOD_CODES = st.sampled_from(
    ["print(1)\n", "pass\n", "import sys\nsys.exit(3)\n", "raise ValueError('x')\n",
     "print('\\x1b[8m\\x1b[1;2r')\n", "import sys\nsys.stderr.write('\\x1b]0;t\\x07')\n",
     "import time\ntime.sleep(0.05)\nprint('late')\n", "import time\ntime.sleep(0.6)\n"]
)  # fmt: skip


@st.composite
def snippet_tables(draw: st.DrawFn, sections: list[str], broken: bool) -> dict[str, Any]:
    """A snippet table: valid, or (when `broken`) with hostile values and the odd field
    wrong or missing."""
    if broken:
        tag_lists = st.lists(SLUGS | TEXT, max_size=3)
    else:
        tag_lists = st.lists(SLUGS, min_size=1, max_size=3, unique=True)
    table: dict[str, Any] = {
        "id": draw(SLUGS | TEXT if broken else SLUGS),
        "title": draw(TEXT if broken else CLEAN),
        "tags": draw(tag_lists),
        "code": draw(CODES if broken else GOOD_CODES),
    }
    optional = {
        "section": st.sampled_from(sections or ["nowhere"]),
        "summary": CLEAN,
        "notes": CLEAN,
        "output": st.sampled_from(["1\n", "...\n", "late\n", "2\n"]),
        "ordered": st.booleans(),
        "python": st.sampled_from(["3.11", "3.99"]),
        "timeout": st.floats(min_value=0.5, max_value=2),
        "requires": st.lists(
            st.sampled_from(["httpx", "no_such_module", "a.b"]), max_size=2, unique=True
        ),
        "api": st.lists(API, max_size=3, unique=True),
    }
    if broken:
        optional.update(
            section=optional["section"] | TEXT, summary=TEXT, notes=TEXT, unknown=TEXT,
            output=optional["output"] | TEXT, python=optional["python"] | TEXT,
            timeout=st.floats() | st.integers(-1, 2), see_also=st.lists(SLUGS, max_size=2),
            gist=st.sampled_from(["print(1)", "pass", "nope"]),
            api=st.lists(API | BAD_API, max_size=3),
        )  # fmt: skip
    if not sections and not broken:
        del optional["section"]
    for name in draw(st.lists(st.sampled_from(sorted(optional)), unique=True, max_size=5)):
        table[name] = draw(optional[name])
    if broken:
        for name in draw(st.lists(st.sampled_from(sorted(table)), unique=True, max_size=1)):
            if draw(st.booleans()):
                del table[name]
            else:
                table[name] = draw(st.integers() | st.lists(st.integers(), max_size=2) | TEXT)
    return table


@st.composite
def catalogs(draw: st.DrawFn) -> str:
    """A catalog file's text: valid tables (half the time), broken ones, or now and then
    text that is barely TOML."""
    kind = draw(st.sampled_from(["valid", "valid", "broken", "broken", "text"]))
    if kind == "text":
        return draw(st.text(max_size=200) | st.sampled_from(["[[snippets]]\nid = 'x'\n", "= 1"]))
    broken = kind == "broken"
    section_ids = draw(st.lists(SLUGS, max_size=2, unique=True))
    sections = [{"id": s, "title": draw(TEXT if broken else CLEAN)} for s in section_ids]
    tables = snippet_tables(section_ids, broken)
    snippets = draw(st.lists(tables, max_size=4, unique_by=lambda t: str(t.get("id"))))
    version = draw(st.sampled_from([1, 1, 1, 2])) if broken else 1
    document: dict[str, Any] = {"version": version, "snippets": snippets}
    if sections:
        document["sections"] = sections
    return tomli_w.dumps(document)


def _ids(text: str) -> list[str]:
    return [line.split("=", 1)[1].strip().strip("\"'") for line in text.splitlines()
            if line.startswith("id = ")] or ["x"]  # fmt: skip


@st.composite
def argument_lists(draw: st.DrawFn, catalog_text: str) -> list[str]:
    """A command line against the catalog: a real command with options drawn from its own,
    or words drawn from every option and command asyncsnip has, in any order."""
    known = st.sampled_from(_ids(catalog_text))
    ident = draw(known | known | known | TEXT)
    commands = [
        ["list", *draw(st.sampled_from([[], ["--json"], ["--tag", ident], ["--search", ident]]))],
        ["tags", *draw(st.sampled_from([[], ["--json"]]))],
        ["show", ident, "--view", draw(st.sampled_from(VIEWS) | TEXT)],
        ["show", ident, "--json"],
        ["run", ident, "--timeout", draw(st.sampled_from(["1", "1", "1", "0", "-1", "x"]))],
        ["run", ident, "--json", "--python", draw(st.sampled_from([sys.executable, "/bin/false"]))],
        ["check", "--jobs", draw(st.sampled_from(["2", "0"])), "--timeout", "1"],
        ["check", ident, "--json", "--section", draw(SLUGS)],
        ["export", "--format", draw(st.sampled_from(FORMATS) | TEXT), "--compact"],
        ["export", "--tag", ident, "--section", ident],
        ["doctor"],
        ["remove", ident],
        ["add", ident, "--title", draw(TEXT), "--tag", draw(SLUGS | TEXT), "--code-file", "-"],
        ["--show-completion", draw(st.sampled_from(["bash", "zsh", "fish", "tcsh"]))],
    ]
    words = [
        "list", "show", "run", "check", "tags", "export", "doctor", "remove", "add", "--json",
        "--view", "--tag", "-t", "--section", "--format", "--timeout", "--jobs", "--python",
        "--search", "--compact", "--output", "--color", "--no-builtin", "--version", "--help",
        "--", ident,
    ]  # fmt: skip
    chosen = draw(st.sampled_from(commands) | st.lists(st.sampled_from(words) | TEXT, max_size=6))
    color = draw(st.sampled_from([[], *(["--color", c] for c in COLORS), ["--color", "x"]]))
    return [*color, *chosen]


@contextmanager
def folder_of_examples(tmp: Path) -> Iterator[Path]:
    folder = tmp / uuid.uuid4().hex[:8]
    folder.mkdir()
    yield folder


@settings(max_examples=examples(800), suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_cli_never_crashes(data: st.DataObject, tmp_path_factory: Any) -> None:
    """Any catalog and any arguments: a documented exit status, never a traceback."""
    text = data.draw(catalogs(), label="catalog")
    argv = data.draw(argument_lists(text), label="argv")
    with folder_of_examples(tmp_path_factory.getbasetemp()) as folder, own_config(folder):
        catalog = folder / "fuzz.toml"
        catalog.write_text(text, encoding="utf-8")
        runner = CliRunner()
        args = ["--no-builtin", "--catalog", str(catalog), *argv]
        result = runner.invoke(app, args, input="print(2)\n", catch_exceptions=False)
    command = next((word for word in argv if word in COMMANDS), "-")
    event(f"{command}: exit {result.exit_code}")
    assert result.exit_code in DOCUMENTED, (args, result.exit_code, result.stderr)
    assert not OWN_TRACEBACK.search(result.stderr), result.stderr
    if result.exit_code == 2 and result.stderr:
        assert all(line.startswith("asyncsnip: ") for line in result.stderr.splitlines()), (
            result.stderr
        )


@settings(max_examples=examples(1500))
@given(tables=st.lists(snippet_tables([], broken=True), min_size=1, max_size=3))
def test_the_cache_check_takes_exactly_what_validation_takes(tables: list[dict[str, Any]]) -> None:
    """Snippets read back from the cache (as rows: every field's value, its default when
    not given) pass the cheap check exactly when the file's full validation passes their
    tables (apart from what the check leaves out: compiling the code, and the gist's lines,
    which the cache cannot change to anything but text)."""
    for table in tables:
        table.pop("gist", None)
        assume(not isinstance(table.get("code"), str) or compiles(table["code"]))
        assume(table.keys() <= {row.name for row in SNIPPET_FIELDS})  # a row has no others
    ids = [str(table.get("id")) for table in tables]
    valid = all(not check_snippet(table) for table in tables) and len(set(ids)) == len(ids)
    rows = [row_of(table) for table in tables]
    assert (cached_rows(([], rows, [0 for _ in rows])) is not None) == valid, tables


def row_of(table: dict[str, Any]) -> tuple[Any, ...]:
    """A table as the cache keeps a snippet: lists as tuples, a timeout as a float (as
    `Snippet.from_table` makes them), a missing field as its default (None if required)."""
    values = []
    for row in SNIPPET_FIELDS:
        value = table.get(row.name, None if row.required else row.default)
        if isinstance(value, list):
            value = tuple(value)
        if row.kind == "seconds" and type(value) is int and abs(value) < 10**300:
            value = float(value)
        values.append(value)
    return tuple(values)


def compiles(code: str) -> bool:
    try:
        compile(code, "<snippet>", "exec")
    except (SyntaxError, ValueError):
        return False
    return True


@st.composite
def valid_catalogs(draw: st.DrawFn) -> str:
    section_ids = draw(st.lists(SLUGS, max_size=2, unique=True))
    tables = snippet_tables(section_ids, broken=False)
    snippets = draw(st.lists(tables, min_size=1, max_size=3, unique_by=lambda t: t["id"]))
    sections = [{"id": s, "title": draw(CLEAN)} for s in section_ids]
    return tomli_w.dumps({"version": 1, "sections": sections, "snippets": snippets})


@settings(max_examples=examples(60), suppress_health_check=[HealthCheck.too_slow])
@given(text=valid_catalogs(), data=st.data())
def test_running_never_crashes(text: str, data: st.DataObject, tmp_path_factory: Any) -> None:
    """`run` and `check` over valid catalogs of snippets that pass, fail, crash, print
    escape sequences or time out: a documented run status, never a traceback."""
    ident = data.draw(st.sampled_from([t["id"] for t in tomllib.loads(text)["snippets"]]))
    timeout = data.draw(st.sampled_from(["0.3", "2"]))
    argv = data.draw(
        st.sampled_from(
            [["run", ident, "--timeout", timeout], ["run", ident, "--json"],
             ["check", "--timeout", timeout, "--jobs", "2"], ["check", ident, "--json"]]
        )
    )  # fmt: skip
    with folder_of_examples(tmp_path_factory.getbasetemp()) as folder, own_config(folder):
        catalog = folder / "fuzz.toml"
        catalog.write_text(text, encoding="utf-8")
        args = ["--no-builtin", "--catalog", str(catalog), *argv]
        result = CliRunner().invoke(app, args, catch_exceptions=False)
    event(f"{argv[0]}: exit {result.exit_code}")
    assert result.exit_code in DOCUMENTED - {2}, (args, result.exit_code, result.stderr)
    assert not OWN_TRACEBACK.search(result.stderr), result.stderr


@settings(max_examples=examples(200))
@given(text=catalogs(), line=st.lists(st.sampled_from(
    ["run", "show", "check", "--tag", "-t", "--section", "--view", "--format", "export", "list",
     "--json", "'", '"', "\\", "=", "x"]) | TEXT, max_size=5))  # fmt: skip
def test_completion_never_crashes(text: str, line: list[str], tmp_path_factory: Any) -> None:
    """Any catalog and any line: both completion paths answer records (or nothing), no
    traceback, and only whole, one-line records."""
    from asyncsnip.cli.app import run
    from asyncsnip.completion import fast_complete

    with folder_of_examples(tmp_path_factory.getbasetemp()) as folder:
        catalog = folder / "fuzz.toml"
        catalog.write_text(text, encoding="utf-8")
        typed = [word.replace("\0", "") for word in line]  # no environment holds a NUL
        words = ["asyncsnip", "--no-builtin", "--catalog", str(catalog), *typed, ""]
        for shell in ("bash", "zsh", "fish"):
            cword = words[-1] if shell == "fish" else str(len(words) - 1)
            env = {"_ASYNCSNIP_COMPLETE": f"complete_{shell}", "COMP_CWORD": cword}
            with patched_env(env, COMP_WORDS=" ".join(words)), captured() as out:
                if not fast_complete():
                    run()
            for record in out.getvalue().decode().splitlines():
                kind, value, description = record.split("\t")
                assert kind in ("plain", "file")
                assert not any(unicodedata.category(c) == "Cc" for c in value + description)


def own_config(folder: Path) -> Any:
    """A user config and cache of the example's own: what `add` writes to one example's
    user catalog is not there for the next, so every failure reproduces."""
    return patched_env(
        {"XDG_CONFIG_HOME": str(folder / "config"), "XDG_CACHE_HOME": str(folder / "cache")}
    )


@contextmanager
def patched_env(values: dict[str, str], **more: str) -> Iterator[None]:
    saved = dict(os.environ)
    os.environ.update(values, **more)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


@contextmanager
def captured() -> Iterator[io.BytesIO]:
    """sys.stdout as a text stream over bytes, as a process's stdout is."""
    raw = io.BytesIO()
    stream = io.TextIOWrapper(raw, encoding="utf-8", write_through=True)
    saved, sys.stdout = sys.stdout, stream
    try:
        yield raw
    finally:
        stream.flush()
        stream.detach()  # the bytes stay readable
        sys.stdout = saved


def test_a_very_long_id_runs(cli: Any, tmp_path: Path) -> None:
    """Found by this fuzzer: a slug has no length limit, and a 300-character id once made
    the script's file name too long for `run` and `check` (a traceback)."""
    ident = "x" * 300
    catalog = tmp_path / "long.toml"
    table = {"id": ident, "title": "Long", "tags": ["t"], "code": "print(1)\n", "output": "1\n"}
    catalog.write_text(tomli_w.dumps({"version": 1, "snippets": [table]}), encoding="utf-8")
    for argv in (["run", ident], ["check"]):
        result = cli("--no-builtin", "--catalog", catalog, *argv)
        assert result.exit_code == 0, result.stderr
