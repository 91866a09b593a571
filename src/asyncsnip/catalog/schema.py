"""The catalog format, written once: every field of a snippet and a section, with its kind,
default, whether it is required and what it means.

The model classes are the table: each field's annotation carries its `Spec`. Validation
(`fileformat`), the JSON and TOML exports, the defaults the exports leave out and the
README's field list all read `SNIPPET_FIELDS` and `SECTION_FIELDS`, derived from them;
adding a field is one line here (and, for a new kind, a line in `KINDS` and its check in
`fileformat`). The models are named tuples, the cheapest classes to define and to make:
start-up time notices.
"""

# No `from __future__ import annotations`: the annotations must be objects, read below.
from typing import Annotated, Any, NamedTuple, get_args

from asyncsnip.catalog.paths import BUILTIN

DEFAULT_TIMEOUT = 10.0
FORMAT_VERSION = 1


class Spec(NamedTuple):
    """A field's row of the schema, as written on the model."""

    kind: str  # a key of KINDS
    meaning: str
    required: bool = False


class Field(NamedTuple):
    """One row of the schema, as the rest of asyncsnip reads it."""

    name: str
    kind: str
    default: Any  # REQUIRED when the field must be given
    meaning: str

    @property
    def required(self) -> bool:
        return self.default is REQUIRED


REQUIRED: Any = type("Required", (), {"__repr__": lambda self: "REQUIRED"})()


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

Text = tuple[str, ...]


class Section(NamedTuple):
    id: Annotated[str, Spec("slug", "what `show` and `--section` take", True)] = ""
    title: Annotated[str, Spec("title", "the heading it is shown under", True)] = ""
    summary: Annotated[str, Spec("text", "one line saying what the section holds")] = ""

    def to_dict(self) -> dict[str, Any]:
        return self._asdict()


class Snippet(NamedTuple):
    """One catalog entry; fields in the order they are written in a catalog file. Required
    fields have a default only because a named tuple's defaults must come last: every
    snippet is made from a validated table, which has them."""

    id: Annotated[str, Spec("slug", "unique; what `run ID` takes", True)] = ""
    title: Annotated[str, Spec("title", "one line saying what it does", True)] = ""
    section: Annotated[
        str | None, Spec("slug", "the id of a section some loaded catalog defines")
    ] = None
    summary: Annotated[str, Spec("text", "what it is for, in one line")] = ""
    tags: Annotated[Text, Spec("tags", "what `show TAG` finds it by", True)] = ()
    python: Annotated[str | None, Spec("version", "the minimum Python that runs it")] = None
    code: Annotated[str, Spec("code", "the program; must compile", True)] = ""
    output: Annotated[str | None, Spec("text", "the expected stdout (see Output matching)")] = None
    ordered: Annotated[bool, Spec("bool", "false: the output lines may come in any order")] = True
    notes: Annotated[str, Spec("text", "when to use it, and the pitfall to avoid")] = ""
    timeout: Annotated[float, Spec("seconds", "seconds before it is ended")] = DEFAULT_TIMEOUT
    requires: Annotated[Text, Spec("modules", "modules that must import, else skipped")] = ()
    api: Annotated[
        Text, Spec("modules", "the APIs it teaches; the detailed view shows their signatures")
    ] = ()
    see_also: Annotated[Text, Spec("slugs", "ids of related snippets")] = ()
    gist: Annotated[
        str | None,
        Spec("gist", "1 to 3 lines of `code`, verbatim: the pattern, for the one-page sheet"),
    ] = None
    source: str = BUILTIN  # where it was loaded from; not a catalog field

    @classmethod
    def from_table(cls, table: dict[str, Any], source: str) -> "Snippet":
        """A validated [[snippets]] table as a snippet (lists become tuples)."""
        values = dict(table)
        for name in _LISTS.intersection(values):
            values[name] = tuple(values[name])
        if "timeout" in values:
            values["timeout"] = float(values["timeout"])
        return cls(**values, source=source)

    def to_dict(self) -> dict[str, Any]:
        """Every field, `source` included, as JSON-ready values (tuples become lists)."""
        return {name: _plain(value) for name, value in zip(self._fields, self, strict=True)}


def _plain(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


def _rows(model: Any) -> tuple[Field, ...]:
    rows = []
    for name, annotation in model.__annotations__.items():
        spec = next((a for a in get_args(annotation)[1:] if isinstance(a, Spec)), None)
        if spec is not None:
            default = REQUIRED if spec.required else model._field_defaults[name]
            rows.append(Field(name, spec.kind, default, spec.meaning))
    return tuple(rows)


SNIPPET_FIELDS = _rows(Snippet)
_LISTS = frozenset(row.name for row in SNIPPET_FIELDS if KINDS[row.kind].types == (list,))
SECTION_FIELDS = _rows(Section)


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
