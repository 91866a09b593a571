"""The html export: one self-contained printable page (inline CSS, no script, nothing fetched)."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from html import escape

from asyncsnip.catalog.schema import Section, Snippet
from asyncsnip.export.common import SHEET_TITLE, Group, counts, key_line, meta, one_line

# How many characters of code fit across a printed line at the base code size (8.5pt
# DejaVu Sans Mono, 10 mm margins, A4 or Letter portrait): the compact sheet sets snippets in
# two columns, and one with a wider line spans both. A line wider than the page shrinks its
# snippet's code, down to SMALLEST_SCALE, and then wraps rather than overflow.
PORTRAIT_WIDTH = 100
COLUMN_WIDTH = 46
SMALLEST_SCALE = 0.8

CSS = """
:root {
  --ink: #1b1f24; --muted: #5b6570; --accent: #1d5a91; --rule: #d3dae1;
  --code-bg: #f4f6f8; --out-bg: #fbfaf2;
  --mono: "DejaVu Sans Mono", Menlo, Consolas, "Liberation Mono", monospace;
  --sans: "DejaVu Sans", "Helvetica Neue", Arial, "Liberation Sans", sans-serif;
}
* { box-sizing: border-box; }
html { background: #fff; color: var(--ink); }
body { margin: 0 auto; padding: 1.5rem; max-width: 62rem; font: 14px/1.45 var(--sans); }
body.compact { max-width: 110rem; }
header { display: flex; align-items: baseline; justify-content: space-between; gap: 1rem;
  border-bottom: 3px solid var(--accent); margin-bottom: 1rem; padding-bottom: .2rem; }
h1 { margin: 0; font-size: 1.7em; letter-spacing: -.01em; }
header p { margin: 0; color: var(--muted); }
h2 { font-size: 1.25em; color: var(--accent); margin: 1.3em 0 .15em; padding-bottom: .05em;
  border-bottom: 1px solid var(--rule); break-after: avoid; }
h2 + .summary { margin: 0 0 .6em; color: var(--muted); break-after: avoid; }
h3 { font-size: 1em; margin: 0 0 .1em; break-after: avoid; }
.id { font: .78em var(--mono); color: var(--muted); font-weight: normal; margin-left: .5em; }
article { break-inside: avoid; margin: 0 0 .9rem; padding-left: .5rem;
  border-left: 3px solid var(--rule); }
article p { margin: .05em 0 .2em; }
.meta { color: var(--muted); font-size: .88em; }
.notes { font-size: .95em; }
pre { margin: .2em 0 .3em; padding: .3em .5em; background: var(--code-bg); border-radius: 3px;
  white-space: pre-wrap; overflow-wrap: anywhere; tab-size: 4; font: 12.5px/1.3 var(--mono); }
pre code, pre samp { font: inherit; }
pre.output { background: var(--out-bg); border: 1px dashed var(--rule); }
.label { font-size: .78em; color: var(--muted); text-transform: uppercase;
  letter-spacing: .05em; }
.ln { display: block; }
.ln.blank { height: .55lh; }
.quickref table { width: 100%; border-collapse: collapse; font-size: .9em; }
.quickref th { text-align: left; border-bottom: 2px solid var(--accent); padding: .1em .4em; }
.quickref td { border-bottom: 1px solid var(--rule); padding: .08em .4em; vertical-align: top; }
.quickref td:first-child { width: 34%; }
.quickref a { color: inherit; text-decoration: none; }
.quickref code { font: .95em/1.3 var(--mono); white-space: pre-wrap; overflow-wrap: anywhere; }
.quickref tr { break-inside: avoid; }
@media screen and (min-width: 62rem) {
  .compact .snippets { display: grid; grid-template-columns: 1fr 1fr; column-gap: 1.5rem;
    grid-auto-flow: row dense; align-items: start; }
  .compact article.wide { grid-column: 1 / -1; }
}
@page { margin: 10mm 10mm 11mm; }
@media print {
  html, body { print-color-adjust: exact; -webkit-print-color-adjust: exact; }
  body { max-width: none; padding: 0; font-size: 9pt; line-height: 1.3; }
  header { margin-bottom: 2mm; }
  h1 { font-size: 16pt; }
  h2 { font-size: 11.5pt; margin: 3.5mm 0 .8mm; }
  h2 + .summary { margin-bottom: 1.5mm; }
  h3 { font-size: 9.5pt; }
  article { margin-bottom: 2.5mm; }
  pre { font-size: calc(8.5pt * var(--code-scale, 1)); }
  .quickref { font-size: 8.5pt; }
  .quickref code { font-size: 8pt; }
  .compact .snippets { display: grid; grid-template-columns: 1fr 1fr; column-gap: 6mm;
    grid-auto-flow: row dense; align-items: start; }
  .compact article.wide { grid-column: 1 / -1; }
}
"""


def html_page(groups: Sequence[Group], compact: bool) -> str:
    """The whole page; the compact sheet adds a quick-reference table and two columns."""
    body = [
        f"<header><h1>{SHEET_TITLE}</h1><p>{escape(counts(groups))}</p></header>",
    ]
    if compact:
        body.append(_quickref(groups))
    body.extend(_section(section, items, compact) for section, items in groups)
    kind = "compact" if compact else "full"
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{SHEET_TITLE}</title>\n<style>{CSS}</style>\n</head>\n"
        f'<body class="{kind}">\n' + "\n".join(body) + "\n</body>\n</html>\n"
    )


def _quickref(groups: Sequence[Group]) -> str:
    rows = [
        f'<tr><td><a href="#{escape(s.id)}">{escape(s.title)}</a></td>'
        f"<td><code>{_text(key_line(s))}</code></td></tr>"
        for _, items in groups
        for s in items
    ]
    return (
        '<section class="quickref"><h2>Quick reference</h2><table>\n'
        "<thead><tr><th>Pattern</th><th>Code</th></tr></thead>\n<tbody>\n"
        + "\n".join(rows)
        + "\n</tbody></table></section>"
    )


def _section(section: Section, items: Sequence[Snippet], compact: bool) -> str:
    parts = [f"<h2>{escape(section.title)}</h2>"]
    if section.summary:
        parts.append(f'<p class="summary">{escape(section.summary)}</p>')
    parts.append('<div class="snippets">')
    parts.extend(_article(s, compact) for s in items)
    parts.append("</div>")
    ident = f' id="section-{escape(section.id)}"' if section.id else ""
    return f"<section{ident}>\n" + "\n".join(parts) + "\n</section>"


def _article(s: Snippet, compact: bool) -> str:
    parts = [f'<h3>{escape(s.title)}<span class="id">{escape(s.id)}</span></h3>']
    if compact:
        if one_line(s):
            parts.append(f"<p>{escape(one_line(s))}</p>")
        parts.append(_code(s.code))
    else:
        if s.summary:
            parts.append(f"<p>{escape(s.summary)}</p>")
        parts.append(f'<p class="meta">{escape(" · ".join(meta(s)))}</p>')
        parts.append(_code(s.code))
        if s.output is not None:
            order = " (lines in any order)" if not s.ordered else ""
            parts.append(f'<p class="label">Output{order}</p>')
            parts.append(f'<pre class="output"><samp>{_text(s.output)}</samp></pre>')
        if s.notes:
            parts.append(f'<p class="notes">{escape(s.notes)}</p>')
    wide = width(s.code)
    attrs = f'id="{escape(s.id)}"'
    if compact and wide > COLUMN_WIDTH:
        attrs += ' class="wide"'
    scale = _scale(wide, PORTRAIT_WIDTH)
    if scale:
        attrs += f' style="--code-scale: {scale}"'
    return f"<article {attrs}>\n" + "\n".join(parts) + "\n</article>"


def _code(code: str) -> str:
    """Each line a block of its own so blank lines can take half a line; the characters,
    newlines included, are exactly the code's."""
    lines = code.split("\n")
    spans = [
        f'<span class="ln{"" if line.strip() else " blank"}">{_text(line)}\n</span>'
        for line in lines[:-1]
    ]
    if lines[-1]:
        spans.append(f'<span class="ln">{_text(lines[-1])}</span>')
    return f'<pre class="code"><code class="language-python">{"".join(spans)}</code></pre>'


def _text(value: str) -> str:
    """Escaped so that a browser (or html.parser) gives the exact characters back."""
    return escape(value).replace("\r", "&#13;")


def width(code: str) -> int:
    """Columns taken by the widest line: tabs to 4, East Asian wide characters count 2."""
    return max((_line_width(line) for line in code.split("\n")), default=0)


def _line_width(line: str) -> int:
    line = line.expandtabs(4)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line)


def _scale(wide: int, fits: int) -> str:
    """How much to shrink the printed code so its widest line still fits; "" for none."""
    if wide <= fits:
        return ""
    return f"{max(SMALLEST_SCALE, fits / wide):.2f}"
