"""Export: every format keeps the code exactly, toml loads back, html prints in a browser."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import subprocess
import sys
import tomllib
from html.parser import HTMLParser
from pathlib import Path

import pytest

import synthetic_catalog
from asyncsnip.catalog.loader import load
from asyncsnip.catalog.model import Catalog
from asyncsnip.catalog.schema import Snippet
from asyncsnip.choices import FORMATS
from asyncsnip.export.common import gist, key_line, one_line
from asyncsnip.export.dispatch import export

DATA = Path(__file__).parent / "data"
SMALL = DATA / "export-small.toml"
HOSTILE_CODE = {
    "tabs-and-backslashes": 'x = "a\\tb\\\\"\nif x:\n\tprint(x)  \n',
    "triple-quotes": "s = '''\nkept '''\nt = \"\"\"two\"\"\"\nprint(s, t, '\\'')\n",
    "backtick-runs": 'print("````` five, ``` three")\n# ```python\n',
    "no-final-newline": 'print("héllo → 世界 ✓")',
    "trailing-blank-lines": "pass\n\n\n",
    "leading-blank-and-indent": "\n\nif True:\n    x = 1    \n        \n    print(x)\n",
    "crlf": "x = 1\r\nprint(x)\r\n",
    "html-and-markdown": "a = '<pre>&amp;</pre>'  # </code> [x](y) | *b*\nprint(a)\n",
}


def _snippet(ident: str, code: str, **fields: object) -> Snippet:
    return Snippet.from_table(
        {"id": ident, "title": ident, "tags": ["t"], "code": code, **fields}, "x"
    )


@pytest.fixture(scope="module")
def small() -> Catalog:
    """The small catalog of tests/data/export-small.toml."""
    return load(builtin=False, extra=[SMALL])


@pytest.fixture(scope="module")
def builtin() -> Catalog:
    """The built-in catalog, read-only."""
    return load(builtin=True)


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> Catalog:
    """150 snippets with gists, the size of the final built-in catalog."""
    path = synthetic_catalog.write(tmp_path_factory.mktemp("synthetic") / "synthetic.toml")
    return load(builtin=False, extra=[path])


@pytest.fixture(scope="module")
def hostile() -> Catalog:
    """Snippets whose code trips naive writers: tabs, quotes, fences, CRLF, no final newline."""
    snippets = [_snippet(ident, code) for ident, code in HOSTILE_CODE.items()]
    return Catalog(snippets={s.id: s for s in snippets})


def _everything(catalog: Catalog, fmt: str, compact: bool = False) -> str:
    return export(catalog, list(catalog.snippets.values()), fmt, compact)


# ---------------------------------------------------------------- extracting code blocks


def _markdown_blocks(doc: str) -> list[str]:
    blocks = []
    for match in re.finditer(r"^(`{3,})python\n(.*?)^\1$", doc, re.M | re.S):
        blocks.append(match[2])
    return blocks


def _text_blocks(doc: str) -> list[str]:
    """Runs of lines indented by four spaces, except those labelled as output."""
    blocks: list[str] = []
    lines = doc.split("\n")
    index = 0
    while index < len(lines):
        if not lines[index].startswith("    "):
            index += 1
            continue
        start = index
        while index < len(lines) and lines[index].startswith("    "):
            index += 1
        if not lines[start - 1].startswith("Output"):
            blocks.append("".join(line[4:] + "\n" for line in lines[start:index]))
    return blocks


class _Pre(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[str] = []
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.style = ""
        self.script = ""
        self._stack: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))
        self._stack.append(tag)
        if self._stack[-2:] == ["pre", "code"]:
            self.blocks.append("")

    def handle_endtag(self, tag: str) -> None:
        while self._stack and self._stack.pop() != tag:
            pass

    def handle_data(self, data: str) -> None:
        if "code" in self._stack and "pre" in self._stack:
            self.blocks[-1] += data
        elif self._stack and self._stack[-1] == "style":
            self.style += data
        elif self._stack and self._stack[-1] == "script":
            self.script += data


def _html(doc: str) -> _Pre:
    parser = _Pre()
    parser.feed(doc)
    parser.close()
    return parser


def _code_blocks(doc: str, fmt: str) -> list[str]:
    if fmt == "markdown":
        return _markdown_blocks(doc)
    if fmt == "text":
        return _text_blocks(doc)
    if fmt == "html":
        return _html(doc).blocks
    table = json.loads(doc) if fmt == "json" else tomllib.loads(doc)
    return [snippet["code"] for snippet in table["snippets"]]


def _ended(code: str) -> str:
    return code if code.endswith("\n") else code + "\n"


def _runs_here(snippet: Snippet) -> bool:
    if snippet.python is None:
        return True
    return tuple(int(p) for p in snippet.python.split(".")) <= sys.version_info[:2]


# ---------------------------------------------------------------- every format


# The compact markdown and text are the one-page sheet: gists only, no full code blocks
# (test_compact_sheet_holds_every_gist_verbatim); every other document holds the full code.
WITH_CODE = [
    pytest.param(fmt, compact, id=f"{fmt}-{'compact' if compact else 'full'}")
    for fmt in FORMATS
    for compact in (False, True)
    if not (compact and fmt in ("markdown", "text"))
]


@pytest.mark.parametrize(("fmt", "compact"), WITH_CODE)
@pytest.mark.parametrize("which", ["small", "hostile", "builtin"])
def test_every_code_block_compiles_and_is_exact(
    which: str, fmt: str, compact: bool, request: pytest.FixtureRequest
) -> None:
    """Each code block of each format compiles and is the catalog's code exactly."""
    catalog: Catalog = request.getfixturevalue(which)
    snippets = list(catalog.snippets.values())
    blocks = _code_blocks(export(catalog, snippets, fmt, compact), fmt)
    assert len(blocks) == len(snippets)
    ordered = [s for _, s in sorted(enumerate(snippets), key=lambda p: _order(catalog, *p))]
    for snippet, block in zip(ordered, blocks, strict=True):
        exact = fmt in ("json", "toml", "html")
        assert block == (snippet.code if exact else _ended(snippet.code)), snippet.id
        if _runs_here(snippet):
            compile(block, snippet.id, "exec", dont_inherit=True)


