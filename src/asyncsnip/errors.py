"""Expected failures, raised by every part, and the exit codes they map to.

The parts raise these with the facts; only the command line phrases them (one stderr line, a
hint that names commands and options) and turns them into an exit code.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    FAILED = 1
    USAGE = 2
    TIMEOUT = 124
    INTERRUPTED = 130


class AsyncsnipError(Exception):
    """A failure the user can act on: one line on stderr, an exit code, no traceback."""

    code: int = ExitCode.USAGE

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


class UsageError(AsyncsnipError):
    code = ExitCode.USAGE


class UnknownName(UsageError):
    """An id, tag or section that no loaded catalog has."""

    def __init__(self, kind: str, name: str, suggestions: Sequence[str]) -> None:
        super().__init__(f"unknown {kind} '{name}'")
        self.kind = kind
        self.name = name
        self.suggestions = list(suggestions)


class EmptyQuery(UsageError):
    def __init__(self) -> None:
        super().__init__("the query is empty")


class NotFoundError(AsyncsnipError):
    """A search matched nothing."""

    code = ExitCode.FAILED

    def __init__(self, query: str, suggestions: Sequence[str] = ()) -> None:
        super().__init__(f"nothing matches '{query}'")
        self.query = query
        self.suggestions = list(suggestions)


class InterpreterError(UsageError):
    """The Python given to run snippets cannot be used."""

    def __init__(self, python: str, reason: str) -> None:
        super().__init__(f"cannot use '{python}' as the Python to run snippets: {reason}")
        self.python = python
        self.reason = reason


class ClipboardError(AsyncsnipError):
    code = ExitCode.FAILED


class CatalogError(AsyncsnipError):
    """One or more problems in a catalog file, all reported at once."""

    code = ExitCode.USAGE

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


class ConfigError(UsageError):
    """The config file is invalid: one line naming the file and, where known, the line."""

    def __init__(self, path: str, line: int, message: str) -> None:
        super().__init__(f"{path}:{line}: {message}" if line else f"{path}: {message}")
        self.path = path
        self.line = line


class SnippetExists(UsageError):
    """`add` of an id that is taken, without --force."""

    def __init__(self, ident: str, where: str) -> None:
        super().__init__(f"a snippet '{ident}' exists already ({where})")
        self.ident = ident


class Interrupted(AsyncsnipError):
    """A signal ended the work; every process it had started was ended first."""

    def __init__(self, signum: int, name: str) -> None:
        super().__init__(f"interrupted by {name}; every process the snippets started was ended")
        self.signum = signum
        self.code = ExitCode.INTERRUPTED if name == "SIGINT" else 128 + signum


class WriteError(UsageError):
    """A file could not be written; whatever was there before is unchanged. Bad input (a
    directory, a symlink loop, a read-only place) is exit 2; a failure (a full disk) is 1."""

    def __init__(self, path: str, reason: str, failure: bool = False) -> None:
        super().__init__(f"{path}: not written: {reason}")
        self.path = path
        self.reason = reason
        self.failure = failure
        self.code = ExitCode.FAILED if failure else ExitCode.USAGE
