"""Finding a cheat sheet's Python blocks, each with the output the sheet claims for it.

Reads Markdown (fenced and indented blocks), reStructuredText (`.. code-block:: python`,
`::` literal blocks, doctest blocks), doctest `>>>` sessions anywhere, and plain text, where
a line `python` opens a block (as a web page copied as text shows it) or a paragraph that
starts like a module (`import asyncio`) is one. Expected output comes from the sheet: an
`Output:` block, a text block right after the code, the session's lines, or `# prints`
comments. Stdlib only.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from asyncsnip.catalog import sheetcode as py
from asyncsnip.catalog.session import PROMPT

FENCE = re.compile(r"^(\s*)(`{3,}|~{3,})\s*\{?\s*\.?([\w+#.-]*)[^`]*$")
DIRECTIVE = re.compile(
    r"^(\s*)\.\.\s+(code-block|code|sourcecode|testcode|testoutput|doctest|ipython)::\s*(\S*)"
)
ATX = re.compile(r"^\s{0,3}#{1,6}\s+(.+?)(?:\s+#+)?\s*$")
UNDERLINE = re.compile(r"^([=\-~^\"'`#*+])\1{2,}\s*$")
MARKER = re.compile(r"^\s*(python3?|py|pycon)\s*$", re.IGNORECASE)
LABEL = re.compile(r"^\s*(text|txt|output|console|shell|plaintext|stdout|out|none)\s*$", re.I)
INTRO = re.compile(
    r"^[\s*_>]*(?:(?:expected|sample|example|program|console|the|its)\s+)?"
    r"(?:output|outputs|prints?|printed|results?|stdout)(?:\s+\w+){0,3}\s*:{0,2}[\s*_]*$"
    r"|^.{0,80}\b(?:prints?|outputs?|output|gives|produces|displays|shows?|see)\b[^.]{0,40}:{1,2}"
    r"[\s*_]*$",
    re.IGNORECASE,
)
PYTHON = {"python", "py", "python3", "py3", "ipython", "ipython3", "pyodide", "python-code"}
SESSION = {"pycon", "pyrepl", "python-repl", "doctest", "python-console"}
OUTPUT = {"", "text", "txt", "output", "plaintext", "plain", "none", "console", "stdout", "out"}
OUTPUT |= {"log", "result", "nohighlight", "pytb", "python-traceback"}
ANCHORS = "#¶§ \t"


class Raw(NamedTuple):
    """A block as found: its lines, where it starts, how it was written."""

    lines: list[str]
    line: int  # 1-based line of its first line in the sheet
    style: str  # "markdown fence", "indented", "rst directive", "doctest", "plain text"
    session: bool = False


class Found(NamedTuple):
    raw: Raw
    title: str
    section: str
    summary: str
    output: list[str] | None
    output_from: str | None


class Scanner:
    def __init__(self, text: str) -> None:
        self.lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
        self.found: list[Found] = []
        self.kinds: list[str] = []  # heading kinds (`#`, `##`, `=`), in order of appearance
        self.headings: list[str] = []  # the current heading of each level
        self.summary = ""
        self.summary_until = -1  # the summary paragraph goes on at this line
        self.markup = any(self._markup(i) for i in range(len(self.lines)))

    def _markup(self, i: int) -> bool:
        """Markdown or rst: a fence, a directive, an underlined heading, or a `#` heading on
        a line of its own (a `# comment` in plain text has code next to it)."""
        line = self.line(i)
        if FENCE.match(line) or DIRECTIVE.match(line) or self._underlined(i):
            return True
        if not (ATX.match(line) and self.blank(i - 1) and self.blank(i + 1)):
            return False
        return not any(py.code_line(self.line(self._next_text(i, step))) for step in (-1, 1))

    def _next_text(self, i: int, step: int) -> int:
        i += step
        while 0 <= i < len(self.lines) and self.blank(i):
            i += step
        return i

    def line(self, i: int) -> str:
        return self.lines[i] if 0 <= i < len(self.lines) else ""

    def blank(self, i: int) -> bool:
        return not self.line(i).strip()

    def scan(self) -> list[Found]:
        i = 0
        while i < len(self.lines):
            i = self.step(i)
        return self.found

    def step(self, i: int) -> int:
        if self.blank(i):
            return i + 1
        for reader in (self.fence, self.directive, self.heading, self.session, self.marked):
            result = reader(i)
            if result is not None:
                return result
        for reader in (self.indented, self.unmarked):
            result = reader(i)
            if result is not None:
                return result
        return self.prose(i)

    # Blocks with delimiters.

    def fence(self, i: int) -> int | None:
        match = FENCE.match(self.line(i))
        if not match:
            return None
        indent, mark, lang = len(match[1]), match[2], match[3].lower()
        end = i + 1
        closing = re.compile(rf"^\s*{re.escape(mark[0])}{{{len(mark)},}}\s*$")
        while end < len(self.lines) and not closing.match(self.line(end)):
            end += 1
        body = [_dedent(line, indent) for line in self.lines[i + 1 : end]]
        raw = Raw(body, i + 2, "markdown fence")
        if lang in SESSION or (lang in PYTHON | {""} and _starts_session(body)):
            return self.add(raw._replace(session=True), end + 1)
        if lang in PYTHON or (lang == "" and _program_like(body)):
            return self.add(raw, end + 1)
        return end + 1

    def directive(self, i: int) -> int | None:
        match = DIRECTIVE.match(self.line(i))
        if not match:
            return None
        kind, lang = match[2], match[3].lower()
        body, first, end = self._indented_body(i + 1, len(match[1]), options=True)
        raw = Raw(body, first + 1, "rst directive")
        if kind == "doctest" or lang in SESSION or _starts_session(body):
            return self.add(raw._replace(session=True), end)
        if kind in ("testcode", "ipython") or lang in PYTHON or (not lang and _program_like(body)):
            return self.add(raw, end)
        return end

    def _indented_body(self, start: int, indent: int, options: bool) -> tuple[list[str], int, int]:
        """(the lines indented deeper than `indent` from `start`, dedented; the index of the
        first; the index after the last). Directive options (`:linenos:`) come first."""
        j = start
        while options and j < len(self.lines) and re.match(r"^\s+:[\w-]+:", self.line(j)):
            j += 1
        body_start = j
        last = j - 1
        while j < len(self.lines) and (self.blank(j) or _indent(self.line(j)) > indent):
            if not self.blank(j):
                last = j
            j += 1
        lines = self.lines[body_start : last + 1]
        while lines and not lines[0].strip():
            lines, body_start = lines[1:], body_start + 1
        depth = min((_indent(line) for line in lines if line.strip()), default=0)
        return [line[depth:] for line in lines], body_start, last + 1

    def session(self, i: int) -> int | None:
        if not PROMPT.match(self.line(i)):
            return None
        end = i
        while end < len(self.lines):
            if self.blank(end) and not PROMPT.match(self.line(end + 1)):
                break
            end += 1
        return self.add(Raw(self.lines[i:end], i + 1, "doctest", session=True), end)

    # Blocks without delimiters.

    def marked(self, i: int) -> int | None:
        """A line `python` right before code: a web page's code block copied as text."""
        if not MARKER.match(self.line(i)) or not py.code_line(self.line(i + 1)):
            return None
        return self.plain(i + 1, marked=True)

    def indented(self, i: int) -> int | None:
        """A Markdown indented block, or an rst literal block after a `::` paragraph."""
        literal = self.line(i - 2).rstrip().endswith("::") and self.blank(i - 1)
        needed = 1 if literal else 4
        if not (self.blank(i - 1) or i == 0) or _indent(self.line(i)) < needed:
            return None
        body, _, end = self._indented_body(i, _indent(self.line(i)) - 1, options=False)
        style = "rst literal" if literal else "indented"
        if _starts_session(body):
            return self.add(Raw(body, i + 1, style, session=True), end)
        if _program_like(body):
            return self.add(Raw(body, i + 1, style), end)
        code = _code_prefix(body)
        if len([line for line in code if line.strip()]) > 1 and py.STRONG.match(code[0]):
            return self.add(Raw(code, i + 1, style), i + len(code))
        return None

    def unmarked(self, i: int) -> int | None:
        """Code without a marker: a line that starts like a module (`import asyncio`), or, in
        plain text, any statement that at least one more line of code follows."""
        text = self.line(i)
        if _indent(text) or not py.code_line(text):
            return None
        if not py.STRONG.match(text) and (self.markup or text.lstrip().startswith("#")):
            return None
        return self.plain(i, marked=False)

    def plain(self, start: int, marked: bool) -> int | None:
        """Lines that read as code from `start`; blank lines inside are kept."""
        scan, last, j, glued = py.Scan(), start - 1, start, None
        statements = 0
        while j < len(self.lines) and glued is None:
            text = self.line(j)
            if not text.strip() and not scan.triple:
                j += 1
                continue
            if not py.code_line(text, scan) and not py.code_shaped(text):
                glued = py.glued_code(text) if not scan.depth else None
                if glued is None:
                    break
                text = glued
            elif _new_module(text, scan, statements):
                break
            statements += not _indent(text) and not text.startswith(("import ", "from ", "#"))
            self.lines[j], scan, last, j = text, py.advance(scan, text), j, j + 1
        body = self.lines[start : last + 1]
        if len(body) > 2 and not body[-2].strip() and py.title_like(body[-1]):
            body, last = body[:-2], last - 2
        code = [line for line in body if line.strip() and not line.lstrip().startswith("#")]
        if not marked and len(code) < 2:
            return None
        raw = Raw(body, start + 1, "plain text")
        if body and py.OUTPUT_COMMENT.match(body[-1]) and not self.blank(last + 1):
            end = self._until_blank(last + 1)
            return self.add(raw, end, self.lines[last + 1 : end])
        return self.add(raw, last + 1)

    def _until_blank(self, j: int) -> int:
        while j < len(self.lines) and not self.blank(j):
            j += 1
        return j

    # Headings and prose.

    def _underlined(self, i: int) -> bool:
        text, under = self.line(i).strip(), self.line(i + 1).strip()
        match = UNDERLINE.match(under)
        if not text or not match or UNDERLINE.match(text) or FENCE.match(self.line(i)):
            return False
        return match[1] in "=-" or len(under) >= len(text)

    def heading(self, i: int) -> int | None:
        over = UNDERLINE.match(self.line(i).strip()) and self._underlined(i + 1)
        if over:
            return self.set_heading(self.line(i + 1), self.line(i)[0], i + 3)
        if self._underlined(i):
            return self.set_heading(self.line(i), self.line(i + 1).strip()[0], i + 2)
        match = ATX.match(self.line(i))
        if match and self.markup:
            level = len(self.line(i).lstrip()) - len(self.line(i).lstrip().lstrip("#"))
            return self.set_heading(match[1], "#" * level, i + 1)
        return None

    def set_heading(self, title: str, kind: str, after: int) -> int:
        """Headings nest by the order their kinds (`#`, `##`, `=`, `-`) first appear."""
        if kind not in self.kinds:
            self.kinds.append(kind)
        level = self.kinds.index(kind)
        self.headings = [*self.headings[:level], *[""] * (level - len(self.headings))]
        self.headings.append(_heading_text(title))
        self.summary = ""
        return after

    def prose(self, i: int) -> int:
        """One line of prose: a title when it stands alone in plain text, else the summary
        of what follows (the first paragraph after a heading)."""
        text = self.line(i).strip()
        alone = self.blank(i - 1) and self.blank(i + 1)
        if not self.markup and alone and _title_like(text):
            return self.set_heading(text, "plain", i + 1)
        if self.summary_until == i:
            self.summary += " " + text
        elif not self.summary and not INTRO.match(text):
            self.summary = text
        else:
            return i + 1
        self.summary_until = i + 1
        return i + 1

    def add(self, raw: Raw, after: int, claimed: list[str] | None = None) -> int:
        """Record the block, and the output the sheet shows right after it."""
        output, source, after = self.output_after(after)
        if output is None and claimed:
            output, source = claimed, "output comment"
        titles = [title for title in self.headings if title]
        section = titles[-2] if len(titles) > 1 else ""
        summary = _first_sentence(self.summary)
        self.found.append(
            Found(raw, titles[-1] if titles else "", section, summary, output, source)
        )
        return after

    def output_after(self, j: int) -> tuple[list[str] | None, str | None, int]:
        """(the output shown after a block, where it came from, where scanning goes on)."""
        start = j
        while self.blank(j) and j < len(self.lines):
            j += 1
        intro = bool(INTRO.match(self.line(j))) and not py.code_line(self.line(j))
        if intro:
            j += 1
            while self.blank(j) and j < len(self.lines):
                j += 1
        fence = FENCE.match(self.line(j))
        if fence and fence[3].lower() in OUTPUT:
            end = self._fence_end(j, fence[2])
            body = [_dedent(line, len(fence[1])) for line in self.lines[j + 1 : end]]
            if fence[3] or not _program_like(body):
                return _console(body), "text block", end + 1
        directive = DIRECTIVE.match(self.line(j))
        if directive and (directive[2] == "testoutput" or directive[3].lower() in OUTPUT - {""}):
            body, _, end = self._indented_body(j + 1, len(directive[1]), options=True)
            return _console(body), "text block", end
        if intro and _indent(self.line(j)) and not self.blank(j):
            body, _, end = self._indented_body(j, _indent(self.line(j)) - 1, options=False)
            return body, "output block", end
        if intro and self.line(j).strip():
            j += bool(LABEL.match(self.line(j)))
            end = self._until_blank(j)
            return [line.rstrip() for line in self.lines[j:end]], "output block", end
        return None, None, start

    def _fence_end(self, j: int, mark: str) -> int:
        closing = re.compile(rf"^\s*{re.escape(mark[0])}{{{len(mark)},}}\s*$")
        end = j + 1
        while end < len(self.lines) and not closing.match(self.line(end)):
            end += 1
        return end