def _order(catalog: Catalog, index: int, snippet: Snippet) -> tuple[int, int]:
    sections = list(catalog.sections)
    where = sections.index(snippet.section) if snippet.section in sections else len(sections)
    return where, index


@pytest.mark.parametrize("compact", [False, True], ids=["full", "compact"])
@pytest.mark.parametrize("fmt", FORMATS)
def test_output_is_deterministic_across_processes(fmt: str, compact: bool, tmp_path: Path) -> None:
    """Two calls, and two separate processes with different hash seeds, give the same bytes."""
    small = load(builtin=False, extra=[SMALL])
    assert _everything(small, fmt, compact) == _everything(small, fmt, compact)
    script = (
        "import sys; from pathlib import Path; from asyncsnip.catalog.loader import load; "
        "from asyncsnip.export.dispatch import export; "
        "c = load(builtin=False, extra=[Path(sys.argv[1])]); "
        "sys.stdout.buffer.write(export(c, list(c.snippets.values()), sys.argv[2], "
        "sys.argv[3] == '1').encode())"
    )
    outputs = []
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        args = [sys.executable, "-c", script, str(SMALL), fmt, "1" if compact else "0"]
        done = subprocess.run(args, capture_output=True, env=env, check=True, timeout=60)
        outputs.append(done.stdout)
    assert outputs[0] == outputs[1]
    assert outputs[0]


def test_unknown_format_is_refused(small: Catalog) -> None:
    """A format outside FORMATS raises ValueError naming the choices."""
    with pytest.raises(ValueError, match="markdown, text, json, toml, html"):
        export(small, list(small.snippets.values()), "pdf")


