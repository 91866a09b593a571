"""The colours of a terminal: each role (a keyword, a string, a snippet's id) -> a rich style.

The default theme, `ansi`, uses only the 16 colours of the terminal's own palette (as bat's
`ansi` theme and tealdeer do), so the user's terminal theme decides and everything reads on
light and dark backgrounds alike. `monokai` is 24-bit and fixed: an explicit choice
(`ASYNCSNIP_THEME=monokai`, or `theme` in the config file), never the default.
"""

from __future__ import annotations

import os

THEMES: dict[str, dict[str, str]] = {
    "ansi": {
        "keyword": "magenta",
        "defined": "blue",
        "builtin": "cyan",
        "string": "green",
        "number": "yellow",
        "comment": "italic",  # dim would vanish on some light themes
        "decorator": "blue",
        "title": "bold",
        "id": "cyan",
        "meta": "dim",
        "summary": "italic",
        "heading": "bold",
        "rule": "dim",
        "output": "green",
        "added": "green",
        "removed": "red",
        "hunk": "cyan",
        "passed": "green",
        "failed": "red",
        "mismatch": "yellow",
        "timeout": "red",
        "skipped": "dim",
    },
    "monokai": {
        "keyword": "bold #f92672",
        "defined": "#a6e22e",
        "builtin": "#66d9ef",
        "string": "#e6db74",
        "number": "#ae81ff",
        "comment": "#75715e italic",
        "decorator": "#a6e22e",
        "title": "bold #f8f8f2",
        "id": "#66d9ef",
        "meta": "#75715e",
        "summary": "italic #f8f8f2",
        "heading": "bold #f8f8f2",
        "rule": "#75715e",
        "output": "#a6e22e",
        "added": "#a6e22e",
        "removed": "#f92672",
        "hunk": "#66d9ef",
        "passed": "#a6e22e",
        "failed": "#f92672",
        "mismatch": "#e6db74",
        "timeout": "#f92672",
        "skipped": "#75715e",
    },
}
DEFAULT = "ansi"
ENV = "ASYNCSNIP_THEME"


def chosen(name: str | None = None) -> dict[str, str]:
    """The theme $ASYNCSNIP_THEME names, else `name` (the config file's); an unknown name
    gives the default."""
    return THEMES.get(os.environ.get(ENV) or name or DEFAULT, THEMES[DEFAULT])
