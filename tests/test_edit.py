"""`edit`: a scripted editor (a real program given as EDITOR) saves, aborts, fails and retries."""

from __future__ import annotations

import json
import os
import sys
import tomllib
from pathlib import Path

import pytest

from asyncsnip.cli.editing import editor
from conftest import PROMPT, Terminal, asyncsnip

EDITOR = f"{sys.executable} {Path(__file__).parent / 'data' / 'scripted_editor.py'}"
MINE = """\
# My snippets; this comment stays.
version = 1

[[snippets]]  # first
id = "mine"
title = "Mine"
tags = ["mine"]
code = '''
print("mine")
'''
output = "mine"

# the second one
[[snippets]]
id = "other"
title = "Other"
tags = ["mine"]
code = "print('other')"
"""


def edit(tmp_path: Path, steps: list[dict], *args: str, answers: str = "") -> tuple[int, str]:
    """Run `asyncsnip edit ARGS` with the scripted editor doing `steps`; (exit code, stderr)."""
    env = {"EDITOR": EDITOR, "EDITOR_STEPS": json.dumps(steps)}
    env |= {"EDITOR_LOG": str(tmp_path / "editor.log"), "TMPDIR": str(tmp_path)}
    proc = asyncsnip("edit", *args, env=env, stdin=answers.encode(), detached=True)
    return proc.returncode, proc.stderr.decode()


def shown(tmp_path: Path) -> list[str]:
    """The texts the editor was given, run by run."""
    log = (tmp_path / "editor.log").read_text(encoding="utf-8").splitlines()
    return [json.loads(line)["text"] for line in log]


@pytest.fixture
def mine(user_catalog: Path) -> Path:
    user_catalog.parent.mkdir(parents=True)
    user_catalog.write_text(MINE, encoding="utf-8")
    return user_catalog


def test_editing_a_builtin_saves_an_override(tmp_path: Path, user_catalog: Path) -> None:
    """The built-in snippet opens as one TOML table with its code as a literal string; the
    saved change is an override in the user catalog, and says so."""
    code, err = edit(tmp_path, [{"replace": ["print(results)", "print('sum', sum(results))"]}],
                     "gather-results")  # fmt: skip
    assert code == 0, err
    assert f"saved an override of the built-in snippet 'gather-results' to {user_catalog}" in err
    (text,) = shown(tmp_path)
    assert text.count("[[snippets]]") == 1 and "code = '''\nimport asyncio" in text
    doc = tomllib.loads(user_catalog.read_text(encoding="utf-8"))
    (table,) = doc["snippets"]
    assert table["id"] == "gather-results" and "print('sum', sum(results))" in table["code"]
    listed = asyncsnip("list", "--json")
    source = {s["id"]: s["source"] for s in json.loads(listed.stdout)}["gather-results"]
    assert source == str(user_catalog)


def test_a_user_snippet_is_replaced_in_place_byte_for_byte(tmp_path: Path, mine: Path) -> None:
    """Only the edited table changes; every other byte, comments included, is kept."""
    code, err = edit(tmp_path, [{"replace": ['print("mine")', 'print("changed")']}], "mine")
    assert code == 0, err
    assert shown(tmp_path)[0].endswith('[[snippets]]  # first\nid = "mine"\ntitle = "Mine"\n'
        'tags = ["mine"]\ncode = \'\'\'\nprint("mine")\n\'\'\'\noutput = "mine"\n')  # fmt: skip
    assert mine.read_text(encoding="utf-8") == MINE.replace('print("mine")', 'print("changed")')
    assert mine.with_name("snippets.toml.bak").read_text(encoding="utf-8") == MINE


def test_invalid_edit_then_a_second_try(tmp_path: Path, mine: Path) -> None:
    """A wrong edit is refused with why; answering yes reopens the edited text; the fixed
    second try is saved."""
    steps = [
        {"replace": ['title = "Mine"', 'title = "Mine"\ncolour = "red"']},
        {"replace": ['colour = "red"', 'notes = "fixed"']},
    ]
    code, err = edit(tmp_path, steps, "mine", answers="y\n")
    assert code == 0, err
    assert "field 'colour': unknown field" in err
    assert "edit it again? [Y/n]" in err
    _first, second = shown(tmp_path)
    assert 'colour = "red"' in second  # the second try starts from the first one
    assert tomllib.loads(mine.read_text(encoding="utf-8"))["snippets"][0]["notes"] == "fixed"


