"""The Python a snippet runs with: which one, and what it says about itself."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import sys
from typing import IO

from asyncsnip.catalog.schema import Snippet
from asyncsnip.engine import contain
from asyncsnip.engine.result import Interpreter
from asyncsnip.errors import InterpreterError

PROBE_TIMEOUT_S = 5.0  # a Python answers in well under a second
ANSWER_LIMIT = 1 << 16  # bytes read of what it prints
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
    """Ask the interpreter once for its version and which modules it can find; a program
    that hangs is ended after PROBE_TIMEOUT_S, and one that fails is quoted."""
    if not python.strip():
        raise InterpreterError(python, "no interpreter named (the value is empty)")
    key = (python, modules)
    if key not in _probed and _is_running(python):
        _probed[key] = _this_interpreter(modules)
    if key not in _probed:
        _probed[key] = await _ask(python, modules)
    return _probed[key]


async def _ask(python: str, modules: frozenset[str]) -> Interpreter:
    executable = shutil.which(python) or python
    try:
        proc = subprocess.Popen(
            [executable, "-c", _PROBE, *sorted(modules)], start_new_session=True,
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )  # fmt: skip
    except (OSError, ValueError) as exc:
        raise InterpreterError(python, getattr(exc, "strerror", None) or str(exc)) from None
    contain.KEEP.add(proc.pid)
    try:
        async with asyncio.timeout(PROBE_TIMEOUT_S):
            out, err = await asyncio.gather(_read(proc.stdout), _read(proc.stderr))
            await contain.exited(proc)
    except TimeoutError:
        raise InterpreterError(
            python, f"it did not answer within {PROBE_TIMEOUT_S:g}s, and was ended"
        ) from None
    finally:
        contain.end_process(proc)
    info = _interpreter(out, modules)
    if proc.returncode != 0 or info is None:
        raise InterpreterError(python, _failure(proc.returncode, out, err))
    return info


async def _read(pipe: IO[bytes] | None) -> bytes:
    """Up to ANSWER_LIMIT bytes of a pipe, until end of file."""
    assert pipe is not None
    if sys.platform == "win32":  # the proactor loop cannot read an ordinary pipe
        return await asyncio.to_thread(pipe.read, ANSWER_LIMIT)
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    transport, _ = await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), pipe)
    data = bytearray()
    try:
        while len(data) < ANSWER_LIMIT and (chunk := await reader.read(ANSWER_LIMIT)):
            data += chunk
    finally:
        transport.close()
    return bytes(data[:ANSWER_LIMIT])


def _interpreter(out: bytes, modules: frozenset[str]) -> Interpreter | None:
    """What a Python 3 answers to the probe, checked to the last field; None otherwise."""
    try:
        info = json.loads(out)
    except ValueError:
        return None
    if not isinstance(info, dict) or set(info) != {"executable", "version", "modules"}:
        return None
    executable, version, found = info["executable"], info["version"], info["modules"]
    if not isinstance(executable, str) or not executable:
        return None
    if not isinstance(version, list) or len(version) != 3:
        return None
    if not all(type(part) is int for part in version) or version[0] != 3:
        return None
    if not isinstance(found, dict) or set(found) != modules:
        return None
    if not all(isinstance(value, bool) for value in found.values()):
        return None
    return Interpreter(executable, (version[0], version[1], version[2]), found)


def _failure(code: int | None, out: bytes, err: bytes) -> str:
    """Why it is not a Python we can use, in its own words where it gave some."""
    said = err.decode("utf-8", "replace").strip().splitlines()
    if said:  # a traceback ends with the error; a launcher (a pyenv shim) starts with it
        line = said[-1] if said[0].startswith("Traceback") else said[0]
        return f"it said: {line.strip()}"
    if code:
        return f"it exited with status {code} and said nothing"
    printed = out.decode("utf-8", "replace").strip()[:60]
    if not printed:
        return "it printed nothing"
    return f"it printed {printed!r}, which is not what a Python 3 interpreter answers"


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
