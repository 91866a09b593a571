"""Writing files so that a failure never leaves a partial or damaged file behind.

A regular file (or a new one) is replaced atomically: a temporary file in the same directory,
flushed, fsynced and checked, then renamed over it. A FIFO or a character device (`-o
/dev/stdout`, `/dev/null`, a named pipe) is written into directly and never replaced; a
directory, a block device or a socket is refused (WriteError). Whatever fails leaves what
was there as it was; `write_output` turns every OSError into a WriteError naming the path.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

from asyncsnip.errors import WriteError

# errors of the place written to (exit 2); any other OSError is a failure (exit 1)
BAD_PLACE = {errno.EACCES, errno.EPERM, errno.EROFS, errno.ELOOP, errno.ENOTDIR, errno.EISDIR}
BAD_PLACE |= {errno.ENAMETOOLONG, errno.ENOENT, errno.ENXIO}


class Staged(NamedTuple):
    """A complete, checked temporary file, waiting to be renamed over its target."""

    temporary: str
    target: Path


def write_atomic(
    path: Path,
    data: bytes,
    check: Callable[[Path], None] | None = None,
    mode: int | None = None,
) -> None:
    """Write `data` to `path`: replace a regular file atomically (keeping its mode, or with
    `mode`; through a symlink to its file), or write into a FIFO or a character device.
    `check` is given the complete temporary file and raises to refuse it. /dev/stdout,
    /dev/stderr and /dev/fd/N are the descriptor itself, written as the shell opened it (a
    file opened with `>>` is appended to, not replaced)."""
    fd = _descriptor(path)
    if fd is not None and check is None:
        _write_all(fd, data)
        return
    current = _examine(path)
    if current is not None and (stat.S_ISFIFO(current) or stat.S_ISCHR(current)):
        if check is not None:
            raise WriteError(str(path), "is not a regular file")
        _write_into(path, data)
        return
    staged = stage(path, data, check, mode)
    commit(staged)


def stage(
    path: Path, data: bytes, check: Callable[[Path], None] | None = None, mode: int | None = None
) -> Staged:
    """The temporary file for `path`, written, fsynced and checked; nothing replaced yet."""
    current = _examine(path)
    if current is not None and not stat.S_ISREG(current):
        raise WriteError(str(path), "is not a regular file")
    target = Path(os.path.realpath(path))
    if not target.parent.is_dir():
        raise WriteError(str(path), f"the directory {target.parent} does not exist")
    mode = _mode(path, current) if mode is None else mode
    fd, temporary = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, mode)
        if check is not None:
            check(Path(temporary))
    except BaseException:
        discard(Staged(temporary, target))
        raise
    return Staged(temporary, target)


def commit(staged: Staged) -> None:
    """Rename the temporary file over its target (removing it if that fails)."""
    try:
        os.replace(staged.temporary, staged.target)
    except OSError:
        discard(staged)
        raise
    _sync_directory(staged.target.parent)


def discard(staged: Staged) -> None:
    with contextlib.suppress(OSError):
        os.unlink(staged.temporary)


def write_output(path: Path, data: bytes) -> None:
    """write_atomic for a file the user named: every OSError becomes one WriteError."""
    try:
        write_atomic(path, data)
    except BrokenPipeError:
        pass  # the reader went away (`-o /dev/stdout | head`): end quietly, as a pipe does
    except OSError as exc:
        raise error(path, exc) from None


def error(path: Path | str, exc: OSError) -> WriteError:
    """The WriteError for an OSError: the place's fault (exit 2) or a failure (exit 1)."""
    reason = exc.strerror or str(exc)
    return WriteError(str(path), reason, failure=exc.errno not in BAD_PLACE)


def _examine(path: Path) -> int | None:
    """The mode of what `path` names (through symlinks), None if nothing; refuses a
    directory, a block device, a socket, a symlink loop and an empty name."""
    if not str(path) or str(path) == ".":
        raise WriteError(repr(str(path)), "is not a file name (empty, or the current directory)")
    try:
        current = os.stat(path).st_mode
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise error(path, exc) from None
    if stat.S_ISDIR(current):
        raise WriteError(str(path), "is a directory; give the name of a file in it")
    if stat.S_ISBLK(current) or stat.S_ISSOCK(current):
        kind = "a block device" if stat.S_ISBLK(current) else "a socket"
        raise WriteError(str(path), f"is {kind}, not a file")
    return current


def _mode(path: Path, current: int | None) -> int:
    """The mode the new file gets: the old file's, or what the umask allows; a read-only
    file is refused."""
    if current is None:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask
    if not current & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH):
        raise WriteError(str(path), "the file is read-only")
    return stat.S_IMODE(current)


def _descriptor(path: Path) -> int | None:
    """The descriptor a path like /dev/stdout or /dev/fd/3 names, if it is open."""
    text = os.path.normpath(str(path))
    named = {"/dev/stdin": 0, "/dev/stdout": 1, "/dev/stderr": 2}.get(text)
    for prefix in ("/dev/fd/", "/proc/self/fd/"):
        number = text.removeprefix(prefix)
        if text.startswith(prefix) and number.isdigit():
            named = int(number)
    if named is None:
        return None
    try:
        os.fstat(named)
    except OSError:
        return None
    return named


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _write_into(path: Path, data: bytes) -> None:
    """Into a FIFO (which must have a reader: never wait for one) or a character device."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
    except OSError as exc:
        if exc.errno == errno.ENXIO:
            raise WriteError(str(path), "is a FIFO that nobody reads") from None
        raise error(path, exc) from None
    try:
        os.set_blocking(fd, True)
        _write_all(fd, data)
    finally:
        os.close(fd)


def _sync_directory(directory: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