def test_sections_in_catalog_order_and_other_last(small: Catalog) -> None:
    """Sections follow the catalog's order, unused ones are left out, 'Other' comes last."""
    doc = _everything(small, "markdown")
    headings = re.findall(r"^## (.*)$", doc, re.M)
    assert headings == ["Tasks & \\<Concurrency>", "Synchronization", "Other"]
    assert "2 sections" not in doc
    assert "5 snippets in 3 sections." in doc


def test_selection_is_exported_alone(small: Catalog) -> None:
    """Only the chosen snippets, and only their sections, appear."""
    chosen = [small.snippets["lock-counter"]]
    doc = export(small, chosen, "markdown")
    assert re.findall(r"^##+ (.*)$", doc, re.M) == [
        "Synchronization",
        "Protect a counter with asyncio.Lock",
    ]
    assert json.loads(export(small, chosen, "json"))["sections"] == [
        {"id": "sync", "title": "Synchronization", "summary": ""}
    ]


# ---------------------------------------------------------------- markdown and text


def test_markdown_full_shows_every_field(small: Catalog) -> None:
    """Full markdown: title, id, summary, meta line, code, output, notes."""
    doc = _everything(small, "markdown")
    gather = doc[doc.index("### Run coroutines") : doc.index("### Escape")]
    assert gather.startswith("### Run coroutines concurrently with gather\n\n`gather-squares`\n")
    assert "Wait for several coroutines and collect their results in order." in gather
    assert "tags: gather, results · Python >= 3.11" in gather
    assert "Output:\n\n```text\n[4, 9]\n```" in gather
    assert "Results come back in argument order" in gather
    assert "requires: asyncio" in doc
    assert "Output (lines in any order):" in doc
    assert not doc.startswith("| Pattern")


def test_markdown_fence_outlasts_backticks_in_code(small: Catalog) -> None:
    """Code holding ``` gets a four-backtick fence."""
    doc = _everything(small, "markdown")
    assert "````python\nimport asyncio\n\nMARKUP" in doc


def test_markdown_compact_is_the_one_page_sheet(small: Catalog) -> None:
    """Compact markdown: per section a table of title and gist, and nothing else."""
    doc = _everything(small, "markdown", compact=True)
    assert doc.startswith("# asyncio cheat sheet\n\n5 snippets in 3 sections.\n\n## Tasks")
    assert doc.count("| Pattern | Code |\n|---|---|\n") == 3  # one table per section
    table = re.findall(r"^\| (.*) \| (.*) \|$", doc, re.M)
    rows = dict(table)
    assert rows["Run coroutines concurrently with gather"] == (
        "`results = await asyncio.gather(square(2), square(3))`"
    )
    assert rows["Protect a counter with asyncio.Lock"] == "`async with lock:`<br>`    count += 1`"
    assert 'Escape \\<b>bold\\</b> & "quotes" in [brackets] \\| pipes' in rows
    assert re.findall(r"^## (.*)$", doc, re.M) == [
        "Tasks & \\<Concurrency>",
        "Synchronization",
        "Other",
    ]
    for absent in (
        "```python",
        "tags:",
        "Output",
        "Set once",
        "Wait for several",
        "`gather-squares`",
    ):
        assert absent not in doc


def test_compact_gist_lines_are_code_spans_one_per_line() -> None:
    """A gist of several lines is one table cell: a code span per line, joined by <br>;
    its common indentation is removed, and backticks or pipes in it stay code."""
    code = "import asyncio\n\n\nasync def main():\n    async with asyncio.TaskGroup() as tg:\n"
    code += "        tg.create_task(w('`|`'))\n\n\nasyncio.run(main())\n"
    gist = "    async with asyncio.TaskGroup() as tg:\n        tg.create_task(w('`|`'))\n"
    snippet = _snippet("tg", code, gist=gist)
    catalog = Catalog(snippets={"tg": snippet})
    doc = export(catalog, [snippet], "markdown", compact=True)
    cell = "`async with asyncio.TaskGroup() as tg:`<br>``     tg.create_task(w('`\\|`')) ``"
    assert f"| tg | {cell} |\n" in doc
    text = export(catalog, [snippet], "text", compact=True)
    assert text.endswith(
        "tg\n    async with asyncio.TaskGroup() as tg:\n        tg.create_task(w('`|`'))\n"
    )


