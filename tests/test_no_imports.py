"""Reading a catalog runs none of its code: a catalog naming `antigravity` (which opens a web
browser when imported) and modules whose import writes a file is shown in every view, listed,
exported in every format and completed, and no such file appears and no browser starts."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import tomli_w

from conftest import MODULE, asyncsnip, on_terminal

BROWSERS = ["xdg-open", "www-browser", "x-www-browser", "sensible-browser", "gio", "firefox",
            "chromium", "google-chrome", "links", "lynx", "w3m", "open"]  # fmt: skip
API = [
    "antigravity",
    "this",
    "marker_module.run",
    "marker_package.sub.fetch",
    "marker_package.sub.Client.get",
    "marker_package.Client",
    "asyncio.gather",
]


def catalog_text(api: list[str]) -> str:
    snippet = {
        "id": "imports-nothing",
        "title": "Names modules with side effects in api",
        "tags": ["imports"],
        "code": "print('hello')\n",
        "output": "hello\n",
        "api": api,
        "requires": ["marker_module", "marker_package.sub"],
        "see_also": ["imports-nothing"],
    }
    return tomli_w.dumps({"version": 1, "snippets": [snippet]})


@pytest.fixture
def world(tmp_path: Path) -> dict[str, str]:
    """Modules on PYTHONPATH that write a marker file when imported, a fake browser for
    every name Python's webbrowser tries, and the environment to run asyncsnip in."""
    markers = tmp_path / "markers"
    markers.mkdir()
    modules = tmp_path / "modules"
    (modules / "marker_package").mkdir(parents=True)
    touch = f"open({str(markers)!r} + '/' + __name__, 'w').close()\n"
    (modules / "marker_module.py").write_text(touch + "def run(x, y=1):\n    pass\n")
    (modules / "marker_package" / "__init__.py").write_text(touch + "from .sub import Client\n")
    (modules / "marker_package" / "sub.py").write_text(
        touch
        + "async def fetch(url, *, retries=3):\n    pass\n\n\n"
        + "class Client:\n    def get(self, path: str, timeout: float = 1.0):\n        pass\n"
    )
    fakes = tmp_path / "bin"
    fakes.mkdir()
    for name in BROWSERS:
        fake = fakes / name
        fake.write_text(f"#!/bin/sh\ntouch {markers}/browser-{name}\n")
        fake.chmod(0o755)
    catalog = tmp_path / "imports.toml"
    catalog.write_text(catalog_text(API), encoding="utf-8")
    return {
        "PYTHONPATH": str(modules),
        "PATH": f"{fakes}:{os.environ['PATH']}",
        "BROWSER": str(fakes / "xdg-open"),
        "DISPLAY": ":0",
        "MARKERS": str(markers),
        "CATALOG": str(catalog),
    }


def leftovers(world: dict[str, str]) -> list[str]:
    return sorted(os.listdir(world["MARKERS"]))


def test_the_world_is_armed(world: dict[str, str]) -> None:
    """The markers work: importing the modules, or antigravity, does leave files behind."""
    code = "import marker_module, marker_package.sub, antigravity"
    env = {**os.environ, **world}
    subprocess.run([sys.executable, "-c", code], env=env, check=True, timeout=60)
    found = leftovers(world)
    assert {"marker_module", "marker_package", "marker_package.sub"} <= set(found)
    assert any(name.startswith("browser-") for name in found)


READING = [
    ["show", "imports-nothing"],
    ["show", "imports-nothing", "--view", "detailed"],
    ["show", "imports-nothing", "--view", "compact"],
    ["show", "imports-nothing", "--view", "code"],
    ["show", "imports-nothing", "--json"],
    ["show", "imports"],
    ["show", "antigravity"],
    ["list"],
    ["list", "--json"],
    ["list", "--search", "marker_package"],
    ["tags"],
    *(["export", "--format", fmt] for fmt in ("markdown", "text", "json", "toml", "html")),
    ["export", "--compact"],
    ["doctor"],
]


