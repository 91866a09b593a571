"""The catalog, or a selection of it, as one document: markdown, text, json, toml or html.

Pure functions of their input: the same catalog gives byte-identical output, and every code
block keeps the catalog's code exactly, so each one compiles.
"""

from __future__ import annotations

from collections.abc import Sequence

from asyncsnip.catalog.model import Catalog
from asyncsnip.catalog.schema import Snippet
from asyncsnip.choices import FORMATS
from asyncsnip.export.common import group


def export(
    catalog: Catalog, snippets: Sequence[Snippet], fmt: str = "markdown", compact: bool = False
) -> str:
    """The selection as one document. Deterministic: same input, byte-identical output."""
    groups = group(catalog, snippets)
    if fmt in ("markdown", "text"):
        from asyncsnip.export import text

        return text.markdown(groups, compact) if fmt == "markdown" else text.text(groups, compact)
    if fmt in ("json", "toml"):
        from asyncsnip.export import data

        return data.to_json(groups) if fmt == "json" else data.to_toml(groups)
    if fmt == "html":
        from asyncsnip.export.html import html_page

        return html_page(groups, compact)
    raise ValueError(f"unknown export format {fmt!r}; choose from {', '.join(FORMATS)}")
