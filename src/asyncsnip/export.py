"""The catalog, or a selection of it, as one document: markdown, text, json, toml or html.

Pure functions of their input: the same catalog gives byte-identical output, and every code
block keeps the catalog's code exactly, so each one compiles.
"""

from __future__ import annotations

import io
import json
import re
import tokenize
import tomllib
from collections.abc import Sequence
from typing import Any

import tomli_w

from asyncsnip.catalog import DEFAULT_TIMEOUT, Catalog, Section, Snippet
from asyncsnip.validate import FORMAT_VERSION, SNIPPET_FIELDS

FORMATS = ("markdown", "text", "json", "toml", "html")
SHEET_TITLE = "asyncio cheat sheet"
OTHER = Section(id="", title="Other")
Group = tuple[Section, list[Snippet]]

# Catalog fields with their defaults; a field equal to its default is left out of toml.
_DEFAULTS: dict[str, Any] = {
    "section": None,
    "summary": "",
    "python": None,
    "output": None,
    "ordered": True,
    "notes": "",
    "timeout": DEFAULT_TIMEOUT,
    "requires": [],
    "api": [],
    "see_also": [],
}
_SKIPPED_LINE = re.compile(r"(import\s|from\s+\S+\s+import\s|#|@|def\s|async\s+def\s|class\s)")


def export(
    catalog: Catalog, snippets: Sequence[Snippet], fmt: str = "markdown", compact: bool = False
) -> str:
    """The selection as one document. Deterministic: same input, byte-identical output."""
    groups = group(catalog, snippets)
    if fmt == "markdown":
        return markdown(groups, compact)
    if fmt == "text":
        return text(groups, compact)
    if fmt == "json":
        return to_json(groups)
    if fmt == "toml":
        return to_toml(groups)
    if fmt == "html":
        from asyncsnip.export_html import html_page

        return html_page(groups, compact)
    raise ValueError(f"unknown export format {fmt!r}; choose from {', '.join(FORMATS)}")


def group(catalog: Catalog, snippets: Sequence[Snippet]) -> list[Group]:
    """The snippets by section, in the catalog's section order; unsectioned ones last."""
    by_section: dict[str, list[Snippet]] = {}
    for snippet in snippets:
        key = snippet.section if snippet.section in catalog.sections else None
        by_section.setdefault(key or "", []).append(snippet)
    groups = [(sec, by_section[key]) for key, sec in catalog.sections.items() if key in by_section]
    if "" in by_section:
        groups.append((OTHER, by_section[""]))
    return groups


def counts(groups: Sequence[Group]) -> str:
    """ "12 snippets in 3 sections"."""
    n = sum(len(items) for _, items in groups)
    return f"{_plural(n, 'snippet')} in {_plural(len(groups), 'section')}"


def one_line(snippet: Snippet) -> str:
    """The summary, else the first sentence of the notes, else nothing."""
    if snippet.summary:
        return " ".join(snippet.summary.split())
    notes = " ".join(snippet.notes.split())
    match = re.match(r"(.+?[.!?])(\s|$)", notes)
    return match[1] if match else notes


def key_line(snippet: Snippet) -> str:
    """The most characteristic line of the code, for the quick-reference table: the first
    line calling the snippet's first `api` name (else its next ones, else naming one), else
    the first line that is not an import, a def, a decorator or a comment; stripped, and
    without a trailing comment."""
    lines = [line.strip() for line in snippet.code.split("\n")]
    code_lines = [line for line in lines if line and not _SKIPPED_LINE.match(line)]
    names = [name.rsplit(".", 1)[-1] for name in snippet.api]
    for needles in ([f"{name}(" for name in names], names):
        for needle in needles:
            for line in code_lines:
                if needle in line:
                    return _without_comment(line)
    fallback = code_lines or [line for line in lines if line]
    return _without_comment(fallback[0]) if fallback else ""


def _without_comment(line: str) -> str:
    tokens = io.StringIO(line).readline
    try:
        for token in tokenize.generate_tokens(tokens):
            if token.type == tokenize.COMMENT:
                return line[: token.start[1]].rstrip() or line
    except (tokenize.TokenError, SyntaxError):
        pass  # an unclosed bracket: the comment, if any, came before the error
    return line


def meta(snippet: Snippet) -> list[str]:
    """Tags, Python minimum, required modules."""
    facts = [f"tags: {', '.join(snippet.tags)}"]
    if snippet.python:
        facts.append(f"Python >= {snippet.python}")
    if snippet.requires:
        facts.append(f"requires: {', '.join(snippet.requires)}")
    return facts


# ---------------------------------------------------------------- markdown


def markdown(groups: Sequence[Group], compact: bool) -> str:
    """Headings per section and snippet; code in ```python fences holding it exactly."""
    parts = [f"# {SHEET_TITLE}", counts(groups) + "."]
    if compact:
        parts.append(_md_quickref(groups))
    for section, items in groups:
        parts.append(f"## {_md_text(section.title)}")
        if section.summary:
            parts.append(section.summary)
        parts.extend(_md_snippet(s, compact) for s in items)
    return "\n\n".join(parts) + "\n"


def _md_quickref(groups: Sequence[Group]) -> str:
    rows = ["| Pattern | Code |", "|---|---|"]
    for _, items in groups:
        for s in items:
            rows.append(f"| {_md_cell(_md_text(s.title))} | {_md_cell(_code_span(key_line(s)))} |")
    return "\n".join(rows)


