"""Completion answers are data in every shell: any text asyncsnip offers comes back from the
real bash, zsh and fish exactly as it was, and nothing in it ever runs.

The property tests encode candidates with `completion.answer`, decode them with the functions
the shipped scripts themselves use (`_asyncsnip_decode`, `__asyncsnip_decode`), and read back
what the shell made of them: in bash, by letting bash parse each quoted value as a word of a
command line; in fish, through `complete -C`, fish's own completion machinery.
"""

from __future__ import annotations

import subprocess
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from asyncsnip.completion import answer
from conftest import examples

REPO = Path(__file__).resolve().parent.parent
SCRIPTS = {
    "bash": REPO / "completions" / "asyncsnip.bash",
    "zsh": REPO / "completions" / "_asyncsnip",
    "fish": REPO / "completions" / "asyncsnip.fish",
}
# Characters shells treat specially, so that examples hit them often.
SHELL_CHARS = "\\'\"$()`;:!*?~{}[]|&<>#%^= \t\n-é中\u202e\x1b\x00\r"
texts = st.text(max_size=24) | st.text(alphabet=SHELL_CHARS + "ab", max_size=24)
candidates = st.lists(st.tuples(texts, texts), max_size=5, unique_by=lambda c: c[0])


def encoded(pairs: list[tuple[str, str]]) -> tuple[str, list[tuple[str, str]]]:
    """The answer for `pairs`, and the (value, description) records it holds."""
    text = answer(pairs)
    records = [tuple(line.split("\t")[1:]) for line in text.splitlines()]
    assert all(len(record) == 2 for record in records), text
    return text, records  # type: ignore[return-value]


def shell_env(tmp: Path) -> dict[str, str]:
    return {"PATH": "/usr/bin:/bin", "HOME": str(tmp), "LANG": "C.UTF-8"}


def run_shell(argv: list[str], stdin: str, env: dict[str, str]) -> bytes:
    """Run in $HOME (an empty folder: where a shell completes file names, it finds none)."""
    proc = subprocess.run(
        argv, input=stdin.encode(), env=env, cwd=env["HOME"], capture_output=True, timeout=30
    )
    assert proc.returncode == 0 and proc.stderr == b"", proc.stderr
    return proc.stdout


def nul_fields(out: bytes) -> list[str]:
    assert out.endswith(b"\0") or out == b""
    return [field.decode() for field in out.split(b"\0")[:-1]]


def printable(value: str) -> bool:
    """What must be offered: a visible, non-blank value (no control or format character)."""
    return bool(value.strip()) and value.isprintable()


def _check_values(pairs: list[tuple[str, str]], got: list[str]) -> None:
    """The values come back exactly, in order; every printable value is among them."""
    originals = [value for value, _ in pairs]
    assert all(value in originals for value in got)
    assert got == [value for value in originals if value in got]
    assert all(value in got for value in originals if printable(value))


@settings(max_examples=examples(200))
@given(pairs=candidates)
def test_bash_quoting_round_trips(pairs: list[tuple[str, str]], tmp_path_factory) -> None:
    """Each value bash would insert, parsed back by bash as a command-line word, is the
    value asyncsnip offered, whatever its characters."""
    text, records = encoded(pairs)
    read_back = (
        f"source {SCRIPTS['bash']}; _asyncsnip_decode;"
        ' for quoted in "${COMPREPLY[@]}"; do eval "printf \'%s\\0\' $quoted"; done'
    )
    env = shell_env(tmp_path_factory.getbasetemp())
    got = nul_fields(run_shell(["bash", "--norc", "--noprofile", "-c", read_back], text, env))
    assert got == [value for value, _ in records]
    _check_values(pairs, got)


@settings(max_examples=examples(200))
@given(pairs=candidates)
def test_zsh_decoding_round_trips(pairs: list[tuple[str, str]], tmp_path_factory) -> None:
    """zsh's decoding hands compadd exactly the values and descriptions asyncsnip wrote."""
    text, records = encoded(pairs)
    read_back = (
        f"compdef() {{ :; }}; source {SCRIPTS['zsh']}; _asyncsnip_decode;"
        " for (( i = 1; i <= ${#_asyncsnip_values}; i++ )); do"
        " print -rn -- \"${_asyncsnip_values[i]}\"$'\\0'\"${_asyncsnip_descriptions[i]}\"$'\\0';"
        " done"
    )
    env = shell_env(tmp_path_factory.getbasetemp())
    fields = nul_fields(run_shell(["zsh", "-f", "-c", read_back], text, env))
    got = list(zip(fields[::2], fields[1::2], strict=True))
    assert got == records
    _check_values(pairs, [value for value, _ in got])


