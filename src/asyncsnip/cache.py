"""A compact cache of parsed catalog files, so a lookup does not re-parse TOML.

One marshal file per catalog path in the user cache directory, keyed on the catalog's
path, size, modification time, asyncsnip's version and the Python version. Anything
unexpected (missing, stale, unreadable, corrupt) means: parse the file again.
"""

from __future__ import annotations

import contextlib
import marshal
import os
import sys
import time
from pathlib import Path
from typing import Any

from asyncsnip import __version__
from asyncsnip.paths import cache_dir

RACY_S = 2.0  # a file changed this recently may change again within the same mtime tick


def _key(path: Path, stat: os.stat_result) -> tuple[Any, ...]:
    identity = (stat.st_ino, stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns)
    return (str(path.resolve()), *identity, __version__, tuple(sys.version_info[:2]))


def _file_for(path: Path) -> Path:
    name = str(path.resolve()).replace(os.sep, "%")
    if len(name) > 200:
        import hashlib

        name = hashlib.sha256(name.encode()).hexdigest()
    return cache_dir() / "catalogs" / f"{name}.marshal"


def get(path: Path, stat: os.stat_result) -> Any | None:
    """The cached value for this exact version of the file, or None."""
    try:
        key, value = marshal.loads(_file_for(path).read_bytes())
    except (OSError, EOFError, ValueError, TypeError):
        return None
    return value if key == _key(path, stat) else None


def put(path: Path, stat: os.stat_result, value: Any) -> None:
    """Store atomically; a cache that cannot be written is simply not used."""
    if time.time() - stat.st_mtime < RACY_S:
        return
    target = _file_for(path)
    temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary.write_bytes(marshal.dumps((_key(path, stat), value)))
        os.replace(temporary, target)
    except (OSError, ValueError):
        with contextlib.suppress(OSError):
            temporary.unlink()
