"""Writing the user catalog: add and remove keep every other byte, never lose data, never race."""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
import sys
import time
import tomllib
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from asyncsnip.catalog.fileformat import parse
from asyncsnip.catalog.loader import load
from asyncsnip.cli.writing import read_code
from asyncsnip.errors import CatalogError, UsageError
from asyncsnip.store import usercatalog
from conftest import asyncsnip

Invoke = Callable[..., Result]

HOSTILE_CODE = (
    "s = 'single' + \"double\" + '''triple''' + \"\"\"also\"\"\"\n"
    "path = 'C:\\\\temp\\\\new'  # backslashes \\n not a newline\n"
    "if True:\n"
    "\tprint(s, path)   \n"
    "print('naïve → 🐍', \"\\u00e9\")\n"
    "'''\n"
    "a line in a docstring-like block\n"
    "[[snippets]]\n"
    "# looks like a comment\n"
    "'''\n"
    "x = 1  # no final newline"
)
EXISTING = (
    "# My own asyncio snippets.   (trailing spaces on purpose)   \n"
    + """\
version   =   1

[[snippets]]   # the first one
id = 'mine-first'
title = "First"
tags = [ "mine" ]
code = '''
print("first")
'''

# about the second one
[[snippets]]
id = "mine-second"
title = "Second"
tags = ["mine"]
code = "print('second')"
# a comment at the very end, without a final newline"""
)


def add_args(ident: str, *extra: str) -> list[str]:
    return ["add", ident, "--title", f"Title of {ident}", "--tag", "mine", "--code-file=-", *extra]


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode("utf-8"))
    return path


def user_ids(path: Path) -> list[str]:
    return [table["id"] for table in tomllib.loads(path.read_text("utf-8")).get("snippets", [])]


def listed(cli: Invoke, *args: str) -> dict[str, dict[str, Any]]:
    result = cli(*args, "list", "--json")
    assert result.exit_code == 0, result.stderr
    return {item["id"]: item for item in json.loads(result.stdout)}


def leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.endswith(".tmp"))


# ----------------------------------------------------------------------------- add


def test_add_creates_directory_and_file(cli: Invoke, user_catalog: Path) -> None:
    """The first add creates the config directory and a catalog with `version = 1`."""
    assert not user_catalog.parent.exists()
    result = cli(*add_args("mine-one"), input="print('hi')\n")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    assert f"added 'mine-one' to {user_catalog}" in result.stderr
    text = user_catalog.read_text("utf-8")
    assert text.startswith("version = 1\n\n[[snippets]]\n")
    assert parse(text, user_catalog).problems == []
    assert listed(cli)["mine-one"]["source"] == str(user_catalog)


def test_add_appends_keeping_existing_text_byte_identical(cli: Invoke, user_catalog: Path) -> None:
    """The user's text, comments and formatting are an exact prefix of the new file."""
    write(user_catalog, EXISTING)
    result = cli(*add_args("mine-third"), input="print('third')\n")
    assert result.exit_code == 0, result.stderr
    text = user_catalog.read_text("utf-8")
    assert text.startswith(EXISTING)
    assert text[len(EXISTING) :].startswith("\n\n[[snippets]]\n")
    assert user_ids(user_catalog) == ["mine-first", "mine-second", "mine-third"]


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["add", "Bad_Id", "--title", "t", "--tag", "x"], "pass", "'Bad_Id' is not a slug"),
        (["add", "ok-id", "--title", "t", "--tag", "Bad Tag"], "pass", "field 'tags'"),
        (["add", "ok-id", "--title", "t"], "pass", "Missing option '--tag'"),
        (["add", "ok-id", "--title", "t", "--tag", "x"], "def f(:\n", "does not compile"),
        (["add", "ok-id", "--title", "t", "--tag", "x", "--python", "3"], "pass", "field 'python'"),
        (["add", "ok-id", "--title", " ", "--tag", "x"], "pass", "field 'title'"),
        (["add", "ok-id", "--title", "t", "--tag", "x"], "  \n", "field 'code': is empty"),
        (["add", "ok-id", "--title", "t", "--tag", "x", "--section", "nope"], "pass", "'nope'"),
    ],
    ids=["bad-slug", "bad-tag", "no-tag", "no-compile", "bad-python", "title", "empty", "section"],
)
def test_add_refuses_invalid_snippets_and_writes_nothing(
    cli: Invoke, user_catalog: Path, args: list[str], code: str, message: str
) -> None:
    """Every validation problem exits 2 with the field named; nothing is created or changed."""
    result = cli(*args, "--code-file", "-", input=code)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert message in result.stderr
    assert not user_catalog.parent.exists()
    write(user_catalog, EXISTING)
    assert cli(*args, "--code-file", "-", input=code).exit_code == 2
    assert user_catalog.read_text("utf-8") == EXISTING


