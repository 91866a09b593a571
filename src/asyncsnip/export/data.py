"""Documents for programs: JSON, and TOML that is itself a catalog."""

from __future__ import annotations

import json
import tomllib
from collections.abc import Sequence
from typing import Any

import tomli_w

from asyncsnip.catalog.schema import FORMAT_VERSION, SNIPPET_FIELDS, Snippet, defaults
from asyncsnip.export.common import OTHER, Group
from asyncsnip.safe import escaped_in_strings, is_clean

_DEFAULTS = defaults(SNIPPET_FIELDS)  # a field equal to its default is left out of toml


def to_json(groups: Sequence[Group]) -> str:
    """{version, sections, snippets}; the compact form is the same document, since a
    machine-readable export has nothing to leave out."""
    doc = {
        "version": FORMAT_VERSION,
        "sections": [section.to_dict() for section, _ in groups if section is not OTHER],
        "snippets": [s.to_dict() for _, items in groups for s in items],
    }
    # control characters as \u escapes: the same data, and inert on a terminal
    return escaped_in_strings(json.dumps(doc, indent=2, ensure_ascii=False)) + "\n"


def to_toml(groups: Sequence[Group]) -> str:
    """A catalog file that loads back to the same snippets (`source` aside); the compact form
    is the same document. Fields equal to their defaults are left out."""
    tables = [
        _toml_table("sections", {k: v for k, v in section.to_dict().items() if v != ""})
        for section, _ in groups
        if section is not OTHER
    ]
    tables.extend(_toml_table("snippets", catalog_table(s)) for _, items in groups for s in items)
    return "\n".join([f"version = {FORMAT_VERSION}\n", *tables])


def snippet_toml(s: Snippet) -> str:
    """One [[snippets]] table as a catalog file has it: code as a ''' literal string."""
    return _toml_table("snippets", catalog_table(s))


def catalog_table(s: Snippet) -> dict[str, Any]:
    """The snippet's catalog fields in the catalog's order, without `source` or defaults."""
    values = s.to_dict()
    names = (row.name for row in SNIPPET_FIELDS)
    return {n: values[n] for n in names if n not in _DEFAULTS or values[n] != _DEFAULTS[n]}


def _toml_table(kind: str, table: dict[str, Any]) -> str:
    return f"[[{kind}]]\n" + "".join(_toml_pair(k, v) for k, v in table.items())


def _toml_pair(key: str, value: Any) -> str:
    """`key = value`: lists on one line; a string with newlines as a literal multi-line
    string, else a basic one; whichever reads back exactly (a "\\r\\n" inside a multi-line
    string reads back as "\\n"), else a plain escaped string. Control characters are
    written as escapes (in basic strings only: a literal string cannot hold one)."""
    if isinstance(value, list):
        items = (_toml_pair("x", item)[len("x = ") : -1] for item in value)
        return f"{key} = [{', '.join(items)}]\n"
    candidates = [escaped_in_strings(tomli_w.dumps({key: value}, multiline_strings=True))]
    if isinstance(value, str) and "\n" in value and is_clean(value):  # as in the catalog
        candidates.insert(0, f"{key} = '''\n{value}'''\n")
    for written in candidates:
        try:
            if tomllib.loads(written) == {key: value}:
                return written
        except tomllib.TOMLDecodeError:
            continue
    return escaped_in_strings(tomli_w.dumps({key: value}))
