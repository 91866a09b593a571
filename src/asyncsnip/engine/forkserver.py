"""A pre-started interpreter per target Python that forks one warden (and so one snippet) per
request.

Starting a fresh Python and importing asyncio costs far more CPU than most snippets; `check`
pays it once per interpreter instead of once per snippet. The child sets up everything a
fresh process would have (its own session, stdin at end-of-file, the pipes, the working
directory) before it runs the script as `__main__`, so the engine's guarantees and the
printed output stay the same. The server's own code is `forkserver_main.py`, after the
warden's (`warden_main.py`).

A server cannot be turned against the snippets: every wait on it has a bound, a heartbeat
notices one that is stopped or hung, and one that ends (killed, crashed) or stops answering
is killed and reaped; its wardens carry on (they report to asyncsnip directly, and are
re-parented to it), and the caller starts a new server or falls back to fresh processes.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

from asyncsnip.engine import contain

_HERE = Path(__file__).parent
SOURCE = "\n".join(
    (_HERE / name).read_text(encoding="utf-8") for name in ("warden_main.py", "forkserver_main.py")
)
START_TIMEOUT_S = 10.0  # to start and import the preloaded modules
HEARTBEAT_S = 1.0  # how often a busy server is asked whether it still answers
PONG_S = 3.0  # a server that does not answer within this is hung: it is killed


def supported() -> bool:
    have = contain.facilities()
    enabled = os.environ.get("ASYNCSNIP_FORKSERVER", "1") != "0"
    return sys.platform == "linux" and enabled and have.proc and have.prctl and have.fork


class ServerGone(Exception):
    """The fork server died, hung or refused; the caller starts the snippet another way."""


class ForkServer:
    def __init__(self, python: str, preload: list[str]) -> None:
        self.python = python
        self.preload = preload
        self.why_gone: str | None = None
        self._ids = itertools.count(1)
        self._waiting: dict[tuple[str, int], asyncio.Future[Any]] = {}
        self._sock: socket.socket | None = None
        self._proc: subprocess.Popen[bytes] | None = None
        self._heartbeat: asyncio.Task[None] | None = None

    @property
    def alive(self) -> bool:
        return self._sock is not None

    async def start(self) -> None:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        env = dict(os.environ, PYTHONUNBUFFERED="1", PYTHONIOENCODING="utf-8")
        env["ASYNCSNIP_FORKSERVER_FD"] = str(theirs.fileno())
        env["ASYNCSNIP_PARENT"] = str(os.getpid())
        try:
            self._proc = subprocess.Popen(
                [self.python, "-u", "-c", SOURCE, *self.preload],
                env=env, pass_fds=[theirs.fileno()], start_new_session=True,
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )  # fmt: skip
        except OSError as exc:
            ours.close()
            raise ServerGone(f"the fork server for {self.python} did not start: {exc}") from None
        finally:
            theirs.close()
        contain.KEEP.add(self._proc.pid)
        ours.setblocking(False)
        self._sock = ours
        ready = self._expect("ready", 0)
        asyncio.get_running_loop().add_reader(ours, self._receive)
        try:
            await asyncio.wait_for(ready, START_TIMEOUT_S)
        except (TimeoutError, ServerGone):
            await self.close()
            raise ServerGone(f"the fork server for {self.python} did not start") from None
        self._heartbeat = asyncio.create_task(self._watch())

    def spawn(self, script: Path, cwd: Path, fds: list[int]) -> asyncio.Future[int]:
        """Ask for a warden running `script`, given the snippet's stdout and stderr and the
        warden's socket (`fds`, kept by the caller); the future is the warden's wait status."""
        if self._sock is None:
            raise ServerGone(self.why_gone or "not running")
        ident = next(self._ids)
        exited = self._expect("exited", ident)
        request = json.dumps({"id": ident, "script": str(script), "cwd": str(cwd)})
        try:
            socket.send_fds(self._sock, [request.encode()], fds)
        except OSError as exc:
            self._waiting.pop(("exited", ident), None)
            raise ServerGone(str(exc)) from None
        return exited

    def _expect(self, event: str, ident: int) -> asyncio.Future[Any]:
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._waiting[(event, ident)] = future
        return future

    def _receive(self) -> None:
        assert self._sock is not None
        while self._sock is not None:
            try:
                data = self._sock.recv(65536)
            except BlockingIOError:
                return
            except OSError:
                data = b""
            try:
                message = json.loads(data) if data else None
            except ValueError:
                message = None
            if not isinstance(message, dict):
                self._gone("the fork server ended")
                return
            key = (str(message.get("event")), message.get("id", 0))
            future = self._waiting.pop(key, None)
            if future is not None and not future.done():
                future.set_result(message.get("status", message))

    async def _watch(self) -> None:
        """Every HEARTBEAT_S, a ping that must be answered within PONG_S."""
        for ident in itertools.count(1 << 40):
            await asyncio.sleep(HEARTBEAT_S)
            if self._sock is None:
                return
            pong = self._expect("pong", ident)
            try:
                self._sock.send(json.dumps({"ping": ident}).encode())
                await asyncio.wait_for(pong, PONG_S)
            except (OSError, TimeoutError):
                self._gone(f"the fork server stopped answering for {PONG_S:g}s; it was ended")
                return
            except ServerGone:
                return

    def _gone(self, why: str) -> None:
        """The server ended or hangs: kill it; everything waiting on it fails, nothing hangs."""
        if self._sock is None:
            return
        self.why_gone = why
        asyncio.get_running_loop().remove_reader(self._sock)
        self._sock.close()
        self._sock = None
        for future in self._waiting.values():
            if not future.done():
                future.set_exception(ServerGone(why))
                future.exception()  # retrieved: nobody may be waiting for it any more
        self._waiting.clear()
        if self._proc is not None and why != "closed":  # its wardens carry on without it
            with contextlib.suppress(OSError):
                self._proc.send_signal(signal.SIGKILL)
        if self._heartbeat is not None and self._heartbeat is not asyncio.current_task():
            self._heartbeat.cancel()

    async def close(self) -> None:
        """Stop the server (it kills what is still below it) and reap it."""
        if self._sock is not None:
            self._gone("closed")
        if self._heartbeat is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._heartbeat
        if self._proc is not None:
            try:
                await asyncio.wait_for(asyncio.to_thread(self._proc.wait), 5)
            except TimeoutError:
                self._proc.kill()
                self._proc.wait()
            contain.KEEP.discard(self._proc.pid)
            self._proc = None