def test_new_table_lists_every_problem_at_once() -> None:
    """new_table reports all problems together, naming each field."""
    with pytest.raises(UsageError) as info:
        usercatalog.new_table(
            "Bad", "t", [], "def (", section=None, summary=None, notes=None, python="3.x"
        )
    message = info.value.message
    for field in ("'id'", "'tags': needs at least one tag", "'python'", "'code'"):
        assert field in message
    assert len(message.splitlines()) == 4


def test_new_table_keeps_only_the_given_fields_and_accepts_a_known_section() -> None:
    """Fields left out are not written; a built-in section is accepted."""
    table = usercatalog.new_table(
        "a-b", "T", ["x", "y"], "pass", section="tasks", summary=None, notes="n", python="3.11"
    )
    assert table == {
        "id": "a-b",
        "title": "T",
        "section": "tasks",
        "tags": ["x", "y"],
        "python": "3.11",
        "notes": "n",
        "code": "pass",
    }


def test_add_refuses_text_that_is_not_utf8() -> None:
    """Undecodable command-line bytes (surrogate escapes) are refused, not a traceback."""
    with pytest.raises(UsageError, match="field 'title': is not valid UTF-8"):
        usercatalog.new_table(
            "a", "bad \udcff", ["x"], "pass", section=None, summary=None, notes=None, python=None
        )


def test_duplicate_id_is_refused_without_force_and_replaced_with_it(
    cli: Invoke, user_catalog: Path
) -> None:
    """An id already in the user catalog: exit 2 unchanged; --force replaces its table."""
    write(user_catalog, EXISTING)
    result = cli(*add_args("mine-first"), input="print('new')\n")
    assert result.exit_code == 2
    assert "'mine-first' exists already" in result.stderr
    assert "--force" in result.stderr
    assert user_catalog.read_text("utf-8") == EXISTING
    result = cli(*add_args("mine-first", "--force"), input="print('new')\n")
    assert result.exit_code == 0, result.stderr
    assert user_ids(user_catalog) == ["mine-second", "mine-first"]
    assert listed(cli)["mine-first"]["code"] == "print('new')\n"
    assert 'print("first")' not in user_catalog.read_text("utf-8")
    assert user_catalog.with_name("snippets.toml.bak").read_text("utf-8") == EXISTING


def test_add_directly_refuses_a_duplicate_without_replace(user_catalog: Path) -> None:
    """The module checks the id under its lock too (another process may have added it)."""
    write(user_catalog, EXISTING)
    table = usercatalog.new_table(
        "mine-second", "T", ["x"], "pass", section=None, summary=None, notes=None, python=None
    )
    with pytest.raises(UsageError, match="already"):
        usercatalog.add(table, replace=False)
    assert user_catalog.read_text("utf-8") == EXISTING


def test_code_round_trips_byte_exact_through_a_real_process(user_catalog: Path) -> None:
    """Quotes, backslashes, tabs, unicode, ''' lines, trailing spaces, no final newline."""
    added = asyncsnip(*add_args("hostile"), stdin=HOSTILE_CODE.encode())
    assert added.returncode == 0, added.stderr
    shown = asyncsnip("show", "hostile", "--view", "code")
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout == HOSTILE_CODE.encode()  # one snippet's code view is byte for byte
    as_json = asyncsnip("show", "hostile", "--json")
    assert json.loads(as_json.stdout)[0]["code"] == HOSTILE_CODE
    ran = asyncsnip("run", "hostile")
    assert ran.returncode == 0, ran.stderr


def test_carriage_returns_are_kept(cli: Invoke, user_catalog: Path) -> None:
    """CRLF code (which tomli-w's multi-line strings would normalise) keeps its bytes."""
    code = "x = 1\r\nprint(x)\r\n"
    result = cli(*add_args("crlf"), input=code)
    assert result.exit_code == 0, result.stderr
    assert listed(cli)["crlf"]["code"] == code


