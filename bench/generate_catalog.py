"""Write a large, valid user catalog for the scale benchmarks.

Usage: python bench/generate_catalog.py N PATH
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

TAGS = ["gather", "queue", "lock", "timeout", "retry", "stream", "task", "event", "demo"]


def snippet(i: int) -> str:
    tags = ", ".join(f'"{TAGS[(i + k) % len(TAGS)]}"' for k in range(3))
    return (
        f'[[snippets]]\nid = "bench-{i:05d}"\ntitle = "Generated snippet number {i}"\n'
        f'summary = "A snippet for measuring asyncsnip with large catalogs."\ntags = [{tags}]\n'
        f"code = '''\nimport asyncio\n\n\nasync def main() -> None:\n"
        f"    await asyncio.sleep(0)\n    print({i})\n\n\nasyncio.run(main())\n'''\n"
        f"output = '''\n{i}\n'''\n"
    )


def write_catalog(path: Path, count: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    body = "\n".join(snippet(i) for i in range(count))
    path.write_text(f"version = 1\n\n{body}", encoding="utf-8")
    old = time.time() - 60  # not "just written": asyncsnip's cache may keep it at once
    os.utime(path, (old, old))


if __name__ == "__main__":
    write_catalog(Path(sys.argv[2]), int(sys.argv[1]))
