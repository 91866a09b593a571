"""A snippet started without a warden, where there is no fork (Windows): ended as a tree,
its process group (killpg) where there are groups, `taskkill /T /F` on Windows, else the
process alone. `contain.describe()` says what this cannot guarantee."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

from asyncsnip.engine import contain
from asyncsnip.engine.handle import BURY_S, GRACE_S, Exit, env, reaped

KILL = getattr(signal, "SIGKILL", signal.SIGTERM)  # Windows has no SIGKILL


class Direct:
    """A snippet started without a warden (no fork): ended as a process tree."""

    def __init__(self, proc: subprocess.Popen[bytes]) -> None:
        assert proc.stdout is not None and proc.stderr is not None
        self.proc, self.stdout, self.stderr = proc, proc.stdout, proc.stderr
        self.grouped = contain.facilities().pgroups

    async def exited(self) -> Exit:
        await contain.exited(self.proc)
        return Exit(self.proc.returncode)

    async def end(self) -> Exit:
        for signum in (signal.SIGTERM, KILL):
            if self.proc.poll() is not None and not self.grouped:
                break
            self._signal(signum)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(contain.exited(self.proc), GRACE_S)
        await reaped(self.proc, BURY_S)
        return Exit(self.proc.returncode)

    def _signal(self, signum: int) -> None:
        if sys.platform == "win32":  # the whole tree: the Job Object of a console is ours
            subprocess.run(
                ["taskkill", "/T", "/F", "/PID", str(self.proc.pid)],
                capture_output=True, timeout=10, check=False,
            )  # fmt: skip
        with contextlib.suppress(OSError):
            if self.grouped:
                os.killpg(self.proc.pid, signum)
            else:
                self.proc.send_signal(signum)

    def kill(self) -> None:
        self._signal(KILL)


def start(python: str, script: Path, cwd: Path) -> Direct:
    grouped = contain.facilities().pgroups
    options: dict[str, Any] = {"start_new_session": True} if grouped else {}
    if sys.platform == "win32":
        options = {"creationflags": getattr(subprocess, "CREATE_NEW_PROCESS_GROUP", 0)}
    proc = subprocess.Popen(
        [python, "-u", str(script)], cwd=cwd, env=env(), **options,
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    contain.KEEP.add(proc.pid)
    return Direct(proc)
