"""The web sheet in a real browser: Debian's Chromium, driven by Playwright, opens the html
export from file:// and every control is clicked and its effect checked; the clipboard is
read back through navigator.clipboard. One screenshot per view is left in test-artifacts/.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

import synthetic_catalog
from asyncsnip.catalog.loader import load
from asyncsnip.catalog.model import Catalog
from asyncsnip.export.dispatch import export
from conftest import DATA, artifact, asyncsnip

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page

CATALOGS = [DATA / "export-small.toml", DATA / "web-sheet.toml"]
ODD = ["tabs-and-spaces", "markup-chars", "xylophone-unicode", "queue-lines"]


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    """export-small.toml and web-sheet.toml: hostile code, one odd word per search field."""
    return load(builtin=False, extra=CATALOGS)


@pytest.fixture(scope="module")
def page_file(catalog: Catalog, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The html export of that catalog, as a file."""
    path = tmp_path_factory.mktemp("web") / "sheet.html"
    path.write_text(_export(catalog), encoding="utf-8")
    return path


def _export(catalog: Catalog, fmt: str = "html", compact: bool = False) -> str:
    return export(catalog, list(catalog.snippets.values()), fmt, compact)


class Watched:
    """A page, with every console error, page error and request it made."""

    def __init__(self, context: BrowserContext, url: str) -> None:
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.page: Page = context.new_page()
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.on("request", lambda request: self.requests.append(request.url))
        self.page.goto(url)

    def _console(self, message: object) -> None:
        if getattr(message, "type", "") in ("error", "warning"):
            self.errors.append(getattr(message, "text", ""))

    def clipboard(self) -> str:
        text: str = self.page.evaluate("navigator.clipboard.readText()")
        return text

    def clear_clipboard(self) -> None:
        self.page.evaluate("navigator.clipboard.writeText('-')")

    def visible_ids(self) -> list[str]:
        ids: list[str] = self.page.eval_on_selector_all(
            "#reference article", "els => els.filter(e => e.checkVisibility()).map(e => e.id)"
        )
        return ids


@pytest.fixture
def context(chromium: Browser) -> Iterator[BrowserContext]:
    """A fresh browser context that may read and write the clipboard."""
    context = chromium.new_context(
        permissions=["clipboard-read", "clipboard-write"],
        viewport={"width": 1280, "height": 900},
        accept_downloads=True,
    )
    yield context
    context.close()


@pytest.fixture
def sheet(context: BrowserContext, page_file: Path) -> Iterator[Watched]:
    """The web sheet open from file://; at the end, no console errors and no request but
    the page itself."""
    watched = Watched(context, page_file.as_uri())
    yield watched
    assert watched.errors == []
    assert {url for url in watched.requests if not url.startswith("blob:")} == {page_file.as_uri()}


def test_views_show_and_hide_what_they_should(sheet: Watched, catalog: Catalog) -> None:
    """Standard: the reference with code and notes, not outputs or the sheet; Detailed adds
    outputs and API facts; Compact shows only the sheet. A screenshot of each is left."""
    page = sheet.page
    reference, sheet_view = page.locator("#reference"), page.locator("#sheet")
    output = page.locator("#gather-squares pre.out")
    facts = page.locator("#gather-squares .facts")
    assert page.locator("#view-standard").is_checked()
    assert reference.is_visible() and not sheet_view.is_visible()
    assert page.locator("#gather-squares pre.code").is_visible()
    assert page.locator("#gather-squares .notes").is_visible()
    assert not output.is_visible() and not facts.is_visible()
    assert len(sheet.visible_ids()) == len(catalog.snippets)
    page.screenshot(path=artifact("web-standard.png"))

    page.click("label[for=view-detailed]")
    assert output.is_visible() and facts.is_visible()
    assert "asyncio.gather, asyncio.sleep" in facts.inner_text()
    assert page.locator("#gather-squares .facts a[href='#lock-counter']").is_visible()
    assert not sheet_view.is_visible()
    page.screenshot(path=artifact("web-detailed.png"))

    page.click("label[for=view-compact]")
    assert sheet_view.is_visible() and not reference.is_visible()
    items = page.locator("#sheet .grp p")
    assert items.count() == len(catalog.snippets)
    assert items.first.locator("b").inner_text() == catalog.snippets["gather-squares"].title
    page.screenshot(path=artifact("web-compact.png"), full_page=True)

    page.click("label[for=view-standard]")
    assert reference.is_visible() and not sheet_view.is_visible()


