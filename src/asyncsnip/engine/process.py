"""Running one snippet to a verdict.

Each snippet runs as `python -u script` in a fresh temporary working directory, with stdin at
end-of-file, in a session (and so a process group) of its own, below a warden of its own
(`launch.py`). Whatever happens, timeout, Ctrl-C or a normal exit, everything it started is
ended (SIGTERM, a grace, SIGKILL) before the result is returned, so nothing is left running.
"""

from __future__ import annotations

import asyncio
import signal
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

from asyncsnip.catalog.schema import Snippet
from asyncsnip.engine import matching
from asyncsnip.engine.forkserver import ForkServer
from asyncsnip.engine.handle import Exit, Running
from asyncsnip.engine.interpreter import skip_reason
from asyncsnip.engine.launch import launch
from asyncsnip.engine.result import Interpreter, Result, Status
from asyncsnip.engine.scratch import remove_tree

CAPTURE_LIMIT = 1 << 20  # bytes kept per stream; the rest is streamed but not kept
DRAIN_S = 1.0  # how long to wait for pipes held open by an escaped process
CUT_MARK = "\n[asyncsnip: output cut at 1 MiB]\n"
MAX_NAME = 100  # characters of the id in the script's file name (file names stop at 255)

Sink = Callable[[bytes], None]


async def run_snippet(
    snippet: Snippet,
    target: Interpreter,
    timeout: float | None = None,
    out: Sink | None = None,
    err: Sink | None = None,
    server: ForkServer | None = None,
) -> Result:
    """Run one snippet to a verdict; `out` and `err` receive its output live. With a fork
    server for the target, the snippet is forked from it instead of started afresh."""
    reason = skip_reason(snippet, target)
    if reason:
        return Result(snippet.id, Status.SKIPPED, None, "", "", 0.0, target.label, reason)
    limit = timeout if timeout is not None else snippet.timeout
    try:
        root = Path(tempfile.mkdtemp(prefix="asyncsnip-"))
    except OSError as exc:
        return _unrunnable(snippet, target, exc)
    leftover = None
    try:
        script = root / f"snippet-{snippet.id[:MAX_NAME]}.py"  # a slug may be any length
        script.write_text(snippet.code, encoding="utf-8")
        (root / "work").mkdir()
        running = await launch(target.executable, script, root / "work", server)
        result = _verdict(snippet, target, await _execute(running, limit, out, err), limit)
    except OSError as exc:
        result = _unrunnable(snippet, target, exc)
    finally:
        leftover = await _remove(root)
    result.leftover = leftover
    return result


def _unrunnable(snippet: Snippet, target: Interpreter, exc: OSError) -> Result:
    """A snippet that could not be started at all (no file descriptors left, no memory)."""
    reason = f"could not be run: {exc.strerror or exc}"
    return Result(snippet.id, Status.FAILED, None, "", "", 0.0, target.label, reason)


async def _remove(root: Path) -> str | None:
    """Delete the snippet's directory off the event loop (on a file system mounted with
    `discard`, each rmdir waits for the disk, which would hold up every other snippet);
    what could not be removed, and why, or None."""
    try:
        return await asyncio.to_thread(remove_tree, str(root))
    except asyncio.CancelledError:
        remove_tree(str(root))
        raise


class Ran(NamedTuple):
    outcome: Exit
    timed_out: bool
    stdout: str
    stderr: str
    duration: float  # until it exited: ending what it left behind is not its time
    truncated: bool  # its stdout was longer than CAPTURE_LIMIT


def _verdict(snippet: Snippet, target: Interpreter, ran: Ran, limit: float) -> Result:
    code = ran.outcome.code
    result = Result(
        snippet.id, Status.PASSED, code, ran.stdout, ran.stderr, round(ran.duration, 3),
        target.label, truncated=ran.truncated,
    )  # fmt: skip
    if ran.timed_out:
        result.status, result.reason = Status.TIMEOUT, f"still running after {limit:g}s; ended"
    elif ran.outcome.guilty:
        result.status, result.reason = Status.FAILED, ran.outcome.guilty
    elif code != 0:
        result.status, result.reason = Status.FAILED, _describe_exit(code)
    elif snippet.output is not None and not matching.matches(
        snippet.output, ran.stdout, snippet.ordered
    ):
        result.status, result.reason = Status.MISMATCH, "output differs from the expected output"
        result.diff = matching.diff(snippet.output, ran.stdout)
    return result


def _describe_exit(code: int | None) -> str:
    if code is None:
        return "its exit status was lost; its processes were ended"
    if code < 0:
        try:
            return f"killed by signal {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exit status {code}"


class _Capture:
    """Keeps the first CAPTURE_LIMIT bytes of a stream and passes every byte to a sink."""

    def __init__(self, sink: Sink | None) -> None:
        self.sink = sink
        self.kept = bytearray()
        self.cut = False

    def feed(self, data: bytes) -> None:
        room = CAPTURE_LIMIT - len(self.kept)
        self.kept += data[:room]
        self.cut = self.cut or len(data) > room
        if self.sink is not None:
            try:
                self.sink(data)
            except (BrokenPipeError, ValueError, OSError):
                self.sink = None  # the reader went away; keep capturing

    def text(self) -> str:
        text = self.kept.decode("utf-8", errors="replace")
        return text + CUT_MARK if self.cut else text


async def _execute(running: Running, timeout: float, out: Sink | None, err: Sink | None) -> Ran:
    started = time.monotonic()
    captures = (_Capture(out), _Capture(err))
    readers = [
        asyncio.create_task(_pump(pipe, capture))
        for pipe, capture in zip((running.stdout, running.stderr), captures, strict=True)
    ]
    outcome, timed_out = None, False
    try:
        try:
            outcome = await asyncio.wait_for(running.exited(), timeout)
        except TimeoutError:
            timed_out = True
    finally:
        duration = time.monotonic() - started
        try:
            final = await running.end()
        except asyncio.CancelledError:  # interrupted again while cleaning up
            running.kill()
            raise
        await _drain(readers)
    stdout, stderr = (capture.text() for capture in captures)
    return Ran(outcome or final, timed_out, stdout, stderr, duration, captures[0].cut)


async def _pump(pipe: Any, capture: _Capture) -> None:
    if sys.platform == "win32":  # the proactor loop cannot read an ordinary pipe
        while chunk := await asyncio.to_thread(pipe.read, 1 << 16):
            capture.feed(chunk)
        return
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    transport, _ = await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), pipe)
    try:
        while chunk := await reader.read(1 << 16):
            capture.feed(chunk)
    finally:
        transport.close()


async def _drain(readers: list[asyncio.Task[None]]) -> None:
    """Let the readers reach end-of-file; give up on pipes held by an escaped process."""
    _, pending = await asyncio.wait(readers, timeout=DRAIN_S)
    for task in pending:
        task.cancel()
    await asyncio.gather(*readers, return_exceptions=True)
