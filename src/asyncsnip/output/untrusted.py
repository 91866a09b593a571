"""Text asyncsnip did not write, as people see it: with its control characters visible.

A catalog's code and expected output may hold any character, and a snippet's output, its
stderr and the diffs made from them hold whatever it printed. Before such text is drawn for a
person (rich on a terminal, or a report), it goes through here once, so an escape sequence is
shown as `\\x1b[2J` instead of clearing the screen. Data that goes to a pipe or a file stays
byte for byte (`for_stdout`), and JSON stays the same data (`safe.json_safe`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from asyncsnip.catalog.model import Catalog
from asyncsnip.catalog.schema import Snippet
from asyncsnip.output.term import stdout_is_terminal
from asyncsnip.safe import visible

TYPE_CHECKING = False
if TYPE_CHECKING:
    from asyncsnip.engine.result import Result


def _shown(value: Any) -> Any:
    if isinstance(value, str):
        return visible(value)
    if isinstance(value, tuple):
        return tuple(_shown(item) for item in value)
    return value


def snippet(s: Snippet) -> Snippet:
    """The snippet with every text field (code and output too) made visible."""
    return Snippet(*(_shown(value) for value in s))


def snippets(items: Iterable[Snippet]) -> list[Snippet]:
    return [snippet(s) for s in items]


def catalog(c: Catalog) -> Catalog:
    """The catalog's sections made visible (the snippets are passed on their own)."""
    sections = {key: type(sec)(*(_shown(v) for v in sec)) for key, sec in c.sections.items()}
    return Catalog(sections, c.snippets, c.sources)


def result(r: Result) -> Result:
    """A run's output, stderr, diff, reason and interpreter made visible."""
    import dataclasses  # only when a result is shown

    return dataclasses.replace(
        r,
        stdout=visible(r.stdout),
        stderr=visible(r.stderr),
        reason=_shown(r.reason),
        diff=_shown(r.diff),
        python=visible(r.python),
    )


def for_stdout(text: str) -> str:
    """Text for stdout: exact for a pipe or a file, control characters visible on a
    terminal."""
    return visible(text) if stdout_is_terminal() else text
