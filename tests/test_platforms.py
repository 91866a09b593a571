"""The engine where Linux's facilities are missing: macOS (no /proc, no subreaper) and
Windows (no fork, no process groups). On Linux the facilities are switched off with
ASYNCSNIP_WITHOUT; on macOS and Windows (.github/workflows/platforms.yml) the native case
runs as it is. Every snippet records its pids; what a platform cannot guarantee is said."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from asyncsnip.engine.contain import Facilities, describe
from conftest import asyncsnip

ROOT = Path(__file__).parent.parent
PORTABLE = Path(__file__).parent / "data" / "portable.toml"
LINUX = sys.platform.startswith("linux")
# name -> what is switched off to look like it (on its own platform: nothing)
MODES = {
    "native": "",
    "macos": "proc,prctl",
    "windows": "fork,pgroups,proc,prctl",
}


def alive(pid: int) -> bool:
    """Is `pid` a running process (a zombie is not)?"""
    if LINUX:
        try:
            stat = Path(f"/proc/{pid}/stat").read_bytes()
        except OSError:
            return False
        return stat.rpartition(b")")[2].split()[0] not in (b"Z", b"X")
    if sys.platform == "win32":
        import ctypes

        kernel = ctypes.windll.kernel32  # type: ignore[attr-defined]
        handle = kernel.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
        if not handle:
            return False
        code = ctypes.c_ulong()
        kernel.GetExitCodeProcess(handle, ctypes.byref(code))
        kernel.CloseHandle(handle)
        return code.value == 259  # STILL_ACTIVE
    state = subprocess.run(["ps", "-o", "stat=", "-p", str(pid)], capture_output=True, text=True)
    return state.returncode == 0 and not state.stdout.strip().startswith("Z")


def modes() -> list[str]:
    return list(MODES) if LINUX else ["native"]


def env_for(mode: str, pids: Path) -> dict[str, str]:
    return {"ASYNCSNIP_WITHOUT": MODES[mode], "ASYNCSNIP_TEST_PIDS": str(pids)}


def end_leftovers(pids: list[int]) -> None:
    """What a partial mode is allowed to leave: ended here, so no test leaves it running."""
    for pid in pids:
        if alive(pid):
            subprocess.run(
                ["taskkill", "/F", "/PID", str(pid)] if sys.platform == "win32"
                else ["kill", "-9", str(pid)],
                capture_output=True, check=False,
            )  # fmt: skip


def test_describe_says_what_each_platform_cannot_guarantee() -> None:
    """Complete with /proc, prctl and fork; partial, naming what escapes, otherwise."""
    assert describe(Facilities(True, True, True, True)).startswith("complete")
    macos = describe(Facilities(False, False, True, True))
    assert macos.startswith("partial") and "setsid" in macos and "outlive" in macos
    windows = describe(Facilities(False, False, False, False))
    assert windows.startswith("partial") and "taskkill /T" in windows


@pytest.mark.parametrize("mode", modes())
def test_doctor_reports_containment(mode: str, tmp_path: Path) -> None:
    """`doctor` shows the containment in force for this platform (or the switched-off one)."""
    proc = asyncsnip("doctor", env=env_for(mode, tmp_path / "pids"))
    assert proc.returncode == 0, proc.stderr
    line = next(ln for ln in proc.stdout.decode().splitlines() if ln.startswith("containment"))
    full = mode == "native" and LINUX
    assert ("complete" if full else "partial") in line


@pytest.mark.parametrize("mode", modes())
def test_timeout_ends_the_snippet_and_its_child(mode: str, tmp_path: Path) -> None:
    """A snippet past its timeout is ended with its child (its process group, or its tree on
    Windows); only the simulated Windows mode, which has no tree to end on Linux, may leave
    the child, as `doctor` says."""
    pids = tmp_path / "pids"
    pids.touch()
    started = time.monotonic()
    proc = asyncsnip(
        "--no-builtin", "--catalog", PORTABLE, "run", "sleeper-with-child", "--json",
        env=env_for(mode, pids), timeout=60,
    )  # fmt: skip
    assert proc.returncode == 124, proc.stderr
    result = json.loads(proc.stdout)
    stdout = result["stdout"].replace("\r\n", "\n")  # Windows writes text with CRLF
    assert (result["status"], stdout) == ("timeout", "started\n")
    assert time.monotonic() - started < 10
    snippet, child = (int(word) for word in pids.read_text().split())
    deadline = time.monotonic() + 3
    while alive(snippet) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not alive(snippet)
    if mode != "windows" or sys.platform == "win32":
        while alive(child) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not alive(child)
    end_leftovers([child])


@pytest.mark.parametrize("mode", modes())
def test_check_gives_each_verdict(mode: str, tmp_path: Path) -> None:
    """`check` runs and judges snippets in every mode."""
    pids = tmp_path / "pids"
    pids.touch()
    proc = asyncsnip(
        "--no-builtin", "--catalog", PORTABLE, "check", "--tag", "portable", "--json",
        "--timeout", "1",
        env=env_for(mode, pids), timeout=60,
    )  # fmt: skip
    assert proc.returncode == 1, proc.stderr
    statuses = {r["id"]: r["status"] for r in json.loads(proc.stdout)["results"]}
    assert statuses == {"sleeper-with-child": "timeout", "quick": "passed", "fails": "failed"}
    end_leftovers([int(word) for word in pids.read_text().split()])


@pytest.mark.parametrize("mode", [m for m in modes() if m != "windows"])
@pytest.mark.skipif(sys.platform == "win32", reason="no warden without fork: documented")
def test_a_snippet_that_kills_its_parent_harms_only_itself(mode: str, tmp_path: Path) -> None:
    """Wherever there is fork, a snippet's parent is its warden: killing it ends only the
    snippet, which is marked for it; asyncsnip lives on and says what was ended."""
    pids = tmp_path / "pids"
    pids.touch()
    proc = asyncsnip(
        "--no-builtin", "--catalog", PORTABLE, "run", "kills-parent", "--json",
        env=env_for(mode, pids), timeout=60,
    )  # fmt: skip
    assert proc.returncode == 1, proc.stderr
    result = json.loads(proc.stdout)
    assert result["status"] == "failed"
    assert "killed the process that supervises it (its parent)" in result["reason"]
    ended = "every process it started" if mode == "native" and LINUX else "its process group"
    assert f"it and {ended} were ended" in result["reason"]
    (snippet,) = (int(word) for word in pids.read_text().split())
    deadline = time.monotonic() + 3
    while alive(snippet) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not alive(snippet)


def test_workflow_runs_this_file_on_macos_and_windows() -> None:
    """The workflow is valid YAML and runs these tests on macOS and Windows runners."""
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "platforms.yml").read_text())
    job = workflow["jobs"]["engine"]
    assert set(job["strategy"]["matrix"]["os"]) == {"macos-latest", "windows-latest"}
    assert job["runs-on"] == "${{ matrix.os }}"
    commands = [step.get("run", "") for step in job["steps"]]
    assert any("pytest" in command and "tests/test_platforms.py" in command for command in commands)
    triggers = workflow[True]  # YAML 1.1 reads the key `on` as true
    assert {"push", "pull_request"} <= set(triggers)