def test_builtin_page_in_each_view(
    context: BrowserContext, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """The built-in catalog's page: every snippet in the reference and on the sheet, a copy
    button on each, no console errors; a screenshot of each view is left."""
    builtin = load(builtin=True)
    path = tmp_path_factory.mktemp("builtin") / "sheet.html"
    path.write_text(_export(builtin), encoding="utf-8")
    watched = Watched(context, path.as_uri())
    page = watched.page
    assert len(watched.visible_ids()) == len(builtin.snippets)
    assert page.locator("pre.code button").count() == len(builtin.snippets)
    for view in ("standard", "detailed", "compact"):
        page.click(f"label[for=view-{view}]")
        page.screenshot(path=artifact(f"web-builtin-{view}.png"))
    assert page.locator("#sheet .grp p button").count() == len(builtin.snippets)
    assert watched.errors == []


@pytest.mark.parametrize("ident", [*ODD, "html-hostile", "gather-squares"])
def test_each_copy_button_copies_the_exact_code(
    sheet: Watched, catalog: Catalog, ident: str
) -> None:
    """A snippet's copy button, in the reference and on the sheet, puts exactly its code on
    the clipboard: tabs, trailing spaces, <, &, CRLF, non-ASCII, a missing final newline."""
    page = sheet.page
    sheet.clear_clipboard()
    page.click(f"#{ident} pre.code button")
    assert sheet.clipboard() == catalog.snippets[ident].code
    assert page.locator(f"#{ident} pre.code button").inner_text() == "Copied"
    page.click("label[for=view-compact]")
    order = [s.id for _, s in sorted(enumerate(catalog.snippets.values()), key=_section_order)]
    index = order.index(ident)
    sheet.clear_clipboard()
    page.locator("#sheet .grp p").nth(index).locator("button").click()
    assert sheet.clipboard() == catalog.snippets[ident].code


def _section_order(pair: tuple[int, object]) -> tuple[int, int]:
    index, snippet = pair
    sections = ["tasks", "unused", "sync", "odd-code"]
    where = getattr(snippet, "section", None)
    return (sections.index(where) if where in sections else len(sections), index)


def test_copy_all_and_key_c_copy_the_compact_sheet(sheet: Watched, catalog: Catalog) -> None:
    """ "Copy all" and the key C put the compact sheet on the clipboard: the very markdown
    `asyncsnip export --compact` writes."""
    expected = _export(catalog, "markdown", compact=True)
    sheet.clear_clipboard()
    sheet.page.click("#copy-all")
    assert sheet.clipboard() == expected
    assert sheet.page.locator("#status").inner_text() == "Copied the compact sheet"
    sheet.clear_clipboard()
    sheet.page.keyboard.press("C")
    assert sheet.clipboard() == expected
    sheet.clear_clipboard()
    sheet.page.keyboard.press("c")
    assert sheet.clipboard() == expected


def test_key_d_and_the_toggle_make_the_page_dense(sheet: Watched) -> None:
    """D toggles density (smaller type, tighter code); so does the Dense checkbox."""
    page = sheet.page

    def code_size() -> float:
        size: str = page.eval_on_selector(
            "#gather-squares pre.code", "e => getComputedStyle(e).fontSize"
        )
        return float(size.removesuffix("px"))

    roomy = code_size()
    page.keyboard.press("D")
    assert page.locator("#dense").is_checked()
    assert code_size() < roomy
    page.keyboard.press("D")
    assert not page.locator("#dense").is_checked()
    assert code_size() == roomy
    page.click("label.toggle")
    assert page.locator("#dense").is_checked() and code_size() < roomy
    page.keyboard.press("d")
    assert code_size() == roomy


def test_keys_are_ignored_while_typing_in_search(sheet: Watched) -> None:
    """/ focuses the search box; typed there, D and C are text, not commands."""
    page = sheet.page
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "search"
    sheet.clear_clipboard()
    page.keyboard.type("DC")
    assert page.input_value("#search") == "DC"
    assert not page.locator("#dense").is_checked()
    assert sheet.clipboard() == "-"
    page.keyboard.press("Escape")
    assert page.input_value("#search") == ""
    assert page.evaluate("document.activeElement.id") != "search"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("xylophone", ["xylophone-unicode"]),  # the id
        ("quokka", ["queue-lines"]),  # the title
        ("marmot", ["xylophone-unicode"]),  # the summary
        ("wombat", ["queue-lines"]),  # a tag
        ("odd code", ODD),  # the section's title
        ("odd-code", ODD),  # the section's id
        ("barrier", ["xylophone-unicode"]),  # an api name
        ("zebra", ["tabs-and-spaces"]),  # the notes
        ("ocelot", ["xylophone-unicode"]),  # an identifier in the code
        ("narwhal", []),  # only inside a string
        ("pangolin", []),  # only in a comment
        ("spaces trailing", ["tabs-and-spaces"]),  # words in any order
        ("Task_Group", ["markup-chars"]),  # "_", "-", ".", space and case alike
        ("task-group", ["markup-chars"]),
        ("TASK.GROUP", ["markup-chars"]),
        ("taskgroup", ["markup-chars"]),
        ("quokkas", ["queue-lines"]),  # plural and singular alike
        ("zebras", ["tabs-and-spaces"]),
        ("queue", ["queue-lines"]),
        ("lock counter", ["lock-counter"]),
    ],
)
def test_slash_focuses_search_and_typing_filters(
    sheet: Watched, query: str, expected: list[str]
) -> None:
    """/ focuses the search box, and typing there filters the snippets over id, title,
    summary, tags, section, API names, notes and the code's identifiers; sections left
    empty are hidden, in the reference and on the sheet."""
    page = sheet.page
    page.keyboard.press("/")
    page.keyboard.type(query)
    assert sheet.visible_ids() == expected
    assert page.locator("#reference .none").is_visible() == (not expected)
    sections = page.eval_on_selector_all(
        "#reference > section", "els => els.filter(e => e.checkVisibility()).map(e => e.id)"
    )
    assert sections == sorted({_section_of(ident) for ident in expected}, key=_section_rank)
    page.click("label[for=view-compact]")
    titles = page.eval_on_selector_all(
        "#sheet .grp p",
        "els => els.filter(e => e.checkVisibility()).map(e => e.firstChild.textContent)",
    )
    assert len(titles) == len(expected)


