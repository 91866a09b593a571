"""Signatures of the APIs a snippet teaches, as the running Python reports them."""

from __future__ import annotations

import contextlib
import importlib
import inspect
import io
from typing import Any


def resolve(dotted: str) -> Any:
    """Import the longest importable module prefix, then walk attributes.

    Importing runs the module's code: whatever it prints is discarded, and any failure
    means "not available" rather than a traceback.
    """
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            with contextlib.redirect_stdout(io.StringIO()):
                obj: Any = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        except Exception as exc:
            raise ImportError(dotted) from exc
        for name in parts[cut:]:
            obj = getattr(obj, name)
        return obj
    raise ImportError(dotted)


def signature(dotted: str) -> str:
    """`asyncio.gather(*coros_or_futures, return_exceptions=False)`, or why there is none."""
    try:
        obj = resolve(dotted)
    except (ImportError, AttributeError, SystemExit):
        return f"{dotted}: not available in this Python"
    try:
        return f"{dotted}{inspect.signature(obj)}"
    except (TypeError, ValueError):
        kind = "class" if inspect.isclass(obj) else type(obj).__name__
        return f"{dotted} ({kind})"
