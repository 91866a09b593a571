"""Python syntax colouring from the stdlib tokenizer: what a terminal needs, at a fraction of
the start-up cost of Pygments (whose lexer alone takes longer to build than `show` to run)."""

from __future__ import annotations

import builtins
import io
import keyword
import tokenize

Span = tuple[int, int, str]  # start offset, end offset, role (a key of theme.THEMES)

KEYWORD = "keyword"
NAME_DEFINED = "defined"
BUILTIN = "builtin"
STRING = "string"
NUMBER = "number"
COMMENT = "comment"
DECORATOR = "decorator"
_BUILTINS = frozenset(dir(builtins))
_STRING_TOKENS = {tokenize.STRING} | {
    getattr(tokenize, name) for name in ("FSTRING_START", "FSTRING_MIDDLE", "FSTRING_END")
    if hasattr(tokenize, name)
}  # fmt: skip


def spans(code: str) -> list[Span]:
    """Where each coloured token of `code` starts and ends; nothing for code that does not
    tokenize (it is then shown plain)."""
    starts = [0]
    for line in code.splitlines(keepends=True):
        starts.append(starts[-1] + len(line))
    found: list[Span] = []
    previous = ""
    try:
        for token in tokenize.generate_tokens(io.StringIO(code).readline):
            style = _style(token, previous)
            if style:
                (row, col), (end_row, end_col) = token.start, token.end
                found.append((starts[row - 1] + col, starts[end_row - 1] + end_col, style))
            if token.type not in (tokenize.NL, tokenize.COMMENT):
                previous = token.string
    except (tokenize.TokenError, SyntaxError, IndexError):
        return []
    return found


def _style(token: tokenize.TokenInfo, previous: str) -> str | None:
    kind, text = token.type, token.string
    if kind == tokenize.COMMENT:
        return COMMENT
    if kind in _STRING_TOKENS:
        return STRING
    if kind == tokenize.NUMBER:
        return NUMBER
    if kind == tokenize.OP and text == "@":
        return DECORATOR
    if kind != tokenize.NAME:
        return None
    if previous in ("def", "class") or previous == "@":
        return NAME_DEFINED
    if keyword.iskeyword(text) or (keyword.issoftkeyword(text) and text != "_"):
        return KEYWORD
    return BUILTIN if text in _BUILTINS and previous != "." else None
