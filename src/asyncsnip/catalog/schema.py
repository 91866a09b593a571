"""The catalog format, written once: every field of a snippet and a section, with its kind,
default, whether it is required and what it means.

The model classes are the table. Validation (`fileformat`), the JSON and TOML exports, the
defaults the exports leave out and the README's field list all read `SNIPPET_FIELDS` and
`SECTION_FIELDS`; adding a field is one line here (and, for a new kind, its check in
`fileformat.KINDS`).
"""

from __future__ import annotations

from dataclasses import MISSING, dataclass, field, fields
from typing import Any, NamedTuple

from asyncsnip.catalog.paths import BUILTIN

DEFAULT_TIMEOUT = 10.0
FORMAT_VERSION = 1


class Field(NamedTuple):
    """One row of the schema."""

    name: str
    kind: str  # a key of fileformat.KINDS
    default: Any  # REQUIRED when the field must be given
    meaning: str

    @property
    def required(self) -> bool:
        return self.default is REQUIRED


REQUIRED: Any = MISSING


class Kind(NamedTuple):
    """What a field of this kind accepts: its TOML types, their name in error messages, and
    how the README's field list names it."""

    types: tuple[type, ...]
    type_name: str
    doc: str


KINDS = {
    "slug": Kind((str,), "a string", "slug"),
    "title": Kind((str,), "a string", "string, not blank"),
    "text": Kind((str,), "a string", "string"),
    "version": Kind((str,), 'a string like "3.11"', 'string like "3.12"'),
    "code": Kind((str,), "a string", "string of Python"),
    "gist": Kind((str,), "a string", "string, lines of `code`"),
    "bool": Kind((bool,), "true or false", "boolean"),
    "seconds": Kind((int, float), "a number of seconds", "number > 0"),
    "tags": Kind((list,), "a list of strings", "list of slugs, at least one"),
    "slugs": Kind((list,), "a list of snippet ids", "list of snippet ids"),
    "modules": Kind((list,), "a list of dotted names", "list of dotted names"),
}


def _spec(kind: str, meaning: str, default: Any = REQUIRED) -> Any:
    """A dataclass field carrying its row of the schema."""
    meta = {"kind": kind, "meaning": meaning}
    if default is REQUIRED:
        return field(metadata=meta)
    return field(default=default, metadata=meta)


@dataclass(slots=True, kw_only=True)
class Section:
    id: str = _spec("slug", "what `show` and `--section` take")
    title: str = _spec("title", "the heading it is shown under")
    summary: str = _spec("text", "one line saying what the section holds", "")

    def to_dict(self) -> dict[str, Any]:
        return {row.name: getattr(self, row.name) for row in SECTION_FIELDS}


@dataclass(slots=True, kw_only=True)
class Snippet:
    """One catalog entry; fields in the order they are written in a catalog file."""

    id: str = _spec("slug", "unique; what `run ID` takes")
    title: str = _spec("title", "one line saying what it does")
    section: str | None = _spec("slug", "the id of a section some loaded catalog defines", None)
    summary: str = _spec("text", "what it is for, in one line", "")
    tags: tuple[str, ...] = _spec("tags", "what `show TAG` finds it by")
    python: str | None = _spec("version", "the minimum Python that runs it", None)
    code: str = _spec("code", "the program; must compile")
    output: str | None = _spec("text", "the expected stdout (see Output matching)", None)
    ordered: bool = _spec("bool", "false: the output lines may come in any order", True)
    notes: str = _spec("text", "when to use it, and the pitfall to avoid", "")
    timeout: float = _spec("seconds", "seconds before it is ended", DEFAULT_TIMEOUT)
    requires: tuple[str, ...] = _spec("modules", "modules that must import, else skipped", ())
    api: tuple[str, ...] = _spec(
        "modules", "the APIs it teaches; the detailed view shows their signatures", ()
    )
    see_also: tuple[str, ...] = _spec("slugs", "ids of related snippets", ())
    gist: str | None = _spec(
        "gist", "1 to 3 lines of `code`, verbatim: the pattern, for the one-page sheet", None
    )
    source: str = field(default=BUILTIN)  # where it was loaded from; not a catalog field

    @classmethod
    def from_table(cls, table: dict[str, Any], source: str) -> Snippet:
        """A validated [[snippets]] table as a snippet (lists become tuples)."""
        values: dict[str, Any] = {
            k: tuple(v) if isinstance(v, list) else v for k, v in table.items()
        }
        if "timeout" in values:
            values["timeout"] = float(values["timeout"])
        return cls(**values, source=source)

    def to_dict(self) -> dict[str, Any]:
        """Every field, `source` included, as JSON-ready values (tuples become lists)."""
        return {name: _plain(getattr(self, name)) for name in _SNIPPET_NAMES}


def _plain(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


def _rows(model: type) -> tuple[Field, ...]:
    return tuple(
        Field(f.name, f.metadata["kind"], f.default, f.metadata["meaning"])
        for f in fields(model)
        if "kind" in f.metadata
    )


SNIPPET_FIELDS = _rows(Snippet)
SECTION_FIELDS = _rows(Section)
_SNIPPET_NAMES = tuple(f.name for f in fields(Snippet))


def defaults(rows: tuple[Field, ...]) -> dict[str, Any]:
    """Field -> default, for the fields that have one (as JSON-ready values)."""
    return {row.name: _plain(row.default) for row in rows if not row.required}


def markdown(rows: tuple[Field, ...] = SNIPPET_FIELDS) -> str:
    """The field list as the README shows it (a test keeps the two the same)."""
    lines = ["| field | type | default | meaning |", "|---|---|---|---|"]
    for row in rows:
        default = "required" if row.required else _toml_value(row.default)
        lines.append(f"| `{row.name}` | {KINDS[row.kind].doc} | {default} | {row.meaning} |")
    return "\n".join(lines) + "\n"


def _toml_value(value: Any) -> str:
    if value is None:
        return "none"
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if isinstance(value, str):
        return f'`"{value}"`'
    if isinstance(value, tuple):
        return "`[]`"
    return f"`{value}`"
