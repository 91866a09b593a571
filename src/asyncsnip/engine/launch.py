"""Starting one snippet, and the handle the engine waits on and ends it through.

Where the platform can fork, every snippet runs below a warden of its own (`warden_main.py`),
forked by a fork server or started afresh: the snippet's parent is its warden, never
asyncsnip or the server, so a snippet that stops or kills its parent harms only itself, and
is marked for it. Without fork (Windows) the snippet is started directly and ended as a
tree (its process group, or `taskkill /T` on Windows).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path
from typing import IO, Any

from asyncsnip.engine import contain
from asyncsnip.engine.forkserver import ForkServer, ServerGone
from asyncsnip.engine.handle import BURY_S, GRACE_S, Exit, Running, env, reaped

STARTED_S = 10.0  # for a warden to start the snippet
END_S = GRACE_S + 4.0  # for a warden to end everything below it
TICK_S = 0.2  # how often a waiting engine looks whether the warden was stopped
WARDEN = (Path(__file__).parent / "warden_main.py").read_text(encoding="utf-8")
WARDEN += "\nfresh_main()\n"


class NotStarted(Exception):
    """The snippet never started (its server went away first); it may be started again."""


async def launch(python: str, script: Path, cwd: Path, server: ForkServer | None) -> Running:
    """Start the snippet: forked by `server` if it can, else afresh."""
    if server is not None:
        with contextlib.suppress(ServerGone, NotStarted):
            return await _forked(server, script, cwd)
    if contain.facilities().fork:
        return await _fresh(python, script, cwd)
    from asyncsnip.engine.direct import start

    return start(python, script, cwd)


def _pipes() -> tuple[tuple[int, int], tuple[int, int]]:
    out = os.pipe()
    try:
        return out, os.pipe()
    except OSError:
        os.close(out[0])
        os.close(out[1])
        raise


def _close(*fds: int) -> None:
    for fd in fds:
        with contextlib.suppress(OSError):
            os.close(fd)


async def _forked(server: ForkServer, script: Path, cwd: Path) -> Warded:
    (out_r, out_w), (err_r, err_w) = _pipes()
    ours, theirs = socket.socketpair()
    try:
        fate = server.spawn(script, cwd, [out_w, err_w, theirs.fileno()])
    except BaseException:
        _close(out_r, err_r)
        ours.close()
        raise
    finally:
        _close(out_w, err_w)  # the warden has its own copies
        theirs.close()
    warded = Warded(ours, out_r, err_r, fate=fate)
    await warded.ready()
    return warded


async def _fresh(python: str, script: Path, cwd: Path) -> Warded:
    (out_r, out_w), (err_r, err_w) = _pipes()
    ours, theirs = socket.socketpair()
    argv = [sys.executable, "-I", "-S", "-c", WARDEN, str(theirs.fileno()), python, str(script)]
    try:
        proc = subprocess.Popen(
            argv, cwd=cwd, env=env(), start_new_session=True, pass_fds=[theirs.fileno()],
            stdin=subprocess.DEVNULL, stdout=out_w, stderr=err_w,
        )  # fmt: skip
    except BaseException:
        _close(out_r, err_r)
        ours.close()
        raise
    finally:
        _close(out_w, err_w)
        theirs.close()
    contain.KEEP.add(proc.pid)
    warded = Warded(ours, out_r, err_r, popen=proc)
    try:
        await warded.ready()
    except NotStarted:
        await warded.end()
        raise OSError(f"the snippet could not be started with {python}") from None
    return warded


class Warded:
    """asyncsnip's end of one snippet's warden: its reports, and what became of it."""

    def __init__(
        self,
        link: socket.socket,
        stdout: int,
        stderr: int,
        fate: asyncio.Future[int] | None = None,
        popen: subprocess.Popen[bytes] | None = None,
    ) -> None:
        self.stdout: IO[bytes] = os.fdopen(stdout, "rb", 0)
        self.stderr: IO[bytes] = os.fdopen(stderr, "rb", 0)
        self.warden: int | None = popen.pid if popen is not None else None
        self.pid: int | None = None
        self._link = link
        self._fate = fate
        self._popen = popen
        self._stopped = False
        self._buried = False
        self._status: int | None = None  # the warden's own exit code, once reaped
        self._writer: asyncio.StreamWriter | None = None
        loop = asyncio.get_running_loop()
        self._started: asyncio.Future[None] = loop.create_future()
        self._exited: asyncio.Future[int | None] = loop.create_future()
        self._done: asyncio.Future[None] = loop.create_future()
        self._reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        link = self._link
        link.setblocking(False)
        reader, writer = await asyncio.open_unix_connection(sock=link)
        self._writer = writer
        try:
            while line := await reader.readline():
                self._on(*line.decode().split())
        except (OSError, ValueError, TypeError):
            pass
        finally:  # end of file: the warden is gone
            if not self._started.done():
                self._started.set_exception(EOFError())
                self._started.exception()
            if not self._done.done():
                self._done.set_result(None)

    def _on(self, kind: str, value: str) -> None:
        """One line from the warden: "warden PID", "started PID", "exited STATUS", "done N"."""
        if kind == "warden" and self._popen is None:
            self.warden = int(value)
            contain.KEEP.add(self.warden)
        elif kind == "started" and not self._started.done():
            self.pid = int(value)
            self._started.set_result(None)
        elif kind == "exited" and not self._exited.done():
            code = os.waitstatus_to_exitcode(int(value)) if value.isdigit() else None
            self._exited.set_result(code)
        elif kind == "done" and not self._done.done():
            self._done.set_result(None)

    async def ready(self) -> None:
        """Once the snippet leads its own session; NotStarted if its warden never came."""
        try:
            await asyncio.wait_for(asyncio.shield(self._started), STARTED_S)
        except (EOFError, TimeoutError):
            if self.warden is None or self._popen is not None:
                self.kill()
                self._close_link()
                raise NotStarted() from None
            # the warden came and went: exited() tells what the snippet did to it

    async def exited(self) -> Exit:
        """When the snippet exits (or its warden is gone)."""
        while not self._exited.done() and not self._done.done():
            waiting: set[asyncio.Future[Any]] = {self._exited, self._done}
            await asyncio.wait(waiting, timeout=TICK_S)
            self._watch()
        return await self._outcome()

    def _watch(self) -> None:
        """A warden stopped (by its snippet: nothing else signals it) is killed with all below."""
        if self.warden is not None and not self._stopped and contain.stopped(self.warden):
            self._stopped = True
            self.kill()

    async def end(self) -> Exit:
        """End everything the snippet started (a no-op once the warden said it is done)."""
        if not self._done.done():
            if not self._exited.done():
                self._send(b"end\n")
            try:
                async with asyncio.timeout(END_S):
                    while not self._done.done():
                        await asyncio.wait({self._done}, timeout=TICK_S)
                        self._watch()
            except TimeoutError:
                self.kill()
        await self._bury()
        return await self._outcome()

    def _close_link(self) -> None:
        """Through the transport that owns the socket, else the socket itself."""
        if self._writer is not None:
            self._writer.close()
        else:
            self._link.close()

    def _send(self, data: bytes) -> None:
        if self._writer is not None:
            with contextlib.suppress(OSError, RuntimeError):
                self._writer.write(data)

    def kill(self) -> None:
        """Everything below the warden, and the warden, at once."""
        if self.warden is not None:
            contain.kill_tree(self.warden, self.pid)
        elif self.pid is not None:
            contain.kill_tree(self.pid, self.pid)

    async def _bury(self) -> None:
        """Reap the warden (ours, or the server's), so no zombie and no stray is left."""
        if self._buried:
            return
        self._buried = True
        self._reader.cancel()
        with contextlib.suppress(BaseException):
            await self._reader
        self._close_link()
        warden = self.warden
        if self._popen is not None:
            self._status = await reaped(self._popen, BURY_S)
        elif self._fate is not None:
            try:
                status = await asyncio.wait_for(asyncio.shield(self._fate), BURY_S)
                self._status = os.waitstatus_to_exitcode(status)
            except (ServerGone, TimeoutError):  # the warden may be ours now (re-parented)
                late = contain.reap(warden, 0.5) if warden is not None else None
                if late is not None:
                    self._status = os.waitstatus_to_exitcode(late)
        if self._status:  # the warden did not end normally: end what it supervised here
            self.kill()
            contain.sweep()
        if warden is not None:
            contain.KEEP.discard(warden)

    async def _outcome(self) -> Exit:
        if self._exited.done() and not self._exited.exception():
            code = self._exited.result()
            if code is not None:
                return Exit(code)
        await self._bury()
        return Exit(None, guilt(self._stopped, self._status))


def guilt(stopped: bool, warden_code: int | None) -> str:
    """What a snippet did when its warden stopped or died before reporting its exit."""
    have = contain.facilities()
    everything = have.proc and have.prctl
    ended = f"it and {'every process it started' if everything else 'its process group'} were ended"
    if stopped:
        return f"stopped the process that supervises it (its parent); {ended}"
    if warden_code is not None and warden_code < 0:
        name = _signal_name(-warden_code)
        return f"killed the process that supervises it (its parent) with {name}; {ended}"
    return f"its supervising process ended before it did (status {warden_code}); {ended}"


def _signal_name(signum: int) -> str:
    try:
        return signal.Signals(signum).name
    except ValueError:
        return f"signal {signum}"