def test_code_from_a_file(cli: Invoke, tmp_path: Path) -> None:
    """--code-file PATH reads the file exactly."""
    source = tmp_path / "demo.py"
    source.write_bytes(b"print('from a file')  \n\n")
    args = ["add", "from-file", "--title", "t", "--tag", "x", "--code-file", str(source)]
    assert cli(*args).exit_code == 0
    assert listed(cli)["from-file"]["code"] == "print('from a file')  \n\n"


# ----------------------------------------------------------------------------- read_code


@pytest.mark.parametrize(
    ("content", "message"),
    [(None, "No such file"), (b"x = '\xff'\n", ":1: the code is not UTF-8"), ("dir", "directory")],
)
def test_read_code_names_an_unusable_file(
    tmp_path: Path, content: bytes | str | None, message: str
) -> None:
    """Missing, non-UTF-8 or directory code files are usage errors naming the file."""
    path = tmp_path / "code.py"
    if content == "dir":
        path.mkdir()
    elif isinstance(content, bytes):
        path.write_bytes(content)
    with pytest.raises(UsageError) as info:
        read_code(str(path))
    assert info.value.code == 2
    assert str(path) in info.value.message
    assert message in info.value.message


def test_read_code_without_a_file_on_a_terminal_asks_for_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """No --code-file and stdin is a terminal: a usage error saying what to pass."""
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True)
    with pytest.raises(UsageError) as info:
        read_code(None)
    assert "--code-file PATH" in (info.value.hint or "")


def test_add_reads_piped_stdin_without_code_file(cli: Invoke) -> None:
    """Without --code-file, piped stdin is the code."""
    result = cli("add", "piped", "--title", "t", "--tag", "x", input="print(1)\n")
    assert result.exit_code == 0, result.stderr
    assert listed(cli)["piped"]["code"] == "print(1)\n"


# ----------------------------------------------------------------------------- --record


def test_record_stores_the_real_stdout(cli: Invoke, user_catalog: Path) -> None:
    """--record runs the snippet and stores exactly what it printed as `output`."""
    code = "print('one')\nprint('two')\n"
    result = cli(*add_args("two-lines", "--record"), input=code)
    assert result.exit_code == 0, result.stderr
    assert listed(cli)["two-lines"]["output"] == "one\ntwo\n"
    check = cli("check", "two-lines", "--json")
    assert check.exit_code == 0
    assert json.loads(check.stdout)["results"][0]["status"] == "passed"


def test_failing_record_is_refused_with_its_verdict(cli: Invoke, user_catalog: Path) -> None:
    """A snippet that fails when recorded is not added; the verdict says why."""
    code = "print('partial')\nraise SystemExit(1)\n"
    result = cli(*add_args("fails", "--record"), input=code)
    assert result.exit_code == 2
    assert "failed" in result.stderr
    assert "not added" in result.stderr
    assert not user_catalog.exists()


# ----------------------------------------------------------------------------- remove


def test_remove_keeps_everything_else_and_writes_a_backup(cli: Invoke, user_catalog: Path) -> None:
    """remove cuts one table; the other bytes (comments included) stay; .bak is the old file."""
    write(user_catalog, EXISTING)
    result = cli("remove", "mine-first")
    assert result.exit_code == 0, result.stderr
    assert f"removed 'mine-first' from {user_catalog}" in result.stderr
    text = user_catalog.read_text("utf-8")
    head = "# My own asyncio snippets.   (trailing spaces on purpose)   \nversion   =   1\n\n"
    assert text == head + EXISTING[EXISTING.index("# about the second one") :]
    assert user_catalog.with_name("snippets.toml.bak").read_text("utf-8") == EXISTING
    assert cli("remove", "mine-second").exit_code == 0
    rest = "# about the second one\n# a comment at the very end, without a final newline"
    assert user_catalog.read_text("utf-8") == head + rest  # comments are never cut
    assert "mine-second" not in listed(cli)


def test_remove_of_a_builtin_id_is_refused(cli: Invoke) -> None:
    """Built-in snippets cannot be removed: exit 2, and no file appears."""
    result = cli("remove", "gather-results")
    assert result.exit_code == 2
    assert "is a built-in snippet and cannot be removed" in result.stderr
    result = cli("remove", "no-such-snippet")
    assert result.exit_code == 2


