"""Where asyncsnip keeps its files: platformdirs' locations, without its import on Linux."""

from __future__ import annotations

import os
import sys
from pathlib import Path

APP = "asyncsnip"


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
