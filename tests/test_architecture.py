"""The shape of the code: the schema written once, Typer through its public API, the import
rules kept."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from asyncsnip.catalog.schema import SECTION_FIELDS, SNIPPET_FIELDS, Snippet, markdown
from conftest import Invoke

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src" / "asyncsnip"


def readme_block(name: str) -> str:
    """The README's text between `<!-- name -->` and `<!-- /name -->`."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start, end = f"<!-- {name} -->\n", f"<!-- /{name} -->"
    assert start in text and end in text, f"README.md has no {name} block"
    return text.split(start, 1)[1].split(end, 1)[0]


def test_readme_field_lists_are_the_schema() -> None:
    """The README's snippet and section field lists are the ones the schema derives."""
    assert readme_block("snippet-fields") == markdown(SNIPPET_FIELDS)
    assert readme_block("section-fields") == markdown(SECTION_FIELDS)


def test_json_has_every_schema_field_and_its_source() -> None:
    """A snippet's JSON form carries every field of the schema, plus where it came from, in
    the model's order (the cache keeps snippets as rows in that order)."""
    snippet = Snippet.from_table({"id": "x", "title": "X", "tags": ["t"], "code": "pass"}, "f")
    assert list(snippet.to_dict()) == [*(row.name for row in SNIPPET_FIELDS), "source"]


@pytest.fixture
def extra_command() -> Iterator[None]:
    """A command registered on the app the way Typer's tutorial does it."""
    from asyncsnip.cli.app import app

    @app.command()
    def hello(name: str = "world") -> None:
        """Say hello."""
        print(f"hello, {name}")

    try:
        yield
    finally:
        app.registered_commands.pop()


def test_a_plainly_registered_command_works(cli: Invoke, extra_command: None) -> None:
    """`@app.command()` works beside the lazily built commands: run, help and listing."""
    result = cli("hello", "--name", "asyncio")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "hello, asyncio\n"
    listing = cli("--help")
    assert "hello" in listing.stdout
    assert "show" in listing.stdout


def _imports(path: Path) -> Iterator[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            yield from (f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Attribute):
            inner = node.value
            if isinstance(inner.value, ast.Name) and inner.value.id in ("typer", "click"):
                yield f"{inner.value.id}.{inner.attr}.{node.attr}"


def test_no_private_typer_or_click_api() -> None:
    """No module reaches into Typer's or Click's private names (a `_` in the dotted path)."""
    private = {
        f"{path.relative_to(SRC)}: {name}"
        for path in SRC.rglob("*.py")
        for name in _imports(path)
        if name.split(".")[0] in ("typer", "click")
        and any(part.startswith("_") for part in name.split(".")[1:])
    }
    assert private == set()


def test_import_rules_hold() -> None:
    """import-linter's contracts (pyproject.toml) are kept: the parts import only downwards."""
    lint = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    assert lint, "import-linter is not installed (pip install -e '.[test]')"
    done = subprocess.run([lint], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout[-3000:]
    assert "broken" in done.stdout and " 0 broken" in done.stdout
