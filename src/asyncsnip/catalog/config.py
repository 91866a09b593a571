"""The config file: what a user sets once. Stdlib only.

`config.toml` in the user config directory, or the file named by $ASYNCSNIP_CONFIG:

    catalogs = ["~/team/asyncio-catalog/snippets.toml"]  # loaded after the user catalog
    color = "auto"        # the default of --color: auto, always or never
    theme = "ansi"        # the colour theme: ansi (the terminal's 16 colours) or monokai
    pager = "less -FRX"   # the pager for long output; false for none
    jobs = 16             # check's default --jobs

A relative catalog path is relative to the config file. Anything wrong (bad TOML, an unknown
key, a wrong type) is one ConfigError naming the file and the line. What every value is, and
where it came from, is `in_force`'s answer (for `doctor`).
"""

from __future__ import annotations

import os

from asyncsnip.catalog import dirs
from asyncsnip.choices import COLORS
from asyncsnip.errors import ConfigError

TYPE_CHECKING = False  # completion reads `catalogs()` on every TAB press: keep it cheap
if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any

ENV = "ASYNCSNIP_CONFIG"
DEFAULT_JOBS = 32
DEFAULT_PAGER = "less -FRX"
MAX_BYTES = 1 << 20
KEYS = {
    "catalogs": "a list of catalog paths",
    "color": "one of " + ", ".join(f'"{c}"' for c in COLORS),
    "theme": "a theme name (a string)",
    "pager": "a pager command (a string), or false",
    "jobs": "a whole number of at least 1",
}


class Config:
    """The settings of one config file (none at all when it does not exist)."""

    def __init__(
        self, path: str, values: dict[str, Any], lines: dict[str, int], chosen_by_env: bool
    ) -> None:
        self.path = path
        self.values = values
        self.lines = lines
        self.exists = bool(values) or os.path.isfile(path)
        self.chosen_by_env = chosen_by_env

    def get(self, key: str, default: Any = None) -> Any:
        return self.values.get(key, default)

    def where(self, key: str) -> str:
        return f"config file {self.path}:{self.lines.get(key, 1)}"

    @property
    def catalogs(self) -> list[str]:
        """The catalog paths, `~` expanded and relative ones made relative to this file."""
        base = os.path.dirname(os.path.abspath(self.path))
        found = (os.path.expanduser(p) for p in self.values.get("catalogs", []))
        return [p if os.path.isabs(p) else os.path.join(base, p) for p in found]


def path() -> tuple[str, bool]:
    """(the config file in force, whether $ASYNCSNIP_CONFIG chose it)."""
    chosen = os.environ.get(ENV, "").strip()
    if chosen:
        return os.path.expanduser(chosen), True
    return os.path.join(dirs.config_dir(), "config.toml"), False


def load() -> Config:
    """The config in force; a ConfigError if it is invalid (or named but missing)."""
    where, by_env = path()
    if where == os.devnull:
        return Config(where, {}, {}, by_env)
    try:
        stat = os.stat(where)
    except FileNotFoundError:
        if by_env:
            raise ConfigError(where, 0, f"no such file (named by ${ENV})") from None
        return Config(where, {}, {}, by_env)
    except OSError as exc:
        raise ConfigError(where, 0, f"cannot be read ({exc.strerror or exc})") from None
    from asyncsnip.catalog import cache

    stored = cache.get(where, stat, "config")
    if isinstance(stored, tuple) and len(stored) == 2:
        return Config(where, stored[0], stored[1], by_env)
    values, lines = _parse(where)
    cache.put(where, stat, lambda: {"config": (values, lines)})
    return Config(where, values, lines, by_env)


def catalogs() -> list[str]:
    """The extra catalogs the config names (for catalog_paths)."""
    return load().catalogs


def _parse(where: str) -> tuple[dict[str, Any], dict[str, int]]:
    import re
    import tomllib

    text = _read(where)
    try:
        values = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = re.search(r"\(at line (\d+), column \d+\)", str(exc))
        line = int(found[1]) if found else len(text.rstrip("\n").split("\n"))
        message = re.sub(r"\s*\(at (line \d+, column \d+|end of document)\)", "", str(exc))
        raise ConfigError(where, line, f"invalid TOML: {message}") from None
    lines = _lines(text)
    for key, value in values.items():
        problem = _problem(key, value)
        if problem:
            raise ConfigError(where, lines.get(key, 0), problem)
    return values, {key: lines.get(key, 1) for key in values}


