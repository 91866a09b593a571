"""The warden: one process per snippet, between asyncsnip (or its fork server) and the snippet.

Stdlib only, Python 3.11+: it runs inside the fork server (in the *target* Python) and, for a
snippet started afresh, as `python -I -S -c <this source> FD PYTHON SCRIPT`. It leads a
session of its own, makes itself the child subreaper (Linux), so that every process the
snippet starts, however it detaches (a new process group, a new session, a double fork),
stays below it, and forks the snippet. It speaks to asyncsnip over a stream socket, one line per
event: "warden PID" (before the fork), "started PID" (the snippet's, once it leads its own
session), "exited STATUS" (the snippet's wait status), "done N" (how many leftovers it
ended). asyncsnip may send "end" (a timeout or Ctrl-C: end everything now). End of file on
the socket means asyncsnip is gone (even SIGKILLed): everything below the warden is killed.
Started afresh it imports as little as it can (no json, socket or selectors): it is one
more interpreter start for every `run`.

A snippet that stops or kills its parent stops or kills only its own warden; asyncsnip sees
that and marks that snippet alone. The snippet gets PR_SET_PDEATHSIG, so it dies with its
warden. ASYNCSNIP_WITHOUT (comma-separated: proc, prctl) switches facilities off, to
exercise what other platforms get: without /proc the warden ends the snippet's process group
only; without prctl orphans are not kept below it.
"""

import os
import select
import signal
import sys
import time

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from typing import Any, NoReturn

GRACE_S = 1.0  # between SIGTERM and SIGKILL
SETTLE_S = 5.0  # how long to keep killing what keeps appearing (a fork bomb) before giving up
PR_SET_PDEATHSIG = 1
PR_SET_CHILD_SUBREAPER = 36
IGNORED = ("SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT", "SIGUSR1", "SIGUSR2", "SIGALRM")
_libc: list["Any"] = []


def without() -> list[str]:
    return os.environ.get("ASYNCSNIP_WITHOUT", "").split(",")


def prctl(option: int, value: int) -> bool:
    """prctl(2) through ctypes on Linux; False where it does not exist or is switched off."""
    if "prctl" in without() or not sys.platform.startswith("linux"):
        return False
    try:
        if not _libc:
            import ctypes

            _libc.append(ctypes.CDLL(None, use_errno=True))
        return bool(_libc[0].prctl(option, value, 0, 0, 0) == 0)
    except (OSError, AttributeError):
        return False


def has_proc() -> bool:
    return "proc" not in without() and os.path.isdir("/proc/self/task")


def children(pid: int) -> list[int] | None:
    """The live children of `pid` (every thread's), [] if it is gone, None without /proc."""
    if not has_proc():
        return None
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return []
    found: list[int] = []
    for tid in tasks:
        try:
            with open(f"/proc/{pid}/task/{tid}/children", "rb") as listing:
                found += [int(word) for word in listing.read().split()]
        except FileNotFoundError:
            if os.path.isdir(f"/proc/{pid}/task/{tid}"):
                return _scan_children(pid)  # a kernel without the children files
        except OSError:
            continue
    return found


def _scan_children(pid: int) -> list[int]:
    found = []
    for name in os.listdir("/proc"):
        if name.isdigit() and (fields := stat_fields(int(name))) and int(fields[1]) == pid:
            found.append(int(name))
    return found