def _md_snippet(s: Snippet, compact: bool) -> str:
    parts = [f"### {_md_text(s.title)}"]
    if compact:
        if one_line(s):
            parts.append(one_line(s))
        parts.append(fence(s.code, "python"))
        return "\n\n".join(parts)
    parts.append(_code_span(s.id))
    if s.summary:
        parts.append(s.summary)
    parts.append(" · ".join(meta(s)))
    parts.append(fence(s.code, "python"))
    if s.output is not None:
        order = " (lines in any order)" if not s.ordered else ""
        parts.append(f"Output{order}:\n\n" + fence(s.output, "text"))
    if s.notes:
        parts.append(s.notes)
    return "\n\n".join(parts)


def fence(body: str, info: str) -> str:
    """A backtick fence longer than any backtick run in the body; the body is kept exactly
    (a missing final newline, which a fence cannot show, is the one thing added)."""
    longest = max((len(run) for run in re.findall(r"`+", body)), default=0)
    ticks = "`" * max(3, longest + 1)
    return f"{ticks}{info}\n{_ended(body)}{ticks}"


def _code_span(text: str) -> str:
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    ticks = "`" * (longest + 1)
    pad = " " if "`" in text else ""
    return f"{ticks}{pad}{text}{pad}{ticks}"


def _md_text(text: str) -> str:
    """Prose as written (catalog prose may use `code spans`), but never raw HTML."""
    return text.replace("<", "\\<")


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|")


# ---------------------------------------------------------------- text


def text(groups: Sequence[Group], compact: bool) -> str:
    """Plain text: underlined headings, and code indented by exactly four spaces."""
    blocks = [f"{_underline(SHEET_TITLE.upper(), '=')}\n{counts(groups)}"]
    for section, items in groups:
        heading = _underline(section.title, "=")
        summary = f"\n{section.summary}" if section.summary else ""
        blocks.append(f"\n{heading}{summary}")
        blocks.extend(_text_snippet(s, compact) for s in items)
    return "\n\n".join(blocks) + "\n"


def _text_snippet(s: Snippet, compact: bool) -> str:
    if compact:
        title = _underline(s.title, "-")
        head = f"{title}\n{one_line(s)}" if one_line(s) else title
        return f"{head}\n\n{indent(s.code)}"
    lines = [_underline(f"{s.title}  [{s.id}]", "-")]
    if s.summary:
        lines.append(s.summary)
    lines.append(" | ".join(meta(s)))
    parts = ["\n".join(lines), indent(s.code)]
    if s.output is not None:
        order = " (lines in any order)" if not s.ordered else ""
        parts.append(f"Output{order}:\n{indent(s.output)}")
    if s.notes:
        parts.append(f"Notes: {s.notes}")
    return "\n\n".join(parts)


def indent(body: str) -> str:
    """Every line, blank ones too, indented by four spaces: removing them gives it back."""
    return "\n".join("    " + line for line in _ended(body)[:-1].split("\n"))


def _underline(title: str, char: str) -> str:
    return f"{title}\n{char * max(3, len(title))}"


# ---------------------------------------------------------------- json and toml


def to_json(groups: Sequence[Group]) -> str:
    """{version, sections, snippets}; the compact form is the same document, since a
    machine-readable export has nothing to leave out."""
    doc = {
        "version": FORMAT_VERSION,
        "sections": [section._asdict() for section, _ in groups if section is not OTHER],
        "snippets": [s.to_dict() for _, items in groups for s in items],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False, sort_keys=False) + "\n"


def to_toml(groups: Sequence[Group]) -> str:
    """A catalog file that loads back to the same snippets (`source` aside); the compact form
    is the same document. Fields equal to their defaults are left out."""
    tables = [
        _toml_table("sections", {k: v for k, v in section._asdict().items() if v != ""})
        for section, _ in groups
        if section is not OTHER
    ]
    tables.extend(_toml_table("snippets", catalog_table(s)) for _, items in groups for s in items)
    return "\n".join([f"version = {FORMAT_VERSION}\n", *tables])


def catalog_table(s: Snippet) -> dict[str, Any]:
    """The snippet's catalog fields in the catalog's order, without `source` or defaults."""
    values = s.to_dict()
    return {
        name: values[name]
        for name in SNIPPET_FIELDS
        if name not in _DEFAULTS or values[name] != _DEFAULTS[name]
    }


def _toml_table(kind: str, table: dict[str, Any]) -> str:
    return f"[[{kind}]]\n" + "".join(_toml_pair(k, v) for k, v in table.items())


def _toml_pair(key: str, value: Any) -> str:
    """`key = value`: lists on one line; a string with newlines as a literal multi-line
    string, else a basic one; whichever reads back exactly (a "\\r\\n" inside a multi-line
    string reads back as "\\n"), else a plain escaped string."""
    if isinstance(value, list):
        items = (_toml_pair("x", item)[len("x = ") : -1] for item in value)
        return f"{key} = [{', '.join(items)}]\n"
    candidates = [tomli_w.dumps({key: value}, multiline_strings=True)]
    if isinstance(value, str) and "\n" in value:  # as in the catalog: code = '''...'''
        candidates.insert(0, f"{key} = '''\n{value}'''\n")
    for written in candidates:
        try:
            if tomllib.loads(written) == {key: value}:
                return written
        except tomllib.TOMLDecodeError:
            continue
    return tomli_w.dumps({key: value})


# ---------------------------------------------------------------- helpers


def _ended(body: str) -> str:
    return body if body.endswith("\n") else body + "\n"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"
