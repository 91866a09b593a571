"""What a cheat sheet's lines are, read as Python: code or prose, a whole program or a
fragment, and the output its comments claim. Stdlib only; used by `sheet`.

Plain text has no delimiters, so a line counts as code when Python parses it (alone, as a
block header, or inside open brackets) and it is not one of the shapes prose and printed
output also parse as: a bare name (`Notes`), names joined by `and` (`Tasks and
Concurrency`), a sentence written as an annotation (`Note: this is slow`), a literal
(`[4, 9, 16]`).
"""

from __future__ import annotations

import ast
import re
import sys
from typing import NamedTuple

_OPENERS = {"(": ")", "[": "]", "{": "}"}
TRIPLES = ('"""', "'''")
_WRAPS = (
    ("", "\n    pass"),  # a block header: def f():, for x in y:
    ("if 1:\n    pass\n", "\n    pass"),  # else:, elif ...:
    ("try:\n    pass\n", "\n    pass"),  # except ...:, finally:
    ("", "\n    pass\nfinally:\n    pass"),  # try:
    ("", "\ndef f(): pass"),  # a decorator
    ("async def f():\n    ", "\n        pass"),  # async for / async with
    ("async def f():\n    ", ""),  # await, async comprehensions
)
_DATA = (ast.Name, ast.Constant, ast.List, ast.Tuple, ast.Set, ast.Dict, ast.Attribute)
STRONG = re.compile(
    r"^(import\s+\w|from\s+[\w.]+\s+import\s|async\s+def\s|def\s+\w|class\s+\w|@\w)"
)
RUNNERS = {"run", "run_until_complete", "run_forever", "Runner"}
GLUED = re.compile(r"^(.*?[)\]}\"'])\s*([A-Z][a-z]+\b.*\s.*)$")
PRINTS = re.compile(r"#\s*(?:prints?|outputs?|->|=>|→)\s*:?\s*(.*?)\s*$", re.IGNORECASE)
OUTPUT_COMMENT = re.compile(
    r"^\s*#+\s*(?:expected\s+|sample\s+)?(?:output|prints?|stdout|result)\b", re.IGNORECASE
)
_REMARK_LINE = re.compile(r"^\((?=[^()]*[a-z]{2,}\s)[^(),'\"=:\[\]{}]*\)$")
_REMARK_LEAD = re.compile(r"^\((?:after|before|then|wait|pause)\b[^()]*\)\s*", re.IGNORECASE)


class Scan(NamedTuple):
    """Where a line leaves the brackets and triple-quoted strings of the code before it."""

    depth: int = 0
    triple: str | None = None


FRESH = Scan()


def advance(scan: Scan, line: str) -> Scan:
    """The bracket depth and open triple-quoted string after `line`."""
    opened, closed, triple = _brackets(line, scan.triple)
    return Scan(max(scan.depth - closed, 0) + len(opened), triple)


def _brackets(line: str, triple: str | None = None) -> tuple[list[str], int, str | None]:
    """What `line` does to brackets, strings and comments ignored, starting inside `triple`
    (an open triple-quoted string) if given: the closers of the brackets it leaves open,
    innermost last; how many brackets it closes that it did not open; the triple-quoted
    string it leaves open, or None."""
    opened: list[str] = []
    closed, position, quote = 0, 0, ""
    while position < len(line):
        if triple:
            end = line.find(triple, position)
            if end < 0:
                break
            position, triple = end + 3, None
            continue
        char = line[position]
        if quote:
            position += 2 if char == "\\" else 1
            quote = "" if char == quote else quote
            continue
        if line.startswith(TRIPLES, position):
            triple, position = line[position : position + 3], position + 3
            continue
        if char == "#":
            break
        if char in "\"'":
            quote = char
        elif char in _OPENERS:
            opened.append(_OPENERS[char])
        elif char in "}])":
            if opened:
                opened.pop()
            else:
                closed += 1
        position += 1
    return opened, closed, triple


def parses(text: str) -> ast.Module | None:
    try:
        return ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


def _closers(line: str) -> str:
    """The brackets that close what `line` leaves open (strings and comments ignored)."""
    return "".join(reversed(_brackets(line)[0]))