def _section_of(ident: str) -> str:
    if ident in ODD:
        return "section-odd-code"
    return {"lock-counter": "section-sync"}[ident]


def _section_rank(section: str) -> int:
    return ["section-tasks", "section-sync", "section-odd-code"].index(section)


def test_tag_chips_filter(sheet: Watched, catalog: Catalog) -> None:
    """A tag chip keeps only the snippets with that tag; a second chip narrows further; the
    active chip above the page removes its filter; chips and search combine."""
    page = sheet.page
    page.click("#lock-counter .tag >> text=lock")
    assert sheet.visible_ids() == ["lock-counter"]
    assert page.locator("#filters .tag").all_inner_texts() == ["lock"]
    page.click("#filters .tag")
    assert len(sheet.visible_ids()) == len(catalog.snippets)
    page.click("#queue-lines .tag >> text=queues")
    assert sheet.visible_ids() == ["queue-lines"]
    page.keyboard.press("/")
    page.keyboard.type("zebra")
    assert sheet.visible_ids() == []
    page.fill("#search", "")
    page.dispatch_event("#search", "input")
    assert sheet.visible_ids() == ["queue-lines"]
    page.click("#queue-lines .tag >> text=queues")  # a chip that is on turns it off
    assert len(sheet.visible_ids()) == len(catalog.snippets)


