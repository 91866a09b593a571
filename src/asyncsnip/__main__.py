"""Entry point for `python -m asyncsnip` and the `asyncsnip` console script."""

from __future__ import annotations

import contextlib
import gc
import os
import sys

# A start makes objects that all live until exit (the modules, the catalog: with 10,000
# snippets, hundreds of thousands); collecting every 700 new ones walks them again and
# again for nothing, a tenth of such a start. A short-lived command collects rarely instead.
YOUNG_OBJECTS = 100_000


def main() -> None:
    gc.set_threshold(YOUNG_OBJECTS, 50, 50)
    if _closed(1):
        _refuse_closed_stdout()
    if os.environ.get("_ASYNCSNIP_COMPLETE", "").startswith("complete_"):
        from asyncsnip.completion import fast_complete

        if fast_complete():
            _leave(0)
    from asyncsnip.cli.app import run

    try:
        run()
        status = 0
    except SystemExit as exc:
        status = _status(exc.code)
    _leave(status)


def _closed(fd: int) -> bool:
    try:
        os.fstat(fd)
    except OSError:
        return True
    return False


def _refuse_closed_stdout() -> None:
    """`asyncsnip ... >&-`: say so on stderr (if it is open) and stop, before any file the
    program opens could take descriptor 1 and receive its output."""
    if not _closed(2):
        os.write(
            2,
            b"asyncsnip: error: standard output is closed, so there is nowhere to write to\n"
            b"asyncsnip: hint: redirect it instead, e.g. '> /dev/null' or '> FILE'\n",
        )
    os._exit(2)


def _status(code: object) -> int:
    """What the interpreter makes of `sys.exit(code)`."""
    if code is None or isinstance(code, int):
        return code or 0
    print(code, file=sys.stderr)
    return 1


def _leave(status: int) -> None:
    """Flush and exit without tearing down every module Typer and Click imported: once the
    answer is written, that teardown would cost a tenth of the whole run. asyncsnip has
    ended its subprocesses and registers no exit handlers by then."""
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a reader that went away: end quietly
            stream.flush()
    os._exit(status)


if __name__ == "__main__":
    main()
