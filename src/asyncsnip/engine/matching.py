"""Comparing a snippet's stdout with its expected `output`.

Both sides are normalised (CRLF to LF, trailing whitespace of each line dropped, leading and
trailing blank lines ignored). An expected line that is exactly `...` matches any number of
lines, zero included; `...` inside a line matches any text within that line. Unordered
comparison treats the lines as a multiset.
"""

from __future__ import annotations

import difflib

ELLIPSIS = "..."


def normalise(text: str) -> list[str]:
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").split("\n")]
    while lines and not lines[0]:
        lines.pop(0)
    while lines and not lines[-1]:
        lines.pop()
    return lines


def line_matches(pattern: str, line: str) -> bool:
    """`pattern` with each inline `...` standing for any text within the line."""
    if ELLIPSIS not in pattern:
        return pattern == line
    first, *middle, last = pattern.split(ELLIPSIS)
    if not line.startswith(first):
        return False
    position = len(first)
    for part in middle:
        found = line.find(part, position)
        if found < 0:
            return False
        position = found + len(part)
    return len(line) - len(last) >= position and line.endswith(last)


def matches(expected: str, actual: str, ordered: bool = True) -> bool:
    want, got = normalise(expected), normalise(actual)
    if ordered:
        return _ordered(want, got)
    return _unordered(want, got)


def _ordered(want: list[str], got: list[str]) -> bool:
    """Walk the actual lines once, tracking every expected position still possible."""

    def closure(states: set[int]) -> set[int]:
        reached, stack = set(), list(states)
        while stack:
            i = stack.pop()
            if i not in reached:
                reached.add(i)
                if i < len(want) and want[i] == ELLIPSIS:
                    stack.append(i + 1)
        return reached

    states = closure({0})
    for line in got:
        following = set()
        for i in states:
            if i < len(want) and want[i] == ELLIPSIS:
                following.add(i)
            elif i < len(want) and line_matches(want[i], line):
                following.add(i + 1)
        states = closure(following)
        if not states:
            return False
    return len(want) in states


def _unordered(want: list[str], got: list[str]) -> bool:
    """Every expected line takes a distinct actual line; `...` lines allow extra lines."""
    extra_allowed = ELLIPSIS in want
    patterns = [line for line in want if line != ELLIPSIS]
    if len(patterns) > len(got) or (not extra_allowed and len(patterns) != len(got)):
        return False
    owner: dict[int, int] = {}  # actual line index -> pattern index

    def assign(p: int, seen: set[int]) -> bool:
        for j, line in enumerate(got):
            if j in seen or not line_matches(patterns[p], line):
                continue
            seen.add(j)
            if j not in owner or assign(owner[j], seen):
                owner[j] = p
                return True
        return False

    return all(assign(p, set()) for p in range(len(patterns)))


def diff(expected: str, actual: str) -> str:
    """A unified diff of the normalised expected and actual output."""
    lines = difflib.unified_diff(
        normalise(expected), normalise(actual), "expected", "actual", lineterm=""
    )
    return "\n".join(lines) + "\n"