@pytest.mark.parametrize("fmt", ["markdown", "text", "html"])
@pytest.mark.parametrize("which", ["small", "hostile", "builtin", "synthetic"])
def test_compact_sheet_holds_every_gist_verbatim(
    which: str, fmt: str, request: pytest.FixtureRequest
) -> None:
    """The compact sheet shows every snippet's title and gist, each line verbatim a line of
    the snippet's verified code; without a gist, its key line (a line without its comment)."""
    catalog: Catalog = request.getfixturevalue(which)
    doc = _everything(catalog, fmt, compact=True)
    sheet = _sheet_items(doc, fmt)
    assert [title for title, _ in sheet] == [s.title for _, s in _in_order(catalog)]
    for (_, lines), (_, snippet) in zip(sheet, _in_order(catalog), strict=True):
        code_lines = [line.strip() for line in snippet.code.split("\n")]
        assert lines, snippet.id
        assert "\n".join(lines) == gist(snippet), snippet.id
        for line in lines:
            if snippet.gist:
                assert line.strip() in code_lines, (snippet.id, line)
            else:
                assert any(c.startswith(line.strip()) for c in code_lines), (snippet.id, line)


def _in_order(catalog: Catalog) -> list[tuple[int, Snippet]]:
    snippets = list(catalog.snippets.values())
    return sorted(enumerate(snippets), key=lambda p: _order(catalog, *p))


def _sheet_items(doc: str, fmt: str) -> list[tuple[str, list[str]]]:
    """(title, gist lines) of each item of a compact sheet, read back from the document."""
    if fmt == "markdown":
        rows = re.findall(r"^\| (.*) \| (.*) \|$", doc, re.M)
        return [
            (_md_unescape(t), [_unspan(c) for c in code.split("<br>")])
            for t, code in rows
            if t != "Pattern"
        ]
    if fmt == "text":
        items: list[tuple[str, list[str]]] = []
        for line in doc.split("\n")[3:]:
            if line.startswith("    "):
                items[-1][1].append(line[4:])
            elif line and not set(line) <= {"="} and (not items or items[-1][1]):
                items.append((line, []))
            elif line and not set(line) <= {"="}:
                items[-1] = (line, [])  # a section heading: the next line underlines it
        return items
    parser = _Sheet()
    parser.feed(doc)
    return parser.items


def _md_unescape(text: str) -> str:
    return text.replace("\\|", "|").replace("\\<", "<")


def _unspan(cell: str) -> str:
    cell = cell.replace("\\|", "|")
    ticks = len(cell) - len(cell.lstrip("`"))
    inner = cell[ticks:-ticks]
    return inner[1:-1] if inner.startswith(" ") and inner.endswith(" ") and "`" in inner else inner


