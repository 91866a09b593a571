"""The printed sheets, as a user's Print makes them: Chromium prints the html export to PDF,
and poppler and pdfminer read it back.

The compact sheet of the built-in catalog (and of a synthetic one the size of the final
catalog) fits on at most 2 pages of A4 and of Letter, at 7 pt or more, with every snippet there
by title and gist, nothing outside the page and no two words on top of each other. The full
export is the complete reference, without half-empty pages or needlessly split snippets.
Page 1 of each sheet is left as a PNG (and the figures in sheets.txt) in test-artifacts/.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

import pytest

import synthetic_catalog
from asyncsnip.catalog.loader import load
from asyncsnip.catalog.model import Catalog
from asyncsnip.export.common import gist, group
from asyncsnip.export.dispatch import export
from asyncsnip.export.sheetfit import LEVELS, choose
from conftest import CHROMIUM, CHROMIUM_ARGS, artifact, asyncsnip

if TYPE_CHECKING:
    from playwright.sync_api import Browser

PAPERS = {"A4": (595.92, 842.88), "Letter": (612.0, 792.0)}
SMALLEST = 7.0  # pt
FIGURES: dict[str, str] = {}


class Word(NamedTuple):
    page: int
    x0: float
    y0: float
    x1: float
    y1: float
    text: str


class Printed(NamedTuple):
    pdf: Path
    pages: int
    size: tuple[float, float]
    text: str  # pdftotext, pages separated by form feeds

    def words(self) -> list[Word]:
        """Every word with its box, as pdftotext -bbox reads them."""
        done = subprocess.run(
            ["pdftotext", "-bbox", self.pdf, "-"], capture_output=True, text=True, check=True
        )
        words = []
        for page, body in enumerate(done.stdout.split("<page ")[1:], start=1):
            for match in re.finditer(
                r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>',
                body,
            ):
                x0, y0, x1, y1 = (float(v) for v in match.groups()[:4])
                words.append(Word(page, x0, y0, x1, y1, match[5]))
        return words


@pytest.fixture(scope="module")
def catalogs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Catalog]:
    """The built-in catalog, and synthetic ones of 150 snippets with 1 to 3 gist lines (1.7
    on average, and a heavier 1.9)."""
    folder = tmp_path_factory.mktemp("synthetic")
    usual = synthetic_catalog.write(folder / "synthetic.toml")
    heavy = synthetic_catalog.write(folder / "heavy.toml", "heavy")
    return {
        "builtin": load(builtin=True),
        "synthetic": load(builtin=False, extra=[usual]),
        "heavy": load(builtin=False, extra=[heavy]),
    }


@pytest.fixture(scope="module")
def printed(
    chromium: Browser, catalogs: dict[str, Catalog], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[tuple[str, str, str], Printed]]:
    """Each catalog's html export, compact and full, printed on A4 and on Letter."""
    out = tmp_path_factory.mktemp("printed")
    results: dict[tuple[str, str, str], Printed] = {}
    page = chromium.new_page()
    for name, catalog in catalogs.items():
        for kind in ("compact", "full") if name != "heavy" else ("compact",):
            html = out / f"{name}-{kind}.html"
            document = export(catalog, list(catalog.snippets.values()), "html", kind == "compact")
            html.write_text(document, encoding="utf-8")
            page.goto(html.as_uri())
            for paper in PAPERS:
                pdf = out / f"{name}-{kind}-{paper}.pdf"
                page.pdf(path=str(pdf), format=paper)
                results[(name, kind, paper)] = _read(pdf)
    page.close()
    yield results
    _write_figures()


def _write_figures() -> None:
    """The figures measured, added to those of earlier runs (a run may select some tests)."""
    path = artifact("sheets.txt")
    old = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    figures = dict(line.split(": ", 1) for line in old if ": " in line)
    figures.update(FIGURES)
    path.write_text("".join(f"{k}: {v}\n" for k, v in sorted(figures.items())), encoding="utf-8")


