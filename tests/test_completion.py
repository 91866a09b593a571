"""Completion requests as the shells make them: the fast path against Typer's own answers."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
DATA = Path(__file__).parent / "data"
FAST = [sys.executable, "-c", "from asyncsnip.__main__ import main; main()"]
TYPER = [sys.executable, "-c", "from asyncsnip.cli.app import run; run()"]

LINES = [
    "asyncsnip ",
    "asyncsnip sh",
    "asyncsnip show ",
    "asyncsnip show gath",
    "asyncsnip show q",
    "asyncsnip show --view ",
    "asyncsnip show -v c",
    "asyncsnip show gather ",
    "asyncsnip show --json gat",
    "asyncsnip run ",
    "asyncsnip run gather-r",
    "asyncsnip run --timeout 3 hel",
    "asyncsnip run --json ",
    "asyncsnip run --python ",
    "asyncsnip run gather-results ",
    "asyncsnip run -",
    "asyncsnip run --",
    "asyncsnip copy ",
    "asyncsnip copy task",
    "asyncsnip remove ",
    "asyncsnip check ",
    "asyncsnip check gather-results ",
    "asyncsnip check gather-results gather-r",
    "asyncsnip check --tag ",
    "asyncsnip check -t queue --tag q",
    "asyncsnip check --section ",
    "asyncsnip check -s ",
    "asyncsnip check --jobs 4 ",
    "asyncsnip list --tag ",
    "asyncsnip list --tag gather --tag ",
    "asyncsnip list --tag gather -t ti",
    "asyncsnip list --section q",
    "asyncsnip list --search ",
    "asyncsnip export --format ",
    "asyncsnip export --format m",
    "asyncsnip export --compact --tag ",
    "asyncsnip export --section ",
    "asyncsnip --no-builtin run ",
    "asyncsnip --color ",
    "asyncsnip --color never show gath",
    "asyncsnip --catalog {good} run ",
    "asyncsnip --no-builtin --catalog {good} show ",
    "asyncsnip --catalog {good} list --tag ",
    "asyncsnip nosuchcommand ",
    "asyncsnip run 'quo",
    "asyncsnip list --tag=ga",
]


def _xdg() -> dict[str, str]:
    return {k: os.environ[k] for k in ("XDG_CONFIG_HOME", "XDG_CACHE_HOME") if k in os.environ}


def request(
    argv: list[str], shell: str, line: str, extra: dict[str, str] | None = None
) -> tuple[int, str]:
    """One completion request, with the variables the shipped scripts set: the line up to the
    cursor, and the index of the word being completed (bash, zsh) or that word (fish)."""
    env = {"PATH": "/usr/bin:/bin", "HOME": str(Path.home()), **_xdg(), **(extra or {})}
    env["_ASYNCSNIP_COMPLETE"] = f"complete_{shell}"
    words = line.split(" ")
    cword = words[-1] if shell == "fish" else str(len(words) - 1)
    env.update(COMP_WORDS=line, COMP_CWORD=cword)
    proc = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=60)
    assert proc.stderr == ""
    return proc.returncode, proc.stdout


def values(answer: str) -> list[str]:
    """The candidate values of an answer (lines of KIND, VALUE, DESCRIPTION)."""
    return [line.split("\t")[1] for line in answer.splitlines()]


@pytest.fixture(autouse=True)
def warm_cache() -> None:
    """Fill the parsed-catalog cache first, so the fast path has something to answer from."""
    subprocess.run([*TYPER, "--catalog", str(DATA / "good.toml"), "list"], capture_output=True)


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_fast_path_answers_exactly_as_typer(shell: str) -> None:
    """For every input line, the fast path prints what Typer's completion prints."""
    differences = []
    for template in LINES:
        line = template.format(good=DATA / "good.toml")
        fast = request(FAST, shell, line)
        typer = request(TYPER, shell, line)
        if fast != typer:
            differences.append((line, fast, typer))
    assert differences == []


def test_candidates_are_the_ones_a_user_expects() -> None:
    """Spot checks written by hand: ids for run, gather things for show, tags minus given."""
    _, ids = request(FAST, "bash", "asyncsnip run gather-r")
    assert values(ids) == ["gather-results", "gather-return-exceptions"]
    _, tags = request(FAST, "bash", "asyncsnip list --tag gather --tag gath")
    assert values(tags) == []
    _, views = request(FAST, "bash", "asyncsnip show --view ")
    assert values(views) == ["standard", "detailed", "compact", "code"]
    _, described = request(FAST, "fish", "asyncsnip run gather-res")
    assert described == "plain\tgather-results\tRun coroutines concurrently with gather\n"


