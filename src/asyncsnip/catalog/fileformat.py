"""Parse one catalog file and check it against the format, collecting every problem."""

from __future__ import annotations

import os
import re
import stat
import sys
from dataclasses import dataclass, field
from typing import Any

from asyncsnip.catalog.rules import (
    MAX_SECONDS,
    MODULE,
    RAW_FIELDS,
    SLUG,
    TOP_KEYS,
    VERSION,
    gist_problem,
    shown,
)
from asyncsnip.catalog.schema import FORMAT_VERSION, KINDS, SECTION_FIELDS, SNIPPET_FIELDS, Field
from asyncsnip.safe import first_unsafe

MAX_BYTES = 16 << 20  # a catalog larger than this is not read (the built-in one is ~150 KB)


@dataclass
class ParsedFile:
    """The raw tables of one valid file, with the lines they start on."""

    sections: list[dict[str, Any]] = field(default_factory=list)
    snippets: list[dict[str, Any]] = field(default_factory=list)
    snippet_lines: list[dict[str, int]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def read_text(path: str) -> tuple[str | None, str | None]:
    """The file's text, or None and a one-line reason. Only a regular file of at most
    MAX_BYTES is read: a FIFO, a device or a directory is refused at once, never waited on."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        return None, f"{path}: no such file"
    except IsADirectoryError:
        return None, f"{path}: is a directory, not a catalog file"
    except PermissionError:
        return None, f"{path}: cannot be read (permission denied)"
    except OSError as exc:
        return None, f"{path}: cannot be read ({exc.strerror or exc})"
    try:
        return _read_regular(fd, path)
    except OSError as exc:
        return None, f"{path}: cannot be read ({exc.strerror or exc})"
    finally:
        os.close(fd)


def _read_regular(fd: int, path: str) -> tuple[str | None, str | None]:
    mode = os.fstat(fd).st_mode
    if stat.S_ISDIR(mode):
        return None, f"{path}: is a directory, not a catalog file"
    if not stat.S_ISREG(mode):
        return None, f"{path}: is not a regular file ({_file_kind(mode)}), not a catalog file"
    chunks, size = [], 0
    while chunk := os.read(fd, 1 << 20):
        chunks.append(chunk)
        size += len(chunk)
        if size > MAX_BYTES:
            return None, f"{path}: is larger than {MAX_BYTES >> 20} MiB, not a catalog file"
    data = b"".join(chunks)
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return None, f"{path}:{line}: not UTF-8 text (byte 0x{data[exc.start]:02x})"


def _file_kind(mode: int) -> str:
    kinds = [(stat.S_ISFIFO, "a FIFO"), (stat.S_ISCHR, "a device"), (stat.S_ISBLK, "a device")]
    kinds.append((stat.S_ISSOCK, "a socket"))
    return next((name for test, name in kinds if test(mode)), "not a file")


def parse(text: str, path: str) -> ParsedFile:
    """Decode and validate one catalog document; `problems` lists everything wrong."""
    import tomllib  # not on the cached path: tables from the cache are checked, not parsed

    result = ParsedFile()
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"\(at line (\d+), column \d+\)", str(exc))
        where = f"{path}:{match[1]}" if match else str(path)
        if match:
            where += _toml_context(text, int(match[1]))
        message = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc))
        result.problems.append(f"{where}: invalid TOML: {message}")
        return result
    except RecursionError:  # tomllib recurses once per nested array or inline table
        result.problems.append(f"{path}: invalid TOML: arrays or tables nested too deeply")
        return result
    except ValueError:  # an integer beyond Python's 4,300-digit conversion limit
        result.problems.append(f"{path}: invalid TOML: a number has more than 4300 digits")
        return result
    lines = _locate(text)
    for key in sorted(doc.keys() - TOP_KEYS):
        result.problems.append(f"{path}: unknown top-level key '{shown(key)}'")
    version = doc.get("version", FORMAT_VERSION)
    if version != FORMAT_VERSION or isinstance(version, bool):
        result.problems.append(f"{path}: field 'version': must be {FORMAT_VERSION}")
    for kind, fields, into in (
        ("sections", SECTION_FIELDS, result.sections),
        ("snippets", SNIPPET_FIELDS, result.snippets),
    ):
        tables = doc.get(kind, [])
        if not isinstance(tables, list) or not all(isinstance(t, dict) for t in tables):
            result.problems.append(f"{path}: '{kind}' must be written as [[{kind}]] tables")
            continue
        seen: set[str] = set()
        for index, table in enumerate(tables):
            located = lines[kind][index] if index < len(lines[kind]) else {}
            problems = _check_table(kind, table, fields, located, path, seen)
            result.problems.extend(problems)
            if not problems:
                into.append(table)
                if kind == "snippets":
                    result.snippet_lines.append(located)
    return result


def _check_table(
    kind: str,
    table: dict[str, Any],
    fields: tuple[Field, ...],
    where: dict[str, int],
    path: str,
    seen: set[str],
) -> list[str]:
    ident = table.get("id")
    what = kind[:-1]
    label = f"{what} '{shown(ident)}'" if isinstance(ident, str) else f"{what} without an id"

    def problem(name: str, message: str) -> str:
        line = where.get(name, where.get("", 0))
        location = f"{path}:{line}" if line else str(path)
        return f"{location}: {label}, field '{shown(name)}': {message}"

    known = {row.name for row in fields}
    problems = [problem(key, "unknown field") for key in table if key not in known]
    for row in fields:
        if row.name not in table:
            if row.required:
                problems.append(problem(row.name, "missing"))
            continue
        value = table[row.name]
        types, type_name, _ = KINDS[row.kind]
        if not isinstance(value, types) or (isinstance(value, bool) and bool not in types):
            problems.append(problem(row.name, f"must be {type_name}"))
            continue
        message = _control_problem(row.name, value) or _check_value(row.kind, value, table)
        if message:
            problems.append(problem(row.name, message))
    if isinstance(ident, str):
        if ident in seen:
            problems.append(problem("id", f"duplicate id '{ident}' in this file"))
        seen.add(ident)
    return problems


def check_snippet(table: dict[str, Any]) -> list[str]:
    """Every problem of one snippet table on its own, as "snippet 'ID', field 'F': ..."."""
    problems = _check_table("snippets", table, SNIPPET_FIELDS, {}, "-", set())
    return [problem.removeprefix("-: ") for problem in problems]


def _control_problem(name: str, value: Any) -> str | None:
    """Control characters (C0 and C1 but newline and tab) are refused outside code and
    output: a title or a tag is text to read, and must not drive the terminal showing it."""
    if name in RAW_FIELDS:
        return None
    for item in value if isinstance(value, list) else [value]:
        found = first_unsafe(item, controls_only=True) if isinstance(item, str) else None
        if found:
            return f"control character {found} (allowed only in code and output)"
    return None


def _check_value(kind: str, value: Any, table: dict[str, Any]) -> str | None:
    if kind == "slug" and not SLUG.fullmatch(value):
        return f"'{shown(value)}' is not a slug (lowercase letters, digits and single hyphens)"
    if kind == "title" and not value.strip():
        return "must not be empty"
    if kind == "code":
        return _compile_problem(value, table.get("id", "snippet"), table.get("python"))
    if kind == "gist":
        return gist_problem(value, table.get("code"))
    if kind == "version" and not VERSION.fullmatch(value):
        return f"'{shown(value)}' is not a version like \"3.11\""
    if kind == "seconds" and not 0 < value <= MAX_SECONDS:  # nan and inf fail too
        return f"must be a positive number of seconds, at most {MAX_SECONDS:g}"
    if isinstance(value, list):
        return _check_list(kind, value)
    return None


def _check_list(kind: str, value: list[Any]) -> str | None:
    if not all(isinstance(item, str) for item in value):
        return "must be a list of strings"
    if kind == "tags" and not value:
        return "needs at least one tag"
    pattern = MODULE if kind == "modules" else SLUG
    bad = [item for item in value if not pattern.fullmatch(item)]
    if bad:
        what = "slug" if pattern is SLUG else "dotted name"
        return f"'{shown(bad[0])}' is not a {what}"
    if len(set(value)) != len(value):
        return "lists an item twice"
    return None


def _compile_problem(code: str, ident: str, python: Any) -> str | None:
    """Why `code` does not compile, or None; code for a newer Python is not judged here."""
    if not code.strip():
        return "is empty"
    if isinstance(python, str) and VERSION.fullmatch(python):
        major, minor = (int(part) for part in python.split("."))
        if (major, minor) > sys.version_info[:2]:
            return None
    try:
        compile(code, f"<{shown(str(ident))}>", "exec", dont_inherit=True)
    except SyntaxError as exc:
        return f"does not compile: {exc.msg} (code line {exc.lineno})"
    except ValueError as exc:  # e.g. null bytes
        return f"does not compile: {exc}"
    except (RecursionError, MemoryError):  # the compiler's own limits on nesting
        return "does not compile: nested too deeply"
    return None


def _toml_context(text: str, number: int) -> str:
    """The snippet (or section) and the key on a line that TOML could not parse."""
    lines = text.splitlines()[:number]
    parts = []
    tops = [i for i, line in enumerate(lines[:-1]) if line.lstrip().startswith("[")]
    header = _HEADER.match(lines[tops[-1]]) if tops else None
    if header:
        ids = (_ID.match(line) for line in lines[tops[-1] + 1 :])
        ident = next((m[1] for m in ids if m), None)
        if ident is not None:
            parts.append(f"{header[1][:-1]} '{shown(ident)}'")
    key = _KEY.match(lines[-1]) if lines else None
    if key:
        parts.append(f"field '{shown(key[1].strip(QUOTES))}'")
    return ": " + ", ".join(parts) if parts else ""


QUOTES = "\"'"
_ID = re.compile(r"""^\s*id\s*=\s*["']([^"']*)["']""")
_HEADER = re.compile(r"^\s*\[\[\s*(snippets|sections)\s*\]\]")
_KEY = re.compile(r"""^\s*([A-Za-z0-9_-]+|"[^"]*"|'[^']*')\s*=\s*(.*)$""")


def _locate(text: str) -> dict[str, list[dict[str, int]]]:
    """For each [[sections]] and [[snippets]] table: its header line and its keys' lines."""
    found: dict[str, list[dict[str, int]]] = {"snippets": [], "sections": []}
    current: dict[str, int] | None = None
    open_string: str | None = None
    for number, line in enumerate(text.split("\n"), 1):
        if open_string:
            if open_string in line:
                open_string = None
            continue
        header = _HEADER.match(line)
        if header:
            current = {"": number}
            found[header[1]].append(current)
            continue
        if line.lstrip().startswith("["):
            current = None
            continue
        key = _KEY.match(line)
        if key is None:
            continue
        if current is not None:
            current.setdefault(key[1].strip("\"'"), number)
        value = key[2].strip()
        for delimiter in ("'''", '"""'):
            if value.startswith(delimiter) and value.count(delimiter) == 1:
                open_string = delimiter
    return found