HAND_WRITTEN = """\
version = 1
[[sections]]
id = "mine"
title = "Mine"
[[snippets]]
id = "tricky"
title = "Strings that look like structure"
section = "mine"
tags = ["a",
  "b"]
code = '''
data = [1,
[2]]
[[snippets]]
# a comment inside the code
'''
[[snippets]]
id = "tail"
title = 'Ends in a comment-looking line'
tags = ["a"]
code = \"\"\"
x = 1
# end\"\"\"
[[snippets]]
id = "last"
title = "Last"
tags = ["a"]
code = "pass"
"""


@pytest.mark.parametrize("ident", ["tricky", "tail", "last"])
@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_remove_finds_tables_around_tricky_strings(
    cli: Invoke, user_catalog: Path, ident: str, newline: str
) -> None:
    """Lines inside multi-line strings and arrays that look like headers or comments are
    never mistaken for structure, whatever the line endings."""
    write(user_catalog, HAND_WRITTEN.replace("\n", newline))
    assert cli("remove", ident).exit_code == 0
    expected = [i for i in ("tricky", "tail", "last") if i != ident]
    assert user_ids(user_catalog) == expected
    assert list(listed(cli, "--no-builtin")) == expected
    head, *tables = HAND_WRITTEN.split("[[snippets]]\nid = ")
    kept = "".join(f"[[snippets]]\nid = {t}" for t in tables if not t.startswith(f'"{ident}"'))
    assert user_catalog.read_bytes() == (head + kept).replace("\n", newline).encode()


def test_inline_snippet_arrays_are_refused_unchanged(user_catalog: Path) -> None:
    """A catalog whose snippets are not [[snippets]] tables is not edited (exit 2)."""
    text = 'snippets = [{id = "inline", title = "T", tags = ["a"], code = "pass"}]\n'
    write(user_catalog, text)
    with pytest.raises(UsageError, match="cannot find the table of 'inline' safely"):
        usercatalog.remove("inline")
    assert user_catalog.read_text("utf-8") == text


# ----------------------------------------------------------------------------- broken catalogs


BROKEN = 'version = 1\n\n[[snippets]]\nid = "oops"\ntitle = "unterminated\ntags = ["x"]\n'


@pytest.mark.parametrize("args", [add_args("new-one"), ["remove", "oops"]], ids=["add", "remove"])
def test_an_unparsable_user_catalog_is_never_written(
    cli: Invoke, user_catalog: Path, args: list[str]
) -> None:
    """add and remove refuse a broken user catalog: exit 2 naming the file and line; the file
    stays byte-identical."""
    write(user_catalog, BROKEN)
    result = cli(*args, input="pass\n")
    assert result.exit_code == 2
    assert f"{user_catalog}:5" in result.stderr
    assert user_catalog.read_bytes() == BROKEN.encode()
    assert leftovers(user_catalog.parent) == []


@pytest.mark.parametrize(
    ("args", "code"),
    [(["list"], 0), (["show", "gather"], 0), (["tags"], 0), (["show", "oops"], 1)],
    ids=["list", "show", "tags", "show-missing"],
)
def test_an_unparsable_user_catalog_stops_no_reading_command(
    cli: Invoke, user_catalog: Path, args: list[str], code: int
) -> None:
    """Reading commands go on without the broken file, after one warning naming it, its
    line and `asyncsnip doctor`; the file stays byte-identical."""
    write(user_catalog, BROKEN)
    result = cli(*args)
    assert result.exit_code == code
    warnings = [line for line in result.stderr.splitlines() if "warning" in line]
    assert len(warnings) == 1
    assert f"{user_catalog}:5" in warnings[0]
    assert "asyncsnip doctor" in warnings[0]
    assert user_catalog.read_bytes() == BROKEN.encode()


@pytest.mark.parametrize("action", ["add", "remove"])
def test_module_refuses_an_invalid_catalog(user_catalog: Path, action: str) -> None:
    """Called directly, add and remove raise CatalogError and leave the file alone."""
    write(user_catalog, BROKEN)
    table = usercatalog.new_table(
        "n", "T", ["x"], "pass", section=None, summary=None, notes=None, python=None
    )
    with pytest.raises(CatalogError) as info:
        usercatalog.add(table, False) if action == "add" else usercatalog.remove("oops")
    assert f"{user_catalog}:5" in info.value.message
    assert user_catalog.read_bytes() == BROKEN.encode()


