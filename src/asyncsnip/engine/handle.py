"""What the engine holds of a running snippet, however it was started."""

from __future__ import annotations

import asyncio
import os
import subprocess
from typing import IO, NamedTuple, Protocol

from asyncsnip.engine import contain

GRACE_S = 1.0  # between SIGTERM and SIGKILL
BURY_S = 2.0  # for a supervising process's own exit status, once it said it is done


class Exit(NamedTuple):
    code: int | None  # as subprocess gives it: negative for a signal; None if unknown
    guilty: str | None = None  # what the snippet did to its supervision


class Running(Protocol):
    @property
    def stdout(self) -> IO[bytes]: ...

    @property
    def stderr(self) -> IO[bytes]: ...

    async def exited(self) -> Exit: ...

    async def end(self) -> Exit: ...

    def kill(self) -> None: ...


def env() -> dict[str, str]:
    return dict(os.environ, PYTHONUNBUFFERED="1", PYTHONIOENCODING="utf-8")


async def reaped(proc: subprocess.Popen[bytes], wait_s: float) -> int | None:
    try:
        await asyncio.wait_for(contain.exited(proc), wait_s)
    except TimeoutError:
        proc.kill()
        await contain.exited(proc)
    contain.KEEP.discard(proc.pid)
    return proc.returncode
