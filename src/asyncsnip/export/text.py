"""Documents for people: markdown (code in fences) and plain text (code indented)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from asyncsnip.catalog.schema import Snippet
from asyncsnip.export.common import SHEET_TITLE, Group, counts, ended, gist, meta


def markdown(groups: Sequence[Group], compact: bool) -> str:
    """Headings per section and snippet; code in ```python fences holding it exactly. The
    compact form is the one-page sheet: per section, a table of each snippet's gist."""
    parts = [f"# {SHEET_TITLE}", counts(groups) + "."]
    for section, items in groups:
        parts.append(f"## {_md_text(section.title)}")
        if compact:
            parts.append(_md_sheet(items))
            continue
        if section.summary:
            parts.append(section.summary)
        parts.extend(_md_snippet(s) for s in items)
    return "\n\n".join(parts) + "\n"


def _md_sheet(items: Sequence[Snippet]) -> str:
    """A table of title and gist; the gist's lines as code spans, one per line of the cell."""
    rows = ["| Pattern | Code |", "|---|---|"]
    for s in items:
        code = "<br>".join(_md_cell(_code_span(line)) for line in gist(s).split("\n"))
        rows.append(f"| {_md_cell(_md_text(s.title))} | {code} |")
    return "\n".join(rows)


def _md_snippet(s: Snippet) -> str:
    parts = [f"### {_md_text(s.title)}", _code_span(s.id)]
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
    return f"{ticks}{info}\n{ended(body)}{ticks}"


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


def text(groups: Sequence[Group], compact: bool) -> str:
    """Plain text: underlined headings, and code indented by exactly four spaces. The compact
    form is the one-page sheet: per section, each title with its gist indented under it."""
    blocks = [f"{_underline(SHEET_TITLE.upper(), '=')}\n{counts(groups)}"]
    for section, items in groups:
        heading = _underline(section.title, "=")
        if compact:
            sheet = "\n".join(f"{s.title}\n{indent(gist(s))}" for s in items)
            blocks.append(f"\n{heading}\n{sheet}")
            continue
        summary = f"\n{section.summary}" if section.summary else ""
        blocks.append(f"\n{heading}{summary}")
        blocks.extend(_text_snippet(s) for s in items)
    return "\n\n".join(blocks) + "\n"


def _text_snippet(s: Snippet) -> str:
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
    return "\n".join("    " + line for line in ended(body)[:-1].split("\n"))


def _underline(title: str, char: str) -> str:
    return f"{title}\n{char * max(3, len(title))}"
