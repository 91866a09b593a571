"""Running snippets in subprocesses: the only module that spawns processes.

Each snippet runs as `python -u script` in a fresh temporary working directory, with stdin at
end-of-file, in a session (and so a process group) of its own. Whatever happens, timeout,
Ctrl-C or a normal exit, the whole group is ended (SIGTERM, a grace, SIGKILL) before the
result is returned, so nothing the snippet started is left running.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any, Protocol

from asyncsnip.catalog.schema import Snippet
from asyncsnip.engine import matching
from asyncsnip.engine.forkserver import ForkServer, ServerGone
from asyncsnip.engine.interpreter import skip_reason
from asyncsnip.engine.result import Interpreter, Result, Status

CAPTURE_LIMIT = 1 << 20  # bytes kept per stream; the rest is streamed but not kept
GRACE_S = 1.0  # between SIGTERM and SIGKILL
DRAIN_S = 1.0  # how long to wait for pipes held open by an escaped process
STATUS_S = 5.0  # how long to wait for the exit status of a snippet already killed
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
    root = Path(tempfile.mkdtemp(prefix="asyncsnip-"))
    try:
        script = root / f"snippet-{snippet.id[:MAX_NAME]}.py"  # a slug may be any length
        script.write_text(snippet.code, encoding="utf-8")
        (root / "work").mkdir()
        started = time.monotonic()
        launched = await _launch(target.executable, script, root / "work", server)
        code, timed_out, stdout, stderr = await _execute(launched, limit, out, err)
        duration = time.monotonic() - started
    finally:
        await _remove(root)
    return _verdict(snippet, target, code, timed_out, stdout, stderr, duration, limit)


async def _remove(root: Path) -> None:
    """Delete the snippet's directory off the event loop: on a file system mounted with
    `discard`, each rmdir waits for the disk, which would hold up every other snippet."""
    try:
        await asyncio.to_thread(shutil.rmtree, root, ignore_errors=True)
    except asyncio.CancelledError:
        shutil.rmtree(root, ignore_errors=True)
        raise


class Process(Protocol):
    """A running snippet, whether started afresh or forked by a server."""

    pid: int

    @property
    def returncode(self) -> int | None: ...

    def poll(self) -> int | None: ...

    async def wait(self) -> None: ...


class _Spawned:
    def __init__(self, proc: subprocess.Popen[bytes]) -> None:
        self.proc = proc
        self.pid = proc.pid

    @property
    def returncode(self) -> int | None:
        return self.proc.returncode

    def poll(self) -> int | None:
        return self.proc.poll()

    async def wait(self) -> None:
        await _exited(self.proc)


Launched = tuple[Process, IO[bytes], IO[bytes]]


async def _launch(python: str, script: Path, cwd: Path, server: ForkServer | None) -> Launched:
    if server is not None:
        try:
            return await _fork(server, script, cwd)
        except ServerGone:
            pass  # start it afresh instead
    env = dict(os.environ, PYTHONUNBUFFERED="1", PYTHONIOENCODING="utf-8")
    proc = subprocess.Popen(
        [python, "-u", str(script)], cwd=cwd, env=env, start_new_session=True,
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    assert proc.stdout is not None and proc.stderr is not None
    return _Spawned(proc), proc.stdout, proc.stderr


async def _fork(server: ForkServer, script: Path, cwd: Path) -> Launched:
    out_r, out_w = os.pipe()
    err_r, err_w = os.pipe()
    try:
        child = await server.spawn(script, cwd, out_w, err_w)
    except BaseException:
        os.close(out_r)
        os.close(err_r)
        raise
    finally:
        os.close(out_w)  # the child has its own copies
        os.close(err_w)
    return child, os.fdopen(out_r, "rb", 0), os.fdopen(err_r, "rb", 0)


def _verdict(
    snippet: Snippet,
    target: Interpreter,
    code: int | None,
    timed_out: bool,
    stdout: str,
    stderr: str,
    duration: float,
    limit: float,
) -> Result:
    result = Result(
        snippet.id, Status.PASSED, code, stdout, stderr, round(duration, 3), target.label
    )
    if timed_out:
        result.status, result.reason = Status.TIMEOUT, f"still running after {limit:g}s; ended"
    elif code != 0:
        result.status, result.reason = Status.FAILED, _describe_exit(code)
    elif snippet.output is not None and not matching.matches(
        snippet.output, stdout, snippet.ordered
    ):
        result.status, result.reason = Status.MISMATCH, "output differs from the expected output"
        result.diff = matching.diff(snippet.output, stdout)
    return result


def _describe_exit(code: int | None) -> str:
    if code is None:
        return "its exit status was lost (the fork server ended); its processes were ended"
    if code is not None and code < 0:
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


async def _execute(
    launched: Launched, timeout: float, out: Sink | None, err: Sink | None
) -> tuple[int | None, bool, str, str]:
    proc, stdout, stderr = launched
    captures = (_Capture(out), _Capture(err))
    readers = [
        asyncio.create_task(_pump(pipe, capture))
        for pipe, capture in zip((stdout, stderr), captures, strict=True)
    ]
    timed_out = False
    try:
        try:
            await asyncio.wait_for(proc.wait(), timeout)
        except TimeoutError:
            timed_out = True
        except ServerGone:
            pass  # its status is unknown; the group is ended below all the same
    finally:
        try:
            await _end_group(proc)
        except asyncio.CancelledError:  # interrupted again while cleaning up
            _kill_group(proc.pid)
            raise
        await _drain(readers)
    return proc.returncode, timed_out, captures[0].text(), captures[1].text()


async def _pump(pipe: Any, capture: _Capture) -> None:
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    transport, _ = await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), pipe)
    try:
        while chunk := await reader.read(1 << 16):
            capture.feed(chunk)
    finally:
        transport.close()


async def _exited(proc: subprocess.Popen[bytes]) -> None:
    """Wait for the process itself to exit (not for its pipes to close: gh-119710)."""
    try:
        fd = os.pidfd_open(proc.pid)
    except (AttributeError, OSError):
        while proc.poll() is None:
            await asyncio.sleep(0.02)
        return
    loop = asyncio.get_running_loop()
    ready = loop.create_future()

    def wake() -> None:
        if not ready.done():
            ready.set_result(None)

    loop.add_reader(fd, wake)
    try:
        if proc.poll() is None:
            await ready
    finally:
        loop.remove_reader(fd)
        os.close(fd)
    proc.wait()


async def _end_group(proc: Process) -> None:
    """SIGTERM the snippet's process group, wait a grace, SIGKILL what is left; then make
    sure the snippet's own exit status is known (a busy machine may be slow to deliver it)."""
    pgid = proc.pid  # the snippet leads its own session, and so its own process group
    for sig in (signal.SIGTERM, signal.SIGKILL):
        if not _group_alive(proc, pgid):
            break
        try:
            os.killpg(pgid, sig)
        except ProcessLookupError:
            break
        deadline = time.monotonic() + GRACE_S
        while _group_alive(proc, pgid) and time.monotonic() < deadline:
            await asyncio.sleep(0.01)
    if proc.poll() is None:
        with contextlib.suppress(TimeoutError, ServerGone):
            await asyncio.wait_for(proc.wait(), STATUS_S)


def _kill_group(pgid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signal.SIGKILL)


def _group_alive(proc: Process, pgid: int) -> bool:
    """Is any process of the group still running? Zombies do not count."""
    proc.poll()  # reap the leader, so it does not count as alive
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return _running_in_group(pgid)


def _running_in_group(pgid: int) -> bool:
    """Orphaned zombies stay in the group where init does not reap them: look in /proc."""
    try:
        pids = [name for name in os.listdir("/proc") if name.isdigit()]
    except OSError:
        return True  # no /proc: trust killpg
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat", "rb") as stat:
                fields = stat.read().rpartition(b")")[2].split()
        except OSError:
            continue
        if int(fields[2]) == pgid and fields[0] not in (b"Z", b"X"):
            return True
    return False


async def _drain(readers: list[asyncio.Task[None]]) -> None:
    """Let the readers reach end-of-file; give up on pipes held by an escaped process."""
    _, pending = await asyncio.wait(readers, timeout=DRAIN_S)
    for task in pending:
        task.cancel()
    await asyncio.gather(*readers, return_exceptions=True)
