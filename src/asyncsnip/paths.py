"""Where asyncsnip keeps its files: platformdirs' locations, without its import on Linux."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable
from pathlib import Path

APP = "asyncsnip"
BUILTIN = "builtin"
ENV_CATALOG = "ASYNCSNIP_CATALOG"


def builtin_path() -> Path:
    return Path(__file__).parent / "data" / "snippets.toml"


def user_catalog_path() -> Path:
    return config_dir() / "snippets.toml"


def catalog_paths(builtin: bool, extra: Iterable[Path]) -> list[tuple[str, Path, bool]]:
    """(label, path, required) for every catalog source, in the order they are layered."""
    paths: list[tuple[str, Path, bool]] = []
    if builtin:
        paths.append((BUILTIN, builtin_path(), True))
    user = user_catalog_path()
    paths.append((str(user), user, False))
    from_env = [Path(p) for p in os.environ.get(ENV_CATALOG, "").split(os.pathsep) if p]
    for path in [*from_env, *extra]:
        paths.append((str(path.absolute()), path, True))
    return paths


def config_dir() -> Path:
    if sys.platform.startswith("linux"):
        return _xdg("XDG_CONFIG_HOME", ".config")
    from platformdirs import user_config_dir

    return Path(user_config_dir(APP, appauthor=False))


def cache_dir() -> Path:
    if sys.platform.startswith("linux"):
        return _xdg("XDG_CACHE_HOME", ".cache")
    from platformdirs import user_cache_dir

    return Path(user_cache_dir(APP, appauthor=False))


def _xdg(variable: str, default: str) -> Path:
    """What platformdirs answers on Linux: $VARIABLE if set and non-blank, else ~/default."""
    base = os.environ.get(variable, "").strip()
    return Path(base or os.path.expanduser(f"~/{default}")) / APP
