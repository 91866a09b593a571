"""The Python a snippet runs with: which one, and what it says about itself."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import sys

from asyncsnip.catalog.schema import Snippet
from asyncsnip.engine.result import Interpreter
from asyncsnip.errors import InterpreterError

PROBE_TIMEOUT_S = 30.0
_PROBE = (
    "import sys, json, importlib.util as u\n"
    "def found(m):\n"
    "    try:\n"
    "        return u.find_spec(m) is not None\n"
    "    except Exception:\n"
    "        return False\n"
    "print(json.dumps({'executable': sys.executable, 'version': list(sys.version_info[:3]),"
    " 'modules': {m: found(m) for m in sys.argv[1:]}}))\n"
)
_probed: dict[tuple[str, frozenset[str]], Interpreter] = {}


def default_python() -> str:
    return os.environ.get("ASYNCSNIP_PYTHON") or sys.executable


async def probe(python: str, modules: frozenset[str] = frozenset()) -> Interpreter:
    """Ask the interpreter once for its version and which modules it can find."""
    key = (python, modules)
    if key not in _probed and _is_running(python):
        _probed[key] = _this_interpreter(modules)
    if key not in _probed:
        executable = shutil.which(python) or python
        try:
            proc = await asyncio.create_subprocess_exec(
                executable, "-c", _PROBE, *sorted(modules),
                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            )  # fmt: skip
            out, _err = await asyncio.wait_for(proc.communicate(), PROBE_TIMEOUT_S)
            info = json.loads(out)
        except (OSError, ValueError, TimeoutError) as exc:
            raise InterpreterError(python, str(exc) or type(exc).__name__) from None
        _probed[key] = Interpreter(info["executable"], tuple(info["version"]), info["modules"])
    return _probed[key]


def _is_running(python: str) -> bool:
    """Is `python` the interpreter running asyncsnip? Then it need not be asked."""
    found = shutil.which(python)
    return found is not None and os.path.abspath(found) == os.path.abspath(sys.executable)


def _this_interpreter(modules: frozenset[str]) -> Interpreter:
    from importlib.util import find_spec

    def found(name: str) -> bool:
        try:
            return find_spec(name) is not None
        except (ImportError, ValueError):
            return False

    version = (sys.version_info[0], sys.version_info[1], sys.version_info[2])
    return Interpreter(sys.executable, version, {name: found(name) for name in modules})


def skip_reason(snippet: Snippet, target: Interpreter) -> str | None:
    """Why the target cannot run the snippet (too old, a module missing), or None."""
    if snippet.python:
        needed = tuple(int(part) for part in snippet.python.split("."))
        if target.version[:2] < needed:
            running = ".".join(map(str, target.version[:2]))
            return f"needs Python >= {snippet.python}, the target is Python {running}"
    missing = [name for name in snippet.requires if not target.modules.get(name)]
    if missing:
        return f"needs {', '.join(missing)}, not installed for {target.executable}"
    return None
