"""What completion needs of the layered catalog, small enough to load on every TAB press.

`slim()` turns one parsed file into its index form, which the cache stores beside the full
tables; `Index` layers those forms as `loader.load` layers the files. This module owns both
sides of that format.
"""

from __future__ import annotations

TYPE_CHECKING = False  # `typing` itself would be a fifth of a completion's time
if TYPE_CHECKING:
    from typing import Any

    # One file's index form: {"sections": {id: title}, "snippets": {id: (title, tags, section)}}
    Slim = dict[str, Any]


def slim(sections: list[dict[str, Any]], snippets: list[dict[str, Any]]) -> Slim:
    return {
        "sections": {t["id"]: t["title"] for t in sections},
        "snippets": {t["id"]: (t["title"], tuple(t["tags"]), t.get("section")) for t in snippets},
    }


def well_formed(form: Any) -> bool:
    """Is `form` exactly what slim() makes? The cache it comes from is not trusted."""
    if not isinstance(form, dict) or set(form) != {"sections", "snippets"}:
        return False
    sections, snippets = form["sections"], form["snippets"]
    if not isinstance(sections, dict) or not isinstance(snippets, dict):
        return False
    if not all(_slug(k) and type(v) is str for k, v in sections.items()):
        return False
    return all(_slug(k) and _entry(v) for k, v in snippets.items())


def _entry(value: Any) -> bool:
    if type(value) is not tuple or len(value) != 3:
        return False
    title, tags, section = value
    tags_ok = type(tags) is tuple and all(_slug(tag) for tag in tags)
    return type(title) is str and tags_ok and (section is None or _slug(section))


_SLUG_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-")


def _slug(text: Any) -> bool:
    """fileformat.SLUG without the regular expression module (a TAB press cannot pay it)."""
    if type(text) is not str or not text or text[0] == "-" or text[-1] == "-":
        return False
    return "--" not in text and _SLUG_CHARS.issuperset(text)


class Index:
    """id -> (title, tags), section -> title, and which ids the built-in catalog defines."""

    def __init__(self) -> None:
        self.snippets: dict[str, tuple[str, tuple[str, ...]]] = {}
        self.sections: dict[str, str] = {}
        self.section_refs: set[str] = set()
        self.builtin: set[str] = set()  # ids whose winning definition is the built-in one

    def add(self, form: Slim, builtin: bool) -> None:
        """Layer one catalog file (its slim form) over what is there; later ones win."""
        self.sections.update(form["sections"])
        for ident, (title, tags, section) in form["snippets"].items():
            self.snippets[ident] = (title, tags)
            (self.builtin.add if builtin else self.builtin.discard)(ident)
            if section is not None:
                self.section_refs.add(section)

    def valid(self) -> bool:
        """Every section a snippet names is defined (else loading the catalog fails)."""
        return self.section_refs <= self.sections.keys()
