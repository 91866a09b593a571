"""Text asyncsnip did not write, made safe to show: control characters become visible.

A catalog, a snippet's output or a user's argument may carry escape sequences (ESC ] 52
writes the clipboard, ESC [ 2J clears the screen) or characters that reorder a line (bidi
overrides). Wherever such text reaches a terminal, it goes through `visible` (several lines)
or `one_line` (one line), which print each such character as an escape like `\\x1b`.
Stdlib only and cheap: completion uses it on every TAB press.
"""

from __future__ import annotations

# C0 controls, DEL, C1 controls, and the characters that reorder or break a line.
_CONTROLS = frozenset({*range(0x20), 0x7F, *range(0x80, 0xA0)})
_BIDI = {0x061C, 0x200E, 0x200F, 0x2028, 0x2029, *range(0x202A, 0x202F), *range(0x2066, 0x206A)}
_UNSAFE = _CONTROLS | _BIDI
_KEPT_LINES = frozenset(map(ord, "\n\t"))


def _escape(char: str) -> str:
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def _table(kept: frozenset[int]) -> dict[int, str]:
    return {code: _escape(chr(code)) for code in _UNSAFE - kept}


_VISIBLE = _table(_KEPT_LINES)  # newline and tab stay
_ONE_LINE = {**_table(frozenset()), ord("\n"): " ", ord("\t"): " ", ord("\r"): " "}


def visible(text: str) -> str:
    """The text with every control character except newline and tab shown as an escape."""
    return text.translate(_VISIBLE)


def one_line(text: str) -> str:
    """The text on one line: newlines and tabs become spaces, other controls escapes."""
    return text.translate(_ONE_LINE)


def is_clean(text: str, allow_lines: bool = True) -> bool:
    """No control character (newline and tab allowed when `allow_lines`)."""
    return text == (visible(text) if allow_lines else one_line(text))


def first_unsafe(text: str, allow_lines: bool = True, controls_only: bool = False) -> str | None:
    """The first character `visible` would escape, as that escape; None if there is none.
    With `controls_only`, only control characters (C0, DEL, C1) count, not bidi marks."""
    unsafe = _CONTROLS if controls_only else _UNSAFE
    kept = _KEPT_LINES if allow_lines else frozenset()
    for char in text:
        if ord(char) in unsafe and ord(char) not in kept:
            return _escape(char)
    return None


def escaped_in_strings(text: str) -> str:
    """JSON or TOML text (as `json.dumps` and `tomli_w` write it: in basic strings) with
    every character `visible` would escape written as a \\u escape, which both formats
    read back as that character: a terminal shows it, and a reader decodes the same data.
    Newlines and tabs stay: both writers escape those inside strings themselves, so the ones
    left are the layout."""
    return text.translate(_STRING_ESCAPES)


_STRING_ESCAPES = {code: f"\\u{code:04x}" for code in _UNSAFE - _KEPT_LINES}
