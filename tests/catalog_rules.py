"""Rules a built-in snippet must follow, read from its code's syntax tree: every `api` name
is used by the code, every tag is justified, no blocking call hides in a coroutine, and every
cancelled task is awaited. Each rule returns the problems it finds, so a test can show that
the rule really fails on the mistakes it is meant to catch.
"""

from __future__ import annotations

import ast
import importlib.util
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType

from asyncsnip.catalog.schema import Snippet

REPO = Path(__file__).resolve().parent.parent


def _coverage_module() -> ModuleType:
    """bench/api_coverage.py, whose syntax-tree reader the rules share."""
    spec = importlib.util.spec_from_file_location("api_coverage", REPO / "bench/api_coverage.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


coverage = _coverage_module()


def used_names(code: str) -> set[str]:
    """The names and attributes the code loads, outside annotations, strings and comments."""
    found: set[str] = coverage.uses(code).identifiers
    return found


def unused_api(snippet: Snippet) -> list[str]:
    """The `api` entries whose last part (`gather`, `task_done`, `Queue`) the code never uses."""
    names = used_names(snippet.code)
    return [api for api in snippet.api if api.rsplit(".", 1)[-1] not in names]


# ---------------------------------------------------------------- tags

_PART = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+")


def words(text: str) -> list[str]:
    """Lower-case words, identifiers split at `_`, `-`, `.` and case changes, plurals made
    singular: "TaskGroups" and "task_group" both give ["task", "group"]."""
    return [_singular(part.lower()) for part in _PART.findall(text)]


def _singular(word: str) -> str:
    if word.endswith(("sses", "ches", "shes", "xes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith("ss") and len(word) > 3:
        return word[:-1]
    return word


def mentions(text_words: list[str], tag: str) -> bool:
    """Do some consecutive words of the text spell the tag (parts joined or not)?"""
    target = "".join(words(tag))
    for start in range(len(text_words)):
        joined = ""
        for word in text_words[start : start + 6]:
            joined += word
            if joined == target:
                return True
            if len(joined) >= len(target):
                break
    return False


def identifiers(code: str) -> str:
    """Every identifier in the code (names, attributes, definitions, arguments, imports)."""
    found: list[str] = []
    for node in ast.walk(ast.parse(code)):
        if isinstance(node, ast.Name):
            found.append(node.id)
        elif isinstance(node, ast.Attribute):
            found.append(node.attr)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            found.append(node.name)
        elif isinstance(node, ast.arg) or (isinstance(node, ast.keyword) and node.arg):
            found.append(node.arg)
        elif isinstance(node, ast.alias):
            found.append(node.asname or node.name)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.append(node.module)
    return " ".join(found)


Evidence = Callable[[set[str], str], bool]  # (names the code uses, the code) -> justified?

# Tags that name a concept rather than an API, and what in the code shows it. These are
# checked on every snippet carrying the tag, whether or not its text also uses the word.
CONCEPTS: dict[str, tuple[str, Evidence]] = {
    "rate-limit": (
        "paces calls in time: reads a clock and sleeps",
        lambda names, code: "sleep" in names and bool({"time", "monotonic"} & names),
    ),
    "backpressure": (
        "a bounded buffer or flow control: maxsize, drain() or pause_writing()",
        lambda names, code: "drain" in names or "maxsize" in code or "def pause_writing" in code,
    ),
    "concurrency-limit": (
        "caps how many run at once: a Semaphore or a connection limit",
        lambda names, code: bool({"Semaphore", "BoundedSemaphore", "TCPConnector"} & names),
    ),
    "structured-concurrency": (
        "tasks owned by a TaskGroup",
        lambda names, code: "TaskGroup" in names,
    ),
    "fan-out": (
        "many concurrent calls joined: gather, a TaskGroup or as_completed",
        lambda names, code: bool({"gather", "TaskGroup", "as_completed"} & names),
    ),
    "error-handling": (
        "catches an exception",
        lambda names, code: any(
            isinstance(n, ast.ExceptHandler) for n in ast.walk(ast.parse(code))
        ),
    ),
    "cleanup": (
        "cleans up: a finally block, __aexit__, aclose() or a close call",
        lambda names, code: (
            "finally:" in code
            or "def __aexit__" in code
            or bool({"aclose", "aclosing", "close", "wait_closed"} & names)
        ),
    ),
}


def api_tags() -> dict[str, str]:
    """Tags that name an asyncio API, normalised ("create-task" for create_task), with the
    name the code must then use. Only names of two or more words, and a few unambiguous
    ones: a tag like "event" or "timeout" is a concept as much as a class or function."""
    import asyncio

    names = {n for n in asyncio.__all__ if not n.startswith("_")} | {"TaskGroup"}
    names |= {n for n in dir(asyncio.AbstractEventLoop) if not n.startswith("_")}
    names |= {n for n in dir(asyncio.Task) if not n.startswith("_")}
    table = {"".join(words(n)): n for n in names if len(words(n)) >= 2}
    table |= {n: n for n in ("gather", "shield")}
    return table


def tag_problems(snippet: Snippet) -> list[str]:
    """Why each of the snippet's tags is not justified (empty when all are)."""
    text = " ".join((snippet.id, snippet.title, snippet.summary, snippet.notes))
    text_words = words(text) + words(identifiers(snippet.code))
    names = used_names(snippet.code)
    apis = api_tags()
    problems = []
    for tag in snippet.tags:
        key = "".join(words(tag))
        if tag in CONCEPTS:
            meaning, evidence = CONCEPTS[tag]
            if not evidence(names, snippet.code):
                problems.append(f"{tag}: the code does not show it ({meaning})")
        elif key in apis and apis[key] not in names:
            problems.append(f"{tag}: names {apis[key]}, which the code never uses")
        elif not mentions(text_words, tag):
            problems.append(f"{tag}: not in the id, title, summary, notes or code")
    return problems


# ---------------------------------------------------------------- blocking and cancelling

BLOCKING = {"sleep": "time", "write_bytes": "", "write_text": "", "read_bytes": "", "read_text": ""}


def blocking_calls(snippet: Snippet) -> list[str]:
    """Blocking calls made directly in a coroutine: time.sleep(), pathlib file I/O, open(),
    and `.result()` of a concurrent future fresh from `.submit()`."""
    tree = ast.parse(snippet.code)
    found = [
        f"line {node.lineno}: {ast.unparse(node)}"  # waits for a thread, wherever it is
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "result"
        and isinstance(node.func.value, ast.Call)
        and isinstance(node.func.value.func, ast.Attribute)
        and node.func.value.func.attr == "submit"
    ]
    for coroutine in _nodes(tree, ast.AsyncFunctionDef):
        for node in _own_nodes(coroutine):
            if isinstance(node, ast.Call) and _blocks(node.func):
                found.append(f"line {node.lineno}: {ast.unparse(node)}")
    return found


def _blocks(func: ast.expr) -> bool:
    if isinstance(func, ast.Name):
        return func.id == "open"
    if isinstance(func, ast.Attribute):
        owner = func.value.id if isinstance(func.value, ast.Name) else ""
        return func.attr in BLOCKING and BLOCKING[func.attr] in ("", owner)
    return False


def unawaited_cancels(snippet: Snippet) -> list[str]:
    """`x.cancel()` calls on tasks whose function does not await them next: the first await
    after the call must name the task, or the collection a loop took it from (as in
    `await asyncio.gather(*pending, return_exceptions=True)`)."""
    found = []
    for function in _nodes(ast.parse(snippet.code), ast.AsyncFunctionDef):
        handles = _handle_names(function)
        in_groups = _inside_task_groups(function)
        awaits = sorted(
            (node.lineno, {n.id for n in ast.walk(node) if isinstance(n, ast.Name)})
            for node in _own_nodes(function)
            if isinstance(node, ast.Await)
        )
        for call, target, source in _cancel_calls(function):
            if target in handles or id(call) in in_groups:
                continue  # a handle is no task; a TaskGroup awaits its tasks on exit
            after = [names for line, names in awaits if line > call.lineno]
            if not after or not {target, source} & after[0]:
                found.append(f"line {call.lineno}: {ast.unparse(call)} is not awaited next")
    return found


def _cancel_calls(function: ast.AST) -> Iterator[tuple[ast.Call, str, str]]:
    """(call, the cancelled name, the collection a for loop took it from, or "")."""
    sources: dict[int, str] = {}
    for loop in _own_nodes(function):
        if isinstance(loop, ast.For) and isinstance(loop.target, ast.Name):
            source = ast.unparse(loop.iter)
            for node in ast.walk(loop):
                sources.setdefault(id(node), source if _is_cancel(node, loop.target.id) else "")
    for node in _own_nodes(function):
        if _is_cancel(node):
            assert isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            assert isinstance(node.func.value, ast.Name)
            source = sources.get(id(node), "")
            yield node, node.func.value.id, source


def _is_cancel(node: ast.AST, name: str | None = None) -> bool:
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "cancel"
        and isinstance(node.func.value, ast.Name)
        and name in (None, node.func.value.id)
    )


def _inside_task_groups(function: ast.AST) -> set[int]:
    """The ids of the nodes inside `async with asyncio.TaskGroup() ...:` blocks."""
    inside: set[int] = set()
    for node in _own_nodes(function):
        if isinstance(node, ast.AsyncWith) and any(
            isinstance(item.context_expr, ast.Call)
            and ast.unparse(item.context_expr.func).endswith("TaskGroup")
            for item in node.items
        ):
            inside |= {id(inner) for inner in ast.walk(node)}
    return inside


def _handle_names(function: ast.AST) -> set[str]:
    """Names bound to a callback handle (call_soon, call_later, call_at): not tasks."""
    names = set()
    for node in _own_nodes(function):
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
            func = node.value.func
            if isinstance(func, ast.Attribute) and func.attr in (
                "call_soon",
                "call_later",
                "call_at",
            ):
                names |= {t.id for t in node.targets if isinstance(t, ast.Name)}
    return names


def _nodes(tree: ast.AST, kind: type) -> Iterator[ast.AST]:
    return (node for node in ast.walk(tree) if isinstance(node, kind))


def _own_nodes(function: ast.AST) -> Iterator[ast.AST]:
    """The nodes of a function's body, not those of functions defined inside it."""
    stack = list(ast.iter_child_nodes(function))
    while stack:
        node = stack.pop()
        yield node
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            stack.extend(ast.iter_child_nodes(node))
