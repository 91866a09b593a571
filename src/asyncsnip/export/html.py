"""The html export: the web sheet, one self-contained offline page.

Three views switched on the page (Standard, Detailed and Compact, the one-page sheet), and
printing prints the view on screen. The views and the dense toggle are plain form controls
styled by CSS, so without JavaScript the page is complete, readable and printable; the one
inline script only enhances it (copy buttons, copy all, search, tag chips, download, keys).
A Content-Security-Policy lets the page load nothing at all: no network, no other file.
"""

from __future__ import annotations

import base64
import hashlib
import unicodedata
from collections.abc import Sequence
from functools import cache
from html import escape
from importlib.resources import files

from asyncsnip.catalog.schema import Section, Snippet
from asyncsnip.export import sheetfit
from asyncsnip.export.common import SHEET_TITLE, Group, counts, gist

# How many characters of code fit across a printed line at the base code size (8 pt DejaVu
# Sans Mono, A4 or Letter portrait): a wider line shrinks its snippet's printed code, in
# steps down to SMALLEST_SCALE, and then wraps rather than overflow.
PORTRAIT_WIDTH = 104
SCALES = (95, 90, 85, 80)
HALF_PAGE = 367  # points: half of Letter's height inside the reference's margins
HEADING = 50  # points: a section's printed heading and summary, kept with its first snippet
VIEWS = ("standard", "detailed", "compact")


def html_page(groups: Sequence[Group], compact: bool) -> str:
    """The whole page, opening in the Compact view when `compact`, else in Standard; the
    body carries the sheet's printed size, the largest that fits the paper (`sheetfit`)."""
    script = _asset("sheet.js")
    digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
    policy = f"default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-{digest}'"
    body = [
        f"<header><h1>{SHEET_TITLE}</h1><p>{escape(counts(groups))}</p></header>",
        _controls("compact" if compact else "standard"),
        '<main id="reference">',
        *(_section(section, items) for section, items in groups),
        "</main>",
        sheet(groups),
        f"<script>{script}</script>",
    ]
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{policy}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{SHEET_TITLE}</title>\n<style>{_asset('sheet.css')}</style>\n</head>\n"
        f'<body style="{sheetfit.choose(groups).style()}">\n'
        + "\n".join(body)
        + "\n</body>\n</html>\n"
    )


@cache
def _asset(name: str) -> str:
    """web/NAME as the page holds it: without indentation, blank lines or comment lines
    (the files keep them; the page is smaller without)."""
    text = files("asyncsnip.export").joinpath("web", name).read_text(encoding="utf-8")
    lines = (line.strip() for line in text.split("\n"))
    kept = [line for line in lines if line and not line.startswith(("//", "/*"))]
    return "\n".join(kept)


def _controls(view: str) -> str:
    """The view switch and dense toggle (CSS alone makes them work), then the controls that
    need the script, which shows them."""
    radios = "".join(
        f'<input type="radio" name="view" id="view-{name}" value="{name}"'
        f"{' checked' if name == view else ''}>"
        f'<label for="view-{name}">{name.title()}</label>'
        for name in VIEWS
    )
    return (
        '<nav class="bar" aria-label="Sheet controls">\n'
        f'<fieldset class="views"><legend>View</legend>{radios}</fieldset>\n'
        '<label class="toggle"><input type="checkbox" id="dense"> Dense</label>\n'
        '<span class="js-only">'
        '<input type="search" id="search" placeholder="Search snippets" '
        'aria-label="Search snippets" autocomplete="off" spellcheck="false">'
        '<span id="filters"></span>'
        '<button type="button" id="copy-all">Copy all</button>'
        '<button type="button" id="download">Download .md</button>'
        '<button type="button" id="print">Print</button>'
        '<span id="status" role="status" aria-live="polite"></span></span>\n'
        '<p class="keys js-only"><kbd>/</kbd> search · <kbd>D</kbd> dense · '
        "<kbd>C</kbd> copy all (the compact sheet, as markdown)</p>\n</nav>"
    )


def _section(section: Section, items: Sequence[Snippet]) -> str:
    parts = [f"<h2>{escape(section.title)}</h2>"]
    if section.summary:
        parts.append(f'<p class="summary">{_text(section.summary)}</p>')
    parts.extend(_article(s, index == 0) for index, s in enumerate(items))
    ident = f' id="section-{escape(section.id)}"' if section.id else ""
    return f'<section{ident} class="part">\n' + "\n".join(parts) + "\n</section>"


