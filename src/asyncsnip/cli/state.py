"""The global options, and the catalog they choose, loaded once on first use."""

from __future__ import annotations

from pathlib import Path

import click

from asyncsnip.catalog.loader import load
from asyncsnip.catalog.model import Catalog
from asyncsnip.output.term import Style, decide


class State:
    def __init__(self, catalogs: list[Path], builtin: bool, color: str) -> None:
        self.catalogs = catalogs
        self.builtin = builtin
        self.color = color
        self.style: Style = decide(color)
        self.jobs = 32
        self._catalog: Catalog | None = None

    @property
    def catalog(self) -> Catalog:
        if self._catalog is None:
            self._catalog = load(builtin=self.builtin, extra=self.catalogs)
        return self._catalog

    def stderr_style(self) -> Style:
        return decide(self.color, stderr=True)


def state(ctx: click.Context) -> State:
    found = ctx.find_root().obj
    assert isinstance(found, State)
    return found