def stat_fields(pid: int) -> list[bytes] | None:
    """/proc/PID/stat after the command name: state, ppid, pgrp, session, ..."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            return stat.read().rpartition(b")")[2].split()
    except (OSError, ValueError):
        return None


def descendants(pid: int) -> list[int] | None:
    """Every live process below `pid`, parents before children; None without /proc."""
    below = children(pid)
    if below is None:
        return None
    found, seen = [], {pid}
    while below:
        child = below.pop()
        if child not in seen:
            seen.add(child)
            found.append(child)
            below += children(child) or []
    return [p for p in found if (fields := stat_fields(p)) and fields[0] not in (b"Z", b"X")]


def signal_all(pids: list[int], signum: int) -> None:
    for pid in pids:
        try:
            os.kill(pid, signum)
        except OSError:
            pass


def exited() -> "Iterator[tuple[int, int]]":
    """Every child that has exited, reaped without waiting: (pid, wait status)."""
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        yield pid, status


def reap(wanted: int, statuses: dict[int, int]) -> None:
    """Collect every exited child (orphans are ours too); keep the status of `wanted`."""
    for pid, status in exited():
        if pid == wanted:
            statuses[pid] = status


def end_all(snippet: int, statuses: dict[int, int], first: int = signal.SIGTERM) -> int:
    """End everything below the warden: `first` (SIGTERM, a grace, then SIGKILL) and go on
    killing what appears until nothing is left; returns how many processes it found."""
    me, ended = os.getpid(), set()
    deadline = time.monotonic() + SETTLE_S
    for signum in dict.fromkeys((first, signal.SIGKILL)):
        below = descendants(me)
        if below is None:  # no /proc: the snippet's own process group is all we can name
            try:
                os.killpg(snippet, signum)
            except OSError:
                pass
            below = [] if snippet in statuses else [snippet]
        ended.update(below)
        signal_all(below, signum)
        signal_all(below, signal.SIGCONT)  # a stopped process handles SIGTERM only once resumed
        grace = time.monotonic() + (GRACE_S if signum != signal.SIGKILL else 0.0)
        while _anything_left(me, snippet, statuses) and time.monotonic() < grace:
            time.sleep(0.01)
            reap(snippet, statuses)
    while _anything_left(me, snippet, statuses) and time.monotonic() < deadline:
        below = descendants(me) or []
        ended.update(below)
        signal_all(below, signal.SIGKILL)
        time.sleep(0.01)
        reap(snippet, statuses)
    return len(ended - {snippet})


def _anything_left(me: int, snippet: int, statuses: dict[int, int]) -> bool:
    reap(snippet, statuses)
    below = descendants(me)
    if below is None:
        return snippet not in statuses
    return bool(below) or snippet not in statuses


def send(link: int, event: str, value: object) -> bool:
    """One line to asyncsnip; False if it is gone."""
    data = f"{event} {value}\n".encode()
    try:
        while data:
            data = data[os.write(link, data) :]
    except OSError:
        return False
    return True


def supervise(link: int, start: "Callable[[list[int]], int]") -> "NoReturn":
    """Run the snippet that `start` forks (given the fds the child must close) to its end;
    `link` is the socket to asyncsnip."""
    try:
        os.setsid()  # already done when started afresh (asyncsnip starts a new session)
    except OSError:
        pass
    prctl(PR_SET_CHILD_SUBREAPER, 1)
    for name in IGNORED:  # a snippet signalling its parent must not end the supervision
        signal.signal(getattr(signal, name), signal.SIG_IGN)
    wake_r, wake_w = os.pipe()
    os.set_blocking(wake_r, False)
    os.set_blocking(wake_w, False)
    signal.set_wakeup_fd(wake_w)
    signal.signal(signal.SIGCHLD, lambda signum, frame: None)
    send(link, "warden", os.getpid())
    snippet = start([link, wake_r, wake_w])
    send(link, "started", snippet)
    statuses: dict[int, int] = {}
    _wait(link, wake_r, snippet, statuses)
    send(link, "exited", statuses.get(snippet, "none"))
    leftovers = end_all(snippet, statuses)
    send(link, "done", leftovers)
    os._exit(0)


def _wait(link: int, wake_r: int, snippet: int, statuses: dict[int, int]) -> None:
    """Until the snippet exits, or asyncsnip says "end" (or goes away: kill it all at once)."""
    poll = select.poll()
    poll.register(link, select.POLLIN)
    poll.register(wake_r, select.POLLIN)
    reap(snippet, statuses)
    while snippet not in statuses:
        for fd, _ in poll.poll(1000):
            if fd == wake_r:
                try:
                    while os.read(wake_r, 512):
                        pass
                except OSError:
                    pass
                continue
            try:
                data = os.read(link, 4096)
            except OSError:
                data = b""
            if not data:  # asyncsnip is gone: nobody will read a report
                end_all(snippet, statuses, signal.SIGKILL)
                os._exit(0)
            if b"end" in data:
                end_all(snippet, statuses)
        reap(snippet, statuses)


def prepare_child(ready_w: int, close: list[int], stdout: int, stderr: int, cwd: str) -> None:
    """In the forked child, before the snippet runs: die with the warden, lead a session,
    default signal handling, stdin at end-of-file, the pipes as stdout and stderr."""
    warden = os.getppid()
    prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != warden:
        os._exit(1)
    os.setsid()
    os.close(ready_w)
    signal.set_wakeup_fd(-1)
    for name in (*IGNORED, "SIGCHLD"):
        signal.signal(getattr(signal, name), signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    for fd in close:
        try:
            os.close(fd)
        except OSError:
            pass
    null = os.open(os.devnull, os.O_RDONLY)
    for source, target in ((null, 0), (stdout, 1), (stderr, 2)):
        if source != target:
            os.dup2(source, target)
            os.close(source)
    os.chdir(cwd)


def fork_child(run: "Callable[[int], None]") -> int:
    """Fork; the child calls `run(ready_w)` and must close ready_w once it leads its own
    session (and never return); the parent returns the child's pid once that happened."""
    ready_r, ready_w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(ready_r)
        try:
            run(ready_w)
        finally:
            os._exit(127)
    os.close(ready_w)
    os.read(ready_r, 1)  # end of file once the child leads its own session
    os.close(ready_r)
    return pid


def fresh_main() -> "NoReturn":
    """`python -I -S -c SOURCE FD PYTHON SCRIPT`: supervise `PYTHON -u SCRIPT`, started in
    the working directory, with the warden's own stdout and stderr (the snippet's pipes)."""
    link, python, script = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    os.set_inheritable(link, False)
    cwd = os.getcwd()

    def start(close: list[int]) -> int:
        def run(ready_w: int) -> None:
            prepare_child(ready_w, close, 1, 2, cwd)
            try:
                os.execv(python, [python, "-u", script])
            except OSError as exc:
                os.write(2, f"asyncsnip: cannot start {python}: {exc.strerror}\n".encode())

        return fork_child(run)

    supervise(link, start)
