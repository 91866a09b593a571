"""Writing the user catalog safely: append or cut one [[snippets]] table, never lose data.

Each change is made under a lock, written to a temporary file that is parsed again and compared
with what was meant, then put in place with os.replace; the user's own text stays as it was.
"""

from __future__ import annotations

import contextlib
import itertools
import re
import stat
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import tomli_w

from asyncsnip.catalog import fileformat as validate
from asyncsnip.catalog.paths import present, user_catalog_path
from asyncsnip.errors import CatalogError, SnippetExists, UsageError, WriteError
from asyncsnip.store.files import Staged, commit, discard, error, stage

Doc = dict[str, Any]
NEW_FILE = "version = 1\n"
_CANDIDATE = re.compile(r"^[ \t]*\[", re.MULTILINE)
_SURROGATE = re.compile("[\ud800-\udfff]")
_SNIPPETS = re.compile(r"""[ \t]*\[\[[ \t]*(snippets|"snippets"|'snippets')[ \t]*\]\]""")


def new_table(
    ident: str,
    title: str,
    tags: list[str],
    code: str,
    *,
    section: str | None,
    summary: str | None,
    notes: str | None,
    python: str | None,
) -> dict[str, Any]:
    """The snippet table with only the given fields; a UsageError lists every problem."""
    fields: dict[str, Any] = {"id": ident, "title": title, "section": section}
    fields |= {"summary": summary, "tags": list(tags), "python": python}
    fields |= {"notes": notes, "code": code}
    table = {name: value for name, value in fields.items() if value is not None}
    problems = validate.check_snippet(table) + _text_problems(table)
    if section is not None and not problems:
        problems += _section_problems(ident, section)
    if problems:
        raise UsageError("\n".join(problems), hint="nothing was written")
    return table


def _text_problems(table: dict[str, Any]) -> list[str]:
    """Undecodable bytes given on the command line (surrogate escapes) cannot be written."""
    bad = [name for name, value in table.items() if _SURROGATE.search("".join(value))]
    return [f"snippet '{table['id']}', field '{name}': is not valid UTF-8 text" for name in bad]


def _section_problems(ident: str, section: str) -> list[str]:
    """A section the catalogs loaded by default do not define would break every command."""
    from asyncsnip.catalog.loader import load

    if section in load().sections:
        return []
    return [
        f"snippet '{ident}', field 'section': section '{section}' is not defined by the "
        "built-in catalog, your user catalog or $ASYNCSNIP_CATALOG"
    ]


def add(table: dict[str, Any], replace: bool) -> Path:
    """Append the table to the user catalog; with replace, cut a table with its id first."""
    path = Path(user_catalog_path())
    ident = table["id"]
    with _locked(path):
        old, doc = _current(path)
        present = any(t["id"] == ident for t in doc.get("snippets", []))
        if present and not replace:
            raise SnippetExists(ident, str(path))
        base = _cut(old, doc, ident, path) if present else old or NEW_FILE
        expected = _drop(doc, ident) if old else tomllib.loads(NEW_FILE)
        expected["snippets"] = [*expected.get("snippets", []), table]
        _save(path, _append(base, table), expected, backup=old if present else None)
    return path


def remove(ident: str) -> Path:
    """Cut one snippet's table out of the user catalog; the previous file becomes .bak."""
    path = Path(user_catalog_path())
    with _locked(path):
        old, doc = _current(path)
        if not any(t["id"] == ident for t in doc.get("snippets", [])):
            raise UsageError(f"'{ident}' is not in your user catalog ({path})")
        text = _cut(old, doc, ident, path)
        _save(path, text, _drop(doc, ident), backup=old)
    return path


def table_text(ident: str, path: Path) -> str:
    """The text of snippet `ident`'s table as the file has it (comments included), for
    editing; the blank lines after it are not part of it."""
    with _locked(path):
        old, doc = _current(path)
    start, end = _span(old, doc, ident, path)
    return old[start:end].rstrip() + "\n"


