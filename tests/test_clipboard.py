"""The clipboard against real things: an Xvfb server, xclip, xsel, a pty, the CLI in a pipe."""

from __future__ import annotations

import base64
import os
import select
import shutil
import subprocess
import sys
import time
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

from asyncsnip.clipboard import copy
from conftest import on_terminal

DATA = Path(__file__).parent / "data"
CLIP_CATALOG = DATA / "clip-catalog.toml"
XCLIP = shutil.which("xclip") or "xclip"
ASYNCSNIP = [sys.executable, "-m", "asyncsnip"]
WESTON = ["weston", "--backend=x11-backend.so", "--shell=kiosk-shell.so", "--idle-time=0"]

AWKWARD = [
    "async def main():\n\tresults[task] = await asyncio.gather(*aws)\n",
    "héllo → ✓ 日本語 🐍\t[bold]not markup[/bold]",
    "\n  leading blank line, trailing spaces  \r\nCRLF above\n\n",
]

# Copies `sys.argv[1]`; prints where it went, or the ClipboardError's message and the hint
# `asyncsnip copy gather-results` gives with it (exit 3).
DRIVER = """
import sys
from asyncsnip.cli.hints import clipboard_hint
from asyncsnip.clipboard import copy
from asyncsnip.errors import ClipboardError
try:
    where = copy(sys.argv[1])
except ClipboardError as exc:
    print(exc.message)
    print(clipboard_hint("asyncsnip show gather-results --view code"))
    raise SystemExit(3)
print(where)
"""


