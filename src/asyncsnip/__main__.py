"""Entry point for `python -m asyncsnip` and the `asyncsnip` console script."""

from __future__ import annotations

import os


def main() -> None:
    if os.environ.get("_ASYNCSNIP_COMPLETE", "").startswith("complete_"):
        from asyncsnip.completion import fast_complete

        if fast_complete():
            return
    from asyncsnip.cli import run

    run()


if __name__ == "__main__":
    main()
