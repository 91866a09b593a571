"""The global options, and the catalog they choose, loaded once on first use."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import click

from asyncsnip.catalog.config import DEFAULT_JOBS, Config
from asyncsnip.catalog.loader import load
from asyncsnip.catalog.model import Catalog
from asyncsnip.output.term import Style, decide


class State:
    def __init__(self, catalogs: list[Path], builtin: bool, color: str) -> None:
        self.catalogs = catalogs
        self.builtin = builtin
        self.color = color
        self.style: Style = decide(color)
        # The config file in force (theme, pager, jobs, colour, catalogs), and the global
        # options given on the command line (for `doctor`: where each value came from).
        self.config: Config = Config(os.devnull, {}, {}, chosen_by_env=False)
        self.given: dict[str, Any] = {}
        self._catalog: Catalog | None = None

    @property
    def jobs(self) -> int:
        """check's and import's default --jobs: the config file's, else the default."""
        return int(self.config.get("jobs", DEFAULT_JOBS))

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
