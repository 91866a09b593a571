"""Entry point for `python -m asyncsnip` and the `asyncsnip` console script."""

from __future__ import annotations


def main() -> None:
    from asyncsnip.cli import run

    run()


if __name__ == "__main__":
    main()