def test_download_is_the_compact_sheet_as_markdown(sheet: Watched, catalog: Catalog) -> None:
    """The download button saves asyncio-cheat-sheet.md: the compact markdown export."""
    with sheet.page.expect_download() as info:
        sheet.page.click("#download")
    download = info.value
    assert download.suggested_filename == "asyncio-cheat-sheet.md"
    path = download.path()
    assert Path(path).read_text(encoding="utf-8") == _export(catalog, "markdown", compact=True)


def test_print_button_prints_the_compact_sheet(sheet: Watched) -> None:
    """Print switches to the Compact view while the browser prints, then back."""
    page = sheet.page
    page.click("label[for=view-detailed]")
    page.evaluate(
        "window.print = () => { window.printedView ="
        " document.querySelector('input[name=view]:checked').value; }"
    )
    page.click("#print")
    assert page.evaluate("window.printedView") == "compact"
    assert page.locator("#view-detailed").is_checked()


def test_print_media_shows_the_chosen_view(sheet: Watched) -> None:
    """Printed, the Compact view is the sheet alone and the others the reference alone;
    the controls and copy buttons are never printed."""
    page = sheet.page
    page.emulate_media(media="print")
    assert page.locator("#reference").is_visible() and not page.locator("#sheet").is_visible()
    assert not page.locator(".bar").is_visible()
    assert not page.locator("#gather-squares pre.code button").is_visible()
    page.evaluate("document.querySelector('#view-compact').checked = true")  # the bar is hidden
    assert page.locator("#sheet").is_visible() and not page.locator("#reference").is_visible()
    columns = page.eval_on_selector("#sheet .cols", "e => getComputedStyle(e).columnCount")
    assert int(columns) >= 2


def test_without_javascript_everything_is_there(
    chromium: Browser, page_file: Path, catalog: Catalog
) -> None:
    """With JavaScript off the page is complete: every title, every code block exactly,
    the sheet, and the views still switch (CSS alone); controls that need the script are
    not shown."""
    context = chromium.new_context(
        java_script_enabled=False, viewport={"width": 1280, "height": 900}
    )
    page = context.new_page()
    page.goto(page_file.as_uri())
    codes = page.eval_on_selector_all(
        "#reference pre.code code", "els => els.map(e => e.textContent)"
    )
    assert codes == [
        s.code for _, s in sorted(enumerate(catalog.snippets.values()), key=_section_order)
    ]
    text = page.inner_text("#reference")
    for snippet in catalog.snippets.values():
        assert " ".join(snippet.title.split()) in " ".join(text.split())
        if snippet.notes:
            assert " ".join(snippet.notes.split()) in " ".join(text.split())
    assert not page.locator("#search").is_visible() and not page.locator("#copy-all").is_visible()
    assert page.locator("pre.code button").count() == 0
    page.click("label[for=view-detailed]")
    assert page.locator("#gather-squares pre.out").is_visible()
    page.click("label[for=view-compact]")
    assert page.locator("#sheet").is_visible()
    assert page.locator("#sheet .grp p").count() == len(catalog.snippets)
    page.screenshot(path=artifact("web-compact-no-javascript.png"))
    page.click("label.toggle")
    assert page.locator("#dense").is_checked()
    context.close()


def test_page_is_small(tmp_path: Path) -> None:
    """The built-in catalog's page, and the synthetic 150-snippet one, are under 300 KB."""
    builtin = load(builtin=True)
    synthetic = load(builtin=False, extra=[synthetic_catalog.write(tmp_path / "s.toml")])
    for name, which in (("builtin", builtin), ("synthetic", synthetic)):
        size = len(_export(which).encode("utf-8"))
        artifact(f"web-{name}-size.txt").write_text(f"{size / 1000:.1f} KB\n", encoding="utf-8")
        assert size < 300_000, name