@settings(max_examples=examples(100))
@given(pairs=candidates)
def test_fish_completion_round_trips(pairs: list[tuple[str, str]], tmp_path_factory) -> None:
    """`complete -C` (fish's own completion of a line) lists exactly the values and
    descriptions asyncsnip answered, the answer coming from a stand-in asyncsnip."""
    text, records = encoded(pairs)
    env = stand_in_env(tmp_path_factory.mktemp("fish"), text)
    command = f"source {SCRIPTS['fish']}; complete -C 'asyncsnip run '"
    out = run_shell(["fish", "--no-config", "-c", command], "", env).decode()
    got = [tuple(line.split("\t", 1)) for line in out.splitlines()]
    # a leading `~` is left out by the script (see there); fish itself hides values that
    # start with `.` until the word typed does too, as it hides dot files
    hidden = ("~", ".")
    kept = [(value, d) for value, d in records if not value.startswith(hidden)]
    assert got == [(value, d) if d else (value,) for value, d in kept]
    _check_values([p for p in pairs if not p[0].startswith(hidden)], [r[0] for r in got])


@settings(max_examples=examples(100))
@given(pairs=candidates)
def test_bash_completion_function_round_trips(
    pairs: list[tuple[str, str]], tmp_path_factory
) -> None:
    """bash's whole completion function, run as bash runs it on TAB against a stand-in
    asyncsnip, fills COMPREPLY with words that parse back to exactly the values offered."""
    text, records = encoded(pairs)
    env = stand_in_env(tmp_path_factory.mktemp("bash"), text)
    command = (
        f"source {SCRIPTS['bash']}; COMP_WORDS=(asyncsnip run ''); COMP_CWORD=2;"
        " _asyncsnip_completion asyncsnip run asyncsnip;"
        ' for quoted in "${COMPREPLY[@]}"; do eval "printf \'%s\\0\' $quoted"; done'
    )
    got = nul_fields(run_shell(["bash", "--norc", "--noprofile", "-c", command], "", env))
    assert got == [value for value, _ in records]


def stand_in_env(folder: Path, text: str) -> dict[str, str]:
    """An environment whose `asyncsnip` is a stand-in answering `text`; $HOME is empty."""
    (folder / "bin").mkdir()
    (folder / "home").mkdir()
    (folder / "answer").write_text(text, encoding="utf-8")
    stand_in(folder / "bin")
    env = dict(shell_env(folder / "home"), STUB_ANSWER=str(folder / "answer"))
    return dict(env, PATH=f"{folder / 'bin'}:{env['PATH']}", STUB_ARGS=str(folder / "args"))


def stand_in(folder: Path) -> Path:
    """An `asyncsnip` that answers completion requests with the file $STUB_ANSWER and, run
    as a command, records its arguments (NUL-separated) in $STUB_ARGS."""
    program = folder / "asyncsnip"
    program.write_text(
        "#!/bin/sh\n"
        'if [ -n "$_ASYNCSNIP_COMPLETE" ]; then cat "$STUB_ANSWER"; exit 0; fi\n'
        'printf \'%s\\0\' "$@" > "$STUB_ARGS.tmp" && mv "$STUB_ARGS.tmp" "$STUB_ARGS"\n'
    )
    program.chmod(0o755)
    return program


@pytest.mark.parametrize("shell", sorted(SCRIPTS))
def test_descriptions_keep_every_character(shell: str, tmp_path: Path) -> None:
    """A description ending in a backslash, or holding a colon, is shown as written (zsh's
    _describe would eat the backslash: the script gives compadd the text itself)."""
    pairs = [("gather-results", "Gather results \\"), ("queue-shutdown", "a:b \\: c")]
    text, records = encoded(pairs)
    assert records == pairs
    if shell == "bash":
        return  # bash shows no descriptions
    read_back = {
        "zsh": f"compdef() {{ :; }}; source {SCRIPTS['zsh']}; _asyncsnip_decode;"
        " print -rl -- $_asyncsnip_descriptions",
        "fish": f"source {SCRIPTS['fish']}; __asyncsnip_decode '' (cat) | string split -f2 \\t",
    }[shell]
    argv = ["zsh", "-f", "-c", read_back] if shell == "zsh" else ["fish", "--no-config", "-c"]
    if shell == "fish":
        argv.append(read_back)
    out = run_shell(argv, text, shell_env(tmp_path)).decode()
    assert out.splitlines() == ["Gather results \\", "a:b \\: c"]


def test_values_with_controls_are_not_offered() -> None:
    """A value holding a newline, a tab, an escape or a bidi override cannot be one word on
    a command line: it is left out, and the answer stays one line per candidate."""
    pairs = [("a\nb", ""), ("c\td", ""), ("e\x1bf", ""), ("g\u202eh", ""), ("  ", ""), ("ok", "")]
    text, records = encoded(pairs)
    assert records == [("ok", "")]
    assert text == "plain\tok\t\n"


@settings(max_examples=examples(100))
@given(value=st.text(max_size=30), description=texts)
def test_an_answer_line_is_one_line_of_visible_text(value: str, description: str) -> None:
    """Whatever the description, its record is one line with no control character; printable
    descriptions are kept as they are."""
    text = answer([("v", description), (value, "x")])
    lines = text.split("\n")[:-1]
    assert len(lines) in (1, 2)
    for line in lines:
        kind, shown_value, shown = line.split("\t")
        assert kind == "plain"
        assert all(unicodedata.category(c) != "Cc" for c in shown_value + shown)
    if description.isprintable():
        assert lines[0] == f"plain\tv\t{description}"
