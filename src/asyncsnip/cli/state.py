"""The global options, and the catalog they choose, loaded once on first use."""

from __future__ import annotations

from pathlib import Path

import click

from asyncsnip.catalog.loader import load
from asyncsnip.catalog.model import Catalog
from asyncsnip.cli import hints
from asyncsnip.output.term import Style, decide


class State:
    def __init__(self, catalogs: list[Path], builtin: bool, color: str, pager: bool = True) -> None:
        self.catalogs = catalogs
        self.builtin = builtin
        self.color = color
        self.pager = pager
        self.style: Style = decide(color, pager=pager)
        self._catalog: Catalog | None = None

    @property
    def catalog(self) -> Catalog:
        """The layered catalog; each file left out because it is invalid is named once, on
        stderr, and the command goes on without it."""
        if self._catalog is None:
            self._catalog = load(builtin=self.builtin, extra=self.catalogs)
            for path, problems in self._catalog.skipped:
                hints.skipped_catalog(path, problems)
        return self._catalog

    def stderr_style(self) -> Style:
        return decide(self.color, stderr=True)


def state(ctx: click.Context) -> State:
    found = ctx.find_root().obj
    assert isinstance(found, State)
    return found
