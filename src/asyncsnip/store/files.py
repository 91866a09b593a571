"""Writing files so that a failure never leaves a partial or damaged file behind."""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path

from asyncsnip.errors import UsageError


def write_atomic(
    path: Path,
    data: bytes,
    check: Callable[[Path], None] | None = None,
    mode: int | None = None,
) -> None:
    """Replace `path` with `data`: a temporary file in the same directory, flushed, fsynced
    and given to `check` (which raises to refuse it), then renamed over the target. The file
    keeps the target's mode (or gets `mode`), and a symlink is written through to its file."""
    target = path.resolve() if path.is_symlink() else path
    current = _writable_mode(target)
    mode = current if mode is None else mode
    fd, temporary = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, mode)
        if check is not None:
            check(Path(temporary))
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    _sync_directory(target.parent)


def _writable_mode(target: Path) -> int:
    """The mode the new file gets; refuses a missing directory or a read-only file."""
    if not target.parent.is_dir():
        raise UsageError(f"cannot write {target}: the directory {target.parent} does not exist")
    try:
        current = target.stat().st_mode
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask
    if not current & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH):
        raise UsageError(f"cannot write {target}: the file is read-only")
    return stat.S_IMODE(current)


def _sync_directory(directory: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