def _read(pdf: Path) -> Printed:
    info = subprocess.run(["pdfinfo", pdf], capture_output=True, text=True, check=True).stdout
    pages = int(re.search(r"^Pages:\s+(\d+)", info, re.M)[1])  # type: ignore[index]
    size = re.search(r"^Page size:\s+([\d.]+) x ([\d.]+)", info, re.M)
    assert size is not None
    text = subprocess.run(["pdftotext", pdf, "-"], capture_output=True, text=True, check=True)
    return Printed(pdf, pages, (float(size[1]), float(size[2])), text.stdout)


def _squeeze(text: str) -> str:
    """Text without whitespace or hyphens: a line wrapped at a space or after a hyphen (which
    pdftotext then joins) reads the same as the line unwrapped."""
    return re.sub(r"[\s\-]+", "", text)


SHEETS = [(name, paper) for name in ("builtin", "synthetic", "heavy") for paper in PAPERS]


@pytest.mark.parametrize(("name", "paper"), SHEETS)
def test_compact_sheet_fits_one_sheet_of_paper(
    name: str, paper: str, printed: dict[tuple[str, str, str], Printed]
) -> None:
    """The compact sheet prints on at most 2 pages (one sheet, both sides) of this paper."""
    sheet_pdf = printed[(name, "compact", paper)]
    assert sheet_pdf.size == pytest.approx(PAPERS[paper], abs=1)
    FIGURES[f"compact {name} {paper} pages"] = str(sheet_pdf.pages)
    assert 1 <= sheet_pdf.pages <= 2
    png = artifact(f"sheet-{name}-{paper}")
    subprocess.run(
        ["pdftoppm", "-png", "-r", "90", "-f", "1", "-l", "1", "-singlefile", sheet_pdf.pdf, png],
        check=True,
    )
    assert png.with_suffix(".png").stat().st_size > 10_000


@pytest.mark.parametrize(("name", "paper"), SHEETS)
def test_compact_sheet_shows_every_snippet_by_title_and_gist(
    name: str,
    paper: str,
    printed: dict[tuple[str, str, str], Printed],
    catalogs: dict[str, Catalog],
) -> None:
    """Every snippet's title and every line of its gist is on the printed sheet, in order."""
    text = _squeeze(printed[(name, "compact", paper)].text)
    for snippet in catalogs[name].snippets.values():
        title = _squeeze(snippet.title)
        assert title in text, snippet.id
        for line in gist(snippet).split("\n"):
            assert text.find(_squeeze(line), text.index(title)) >= 0, (snippet.id, line)


@pytest.mark.parametrize(("name", "paper"), SHEETS)
def test_compact_sheet_text_is_7pt_or_larger(
    name: str, paper: str, printed: dict[tuple[str, str, str], Printed]
) -> None:
    """No character of the printed sheet is set smaller than 7 pt (pdfminer's sizes)."""
    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LTChar, LTComponent

    def chars(item: LTComponent) -> Iterator[LTChar]:
        if isinstance(item, LTChar):
            yield item
        for child in getattr(item, "_objs", ()):
            yield from chars(child)

    sizes = [
        ch.size
        for layout in extract_pages(printed[(name, "compact", paper)].pdf)
        for ch in chars(layout)
        if ch.get_text().strip()
    ]
    assert len(sizes) > 2000
    FIGURES[f"compact {name} {paper} smallest pt"] = f"{min(sizes):.2f}"
    assert min(sizes) >= SMALLEST - 0.01


@pytest.mark.parametrize(("name", "paper"), SHEETS)
def test_compact_sheet_nothing_cut_off_or_overlapping(
    name: str, paper: str, printed: dict[tuple[str, str, str], Printed]
) -> None:
    """Every word lies inside the page's margins, and no two words' boxes overlap (beyond
    the fonts' own ascent and descent, which a tight line may share with its neighbour)."""
    result = printed[(name, "compact", paper)]
    width, height = result.size
    words = result.words()
    assert len(words) > 500
    for word in words:
        assert word.x0 >= 4 and word.x1 <= width - 4, word
        assert word.y0 >= 4 and word.y1 <= height - 4, word
    assert not _overlaps(words)


