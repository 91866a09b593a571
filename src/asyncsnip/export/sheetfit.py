"""How big the printed one-page sheet can be: the largest type that still fits.

The sheet prints in columns on one sheet of paper: one side if the catalog fits there at 7 pt
or more, else both sides. Which size fits is worked out here, before any browser sees the
page, by setting the sheet as Chromium does (greedy line breaks at spaces, snippets never split
across columns, a heading kept with its first snippet) on the page both A4 and Letter hold:
A4's width and Letter's height. Widths come from DejaVu's metrics, the fonts the page names
first; other fonts of the same kind are close enough, and the estimate keeps a margin.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from asyncsnip.catalog.schema import Snippet
from asyncsnip.export.common import Group, gist

MM = 72 / 25.4
PAGE_WIDTH = 595.28  # A4 is the narrower paper
PAGE_HEIGHT = 792.0  # Letter is the shorter
MARGIN = 5 * MM  # @page sheet in sheet.css
COLUMN_GAP = 3.5 * MM
HANGING = 2  # characters a wrapped code line is indented by
HEADING_SPACE = 1.5 * MM + 0.5  # above and below a section heading, and its rule
HEADER_SPACE = 9.0  # the page header: rule, padding and the gap under it
MONO = 0.602  # DejaVu Sans Mono's advance, in em
# DejaVu Sans Condensed Bold's advances for " " to "~", in thousandths of an em.
TITLE_WIDTHS = (
    "313 410 469 754 626 901 785 275 411 411 470 754 342 374 342 329 626 626 626 626 626 626 "
    "626 626 626 626 360 360 754 754 754 522 900 696 686 660 747 615 615 738 753 334 334 697 "
    "573 896 753 765 659 765 693 648 614 730 696 993 694 651 652 411 329 411 754 450 450 607 "
    "644 533 644 610 391 644 641 308 308 598 308 938 641 618 644 644 444 536 430 641 586 831 "
    "580 586 523 641 329 641 754"
)
_TITLE = [int(w) / 1000 for w in TITLE_WIDTHS.split()]
SAFETY = 0.93  # use at most this share of the paper: fonts and line breaks vary a little


class Level(NamedTuple):
    """One way to set the sheet: type size (pt), columns, line height (in em), tracking of
    code and titles (pt), and the space under each snippet (pt)."""

    size: float
    columns: int
    leading: float = 1.18
    code_tracking: float = 0.0
    title_tracking: float = 0.0
    gap: float = 0.55 * MM

    def style(self) -> str:
        """The custom properties sheet.css reads for print."""
        return (
            f"--size: {self.size:g}pt; --cols: {self.columns}; --lh: {self.leading:g}; "
            f"--code-track: {self.code_tracking:g}pt; --title-track: {self.title_tracking:g}pt; "
            f"--gap: {self.gap:.2f}pt"
        )


# Largest first. The first five set lines at the fonts' full height; the last two, used only
# when nothing else fits two pages, set them closer (an accent of one line could touch a
# descender of the line above), track the type a little tighter and drop the space between
# snippets, the bold titles keeping them apart.
LEVELS = (
    Level(9.0, 2),
    Level(8.5, 2),
    Level(8.0, 3),
    Level(7.5, 3),
    Level(7.0, 3),
    Level(7.0, 3, leading=1.07, code_tracking=-0.35, title_tracking=-0.1, gap=0.3 * MM),
    Level(7.0, 3, leading=1.0, code_tracking=-0.4, title_tracking=-0.15, gap=0.0),
)
ROOMY = LEVELS[:5]


def choose(groups: Sequence[Group]) -> Level:
    """The largest level that fits one page with roomy lines, else two pages."""
    for level in ROOMY:
        if pages(groups, level) <= SAFETY:
            return level
    for level in LEVELS:
        if pages(groups, level) <= 2 * SAFETY:
            return level
    return LEVELS[-1]


def pages(groups: Sequence[Group], level: Level) -> float:
    """How many pages the sheet takes at this level: whole columns filled, plus the share of
    the last one used, over the columns of a page."""
    width = (PAGE_WIDTH - 2 * MARGIN - (level.columns - 1) * COLUMN_GAP) / level.columns
    full = PAGE_HEIGHT - 2 * MARGIN
    first = full - _header(level)
    column, used = 0, 0.0
    for _, items in groups:
        heading = (level.size + 1) * 1.2 + HEADING_SPACE
        for index, snippet in enumerate(items):
            block = _item(snippet, level, width)
            if index == 0:
                block += heading
            room = first if column < level.columns else full
            if used and used + block > room:
                column, used = column + 1, 0.0
            used += block
    room = first if column < level.columns else full
    return (column + min(used / room, 1.0)) / level.columns


def _header(level: Level) -> float:
    return (level.size + 3) * 1.3 + HEADER_SPACE


def _item(snippet: Snippet, level: Level, width: float) -> float:
    line = level.size * level.leading
    title = _title_rows(snippet.title, level, width)
    char = level.size * MONO + level.code_tracking
    code = sum(_code_rows(text, char, width) for text in gist(snippet).split("\n"))
    return (title + code) * line + level.gap


def _title_rows(title: str, level: Level, width: float) -> int:
    words = title.split()
    rows, used = 1, 0.0
    space = _TITLE[0] * level.size + level.title_tracking
    for word in words:
        size = sum(_char(ch) * level.size + level.title_tracking for ch in word)
        if used and used + space + size > width:
            rows, used = rows + 1, size
        else:
            used += (space if used else 0.0) + size
    return rows


def _char(ch: str) -> float:
    index = ord(ch) - 32
    return _TITLE[index] if 0 <= index < len(_TITLE) else 0.7


def _code_rows(text: str, char: float, width: float) -> int:
    """Rows a code line takes: pre-wrap breaks at spaces (a wrapped part is indented), and
    anywhere in a word longer than the line."""
    fits = max(int(width // char), HANGING + 1)
    rows, used = 1, 0
    for index, word in enumerate(text.expandtabs(4).split(" ")):
        size = len(word) + (1 if index else 0)
        if used > HANGING and used + size > fits:
            rows, used, size = rows + 1, HANGING, len(word)
        used += size
        while used > fits:
            rows, used = rows + 1, HANGING + used - fits
    return rows
