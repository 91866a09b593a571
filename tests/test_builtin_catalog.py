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
from asyncsnip.export.common import key_line
from asyncsnip.output.apidoc import signature
from catalog_rules import blocking_calls, tag_problems, unawaited_cancels, unused_api

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
SECTIONS = [  # regrouped by issue 15: subprocesses, streams and protocols apart, four new
    "getting-started",
    "tasks",
    "cancellation",
    "queues",
    "sync",
    "threads",
    "subprocess",
    "streams",
    "protocols",
    "iteration",
    "shutdown",
    "debugging",
    "testing",
    "recipes",
    "pitfalls",
    "ecosystem",
    "legacy",
]
# The snippets whose lesson is a blocking call on the loop's thread.
BLOCKS_ON_PURPOSE = {"debug-mode"}
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
    """130 to 150 snippets, in the seventeen sections in reading order, none empty."""
    assert 130 <= len(builtin.snippets) <= 150
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


def test_api_names_are_used_by_the_code(builtin: Catalog) -> None:
    """Every `api` entry's name is loaded by the code itself (read as a syntax tree: a call
    or an attribute use, not a word in a string, a comment or an annotation)."""
    unused = {s.id: unused_api(s) for s in builtin.snippets.values()}
    assert {ident: names for ident, names in unused.items() if names} == {}


def test_tags_are_justified(builtin: Catalog) -> None:
    """Every tag is in the snippet's id, title, summary, notes or code identifiers (case,
    `-`, `_` and plurals aside); a tag naming an API needs the code to use that API; a
    concept tag (rate-limit, backpressure...) needs the code to show the concept."""
    problems = {s.id: tag_problems(s) for s in builtin.snippets.values()}
    assert {ident: found for ident, found in problems.items() if found} == {}


def _made(ident: str, code: str, tags: list[str], notes: str = "") -> Snippet:
    return Snippet(id=ident, title=ident, tags=tuple(tags), code=code, notes=notes)


SEMAPHORE_ONLY = """
import asyncio


async def main() -> None:
    sem = asyncio.Semaphore(3)
    async with sem:
        await asyncio.sleep(0)
"""


def test_tag_rule_catches_tags_that_contradict_the_code() -> None:
    """The tag rule fails on the catalog's old mistakes: `taskgroup` on a worker pool of
    plain tasks, `rate-limit` on a semaphore (which limits concurrency, not rate), and a
    tag that nothing mentions; it accepts a tag the code bears out."""
    pool = "import asyncio\nasync def main():\n    t = asyncio.create_task(main())\n"
    assert tag_problems(_made("worker-pool", pool, ["taskgroup"])) == [
        "taskgroup: names TaskGroup, which the code never uses"
    ]
    limited = _made("semaphore-limit", SEMAPHORE_ONLY, ["rate-limit"], notes="a rate limit")
    assert tag_problems(limited)[0].startswith("rate-limit: the code does not show it")
    assert tag_problems(_made("x", SEMAPHORE_ONLY, ["database"]))
    assert tag_problems(_made("x", SEMAPHORE_ONLY, ["semaphore", "concurrency-limit"])) == []


def test_no_blocking_call_in_coroutines(builtin: Catalog) -> None:
    """No coroutine calls time.sleep(), open() or pathlib file I/O, and nothing waits on
    `.submit(...).result()`: blocking calls go through to_thread or an executor, except in
    the snippets whose lesson is the blocking call itself."""
    found = {s.id: blocking_calls(s) for s in builtin.snippets.values()}
    assert {i: calls for i, calls in found.items() if calls and i not in BLOCKS_ON_PURPOSE} == {}
    assert all(found[i] for i in BLOCKS_ON_PURPOSE)


def test_blocking_rule_catches_a_sync_write_and_a_waited_submit() -> None:
    """The blocking-call rule fails on the old aiohttp download's write_bytes() in a
    coroutine and on the old database class's `.submit(...).result()`."""
    write = "async def save(dest, resp):\n    dest.write_bytes(await resp.read())\n"
    submit = "class DB:\n    def __init__(self, pool):\n        pool.submit(print).result()\n"
    assert blocking_calls(_made("a", write, ["x"])) and blocking_calls(_made("b", submit, ["x"]))