def test_doctor_shows_the_user_catalog_state(cli: Invoke, user_catalog: Path) -> None:
    """doctor names the user catalog path with its snippet count, or says it is invalid."""
    assert "not created yet" in cli("doctor").stdout
    write(user_catalog, EXISTING)
    line = next(x for x in cli("doctor").stdout.splitlines() if x.startswith("user catalog"))
    assert line.endswith(f"{user_catalog} (2 snippets)")
    write(user_catalog, BROKEN)
    result = cli("doctor")
    assert result.exit_code == 2
    assert f"{user_catalog} (invalid" in result.stdout


# ----------------------------------------------------------------------------- failures


@pytest.mark.parametrize("failing", ["replace", "fsync"])
@pytest.mark.parametrize("action", ["add", "remove"])
def test_a_failure_during_the_write_leaves_the_original_intact(
    user_catalog: Path, monkeypatch: pytest.MonkeyPatch, failing: str, action: str
) -> None:
    """os.replace or os.fsync failing: the catalog is untouched and no temporary file stays."""
    write(user_catalog, EXISTING)

    def broken(*args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, failing, broken)
    table = usercatalog.new_table(
        "n", "T", ["x"], "pass", section=None, summary=None, notes=None, python=None
    )
    with pytest.raises(UsageError, match="not written: No space left on device"):
        usercatalog.add(table, False) if action == "add" else usercatalog.remove("mine-first")
    assert user_catalog.read_text("utf-8") == EXISTING
    assert leftovers(user_catalog.parent) == []


def test_a_wrong_edit_is_caught_before_it_replaces_the_file(
    user_catalog: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The written temporary file is parsed and compared before os.replace."""
    write(user_catalog, EXISTING)
    monkeypatch.setattr(usercatalog, "_serialise", lambda table: "[[snippets]]\nid = 'x'\n")
    table = usercatalog.new_table(
        "n", "T", ["x"], "pass", section=None, summary=None, notes=None, python=None
    )
    with pytest.raises(CatalogError, match="not changed"):
        usercatalog.add(table, False)
    assert user_catalog.read_text("utf-8") == EXISTING
    assert leftovers(user_catalog.parent) == []


# ----------------------------------------------------------------------------- the file itself


def test_a_symlinked_catalog_stays_a_link_and_its_target_changes(
    cli: Invoke, user_catalog: Path, tmp_path: Path
) -> None:
    """Writes go through a symlinked config file to its target (dotfiles setups)."""
    target = write(tmp_path / "dotfiles" / "asyncsnip.toml", EXISTING)
    user_catalog.parent.mkdir(parents=True)
    user_catalog.symlink_to(target)
    assert cli(*add_args("via-link"), input="pass\n").exit_code == 0
    assert cli("remove", "mine-first").exit_code == 0
    assert user_catalog.is_symlink()
    assert user_catalog.resolve() == target
    assert user_ids(target) == ["mine-second", "via-link"]
    assert leftovers(target.parent) == []


def test_the_file_mode_is_kept(cli: Invoke, user_catalog: Path) -> None:
    """A private (0600) catalog stays private, and so does its backup."""
    write(user_catalog, EXISTING).chmod(0o600)
    assert cli(*add_args("private"), input="pass\n").exit_code == 0
    assert stat.S_IMODE(user_catalog.stat().st_mode) == 0o600
    assert cli("remove", "private").exit_code == 0
    assert stat.S_IMODE(user_catalog.stat().st_mode) == 0o600
    assert stat.S_IMODE(user_catalog.with_name("snippets.toml.bak").stat().st_mode) == 0o600


def test_the_parse_cache_never_goes_stale(cli: Invoke, user_catalog: Path) -> None:
    """A cached parse of the old file is not used after a write."""
    write(user_catalog, EXISTING)
    os.utime(user_catalog, (1_000_000_000, 1_000_000_000))  # old enough to be cached
    assert list(listed(cli, "--no-builtin")) == ["mine-first", "mine-second"]
    assert cli(*add_args("fresh"), input="pass\n").exit_code == 0
    assert list(listed(cli, "--no-builtin")) == ["mine-first", "mine-second", "fresh"]
    assert cli("remove", "mine-first").exit_code == 0
    assert list(listed(cli, "--no-builtin")) == ["mine-second", "fresh"]


def test_eight_concurrent_adds_all_land(user_catalog: Path) -> None:
    """8 `asyncsnip add` processes started at once leave all 8 snippets in a valid file."""
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "asyncsnip", *add_args(f"race-{i}")],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for i in range(8)
    ]
    outcomes = [p.communicate(b"print('race')\n", timeout=120) for p in processes]
    assert [p.returncode for p in processes] == [0] * 8, [err for _, err in outcomes]
    listing = asyncsnip("list", "--json", "--tag", "mine")
    assert listing.returncode == 0
    assert sorted(s["id"] for s in json.loads(listing.stdout)) == [f"race-{i}" for i in range(8)]
    assert parse(user_catalog.read_text("utf-8"), user_catalog).problems == []
    assert leftovers(user_catalog.parent) == []


# ----------------------------------------------------------------------------- layering


def test_a_forced_user_snippet_replaces_the_builtin_everywhere(
    cli: Invoke, user_catalog: Path
) -> None:
    """With --force a built-in id is overridden in list, show, run and check."""
    code = "print('my gather')\n"
    refused = cli(*add_args("gather-results"), input=code)
    assert refused.exit_code == 2
    assert "exists already (builtin)" in refused.stderr
    assert not user_catalog.exists()
    assert cli(*add_args("gather-results", "--force", "--record"), input=code).exit_code == 0
    assert listed(cli)["gather-results"]["source"] == str(user_catalog)
    shown = cli("show", "gather-results", "--view", "code")
    assert shown.stdout == code
    ran = cli("run", "gather-results")
    assert ran.exit_code == 0
    assert ran.stdout == "my gather\n"
    checked = cli("check", "gather-results", "--json")
    assert checked.exit_code == 0
    assert json.loads(checked.stdout)["results"][0]["stdout"] == "my gather\n"
    assert cli("remove", "gather-results").exit_code == 0
    assert listed(cli)["gather-results"]["source"] == "builtin"


# ----------------------------------------------------------------------------- property


PIECES = [
    *(chr(c) for c in range(32, 127)),
    *"\t\n\x0b\x0c",
    "\r\n",
    "\r",
    "'''",
    '"""',
    "\\\n",
    "é",
    "→",
    "🐍",
    "\u2028",
    "\x85",
    "\x7f",
    "[[snippets]]",
]


