"""A doctest `>>>` session as a program that prints what the session shows. Stdlib only.

Each example's source is kept as it is; an expression statement is shown the way the
interactive interpreter shows it (`sys.displayhook`), and an example whose expected output is
a traceback prints the traceback's header and its exception line, which is all doctest
compares. A session that awaits at top level (written in `python -m asyncio` or IPython)
runs inside one coroutine, as that REPL runs it.
"""

from __future__ import annotations

import ast
import re
from typing import NamedTuple

from asyncsnip.catalog.sheetcode import parses, top_level_await

PROMPT = re.compile(r"^(\s*)>>>(?: |$)")
_TRACEBACK = re.compile(r"^Traceback \((?:most recent call last|innermost last)\):\s*$")


class Example(NamedTuple):
    source: list[str]
    want: list[str]
    line: int  # of its first source line, in the sheet


class Program(NamedTuple):
    code: str
    output: str
    lines: list[int]  # the sheet line of each code line (0 for lines added here)


def examples(lines: list[str], first_line: int) -> list[Example]:
    """The examples of a session: source after `>>> ` and `... `, then the expected lines."""
    found: list[Example] = []
    indent = ""
    for offset, line in enumerate(lines):
        prompt = PROMPT.match(line)
        if prompt:
            indent = prompt[1]
            found.append(Example([line[len(indent) + 4 :]], [], first_line + offset))
        elif not found:
            continue
        elif line.startswith(indent + "...") and not found[-1].want:
            found[-1].source.append(line[len(indent) + 4 :])
        elif line.strip():
            found[-1].want.append(line[len(indent) :] if line.startswith(indent) else line)
        elif found[-1].want or found[-1].source:
            found[-1].want.append("")  # a blank line ends the example's output
    return found


def program(items: list[Example]) -> Program:
    """The session as one program, and what it prints if the session is right."""
    code: list[tuple[str, int]] = []
    output: list[str] = []
    for example in items:
        want = _trim(example.want)
        raises = bool(want) and _TRACEBACK.match(want[0]) is not None
        code += _statement(example, raises)
        output += _expected(want, raises)
    body = "\n".join(text for text, _ in code)
    if not _compiles(body) and top_level_await(body):
        code = _in_coroutine(code)
    needs_sys = any("sys.displayhook(" in text for text, _ in code)
    needs_traceback = any("traceback." in text for text, _ in code)
    header = [("import sys", 0)] * needs_sys + [("import traceback", 0)] * needs_traceback
    code = header + ([("", 0)] if header else []) + code
    text = "\n".join(line for line, _ in code) + "\n"
    return Program(text, "\n".join(output) + "\n" if output else "", [n for _, n in code])


def _trim(want: list[str]) -> list[str]:
    lines = ["" if line.strip() == "<BLANKLINE>" else line for line in want]
    while lines and not lines[-1].strip():
        lines.pop()
    return lines


def _statement(example: Example, raises: bool) -> list[tuple[str, int]]:
    """The example's source; a lone expression shown as the REPL shows it."""
    source = list(example.source)
    numbers = [example.line + i for i in range(len(source))]
    tree = parses("\n".join(source))
    if tree is not None and len(tree.body) == 1 and isinstance(tree.body[0], ast.Expr):
        value = tree.body[0].value
        printing = isinstance(value, ast.Call) and getattr(value.func, "id", "") == "print"
        if not printing:
            source = [f"sys.displayhook({source[0]}", *source[1:]]
            source[-1] += ")"
    if not raises:
        return list(zip(source, numbers, strict=True))
    body = [(f"    {text}", n) for text, n in zip(source, numbers, strict=True)]
    return [
        ("try:", example.line), *body, ("except Exception as exc:", 0),
        ('    print("Traceback (most recent call last):")', 0),
        ('    print(*traceback.format_exception_only(exc), sep="", end="")', 0),
    ]  # fmt: skip


def _expected(want: list[str], raises: bool) -> list[str]:
    """What the program prints: the lines as shown; for a traceback, its header and the
    exception (from the first line that is not indented), as doctest compares them."""
    if not raises:
        return want
    rest = want[1:]
    start = next((i for i, line in enumerate(rest) if line[:1].strip()), len(rest))
    return [want[0], *rest[start:]]


def _compiles(body: str) -> bool:
    try:
        compile(body, "<session>", "exec", dont_inherit=True)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return True


def _in_coroutine(code: list[tuple[str, int]]) -> list[tuple[str, int]]:
    """A session of the asyncio REPL: its statements as the body of one coroutine."""
    body = [(f"    {text}" if text else "", n) for text, n in code]
    return [
        ("import asyncio", 0), ("", 0), ("", 0), ("async def session():", 0), *body,
        ("", 0), ("", 0), ("asyncio.run(session())", 0),
    ]  # fmt: skip
