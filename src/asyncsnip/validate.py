"""Parse one catalog file and check it against the format, collecting every problem."""

from __future__ import annotations

import re
import sys
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
VERSION = re.compile(r"^[0-9]+\.[0-9]+$")
MODULE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")

# field -> (accepted types, type name for messages, required)
SNIPPET_FIELDS: dict[str, tuple[tuple[type, ...], str, bool]] = {
    "id": ((str,), "a string", True),
    "title": ((str,), "a string", True),
    "section": ((str,), "a string", False),
    "summary": ((str,), "a string", False),
    "tags": ((list,), "a list of strings", True),
    "python": ((str,), 'a string like "3.11"', False),
    "code": ((str,), "a string", True),
    "output": ((str,), "a string", False),
    "ordered": ((bool,), "true or false", False),
    "notes": ((str,), "a string", False),
    "timeout": ((int, float), "a number of seconds", False),
    "requires": ((list,), "a list of module names", False),
    "api": ((list,), "a list of dotted names", False),
    "see_also": ((list,), "a list of snippet ids", False),
}
SECTION_FIELDS: dict[str, tuple[tuple[type, ...], str, bool]] = {
    "id": ((str,), "a string", True),
    "title": ((str,), "a string", True),
    "summary": ((str,), "a string", False),
}
TOP_KEYS = {"version", "sections", "snippets"}
FORMAT_VERSION = 1


@dataclass
class ParsedFile:
    """The raw tables of one valid file, with the lines they start on."""

    sections: list[dict[str, Any]] = field(default_factory=list)
    snippets: list[dict[str, Any]] = field(default_factory=list)
    snippet_lines: list[dict[str, int]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def read_text(path: Path) -> tuple[str | None, str | None]:
    """The file's text, or None and a one-line reason."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None, f"{path}: no such file"
    except IsADirectoryError:
        return None, f"{path}: is a directory, not a catalog file"
    except PermissionError:
        return None, f"{path}: cannot be read (permission denied)"
    except OSError as exc:
        return None, f"{path}: cannot be read ({exc.strerror or exc})"
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return None, f"{path}:{line}: not UTF-8 text (byte 0x{data[exc.start]:02x})"


def parse(text: str, path: Path) -> ParsedFile:
    """Decode and validate one catalog document; `problems` lists everything wrong."""
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
    lines = _locate(text)
    for key in sorted(doc.keys() - TOP_KEYS):
        result.problems.append(f"{path}: unknown top-level key '{key}'")
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
    fields: dict[str, tuple[tuple[type, ...], str, bool]],
    where: dict[str, int],
    path: Path,
    seen: set[str],
) -> list[str]:
    ident = table.get("id")
    label = f"{kind[:-1]} '{ident}'" if isinstance(ident, str) else f"{kind[:-1]} without an id"

    def problem(name: str, message: str) -> str:
        line = where.get(name, where.get("", 0))
        location = f"{path}:{line}" if line else str(path)
        return f"{location}: {label}, field '{name}': {message}"

    problems = [problem(key, "unknown field") for key in table if key not in fields]
    for name, (types, type_name, required) in fields.items():
        if name not in table:
            if required:
                problems.append(problem(name, "missing"))
            continue
        value = table[name]
        if not isinstance(value, types) or (isinstance(value, bool) and bool not in types):
            problems.append(problem(name, f"must be {type_name}"))
            continue
        message = _check_value(name, value, table)
        if message:
            problems.append(problem(name, message))
    if isinstance(ident, str):
        if ident in seen:
            problems.append(problem("id", f"duplicate id '{ident}' in this file"))
        seen.add(ident)
    return problems


def check_snippet(table: dict[str, Any]) -> list[str]:
    """Every problem of one snippet table on its own, as "snippet 'ID', field 'F': ..."."""
    problems = _check_table("snippets", table, SNIPPET_FIELDS, {}, Path("-"), set())
    return [problem.removeprefix("-: ") for problem in problems]


def _check_value(name: str, value: Any, table: dict[str, Any]) -> str | None:
    if name in ("id", "section") and not SLUG.match(value):
        return f"'{value}' is not a slug (lowercase letters, digits and single hyphens)"
    if name == "title" and not value.strip():
        return "must not be empty"
    if name == "code":
        return _compile_problem(value, table.get("id", "snippet"), table.get("python"))
    if name == "python" and not VERSION.match(value):
        return f"'{value}' is not a version like \"3.11\""
    if name == "timeout" and not value > 0:
        return "must be a positive number of seconds"
    if isinstance(value, list):
        return _check_list(name, value)
    return None


def _check_list(name: str, value: list[Any]) -> str | None:
    if not all(isinstance(item, str) for item in value):
        return "must be a list of strings"
    if name == "tags" and not value:
        return "needs at least one tag"
    pattern = SLUG if name in ("tags", "see_also") else MODULE
    bad = [item for item in value if not pattern.match(item)]
    if bad:
        kind = "slug" if pattern is SLUG else "dotted name"
        return f"'{bad[0]}' is not a {kind}"
    if len(set(value)) != len(value):
        return "lists an item twice"
    return None


def _compile_problem(code: str, ident: str, python: Any) -> str | None:
    """Why `code` does not compile, or None; code for a newer Python is not judged here."""
    if isinstance(python, str) and VERSION.match(python):
        major, minor = (int(part) for part in python.split("."))
        if (major, minor) > sys.version_info[:2]:
            return None
    if not code.strip():
        return "is empty"
    try:
        compile(code, f"<{ident}>", "exec", dont_inherit=True)
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
            parts.append(f"{header[1][:-1]} '{ident}'")
    key = _KEY.match(lines[-1]) if lines else None
    if key:
        parts.append(f"field '{key[1].strip(QUOTES)}'")
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