# ---------------------------------------------------------------- export --open


def _fake_browser(folder: Path, name: str) -> Path:
    """An executable NAME that records the URL it was asked to open in $RECORD."""
    folder.mkdir(exist_ok=True)
    script = folder / name
    script.write_text('#!/bin/sh\nprintf \'%s\\n\' "$@" >> "$RECORD"\n', encoding="utf-8")
    script.chmod(0o755)
    return script


def test_open_writes_the_page_to_the_cache_and_opens_it(tmp_path: Path) -> None:
    """`export --format html --open` writes the page to the user cache directory, prints
    its path, and hands its file:// URL to the browser named by $BROWSER."""
    record = tmp_path / "opened.txt"
    browser = _fake_browser(tmp_path / "bin", "fake-browser")
    env = {"BROWSER": str(browser), "RECORD": str(record)}
    done = asyncsnip("export", "--format", "html", "--open", env=env)
    assert done.returncode == 0, done.stderr
    page = tmp_path / "cache" / "asyncsnip" / "cheat-sheet.html"
    assert done.stdout.decode() == f"{page}\n"
    assert done.stderr == b"asyncsnip: opened the page in the browser\n"
    assert record.read_text(encoding="utf-8") == f"{page.as_uri()}\n"
    plain = asyncsnip("export", "--format", "html")
    assert page.read_bytes() == plain.stdout


def test_open_finds_xdg_open_on_path(tmp_path: Path) -> None:
    """On a desktop (DISPLAY set) the browser is xdg-open from PATH; `--open` alone means
    html, and `--compact` opens the page in its Compact view."""
    record = tmp_path / "opened.txt"
    bin_dir = _fake_browser(tmp_path / "bin", "xdg-open").parent
    env = {"BROWSER": "", "DISPLAY": ":99", "PATH": str(bin_dir), "RECORD": str(record)}
    done = asyncsnip("export", "--compact", "--open", env=env)
    assert done.returncode == 0, done.stderr
    page = tmp_path / "cache" / "asyncsnip" / "cheat-sheet-compact.html"
    assert done.stdout.decode() == f"{page}\n"
    deadline = time.monotonic() + 15  # xdg-open is started in the background
    while not record.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert record.read_text(encoding="utf-8") == f"{page.as_uri()}\n"
    assert 'id="view-compact" value="compact" checked' in page.read_text(encoding="utf-8")


def test_open_without_a_browser_prints_the_path(tmp_path: Path) -> None:
    """With no browser to be found, `--open` still writes the page and prints its path."""
    empty = tmp_path / "empty"
    empty.mkdir()
    env = {"BROWSER": "", "DISPLAY": "", "WAYLAND_DISPLAY": "", "PATH": str(empty)}
    done = asyncsnip("export", "--format", "html", "--open", env=env)
    assert done.returncode == 0, done.stderr
    page = tmp_path / "cache" / "asyncsnip" / "cheat-sheet.html"
    assert done.stdout.decode() == f"{page}\n"
    assert done.stderr == b"asyncsnip: no browser found: open the file above\n"
    assert page.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_open_refuses_a_format_other_than_html(tmp_path: Path) -> None:
    """`--open` with `--format markdown` is a usage error (exit 2) with a hint; nothing is
    written."""
    done = asyncsnip("export", "--format", "markdown", "--open")
    assert done.returncode == 2
    assert done.stdout == b""
    assert done.stderr.decode().splitlines() == [
        "asyncsnip: error: --open shows the html page, not markdown",
        "asyncsnip: hint: leave out --format",
    ]
    assert not (tmp_path / "cache" / "asyncsnip" / "cheat-sheet.html").exists()
