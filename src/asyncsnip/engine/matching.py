"""Comparing a snippet's stdout with its expected `output`.

Both sides are normalised (CRLF to LF, trailing whitespace of each line dropped, leading and
trailing blank lines ignored). An expected line that is exactly `...` matches any number of
lines, zero included; `...` inside a line matches any text within that line. Unordered
comparison treats the lines as a multiset.
"""

from __future__ import annotations

import difflib
from collections import Counter, deque

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
    """Every expected line takes a distinct actual line; `...` lines allow extra lines.
    Without recursion, so a thousand lines are as safe as ten."""
    extra_allowed = ELLIPSIS in want
    patterns = [line for line in want if line != ELLIPSIS]
    if len(patterns) > len(got) or (not extra_allowed and len(patterns) != len(got)):
        return False
    # A pattern without an inline `...` matches only lines equal to it, and copies of a line
    # are interchangeable: giving it one of them first never costs another pattern a match.
    lines = Counter(got)
    wild: Counter[str] = Counter()
    for pattern in patterns:
        if ELLIPSIS in pattern:
            wild[pattern] += 1
        elif lines[pattern] > 0:
            lines[pattern] -= 1
        else:
            return False
    return _assign(wild, +lines)


def _assign(patterns: Counter[str], lines: Counter[str]) -> bool:
    """Can each pattern (with its count) take distinct matching lines (with theirs)? A
    maximum flow from patterns to lines, grown by breadth-first augmenting paths."""
    names, texts = list(patterns), list(lines)
    edges = [[j for j, text in enumerate(texts) if line_matches(p, text)] for p in names]
    room_p = [patterns[p] for p in names]  # units each pattern still has to place
    room_l = [lines[t] for t in texts]  # units each line can still take
    flow: dict[tuple[int, int], int] = {}
    for i, targets in enumerate(edges):  # a greedy start leaves little to augment
        for j in targets:
            take = min(room_p[i], room_l[j])
            if take:
                flow[(i, j)] = flow.get((i, j), 0) + take
                room_p[i] -= take
                room_l[j] -= take
    while any(room_p):
        path = _augmenting_path(edges, room_p, room_l, flow)
        if path is None:
            return False
        start, steps, end = path
        amount = min(room_p[start], room_l[end], *(flow[s] for s, forward in steps if not forward))
        for step, forward in steps:
            flow[step] = flow.get(step, 0) + (amount if forward else -amount)
        room_p[start] -= amount
        room_l[end] -= amount
    return True


Step = tuple[tuple[int, int], bool]  # ((pattern, line), along the edge or back against it)


def _augmenting_path(
    edges: list[list[int]], room_p: list[int], room_l: list[int], flow: dict[tuple[int, int], int]
) -> tuple[int, list[Step], int] | None:
    """A path from a pattern with room to a line with room, alternating forward edges and
    edges that carry flow back; (first pattern, its steps, last line) or None."""
    origin = {i: i for i, room in enumerate(room_p) if room}
    came: dict[int, tuple[int, int]] = {}  # line -> (pattern it was reached from, ...)
    back: dict[int, int] = {}  # pattern -> line it was reached back from
    queue = deque(origin)
    while queue:
        i = queue.popleft()
        for j in edges[i]:
            if j in came:
                continue
            came[j] = (i, origin[i])
            if room_l[j]:
                return origin[i], _steps(j, came, back), j
            for k, targets in enumerate(edges):
                if k not in origin and flow.get((k, j), 0) > 0 and j in targets:
                    origin[k] = origin[i]
                    back[k] = j
                    queue.append(k)
    return None


def _steps(line: int, came: dict[int, tuple[int, int]], back: dict[int, int]) -> list[Step]:
    steps: list[Step] = []
    while True:
        pattern = came[line][0]
        steps.append(((pattern, line), True))
        if pattern not in back:
            return steps
        line = back[pattern]
        steps.append(((pattern, line), False))


def diff(expected: str, actual: str) -> str:
    """A unified diff of the normalised expected and actual output."""
    lines = difflib.unified_diff(
        normalise(expected), normalise(actual), "expected", "actual", lineterm=""
    )
    return "\n".join(lines) + "\n"
