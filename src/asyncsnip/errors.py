"""Expected failures and the exit codes they map to."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    FAILED = 1
    USAGE = 2
    TIMEOUT = 124
    INTERRUPTED = 130


class AsyncsnipError(Exception):
    """A failure the user can act on: one line on stderr, an exit code, no traceback."""

    code = ExitCode.USAGE

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


class UsageError(AsyncsnipError):
    code = ExitCode.USAGE


class NotFoundError(AsyncsnipError):
    """`show` matched nothing."""

    code = ExitCode.FAILED


class ClipboardError(AsyncsnipError):
    code = ExitCode.FAILED


class CatalogError(AsyncsnipError):
    """One or more problems in a catalog file, all reported at once."""

    code = ExitCode.USAGE

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems
