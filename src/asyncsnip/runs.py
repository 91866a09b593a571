"""`run` and `check` as plain functions: concurrency, signals and the summary."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

from asyncsnip.catalog import Snippet
from asyncsnip.engine import Result, default_python, probe, run_snippet
from asyncsnip.errors import AsyncsnipError, ExitCode

T = TypeVar("T")
STATUSES = ("passed", "failed", "mismatch", "timeout", "skipped")
# Snippets mostly wait (sleep, I/O); measured on 2 cores, 4 per core keeps the CPU busy
# with interpreter start-up without starving the ones that time their own work.
DEFAULT_JOBS = 4 * (os.cpu_count() or 2)


class Interrupted(AsyncsnipError):
    def __init__(self, signum: int) -> None:
        name = signal.Signals(signum).name
        super().__init__(f"interrupted by {name}; every process the snippets started was ended")
        self.code = ExitCode.INTERRUPTED if signum == signal.SIGINT else 128 + signum  # type: ignore[assignment]


def guarded(work: Callable[[], Awaitable[T]]) -> T:
    """Run `work` so that SIGINT, SIGTERM and SIGHUP cancel it and its cleanup still runs."""
    received: list[int] = []

    async def main() -> T:
        loop = asyncio.get_running_loop()
        task = asyncio.current_task()
        assert task is not None
        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):

            def cancel(signum: int = signum) -> None:
                received.append(signum)
                task.cancel()

            loop.add_signal_handler(signum, cancel)
        return await work()

    try:
        return asyncio.run(main())
    except asyncio.CancelledError:
        if received:
            raise Interrupted(received[0]) from None
        raise


def run_one(snippet: Snippet, python: str | None, timeout: float | None, stream: bool) -> Result:
    out = _writer(sys.stdout) if stream else None
    err = _writer(sys.stderr) if stream else None

    async def work() -> Result:
        target = await probe(python or default_python(), frozenset(snippet.requires))
        return await run_snippet(snippet, target, timeout, out, err)

    return guarded(work)


def _writer(stream: Any) -> Callable[[bytes], None]:
    binary = stream.buffer

    def write(data: bytes) -> None:
        binary.write(data)
        binary.flush()

    return write


def check_many(
    snippets: Sequence[Snippet],
    pythons: Sequence[str],
    jobs: int,
    timeout: float | None,
    progress: Callable[[Result], None] = lambda result: None,
) -> tuple[list[Result], float]:
    """Every snippet on every Python, `jobs` at a time; results in catalog order."""
    modules = frozenset(name for s in snippets for name in s.requires)

    async def work() -> list[Result]:
        targets = [await probe(python, modules) for python in pythons]
        limit = asyncio.Semaphore(jobs)

        async def one(snippet: Snippet, target: Any) -> Result:
            async with limit:
                result = await run_snippet(snippet, target, timeout)
            progress(result)
            return result

        async with asyncio.TaskGroup() as group:
            tasks = [group.create_task(one(s, t)) for t in targets for s in snippets]
        return [task.result() for task in tasks]

    started = time.monotonic()
    results = guarded(work)
    return results, round(time.monotonic() - started, 3)


def summary(results: Sequence[Result]) -> dict[str, int]:
    counts = Counter(result.status for result in results)
    return {"total": len(results), **{status: counts[status] for status in STATUSES}}


def exit_code(results: Sequence[Result]) -> ExitCode:
    """`check`: 0 unless something failed, mismatched or timed out."""
    statuses = {result.status for result in results}
    return ExitCode.FAILED if statuses - {"passed", "skipped"} else ExitCode.OK


def run_exit_code(result: Result) -> ExitCode:
    """`run`: a timeout has its own code, and a skipped snippet did not run."""
    if result.status == "timeout":
        return ExitCode.TIMEOUT
    return ExitCode.OK if result.status == "passed" else ExitCode.FAILED
