"""Write the completion scripts in this folder from the program itself.

Usage: python completions/generate.py [--check]

Each script is what `_ASYNCSNIP_COMPLETE=source_SHELL asyncsnip` prints (that protocol, unlike
`--show-completion`, does not depend on the shell this runs from). With --check nothing is
written and the exit status says whether the files are current.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).parent
FILES = {"bash": "asyncsnip.bash", "zsh": "_asyncsnip", "fish": "asyncsnip.fish"}


def script(shell: str) -> str:
    env = dict(os.environ, _ASYNCSNIP_COMPLETE=f"source_{shell}")
    argv = [sys.executable, "-m", "asyncsnip"]
    return subprocess.run(argv, env=env, capture_output=True, text=True, check=True).stdout


def main() -> int:
    check = "--check" in sys.argv[1:]
    stale = []
    for shell, name in FILES.items():
        path, text = HERE / name, script(shell)
        if path.exists() and path.read_text() == text:
            continue
        stale.append(name)
        if not check:
            path.write_text(text)
    if stale:
        verb = "stale" if check else "written"
        print(f"{verb}: {', '.join(stale)}", file=sys.stderr)
    return 1 if check and stale else 0


if __name__ == "__main__":
    sys.exit(main())