class _Sheet(HTMLParser):
    """The items of the html page's sheet: <p><b>title</b><code><i>line</i>...</code></p>."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.items: list[tuple[str, list[str]]] = []
        self._in_sheet = False
        self._field = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "section" and ("id", "sheet") in attrs:
            self._in_sheet = True
        elif self._in_sheet and tag == "b":
            self.items.append(("", []))
            self._field = "title"
        elif self._in_sheet and tag == "i":
            self.items[-1][1].append("")
            self._field = "line"

    def handle_endtag(self, tag: str) -> None:
        if tag in ("b", "i"):
            self._field = ""
        if tag == "div" and self._in_sheet:
            self._in_sheet = False

    def handle_data(self, data: str) -> None:
        if self._field == "title":
            title, lines = self.items[-1]
            self.items[-1] = (title + data, lines)
        elif self._field == "line":
            lines = self.items[-1][1]
            lines[-1] += data.rstrip("\n") if data.endswith("\n") else data


def test_text_has_no_markdown_and_indents_code(small: Catalog) -> None:
    """Text: underlined headings, no fences or hashes, code indented by four spaces."""
    doc = _everything(small, "text")
    assert "```" not in doc.replace("```fence```", "")
    assert not re.search(r"^#", doc, re.M)
    assert doc.startswith("ASYNCIO CHEAT SHEET\n===================\n5 snippets in 3 sections\n")
    assert "Protect a counter with asyncio.Lock  [lock-counter]\n------" in doc
    assert "tags: lock | requires: asyncio" in doc
    assert "Output:\n    5\n" in doc
    assert "Notes: Set once, and every waiter wakes." in doc


def test_key_line_prefers_the_first_api_then_code() -> None:
    """The quick-reference line: first api call, else first plain line; no imports or comments."""
    code = "import asyncio\nfrom x import gather\n\nasync def main():\n    await asyncio.sleep(1)\n"
    code += "    await asyncio.gather(a())  # note\n"
    assert key_line(_snippet("a", code, api=["asyncio.gather", "asyncio.sleep"])) == (
        "await asyncio.gather(a())"
    )
    assert key_line(_snippet("b", code)) == "await asyncio.sleep(1)"
    assert key_line(_snippet("c", code, api=["asyncio.FIRST_COMPLETED"])) == (
        "await asyncio.sleep(1)"
    )
    assert key_line(_snippet("d", "import asyncio\n")) == "import asyncio"


def test_key_line_comes_from_the_gist_when_there_is_one() -> None:
    """With a gist, the quick-reference line is its line calling the first api name, else
    its first line, even where the code elsewhere calls that api first."""
    code = "import asyncio\nasync def main():\n    await asyncio.sleep(0)\n"
    code += "    async with asyncio.timeout(1):  # the pattern\n        await asyncio.sleep(5)\n"
    gist = "async with asyncio.timeout(1):  # the pattern\nawait asyncio.sleep(5)\n"
    fields = {"api": ["asyncio.sleep"], "gist": gist}
    assert key_line(_snippet("a", code, **fields)) == "await asyncio.sleep(5)"
    fields["api"] = ["asyncio.Queue"]
    assert key_line(_snippet("b", code, **fields)) == "async with asyncio.timeout(1):"


def test_one_line_is_summary_else_first_sentence_of_notes() -> None:
    """Summary first; else the notes' first sentence; else nothing."""
    assert one_line(_snippet("a", "pass\n", summary="Sum.", notes="N. M.")) == "Sum."
    assert one_line(_snippet("b", "pass\n", notes="Use 3.12+. Or not!")) == "Use 3.12+."
    assert one_line(_snippet("c", "pass\n", notes="No full stop")) == "No full stop"
    assert one_line(_snippet("d", "pass\n")) == ""


# ---------------------------------------------------------------- json and toml


def test_json_shape(small: Catalog) -> None:
    """json: version, the used sections in order, each snippet's to_dict(); newline-ended."""
    doc = _everything(small, "json")
    assert doc.endswith("}\n")
    assert "→ ✓ café" in doc  # ensure_ascii=False
    data = json.loads(doc)
    assert list(data) == ["version", "sections", "snippets"]
    assert data["version"] == 1
    assert [s["id"] for s in data["sections"]] == ["tasks", "sync"]
    assert data["snippets"][0] == small.snippets["gather-squares"].to_dict()
    assert _everything(small, "json", compact=True) == doc


def test_toml_leaves_out_defaults_and_source(small: Catalog) -> None:
    """toml: catalog fields only, defaults dropped, code in multi-line strings."""
    doc = _everything(small, "toml")
    data = tomllib.loads(doc)
    assert doc.startswith('version = 1\n\n[[sections]]\nid = "tasks"\n')
    assert 'tags = ["gather", "results"]\n' in doc
    assert data["sections"][1] == {"id": "sync", "title": "Synchronization"}
    assert data["snippets"][-1] == {
        "id": "no-section",
        "title": "A snippet without a section",
        "tags": ["misc"],
        "code": 'print("alone")\n',
    }
    assert data["snippets"][1]["timeout"] == 2.5
    assert data["snippets"][1]["ordered"] is False
    assert "code = '''\nimport asyncio\n" in doc