def _read(where: str) -> str:
    """The file's text; a directory, a FIFO or a device is refused, never waited on."""
    import stat

    try:
        fd = os.open(where, os.O_RDONLY | os.O_NONBLOCK)
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                raise ConfigError(where, 0, "is not a regular file")
            data = os.read(fd, MAX_BYTES + 1)
        finally:
            os.close(fd)
    except OSError as exc:
        raise ConfigError(where, 0, f"cannot be read ({exc.strerror or exc})") from None
    if len(data) > MAX_BYTES:
        raise ConfigError(where, 0, f"is larger than {MAX_BYTES >> 10} KiB")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(where, data[: exc.start].count(b"\n") + 1, "not UTF-8 text") from None


def _lines(text: str) -> dict[str, int]:
    import re

    key = re.compile(r"""^\s*(?:"([^"]+)"|'([^']+)'|([A-Za-z0-9_-]+))\s*[=.\[]""")
    found: dict[str, int] = {}
    for number, line in enumerate(text.splitlines(), 1):
        match = key.match(line) or (re.match(r"^\s*\[+\s*([A-Za-z0-9_-]+)", line))
        if match:
            found.setdefault(next(g for g in match.groups() if g), number)
    return found


def _problem(key: str, value: Any) -> str | None:
    if key not in KEYS:
        import difflib

        close = difflib.get_close_matches(key, KEYS, 1)
        suggestion = f" (did you mean '{close[0]}'?)" if close else ""
        return f"unknown key '{key}'{suggestion}; the keys are {', '.join(KEYS)}"
    good = {
        "catalogs": isinstance(value, list) and all(isinstance(p, str) and p for p in value),
        "color": value in COLORS,
        "theme": isinstance(value, str) and bool(value.strip()),
        "pager": isinstance(value, bool | str),
        "jobs": isinstance(value, int) and not isinstance(value, bool) and value >= 1,
    }[key]
    return None if good else f"'{key}' must be {KEYS[key]}, not {_shown(value)}"


def _shown(value: Any) -> str:
    text = repr(value) if not isinstance(value, bool) else str(value).lower()
    return text if len(text) <= 40 else text[:37] + "..."


def in_force(
    config: Config, command_line: Mapping[str, Any], environ: Mapping[str, str]
) -> list[tuple[str, str, str]]:
    """(setting, value, where it came from) for every setting: the command line wins, then
    the environment, then the config file, then the default (the pager as git chooses:
    $ASYNCSNIP_PAGER, the config file, $PAGER, the default)."""
    rows = [_color(config, command_line)]
    rows.append(
        _pick(
            "theme",
            [("environment ASYNCSNIP_THEME", environ.get("ASYNCSNIP_THEME") or None)],
            config,
            "ansi",
        )
    )
    pager: list[tuple[str, Any]] = [
        ("command line --no-pager", False if command_line.get("no_pager") else None)
    ]
    pager.append(("environment ASYNCSNIP_PAGER", environ.get("ASYNCSNIP_PAGER") or None))
    rows.append(_pick("pager", pager, config, DEFAULT_PAGER, after=environ.get("PAGER") or None))
    rows.append(_pick("jobs", [("command line", command_line.get("jobs"))], config, DEFAULT_JOBS))
    listed = ", ".join(config.catalogs) if config.catalogs else "none"
    source = config.where("catalogs") if "catalogs" in config.values else "default"
    rows.append(("catalogs", listed, source))
    return rows


def _color(config: Config, command_line: Mapping[str, Any]) -> tuple[str, str, str]:
    return _pick("color", [("command line --color", command_line.get("color"))], config, "auto")


def _pick(
    key: str,
    before: list[tuple[str, Any]],
    config: Config,
    default: Any,
    after: str | None = None,
) -> tuple[str, str, str]:
    for source, value in before:
        if value is not None:
            return key, _text(value), source
    if key in config.values:
        return key, _text(config.values[key]), config.where(key)
    if after is not None:
        return key, after, "environment PAGER"
    return key, _text(default), "default"


def _text(value: Any) -> str:
    if value is False:
        return "off"
    return str(value)
