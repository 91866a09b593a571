"""The catalog format's rules that reading a cached file needs too: what a slug, a version
and a dotted name look like, which fields may hold control characters, what a gist is, and
the cheap check that tables read back from the cache are exactly what validation gives.

Small and cheap on purpose: every start reads cached tables; only a file that must be parsed
again imports `fileformat`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
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


Row = tuple[Any, ...]  # a snippet's field values in SNIPPET_FIELDS order, as the cache keeps it


def cached_rows(value: Any) -> tuple[Tables, list[Row], list[int]] | None:
    """A file's sections, snippet rows and each snippet's line of its section, read back from
    the cache, if they are exactly what a valid file gives: the shape, every field's type
    and value, unique ids (the code is not compiled again: it compiled when they were
    stored). Anything else is None: parse the file."""
    if type(value) is not tuple or len(value) != 3 or {*map(type, value)} != {list}:
        return None
    sections, rows, lines = value
    if len(lines) != len(rows) or {*map(type, lines)} - {int}:  # for messages only
        return None
    if not _sound(sections, SECTION_FIELDS) or not _sound_rows(rows):
        return None
    if len({t["id"] for t in sections}) != len(sections) or len({r[0] for r in rows}) != len(rows):
        return None
    return sections, rows, lines


def _sound(tables: Tables, fields: tuple[Field, ...]) -> bool:
    """The checks of `_check_table` for tables from the cache, made cheap: column by column,
    the loops in C where they can be; no messages."""
    kinds, required = _LAYOUT[fields]
    if {*map(type, tables)} - {dict}:
        return False
    present: set[str] = set().union(*tables)
    if not present <= kinds.keys() or not all(required <= table.keys() for table in tables):
        return False
    columns = ((name, [table[name] for table in tables if name in table]) for name in present)
    return _sound_columns((kinds[name], name, column) for name, column in columns)


def _sound_rows(rows: list[Row]) -> bool:
    """The checks of `_check_table` for snippet rows (a cached file of 10,000 snippets is
    checked on every start): a row holds every field, its default when it was not given."""
    if {*map(type, rows)} - {tuple} or {*map(len, rows)} - {len(SNIPPET_FIELDS)}:
        return False
    columns = zip(*rows, strict=True) if rows else ((),) * len(SNIPPET_FIELDS)
    return _sound_columns(
        (row.kind, row.name, _given(column) if row.default is None else column)
        for row, column in zip(SNIPPET_FIELDS, columns, strict=True)
    )


def _given(column: Sequence[Any]) -> list[Any]:
    """The values of an optional field that were given (None is its default)."""
    return [value for value in column if value is not None]


def _sound_columns(columns: Iterable[tuple[str, str, Sequence[Any]]]) -> bool:
    """Each (kind, field name, values) passes its kind's check, and no text outside code and
    output has a control character."""
    text: list[str] = []
    for kind, name, column in columns:
        if not _SOUND[kind](column):
            return False
        if name not in RAW_FIELDS and column and type(column[0]) is str:
            text += column  # (a list holds slugs or dotted names, which have no controls)
    return not _CONTROL.search("\n".join(text))


_LAYOUT = {
    rows: ({row.name: row.kind for row in rows}, {row.name for row in rows if row.required})
    for rows in (SECTION_FIELDS, SNIPPET_FIELDS)
}


def _of(kind: type, column: Sequence[Any]) -> bool:
    return {*map(type, column)} <= {kind}


def _matching(column: Sequence[str], pattern: re.Pattern[str]) -> bool:
    """Every value matches `pattern` (which must not match a line break): one match over all
    of them, joined by line breaks, each value holding none."""
    joined = "\n".join([*column, ""])  # each value followed by a line break
    return joined.count("\n") == len(column) and pattern.fullmatch(joined) is not None


def _slugs(column: Sequence[str]) -> bool:
    """Every value is a slug, checked the fast way (ids and tags are most of what there is
    to check): joined by line breaks, only slug characters and one line break per value,
    and no value empty, with a hyphen at either end, or with two hyphens in a row."""
    joined = "\n" + "\n".join([*column, ""])
    return (
        joined.count("\n") == len(column) + 1
        and _NOT_SLUG.search(joined) is None
        and not any(wrong in joined for wrong in ("\n\n", "\n-", "-\n", "--"))
    )


def _lists(column: Sequence[Any], check: Callable[[list[str]], bool], least: int = 0) -> bool:
    """Lists (tables) or tuples (rows) of at least `least` distinct strings, which pass
    `check`."""
    if {*map(type, column)} - {list, tuple}:
        return False
    if not least and not any(column):
        return True  # all empty, as most are
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
_SOUND: dict[str, Callable[[Sequence[Any]], bool]] = {
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
