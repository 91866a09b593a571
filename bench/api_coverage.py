"""How much of the asyncio API the built-in catalog's code really uses, on this Python.

Usage: PYTHON bench/api_coverage.py [--catalog PATH] [--json]   (run it with each interpreter)

A name counts as used when a snippet that runs on this Python (its `python` minimum is not
newer) loads it in its code: `asyncio.NAME` (or an alias of the module), or a name imported
with `from asyncio import NAME`, called, raised, caught, subclassed or passed. Strings,
comments and annotations do not count: the code is read as a syntax tree. The names are
this Python's public `asyncio.__all__` less the 20 that few people look up (the child
watchers, the loop policies and six base or helper classes); on 3.13 that is 72.

The methods people look up are matched by attribute name on any receiver (`.call_soon(`),
so `close` of a server and `close` of a writer look the same: a lower bound on precision,
checked by reading the snippets. Stdlib only, so any Python >= 3.11 runs it.
"""

from __future__ import annotations

import argparse
import ast
import asyncio
import json
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path

CATALOG = Path(__file__).resolve().parent.parent / "src" / "asyncsnip" / "data" / "snippets.toml"
RARE = frozenset(
    [
        "AbstractChildWatcher",
        "SafeChildWatcher",
        "FastChildWatcher",
        "ThreadedChildWatcher",
        "MultiLoopChildWatcher",
        "PidfdChildWatcher",
        "get_child_watcher",
        "set_child_watcher",
        "AbstractEventLoopPolicy",
        "DefaultEventLoopPolicy",
        "get_event_loop_policy",
        "set_event_loop_policy",
        "BaseEventLoop",
        "AbstractServer",
        "SelectorEventLoop",
        "StreamReaderProtocol",
        "BaseTransport",
        "ReadTransport",
        "WriteTransport",
        "SendfileNotAvailableError",
    ]
)
# The methods the issue lists, as (what a reader looks for, attribute, keyword or "", minimum).
METHODS = [
    *(
        (f"loop.{name}", name, "", (3, 11))
        for name in [
            "call_soon",
            "call_later",
            "call_at",
            "add_signal_handler",
            "run_in_executor",
            "create_server",
            "create_connection",
            "create_datagram_endpoint",
            "add_reader",
            "set_exception_handler",
            "shutdown_asyncgens",
            "shutdown_default_executor",
        ]
    ),
    *((f"Task.{name}", name, "", (3, 11)) for name in ("cancelling", "uncancel")),
    ("Task.cancel(msg=...)", "cancel", "msg", (3, 11)),
    *((f"Task.{name}", name, "", (3, 11)) for name in ("get_stack", "get_coro")),
    *((f"StreamReader.{n}", n, "", (3, 11)) for n in ("readexactly", "readuntil", "at_eof")),
    *((f"StreamWriter.{n}", n, "", (3, 11)) for n in ("get_extra_info", "write_eof", "start_tls")),
    *((f"Server.{n}", n, "", (3, 11)) for n in ("serve_forever", "close", "wait_closed")),
    *((f"Server.{n}", n, "", (3, 13)) for n in ("close_clients", "abort_clients")),
]


def public_names() -> list[str]:
    """This Python's asyncio.__all__, public names only, less the rare ones."""
    return sorted(n for n in asyncio.__all__ if not n.startswith("_") and n not in RARE)


class Uses(ast.NodeVisitor):
    """The asyncio names and the attributes (with their keywords) a module's code uses,
    outside annotations."""

    def __init__(self) -> None:
        self.modules: set[str] = set()  # local names bound to the asyncio module
        self.imported: dict[str, str] = {}  # local name -> asyncio name
        self.names: set[str] = set()
        self.attributes: set[tuple[str, str]] = set()  # (attribute, keyword or "")
        self.identifiers: set[str] = set()  # every name and attribute loaded

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            if alias.name == "asyncio":
                self.modules.add(alias.asname or "asyncio")

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if node.module == "asyncio":
            for alias in node.names:
                self.imported[alias.asname or alias.name] = alias.name

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        for item in (*node.decorator_list, *node.args.defaults, *node.args.kw_defaults):
            if item is not None:
                self.visit(item)
        for statement in node.body:
            self.visit(statement)  # the annotations of the arguments and return are skipped

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        self.visit(node.target)
        if node.value is not None:
            self.visit(node.value)

    def visit_Call(self, node: ast.Call) -> None:
        if isinstance(node.func, ast.Attribute):
            for keyword in node.keywords:
                if keyword.arg:
                    self.attributes.add((node.func.attr, keyword.arg))
        self.generic_visit(node)

    def visit_Attribute(self, node: ast.Attribute) -> None:
        self.attributes.add((node.attr, ""))
        self.identifiers.add(node.attr)
        if isinstance(node.value, ast.Name) and node.value.id in self.modules:
            self.names.add(node.attr)
        self.generic_visit(node)

    def visit_Name(self, node: ast.Name) -> None:
        if isinstance(node.ctx, ast.Load):
            self.identifiers.add(node.id)
        if node.id in self.imported and isinstance(node.ctx, ast.Load):
            self.names.add(self.imported[node.id])


def uses(code: str) -> Uses:
    found = Uses()
    tree = ast.parse(code)
    for node in ast.walk(tree):  # imports first, wherever they are, then the uses
        if isinstance(node, ast.Import | ast.ImportFrom):
            found.visit(node)
    found.visit(tree)
    return found


def runnable(snippets: list[dict[str, object]]) -> Iterator[dict[str, object]]:
    """The snippets this Python runs (its `python` minimum is not newer)."""
    for snippet in snippets:
        minimum = tuple(int(p) for p in str(snippet.get("python", "3.11")).split("."))
        if minimum <= sys.version_info[:2]:
            yield snippet


def report(catalog: Path) -> dict[str, object]:
    snippets = tomllib.loads(catalog.read_text(encoding="utf-8"))["snippets"]
    names: set[str] = set()
    attributes: set[tuple[str, str]] = set()
    here = list(runnable(snippets))
    for snippet in here:
        found = uses(str(snippet["code"]))
        names |= found.names
        attributes |= found.attributes
    wanted = public_names()
    methods = [m for m in METHODS if m[3] <= sys.version_info[:2]]
    return {
        "python": ".".join(map(str, sys.version_info[:3])),
        "snippets": len(snippets),
        "runnable": len(here),
        "names": len(wanted),
        "names_used": len([n for n in wanted if n in names]),
        "names_uncovered": [n for n in wanted if n not in names],
        "methods": len(methods),
        "methods_used": len([m for m in methods if (m[1], m[2]) in attributes]),
        "methods_uncovered": [m[0] for m in methods if (m[1], m[2]) not in attributes],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--catalog", type=Path, default=CATALOG)
    parser.add_argument("--json", action="store_true", help="one JSON object instead of text")
    args = parser.parse_args()
    result = report(args.catalog)
    if args.json:
        print(json.dumps(result))
        return
    share = 100 * result["names_used"] / result["names"]  # type: ignore[operator]
    print(
        f"Python {result['python']}: {result['runnable']} of {result['snippets']} snippets run"
        f" here; asyncio names used {result['names_used']} of {result['names']}"
        f" ({share:.0f}%); methods people look up {result['methods_used']}"
        f" of {result['methods']}"
    )
    print("  names uncovered:", " ".join(result["names_uncovered"]) or "none")  # type: ignore[arg-type]
    print("  methods uncovered:", " ".join(result["methods_uncovered"]) or "none")  # type: ignore[arg-type]


if __name__ == "__main__":
    main()
