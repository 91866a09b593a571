"""Keeping every process a snippet starts below asyncsnip, and ending what is left of them.

On Linux asyncsnip makes itself the child subreaper (PR_SET_CHILD_SUBREAPER) while it runs
snippets, as its fork servers and each snippet's warden do: a process that detaches (a new
process group or session, a double fork) is re-parented to the nearest of them instead of to
init, so it can be found in /proc and ended. What asyncsnip starts dies with it
(PR_SET_PDEATHSIG, or the warden's socket reaching end of file). Elsewhere the engine falls
back to what the platform has and `describe()` says what it cannot guarantee.

ASYNCSNIP_WITHOUT (comma-separated: proc, prctl, fork, pgroups) switches the facilities off,
so that tests on Linux exercise the paths other platforms take.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Set as AbstractSet
from typing import NamedTuple

from asyncsnip.engine import warden_main as wm

SWEEP_S = 5.0  # how long a sweep goes on killing what keeps appearing
KEEP: set[int] = set()  # asyncsnip's own children that a sweep must leave alone


class Facilities(NamedTuple):
    proc: bool  # /proc: find every process below another one
    prctl: bool  # the child subreaper and the parent-death signal
    fork: bool  # wardens and fork servers (else snippets are started directly)
    pgroups: bool  # sessions and process groups, and killpg


def facilities() -> Facilities:
    off = wm.without()
    linux = sys.platform.startswith("linux")
    posix = hasattr(os, "fork") and hasattr(os, "killpg")
    return Facilities(
        proc=linux and "proc" not in off and os.path.isdir("/proc/self/task"),
        prctl=linux and "prctl" not in off,
        fork=posix and "fork" not in off,
        pgroups=posix and "pgroups" not in off,
    )


def describe(have: Facilities | None = None) -> str:
    """What containment holds here, in one line (for `doctor` and the docs)."""
    have = have or facilities()
    if have.proc and have.prctl and have.fork:
        return "complete: every process a snippet starts is ended (subreaper, /proc, wardens)"
    if have.fork and have.pgroups:
        return (
            "partial: each snippet's process group is ended, and a snippet cannot harm "
            "asyncsnip; a process that leaves its group (setsid, a double fork) may outlive it"
        )
    return (
        "partial: each snippet and the processes it starts are ended as a tree (taskkill /T "
        "on Windows); a process whose parent already exited, or one that signals asyncsnip, "
        "is not contained"
    )


def begin() -> tuple[bool, set[int]]:
    """Become the subreaper; returns (whether it was turned on here, children before)."""
    turned_on = facilities().prctl and wm.prctl(wm.PR_SET_CHILD_SUBREAPER, 1)
    return turned_on, set(wm.children(os.getpid()) or [])


def end(started: tuple[bool, set[int]]) -> None:
    """After the work: end whatever was re-parented to asyncsnip, and stop being subreaper."""
    turned_on, before = started
    sweep(before)
    if turned_on:
        wm.prctl(wm.PR_SET_CHILD_SUBREAPER, 0)


def sweep(spare: AbstractSet[int] = frozenset()) -> int:
    """Kill and reap every child of asyncsnip it did not start itself (orphans re-parented to
    it), with everything below them; returns how many processes it ended."""
    if not facilities().proc:
        return 0
    me, ended = os.getpid(), set()
    deadline = time.monotonic() + SWEEP_S
    while time.monotonic() < deadline:
        strays = [pid for pid in wm.children(me) or [] if pid not in KEEP and pid not in spare]
        if not strays:
            break
        for stray in strays:
            below = [stray, *(wm.descendants(stray) or [])]
            ended.update(below)
            wm.signal_all(below, signal.SIGKILL)
        for stray in strays:
            reap(stray)
    return len(ended)


def reap(pid: int, wait_s: float = 0.5) -> int | None:
    """The wait status of `pid` if it is a child of ours that ends within `wait_s`."""
    deadline = time.monotonic() + wait_s
    while True:
        try:
            found, status = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            return None
        if found:
            return status
        if time.monotonic() >= deadline:
            return None
        time.sleep(0.005)


def stopped(pid: int) -> bool:
    """Is `pid` stopped (SIGSTOP, SIGTSTP, a tracer)? From /proc, or waitid for a child."""
    if facilities().proc:
        fields = wm.stat_fields(pid)
        return fields is not None and fields[0] in (b"T", b"t")
    try:
        found = os.waitid(os.P_PID, pid, os.WSTOPPED | os.WNOHANG | os.WNOWAIT)
        return found is not None and found.si_code in (os.CLD_STOPPED, os.CLD_TRAPPED)
    except (AttributeError, ChildProcessError, OSError):  # no waitid, or not our child
        return False


def kill_tree(pid: int, group: int | None = None) -> None:
    """SIGKILL `pid` and everything below it (its process group too, when there is one)."""
    below = wm.descendants(pid) or []
    if group is not None and facilities().pgroups:
        with contextlib.suppress(OSError):
            os.killpg(group, signal.SIGKILL)
    wm.signal_all([*below, pid], signal.SIGKILL)


async def exited(proc: subprocess.Popen[bytes]) -> None:
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


def end_process(proc: subprocess.Popen[bytes]) -> None:
    """Kill a process asyncsnip started in a session of its own, with its group, and reap
    it (synchronously: also when the caller was interrupted)."""
    if proc.poll() is None:
        with contextlib.suppress(OSError):
            if facilities().pgroups:
                os.killpg(proc.pid, signal.SIGKILL)
            proc.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(5)
    for pipe in (proc.stdout, proc.stderr):
        if pipe is not None:
            with contextlib.suppress(OSError):
                pipe.close()
    KEEP.discard(proc.pid)
