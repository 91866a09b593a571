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

# Whole values only: always `fullmatch` (`match` with `$` would let a final line break in).
SLUG = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
VERSION = re.compile(r"[0-9]+\.[0-9]+")
MODULE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*")
MAX_GIST_LINES = 3
MAX_SECONDS = 86400  # a timeout of a day is already far beyond any snippet
RAW_FIELDS = {"code", "output"}  # a program and what it prints: control characters allowed
TOP_KEYS = {"version", "sections", "snippets"}
QUOTED_CHARS = 60  # of a value quoted in an error message
Tables = list[dict[str, Any]]
_BREAKS = {ord("\n"): "\\n", ord("\r"): "\\r", ord("\t"): "\\t"}
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # what the format refuses in text


def shown(text: str) -> str:
    """A value as an error message quotes it: on one line, every control character visible
    (a line break as `\\n`: a space would hide why the value is refused), cut short when long."""
    text = one_line(text.translate(_BREAKS))
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
        if not _sound(tables, fields):
            return None
        if len({table["id"] for table in tables}) != len(tables):
            return None
    return sections, snippets, lines


def _sound(tables: Tables, fields: tuple[Field, ...]) -> bool:
    """The checks of `_check_table` for tables from the cache, made cheap (a cached file of
    10,000 snippets is checked on every start): column by column, with the loops in C where
    they can be; no messages, code not compiled."""
    kinds, required = _LAYOUT[fields]
    if not all(type(table) is dict for table in tables):
        return False
    present: set[str] = set().union(*tables)
    if not present <= kinds.keys() or not all(required <= table.keys() for table in tables):
        return False
    text: list[str] = []  # every string in which the format refuses control characters
    for name in present:
        column = [table[name] for table in tables if name in table]
        if not _SOUND[kinds[name]](column):
            return False
        if name not in RAW_FIELDS and type(column[0]) is str:
            text += column  # (a list holds slugs or dotted names, which have no controls)
    return not _CONTROL.search("\n".join(text))


_LAYOUT = {
    rows: ({row.name: row.kind for row in rows}, {row.name for row in rows if row.required})
    for rows in (SECTION_FIELDS, SNIPPET_FIELDS)
}


def _of(kind: type, column: list[Any]) -> bool:
    return {*map(type, column)} <= {kind}


def _matching(column: list[str], pattern: re.Pattern[str]) -> bool:
    """Every value matches `pattern` (which must not match a line break): one match over all
    of them, joined by line breaks, each value holding none."""
    joined = "\n".join([*column, ""])  # each value followed by a line break
    return joined.count("\n") == len(column) and pattern.fullmatch(joined) is not None


def _slugs(column: list[str]) -> bool:
    """Every value is a slug, checked the fast way (ids and tags are most of what there is
    to check): joined by line breaks, only slug characters and one line break per value,
    and no value empty, with a hyphen at either end, or with two hyphens in a row."""
    joined = "\n" + "\n".join([*column, ""])
    return (
        joined.count("\n") == len(column) + 1
        and _NOT_SLUG.search(joined) is None
        and not any(wrong in joined for wrong in ("\n\n", "\n-", "-\n", "--"))
    )


def _lists(column: list[Any], check: Callable[[list[str]], bool], least: int = 0) -> bool:
    """Lists of at least `least` distinct strings, which pass `check`."""
    if not _of(list, column):
        return False
    items = [item for value in column for item in value]
    return (
        _of(str, items)
        and check(items)
        and sum(map(len, map(set, column))) == len(items)  # no list holds an item twice
        and min(map(len, column), default=least) >= least
    )


_NOT_SLUG = re.compile(r"[^a-z0-9\n-]")
_VERSIONS, _MODULES = (re.compile(f"(?:{p.pattern}\n)*") for p in (VERSION, MODULE))

# Each kind's check, for all the values of one field (the gist: a string; its lines were
# checked against the code when the file was parsed; were a crafted cache to change them,
# the sheet would show other lines, and nothing else).
_SOUND: dict[str, Callable[[list[Any]], bool]] = {
    "slug": lambda c: _of(str, c) and _slugs(c),
    "title": lambda c: _of(str, c) and all(map(str.strip, c)),
    "text": lambda c: _of(str, c),
    "version": lambda c: _of(str, c) and _matching(c, _VERSIONS),
    "code": lambda c: _of(str, c) and all(map(str.strip, c)),
    "gist": lambda c: _of(str, c),
    "bool": lambda c: _of(bool, c),
    "seconds": lambda c: all(type(v) in (int, float) and 0 < v <= MAX_SECONDS for v in c),
    "tags": lambda c: _lists(c, _slugs, 1),
    "slugs": lambda c: _lists(c, _slugs),
    "modules": lambda c: _lists(c, lambda items: _matching(items, _MODULES)),
}