def _list_json(*catalog_args: str | Path) -> list[dict[str, object]]:
    args = [sys.executable, "-m", "asyncsnip", *map(str, catalog_args), "list", "--json"]
    done = subprocess.run(args, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    items: list[dict[str, object]] = json.loads(done.stdout)
    for item in items:
        del item["source"]
    return items


@pytest.mark.parametrize("which", ["small", "hostile", "builtin"])
def test_toml_export_loads_back_through_the_cli(
    which: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    """`list --json` of the exported toml equals the original's, `source` aside."""
    catalog: Catalog = request.getfixturevalue(which)
    exported = tmp_path / "export-out.toml"
    exported.write_text(_everything(catalog, "toml"), encoding="utf-8", newline="")
    if which == "builtin":
        original = _list_json()
    elif which == "small":
        original = _list_json("--no-builtin", "--catalog", SMALL)
    else:
        original = [s.to_dict() for s in catalog.snippets.values()]
        for item in original:
            del item["source"]
    again = _list_json("--no-builtin", "--catalog", exported)
    key = lambda item: list(catalog.snippets).index(str(item["id"]))  # noqa: E731
    assert sorted(again, key=key) == sorted(original, key=key)


# ---------------------------------------------------------------- html


@pytest.mark.parametrize("compact", [False, True], ids=["full", "compact"])
def test_html_is_self_contained(small: Catalog, compact: bool) -> None:
    """One inline script and nothing that loads: no link, image, frame or URL anywhere, a
    Content-Security-Policy that allows only that script; print rules present."""
    page = _html(_everything(small, "html", compact))
    names = [tag for tag, _ in page.tags]
    assert not set(names) & {"link", "img", "iframe", "object", "embed", "base", "source"}
    assert names.count("script") == 1
    assert dict(page.tags)["script"] == []  # no src, no type: the inline script
    for _, attrs in page.tags:
        for name, value in attrs:
            assert not name.startswith("on")
            assert not re.search(r"//|https?:|data:", value or "")
    assert not re.search(r"@import|url\(|//|https?:", page.style)
    assert not re.search(
        r"://|fetch|XMLHttpRequest|WebSocket|EventSource|sendBeacon|import\(", page.script
    )
    digest = base64.b64encode(hashlib.sha256(page.script.encode()).digest()).decode()
    policy = next(
        dict(a)["content"] for t, a in page.tags if ("http-equiv", "Content-Security-Policy") in a
    )
    assert policy == f"default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-{digest}'"
    assert "@page" in page.style and "break-inside: avoid" in page.style
    assert sum(tag == "article" for tag, _ in page.tags) == 5
    assert ("h1", []) in page.tags


def test_html_header_and_escaping(small: Catalog) -> None:
    """The header has the title and counts; titles and code are escaped, not markup; the
    page opens in the Compact view for --compact, else in Standard, and holds both."""
    doc = _everything(small, "html", compact=True)
    assert "<h1>asyncio cheat sheet</h1><p>5 snippets in 3 sections</p>" in doc
    assert "<h2>Tasks &amp; &lt;Concurrency&gt;</h2>" in doc
    assert "&lt;script&gt;alert" in doc
    assert doc.count("<script") == 1
    assert '<input type="radio" name="view" id="view-compact" value="compact" checked>' in doc
    full = _everything(small, "html")
    assert '<input type="radio" name="view" id="view-standard" value="standard" checked>' in full
    assert full.count(" checked>") == 1
    for page in (doc, full):
        assert page.count('<section id="sheet"') == 1 and page.count("<article ") == 5


def _print_to_pdf(page: str, tmp_path: Path, layout: bool = True) -> str:
    """The page printed by headless Chromium, as pdftotext (-layout) reads it."""
    html_file = tmp_path / "page.html"
    html_file.write_text(page, encoding="utf-8")
    pdf = tmp_path / "page.pdf"
    args = [
        "chromium",
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={tmp_path / 'profile'}",
        f"--print-to-pdf={pdf}",
        "--no-pdf-header-footer",
        html_file.as_uri(),
    ]
    subprocess.run(args, capture_output=True, timeout=120, check=True)
    assert pdf.stat().st_size > 0
    mode = ["-layout"] if layout else []  # without: columns one after another
    done = subprocess.run(
        ["pdftotext", *mode, pdf, "-"], capture_output=True, text=True, check=True
    )
    return done.stdout


def _assert_printed_intact(catalog: Catalog, text: str) -> None:
    """Every title is there, and every code line is printed whole, on one line of the PDF.

    Lines are counted, so that a copy elsewhere cannot stand in for a line broken in the
    snippet itself; tabs and runs of spaces compare as one space."""
    squeezed = " ".join(text.split())
    printed = [" ".join(line.split()) for line in text.splitlines()]
    for snippet in catalog.snippets.values():
        assert " ".join(snippet.title.split()) in squeezed, snippet.id
        lines = [" ".join(line.split()) for line in snippet.code.split("\n") if line.strip()]
        for line in set(lines):
            found = sum(row.count(line) for row in printed)
            assert found >= lines.count(line), f"{snippet.id}: {line!r} is broken in the PDF"


def test_html_full_prints_every_line_whole(small: Catalog, tmp_path: Path) -> None:
    """Printed by Chromium, every title and every code line of the small catalog is intact."""
    text = _print_to_pdf(_everything(small, "html"), tmp_path)
    assert "asyncio cheat sheet" in text
    _assert_printed_intact(small, text)


def test_html_compact_prints_the_sheet(small: Catalog, tmp_path: Path) -> None:
    """Printed by Chromium, the compact page is the sheet: each title and gist line, and no
    full code (tests/test_sheets.py prints the built-in catalog's)."""
    text = _print_to_pdf(_everything(small, "html", compact=True), tmp_path, layout=False)
    squeezed = " ".join(text.split())
    for snippet in small.snippets.values():
        assert " ".join(snippet.title.split()) in squeezed, snippet.id
        for line in gist(snippet).split("\n"):
            assert " ".join(line.split()) in squeezed, (snippet.id, line)
    assert "asyncio.run(main())" not in squeezed  # a code line that is no gist
    assert "Results come back in argument order" not in squeezed  # nor notes


# ---------------------------------------------------------------- the CLI command


def test_cli_export_writes_file_atomically(tmp_path: Path) -> None:
    """`export --format toml --output FILE` writes a loadable catalog and nothing to stdout."""
    (tmp_path / "out").mkdir()
    out = tmp_path / "out" / "export-written.toml"
    args = [sys.executable, "-m", "asyncsnip", "--no-builtin", "--catalog", str(SMALL)]
    args += ["export", "--format", "toml", "--output", str(out)]
    done = subprocess.run(args, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
    small = load(builtin=False, extra=[SMALL])
    assert out.read_text(encoding="utf-8") == _everything(small, "toml")
    assert [p.name for p in out.parent.iterdir()] == [out.name]  # no temporary file left


def test_cli_export_pipe_head() -> None:
    """`export | head -1` ends quietly: exit 0, no traceback."""
    args = [sys.executable, "-m", "asyncsnip", "export"]
    with subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as proc:
        assert proc.stdout is not None and proc.stderr is not None
        first = proc.stdout.readline()
        proc.stdout.close()
        stderr = proc.stderr.read()
        code = proc.wait(timeout=60)
    assert first == b"# asyncio cheat sheet\n"
    assert code == 0, stderr
    assert b"Traceback" not in stderr
    assert stderr == b""
