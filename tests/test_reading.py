"""Reading commands as a new user meets them: filters that say when they match nothing,
sections, a broken file that stops nothing, layouts from 60 columns up, help that teaches."""

from __future__ import annotations

import json
import os
import re
import shlex
import sys
import tomllib
from pathlib import Path

import pytest

from conftest import EXE, GOOD, Invoke, asyncsnip, on_terminal

BUILTIN = tomllib.loads(
    (Path(__file__).resolve().parent.parent / "data" / "snippets.toml").read_text()
)
ROOT = Path(__file__).resolve().parent.parent
BROKEN = 'version = 1\n\n[[snippets]]\nid = "oops"\ntitle = "unterminated\ntags = ["x"]\n'
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


# ------------------------------------------------------------------ filters


@pytest.mark.parametrize("command", [["list"], ["check"], ["export"]])
@pytest.mark.parametrize(
    ("option", "typo", "meant"), [("--tag", "gathr", "gather"), ("--section", "queus", "queues")]
)
def test_an_unknown_filter_is_exit_2_with_did_you_mean(
    cli: Invoke, command: list[str], option: str, typo: str, meant: str
) -> None:
    """An unknown --tag or --section never passes silently: exit 2, nothing on stdout, and
    the close name suggested."""
    result = cli(*command, option, typo)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert f"'{typo}'" in result.stderr
    assert f"did you mean: {meant}" in result.stderr


def listed(cli: Invoke, *args: str) -> list[str]:
    result = cli("list", "--json", *args)
    assert result.exit_code == 0, result.stderr
    return [s["id"] for s in json.loads(result.stdout)]


def test_tags_and_sections_match_whatever_the_case(cli: Invoke) -> None:
    """`--tag Queue`, `--section QUEUES` and the section's title select what the slugs do."""
    queue = listed(cli, "--tag", "queue")
    assert queue and listed(cli, "--tag", "Queue") == queue
    section = listed(cli, "--section", "tasks")
    assert section
    assert listed(cli, "--section", "TASKS") == section
    assert listed(cli, "--section", "Tasks and Concurrency") == section
    assert listed(cli, "--section", "tasks and concurrency") == section


def test_show_takes_a_section_title(cli: Invoke) -> None:
    """`show "Tasks and Concurrency"` shows exactly that section's snippets."""
    result = cli("show", "Tasks and Concurrency", "--json")
    assert result.exit_code == 0
    expected = {s["id"] for s in BUILTIN["snippets"] if s.get("section") == "tasks"}
    assert {s["id"] for s in json.loads(result.stdout)} == expected


def test_sections_lists_ids_titles_and_counts(cli: Invoke) -> None:
    """`sections --json`: every section of the catalog file, in order, with its count."""
    result = cli("sections", "--json")
    assert result.exit_code == 0
    counts: dict[str, int] = {}
    for snippet in BUILTIN["snippets"]:
        counts[snippet["section"]] = counts.get(snippet["section"], 0) + 1
    expected = [
        {"id": s["id"], "title": s["title"], "count": counts.get(s["id"], 0)}
        for s in BUILTIN["sections"]
    ]
    assert json.loads(result.stdout) == expected
    plain = cli("sections")
    assert plain.exit_code == 0
    assert "Tasks and Concurrency" in plain.stdout


def test_an_unknown_section_hint_points_at_sections(cli: Invoke) -> None:
    """Nothing close to an unknown section: the hint names the `sections` command."""
    result = cli("list", "--section", "zzzzzz")
    assert result.exit_code == 2
    assert "asyncsnip sections" in result.stderr


# ------------------------------------------------------------------ broken files


@pytest.fixture
def broken_user_catalog(user_catalog: Path) -> Path:
    user_catalog.parent.mkdir(parents=True, exist_ok=True)
    user_catalog.write_text(BROKEN, encoding="utf-8")
    return user_catalog


@pytest.mark.parametrize(
    "args",
    [["list"], ["tags"], ["sections"], ["show", "gather"], ["export", "--tag", "gather"],
     ["copy", "nosuch-id"], ["run", "hello-world"], ["check", "hello-world"]],
)  # fmt: skip
def test_a_broken_user_catalog_gives_one_warning(
    broken_user_catalog: Path, args: list[str]
) -> None:
    """Every reading command warns once (file, line, `asyncsnip doctor`) and goes on with
    the other catalogs."""
    done = asyncsnip(*args)
    warnings = [x for x in done.stderr.decode().splitlines() if "warning" in x]
    assert len(warnings) == 1, done.stderr
    assert f"{broken_user_catalog}:5" in warnings[0]
    assert "asyncsnip doctor" in warnings[0]
    assert b"Traceback" not in done.stderr
    assert done.returncode == (2 if args[0] == "copy" else 0)