def test_cancelled_tasks_are_awaited(builtin: Catalog) -> None:
    """Every task a snippet cancels is awaited right after, so its cleanup finishes."""
    found = {s.id: unawaited_cancels(s) for s in builtin.snippets.values()}
    assert {ident: calls for ident, calls in found.items() if calls} == {}


def test_cancel_rule_catches_a_cancel_left_unawaited() -> None:
    """The cancel rule fails on the old wait-timeout: pending tasks cancelled, then the
    function moves on to other work."""
    code = (
        "import asyncio\nasync def main(tasks, more):\n"
        "    done, pending = await asyncio.wait(tasks, timeout=1)\n"
        "    for t in pending:\n        t.cancel()\n"
        "    await asyncio.wait(more)\n"
    )
    fixed = code.replace("await asyncio.wait(more)", "await asyncio.gather(*pending)")
    assert (
        unawaited_cancels(_made("a", code, ["x"]))
        and unawaited_cancels(_made("b", fixed, ["x"])) == []
    )


def test_every_snippet_has_a_tight_gist(builtin: Catalog) -> None:
    """Every built-in snippet has a gist of one to three lines (validation already checks
    that they are lines of its code), each short enough for the one-page sheet."""
    for s in builtin.snippets.values():
        assert s.gist, s.id
        lines = [line.strip() for line in s.gist.strip("\n").split("\n")]
        assert 1 <= len(lines) <= 3, s.id
        assert all(len(line) <= 72 for line in lines), (s.id, lines)


def test_titles_are_short(builtin: Catalog) -> None:
    """Titles fit a line of the sheet and of `list`: at most 55 characters."""
    long = [(s.id, len(s.title)) for s in builtin.snippets.values() if len(s.title) > 55]
    assert long == []


def test_section_comments_sit_above_their_snippets() -> None:
    """Each `# ---- SECTION` comment in the catalog file is followed only by snippets of
    that section, up to the next such comment."""
    text = (REPO / "src" / "asyncsnip" / "data" / "snippets.toml").read_text()
    current, wrong = None, []
    for line in text.splitlines():
        if heading := re.match(r"# -{8,} ([a-z0-9-]+)$", line):
            current = heading[1]
        elif (found := re.match(r'section = "([a-z0-9-]+)"', line)) and current != found[1]:
            wrong.append((current, found[1]))
    assert current is not None and wrong == []


def test_quick_reference_lines_come_from_the_gists(builtin: Catalog) -> None:
    """The quick reference shows a line of each snippet's gist, so never again the lines
    the issue found misleading: a plain get() for "a queue with a timeout", a sleep for
    "an async context manager class", or the nested-run pitfall's own mistake."""
    misleading = {
        "queue-get-timeout": "item = await queue.get()",
        "async-context-manager-class": "await asyncio.sleep(0.01)",
        "pitfall-nested-run": "asyncio.run(coro)",
    }
    for s in builtin.snippets.values():
        assert s.gist is not None
        gist_lines = [line.strip() for line in s.gist.split("\n")]
        assert any(line.startswith(key_line(s)) for line in gist_lines), s.id
    assert {i: key_line(builtin.snippets[i]) for i in misleading}.items().isdisjoint(
        misleading.items()
    )


@pytest.mark.parametrize("minor", MATRIX)
def test_api_coverage_per_python(minor: str) -> None:
    """bench/api_coverage.py, run by each Python: at least 90% of its asyncio names (72 on
    3.13) are used by snippets that run there, and every method the issue lists."""
    python = interpreters()[minor]
    proc = subprocess.run(
        [python, str(REPO / "bench" / "api_coverage.py"), "--json"],
        capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    report = json.loads(proc.stdout)
    assert report["names_used"] >= 0.9 * report["names"], report["names_uncovered"]
    assert report["methods_uncovered"] == []
    if minor == "3.13":
        assert report["names"] == 72