def data_or_prose(tree: ast.Module) -> bool:
    """Prose or printed output that happens to parse: a name, names joined by `and`, a
    sentence as an annotation, a literal. No program has such a statement on its own."""
    if len(tree.body) != 1:
        return False
    node = tree.body[0]
    if isinstance(node, ast.Expr):
        value = node.value
        if isinstance(value, ast.BoolOp | ast.Compare):
            return all(isinstance(n, ast.Name) for n in ast.walk(value) if isinstance(n, ast.expr))
        return isinstance(value, _DATA)
    if isinstance(node, ast.AnnAssign) and node.value is None:
        return isinstance(node.annotation, ast.BoolOp | ast.Compare | ast.UnaryOp)
    return False


def code_line(line: str, scan: Scan = FRESH) -> bool:
    """Does this line read as Python, after earlier lines that leave `scan` open?"""
    text = line.strip()
    if scan.triple:
        return True
    if scan.depth:
        return _continues(text)
    if not text or text.startswith("#"):
        return bool(text)
    if text[0] in "}])":
        return True
    alone = parses(text) or parses(text + _closers(text))
    if alone is not None:
        return not data_or_prose(alone)
    candidates = (text, text + _closers(text))
    if any(parses(f"{a}{c}{b}") for a, b in _WRAPS for c in candidates):
        return True
    return text.endswith("\\") and parses(text[:-1]) is not None


def _continues(text: str) -> bool:
    """A line inside open brackets: an element, a closing bracket, or a line of code (a
    sentence there means the sheet lost the bracket's end, and the code ends)."""
    if not text or text[0] in "}])" or text.startswith("#") or text.endswith(("(", "[", "{", ",")):
        return True
    if re.match(r"(?:for|async\s+for|if|else|and|or|not|in|is|lambda)\b|[-+*/%|&.@<>=!^~]", text):
        return True  # a comprehension's clauses, an operand on its own line
    item = text.rstrip(",")
    if any(parses(f"{a}{item}{b}") for a, b in (("(", ")"), ("{", "}"), ("f(", ")"))):
        return True
    return code_line(text)


_SHAPED = re.compile(
    r"^\s*(?:(?:async\s+)?def\s+\w+\s*\(.*|class\s+\w+.*"
    r"|[A-Za-z_][\w.]*(?:\[[^\]]*\])?\s*[-+*/|&]?=(?!=)\s*\S.*)$"
)


PROSE_MARKS = "[\u2014\u2019\u201c\u201d]|\\w\\s+\\w+\\s+\\w+\\s+\\w"  # dashes, curly quotes, words


def code_shaped(line: str) -> bool:
    """Code with a mistake in it, still code: `async def main()` without its colon,
    `content = await` without its operand. Inside a block, such a line is the sheet's error
    to report, not the end of the block."""
    return bool(_SHAPED.match(line)) and not re.search(PROSE_MARKS, line)


def glued_code(line: str) -> str | None:
    """The code part of a line with prose glued on (`asyncio.run(main())Use asyncio...`)."""
    match = GLUED.match(line)
    if match and not code_line(line) and code_line(match[1]):
        return match[1]
    return None


def title_like(line: str) -> bool:
    """A lone `asyncio.gather()` line after code is the next heading, not code."""
    tree = parses(line.strip())
    if tree is None or len(tree.body) != 1 or not isinstance(tree.body[0], ast.Expr):
        return False
    call = tree.body[0].value
    return (
        isinstance(call, ast.Call)
        and not call.args
        and not call.keywords
        and isinstance(call.func, ast.Attribute)
    )


# What a block is.


def compile_problem(code: str) -> tuple[str, int] | None:
    """(why it does not compile, the code line it names) or None."""
    try:
        compile(code, "<block>", "exec", dont_inherit=True)
    except SyntaxError as exc:
        return exc.msg, exc.lineno or 1
    except ValueError as exc:  # null bytes
        return str(exc), 1
    except (RecursionError, MemoryError):
        return "nested too deeply", 1
    return None


