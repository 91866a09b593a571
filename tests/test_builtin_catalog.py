"""The built-in catalog: coverage, teaching quality, and every snippet verified on every Python."""

from __future__ import annotations

import importlib
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from asyncsnip.catalog.loader import load
from asyncsnip.catalog.model import Catalog
from asyncsnip.catalog.schema import Snippet
from asyncsnip.output.apidoc import signature

REPO = Path(__file__).resolve().parent.parent
# The tags the contract says `asyncsnip show TAG` must find (copied from CONTRACT.md by hand).
CONTRACT_TAGS = [
    "run",
    "runner",
    "coroutine",
    "sleep",
    "event-loop",
    "loop-time",
    "debug",
    "create-task",
    "task-name",
    "gather",
    "return-exceptions",
    "taskgroup",
    "exception-group",
    "wait",
    "first-completed",
    "as-completed",
    "ensure-future",
    "done-callback",
    "cancel",
    "timeout",
    "timeout-at",
    "wait-for",
    "shield",
    "queue",
    "priority-queue",
    "producer-consumer",
    "worker-pool",
    "lock",
    "event",
    "semaphore",
    "condition",
    "barrier",
    "to-thread",
    "run-in-executor",
    "process-pool",
    "subprocess",
    "streams",
    "async-generator",
    "async-comprehension",
    "async-context-manager",
    "retry",
    "heartbeat",
    "periodic",
    "fan-out",
    "rate-limit",
    "pitfall",
    "blocking-call",
    "forgotten-await",
    "fire-and-forget",
    "get-event-loop",
    "run-until-complete",
    "legacy",
    "httpx",
    "aiohttp",
    "uvloop",
]
SECTIONS = [
    "getting-started",
    "tasks",
    "cancellation",
    "queues",
    "sync",
    "threads",
    "subprocess-streams",
    "iteration",
    "recipes",
    "pitfalls",
    "ecosystem",
    "legacy",
]
MODERN = {  # API -> the Python that introduced it, as the issue lists them
    "asyncio.Runner": "3.11",
    "asyncio.TaskGroup": "3.11",
    "asyncio.timeout": "3.11",
    "asyncio.timeout_at": "3.11",
    "asyncio.Barrier": "3.11",
    "asyncio.Condition": "3.11",
    "asyncio.eager_task_factory": "3.12",
    "asyncio.Queue.shutdown": "3.13",
}
MATRIX = ("3.11", "3.12", "3.13")


@pytest.fixture(scope="module")
def builtin() -> Catalog:
    return load(builtin=True)


def version(snippet: Snippet) -> tuple[int, ...]:
    return tuple(int(part) for part in (snippet.python or "3.11").split("."))


def test_size_and_sections(builtin: Catalog) -> None:
    """At least 60 snippets, in the twelve sections in reading order, none empty."""
    assert len(builtin.snippets) >= 60
    assert list(builtin.sections) == SECTIONS
    used = {s.section for s in builtin.snippets.values()}
    assert used == set(SECTIONS)


@pytest.mark.parametrize("tag", CONTRACT_TAGS)
def test_contract_tag_finds_a_snippet(builtin: Catalog, tag: str) -> None:
    """Every tag of the contract's list is an exact tag of at least one snippet."""
    assert any(tag in s.tags for s in builtin.snippets.values())


@pytest.mark.parametrize(("api", "minimum"), sorted(MODERN.items()))
def test_modern_api_is_taught_with_its_minimum(builtin: Catalog, api: str, minimum: str) -> None:
    """The modern APIs have a snippet, and its `python` is at least the API's version."""
    teaching = [s for s in builtin.snippets.values() if api in s.api]
    assert teaching, f"no snippet teaches {api}"
    assert all(s.python and s.python >= minimum for s in teaching)


def test_as_completed_async_iterator_needs_313(builtin: Catalog) -> None:
    """`async for` over as_completed (new in 3.13) is taught with python = "3.13"."""
    found = [
        s for s in builtin.snippets.values() if "async for" in s.code and "as_completed" in s.code
    ]
    assert found and all(s.python == "3.13" for s in found)


def test_teaching_fields(builtin: Catalog) -> None:
    """Each snippet has a one-line summary, notes, api names, and short code."""
    for s in builtin.snippets.values():
        assert s.summary and "\n" not in s.summary, s.id
        assert len(s.notes) > 40, s.id
        assert s.api, s.id
        lines = [line for line in s.code.splitlines() if line.strip()]
        assert len(lines) <= 32, f"{s.id} has {len(lines)} lines of code"
        assert s.output is not None or "print" not in s.code, f"{s.id} prints but has no output"


def test_see_also_points_at_snippets(builtin: Catalog) -> None:
    """Every see_also id exists, and no snippet links to itself."""
    for s in builtin.snippets.values():
        for other in s.see_also:
            assert other in builtin.snippets and other != s.id, (s.id, other)


