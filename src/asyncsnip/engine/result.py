"""What running a snippet gives: its status, output and the reason for a verdict."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Any


class Status(StrEnum):
    PASSED = "passed"
    FAILED = "failed"  # a non-zero exit, or killed by a signal
    MISMATCH = "mismatch"  # exit 0, but the output differs from the expected one
    TIMEOUT = "timeout"
    SKIPPED = "skipped"  # its Python is newer than the target, or a `requires` is missing


@dataclass(frozen=True)
class Interpreter:
    """What a target Python reported about itself."""

    executable: str
    version: tuple[int, int, int]
    modules: dict[str, bool]

    @property
    def label(self) -> str:
        return f"{'.'.join(map(str, self.version))} ({self.executable})"


@dataclass
class Result:
    id: str
    status: Status
    exit_code: int | None
    stdout: str
    stderr: str
    duration_s: float
    python: str
    reason: str | None = None
    diff: str | None = None
    truncated: bool = False  # its stdout was longer than what is kept (1 MiB)
    leftover: str | None = None  # what of its temporary directory could not be removed

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["status"] = str(self.status)
        return data


def summary(results: list[Result]) -> dict[str, int]:
    """{total, passed, failed, mismatch, timeout, skipped}."""
    counts = {str(status): 0 for status in Status}
    for result in results:
        counts[result.status] += 1
    return {"total": len(results), **counts}
