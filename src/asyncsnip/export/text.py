"""Documents for people: markdown (code in fences) and plain text (code indented)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from asyncsnip.catalog.schema import Snippet
from asyncsnip.export.common import SHEET_TITLE, Group, counts, ended, key_line, meta, one_line


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
    return "\n".join("    " + line for line in ended(body)[:-1].split("\n"))


def _underline(title: str, char: str) -> str:
    return f"{title}\n{char * max(3, len(title))}"