@pytest.mark.parametrize(("answers", "why"), [("n\n", "not saved;"), ("", "no terminal")])
def test_abort_writes_nothing_and_keeps_the_text(
    tmp_path: Path, mine: Path, answers: str, why: str
) -> None:
    """Answering no, or having no terminal to ask on, changes nothing; the rejected text is
    kept in a file named in the hint."""
    steps = [{"replace": ['print("mine")', 'print("mine"']}]
    code, err = edit(tmp_path, steps, "mine", answers=answers)
    assert code == 2
    assert "does not compile" in err and why in err
    assert mine.read_text(encoding="utf-8") == MINE
    kept = Path(err.split("your text is in ")[1].strip())
    assert 'print("mine"\n' in kept.read_text(encoding="utf-8")


def test_a_failing_editor_or_no_change_changes_nothing(tmp_path: Path, mine: Path) -> None:
    """An editor that exits non-zero is exit 1; a file saved unchanged is exit 0; neither
    writes anything."""
    code, err = edit(tmp_path, [{"exit": 3}], "mine")
    assert code == 1 and "exited with status 3; nothing changed" in err
    code, err = edit(tmp_path, [{"keep": True}], "mine")
    assert code == 0 and "no changes; nothing was changed" in err
    assert mine.read_text(encoding="utf-8") == MINE
    assert not mine.with_name("snippets.toml.bak").exists()


def test_an_unknown_section_is_refused(tmp_path: Path, mine: Path) -> None:
    """The loader's section check runs on the edit: a section nobody defines is refused."""
    steps = [{"replace": ['title = "Mine"', 'title = "Mine"\nsection = "nowhere"']}]
    code, err = edit(tmp_path, steps, "mine", answers="n\n")
    assert code == 2
    assert "no loaded catalog defines section 'nowhere'" in err


def test_record_stores_the_new_output(tmp_path: Path, mine: Path) -> None:
    """--record runs the edited snippet and stores what it printed."""
    code, err = edit(tmp_path, [{"replace": ['print("mine")', 'print("recorded")']}],
                     "mine", "--record")  # fmt: skip
    assert code == 0, err
    table = tomllib.loads(mine.read_text(encoding="utf-8"))["snippets"][0]
    assert table["output"] == "recorded\n"


def test_the_whole_user_catalog_with_the_same_check(tmp_path: Path, mine: Path) -> None:
    """With no id the whole file is edited; an invalid save is refused, a valid one lands."""
    steps = [
        {"replace": ['id = "other"', 'id = "mine"']},
        {"replace": ['id = "mine"\ntitle = "Other"', 'id = "third"\ntitle = "Other"']},
    ]
    code, err = edit(tmp_path, steps, answers="y\n")
    assert code == 0, err
    assert "duplicate id 'mine'" in err
    assert shown(tmp_path)[0] == MINE
    assert mine.read_text(encoding="utf-8") == MINE.replace('id = "other"', 'id = "third"')


def test_the_editor_is_chosen_as_git_chooses(monkeypatch: pytest.MonkeyPatch) -> None:
    """$VISUAL, unless the terminal is dumb; then $EDITOR; then the system default."""
    monkeypatch.setenv("TERM", "xterm")
    monkeypatch.setenv("VISUAL", "visual-editor")
    monkeypatch.setenv("EDITOR", "plain-editor")
    assert editor() == "visual-editor"
    monkeypatch.setenv("TERM", "dumb")
    assert editor() == "plain-editor"
    monkeypatch.setenv("TERM", "xterm")
    monkeypatch.delenv("VISUAL")
    monkeypatch.delenv("EDITOR")
    monkeypatch.setenv("PATH", str(Path(sys.executable).parent))
    with pytest.raises(Exception, match="no editor found"):
        editor()


def test_on_a_real_terminal_the_question_is_answered_there(tmp_path: Path, mine: Path) -> None:
    """In a real terminal (tmux): the invalid edit is explained, `y` typed at the prompt
    reopens the editor, and the second try is saved."""
    steps = [
        {"replace": ['print("mine")', 'print("mine"']},
        {"replace": ['print("mine"\n', 'print("tty")\n']},
    ]
    env = {**os.environ, "EDITOR": EDITOR, "EDITOR_STEPS": json.dumps(steps), "PS1": PROMPT}
    env |= {"EDITOR_LOG": str(tmp_path / "editor.log"), "TERM": "xterm"}
    terminal = Terminal(["bash", "--norc", "--noprofile"], env)
    try:
        terminal.wait_for(PROMPT)
        terminal.type(f"{sys.executable} -m asyncsnip edit mine; echo exit-$((40 + $?))")
        terminal.key("Enter")
        terminal.wait_for("edit it again? [Y/n]")
        terminal.type("y")
        terminal.key("Enter")
        screen = terminal.wait_for("exit-40")  # exit status 0
    finally:
        terminal.close()
    assert "saved 'mine'" in screen
    assert 'print("tty")' in mine.read_text(encoding="utf-8")
