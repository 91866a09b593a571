"""`import`: cheat sheets in every style read into blocks, run, and judged as a plain run is."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from asyncsnip.catalog import sheet
from conftest import asyncsnip

SHEETS = Path(__file__).parent / "data" / "sheets"
SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"


def verdicts(path: Path | str, *args: str, stdin: bytes = b"") -> tuple[int, dict]:
    proc = asyncsnip("import", path, "--json", *args, stdin=stdin)
    assert proc.stderr == b"" or b"Traceback" not in proc.stderr
    return proc.returncode, json.loads(proc.stdout)


def by_id(report: dict) -> dict[str, dict]:
    return {block["id"]: block for block in report["blocks"]}


def plain_run(code: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """What running the block as a file with Python shows: the yardstick of every verdict."""
    script = tmp_path / "block.py"
    script.write_text(code, encoding="utf-8")
    return subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=60, cwd=tmp_path
    )


def test_markdown_readme_blocks_outputs_and_verdicts() -> None:
    """A README: fences (python, py, pycon), a text fence or an Output: line after the
    code, a `# prints` comment, an indented block; bash fences are not Python."""
    code, report = verdicts(SHEETS / "readme.md")
    assert code == 1  # one claim is wrong, one block does not compile
    blocks = by_id(report)
    assert list(blocks) == [
        "gather-results", "timeouts", "a-claim-that-is-wrong", "broken-indentation",
        "only-definitions", "in-the-repl", "indented-the-old-way",
    ]  # fmt: skip
    assert blocks["gather-results"]["expected"] == "[4, 9, 16]\n"
    assert blocks["gather-results"]["expected_from"] == "text block"
    assert blocks["timeouts"]["verdict"] == "matches"
    wrong = blocks["a-claim-that-is-wrong"]
    assert (wrong["verdict"], wrong["expected_from"]) == ("differs", "output comment")
    assert "-early" in wrong["diff"] and "+late" in wrong["diff"]
    broken = blocks["broken-indentation"]
    assert broken["verdict"] == "does not compile" and broken["compiled"] is False
    assert (
        broken["problem"]
        == "expected an indented block after function definition on line 3 (line 68)"
    )
    assert blocks["only-definitions"]["fragment"].startswith("only definitions")
    assert blocks["in-the-repl"]["verdict"] == "matches"
    assert blocks["indented-the-old-way"]["verdict"] == "ran"
    assert report["summary"] | {"fragments": 1} == {
        "found": 7, "compiled": 6, "ran": 6, "claimed": 4, "matched": 3, "differ": 1,
        "failed": 0, "timeout": 0, "skipped": 0, "not_compiled": 1, "fragments": 1,
    }  # fmt: skip


def test_restructured_text_directives_literals_and_doctest() -> None:
    """rst: code-block with options and a text block after it, a `::` literal block and an
    `Output::` one, a doctest block with a traceback, and an asyncio-REPL session."""
    code, report = verdicts(SHEETS / "guide.rst")
    assert code == 0
    blocks = by_id(report)
    assert list(blocks) == [
        "events",
        "queues",
        "doctest-blocks",
        "the-asyncio-repl",
        "a-sleeping-semaphore",
    ]
    assert blocks["events"]["expected"] == "a woke\nb woke\n"
    assert blocks["queues"]["expected"] == "got job\n"
    assert blocks["doctest-blocks"]["expected"].endswith(
        "ValueError: invalid literal for int() with base 10: 'seven'\n"
    )
    assert [b["verdict"] for b in blocks.values()] == ["matches"] * 4 + ["ran"]
    assert blocks["a-sleeping-semaphore"]["fragment"] == "only definitions: nothing runs"


def test_doctest_sessions_in_plain_text() -> None:
    """Each `>>>` session is a block; a session shows its values as the REPL does."""
    code, report = verdicts(SHEETS / "session.txt")
    assert code == 1
    first, second = report["blocks"]
    assert first["verdict"] == "matches"
    assert first["expected"] == "5\ntwo words\n"
    assert second["verdict"] == "failed"  # a session of its own: `asyncio` is not imported


@pytest.mark.parametrize("name", ["readme.md", "guide.rst", "session.txt"])
def test_every_verdict_agrees_with_a_plain_run(name: str, tmp_path: Path) -> None:
    """Compiled, ran, and printed what the sheet claims: as running each block's program
    with Python says, block by block."""
    _, report = verdicts(SHEETS / name)
    for block in report["blocks"]:
        if not block["compiled"]:
            with pytest.raises(SyntaxError):
                compile(block["code"], "block", "exec")
            continue
        run = plain_run(block["code"], tmp_path)
        ran = block["verdict"] in ("matches", "differs", "ran")
        assert ran == (run.returncode == 0), block["id"]
        if block["expected"] is not None and ran:
            same = run.stdout.strip() == block["expected"].strip()
            assert same == (block["verdict"] == "matches"), block["id"]


def test_ids_are_stable_slugs_and_unique() -> None:
    """Ids come from the nearest heading, as slugs, numbered when a heading repeats."""
    text = "## Run it!\n\n```python\nprint(1)\n```\n\n```python\nprint(2)\n```\n"
    assert [b.id for b in sheet.read(text)] == ["run-it", "run-it-2"]
    assert [b.id for b in sheet.read(text)] == [b.id for b in sheet.read(text)]
    assert sheet.slug("Tasks — create_task, gather & wait (3.11+)") == (
        "tasks-create-task-gather-wait-3-11"
    )


def test_plain_text_seed_style_python_marker_and_output() -> None:
    """The seeds' text: a line `python` opens the block, `Output:` and a `text` label the
    output; the prose after the code is not code."""
    text = (
        "Quick example\n\npython\nimport asyncio\n\nasync def main():\n    print('hi')\n\n"
        "asyncio.run(main())\n\nOutput:\n\ntext\nhi\n\nNotes\n\nSome prose follows.\n"
    )
    (block,) = sheet.read(text)
    assert (block.title, block.line, block.output) == ("Quick example", 4, "hi\n")
    assert block.code.endswith("asyncio.run(main())\n")


def test_trailing_comments_after_the_run_are_the_claimed_output() -> None:
    """`# Hello` lines after `asyncio.run(main())` are what it prints; remarks about time
    such as `(1 second pause)` are not output."""
    text = (
        "import asyncio\n\nasync def main():\n    print('Hello')\n    print('World')\n\n"
        "asyncio.run(main())\n# Hello\n# (1 second pause)\n# World\n"
    )
    (block,) = sheet.read(text)
    assert (block.output, block.output_from) == ("Hello\nWorld\n", "output comment")


def test_top_level_await_is_a_repl_fragment() -> None:
    """A block that awaits at top level does not compile as a program, and says why."""
    (block,) = sheet.read("```python\nimport asyncio\nawait asyncio.sleep(0)\n```\n")
    assert block.problem == "'await' outside function (line 3)"
    assert block.fragment is not None and "async REPL" in block.fragment


def test_stdin_and_output_file_load_back(tmp_path: Path) -> None:
    """`import -` reads stdin; -o writes a catalog that loads back and checks the same."""
    out = tmp_path / "sheet.toml"
    proc = asyncsnip(
        "import", "-", "-o", out, "--record", stdin=(SHEETS / "guide.rst").read_bytes()
    )
    assert proc.returncode == 0, proc.stderr
    assert b"wrote 5 snippets" in proc.stderr
    listed = asyncsnip("--no-builtin", "--catalog", out, "list", "--json")
    assert listed.returncode == 0, listed.stderr
    snippets = {s["id"]: s for s in json.loads(listed.stdout)}
    assert snippets["events"]["output"] == "a woke\nb woke\n"
    assert "imported" in snippets["events"]["tags"] and "event" in snippets["events"]["tags"]
    checked = asyncsnip("--no-builtin", "--catalog", out, "check")
    assert checked.returncode == 0, checked.stdout


def test_blocks_that_do_not_compile_are_listed_in_the_written_catalog(tmp_path: Path) -> None:
    """A block left out of the catalog is named at its top, with its line and reason."""
    out = tmp_path / "readme.toml"
    proc = asyncsnip("import", SHEETS / "readme.md", "-o", out)
    assert proc.returncode == 1
    text = out.read_text(encoding="utf-8")
    assert "# Left out, line 65 (broken-indentation): expected an indented block" in text
    assert asyncsnip("--no-builtin", "--catalog", out, "list").returncode == 0


def test_plain_report_names_each_block_and_the_totals() -> None:
    """Piped, the report is plain text: a row per block, the diff, then one summary line."""
    proc = asyncsnip("import", SHEETS / "readme.md")
    text = proc.stdout.decode()
    assert "\x1b[" not in text
    assert "broken-indentation" in text and "does not compile" in text
    assert "-early\n+late" in text
    assert (
        text.rstrip()
        .splitlines()[-1]
        .endswith("7 blocks found, 6 compiled, 6 ran, 3 of 4 claimed outputs hold, 1 differ")
    )


def test_a_file_without_python_is_an_error(tmp_path: Path) -> None:
    """No code block at all: one line saying so, with what import reads."""
    empty = tmp_path / "prose.md"
    empty.write_text("# Nothing here\n\nJust words.\n", encoding="utf-8")
    proc = asyncsnip("import", empty)
    assert proc.returncode == 2
    assert proc.stderr.decode().startswith(f"asyncsnip: error: {empty}: no Python code blocks")


@pytest.mark.skipif(not SEEDS.is_dir(), reason="the seeds are beside the repository")
def test_the_seeds_mistakes_are_found() -> None:
    """Seed 001 lost its indentation (21 blocks, none compiles); in seed 002 the shield
    example raises TypeError and the retry example crashes."""
    _, lost = verdicts(next(SEEDS.glob("001_*")))
    assert (lost["summary"]["found"], lost["summary"]["compiled"]) == (21, 0)
    _, sheet002 = verdicts(next(SEEDS.glob("002_*")))
    blocks = by_id(sheet002)
    assert blocks["shielding-from-cancellation"]["verdict"] == "failed"
    assert "TypeError" in blocks["shielding-from-cancellation"]["stderr"]
    assert blocks["retry-with-exponential-back-off"]["verdict"] == "failed"