@pytest.mark.parametrize("args", READING, ids=" ".join)
def test_reading_commands_import_nothing(world: dict[str, str], args: list[str]) -> None:
    """In a pipe and on a terminal: no module named by the catalog is imported, no
    browser is started."""
    argv = ["--no-builtin", "--catalog", world["CATALOG"], *args]
    piped = asyncsnip(*argv, env=world)
    assert piped.returncode in (0, 1), piped.stderr
    assert b"Traceback" not in piped.stderr
    drawn = on_terminal([*MODULE, *argv], env=world)
    assert drawn.code in (0, 1), drawn.stderr
    assert leftovers(world) == []


def test_detailed_view_reads_signatures_from_source(world: dict[str, str]) -> None:
    """Names outside the standard modules get their signature from their source, read and
    never run; asyncio's from asyncio itself; a module is shown as one."""
    done = asyncsnip("--no-builtin", "--catalog", world["CATALOG"], "show", "imports-nothing",
                     "--view", "detailed", env=world)  # fmt: skip
    assert done.returncode == 0, done.stderr
    out = done.stdout.decode()
    assert "marker_module.run(x, y=1)" in out
    assert "marker_package.sub.fetch(url, *, retries=3)" in out
    assert "marker_package.sub.Client.get(path: str, timeout: float=1.0)" in out
    assert "marker_package.Client (class)" in out  # followed through `from .sub import`
    assert "antigravity (module)" in out
    assert "asyncio.gather(*coros_or_futures, return_exceptions=False)" in out
    assert leftovers(world) == []


def test_a_module_named_like_a_standard_one_is_not_imported(
    world: dict[str, str], tmp_path: Path
) -> None:
    """A file `random.py` earlier on the path is not the standard module asyncsnip trusts:
    it is read, not imported."""
    shadow = Path(world["PYTHONPATH"]) / "random.py"
    shadow.write_text(
        f"open({world['MARKERS']!r} + '/random', 'w').close()\ndef uniform(a, b): pass\n"
    )
    catalog = tmp_path / "shadow.toml"
    catalog.write_text(catalog_text(["random.uniform"]), encoding="utf-8")
    done = asyncsnip("--no-builtin", "--catalog", catalog, "show", "imports-nothing",
                     "--view", "detailed", env=world)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "random.uniform(a, b)" in done.stdout.decode()
    assert leftovers(world) == []


def test_a_fifo_named_like_a_module_is_not_waited_on(world: dict[str, str], tmp_path: Path) -> None:
    """A FIFO where a module's source would be does not hang the detailed view."""
    os.mkfifo(Path(world["PYTHONPATH"]) / "stuck.py")
    catalog = tmp_path / "fifo.toml"
    catalog.write_text(catalog_text(["stuck.thing"]), encoding="utf-8")
    done = asyncsnip("--no-builtin", "--catalog", catalog, "show", "imports-nothing",
                     "--view", "detailed", env=world, timeout=30)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "stuck.thing (no signature without running its code)\n" in done.stdout.decode()


def test_completion_imports_nothing(world: dict[str, str]) -> None:
    """TAB (both the fast path and Click's) reads the catalog without importing from it."""
    base = f"asyncsnip --no-builtin --catalog {world['CATALOG']}"
    for line in (f"{base} run ", f"{base} show ", f"{base} show --view ", f"{base} check -t "):
        for shell in ("bash", "zsh", "fish"):
            words = line.split(" ")
            cword = words[-1] if shell == "fish" else str(len(words) - 1)
            env = {**os.environ, **world, "_ASYNCSNIP_COMPLETE": f"complete_{shell}"}
            env.update(COMP_WORDS=line, COMP_CWORD=cword)
            done = subprocess.run(MODULE, env=env, capture_output=True, timeout=60)
            assert done.returncode == 0 and done.stderr == b""
    assert leftovers(world) == []
