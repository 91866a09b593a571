"""A compact cache of parsed catalog files, so a lookup does not re-parse TOML.

Marshal files per catalog path in the user cache directory (the parsed tables, and the slim
index completion reads), keyed on the catalog's
path, size, modification time, asyncsnip's version and the Python version. Anything
unexpected (missing, stale, unreadable, corrupt) means: parse the file again. The cache is
untrusted: its readers take a value only if it has exactly the validated structure
(`rules.cached_rows`, `index.well_formed`, `search._sound`).
"""

from __future__ import annotations

import contextlib
import marshal
import os
import sys
import time

from asyncsnip import __version__
from asyncsnip.catalog.dirs import cache_dir

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

    StrPath = str | os.PathLike[str]

LAYOUT = 9  # of what is stored; a change of it makes every stored file stale
RACY_S = 2.0  # a file changed this recently may change again within the same mtime tick


def _key(path: StrPath, stat: os.stat_result) -> tuple[Any, ...]:
    identity = (stat.st_ino, stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns)
    versions = (LAYOUT, __version__, tuple(sys.version_info[:2]))
    return (os.path.realpath(path), *identity, *versions)


def _file_for(path: StrPath, kind: str) -> str:
    name = os.path.realpath(path).replace(os.sep, "%")
    if len(name) > 200:
        import hashlib

        name = hashlib.sha256(name.encode()).hexdigest()
    return os.path.join(cache_dir(), "catalogs", f"{name}.{kind}.marshal")


def get(path: StrPath, stat: os.stat_result, kind: str = "tables") -> Any | None:
    """The value of this `kind` cached for this exact version of the file, or None."""
    stored = _read(_file_for(path, kind))
    if not isinstance(stored, tuple) or len(stored) != 2 or stored[0] != _key(path, stat):
        return None
    return stored[1]


def put(path: StrPath, stat: os.stat_result, values: Callable[[], dict[str, Any]]) -> None:
    """Store each kind of value derived from the parsed file (`values` makes them, only when
    they will be stored); one changed moments ago is not stored (it may change again within
    the same modification-time tick)."""
    if time.time() - stat.st_mtime >= RACY_S:
        for kind, value in values().items():
            _write(_file_for(path, kind), (_key(path, stat), value))


def durations() -> dict[str, float]:
    """How long each snippet took in earlier checks ("python|id" -> seconds), for ordering."""
    value = _read(os.path.join(cache_dir(), "durations.marshal"))
    if not isinstance(value, dict):
        return {}
    return {k: v for k, v in value.items() if type(k) is str and type(v) is float and v >= 0}


def remember_durations(measured: dict[str, float]) -> None:
    _write(os.path.join(cache_dir(), "durations.marshal"), {**durations(), **measured})


def _read(target: str) -> Any:
    try:
        with open(target, "rb") as stored:
            return marshal.loads(stored.read())
    except Exception:  # anything at all: the cache is untrusted, and rebuilt
        return None


def _write(target: str, value: Any) -> None:
    """Atomically; a cache that cannot be written is simply not used."""
    temporary = f"{target}.{os.getpid()}.tmp"
    try:
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with open(temporary, "wb") as out:
            out.write(marshal.dumps(value))
        os.replace(temporary, target)
    except (OSError, ValueError):
        with contextlib.suppress(OSError):
            os.unlink(temporary)
