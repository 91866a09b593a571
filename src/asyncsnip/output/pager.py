"""Output taller than the screen goes through a pager, as git and bat do it.

The pager is `$ASYNCSNIP_PAGER`, else the config file's `pager`, else `$PAGER`, else
`less -FRX` (quits at once if the text
fits, keeps colours, leaves the text on the screen), with LESS=FRX when LESS is unset, as
git sets it. One that cannot be started, or dies before reading, means plain output and no
error. While it runs, Ctrl-C belongs to it: asyncsnip waits for it to end.
"""

from __future__ import annotations

import contextlib
import os
import shlex
import shutil
import signal
import subprocess
import sys

DEFAULT = "less -FRX"


def command(configured: str | None = None) -> list[str] | None:
    """The pager to run: $ASYNCSNIP_PAGER, the config file's, $PAGER, the default; None for
    none (an empty one, or `cat`)."""
    choices = [os.environ.get("ASYNCSNIP_PAGER"), configured, os.environ.get("PAGER")]
    for chosen in choices:
        if chosen is not None:
            words = shlex.split(chosen) if chosen.strip() else []
            return words if words and words[0] != "cat" else None
    return shlex.split(DEFAULT)


def show(text: str, rows: int, configured: str | None = None) -> None:
    """Write `text` to stdout, through the pager when it has more lines than `rows`."""
    argv = command(configured) if text.count("\n") > rows - 1 else None
    if argv is None or shutil.which(argv[0]) is None or not _paged(argv, text):
        sys.stdout.write(text)
        sys.stdout.flush()


def _paged(argv: list[str], text: str) -> bool:
    """Run the pager on `text`; False if it could not take it (then nothing was shown)."""
    env = dict(os.environ)
    env.setdefault("LESS", "FRX")
    env.setdefault("LV", "-c")
    sys.stdout.flush()
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the pager's
    try:
        try:
            pager = subprocess.Popen(argv, stdin=subprocess.PIPE, env=env)
        except OSError:
            return False
        assert pager.stdin is not None
        try:
            pager.stdin.write(text.encode("utf-8", errors="replace"))
            pager.stdin.close()
        except BrokenPipeError:  # the reader quit (q), or it never read at all
            with contextlib.suppress(BrokenPipeError):
                pager.stdin.close()
        return pager.wait() == 0
    finally:
        signal.signal(signal.SIGINT, previous)
