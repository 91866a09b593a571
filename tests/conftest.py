"""Shared fixtures and drivers: an isolated environment, the CLI in-process and as a real
process, one pseudo-terminal driver for everything that must see a real terminal, and a real
browser (Debian's Chromium, driven by Playwright) for the pages.

Tests import the drivers with `from conftest import asyncsnip, on_terminal`.
"""

from __future__ import annotations

import os
import select
import struct
import subprocess
import sys
import threading
import time
import uuid
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

import pytest
from click.testing import Result
from hypothesis import settings

if sys.platform != "win32":  # the terminal drivers; tests/test_platforms.py runs on Windows too
    import fcntl
    import pty
    import termios

# Typer 0.24 touches Click 8.2+ names that Click deprecates; that is Typer's business, and
# pytest runs with warnings as errors, so import it once with those warnings silenced.
with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    from typer.testing import CliRunner

    from asyncsnip.cli.app import app
    from asyncsnip.output import term

if TYPE_CHECKING:
    from playwright.sync_api import Browser

DATA = Path(__file__).parent / "data"
GOOD = DATA / "good.toml"
ROOT = Path(__file__).resolve().parent.parent
# What a test run leaves for a person to look at: printed pages as PNG, screenshots, figures.
ARTIFACTS = Path(os.environ.get("ASYNCSNIP_ARTIFACTS") or ROOT / "test-artifacts")
CHROMIUM = "/usr/bin/chromium"  # Debian's; Playwright's own download is not needed
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
]
EXE = Path(sys.executable).parent / "asyncsnip"  # the installed console script
MODULE = [sys.executable, "-m", "asyncsnip"]

Invoke = Callable[..., Result]

# Property and fuzz tests run a fixed, small number of examples by default (CI included);
# ASYNCSNIP_HYPOTHESIS=many runs fifty times as many, with fresh random examples each time:
#   ASYNCSNIP_HYPOTHESIS=many .venv/bin/python -m pytest -q tests/test_fuzz.py
PROFILE = os.environ.get("ASYNCSNIP_HYPOTHESIS", "ci")
settings.register_profile("ci", deadline=None, derandomize=True, database=None)
settings.register_profile("many", deadline=None)
settings.load_profile(PROFILE)
SCALE = {"ci": 1, "many": 50}[PROFILE]


def examples(n: int) -> int:
    """How many examples a property test with `n` in CI runs under the chosen profile."""
    return n * SCALE


@pytest.fixture(autouse=True)
def isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No test sees the real user's config, cache, catalogs or colour settings."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("COLUMNS", "100")
    monkeypatch.setenv("ASYNCSNIP_PAGER", "")  # no pager (tests of the pager set their own)
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


def asyncsnip(
    *args: str | Path,
    stdin: bytes = b"",
    env: Mapping[str, str] | None = None,
    timeout: float = 120,
    script: bool = False,
    detached: bool = False,
) -> subprocess.CompletedProcess[bytes]:
    """`python -m asyncsnip ARGS...` (or the console script) as a real process, pipes all
    round; the environment is the test's own (isolated) one, updated with `env`. With
    `detached`, it has no controlling terminal (no /dev/tty), as under CI."""
    argv = [str(EXE)] if script else list(MODULE)
    return subprocess.run(
        [*argv, *map(str, args)],
        input=stdin,
        capture_output=True,
        env={**os.environ, **(env or {})},
        timeout=timeout,
        check=False,
        start_new_session=detached,
    )


class TerminalRun(NamedTuple):
    code: int
    terminal: bytes  # everything written to the pseudo-terminal
    stdout: bytes  # what went to a pipe ("" for a stream on the terminal)
    stderr: bytes


def on_terminal(
    argv: Sequence[str | Path],
    *,
    streams: str = "stdout",
    controlling: bool = False,
    env: Mapping[str, str] | None = None,
    size: tuple[int, int] = (40, 100),
    timeout: float = 30,
) -> TerminalRun:
    """Run `argv` with the streams named in `streams` ("stdin", "stdout", "stderr", comma
    separated) on a pseudo-terminal of `size` (rows, columns) and the others on pipes; with
    `controlling`, the terminal is the process's controlling terminal (/dev/tty) too."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", *size, 0, 0))
    chosen = set(streams.split(","))
    ends = {name: slave if name in chosen else subprocess.PIPE for name in ("stdout", "stderr")}
    stdin = slave if "stdin" in chosen else subprocess.DEVNULL

    def take_terminal() -> None:  # in the child, after setsid()
        fcntl.ioctl(slave, termios.TIOCSCTTY, 0)

    proc = subprocess.Popen(
        list(map(str, argv)),
        stdin=stdin,
        stdout=ends["stdout"],
        stderr=ends["stderr"],
        env={**_without_size(os.environ), "TERM": "xterm-256color", **(env or {})},
        start_new_session=controlling,
        preexec_fn=take_terminal if controlling else None,
        pass_fds=(slave,) if controlling else (),
    )
    os.close(slave)
    piped: dict[str, bytes] = {}
    readers = [
        threading.Thread(target=lambda n=name, f=pipe: piped.update({n: f.read()}), daemon=True)
        for name, pipe in (("stdout", proc.stdout), ("stderr", proc.stderr))
        if pipe is not None
    ]
    for reader in readers:
        reader.start()
    try:
        terminal = _drain(master, proc, timeout)
        proc.wait(timeout=timeout)
        for reader in readers:
            reader.join(timeout)
    finally:
        os.close(master)
        for pipe in (proc.stdout, proc.stderr):
            if pipe is not None:
                pipe.close()
    return TerminalRun(
        proc.returncode, terminal, piped.get("stdout", b""), piped.get("stderr", b"")
    )


def _without_size(environ: Mapping[str, str]) -> dict[str, str]:
    """The environment without COLUMNS and LINES: the terminal's own size must decide."""
    return {k: v for k, v in environ.items() if k not in ("COLUMNS", "LINES")}