def test_an_env_catalog_that_is_broken_is_left_out(cli: Invoke, tmp_path: Path) -> None:
    """A broken file in ASYNCSNIP_CATALOG is left out with a warning, like the user's."""
    bad = tmp_path / "team.toml"
    bad.write_text(BROKEN, encoding="utf-8")
    done = asyncsnip("list", env={"ASYNCSNIP_CATALOG": str(bad)})
    assert done.returncode == 0
    assert b"hello-world" in done.stdout
    assert f"{bad}:5".encode() in done.stderr


def test_catalog_option_stays_a_hard_error(tmp_path: Path) -> None:
    """A file named with --catalog was asked for: invalid, it is exit 2."""
    bad = tmp_path / "mine.toml"
    bad.write_text(BROKEN, encoding="utf-8")
    done = asyncsnip("--catalog", bad, "list")
    assert done.returncode == 2
    assert done.stdout == b""
    assert f"{bad}:5".encode() in done.stderr


def test_a_broken_user_catalog_still_completes_builtin_ids(broken_user_catalog: Path) -> None:
    """TAB still offers the built-in ids (and prints nothing else) when the user catalog
    does not parse."""
    env = {"_ASYNCSNIP_COMPLETE": "complete_bash", "COMP_WORDS": "asyncsnip run gather-r"}
    done = asyncsnip(env={**env, "COMP_CWORD": "2"})
    assert done.returncode == 0
    values = [line.split("\t")[1] for line in done.stdout.decode().splitlines()]
    assert "gather-results" in values


def test_doctor_lists_every_problem(broken_user_catalog: Path) -> None:
    """doctor names the broken file and each of its problems, and exits 2."""
    done = asyncsnip("doctor")
    assert done.returncode == 2
    out = done.stdout.decode()
    assert f"{broken_user_catalog}:5" in out
    assert "problem" in out


def test_add_refuses_a_broken_user_catalog(broken_user_catalog: Path) -> None:
    """add refuses to touch a broken file: exit 2, the file unchanged."""
    done = asyncsnip("add", "new-one", "--title", "T", "--tag", "x", "--code-file", "-",
                     stdin=b"pass\n")  # fmt: skip
    assert done.returncode == 2
    assert broken_user_catalog.read_text() == BROKEN


# ------------------------------------------------------------------ layouts


def rows_of(text: bytes) -> list[str]:
    return [ANSI.sub("", line).rstrip() for line in text.decode().splitlines()]


@pytest.mark.parametrize("width", [60, 80, 120, 200])
def test_list_keeps_ids_whole_at_every_width(width: int) -> None:
    """`list` on a terminal: every id whole on its own row (titles are cut instead); from 80
    columns on, exactly one row per snippet."""
    done = on_terminal([EXE, "--no-pager", "list"], size=(50, width))
    assert done.code == 0
    rows = rows_of(done.terminal)[1:]
    ids = [s["id"] for s in BUILTIN["snippets"]]
    firsts = [row.split()[0] for row in rows if row.strip()]
    if width >= 80:
        assert firsts == ids
    else:
        assert [i for i in firsts if i in ids] == ids
    assert all(len(row) <= width for row in rows)


def test_source_column_only_for_snippets_not_built_in(tmp_path: Path) -> None:
    """The source column appears once a catalog of the user's is loaded, with `~` for the
    home folder, and built-in rows say builtin."""
    home = Path(os.environ["HOME"])
    mine = home / "mine.toml"
    mine.write_text(GOOD.read_text(), encoding="utf-8")
    plain = on_terminal([EXE, "--no-pager", "list"], size=(50, 200))
    assert "source" not in rows_of(plain.terminal)[0]
    both = on_terminal([EXE, "--no-pager", "--catalog", mine, "list"], size=(50, 200))
    rows = rows_of(both.terminal)
    assert "source" in rows[0]
    assert any("~/mine.toml" in row for row in rows)
    assert not any(str(home) in row for row in rows)