def _article(s: Snippet, first: bool) -> str:
    parts = [f"<h3>{_text(s.title)}</h3>"]  # the id shows from the article's own (CSS)
    if s.summary:
        parts.append(f"<p>{_text(s.summary)}</p>")
    parts.append(f'<p class="meta">{_meta(s)}</p>')
    parts.append(_code(s.code))
    if s.output is not None:
        kind = "out d" if s.ordered else "out any d"
        parts.append(f'<pre class="{kind}"><samp>{_text(s.output)}</samp></pre>')
    if s.notes:
        parts.append(f'<p class="notes">{_text(s.notes)}</p>')
    facts = _facts(s)
    if facts:
        parts.append(f'<p class="facts d">{facts}</p>')
    classes = " ".join(_classes(s, first))
    attrs = f'id="{escape(s.id)}"' + (f' class="{classes}"' if classes else "")
    return f"<article {attrs}>\n" + "\n".join(parts) + "\n</article>"


def _meta(s: Snippet) -> str:
    """The tags (the script makes them chips that filter), Python minimum, requirements."""
    facts = [f'<span class="tags">{_text(" ".join(s.tags))}</span>']
    if s.python:
        facts.append(f"Python ≥ {_text(s.python)}")
    if s.requires:
        facts.append(f"requires {_text(', '.join(s.requires))}")
    return " · ".join(facts)


def _facts(s: Snippet) -> str:
    """The detailed view's extra facts: the APIs it teaches, related snippets."""
    facts = []
    if s.api:
        facts.append(f'API: <span class="api">{_text(", ".join(s.api))}</span>')
    if s.see_also:  # the script makes each id a link
        facts.append(f'See also: <span class="see">{_text(", ".join(s.see_also))}</span>')
    return " · ".join(facts)


def _classes(s: Snippet, first: bool) -> list[str]:
    """`long` lets a snippet taller than half a printed page (with its section's heading,
    for the first one) break across pages, between lines of code, never inside one: kept
    whole, it could leave most of a page empty. `sNN` shrinks wide printed code."""
    room = HALF_PAGE - (HEADING if first else 0)
    classes = ["long"] if _printed_height(s) > room else []
    wide = width(s.code)
    if wide > PORTRAIT_WIDTH:
        scale = PORTRAIT_WIDTH * 100 // wide
        classes.append(f"s{next((n for n in SCALES if n <= scale), SCALES[-1])}")
    return classes


def _printed_height(s: Snippet) -> float:
    """About how tall the snippet prints in the Standard view, in points: code lines of 8 pt
    on 10 (a blank one 6) of about 110 characters, prose lines of 9 pt on 11.7 of about 112."""
    code = sum(
        10 * max(1, -(-len(line) // 110)) if line.strip() else 6
        for line in s.code.rstrip("\n").split("\n")
    )
    prose = 2 + -(-len(s.summary) // 112) + -(-len(s.notes) // 112)
    return code + 11.7 * prose + 14


def _code(code: str) -> str:
    """The code exactly, newlines included; a blank line is a block of its own, so that
    print can make it half a line high."""
    lines = code.split("\n")
    text = "".join(
        f"<i>{_text(line)}\n</i>" if not line.strip() else f"{_text(line)}\n" for line in lines[:-1]
    )
    return f'<pre class="code"><code>{text}{_text(lines[-1])}</code></pre>'


def sheet(groups: Sequence[Group]) -> str:
    """The one-page sheet: each section's snippets as title and gist, set in columns; in the
    reference's order, one item per snippet."""
    parts = ['<section id="sheet" aria-label="The one-page sheet"><div class="cols">']
    for section, items in groups:
        parts.append(f'<section class="grp"><h2>{escape(section.title)}</h2>')
        parts.extend(_gist(s) for s in items)
        parts.append("</section>")
    parts.append("</div></section>")
    return "\n".join(parts)


def _gist(s: Snippet) -> str:
    lines = "".join(f"<i>{_text(line)}\n</i>" for line in gist(s).split("\n"))
    return f"<p><b>{_text(s.title)}</b><code>{lines}</code></p>"


def _text(value: str) -> str:
    """Escaped so that a browser (or html.parser) gives the exact characters back."""
    return escape(value, quote=False).replace("\r", "&#13;")


def width(code: str) -> int:
    """Columns taken by the widest line: tabs to 4, East Asian wide characters count 2."""
    return max((_line_width(line) for line in code.split("\n")), default=0)


def _line_width(line: str) -> int:
    line = line.expandtabs(4)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line)