def _overlaps(words: list[Word]) -> list[tuple[Word, Word]]:
    """Pairs of words on a page whose boxes overlap by more than a quarter of their height
    and by any width at all."""
    found = []
    ordered = sorted(words, key=lambda w: (w.page, w.y0))
    for index, word in enumerate(ordered):
        for other in ordered[index + 1 :]:
            if other.page != word.page or other.y0 >= word.y1:
                break
            tall = min(word.y1 - word.y0, other.y1 - other.y0)
            high = min(word.y1, other.y1) - max(word.y0, other.y0)
            wide = min(word.x1, other.x1) - max(word.x0, other.x0)
            if high > tall / 4 and wide > 0.2:
                found.append((word, other))
    return found


@pytest.mark.parametrize("name", ["builtin", "synthetic"])
def test_full_export_has_no_half_empty_pages(
    name: str, printed: dict[tuple[str, str, str], Printed], catalogs: dict[str, Catalog]
) -> None:
    """The full export prints every snippet, every page but the last at least half full, and
    no snippet is split across two pages unless the page marks it long (taller than about
    half a page, so that keeping it whole could leave half a page empty). Only the really
    tall are marked: with the grown catalog that is about a third of them, none short."""
    catalog = catalogs[name]
    page = export(catalog, list(catalog.snippets.values()), "html")
    long = set(re.findall(r'<article id="([^"]+)" class="long', page))
    for ident in long:  # really tall: 24 lines of code and prose or more
        snippet = catalog.snippets[ident]
        assert snippet.code.count("\n") + len(snippet.notes) // 100 >= 24, ident
    for paper in PAPERS:
        result = printed[(name, "full", paper)]
        FIGURES[f"full {name} {paper} pages"] = str(result.pages)
        bottoms: dict[int, float] = {}
        for word in result.words():
            bottoms[word.page] = max(bottoms.get(word.page, 0.0), word.y1)
        fills = [bottoms[n] / result.size[1] for n in range(1, result.pages)]
        FIGURES[f"full {name} {paper} emptiest page filled"] = f"{min(fills):.0%}"
        assert min(fills) >= 0.5, fills
        pages = [_squeeze(text) for text in result.text.split("\f")]
        for snippet in catalog.snippets.values():
            title = _squeeze(snippet.title)
            first = next(n for n, text in enumerate(pages) if title in text)
            end = _squeeze(snippet.notes[-40:] if snippet.notes else snippet.code[-40:])
            if snippet.id not in long:
                assert end in pages[first], f"{snippet.id} is split across pages ({paper})"


def test_sheet_type_is_larger_for_fewer_snippets(catalogs: dict[str, Catalog]) -> None:
    """The sheet's type size only grows as the selection shrinks: a few snippets print in
    the largest type, the synthetic catalog of 150 in the smallest, never under 7 pt."""
    sizes = []
    everything = list(catalogs["synthetic"].snippets.values())
    for count in (3, 20, 60, 100, 150):
        level = choose(group(catalogs["synthetic"], everything[:count]))
        sizes.append((level.size, level.columns, -level.leading))
    assert sizes == sorted(sizes, reverse=True)
    assert sizes[0] == (LEVELS[0].size, LEVELS[0].columns, -LEVELS[0].leading)
    assert min(size for size, _, _ in sizes) >= SMALLEST


def test_cli_sheet_prints_on_two_pages_with_chromium_itself(tmp_path: Path) -> None:
    """`asyncsnip export --format html --compact -o FILE`, printed by `chromium --headless
    --print-to-pdf` (its default paper), is at most 2 pages holding every title."""
    html = tmp_path / "sheet.html"
    done = asyncsnip("export", "--format", "html", "--compact", "--output", html)
    assert done.returncode == 0, done.stderr
    pdf = tmp_path / "sheet.pdf"
    args = [CHROMIUM, "--headless", *CHROMIUM_ARGS, f"--user-data-dir={tmp_path / 'profile'}"]
    args += ["--no-pdf-header-footer", f"--print-to-pdf={pdf}", html.as_uri()]
    subprocess.run(args, capture_output=True, timeout=120, check=True)
    result = _read(pdf)
    FIGURES["compact builtin chromium --print-to-pdf pages"] = str(result.pages)
    assert 1 <= result.pages <= 2
    text = _squeeze(result.text)
    for snippet in load(builtin=True).snippets.values():
        assert _squeeze(snippet.title) in text, snippet.id
