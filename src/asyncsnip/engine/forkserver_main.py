"""The fork server: runs inside the *target* Python (stdlib only, 3.11+), never in asyncsnip.

asyncsnip starts it as `python -u -c <warden source + this source> MODULE...` with a
SOCK_SEQPACKET socket on the fd named by $ASYNCSNIP_FORKSERVER_FD. It dies with asyncsnip
(PR_SET_PDEATHSIG), is the child subreaper of everything below it, imports asyncio and the
given modules once and says "ready". Each request (a JSON message carrying the snippet's
stdout and stderr pipes and the socket of its warden as file descriptors) forks a warden
(`warden_main.py`), which forks the snippet: it becomes a new session, takes /dev/null as
stdin and the pipes as stdout and stderr, enters the snippet's working directory and executes
the script as `__main__`, exactly as `python -u SCRIPT` would, then exits through the normal
interpreter shutdown. The server reports "forked" and "exited" (the warden's wait status) for
each request and answers "ping" with "pong". End of file on the socket stops it, and it
kills whatever is still below it.
"""

import atexit
import builtins
import contextlib
import gc
import importlib
import json
import os
import selectors
import signal
import socket
import sys
import time
import traceback
import types
from typing import Any, NoReturn

TYPE_CHECKING = False
if TYPE_CHECKING:  # in the target Python the warden's source comes first, in the same module
    from asyncsnip.engine.warden_main import (
        PR_SET_CHILD_SUBREAPER,
        PR_SET_PDEATHSIG,
        SETTLE_S,
        children,
        descendants,
        exited,
        fork_child,
        prctl,
        prepare_child,
        signal_all,
        supervise,
    )

Server = tuple[socket.socket, selectors.BaseSelector, int, int]

PRELOAD = ("asyncio", "concurrent.futures", "contextlib", "json", "random", "subprocess", "time")


def preload(names: list[str]) -> None:
    for name in names:
        # a module that fails here fails again, visibly, in the snippet that needs it
        with contextlib.suppress(BaseException):
            importlib.import_module(name)


def tell(sock: socket.socket, **message: object) -> None:
    """A report to asyncsnip; if it is gone, the end of file on the socket says so next."""
    with contextlib.suppress(OSError):
        sock.send(json.dumps(message).encode())


def leave() -> None:
    """asyncsnip closed the socket: end every warden and whatever is still below them."""
    deadline = time.monotonic() + SETTLE_S
    while (below := descendants(os.getpid())) and time.monotonic() < deadline:
        signal_all(below, signal.SIGKILL)
        time.sleep(0.01)
        for _ in exited():
            pass


def serve(sock: socket.socket) -> None:
    wake_r, wake_w = os.pipe()
    os.set_blocking(wake_r, False)
    os.set_blocking(wake_w, False)
    signal.set_wakeup_fd(wake_w)
    signal.signal(signal.SIGCHLD, lambda signum, frame: None)
    selector = selectors.DefaultSelector()
    selector.register(sock, selectors.EVENT_READ, "request")
    selector.register(wake_r, selectors.EVENT_READ, "child")
    wardens: dict[int, int] = {}
    server = (sock, selector, wake_r, wake_w)
    tell(sock, event="ready", pid=os.getpid())
    while True:
        for key, _ in selector.select():
            if key.data == "child":
                drain(wake_r)
                collect(sock, wardens)
                continue
            message, fds, _, _ = socket.recv_fds(sock, 65536, 4)
            if not message:
                leave()
                return
            request = json.loads(message)
            if request.get("ping"):
                tell(sock, event="pong", id=request["ping"])
                continue
            pid = fork_warden(request, fds, server)
            wardens[pid] = request["id"]
            tell(sock, event="forked", id=request["id"], pid=pid)
            collect(sock, wardens)


def drain(fd: int) -> None:
    try:
        while os.read(fd, 512):
            pass
    except BlockingIOError:
        pass


def collect(sock: socket.socket, wardens: dict[int, int]) -> None:
    """Reap every child; report each warden's end. A warden that did not end normally (its
    snippet killed it) leaves the snippet's processes to us, the subreaper: end them."""
    abnormal = False
    for pid, status in exited():
        if pid in wardens:
            tell(sock, event="exited", id=wardens.pop(pid), status=status)
            abnormal = abnormal or status != 0
    if abnormal:
        orphans = [pid for pid in children(os.getpid()) or [] if pid not in wardens]
        for orphan in orphans:
            signal_all([*(descendants(orphan) or []), orphan], signal.SIGKILL)


def fork_warden(request: dict[str, Any], fds: list[int], server: Server) -> int:
    """A warden for one snippet: it forks the snippet, which runs here, preloaded."""
    pid = os.fork()
    if pid == 0:
        sock, selector, wake_r, wake_w = server
        selector.close()
        sock.close()
        os.close(wake_r)
        os.close(wake_w)
        stdout, stderr, link = fds

        def start(close: list[int]) -> int:
            def run(ready_w: int) -> None:
                prepare_child(ready_w, close, stdout, stderr, request["cwd"])
                path = request["script"]
                sys.argv = [path]
                sys.path[0] = os.path.dirname(path)
                finish(execute(path))

            child = fork_child(run)
            os.close(stdout)  # the snippet has its own copies
            os.close(stderr)
            return child

        try:
            supervise(link, start)
        finally:
            os._exit(70)
    for fd in fds:
        os.close(fd)
    return pid


def execute(path: str) -> int:
    """Run the script as __main__; tracebacks start at the script, as with `python SCRIPT`."""
    main = types.ModuleType("__main__")
    main.__dict__.update(__file__=path, __builtins__=builtins, __cached__=None)
    sys.modules["__main__"] = main
    try:
        with open(path, "rb") as script:
            code = compile(script.read(), path, "exec")
        exec(code, main.__dict__)
    except SystemExit as exc:
        return exit_status(exc.code)
    except BaseException as exc:
        frames = exc.__traceback__.tb_next if exc.__traceback__ else None
        traceback.print_exception(type(exc), exc, frames)
        return 1
    return 0


def exit_status(code: object) -> int:
    """What the interpreter makes of `sys.exit(code)`."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code & 0xFF
    print(code, file=sys.stderr)
    return 1


def finish(status: int) -> NoReturn:
    """Exit as the interpreter does (wait for threads, run atexit, flush the streams), but
    without tearing down every preloaded module: that would cost more than the snippet."""
    threading = sys.modules.get("threading")
    if threading is not None:
        threading._shutdown()
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    os._exit(status)


def main() -> None:
    parent = int(os.environ.pop("ASYNCSNIP_PARENT", "0"))
    prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if parent and os.getppid() != parent:
        return  # asyncsnip died before the line above took effect
    prctl(PR_SET_CHILD_SUBREAPER, 1)
    preload([*PRELOAD, *sys.argv[1:]])
    gc.freeze()  # children then leave these objects alone, and so share their memory pages
    serve(socket.socket(fileno=int(os.environ.pop("ASYNCSNIP_FORKSERVER_FD"))))


if __name__ == "__main__":
    main()