def test_fast_path_is_taken_for_ids() -> None:
    """An id request is answered without importing Typer or rich (and so, fast)."""
    code = (
        "import sys; from asyncsnip.__main__ import main; main(); "
        "sys.stderr.write(' '.join(m for m in ('typer', 'click', 'rich', 'tomllib')"
        " if m in sys.modules))"
    )
    env_line = "asyncsnip run "
    proc = subprocess.run(
        [sys.executable, "-c", code],
        env={
            "PATH": "/usr/bin:/bin",
            "HOME": str(Path.home()),
            **_xdg(),
            "_ASYNCSNIP_COMPLETE": "complete_bash",
            "COMP_WORDS": env_line,
            "COMP_CWORD": "2",
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0
    assert "gather-results" in proc.stdout.split()
    assert proc.stderr == ""


def test_broken_catalog_gives_no_candidates_and_no_noise(tmp_path: Path) -> None:
    """A catalog that does not load: no candidates, nothing on stderr, no traceback."""
    broken = tmp_path / "broken.toml"
    broken.write_text("[[snippets]]\nid = 'x'\n")
    for argv in (FAST, TYPER):
        code, out = request(argv, "bash", f"asyncsnip --catalog {broken} run ")
        assert (code, out) == (0, "")


@pytest.mark.parametrize(
    ("shell", "name"),
    [("bash", "asyncsnip.bash"), ("zsh", "_asyncsnip"), ("fish", "asyncsnip.fish")],
)
def test_show_completion_prints_the_shipped_script(shell: str, name: str) -> None:
    """`--show-completion SHELL` prints exactly the script in completions/."""
    proc = subprocess.run([*FAST, "--show-completion", shell], capture_output=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == (REPO / "completions" / name).read_bytes()


def test_zsh_script_completes_when_autoloaded() -> None:
    """The zsh script runs the completion itself when compinit autoloads it as _asyncsnip."""
    text = (REPO / "completions" / "_asyncsnip").read_text()
    assert text.startswith("#compdef asyncsnip\n")
    assert '"${funcstack[1]}" == "_asyncsnip"' in text


INVALID = (DATA / "invalid-shell-code.toml").read_text(encoding="utf-8")


@pytest.mark.parametrize("argv", [FAST, TYPER], ids=["fast", "typer"])
def test_invalid_catalog_option_offers_nothing(argv: list[str], tmp_path: Path) -> None:
    """An invalid `--catalog` file (here: an id and a tag that are shell code) makes the
    command fail, so TAB offers nothing at all, not even the built-in snippets."""
    bad = tmp_path / "bad.toml"
    bad.write_text(INVALID)
    for shell in ("bash", "zsh", "fish"):
        assert request(argv, shell, f"asyncsnip --catalog {bad} run hello") == (0, "")
        assert request(argv, shell, f"asyncsnip --catalog {bad} show ") == (0, "")


@pytest.mark.parametrize("argv", [FAST, TYPER], ids=["fast", "typer"])
@pytest.mark.parametrize("where", ["user", "env"])
def test_invalid_user_or_env_catalog_is_left_out(
    argv: list[str], where: str, tmp_path: Path, user_catalog: Path
) -> None:
    """An invalid user catalog or ASYNCSNIP_CATALOG file is left out, as the reading
    commands leave it out: TAB offers the other catalogs' candidates, none of its text."""
    bad = user_catalog if where == "user" else tmp_path / "bad.toml"
    bad.parent.mkdir(parents=True, exist_ok=True)
    bad.write_text(INVALID)
    env_catalog = {"ASYNCSNIP_CATALOG": str(bad)} if where == "env" else {}
    for shell in ("bash", "zsh", "fish"):
        code, out = request(argv, shell, "asyncsnip run hello-w", env_catalog)
        assert (code, values(out)) == (0, ["hello-world"])
        code, out = request(argv, shell, "asyncsnip show ", env_catalog)
        assert code == 0 and "gather" in values(out)
        assert "touch" not in out and "bad id" not in out and "bad tag" not in out
    assert not (Path.home() / "pwned").exists()
