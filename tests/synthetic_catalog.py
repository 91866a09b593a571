"""A synthetic catalog the size of the final built-in one, for sizing the sheets.

150 snippets in 13 sections, each with a gist of 1 to 3 lines of up to 60 characters and a
title of up to 55, and fields as long as the built-in catalog's on average (code ~25 lines,
notes ~300 characters), so that the one-page sheet's page count and the web page's size
can be checked before the real catalog grows. Deterministic: the same file every time.

Usage: python tests/synthetic_catalog.py PATH [usual|heavy]
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

SNIPPETS = 150
SECTIONS = [
    ("basics", "Getting Started"),
    ("tasks", "Tasks and Concurrency"),
    ("cancellation", "Cancellation and Timeouts"),
    ("queues", "Queues and Producer/Consumer Patterns"),
    ("sync", "Synchronization Primitives"),
    ("threads", "Threads, Processes and Blocking Code"),
    ("subprocess", "Subprocesses"),
    ("streams", "Streams and Networking"),
    ("iteration", "Async Iteration and Context Managers"),
    ("patterns", "Patterns: Retry, Heartbeat, Fan-out, Rate Limits"),
    ("pitfalls", "Pitfalls and Legacy APIs"),
    ("libraries", "Third-party Libraries"),
    ("debugging", "Debugging and Testing"),
]
PROSE = (
    "run gather tasks with a timeout and collect every result in order cancel the "
    "slowest worker queue items between producers consumers limit concurrency using "
    "semaphore signal readiness event lock shared state stream lines from subprocess "
    "retry failed calls backoff heartbeat while waiting shield cleanup from outer "
    "cancellation wait first completed race several coroutines"
)
WORDS = PROSE.split()
CALLS = [
    "asyncio.gather",
    "asyncio.wait_for",
    "asyncio.create_task",
    "asyncio.sleep",
    "asyncio.shield",
    "asyncio.to_thread",
    "queue.put",
    "asyncio.wait",
]
NOTES = (
    "Use this when several awaitables must finish before the caller goes on; the results "
    "come back in the order the awaitables were given, not in the order they finished. "
    "A failure in one of them is raised in the caller at once, and the others keep running."
)


def title(rng: random.Random, index: int) -> str:
    """Words up to a length between 25 and 55 characters (some exactly 55)."""
    target = 55 if index % 10 == 0 else rng.randint(25, 55)
    words = [f"Pattern {index}"]
    while len(" ".join(words)) < target - 4:
        words.append(rng.choice(WORDS))
    return " ".join(words)[:target].rstrip()


def code_line(rng: random.Random, index: int, line: int) -> str:
    """A statement of main() of between 20 and 60 characters (some exactly 60), with spaces
    where real code has them, so it wraps as real code would."""
    target = 60 if (index + line) % 7 == 0 else rng.randint(20, 60)
    text = f"n{index}{'abc'[line]} = len('"
    while len(text) < target - 2:
        text += rng.choice(WORDS) + " "
    return text[: target - 2].rstrip() + "')"


# How many lines each gist has: as a real catalog might (1.7 on average), or heavier (1.9).
GIST_LINES = {"usual": (1, 1, 1, 2, 2, 2, 3), "heavy": (1, 1, 2, 2, 2, 3, 3)}


def snippet(rng: random.Random, index: int, section: str, gists: str) -> str:
    count = rng.choice(GIST_LINES[gists])
    gist = [code_line(rng, index, line) for line in range(count)]
    body = [f"    {line}" for line in gist]
    filler = [f"    await {rng.choice(CALLS[3:4])}(0)  # step {k}" for k in range(14)]
    code = "\n".join(
        [
            "import asyncio",
            "",
            "",
            "async def main() -> None:",
            *filler[:6],
            *body,
            *filler[6:],
            f"    print('step 1 of {index}')",
            f"    print('step 2 of {index}')",
            f"    print('all {index} steps done')",
            "",
            "",
            "asyncio.run(main())",
            "",
        ]
    )
    gist_text = "\n".join(gist)
    return (
        f'[[snippets]]\nid = "synthetic-{index:03d}"\ntitle = "{title(rng, index)}"\n'
        f'section = "{section}"\n'
        f'summary = "A synthetic snippet with a gist of {count} lines, sized like a real one."\n'
        f'tags = ["synthetic", "tag-{index % 17}", "{section}"]\n'
        f"code = '''\n{code}'''\n"
        f"output = '''\nstep 1 of {index}\nstep 2 of {index}\n...\nall {index} steps done\n'''\n"
        f'notes = "{NOTES}"\napi = ["asyncio.sleep"]\n'
        f"gist = '''\n{gist_text}\n'''\n"
    )


def catalog(gists: str = "usual") -> str:
    """The whole catalog file."""
    rng = random.Random(16)
    parts = ["version = 1\n"]
    for ident, name in SECTIONS:
        parts.append(f'[[sections]]\nid = "{ident}"\ntitle = "{name}"\nsummary = "{name}."\n')
    for index in range(SNIPPETS):
        # uneven sections, as in a real catalog: 6 to 18 snippets each
        section = SECTIONS[min(len(SECTIONS) - 1, int((index / SNIPPETS) ** 1.1 * 13))][0]
        parts.append(snippet(rng, index, section, gists))
    return "\n".join(parts)


def write(path: Path, gists: str = "usual") -> Path:
    path.write_text(catalog(gists), encoding="utf-8")
    return path


if __name__ == "__main__":
    write(Path(sys.argv[1]), *sys.argv[2:3])
