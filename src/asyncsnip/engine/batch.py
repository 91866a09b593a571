"""`run` and `check` as plain functions: one snippet or many at once, under signal guard.

These return results; the command line decides what they mean for the exit status.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

from asyncsnip.catalog import cache
from asyncsnip.catalog.schema import Snippet
from asyncsnip.engine import contain, forkserver
from asyncsnip.engine.forkserver import ForkServer, ServerGone
from asyncsnip.engine.interpreter import default_python, probe
from asyncsnip.engine.process import Sink, run_snippet
from asyncsnip.engine.result import Interpreter, Result
from asyncsnip.errors import Interrupted, UsageError

T = TypeVar("T")
# Snippets mostly wait (sleep, I/O) and, forked from a warm interpreter, cost a few ms of
# CPU each. Measured on 2 cores with the built-in catalog (82 snippets): 8 jobs 2.3 s,
# 16 jobs 1.6 s, 32 jobs 1.5 s, 64 and 128 no better; more only adds contention.
DEFAULT_JOBS = 32
FDS_PER_JOB = 8  # a running snippet's pipes, its warden's socket and pidfd, and launching
FDS_RESERVED = 64  # asyncsnip's own: the catalog, the event loop, fork servers, threads
MAX_TIMEOUT_S = 86400.0
REPLACEMENTS = 3  # fork servers started again after one ended or hung, per interpreter


def guarded(work: Callable[[], Awaitable[T]]) -> T:
    """Run `work` so that SIGINT, SIGTERM and SIGHUP cancel it and its cleanup still runs."""
    received: list[int] = []

    async def main() -> T:
        loop = asyncio.get_running_loop()
        task = asyncio.current_task()
        assert task is not None
        for name in ("SIGINT", "SIGTERM", "SIGHUP"):

            def cancel(signum: int = getattr(signal, name, 0)) -> None:
                received.append(signum)
                task.cancel()

            # Windows has no SIGHUP and no signal handlers in the loop: Ctrl-C is
            # KeyboardInterrupt there, and the snippets' process trees are ended all the same
            with contextlib.suppress(AttributeError, NotImplementedError, RuntimeError):
                loop.add_signal_handler(getattr(signal, name), cancel)
        started = contain.begin()
        try:
            return await work()
        finally:
            contain.end(started)

    try:
        return asyncio.run(main())
    except asyncio.CancelledError:
        if received:
            raise Interrupted(received[0], signal.Signals(received[0]).name) from None
        raise


def run_one(
    snippet: Snippet,
    python: str | None,
    timeout: float | None,
    out: Sink | None = None,
    err: Sink | None = None,
) -> Result:
    """Run one snippet; `out` and `err` receive its output live, as it writes it."""
    check_timeout(timeout)

    async def work() -> Result:
        chosen = default_python() if python is None else python
        target = await probe(chosen, frozenset(snippet.requires))
        return await run_snippet(snippet, target, timeout, out, err)

    return guarded(work)


def check_many(
    snippets: Sequence[Snippet],
    pythons: Sequence[str],
    jobs: int,
    timeout: float | None,
    progress: Callable[[Result], None] = lambda result: None,
) -> tuple[list[Result], float]:
    """Every snippet on every Python, `jobs` at a time (fewer if the open-file limit is
    lower); results in catalog order."""
    check_timeout(timeout)
    modules = frozenset(name for s in snippets for name in s.requires)
    jobs = sized_jobs(jobs)

    async def work() -> list[Result]:
        targets = await asyncio.gather(*(probe(python, modules) for python in pythons))
        servers = Servers(targets, modules)
        limit = asyncio.Semaphore(jobs)

        async def one(snippet: Snippet, target: Interpreter) -> Result:
            async with limit:
                server = await servers.get((target.executable, bool(snippet.requires)))
                result = await run_snippet(snippet, target, timeout, server=server)
            progress(result)
            return result

        pairs = [(s, t) for t in targets for s in snippets]
        try:
            async with asyncio.TaskGroup() as group:
                tasks = {i: group.create_task(one(*pairs[i])) for i in _longest_first(pairs)}
        finally:
            await servers.close()
        results = [tasks[i].result() for i in range(len(pairs))]
        cache.remember_durations({_key(r): r.duration_s for r in results if r.duration_s})
        return results

    started = time.monotonic()
    results = guarded(work)
    return results, round(time.monotonic() - started, 3)


def check_timeout(timeout: float | None) -> None:
    """A timeout must be a finite number of seconds above zero (nan would end every snippet
    at once, inf never)."""
    if timeout is not None and not (0 < timeout <= MAX_TIMEOUT_S):
        raise UsageError(
            f"invalid timeout {timeout!r}: it must be a number of seconds above 0 and at "
            f"most {MAX_TIMEOUT_S:g}"
        )


def sized_jobs(requested: int) -> int:
    """`requested`, or fewer: as many as the open-file limit allows (each running snippet
    holds a few descriptors), raising the soft limit to the hard one first."""
    try:
        import resource
    except ImportError:  # Windows: no such limit
        return requested
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or hard > soft:
        wanted = FDS_RESERVED + FDS_PER_JOB * requested
        raised = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
        if soft != resource.RLIM_INFINITY and raised > soft:
            with contextlib.suppress(ValueError, OSError):
                resource.setrlimit(resource.RLIMIT_NOFILE, (raised, hard))
                soft = raised
    if soft == resource.RLIM_INFINITY:
        return requested
    return max(1, min(requested, (soft - FDS_RESERVED) // FDS_PER_JOB))


def _key(item: Result | tuple[Snippet, Interpreter]) -> str:
    if isinstance(item, Result):
        return f"{item.python}|{item.id}"
    snippet, target = item
    return f"{target.label}|{snippet.id}"


def _longest_first(pairs: list[tuple[Snippet, Interpreter]]) -> list[int]:
    """The order to start in: what took longest last time first, so nothing long waits
    for a free slot at the end."""
    known = cache.durations()
    return sorted(range(len(pairs)), key=lambda i: -known.get(_key(pairs[i]), 0.0))


ServerKey = tuple[str, bool]  # (interpreter, preloads the required third-party modules)


class Servers:
    """Per target, a fork server with asyncio preloaded and, when some snippets need
    third-party modules, a second one with those too; both start at once, and snippets
    wait only for the server they use. A server that does not start means fresh processes;
    one that ends or hangs is replaced, up to REPLACEMENTS times."""

    def __init__(self, targets: Sequence[Interpreter], modules: frozenset[str]) -> None:
        self._tasks: dict[ServerKey, asyncio.Task[ForkServer | None]] = {}
        self._all: list[asyncio.Task[ForkServer | None]] = []
        self._replaced: dict[ServerKey, int] = {}
        if not forkserver.supported():
            return
        for target in targets:
            present = sorted(m for m in modules if target.modules.get(m))
            for heavy, preload in ((False, []), (True, present)):
                if preload or not heavy:
                    self._start((target.executable, heavy), preload)

    def _start(self, key: ServerKey, preload: list[str]) -> None:
        task = asyncio.create_task(_started(ForkServer(key[0], preload)))
        self._tasks[key] = task
        self._all.append(task)

    async def get(self, key: ServerKey) -> ForkServer | None:
        while (task := self._tasks.get(key)) is not None:
            server = await task
            if server is None or server.alive:
                return server
            if self._tasks.get(key) is task:  # gone: the first to notice replaces it
                if self._replaced.get(key, 0) >= REPLACEMENTS:
                    del self._tasks[key]
                    return None
                self._replaced[key] = self._replaced.get(key, 0) + 1
                self._start(key, server.preload)
        return None

    async def close(self) -> None:
        for task in self._all:
            with contextlib.suppress(asyncio.CancelledError):
                server = await task
                if server is not None:
                    await server.close()


async def _started(server: ForkServer) -> ForkServer | None:
    try:
        await server.start()
    except ServerGone:
        return None
    return server
