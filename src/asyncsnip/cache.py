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
    stored = _read(_file_for(path))
    if not isinstance(stored, tuple) or len(stored) != 2 or stored[0] != _key(path, stat):
        return None
    return stored[1]


def put(path: Path, stat: os.stat_result, value: Any) -> None:
    """Store the parsed file; one changed moments ago is not stored (it may change again
    within the same modification-time tick)."""
    if time.time() - stat.st_mtime >= RACY_S:
        _write(_file_for(path), (_key(path, stat), value))


def durations() -> dict[str, float]:
    """How long each snippet took in earlier checks ("python|id" -> seconds), for ordering."""
    value = _read(cache_dir() / "durations.marshal")
    return value if isinstance(value, dict) else {}


def remember_durations(measured: dict[str, float]) -> None:
    _write(cache_dir() / "durations.marshal", {**durations(), **measured})


def _read(target: Path) -> Any:
    try:
        return marshal.loads(target.read_bytes())
    except (OSError, EOFError, ValueError, TypeError):
        return None


def _write(target: Path, value: Any) -> None:
    """Atomically; a cache that cannot be written is simply not used."""
    temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary.write_bytes(marshal.dumps(value))
        os.replace(temporary, target)
    except (OSError, ValueError):
        with contextlib.suppress(OSError):
            temporary.unlink()