def _drain(master: int, proc: subprocess.Popen[bytes], timeout: float) -> bytes:
    """Everything written to the terminal, until every writer closed it (or `timeout`)."""
    chunks = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not select.select([master], [], [], 0.5)[0]:
            if proc.poll() is not None and not select.select([master], [], [], 0.2)[0]:
                break
            continue
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: every slave descriptor is closed
            break
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks)


PROMPT = "READY>"


def shell_env(home: Path, **extra: str) -> dict[str, str]:
    """A clean environment for a shell in a Terminal: this venv's scripts first on PATH,
    and a home and XDG folders of its own."""
    return {
        "HOME": str(home),
        "PATH": f"{EXE.parent}:/usr/local/bin:/usr/bin:/bin",
        "TERM": "xterm-256color",
        "LANG": "C.UTF-8",
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_CACHE_HOME": str(home / ".cache"),
        "XDG_DATA_HOME": str(home / ".local/share"),
        **extra,
    }


class Terminal:
    """A program (a shell, usually) in a detached tmux session on a private tmux server: a
    real terminal emulator, typed at with send-keys and read with capture-pane."""

    def __init__(
        self,
        argv: list[str],
        env: dict[str, str],
        width: int = 220,
        height: int = 50,
        history: int = 2000,
    ) -> None:
        self.socket = f"asyncsnip-{uuid.uuid4().hex[:8]}"
        self.env = env
        size = ["-x", str(width), "-y", str(height)]
        limit = ["set-option", "-g", "history-limit", str(history), ";"]
        self.tmux("start-server", ";", *limit, "new-session", "-d", "-s", "t", *size, *argv)

    def tmux(self, *args: str) -> str:
        argv = ["tmux", "-L", self.socket, *args]
        proc = subprocess.run(argv, env=self.env, capture_output=True, text=True, timeout=10)
        return proc.stdout

    def screen(self, joined: bool = False, history: bool = False) -> str:
        """The visible screen; `joined` joins lines the terminal soft-wrapped (`-J`), as a
        mouse selection copies them; `history` includes what scrolled off the top."""
        flags = ["-J"] if joined else []
        flags += ["-S", "-"] if history else []
        return self.tmux("capture-pane", "-p", *flags, "-t", "t")

    def wait_for(self, text: str, timeout: float = 15) -> str:
        """Poll the screen until `text` shows (a marker, not a fixed sleep)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            screen = self.screen()
            if text in screen:
                return screen
            time.sleep(0.05)
        raise AssertionError(f"{text!r} never appeared; the screen was:\n{self.screen()}")

    def type(self, text: str) -> None:
        self.tmux("send-keys", "-t", "t", "-l", text)

    def key(self, name: str) -> None:
        self.tmux("send-keys", "-t", "t", name)

    def reset(self) -> None:
        """Abandon the line and clear the screen, back at a fresh prompt."""
        self.key("C-c")
        self.type("clear")
        self.key("Enter")
        self.wait_for(PROMPT)

    def close(self) -> None:
        self.tmux("kill-server")


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    """One headless Chromium for the whole test module (each start costs about a second)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def artifact(name: str) -> Path:
    """Where the test run leaves the file NAME for a person to look at."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS / name


def alive(pid: int) -> bool:
    """True if the pid is a live process (zombies are dead); Linux, through /proc."""
    try:
        state = Path(f"/proc/{pid}/stat").read_bytes().rpartition(b")")[2].split()[0]
    except OSError:
        return False
    return state not in (b"Z", b"X")


def recorded(path: Path) -> list[int]:
    """The pids a test's snippet wrote to `path`, one word each."""
    return [int(word) for word in path.read_text().split() if word.isdigit()]


def running_here(marker: bytes) -> set[int]:
    """Live processes whose command line holds `marker` (the engine's processes carry their
    source) and that this test started: their environment holds its ASYNCSNIP_TEST_PIDS (on
    a shared machine other people's come and go meanwhile)."""
    mine = f"ASYNCSNIP_TEST_PIDS={os.environ.get('ASYNCSNIP_TEST_PIDS', '')}".encode()
    found = set()
    for entry in Path("/proc").iterdir():
        try:
            cmdline = (entry / "cmdline").read_bytes()
            environ = (entry / "environ").read_bytes().split(b"\0")
        except OSError:
            continue
        if mine in environ and marker in cmdline and alive(int(entry.name)):
            found.add(int(entry.name))
    return found
