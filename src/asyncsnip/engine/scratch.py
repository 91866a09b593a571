"""Removing a snippet's temporary directory, whatever the snippet left in it.

A snippet may leave a tree deeper than the recursion limit or than PATH_MAX (3,000 nested
directories), or directories it made unreadable (`chmod 000`). The tree is removed without
recursion, one directory descriptor at a time, relative to it (so no path grows long), and a
directory that cannot be read or emptied is given its owner's permissions back on the way.
What still cannot be removed (a mount point, an immutable file) is reported with its path.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
import sys
from collections.abc import Callable

DIRECTORY = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_NOFOLLOW", 0)
OWNER = stat.S_IRWXU


def remove_tree(root: str) -> str | None:
    """Remove `root` and everything in it; None when done, else what is left and why."""
    if not _relative_ops():
        return _remove_by_path(root)
    names = [os.path.basename(root)]
    try:
        parent = os.open(os.path.dirname(root) or ".", DIRECTORY)
    except FileNotFoundError:
        return None
    except OSError as exc:
        return f"{root}: {exc.strerror}"
    try:
        _remove_below(parent, names)
    except FileNotFoundError:
        pass
    except OSError as exc:
        path = os.path.join(os.path.dirname(root), *names)
        return f"{path}: {exc.strerror}"
    finally:
        os.close(parent)
    return None


def _relative_ops() -> bool:
    needed = (os.open, os.unlink, os.rmdir, os.chmod)
    return all(op in os.supports_dir_fd for op in needed) and os.scandir in os.supports_fd


def _remove_below(parent: int, names: list[str]) -> None:
    """Depth first, iteratively: `names` is the path from `parent` to the current directory."""
    fd = _open_directory(parent, names[0])
    try:
        while True:
            sub = _empty_files(fd)
            if sub is not None:
                child = _open_directory(fd, sub)
                os.close(fd)
                fd = child
                names.append(sub)
                continue
            if len(names) == 1:
                break
            up = os.open("..", DIRECTORY & ~getattr(os, "O_NOFOLLOW", 0), dir_fd=fd)
            os.close(fd)
            fd = up
            _retry(os.rmdir, names[-1], fd)
            names.pop()
    finally:
        os.close(fd)
    _retry(os.rmdir, names[0], parent)


def _open_directory(parent: int, name: str) -> int:
    try:
        fd = os.open(name, DIRECTORY, dir_fd=parent)
    except PermissionError:
        os.chmod(name, OWNER, dir_fd=parent)
        fd = os.open(name, DIRECTORY, dir_fd=parent)
    with contextlib.suppress(OSError):
        if os.fstat(fd).st_mode & OWNER != OWNER:
            os.fchmod(fd, OWNER)  # to list it and to remove what is in it
    return fd


def _empty_files(fd: int) -> str | None:
    """Unlink everything in the directory but subdirectories; the name of one of those."""
    subdirectory = None
    with os.scandir(fd) as entries:
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                subdirectory = subdirectory or entry.name
            else:
                _retry(os.unlink, entry.name, fd)
    return subdirectory


def _retry(operation: Callable[..., None], name: str, fd: int) -> None:
    """`operation(name, dir_fd=fd)`; if permission is refused, give the directory `fd` its
    owner's permissions back and run it once more."""
    try:
        operation(name, dir_fd=fd)
    except PermissionError:
        os.fchmod(fd, OWNER)
        operation(name, dir_fd=fd)


def _remove_by_path(root: str) -> str | None:
    """Where directory descriptors cannot be used (Windows): rmtree, fixing permissions."""
    problems: list[str] = []

    def fix(function: Callable[[str], object], path: str, error: object) -> None:
        try:
            os.chmod(path, stat.S_IRWXU)
            function(path)
        except OSError as exc:
            problems.append(f"{path}: {exc.strerror}")

    try:
        if sys.version_info >= (3, 12):
            shutil.rmtree(root, onexc=fix)
        else:
            shutil.rmtree(root, onerror=fix)
    except (OSError, RecursionError) as exc:
        problems.append(f"{root}: {getattr(exc, 'strerror', None) or exc}")
    return problems[0] if problems else None
