"""Where asyncsnip keeps its files: platformdirs' locations, without its import on Linux.

Paths are plain strings here: completion imports this module on every TAB press, and
pathlib alone would cost it a third of its time.
"""

from __future__ import annotations

import os

from asyncsnip.catalog.dirs import APP, cache_dir, config_dir

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable

    StrPath = str | os.PathLike[str]

__all__ = ["APP", "BUILTIN", "cache_dir", "catalog_paths", "config_dir", "user_catalog_path"]
BUILTIN = "builtin"
ENV_CATALOG = "ASYNCSNIP_CATALOG"


def builtin_path() -> str:
    package = os.path.dirname(os.path.dirname(__file__))
    return os.path.join(package, "data", "snippets.toml")


def user_catalog_path() -> str:
    return os.path.join(config_dir(), "snippets.toml")


def catalog_paths(builtin: bool, extra: Iterable[StrPath]) -> list[tuple[str, str, bool]]:
    """(label, path, required) for every catalog source, in the order they are layered."""
    paths: list[tuple[str, str, bool]] = []
    if builtin:
        paths.append((BUILTIN, builtin_path(), True))
    user = user_catalog_path()
    paths.append((user, user, False))
    from asyncsnip.catalog.config import catalogs  # the config file's `catalogs`

    from_env = [p for p in os.environ.get(ENV_CATALOG, "").split(os.pathsep) if p]
    for path in [*catalogs(), *from_env, *(os.fspath(p) for p in extra)]:
        paths.append((os.path.abspath(path), path, True))
    return paths


def present(path: StrPath) -> bool:
    """Is there anything at `path`: a file, or a name that cannot be followed (a symlink
    loop, a directory that cannot be searched), which reading it will report? Only a path
    that does not exist at all (a dangling symlink included) is absent."""
    try:
        os.stat(path)
    except FileNotFoundError:
        return False
    except OSError:
        return True
    return True
