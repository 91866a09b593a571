"""Signatures of the APIs a snippet teaches, found without running code a catalog chooses.

A catalog names modules in `api`, and importing a module runs it (`antigravity` opens a web
browser). So only modules asyncsnip itself chose are imported: asyncio and the standard
modules around it (`TRUSTED`), and only when the standard library is where they are found.
Every other name is looked up in its Python source, which is found without importing
anything (not even parent packages, which `importlib.util.find_spec` would import) and read
with `ast`; a name whose source cannot be found is shown without a signature.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import os
import stat
import sys
import sysconfig
from importlib.machinery import PathFinder
from typing import Any

TRUSTED = frozenset(
    {
        "asyncio", "builtins", "collections", "collections.abc", "concurrent.futures",
        "contextlib", "contextvars", "dataclasses", "enum", "functools", "gc", "heapq", "inspect",
        "io", "itertools", "json", "logging", "math", "os", "queue", "random", "selectors",
        "signal", "socket", "sqlite3", "ssl", "statistics", "subprocess", "sys", "threading",
        "time", "traceback", "types", "typing", "unittest", "unittest.mock", "warnings",
        "weakref",
    }
)  # fmt: skip
MAX_SOURCE_BYTES = 4 << 20
MAX_HOPS = 6  # re-exports followed (`from ._client import AsyncClient`)


def signature(dotted: str) -> str:
    """`asyncio.gather(*coros_or_futures, return_exceptions=False)`, `name (class)`, a note
    when no signature can be found without running code, or why a trusted one is missing."""
    module = _trusted_prefix(dotted)
    if module is not None:
        return _live(dotted, module)
    found = _from_source(dotted.split("."))
    return f"{dotted}{found}" if found else f"{dotted} (no signature without running its code)"


# Trusted modules: imported, and asked.


def _trusted_prefix(dotted: str) -> str | None:
    """The longest trusted module `dotted` starts with, if the standard library holds it."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        name = ".".join(parts[:cut])
        if name in TRUSTED:
            return name if _in_stdlib(parts[0]) else None
    return None


def _in_stdlib(top: str) -> bool:
    """Is the top-level module `top` the standard library's own (not a same-named file
    earlier on sys.path)? A top-level lookup imports nothing."""
    if top in sys.builtin_module_names or top in sys.modules:
        return True
    spec = PathFinder.find_spec(top)
    origin = spec.origin if spec is not None else None
    if not origin:
        return False
    folders = {sysconfig.get_paths()[key] for key in ("stdlib", "platstdlib")}
    path = os.path.realpath(origin)
    return any(path.startswith(os.path.realpath(folder) + os.sep) for folder in folders)


def _live(dotted: str, module: str) -> str:
    try:
        obj: Any = importlib.import_module(module)
        for name in dotted.split(".")[len(module.split(".")) :]:
            obj = getattr(obj, name)
    except (ImportError, AttributeError):
        return f"{dotted}: not available in this Python"
    try:
        return f"{dotted}{inspect.signature(obj)}"
    except (TypeError, ValueError):
        kind = "class" if inspect.isclass(obj) else type(obj).__name__
        return f"{dotted} ({kind})"


# Every other name: read from its source.


def _from_source(parts: list[str], hops: int = 0) -> str | None:
    """The signature text after the name ("(a, b=1)", " (class)"), or None."""
    found = _locate(parts)
    if found is None:
        return None
    module, path, rest = found
    tree = _parse(path)
    if tree is None:
        return None
    if not rest:
        return " (module)"
    return _in_module(tree, module, path, rest, hops)


def _locate(parts: list[str]) -> tuple[str, str, list[str]] | None:
    """(module, its source file, the names inside it) for the longest module prefix of
    `parts` with Python source, found by walking packages from the top: no import."""
    found = None
    search: list[str] | None = None
    for cut in range(1, len(parts) + 1):
        name = ".".join(parts[:cut])
        try:
            spec = PathFinder.find_spec(name, search)
        except (ImportError, ValueError, OSError):
            spec = None
        if spec is None:
            break
        if spec.origin and spec.has_location:
            found = (name, spec.origin, parts[cut:])
        locations = spec.submodule_search_locations
        if locations is None:
            break
        search = list(locations)
    if found is None or not found[1].endswith(".py"):
        return None
    return found


