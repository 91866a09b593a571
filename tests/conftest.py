"""Shared fixtures: an isolated environment, a pretend terminal, and the CLI in-process."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

# Typer 0.24 touches Click 8.2+ names that Click deprecates; that is Typer's business, and
# pytest runs with warnings as errors, so import it once with those warnings silenced.
with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    from typer.testing import CliRunner

    from asyncsnip.cli.app import app
    from asyncsnip.output import term

DATA = Path(__file__).parent / "data"
GOOD = DATA / "good.toml"

Invoke = Callable[..., Result]


@pytest.fixture(autouse=True)
def isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No test sees the real user's config, cache, catalogs or colour settings."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("COLUMNS", "100")
    for name in (
        "ASYNCSNIP_CATALOG",
        "ASYNCSNIP_PYTHON",
        "ASYNCSNIP_DEBUG",
        "NO_COLOR",
        "FORCE_COLOR",
        "CLICOLOR_FORCE",
        "TERM",
    ):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


@pytest.fixture
def user_catalog(tmp_path: Path) -> Path:
    """Where the user catalog lives in the isolated environment (not created)."""
    return tmp_path / "config" / "asyncsnip" / "snippets.toml"


@pytest.fixture
def tty(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pretend stdout is a terminal."""
    monkeypatch.setattr(term, "stdout_is_terminal", lambda: True)


@pytest.fixture
def cli() -> Invoke:
    """Run `asyncsnip ARGS...` in-process; stdout and stderr are kept apart."""
    runner = CliRunner()

    def invoke(*args: str | Path, input: str | None = None) -> Result:
        return runner.invoke(app, [str(a) for a in args], input=input, catch_exceptions=False)

    return invoke


@pytest.fixture
def good(cli: Invoke) -> Invoke:
    """Run `asyncsnip --no-builtin --catalog tests/data/good.toml ARGS...`."""

    def invoke(*args: str | Path, input: str | None = None) -> Result:
        return cli("--no-builtin", "--catalog", GOOD, *args, input=input)

    return invoke
