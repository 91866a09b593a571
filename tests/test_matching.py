"""Expected-output matching: normalising, `...` lines, inline `...`, unordered lines."""

from __future__ import annotations

import random

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from asyncsnip.engine.matching import diff, line_matches, matches, normalise

# Lines without the wildcard and without whitespace at either end.
plain_line = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Zs", "Zl", "Zp")), max_size=12
).filter(lambda s: "..." not in s and s.strip() == s)
plain_lines = st.lists(plain_line.filter(bool), max_size=8)


def test_normalise_crlf_trailing_space_and_blank_edges() -> None:
    """CRLF becomes LF, trailing spaces go, blank lines at either end are ignored."""
    assert normalise("\n\n a  \r\nb\t\r\n\n  \n") == [" a", "b"]


def test_exact_match_and_difference() -> None:
    """Identical text matches; one different line does not."""
    assert matches("a\nb\n", "a\nb\n")
    assert not matches("a\nb\n", "a\nc\n")
    assert not matches("a\n", "a\nb\n")


def test_inner_blank_lines_count() -> None:
    """Only leading and trailing blank lines are ignored, not blank lines in between."""
    assert not matches("a\nb", "a\n\nb")


@pytest.mark.parametrize(
    ("pattern", "line", "expected"),
    [
        ("took ...s", "took 0.31s", True),
        ("took ...s", "took s", True),
        ("took ...s", "took 1.0", False),
        ("<object at 0x...>", "<object at 0x7f3a>", True),
        ("a...b...c", "a-b-c", True),
        ("a...b...c", "a-c-b", False),
        ("ab...ba", "aba", False),  # prefix and suffix may not overlap
        ("...", "anything", True),
        ("x...", "x", True),
        ("...x", "yx", True),
    ],
)
def test_inline_ellipsis(pattern: str, line: str, expected: bool) -> None:
    """`...` inside a line matches any text within that line, and only there."""
    assert line_matches(pattern, line) is expected


def test_inline_ellipsis_does_not_cross_lines() -> None:
    """An inline `...` never swallows a line break."""
    assert not matches("a...b", "a\nb")


def test_ellipsis_line_matches_zero_or_more_lines() -> None:
    """A line that is exactly `...` matches any number of lines, zero included."""
    assert matches("start\n...\nend", "start\nend")
    assert matches("start\n...\nend", "start\n1\n2\n3\nend")
    assert matches("...\nend", "end")
    assert matches("start\n...", "start\nx")
    assert not matches("start\n...\nend", "start\n1\n2")
    assert matches("...", "")


def test_unordered_is_a_multiset() -> None:
    """With ordered = false, the same lines in any order match, counts included."""
    assert matches("a\nb\nb", "b\na\nb", ordered=False)
    assert not matches("a\nb\nb", "b\na\na", ordered=False)
    assert not matches("a\nb", "a\nb\nc", ordered=False)


def test_unordered_with_patterns_and_ellipsis() -> None:
    """Unordered patterns each take a distinct line; a `...` line allows extra lines."""
    assert matches("x ...\nx 1", "x 1\nx 2", ordered=False)
    assert not matches("x ...\nx ...", "x 1\ny 2", ordered=False)
    assert matches("a\n...", "z\na\ny", ordered=False)


def test_unordered_needs_backtracking() -> None:
    """A greedy choice must be undone: `...1` may not steal the only line `1...` can take."""
    assert matches("...1\n1...", "11\n12", ordered=False)


def test_diff_is_unified_and_readable() -> None:
    """The diff names expected and actual and marks the changed lines."""
    text = diff("a\nb\n", "a\nc\n")
    assert text.startswith("--- expected\n+++ actual\n")
    assert "-b\n+c\n" in text


def test_long_output_does_not_recurse() -> None:
    """A large output (200,000 lines) is matched without running out of stack."""
    lines = "\n".join(str(i) for i in range(200_000))
    assert matches("0\n...\n199999", lines)


@given(plain_lines)
def test_text_matches_itself(lines: list[str]) -> None:
    """Any text matches itself, ordered and unordered."""
    text = "\n".join(lines)
    assert matches(text, text)
    assert matches(text, text, ordered=False)


@given(plain_lines, st.randoms())
def test_shuffled_lines_match_unordered(lines: list[str], rnd: random.Random) -> None:
    """A permutation of the lines always matches unordered."""
    shuffled = lines[:]
    rnd.shuffle(shuffled)
    assert matches("\n".join(lines), "\n".join(shuffled), ordered=False)


@given(plain_lines, plain_lines, plain_lines)
def test_ellipsis_line_absorbs_any_middle(
    head: list[str], middle: list[str], tail: list[str]
) -> None:
    """head, `...`, tail matches head + anything + tail."""
    expected = "\n".join([*head, "...", *tail])
    actual = "\n".join([*head, *middle, *tail])
    assert matches(expected, actual)


@given(plain_lines, st.integers(min_value=0, max_value=7), plain_line)
def test_changing_a_line_breaks_an_exact_match(lines: list[str], index: int, other: str) -> None:
    """Replacing one line with a different one makes an exact expectation fail."""
    if not lines:
        return
    index %= len(lines)
    if other == lines[index]:
        return
    changed = [*lines[:index], other, *lines[index + 1 :]]
    if normalise("\n".join(changed)) == normalise("\n".join(lines)):
        return
    assert not matches("\n".join(lines), "\n".join(changed))


@settings(max_examples=200)
@given(plain_line, plain_line, plain_line)
def test_inline_ellipsis_matches_any_infix(prefix: str, infix: str, suffix: str) -> None:
    """prefix...suffix matches prefix + any text without newline + suffix.

    (A dot next to the wildcard makes the pattern ambiguous: `a....` is read as `a.` then
    `...`? or `a` then `...` then `.`? Such patterns are left out.)"""
    assume(not prefix.endswith(".") and not suffix.startswith("."))
    assert line_matches(f"{prefix}...{suffix}", prefix + infix + suffix)
