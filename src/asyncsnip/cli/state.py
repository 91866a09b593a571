"""The global options, and the catalog they choose, loaded once on first use."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import click

from asyncsnip.catalog.config import DEFAULT_JOBS, Config
from asyncsnip.catalog.loader import load
from asyncsnip.catalog.model import Catalog
from asyncsnip.cli import hints
from asyncsnip.output.term import Style, decide


class State:
    def __init__(
        self,
        catalogs: list[Path],
        builtin: bool,
        color: str,
        pager: bool = True,
        config: Config | None = None,
    ) -> None:
        self.catalogs = catalogs
        self.builtin = builtin
        self.color = color
        self.config: Config = config or Config(os.devnull, {}, {}, chosen_by_env=False)
        self.pager = pager and self.config.get("pager", True) is not False
        configured = self.config.get("pager")
        self.style: Style = decide(
            color,
            pager=self.pager,
            theme=self.config.get("theme"),
            pager_command=configured if isinstance(configured, str) else None,
        )
        # The global options given on the command line (for `doctor`: where each value
        # came from).
        self.given: dict[str, Any] = {}
        self._catalog: Catalog | None = None

    @property
    def jobs(self) -> int:
        """check's and import's default --jobs: the config file's, else the default."""
        return int(self.config.get("jobs", DEFAULT_JOBS))

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
        return decide(self.color, stderr=True, theme=self.config.get("theme"))


def state(ctx: click.Context) -> State:
    found = ctx.find_root().obj
    assert isinstance(found, State)
    return found