def as_comments(text: str) -> str:
    """Arbitrary text made into code that compiles: every line is a comment."""
    return "#" + re.sub(r"(\r\n|\r|\n)", r"\1#", text)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    text=st.lists(st.sampled_from(PIECES), max_size=40).map("".join),
    ending=st.sampled_from(["", "\n", "\n\n", "  ", "\t\n"]),
)
def test_any_code_round_trips_through_add_and_load(
    user_catalog: Path, text: str, ending: str
) -> None:
    """new_table + add (replacing the previous example's table) + load give the same code,
    and the same summary unless it holds a control character, which is refused there."""
    code = as_comments(text) + ending
    summary = text or None
    if any(unicodedata.category(c) == "Cc" and c not in "\n\t" for c in text):
        with pytest.raises(UsageError, match="field 'summary': control character"):
            usercatalog.new_table(
                "prop", "T", ["x"], code, section=None, summary=text, notes=None, python=None
            )
        summary = None
    table = usercatalog.new_table(
        "prop", "T", ["x"], code, section=None, summary=summary, notes=None, python=None
    )
    usercatalog.add(table, replace=True)
    snippet = load(builtin=False).snippets["prop"]
    assert snippet.code == code
    assert snippet.summary == (summary or "")


BARRIER = """
import os, runpy, sys, time
go = sys.argv.pop(1)
import asyncsnip.cli.app, asyncsnip.store.usercatalog  # imported before the start, to overlap
while not os.path.exists(go):
    time.sleep(0.001)
runpy.run_module("asyncsnip", run_name="__main__", alter_sys=True)
"""


def test_adds_released_at_the_same_instant_are_serialised(
    user_catalog: Path, tmp_path: Path
) -> None:
    """Processes that wait at a barrier, already imported, then add at once: none is lost."""
    go = tmp_path / "go"
    code = write(tmp_path / "code.py", "pass\n")
    processes = [
        subprocess.Popen(
            [
                sys.executable,
                "-c",
                BARRIER,
                str(go),
                *add_args(f"burst-{i}"),
                f"--code-file={code}",
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for i in range(12)
    ]
    time.sleep(1.5)
    go.touch()
    errors = [process.communicate(timeout=120)[1] for process in processes]
    assert [process.returncode for process in processes] == [0] * 12, errors
    assert sorted(user_ids(user_catalog)) == sorted(f"burst-{i}" for i in range(12))
