"""The user's config and cache directories: platformdirs' answers, without its import on
Linux (completion asks on every TAB press). Paths are plain strings."""

from __future__ import annotations

import os
import sys

APP = "asyncsnip"


def config_dir() -> str:
    if sys.platform.startswith("linux"):
        return _xdg("XDG_CONFIG_HOME", ".config")
    from platformdirs import user_config_dir

    return user_config_dir(APP, appauthor=False)


def cache_dir() -> str:
    if sys.platform.startswith("linux"):
        return _xdg("XDG_CACHE_HOME", ".cache")
    from platformdirs import user_cache_dir

    return user_cache_dir(APP, appauthor=False)


def _xdg(variable: str, default: str) -> str:
    """What platformdirs answers on Linux: $VARIABLE if set and non-blank, else ~/default."""
    base = os.environ.get(variable, "").strip()
    return os.path.join(base or os.path.expanduser(f"~/{default}"), APP)