def resolve(dotted: str) -> object:
    """Import the longest importable prefix, then walk attributes (the built-in catalog is
    asyncsnip's own: importing what it names is fine here, unlike for any catalog)."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj: object = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for name in parts[cut:]:
            obj = getattr(obj, name)
        return obj
    raise ImportError(dotted)


def test_api_names_resolve(builtin: Catalog) -> None:
    """Every api name is a real attribute on the running Python (for snippets it can run)."""
    for s in builtin.snippets.values():
        if version(s) > sys.version_info[:2] or s.requires:
            continue
        for name in s.api:
            resolve(name)


def test_api_names_get_a_signature_or_a_kind(builtin: Catalog) -> None:
    """The detailed view finds something for every api name the running Python has: asyncio
    and the standard modules by asking them, httpx, aiohttp and uvloop from their source."""
    for s in builtin.snippets.values():
        if version(s) > sys.version_info[:2]:
            continue
        for name in s.api:
            shown = signature(name)
            assert shown.startswith(name) and shown != name, shown
            assert "not available" not in shown, shown


def test_network_snippets_stay_on_loopback(builtin: Catalog) -> None:
    """No snippet names a host on the network: servers are started on 127.0.0.1, and a
    pretend URL uses a reserved name (RFC 2606) or a bare label, never a public host."""
    for s in builtin.snippets.values():
        hosts = re.findall(r"https?://([^/:'\"]+)", s.code)
        outside = [h for h in hosts if h not in ("127.0.0.1", "localhost")]
        public = [h for h in outside if "." in h and not h.endswith((".test", ".invalid"))]
        assert public == [], (s.id, hosts)


def test_third_party_snippets_name_their_packages(builtin: Catalog) -> None:
    """A snippet importing httpx, aiohttp or uvloop lists the package in `requires`."""
    for s in builtin.snippets.values():
        for package in ("httpx", "aiohttp", "uvloop"):
            if re.search(rf"^\s*(import|from) {package}\b", s.code, re.M):
                assert package in s.requires, (s.id, package)


def test_coverage_doc_names_real_snippets(builtin: Catalog) -> None:
    """docs/coverage.md maps seed patterns to snippet ids that exist."""
    text = (REPO / "docs" / "coverage.md").read_text()
    named = set(re.findall(r"`([a-z0-9]+(?:-[a-z0-9]+)+)`", text))
    assert len(named & builtin.snippets.keys()) >= 60
    assert "Mistakes" in text or "mistakes" in text


def interpreters() -> dict[str, str]:
    """One interpreter per supported minor version: this one, and the .venvs/ .ci/run made."""
    found = {f"{sys.version_info[0]}.{sys.version_info[1]}": sys.executable}
    for minor in MATRIX:
        candidate = REPO / ".venvs" / minor / "bin" / "python"
        if minor not in found and candidate.exists():
            found[minor] = str(candidate)
    return found


def test_matrix_interpreters_exist() -> None:
    """3.11, 3.12 and 3.13 are all available (.ci/run creates .venvs/3.12 and .venvs/3.13)."""
    assert sorted(interpreters()) == list(MATRIX)


def test_every_snippet_passes_on_every_python(builtin: Catalog) -> None:
    """`asyncsnip check` of the whole catalog on 3.11, 3.12 and 3.13: nothing fails,
    and a snippet is skipped only where its `python` minimum is newer than the interpreter."""
    pythons = interpreters()
    argv = [sys.executable, "-m", "asyncsnip", "check", "--json"]
    for executable in pythons.values():
        argv += ["--python", executable]
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=400)
    report = json.loads(proc.stdout)
    problems = [
        f"{r['id']} on {r['python']}: {r['status']} {r['reason']}\n"
        f"{r['diff'] or r['stderr'][-800:]}"
        for r in report["results"]
        if r["status"] in ("failed", "mismatch", "timeout")
    ]
    assert problems == []
    for r in report["results"]:
        if r["status"] == "skipped":
            minimum = version(builtin.snippets[r["id"]])
            target = tuple(int(p) for p in r["python"].split()[0].split(".")[:2])
            assert minimum > target, f"{r['id']} skipped on {r['python']}: {r['reason']}"
    assert report["summary"]["total"] == len(builtin.snippets) * len(pythons)
    assert proc.returncode == 0


def test_minimum_is_not_overstated(builtin: Catalog) -> None:
    """A snippet marked for a newer Python really fails on the version before it."""
    pythons = interpreters()
    for s in builtin.snippets.values():
        major, minor = version(s)
        older = pythons.get(f"{major}.{minor - 1}")
        if minor <= 11 or older is None:
            continue
        run = subprocess.run([older, "-c", s.code], capture_output=True, timeout=30)
        assert run.returncode != 0, f"{s.id} runs on {major}.{minor - 1}"
