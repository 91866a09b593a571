"""The fork server: runs inside the *target* Python (stdlib only, 3.11+), never in asyncsnip.

asyncsnip starts it as `python -u -c <this source> MODULE...` with a SOCK_SEQPACKET socket on
the fd named by $ASYNCSNIP_FORKSERVER_FD. It imports asyncio and the given modules once, says
"ready", then for each request (a JSON message carrying the snippet's stdout and stderr pipes
as file descriptors) forks a child that becomes a new session, takes /dev/null as stdin and
the pipes as stdout and stderr, enters the snippet's working directory and executes the
script as `__main__`, exactly as `python -u SCRIPT` would, then exits through the normal
interpreter shutdown. The server reports "started" (once the child leads its own session)
and "exited" (with the wait status) for each request. End of file on the socket stops it.
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
import traceback
import types
from typing import Any, NoReturn

Server = tuple[socket.socket, selectors.BaseSelector, int, int]

PRELOAD = ("asyncio", "concurrent.futures", "contextlib", "json", "random", "subprocess", "time")


def preload(names: list[str]) -> None:
    for name in names:
        # a module that fails here fails again, visibly, in the snippet that needs it
        with contextlib.suppress(BaseException):
            importlib.import_module(name)


def send(sock: socket.socket, **message: object) -> None:
    sock.send(json.dumps(message).encode())


def serve(sock: socket.socket) -> None:
    wake_r, wake_w = os.pipe()
    os.set_blocking(wake_r, False)
    os.set_blocking(wake_w, False)
    signal.set_wakeup_fd(wake_w)
    signal.signal(signal.SIGCHLD, lambda signum, frame: None)
    selector = selectors.DefaultSelector()
    selector.register(sock, selectors.EVENT_READ, "request")
    selector.register(wake_r, selectors.EVENT_READ, "child")
    children: dict[int, int] = {}
    server = (sock, selector, wake_r, wake_w)
    send(sock, event="ready", pid=os.getpid())
    while True:
        for key, _ in selector.select():
            if key.data == "child":
                drain(wake_r)
                reap(sock, children)
                continue
            message, fds, _, _ = socket.recv_fds(sock, 65536, 4)
            if not message:
                return
            request = json.loads(message)
            pid = fork(request, fds, server)
            children[pid] = request["id"]
            send(sock, event="started", id=request["id"], pid=pid)
            reap(sock, children)


def drain(fd: int) -> None:
    try:
        while os.read(fd, 512):
            pass
    except BlockingIOError:
        pass


def reap(sock: socket.socket, children: dict[int, int]) -> None:
    while children:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        if pid in children:
            send(sock, event="exited", id=children.pop(pid), status=status)


def fork(request: dict[str, Any], fds: list[int], server: Server) -> int:
    ready_r, ready_w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(ready_r)
        become_snippet(request, fds, ready_w, server)  # never returns
    os.close(ready_w)
    for fd in fds:
        os.close(fd)
    os.read(ready_r, 1)  # end of file once the child leads its own session
    os.close(ready_r)
    return pid


def become_snippet(
    request: dict[str, Any], fds: list[int], ready_w: int, server: Server
) -> NoReturn:
    os.setsid()
    os.close(ready_w)
    sock, selector, wake_r, wake_w = server
    signal.set_wakeup_fd(-1)
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    selector.close()
    sock.close()
    os.close(wake_r)
    os.close(wake_w)
    null = os.open(os.devnull, os.O_RDONLY)
    for source, target in ((null, 0), (fds[0], 1), (fds[1], 2)):
        os.dup2(source, target)
        os.close(source)
    os.chdir(request["cwd"])
    path = request["script"]
    sys.argv = [path]
    sys.path[0] = os.path.dirname(path)
    finish(execute(path))


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


if __name__ == "__main__":
    preload([*PRELOAD, *sys.argv[1:]])
    gc.freeze()  # children then leave these objects alone, and so share their memory pages
    serve(socket.socket(fileno=int(os.environ.pop("ASYNCSNIP_FORKSERVER_FD"))))
