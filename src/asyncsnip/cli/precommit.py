"""`asyncsnip-check FILE...`: the pre-commit hook's entry; checks the snippets of the catalog
files it is given, as `asyncsnip --catalog FILE... check ID...` does.

Only the snippets those files define are checked (the built-in catalog is loaded too, for
its sections, unless --no-builtin); the user's own settings ($ASYNCSNIP_CATALOG, the config
file) play no part in a team's check.
"""

import argparse
import os
import sys
import tomllib

from asyncsnip.catalog.config import ENV


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="asyncsnip-check", description="Check the snippets of asyncsnip catalog files."
    )
    parser.add_argument("files", nargs="*", metavar="FILE", help="catalog files to check")
    parser.add_argument("--python", action="append", default=[], metavar="EXE")
    parser.add_argument("--jobs", "-j", metavar="N")
    parser.add_argument("--timeout", metavar="S")
    parser.add_argument("--junit-xml", metavar="FILE")
    parser.add_argument("--no-builtin", action="store_true", help="leave out the built-in catalog")
    args = parser.parse_args(argv)
    if not args.files:
        sys.exit(0)  # pre-commit passes no files when none changed
    os.environ[ENV] = os.devnull
    os.environ.pop("ASYNCSNIP_CATALOG", None)
    catalogs = [part for path in args.files for part in ("--catalog", path)]
    globals_ = ["--no-builtin"] * args.no_builtin + catalogs
    ids = _ids(args.files)
    # Without snippets there is nothing to run: loading the files is the check (a broken one
    # is reported, exit 2), and `tags` prints only what little they hold.
    command = ["check", *ids, *_options(args)] if ids else ["tags"]
    from asyncsnip.cli.app import app

    app(args=[*globals_, *command], prog_name="asyncsnip")


def _ids(files: list[str]) -> list[str] | None:
    """The snippet ids the files define, in order; None if one of them is not TOML."""
    found: list[str] = []
    for path in files:
        try:
            with open(path, "rb") as catalog:
                doc = tomllib.load(catalog)
        except (OSError, tomllib.TOMLDecodeError):
            return None
        snippets = doc.get("snippets", [])
        if not isinstance(snippets, list):
            return None
        found += [t["id"] for t in snippets if isinstance(t, dict) and isinstance(t.get("id"), str)]
    return list(dict.fromkeys(found))


def _options(args: argparse.Namespace) -> list[str]:
    options = [part for exe in args.python for part in ("--python", exe)]
    for name in ("jobs", "timeout", "junit_xml"):
        value = getattr(args, name)
        if value is not None:
            options += [f"--{name.replace('_', '-')}", value]
    return options
