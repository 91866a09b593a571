"""A pre-started interpreter per target Python that forks one child per snippet.

Starting a fresh Python and importing asyncio costs far more CPU than most snippets; `check`
pays it once per interpreter instead of once per snippet. The child sets up everything a
fresh process would have (its own session, stdin at end-of-file, the pipes, the working
directory) before it runs the script as `__main__`, so the engine's guarantees and the
printed output stay the same. The server's own code is `forkserver_main.py`.
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

SOURCE = (Path(__file__).parent / "forkserver_main.py").read_text(encoding="utf-8")
START_TIMEOUT_S = 30.0


def supported() -> bool:
    return sys.platform == "linux" and os.environ.get("ASYNCSNIP_FORKSERVER", "1") != "0"


class ServerGone(Exception):
    """The fork server died or refused; the caller starts the snippet the ordinary way."""


class Child:
    """A snippet forked by the server: the interface the engine uses for any process."""

    def __init__(self, pid: int, exited: asyncio.Future[int]) -> None:
        self.pid = pid
        self._exited = exited

    @property
    def returncode(self) -> int | None:
        if not self._exited.done() or self._exited.exception():
            return None
        return os.waitstatus_to_exitcode(self._exited.result())

    def poll(self) -> int | None:
        return self.returncode

    async def wait(self) -> None:
        await asyncio.shield(self._exited)


def _end_orphan(started: asyncio.Future[Any]) -> None:
    if not started.cancelled() and started.exception() is None:
        with contextlib.suppress(OSError):
            os.killpg(started.result()["pid"], signal.SIGKILL)


class ForkServer:
    def __init__(self, python: str, preload: list[str]) -> None:
        self.python = python
        self.preload = preload
        self._ids = itertools.count()
        self._waiting: dict[tuple[str, int], asyncio.Future[Any]] = {}
        self._sock: socket.socket | None = None
        self._proc: subprocess.Popen[bytes] | None = None

    async def start(self) -> None:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        env = dict(os.environ, PYTHONUNBUFFERED="1", PYTHONIOENCODING="utf-8")
        env["ASYNCSNIP_FORKSERVER_FD"] = str(theirs.fileno())
        self._proc = subprocess.Popen(
            [self.python, "-u", "-c", SOURCE, *self.preload],
            env=env, pass_fds=[theirs.fileno()], start_new_session=True,
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        theirs.close()
        ours.setblocking(False)
        self._sock = ours
        ready = self._expect("ready", 0)
        asyncio.get_running_loop().add_reader(ours, self._receive)
        try:
            await asyncio.wait_for(ready, START_TIMEOUT_S)
        except (TimeoutError, ServerGone):
            await self.close()
            raise ServerGone(f"the fork server for {self.python} did not start") from None

    async def spawn(self, script: Path, cwd: Path, stdout: int, stderr: int) -> Child:
        """Fork a child running `script`; `stdout` and `stderr` are the pipes' write ends."""
        if self._sock is None:
            raise ServerGone("not running")
        ident = next(self._ids) + 1
        started, exited = self._expect("started", ident), self._expect("exited", ident)
        request = json.dumps({"id": ident, "script": str(script), "cwd": str(cwd)})
        try:
            socket.send_fds(self._sock, [request.encode()], [stdout, stderr])
        except OSError as exc:
            self._forget(ident)
            raise ServerGone(str(exc)) from None
        try:
            message = await asyncio.shield(started)
        except asyncio.CancelledError:
            started.add_done_callback(_end_orphan)  # it may be forked after we stopped waiting
            raise
        return Child(message["pid"], exited)

    def _expect(self, event: str, ident: int) -> asyncio.Future[Any]:
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._waiting[(event, ident)] = future
        return future

    def _forget(self, ident: int) -> None:
        for event in ("started", "exited"):
            self._waiting.pop((event, ident), None)

    def _receive(self) -> None:
        assert self._sock is not None
        while True:
            try:
                data = self._sock.recv(65536)
            except BlockingIOError:
                return
            except OSError:
                data = b""
            if not data:
                self._gone()
                return
            message = json.loads(data)
            future = self._waiting.pop((message["event"], message.get("id", 0)), None)
            if future is not None and not future.done():
                future.set_result(message.get("status", message))

    def _gone(self) -> None:
        """The server ended: everything still waiting on it fails, nothing hangs."""
        if self._sock is not None:
            asyncio.get_running_loop().remove_reader(self._sock)
        for future in self._waiting.values():
            if not future.done():
                future.set_exception(ServerGone("the fork server ended"))
                future.exception()  # retrieved: nobody may be waiting for it any more
        self._waiting.clear()

    async def close(self) -> None:
        if self._sock is not None:
            self._gone()
            self._sock.close()
            self._sock = None
        if self._proc is not None:
            try:
                await asyncio.wait_for(asyncio.to_thread(self._proc.wait), 5)
            except TimeoutError:
                self._proc.kill()
                self._proc.wait()
