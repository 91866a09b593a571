"""A cheat sheet as catalog snippets: one per Python block, and what the sheet claims.

`read` finds the blocks (Markdown, reStructuredText, doctest sessions, the seeds' plain
text: see `sheetscan`), says of each whether it compiles, whether it is a whole program,
and what output the sheet shows for it; `table` makes a block a catalog table. Stdlib only.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any, NamedTuple

from asyncsnip.catalog import sheetcode as py
from asyncsnip.catalog.session import examples, program
from asyncsnip.catalog.sheetscan import Found, scan
from asyncsnip.safe import one_line

MAX_ID = 48
MAX_TAGS = 5
REPL = "it awaits at top level, which only an async REPL runs (python -m asyncio, IPython)"


class Block(NamedTuple):
    number: int  # 1, 2, ... in the sheet's order
    id: str  # a slug of its heading, unique in the sheet
    line: int  # the sheet line its code starts on
    title: str
    summary: str
    style: str  # how the sheet writes it: "markdown fence", "doctest", "plain text", ...
    code: str  # the program (a doctest session becomes one that prints what it shows)
    output: str | None  # what the sheet says it prints; None when it shows nothing
    output_from: str | None  # "output block", "text block", "doctest", "output comment"
    problem: str | None  # why it does not compile, naming the sheet line
    fragment: str | None  # why it is not a whole program
    requires: tuple[str, ...]  # third-party modules it imports
    apis: tuple[str, ...]  # the asyncio names it uses
    session: bool  # a doctest `>>>` session

    @property
    def compiled(self) -> bool:
        return self.problem is None


def read(text: str) -> list[Block]:
    """Every Python block of the sheet, in order, with stable ids."""
    blocks: list[Block] = []
    taken: set[str] = set()
    for number, found in enumerate(scan(text), 1):
        title = one_line(found.title) or f"Block {number}"
        blocks.append(_block(number, _unique(slug(title), taken), title, found))
    return blocks


def _block(number: int, ident: str, title: str, found: Found) -> Block:
    raw = found.raw
    output, source = _claimed(found)
    if raw.session:
        made = program(examples(raw.lines, raw.line))
        code, lines = made.code, made.lines
        if made.output:
            output, source = made.output, "doctest"
    else:
        code, first = _trimmed(raw.lines)
        lines = [raw.line + first + i for i in range(code.count("\n"))]
        if output is None:
            claims = py.comment_output(code.split("\n"))
            output, source = (_text(claims), "output comment") if claims else (None, None)
    problem, fragment = _judge(code, lines)
    tree = py.parses(code) if problem is None else None
    return Block(
        number, ident, raw.line, title, one_line(found.summary), raw.style, code,
        output, source if output is not None else None, problem, fragment,
        tuple(py.requirements(tree)) if tree else (), tuple(py.asyncio_names(tree)) if tree else (),
        raw.session,
    )  # fmt: skip


def _claimed(found: Found) -> tuple[str | None, str | None]:
    if found.output is None:
        return None, None
    text = _text(found.output)
    return (text, found.output_from) if text is not None else (None, None)


def _text(lines: list[str]) -> str | None:
    while lines and not lines[-1].strip():
        lines = lines[:-1]
    while lines and not lines[0].strip():
        lines = lines[1:]
    return "\n".join(line.rstrip() for line in lines) + "\n" if lines else None


def _trimmed(lines: list[str]) -> tuple[str, int]:
    """The code without blank lines around it, and how many were cut from the top."""
    first = next((i for i, line in enumerate(lines) if line.strip()), len(lines))
    last = max((i for i, line in enumerate(lines) if line.strip()), default=-1)
    return "\n".join(line.rstrip() for line in lines[first : last + 1]) + "\n", first


def _judge(code: str, lines: list[int]) -> tuple[str | None, str | None]:
    """(why it does not compile, why it is not a whole program)."""
    failed = py.compile_problem(code)
    if failed is not None:
        message, number = failed
        where = lines[number - 1] if 0 < number <= len(lines) and lines[number - 1] else None
        problem = f"{message} (line {where})" if where else message
        return problem, REPL if py.top_level_await(code) else None
    tree = py.parses(code)
    return None, py.fragment_reason(tree) if tree is not None else None


def slug(text: str) -> str:
    """`Run tasks with asyncio.gather()` -> `run-tasks-with-asyncio-gather`, at most MAX_ID
    characters, cut between words."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    while len(words) > MAX_ID and "-" in words:
        words = words.rsplit("-", 1)[0]
    return words[:MAX_ID].strip("-") or "block"


def _unique(ident: str, taken: set[str]) -> str:
    candidate, n = ident, 1
    while candidate in taken:
        n += 1
        candidate = f"{ident}-{n}"
    taken.add(candidate)
    return candidate


def tags(block: Block) -> list[str]:
    """`imported`, then the asyncio APIs it uses (`gather`, `create-task`), and what it is."""
    found = ["imported"]
    for name in block.apis:
        tag = slug(name.replace("_", "-"))
        if tag not in found and tag != "block" and len(found) < MAX_TAGS:
            found.append(tag)
    found += ["doctest"] * block.session
    return found + ["fragment"] * bool(block.fragment)


def table(block: Block, sheet_name: str, output: str | None) -> dict[str, Any]:
    """The block as a [[snippets]] table (only for a block that compiles)."""
    notes = f"From {one_line(sheet_name)}, line {block.line}."
    if block.fragment:
        notes += f" Not a whole program: {block.fragment}."
    fields: dict[str, Any] = {"id": block.id, "title": block.title}
    fields |= {"summary": block.summary} if block.summary else {}
    fields |= {"tags": tags(block), "code": block.code}
    fields |= {"output": output} if output is not None else {}
    fields |= {"notes": notes}
    return fields | ({"requires": list(block.requires)} if block.requires else {})
