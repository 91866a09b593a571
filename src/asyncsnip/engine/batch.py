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
from asyncsnip.errors import Interrupted

T = TypeVar("T")
# Snippets mostly wait (sleep, I/O) and, forked from a warm interpreter, cost a few ms of
# CPU each. Measured on 2 cores with the built-in catalog (82 snippets): 8 jobs 2.3 s,
# 16 jobs 1.6 s, 32 jobs 1.5 s, 64 and 128 no better; more only adds contention.
DEFAULT_JOBS = 32


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

    async def work() -> Result:
        target = await probe(python or default_python(), frozenset(snippet.requires))
        return await run_snippet(snippet, target, timeout, out, err)

    return guarded(work)


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
        targets = await asyncio.gather(*(probe(python, modules) for python in pythons))
        servers = _start_servers(targets, modules)
        limit = asyncio.Semaphore(jobs)

        async def one(snippet: Snippet, target: Interpreter) -> Result:
            async with limit:
                starting = servers.get((target.executable, bool(snippet.requires)))
                server = await starting if starting else None
                result = await run_snippet(snippet, target, timeout, server=server)
            progress(result)
            return result

        pairs = [(s, t) for t in targets for s in snippets]
        try:
            async with asyncio.TaskGroup() as group:
                tasks = {i: group.create_task(one(*pairs[i])) for i in _longest_first(pairs)}
        finally:
            await _close_servers(servers)
        results = [tasks[i].result() for i in range(len(pairs))]
        cache.remember_durations({_key(r): r.duration_s for r in results if r.duration_s})
        return results

    started = time.monotonic()
    results = guarded(work)
    return results, round(time.monotonic() - started, 3)


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


def _start_servers(
    targets: Sequence[Interpreter], modules: frozenset[str]
) -> dict[ServerKey, asyncio.Task[ForkServer | None]]:
    """Per target, a fork server with asyncio preloaded and, when some snippets need
    third-party modules, a second one with those too; both start at once, and snippets
    wait only for the server they use. A server that does not start means fresh processes."""
    servers: dict[ServerKey, asyncio.Task[ForkServer | None]] = {}
    if not forkserver.supported():
        return servers
    for target in targets:
        present = sorted(m for m in modules if target.modules.get(m))
        for heavy, preload in ((False, []), (True, present)):
            if preload or not heavy:
                server = ForkServer(target.executable, preload)
                servers[(target.executable, heavy)] = asyncio.create_task(_started(server))
    return servers


async def _started(server: ForkServer) -> ForkServer | None:
    try:
        await server.start()
    except ServerGone:
        return None
    return server


async def _close_servers(servers: dict[ServerKey, asyncio.Task[ForkServer | None]]) -> None:
    for task in servers.values():
        with contextlib.suppress(asyncio.CancelledError):
            server = await task
            if server is not None:
                await server.close()