def _start_xvfb() -> tuple[subprocess.Popen[bytes], str]:
    """Xvfb on a free display; it writes the number to -displayfd once it accepts clients."""
    server = subprocess.Popen(
        ["Xvfb", "-displayfd", "1", "-nolisten", "tcp"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    assert server.stdout is not None
    ready, _, _ = select.select([server.stdout], [], [], 15)
    number = os.read(server.stdout.fileno(), 64).decode().strip() if ready else ""
    if not number.isdigit():
        _end(server)
        pytest.fail("Xvfb did not start within 15 s")
    return server, f":{number}"


def _end(server: subprocess.Popen[bytes]) -> None:
    """Stop a server started here: SIGTERM, then SIGKILL if it lingers."""
    server.terminate()
    try:
        server.wait(timeout=5)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()
    if server.stdout is not None:
        server.stdout.close()


@pytest.fixture(scope="module")
def xserver() -> Iterator[str]:
    """A real X server for this module's tests; its DISPLAY."""
    server, display = _start_xvfb()
    yield display
    _end(server)


@pytest.fixture
def x11(xserver: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """DISPLAY points at the Xvfb server, and no Wayland is in sight."""
    monkeypatch.setenv("DISPLAY", xserver)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.delenv("TMUX", raising=False)
    return xserver


@pytest.fixture(scope="module")
def wayland(xserver: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """A real Wayland compositor (weston, drawn in the Xvfb server); the variables to reach it."""
    if not (shutil.which("weston") and shutil.which("wl-copy") and shutil.which("wl-paste")):
        pytest.skip("needs weston and wl-clipboard (apt-get install weston wl-clipboard)")
    runtime = tmp_path_factory.mktemp("xdg-runtime")
    runtime.chmod(0o700)
    env = {"XDG_RUNTIME_DIR": str(runtime), "WAYLAND_DISPLAY": "wl-asyncsnip-test"}
    weston = subprocess.Popen(
        [*WESTON, "--socket", env["WAYLAND_DISPLAY"]],
        env={**os.environ, **env, "DISPLAY": xserver},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_until_serving({**_env(), **env})
        yield env
    finally:
        _end(weston)


def _wait_until_serving(env: dict[str, str]) -> None:
    """Poll until wl-copy can reach the compositor's seat (15 s at most)."""
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        # wl-copy's background owner would hold a pipe open: so no pipes, as in copy()
        probe = subprocess.run(
            ["wl-copy", "probe"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=5,
        )
        if probe.returncode == 0:
            return
        time.sleep(0.1)
    pytest.fail("weston did not start within 15 s")


def _clipboard(display: str) -> bytes:
    """What the X clipboard holds, read back with xclip."""
    env = {**os.environ, "DISPLAY": display}
    done = subprocess.run(
        [XCLIP, "-o", "-selection", "clipboard"], env=env, capture_output=True, timeout=5
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def _driver(text: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Run DRIVER with no terminal anywhere: pipes, and a session of its own (no /dev/tty)."""
    return subprocess.run(
        [sys.executable, "-c", DRIVER, text],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        env=env,
        start_new_session=True,
        timeout=10,
    )


def _env(**changes: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "TMUX")}
    env.update({k: v for k, v in changes.items() if v is not None})
    return env


def _dead_display() -> str:
    """A display number no X server listens on."""
    number = next(n for n in range(4242, 4342) if not Path(f"/tmp/.X11-unix/X{n}").exists())
    return f":{number}"


@pytest.mark.parametrize("text", AWKWARD)
def test_xclip_copies_exactly(x11: str, text: str) -> None:
    """With xclip on X11 the clipboard holds the text byte for byte, final newline or not."""
    assert copy(text) == "the X clipboard (xclip)"
    assert _clipboard(x11) == text.encode()


@pytest.mark.parametrize("text", AWKWARD)
def test_xsel_copies_exactly(
    x11: str, text: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With xsel as the only tool on PATH the clipboard holds the text byte for byte."""
    xsel = shutil.which("xsel")
    assert xsel is not None, "xsel is not installed"
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "xsel").symlink_to(xsel)
    monkeypatch.setenv("PATH", str(bin_dir))
    assert copy(text) == "the X clipboard (xsel)"
    assert _clipboard(x11) == text.encode()


@pytest.mark.parametrize("text", AWKWARD)
def test_wl_copy_copies_exactly(
    wayland: dict[str, str], text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On Wayland wl-copy is used first, and the clipboard holds the text byte for byte."""
    for name, value in wayland.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("DISPLAY", raising=False)
    assert copy(text) == "the Wayland clipboard (wl-copy)"
    done = subprocess.run(["wl-paste", "--no-newline"], capture_output=True, timeout=5)
    assert done.returncode == 0, done.stderr
    assert done.stdout == text.encode()


def test_stdout_pipe_does_not_hang(x11: str) -> None:
    """With stdout a pipe, copying finishes at once: xclip's owner process keeps no pipe open."""
    done = subprocess.run(
        [sys.executable, "-c", DRIVER, AWKWARD[0]],
        stdin=subprocess.DEVNULL,
        capture_output=True,  # stdout is a pipe: the case that hung with pyperclip
        text=True,
        timeout=10,
    )
    assert done.returncode == 0
    assert done.stdout == "the X clipboard (xclip)\n"
    assert done.stderr == ""
    assert _clipboard(x11) == AWKWARD[0].encode()


def test_cli_copy_pipe(x11: str) -> None:
    """`asyncsnip copy ID | cat` ends within seconds and puts exactly the snippet's code there."""
    code = tomllib.loads(CLIP_CATALOG.read_text(encoding="utf-8"))["snippets"][0]["code"]
    done = subprocess.run(
        [*ASYNCSNIP, "--no-builtin", "--catalog", str(CLIP_CATALOG), "copy", "clip-demo"],
        stdin=subprocess.DEVNULL,
        capture_output=True,  # stdout is a pipe: the case that hung with pyperclip
        text=True,
        timeout=10,
    )
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert _clipboard(x11) == code.encode()


def test_cli_export_copy(x11: str) -> None:
    """`export --compact --copy` puts the same document on the clipboard that stdout gets."""
    base = [*ASYNCSNIP, "--no-builtin", "--catalog", str(CLIP_CATALOG), "export", "--compact"]
    printed = subprocess.run(base, capture_output=True, timeout=30).stdout
    done = subprocess.run(
        [*base, "--copy"], stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=30
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
    assert "copied the markdown document" in done.stderr
    assert _clipboard(x11) == printed


def test_wrong_display_is_an_error() -> None:
    """A DISPLAY with no server behind it is reported, never taken for success."""
    display = _dead_display()
    done = _driver("x", _env(DISPLAY=display))
    assert done.returncode == 3
    message, hint = done.stdout.splitlines()
    assert message.startswith("no clipboard could be reached: xclip failed: ")
    assert f"Can't open display: {display}" in message
    assert "xsel failed" in message
    assert hint == (
        "install xclip or xsel (X11) or wl-clipboard (Wayland), "
        "or print the code with: asyncsnip show gather-results --view code"
    )
    assert done.stderr == ""


def test_wrong_wayland_display_is_an_error(tmp_path: Path) -> None:
    """A WAYLAND_DISPLAY with no compositor behind it is reported, never taken for success."""
    if not shutil.which("wl-copy"):
        pytest.skip("needs wl-clipboard (apt-get install wl-clipboard)")
    env = _env(WAYLAND_DISPLAY="wl-nobody-here", XDG_RUNTIME_DIR=str(tmp_path))
    done = _driver("x", env)
    assert done.returncode == 3
    message, hint = done.stdout.splitlines()
    assert message.startswith("no clipboard could be reached: wl-copy failed: ")
    assert "wl-clipboard (Wayland)" in hint
    assert done.stderr == ""


def test_no_display_is_an_error() -> None:
    """With neither DISPLAY nor WAYLAND_DISPLAY, and no terminal, the error says what to do."""
    done = _driver("x", _env())
    assert done.returncode == 3
    message, hint = done.stdout.splitlines()
    assert message == (
        "no clipboard could be reached: no display (DISPLAY and WAYLAND_DISPLAY are unset) "
        "and no terminal attached"
    )
    assert "install xclip or xsel (X11) or wl-clipboard (Wayland)" in hint
    assert "asyncsnip show gather-results --view code" in hint
    assert done.stderr == ""


def test_no_tool_is_an_error(tmp_path: Path) -> None:
    """With a display but no clipboard tool installed, the error names the missing tools."""
    done = _driver("x", _env(DISPLAY=_dead_display(), PATH=str(tmp_path)))
    assert done.returncode == 3
    message, hint = done.stdout.splitlines()
    assert (
        message == "no clipboard could be reached: no clipboard tool found (wl-copy, xclip or xsel)"
    )
    assert hint.startswith("install xclip or xsel (X11) or wl-clipboard (Wayland)")
    assert done.stderr == ""


def _run_on_pty(text: str, env: dict[str, str]) -> tuple[int, str, bytes]:
    """Run DRIVER with a pty as its controlling terminal; exit code, stdout, terminal output."""
    run = on_terminal(
        [sys.executable, "-c", DRIVER, text],
        streams="stdin,stderr",
        controlling=True,
        env=env,
        timeout=10,
    )
    return run.code, run.stdout.decode(), run.terminal


def test_osc52_on_a_terminal() -> None:
    """With no clipboard but a terminal, the text goes to it as one OSC 52 sequence."""
    text = AWKWARD[1] + "\n"
    code, stdout, terminal = _run_on_pty(text, _env())
    assert code == 0
    assert stdout == "the terminal's clipboard via OSC 52\n"
    payload = base64.b64encode(text.encode("utf-8"))
    assert terminal == b"\x1b]52;c;" + payload + b"\x07"


def test_osc52_through_tmux() -> None:
    """Inside tmux the OSC 52 sequence is wrapped in tmux's passthrough, its ESCs doubled."""
    text = AWKWARD[0]
    code, stdout, terminal = _run_on_pty(text, _env(TMUX="/tmp/tmux-0/default,4242,0"))
    assert code == 0
    assert stdout == "the terminal's clipboard via OSC 52 (through tmux)\n"
    payload = base64.b64encode(text.encode("utf-8"))
    assert terminal == b"\x1bPtmux;\x1b\x1b]52;c;" + payload + b"\x07\x1b\\"


def test_wrong_display_falls_back_to_the_terminal() -> None:
    """A failing X clipboard with a terminal attached still delivers the text, by OSC 52."""
    code, stdout, terminal = _run_on_pty("x", _env(DISPLAY=_dead_display()))
    assert code == 0
    assert stdout == "the terminal's clipboard via OSC 52\n"
    assert terminal == b"\x1b]52;c;eA==\x07"


def test_cli_copy_keeps_escape_sequences_exactly(x11: str) -> None:
    """Code holding escape sequences reaches the clipboard byte for byte (it is data there),
    even when `copy` runs on a terminal."""
    catalog = DATA / "terminal-escapes.toml"
    code = tomllib.loads(catalog.read_text(encoding="utf-8"))["snippets"][0]["code"]
    assert "\x1b]52" in code and "\x9b" in code
    run = on_terminal([*ASYNCSNIP, "--no-builtin", "--catalog", catalog, "copy", "esc-code"])
    assert run.code == 0, run.stderr
    assert b"\x1b]52" not in run.terminal
    assert _clipboard(x11) == code.encode()