def _dedent(line: str, indent: int) -> str:
    return line[min(indent, _indent(line)) :]


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip()) if line.strip() else 0


def _starts_session(body: list[str]) -> bool:
    first = next((line for line in body if line.strip()), "")
    return bool(PROMPT.match(first))


def _program_like(body: list[str]) -> bool:
    """Reads as Python: a module-like first line and every line code."""
    code = [line for line in body if line.strip()]
    if not code or not (py.STRONG.match(code[0]) or len(code) > 1):
        return False
    scan = py.Scan()
    for line in code:
        if not py.code_line(line, scan):
            return False
        scan = py.advance(scan, line)
    return bool(py.STRONG.match(code[0])) or py.parses("\n".join(body)) is not None


def _code_prefix(body: list[str]) -> list[str]:
    """The lines of `body` up to the first that is not code (blank lines at the end cut)."""
    scan, taken = py.Scan(), 0
    for index, line in enumerate(body):
        if line.strip() and not py.code_line(line, scan):
            break
        scan, taken = py.advance(scan, line), index + 1
    code = body[:taken]
    while code and not code[-1].strip():
        code.pop()
    return code


def _new_module(text: str, scan: py.Scan, statements: int) -> bool:
    """An import after top-level statements starts the next block (blocks run together)."""
    return bool(statements and not scan.depth and re.match(r"(import|from)\s+\w", text))


def _console(body: list[str]) -> list[str]:
    """A console block's output: without the leading `$ python x.py` prompt lines."""
    lines = list(body)
    while lines and re.match(r"^(\$|%|>|PS>)\s", lines[0]):
        lines.pop(0)
    return lines


def _heading_text(title: str) -> str:
    text = title.replace("`", "").replace("**", "").strip().strip("*_").rstrip(ANCHORS).strip()
    return re.sub(r"\s+", " ", text)


def _title_like(text: str) -> bool:
    """A short line on its own that names what follows (plain text has no heading markup)."""
    words = _heading_text(text)
    return (
        0 < len(words) <= 80
        and words[-1] not in ".,;:!?"
        and bool(re.match(r"[\w(`'\"]", words))
        and len(words.split()) <= 12
        and not LABEL.match(words)
    )


def _first_sentence(text: str) -> str:
    match = re.match(r"(.+?[.!?])(\s|$)", text)
    sentence = match[1] if match else text
    return sentence if len(sentence) <= 160 else ""


def scan(text: str) -> list[Found]:
    """Every Python block of the sheet, in order."""
    return Scanner(text).scan()