def _parse(path: str) -> ast.Module | None:
    text = _read_source(path)
    if text is None:
        return None
    try:
        return ast.parse(text, path)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


def _read_source(path: str) -> str | None:
    """A regular file's text (a FIFO or device named like a module is never waited on)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError:
        return None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_SOURCE_BYTES:
            return None
        with os.fdopen(os.dup(fd), "rb") as source:
            return source.read(MAX_SOURCE_BYTES).decode("utf-8", "replace")
    except OSError:
        return None
    finally:
        os.close(fd)


def _in_module(tree: ast.Module, module: str, path: str, rest: list[str], hops: int) -> str | None:
    name, inner = rest[0], rest[1:]
    for node in _statements(tree.body):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            if node.name == name and not _is_overload(node):
                return _describe(node, inner)
        elif isinstance(node, ast.ImportFrom) and hops < MAX_HOPS:
            target = _imported(node, name, module, path)
            found = _from_source([*target, *inner], hops + 1) if target else None
            if found is not None:  # else a `*` import that holds no such name: go on
                return found
    return None


def _statements(body: list[ast.stmt]) -> list[ast.stmt]:
    """Top-level statements, with those inside `if` and `try` blocks (version guards)."""
    found: list[ast.stmt] = []
    for node in body:
        if isinstance(node, ast.If | ast.Try):
            found += _statements(node.body) + _statements(node.orelse)
        else:
            found.append(node)
    return found


def _imported(node: ast.ImportFrom, name: str, module: str, path: str) -> list[str] | None:
    """Where `from X import ...` takes `name` from, as dotted parts; None if not here."""
    alias = next((a for a in node.names if (a.asname or a.name) == name or a.name == "*"), None)
    if alias is None:
        return None
    base = (node.module or "").split(".") if node.module else []
    if node.level:
        package = module.split(".")
        if not path.endswith("__init__.py"):
            package = package[:-1]
        package = package[: len(package) - (node.level - 1)] if node.level > 1 else package
        base = [*package, *base]
    if not base:
        return None
    return [*base, name if alias.name == "*" else alias.name]


def _is_overload(node: ast.AST) -> bool:
    decorators = getattr(node, "decorator_list", [])
    return any(ast.unparse(d).split(".")[-1] == "overload" for d in decorators)


def _describe(node: ast.stmt, inner: list[str]) -> str | None:
    if isinstance(node, ast.ClassDef):
        if inner:
            method = next(
                (n for n in _statements(node.body) if _named(n, inner[0]) and not inner[1:]),
                None,
            )
            return _function(method, in_class=True) if method is not None else None
        init = next((n for n in node.body if _named(n, "__init__")), None)
        return _function(init, in_class=True) if init is not None else " (class)"
    return None if inner else _function(node, in_class=False)


def _named(node: ast.stmt, name: str) -> bool:
    functions = ast.FunctionDef | ast.AsyncFunctionDef
    return isinstance(node, functions) and node.name == name and not _is_overload(node)


def _function(node: ast.stmt, in_class: bool) -> str:
    assert isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    decorators = {ast.unparse(d).split(".")[-1] for d in node.decorator_list}
    if "property" in decorators:
        return " (property)"
    arguments = node.args
    if in_class and "staticmethod" not in decorators:
        arguments = _without_first(arguments)
    return f"({ast.unparse(arguments)})"


def _without_first(arguments: ast.arguments) -> ast.arguments:
    """The arguments without the first positional one (`self` or `cls`)."""
    fields = {name: getattr(arguments, name) for name in arguments._fields}
    key = "posonlyargs" if arguments.posonlyargs else "args"
    if not fields[key]:
        return arguments
    fields[key] = fields[key][1:]
    left = len(fields["posonlyargs"]) + len(fields["args"])
    fields["defaults"] = arguments.defaults[max(0, len(arguments.defaults) - left) :]
    return ast.arguments(**fields)