def top_level_await(code: str) -> bool:
    """Compiles only where top-level await is allowed (python -m asyncio, IPython)."""
    try:
        compile(code, "<block>", "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT, dont_inherit=True)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return True


def fragment_reason(tree: ast.Module) -> str | None:
    """Why a compiled block is not a whole program, or None when it runs something."""
    if any(_runs(node) for node in tree.body):
        return None
    definitions = (
        ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef,
        ast.Assign, ast.AnnAssign, ast.Pass,
    )  # fmt: skip
    if not all(isinstance(node, definitions) for node in tree.body):
        return None
    if any(isinstance(node, ast.AsyncFunctionDef) for node in tree.body):
        return "only definitions: no top-level asyncio.run, so none of its coroutines runs"
    return "only definitions: nothing runs"


def _runs(node: ast.AST) -> bool:
    """Starts an event loop: asyncio.run, run_until_complete, run_forever, a Runner."""
    for inner in ast.walk(node):
        if isinstance(inner, ast.Call):
            func = inner.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name in RUNNERS:
                return True
    return False


def requirements(tree: ast.Module) -> list[str]:
    """The modules it imports that are not in the standard library, in order; an import
    guarded by `try` (a fallback) is not a requirement."""
    guarded = {
        id(inner)
        for node in ast.walk(tree)
        if isinstance(node, ast.Try)
        for statement in node.body
        for inner in ast.walk(statement)
    }
    found: list[str] = []
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import) and id(node) not in guarded:
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names = [node.module] if id(node) not in guarded else []
        for name in names:
            root = name.split(".")[0]
            if root not in sys.stdlib_module_names and root != "__future__" and root not in found:
                found.append(root)
    return found


def asyncio_names(tree: ast.Module) -> list[str]:
    """The asyncio APIs it uses (`gather`, `create_task`), in order of first use."""
    names: list[str] = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id == "asyncio"
            and node.attr not in names
        ):
            names.append(node.attr)
    return names


# The output its comments claim.


def comment_output(lines: list[str]) -> list[str] | None:
    """What the code's comments say it prints, or None when no comment claims output.

    Claims: `# prints X` (or `# -> X`) after a statement; comment lines right after a
    print() line, ending its suite; the comment lines after the last statement when it runs
    the program (asyncio.run(...), print(...)), or after an `# Output:` comment."""
    while lines and not lines[-1].strip():
        lines = lines[:-1]
    claimed: list[str] = []
    tail = _trailing_comments(lines)
    body = lines[: tail[0]] if tail is not None else lines
    for index, line in enumerate(body):
        code, _, comment = line.partition("#")
        match = PRINTS.search("#" + comment) if comment else None
        if match and match[1] and code.strip() and code_line(code):
            claimed.append(match[1])
        elif "print(" in code:
            claimed += _comments_after(body, index)
    if tail is not None:
        claimed += tail[1]
    kept = [text for text in map(_without_remark, claimed) if text is not None]
    return kept if claimed else None


def _trailing_comments(lines: list[str]) -> tuple[int, list[str]] | None:
    start = end = len(lines)
    while start > 0 and lines[start - 1].lstrip().startswith("#"):
        start -= 1
    if start == end or start == 0 or not lines[start - 1].strip():
        return None
    last = lines[start - 1]
    intro = OUTPUT_COMMENT.match(lines[start]) is not None
    program = not last[0].isspace() and (_runs_line(last) or last.startswith("print("))
    said = [_uncomment(line) for line in lines[start + int(intro) : end]]
    if not (intro or program) or _commented_code(said):
        return None
    return start, said


def _runs_line(line: str) -> bool:
    tree = parses(line.strip())
    return tree is not None and any(_runs(node) for node in tree.body)


def _comments_after(lines: list[str], index: int) -> list[str]:
    """Comment lines at the print's indentation right after it, ending the suite."""
    indent = _indent(lines[index])
    position = index + 1
    while position < len(lines):
        line = lines[position]
        if not line.lstrip().startswith("#") or _indent(line) != indent:
            break
        position += 1
    found = [_uncomment(line) for line in lines[index + 1 : position]]
    following = lines[position] if position < len(lines) else ""
    ends = not following.strip() or _indent(following) < indent
    return found if found and ends and not _commented_code(found) else []


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def _commented_code(lines: list[str]) -> bool:
    """Commented-out statements (`# loop.run_until_complete(main())`) are not output."""
    return any(code_line(line) for line in lines if line.strip())


def _uncomment(line: str) -> str:
    text = line.lstrip()[1:]
    return text[1:] if text.startswith(" ") else text


def _without_remark(line: str) -> str | None:
    """A remark about time is no output: `(1 second pause)` goes, `(after 1s) hi` is `hi`."""
    words = line.strip()
    if _REMARK_LINE.match(words):
        return None
    return _REMARK_LEAD.sub("", words) if _REMARK_LEAD.match(words) else line
