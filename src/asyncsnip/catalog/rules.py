"""The catalog format's rules that reading a cached file needs too: what a slug, a version
and a dotted name look like, which fields may hold control characters, what a gist is, and
the cheap check that tables read back from the cache are exactly what validation gives.

Small and cheap on purpose: every start reads cached tables; only a file that must be parsed
again imports `fileformat`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from asyncsnip.catalog.schema import SECTION_FIELDS, SNIPPET_FIELDS, Field
from asyncsnip.safe import one_line

SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
VERSION = re.compile(r"^[0-9]+\.[0-9]+$")
MODULE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")
MAX_GIST_LINES = 3
MAX_SECONDS = 86400  # a timeout of a day is already far beyond any snippet
RAW_FIELDS = {"code", "output"}  # a program and what it prints: control characters allowed
TOP_KEYS = {"version", "sections", "snippets"}
QUOTED_CHARS = 60  # of a value quoted in an error message
Tables = list[dict[str, Any]]
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # what the format refuses in text


def shown(text: str) -> str:
    """A value as an error message quotes it: on one line, control characters visible, and
    cut short when long."""
    text = one_line(text)
    return text if len(text) <= QUOTED_CHARS else text[: QUOTED_CHARS - 1] + "…"


def gist_problem(gist: str, code: Any) -> str | None:
    """A gist is 1 to 3 lines of the code, each verbatim (indentation aside), in order."""
    lines = [line.strip() for line in gist.strip("\n").split("\n")]
    if not gist.strip() or len(lines) > MAX_GIST_LINES:
        return f"must be 1 to {MAX_GIST_LINES} lines of the code"
    if not isinstance(code, str):
        return None  # the code's own problem is reported
    remaining = iter(line.strip() for line in code.split("\n"))
    for line in lines:
        if line and line not in remaining:  # `in` consumes the iterator: order is kept
            return f"'{shown(line)}' is not a line of the code (or not in the code's order)"
    return None


def cached_tables(value: Any) -> tuple[Tables, Tables, list[dict[str, int]]] | None:
    """Tables read back from the cache, if they are exactly what a valid file parses to:
    the shape, every field's type and value, unique ids (the code is not compiled again:
    it compiled when the tables were stored). Anything else is None: parse the file."""
    if not isinstance(value, tuple) or len(value) != 3:
        return None
    sections, snippets, lines = value
    if not all(isinstance(part, list) for part in value) or len(lines) != len(snippets):
        return None
    if not all(type(where) is dict for where in lines):  # line numbers, for messages only
        return None
    for tables, fields in ((sections, SECTION_FIELDS), (snippets, SNIPPET_FIELDS)):
        if not all(_sound(table, fields) for table in tables):
            return None
        if len({table["id"] for table in tables}) != len(tables):
            return None
    return sections, snippets, lines


def _sound(table: dict[str, Any], fields: tuple[Field, ...]) -> bool:
    """The checks of `_check_table` for a table from the cache, made cheap (a cached file
    of 10,000 snippets is checked on every start): no messages, code not compiled."""
    kinds, required = _LAYOUT[fields]
    if type(table) is not dict or not required <= table.keys():
        return False
    for name, value in table.items():
        kind = kinds.get(name)
        if kind is None or not _SOUND[kind](value, table):
            return False
        if type(value) is str and name not in RAW_FIELDS and _CONTROL.search(value):
            return False  # (a list holds slugs or dotted names, which have no controls)
    return True


_LAYOUT = {
    rows: ({row.name: row.kind for row in rows}, {row.name for row in rows if row.required})
    for rows in (SECTION_FIELDS, SNIPPET_FIELDS)
}


def _strings(value: Any, pattern: re.Pattern[str], least: int = 0) -> bool:
    return (
        type(value) is list
        and len(value) >= least
        and all(type(item) is str and pattern.match(item) for item in value)
        and len(set(value)) == len(value)
    )


def _gist_sound(gist: Any, table: dict[str, Any]) -> bool:
    """A string (its lines were checked against the code when the file was parsed; were a
    crafted cache to change them, the sheet would show other lines, and nothing else)."""
    return type(gist) is str


_SOUND: dict[str, Callable[[Any, dict[str, Any]], bool]] = {
    "slug": lambda v, t: type(v) is str and bool(SLUG.match(v)),
    "title": lambda v, t: type(v) is str and bool(v.strip()),
    "text": lambda v, t: type(v) is str,
    "version": lambda v, t: type(v) is str and bool(VERSION.match(v)),
    "code": lambda v, t: type(v) is str and bool(v.strip()),
    "gist": _gist_sound,
    "bool": lambda v, t: type(v) is bool,
    "seconds": lambda v, t: type(v) in (int, float) and 0 < v <= MAX_SECONDS,
    "tags": lambda v, t: _strings(v, SLUG, 1),
    "slugs": lambda v, t: _strings(v, SLUG),
    "modules": lambda v, t: _strings(v, MODULE),
}
