"""No process a snippet starts outlives `run` or `check`, and no snippet can harm the engine
or the other snippets: real processes, every pid recorded and looked up in /proc."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import MODULE, alive, asyncsnip, recorded, running_here

DATA = Path(__file__).parent / "data"
ESCAPES = DATA / "escapes.toml"
HOSTILE = DATA / "hostile.toml"
INNOCENT = {
    "innocent-1": ("passed", 0),
    "innocent-2": ("passed", 0),
    "innocent-3": ("failed", 4),
    "innocent-4": ("mismatch", 0),
    "innocent-5": ("timeout", -signal.SIGTERM),
    "innocent-6": ("passed", 0),
    "innocent-7": ("passed", 0),
    "innocent-8": ("passed", 0),
}

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="looks processes up in /proc")


@pytest.fixture
def pids(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The file where the snippets record the pids they start; temporary files go to a
    directory of the test's own, so that what is left there can be counted."""
    path = tmp_path / "pids.txt"
    path.touch()
    monkeypatch.setenv("ASYNCSNIP_TEST_PIDS", str(path))
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setenv("TMPDIR", str(scratch))
    return path


def survivors(path: Path, expected: int) -> list[int]:
    """The recorded pids still alive; there must be `expected` of them recorded."""
    started = recorded(path)
    assert len(started) == expected, started
    return [pid for pid in started if alive(pid)]


def leftovers(pids: Path) -> list[str]:
    """What asyncsnip left in the test's temporary directory."""
    return sorted(os.listdir(pids.parent / "scratch"))


def engine_processes() -> set[int]:
    """Fork servers and wardens started by this test, still alive."""
    return running_here(b"The warden: one process per snippet")


def report(proc: subprocess.CompletedProcess[bytes]) -> dict[str, dict[str, object]]:
    assert b"Traceback" not in proc.stderr, proc.stderr.decode()
    return {r["id"]: r for r in json.loads(proc.stdout)["results"]}


@pytest.mark.parametrize("ident", ["process-group", "setpgid", "new-session", "daemon"])
def test_run_ends_what_leaves_its_group(pids: Path, ident: str) -> None:
    """A child in another process group or session, or a double-forked daemon ignoring
    SIGTERM: `run` gives the snippet's own verdict at once, and ends the leftover."""
    started = time.monotonic()
    proc = asyncsnip("--no-builtin", "--catalog", ESCAPES, "run", ident, "--json", "--timeout", "5")
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert (result["status"], result["reason"]) == ("passed", None)
    assert result["duration_s"] < 2
    assert time.monotonic() - started < 5
    assert survivors(pids, 1) == []
    assert leftovers(pids) == []


def test_check_ends_every_escape(pids: Path) -> None:
    """Under `check` (fork server), every way out of the process group is closed too."""
    before = engine_processes()
    proc = asyncsnip("--no-builtin", "--catalog", ESCAPES, "check", "--tag", "escape", "--json")
    assert proc.returncode == 0, proc.stderr
    assert {i: r["status"] for i, r in report(proc).items()} == dict.fromkeys(
        ["process-group", "setpgid", "new-session", "daemon"], "passed"
    )
    assert survivors(pids, 4) == []
    assert engine_processes() - before == set()
    assert leftovers(pids) == []


@pytest.mark.parametrize("forkserver", ["1", "0"])
def test_a_snippet_that_stops_or_kills_its_parent_harms_only_itself(
    pids: Path, forkserver: str
) -> None:
    """SIGSTOP and SIGKILL to its parent mark that snippet alone, with what it did; the 8
    others get their true verdicts, asyncsnip survives, and nothing is left running."""
    before = engine_processes()
    started = time.monotonic()
    proc = asyncsnip(
        "--no-builtin", "--catalog", ESCAPES, "check", "--tag", "batch",
        "--json", env={"ASYNCSNIP_FORKSERVER": forkserver}, timeout=60,
    )  # fmt: skip
    took = time.monotonic() - started
    assert proc.returncode == 1
    results = report(proc)
    assert {i: (results[i]["status"], results[i]["exit_code"]) for i in INNOCENT} == INNOCENT
    for ident, did in (("stops-parent", "stopped"), ("kills-parent", "killed")):
        assert results[ident]["status"] == "failed"
        assert f"{did} the process that supervises it (its parent)" in str(results[ident]["reason"])
    assert "SIGKILL" in str(results["kills-parent"]["reason"])
    assert took < 15
    assert survivors(pids, 4) == []
    assert engine_processes() - before == set()
    assert leftovers(pids) == []


@pytest.mark.parametrize(
    ("ident", "did"), [("stops-parent", "stopped"), ("kills-parent", "killed")]
)
def test_run_marks_what_a_snippet_did_to_its_parent(pids: Path, ident: str, did: str) -> None:
    """`run` of a snippet that stops or kills its parent: exit 1, the reason says so."""
    proc = asyncsnip("--no-builtin", "--catalog", ESCAPES, "run", ident, "--json", timeout=30)
    assert proc.returncode == 1
    result = json.loads(proc.stdout)
    assert result["status"] == "failed"
    assert f"{did} the process that supervises it" in result["reason"]
    assert survivors(pids, 2) == []


def fork_servers() -> list[int]:
    found = []
    for pid in engine_processes():
        try:
            if b"MODULE..." in Path(f"/proc/{pid}/cmdline").read_bytes():
                found.append(pid)
        except OSError:
            continue
    return sorted(found)


@pytest.mark.parametrize("signum", [signal.SIGSTOP, signal.SIGKILL])
def test_a_stopped_or_killed_fork_server_is_replaced(pids: Path, signum: int) -> None:
    """The fork server stopped or killed from outside in the middle of a check: it is
    detected (killed if stopped) and replaced, and every snippet keeps its true verdict."""
    before = set(fork_servers())
    argv = [*MODULE, "--no-builtin", "--catalog", ESCAPES, "check", "--tag", "innocent"]
    proc = subprocess.Popen(
        [*argv, "--json", "--jobs", "3"], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    deadline = time.monotonic() + 20
    while not (servers := set(fork_servers()) - before) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert servers, "no fork server started"
    time.sleep(0.3)  # the first snippets are running
    for server in servers:
        os.kill(server, signum)
    stdout, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 1, stderr
    results = {r["id"]: r for r in json.loads(stdout)["results"]}
    assert {i: (results[i]["status"], results[i]["exit_code"]) for i in INNOCENT} == INNOCENT
    assert all(not alive(server) for server in servers)
    assert set(fork_servers()) - before == set()
    assert leftovers(pids) == []


@pytest.mark.parametrize("command", ["run", "check"])
def test_sigkill_of_asyncsnip_leaves_no_snippet_running(pids: Path, command: str) -> None:
    """asyncsnip SIGKILLed while a snippet runs: its wardens see their socket close and end
    the snippet and its children; its fork server dies with it (PR_SET_PDEATHSIG)."""
    before = engine_processes()
    argv = [*MODULE, "--no-builtin", "--catalog", HOSTILE, command, "ignore-sigterm"]
    proc = subprocess.Popen([*argv, "--timeout", "30"], stdout=subprocess.PIPE)
    deadline = time.monotonic() + 20
    while len(recorded(pids)) < 2 and time.monotonic() < deadline:
        time.sleep(0.02)
    proc.kill()
    proc.wait()
    deadline = time.monotonic() + 5
    while survivors(pids, 2) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert survivors(pids, 2) == []
    while engine_processes() - before and time.monotonic() < deadline:
        time.sleep(0.05)
    assert engine_processes() - before == set()
    if proc.stdout is not None:
        proc.stdout.close()