def put(ident: str | None, text: str, table: dict[str, Any], path: Path) -> Path:
    """Put one [[snippets]] table, written as `text`, in place of the table of `ident`
    (every other byte kept), or at the end when the file has no `ident`."""
    with _locked(path):
        old, doc = _current(path)
        tables = doc.get("snippets", [])
        present = ident is not None and any(t["id"] == ident for t in tables)
        if table["id"] != ident and any(t["id"] == table["id"] for t in tables):
            raise SnippetExists(table["id"], str(path))
        if present and ident is not None:
            start, end = _span(old, doc, ident, path)
            kept = old[start:end][len(old[start:end].rstrip()) :]  # the blank lines after
            result = old[:start] + text.rstrip() + kept + old[end:]
            others = [t if t["id"] != ident else table for t in tables]
            expected = {**doc, "snippets": others}
        else:
            result = _join(old or NEW_FILE, text)
            expected = (doc if old else tomllib.loads(NEW_FILE)) | {"snippets": [*tables, table]}
        _save(path, result, expected, backup=old if old else None)
    return path


def replace_whole(path: Path, before: str, after: str) -> Path:
    """The whole catalog replaced by `after`, if it still is `before` (the text that was
    edited); the previous file becomes .bak."""
    with _locked(path):
        old = path.read_text(encoding="utf-8") if path.exists() else ""
        if old != before:
            raise UsageError(
                f"{path}: changed by another program while you edited it; nothing was changed",
                hint="edit it again",
            )
        expected = _load(after)
        if expected is None:
            raise CatalogError([f"{path}: not changed: the edited text is not TOML"])
        _save(path, after, expected, backup=old or None)
    return path


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """One writer at a time; any OS failure becomes one clear line (nothing was changed)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path.with_name(f"{path.name}.lock"), "a") as lock:
            _flock(lock.fileno())
            yield
    except OSError as exc:
        where = f" ({exc.filename})" if exc.filename and exc.filename != str(path) else ""
        failed = error(path, exc)
        raise WriteError(str(path), f"{failed.reason}{where}", failed.failure) from exc


def _flock(fd: int) -> None:
    try:
        import fcntl
    except ImportError:  # not POSIX: no lock, but each write still replaces the file whole
        return
    fcntl.flock(fd, fcntl.LOCK_EX)


def refuse_if_broken() -> None:
    """A CatalogError (with every problem) if the user catalog exists and is not valid:
    checked before a command that writes it does anything else."""
    _current(Path(user_catalog_path()))


def _current(path: Path) -> tuple[str, Doc]:
    """The catalog's text and document; one that does not parse is never written over."""
    if not present(path):
        return "", {}
    text, reason = validate.read_text(str(path))
    problems = [reason or str(path)] if text is None else validate.parse(text, str(path)).problems
    if text is None or problems:
        raise CatalogError([*problems, f"{path}: not changed; fix this file first"])
    return text, tomllib.loads(text)


def _drop(doc: Doc, ident: str) -> Doc:
    """The document without the snippet `ident` (and without an empty snippets list)."""
    result = {key: value for key, value in doc.items() if key != "snippets"}
    rest = [t for t in doc.get("snippets", []) if t["id"] != ident]
    return result | ({"snippets": rest} if rest else {})


def _append(text: str, table: dict[str, Any]) -> str:
    """The text, untouched, then a blank line and the table."""
    return _join(text, _serialise(table))


def _join(text: str, block: str) -> str:
    gap = "" if not text or text.endswith("\n\n") else "\n" if text.endswith("\n") else "\n\n"
    return text + gap + block.rstrip("\n") + "\n"


def _serialise(table: dict[str, Any]) -> str:
    """A [[snippets]] block; tomli-w's multi-line strings turn \\r\\n into \\n, so text with a
    carriage return is written as escaped one-line strings instead."""
    multiline = not any("\r" in value for value in table.values() if isinstance(value, str))
    return tomli_w.dumps({"snippets": [table]}, multiline_strings=multiline)