def test_check_with_several_pythons_names_versions_and_puts_failures_first(
    tmp_path: Path,
) -> None:
    """check over two Python versions: the python column holds versions, not paths, and a
    failing snippet comes first."""
    other = next(
        (p for v in ("3.12", "3.13") if (p := ROOT / ".venvs" / v / "bin" / "python").exists()),
        None,
    )
    assert other is not None, "no .venvs/3.12 or .venvs/3.13 (bash .ci/run makes them)"
    catalog = tmp_path / "two.toml"
    catalog.write_text(
        'version = 1\n[[snippets]]\nid = "fine"\ntitle = "Fine"\ntags = ["x"]\ncode = "pass"\n'
        '[[snippets]]\nid = "broken"\ntitle = "Broken"\ntags = ["x"]\n'
        'code = "raise SystemExit(3)"\n',
        encoding="utf-8",
    )
    args = ["--no-builtin", "--catalog", catalog, "check", "--python", sys.executable]
    done = on_terminal([EXE, "--no-pager", *args, "--python", other], size=(40, 100))
    rows = [row for row in rows_of(done.terminal) if row.strip()]
    version = ".".join(map(str, sys.version_info[:3]))
    body = [row for row in rows if row.split()[0] in ("passed", "failed")]
    assert len(body) == 4
    assert body[0].split()[:2] == ["failed", "broken"]
    assert sum(version in row for row in body) == 2
    assert not any("/" in row for row in body)


def test_doctor_paths_are_not_cut_at_60_columns() -> None:
    """Every path doctor prints is there whole, folded rather than cut."""
    done = on_terminal([EXE, "--no-pager", "doctor"], size=(50, 60))
    joined = "".join(row.strip() for row in rows_of(done.terminal))
    builtin = str(Path(__file__).resolve().parent.parent / "src" / "asyncsnip" / "data")
    assert builtin.replace(" ", "") in joined.replace(" ", "")


# ------------------------------------------------------------------ help


COMMANDS = ["list", "tags", "sections", "show", "run", "check", "copy", "export", "add",
            "remove", "doctor"]  # fmt: skip


@pytest.mark.parametrize("command", COMMANDS)
def test_help_reads_at_60_columns(command: str) -> None:
    """Each command's help fits 60 columns, shows no internal names and no stray spaces."""
    done = asyncsnip(command, "--help", env={"COLUMNS": "60"})
    assert done.returncode == 0
    text = done.stdout.decode()
    lines = text.splitlines()
    assert all(len(line) <= 60 for line in lines), [x for x in lines if len(x) > 60]
    assert "query_" not in text and "snippet_id" not in text
    assert not re.search(r"\w [.,;)]", text)


def test_usage_lines_name_query_and_id(cli: Invoke) -> None:
    """Usage lines show QUERY and ID, the words a user types."""
    assert "Usage: asyncsnip show [OPTIONS] QUERY" in cli("show", "--help").stdout
    assert "Usage: asyncsnip run [OPTIONS] ID" in cli("run", "--help").stdout


def test_add_section_says_what_it_does_for_add(cli: Invoke) -> None:
    """`add --section` has its own words: it puts the snippet in a section."""
    text = " ".join(cli("add", "--help").stdout.split())
    assert "Put it in this section" in text
    assert "Only this section" not in text


def test_command_summaries_are_whole_sentences(cli: Invoke) -> None:
    """The top-level help (and so zsh's descriptions) never cuts a summary mid-sentence."""
    listing = cli("--help").stdout.split("Commands:", 1)[1]
    assert "..." not in listing


def test_a_global_option_after_the_command_gets_a_hint(cli: Invoke) -> None:
    """`asyncsnip list --color never`: exit 2, and the hint says where global options go."""
    result = cli("list", "--color", "never")
    assert result.exit_code == 2
    assert "global option" in result.stderr
    assert "before the command" in result.stderr


def test_a_search_of_several_unquoted_words_gets_a_hint(cli: Invoke) -> None:
    """`asyncsnip show run blocking code`: exit 2, and the hint is the command to type, the
    words quoted; that command works."""
    result = cli("show", "run", "blocking", "code")
    assert result.exit_code == 2
    hint = result.stderr.splitlines()[-1]
    assert hint.startswith("asyncsnip: hint: to search for several words, quote them: ")
    command = hint.split("quote them: ", 1)[1]
    assert command == 'asyncsnip show "run blocking code"'
    assert cli(*shlex.split(command)[1:]).exit_code == 0


def test_the_quoting_hint_survives_the_shell(cli: Invoke) -> None:
    """Words a shell would change inside double quotes are quoted so that it does not."""
    result = cli("show", "it's", "$HOME")
    hint = result.stderr.splitlines()[-1].split("quote them: ", 1)[1]
    assert shlex.split(hint) == ["asyncsnip", "show", "it's $HOME"]