def _cut(text: str, doc: Doc, ident: str, path: Path) -> str:
    """The text without the table of snippet `ident`; every other byte is kept."""
    start, end = _span(text, doc, ident, path)
    return text[:start] + text[end:]


def _span(text: str, doc: Doc, ident: str, path: Path) -> tuple[int, int]:
    """Where the table of snippet `ident` is in the text, checked: without it, the text
    holds exactly the other tables."""
    spans = _snippet_spans(text)
    tables = doc.get("snippets", [])
    index = next(i for i, table in enumerate(tables) if table["id"] == ident)
    if len(spans) == len(tables):
        start, end = spans[index]
        if _load(text[:start] + text[end:]) == _drop(doc, ident):
            return start, end
    raise UsageError(
        f"{path}: cannot find the table of '{ident}' safely; nothing was changed",
        hint="change it by hand (each snippet should be its own [[snippets]] table)",
    )


def _snippet_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) offsets of each [[snippets]] table, from its header to the next one,
    leaving to the next table the comments just above it."""
    starts = [*_table_starts(text), len(text)]
    return [
        (here, _cut_end(text, here, after))
        for here, after in itertools.pairwise(starts)
        if _SNIPPETS.match(text, here)
    ]


def _table_starts(text: str) -> list[int]:
    """Offsets of the table header lines: lines starting with '[' that begin a statement
    (what comes before them parses), not lines inside a multi-line string or array."""
    found: list[int] = []
    last = 0
    for match in _CANDIDATE.finditer(text):
        if _load(text[last : match.start()]) is not None:
            found.append(match.start())
            last = match.start()
    return found


def _cut_end(text: str, start: int, end: int) -> int:
    """Where a table's text ends: before the comment lines that lead into what follows."""
    lines = [start + m.start() for m in re.finditer("^", text[start:end], re.MULTILINE)]
    trailing: list[int] = []
    for offset in reversed(lines):
        line = text[offset:end].split("\n", 1)[0].strip()
        if line and not line.startswith("#"):
            break
        trailing.insert(0, offset)
    for offset in trailing:
        is_comment = text[offset:end].lstrip(" \t").startswith("#")
        if is_comment and _load(text[start:offset]) is not None:
            return offset
    return end


def _load(text: str) -> Doc | None:
    try:
        return tomllib.loads(text)
    except (tomllib.TOMLDecodeError, RecursionError, ValueError):
        return None


def _save(path: Path, text: str, expected: Doc, backup: str | None) -> None:
    """Back up the previous text if asked, then replace the catalog with a checked copy."""
    """Both files are written in full before either replaces anything, so a failure (a full
    disk) leaves the catalog and the older .bak as they were."""
    path.parent.mkdir(parents=True, exist_ok=True)
    staged: list[Staged] = []
    try:
        if backup is not None:  # as private as the catalog it copies
            mode = stat.S_IMODE(path.stat().st_mode)
            bak = path.with_name(f"{path.name}.bak")
            staged.append(stage(bak, backup.encode("utf-8"), mode=mode))

        def checked(written: Path) -> None:
            _verify(written, expected, path)

        staged.append(stage(path, text.encode("utf-8"), checked))
        for ready in staged:
            commit(ready)
    finally:
        for ready in staged:
            discard(ready)  # nothing left to remove once committed


def _verify(written: Path, expected: Doc, path: Path) -> None:
    """The written file must be a valid catalog holding exactly the expected document."""
    text, reason = validate.read_text(str(written))
    if text is None:
        problems = [reason or str(written)]
    else:
        problems = validate.parse(text, str(path)).problems
    if text is not None and not problems and _load(text) != expected:
        problems = [f"{path}: the edited text does not hold what was meant"]
    if problems:
        raise CatalogError([*problems, f"{path}: not changed (a bug in asyncsnip: report it)"])
