"""The engine against hostile snippets, through the real CLI in real subprocesses."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import MODULE, alive, asyncsnip, on_terminal, recorded, running_here

HOSTILE = Path(__file__).parent / "data" / "hostile.toml"


@pytest.fixture
def pids(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The file where hostile snippets record the pids they start."""
    path = tmp_path / "pids.txt"
    path.touch()
    monkeypatch.setenv("ASYNCSNIP_TEST_PIDS", str(path))
    return path


def hostile(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[bytes]:
    """asyncsnip over the catalog of hostile snippets, as a real process."""
    return asyncsnip("--no-builtin", "--catalog", HOSTILE, *args, timeout=timeout)


def run_json(ident: str, *extra: str) -> tuple[int, dict[str, object], float]:
    started = time.monotonic()
    proc = hostile("run", ident, "--json", *extra)
    return proc.returncode, json.loads(proc.stdout), time.monotonic() - started


def assert_all_ended(path: Path) -> None:
    started = recorded(path)
    assert started, "the snippet recorded no pids"
    assert [pid for pid in started if alive(pid)] == []


def test_hang_times_out_and_leaves_nothing(pids: Path) -> None:
    """A snippet sleeping past its timeout is ended: status timeout, exit 124."""
    code, result, took = run_json("hang")
    assert code == 124
    assert result["status"] == "timeout"
    assert result["stdout"] == "started\n"
    assert took < 4
    assert_all_ended(pids)


def test_sigterm_ignored_is_killed(pids: Path) -> None:
    """A snippet and a child that both ignore SIGTERM are SIGKILLed after the grace."""
    code, result, took = run_json("ignore-sigterm")
    assert code == 124
    assert result["status"] == "timeout"
    assert result["exit_code"] == -signal.SIGKILL
    assert took < 5
    assert_all_ended(pids)


def test_grandchild_holding_stdout_does_not_hang(pids: Path) -> None:
    """The verdict comes when the snippet exits, not when its grandchild closes stdout."""
    code, result, took = run_json("grandchild-holds-stdout")
    assert code == 0
    assert result["status"] == "passed"
    assert took < 5
    assert_all_ended(pids)


def test_timeout_option_overrides_snippet_timeout(pids: Path) -> None:
    """--timeout replaces the snippet's own timeout."""
    code, result, took = run_json("hang", "--timeout", "0.3")
    assert code == 124
    assert result["reason"] == "still running after 0.3s; ended"
    assert took < 3
    assert_all_ended(pids)


def test_flood_is_captured_bounded_and_streamed_whole(tmp_path: Path) -> None:
    """100 MB of output: all of it streams to stdout, only 1 MiB is kept for the verdict."""
    code, result, took = run_json("flood")
    assert code == 0
    assert result["status"] == "passed"
    stdout = str(result["stdout"])
    assert len(stdout) < (1 << 20) + 100
    assert stdout.endswith("[asyncsnip: output cut at 1 MiB]\n")
    assert took < 20
    target = tmp_path / "out.txt"
    with target.open("wb") as out:
        argv = [sys.executable, "-m", "asyncsnip", "--no-builtin", "--catalog", str(HOSTILE)]
        proc = subprocess.run([*argv, "run", "flood"], stdout=out, stderr=subprocess.PIPE)
    assert proc.returncode == 0
    assert target.stat().st_size == 100 * 1024 * 1024
    assert b"passed: flood" in proc.stderr


def test_stdin_is_at_end_of_file() -> None:
    """A snippet reading stdin gets end-of-file at once, not the user's terminal."""
    code, result, took = run_json("reads-stdin")
    assert (code, result["status"], result["stdout"]) == (0, "passed", "''\n")
    assert took < 5


def test_working_directory_is_fresh_and_removed(pids: Path) -> None:
    """Files a snippet writes go to a temporary directory that is gone afterwards."""
    code, result, _ = run_json("writes-files")
    assert (code, result["status"]) == (0, "passed")
    cwd = Path(pids.read_text().split("cwd ", 1)[1].strip())
    assert cwd != Path.cwd()
    assert not cwd.exists()


def test_undecodable_output_is_replaced() -> None:
    """Bytes that are not UTF-8 become replacement characters, never a crash."""
    code, result, _ = run_json("not-utf8")
    assert code == 0
    assert result["stdout"] == "caf\ufffd \ufffd\ufffd ok\n"


def test_nonzero_exit_is_failed() -> None:
    """A non-zero exit status is `failed`, with the status in the reason."""
    code, result, _ = run_json("exit-3")
    assert code == 1
    assert (result["status"], result["exit_code"]) == ("failed", 3)
    assert result["reason"] == "exit status 3"
    assert result["stdout"] == "about to fail\n"


def test_death_by_signal_is_failed() -> None:
    """A snippet killed by a signal is `failed`, and the signal is named."""
    code, result, _ = run_json("killed")
    assert code == 1
    assert result["status"] == "failed"
    assert result["reason"] == "killed by signal SIGKILL"


def test_mismatch_shows_a_diff() -> None:
    """Exit 0 with other output is `mismatch`, with a unified diff on stderr."""
    proc = hostile("run", "wrong-output")
    assert proc.returncode == 1
    assert proc.stdout == b"one\ntwo\n"
    stderr = proc.stderr.decode()
    assert "mismatch: wrong-output" in stderr
    assert "-three\n+two" in stderr


@pytest.mark.parametrize("ident", ["ellipsis", "unordered"])
def test_ellipsis_and_unordered_output_pass(ident: str) -> None:
    """`...` lines, inline `...` and `ordered = false` match varying output."""
    for _ in range(3):  # the unordered one shuffles its lines
        code, result, _ = run_json(ident)
        assert (code, result["status"]) == (0, "passed"), result


@pytest.mark.parametrize(
    ("ident", "reason"),
    [
        ("needs-future", "needs Python >= 9.99"),
        ("needs-module", "needs no_such_module_asyncsnip"),
    ],
)
def test_skipped_snippets_say_why(ident: str, reason: str) -> None:
    """`run` on a snippet the target cannot run exits 1, says why and suggests --python."""
    proc = hostile("run", ident)
    assert proc.returncode == 1
    assert proc.stdout == b""
    stderr = proc.stderr.decode()
    assert f"skipped: {ident}" in stderr
    assert reason in stderr
    assert "--python" in stderr


def test_python_option_and_environment_choose_the_interpreter(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """--python wins over ASYNCSNIP_PYTHON, which wins over the running interpreter."""
    catalog = tmp_path / "c.toml"
    catalog.write_text(
        '[[snippets]]\nid = "which"\ntitle = "t"\ntags = ["t"]\n'
        "code = '''\nimport sys\nprint(sys.executable)\n'''\n"
    )
    fake = tmp_path / "py"
    fake.symlink_to(sys.executable)
    base = [sys.executable, "-m", "asyncsnip", "--no-builtin", "--catalog", str(catalog)]
    monkeypatch.setenv("ASYNCSNIP_PYTHON", str(fake))
    from_env = subprocess.run([*base, "run", "which"], capture_output=True, text=True)
    assert from_env.returncode == 0
    assert from_env.stdout.strip() == str(fake)
    chosen = subprocess.run(
        [*base, "run", "which", "--python", sys.executable], capture_output=True, text=True
    )
    assert chosen.stdout.strip() == sys.executable


def test_bad_python_is_a_clear_error() -> None:
    """An interpreter that does not exist is a usage error, not a traceback."""
    proc = hostile("run", "reads-stdin", "--python", "/no/such/python")
    assert proc.returncode == 2
    assert b"Traceback" not in proc.stderr
    assert b"/no/such/python" in proc.stderr


def test_unknown_id_suggests() -> None:
    """An unknown id is exit 2 with close ids suggested."""
    proc = hostile("run", "hnag")
    assert proc.returncode == 2
    assert b"did you mean: hang" in proc.stderr


@pytest.mark.parametrize(
    ("signum", "code"),
    [(signal.SIGINT, 130), (signal.SIGTERM, 128 + signal.SIGTERM), (signal.SIGHUP, 129)],
)
def test_signal_to_asyncsnip_ends_everything(pids: Path, signum: int, code: int) -> None:
    """Ctrl-C, SIGTERM or SIGHUP to `asyncsnip run` end the snippet and all its children."""
    argv = [sys.executable, "-m", "asyncsnip", "--no-builtin", "--catalog", str(HOSTILE)]
    proc = subprocess.Popen(
        [*argv, "run", "ignore-sigterm", "--timeout", "30"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
    )
    assert proc.stdout is not None
    assert proc.stdout.readline() == b"started\n"  # ready marker: the snippet is running
    started = time.monotonic()
    proc.send_signal(signum)
    _, stderr = proc.communicate(timeout=10)
    assert proc.returncode == code
    assert time.monotonic() - started < 4
    assert b"interrupted" in stderr
    assert b"Traceback" not in stderr
    assert len(recorded(pids)) == 2
    assert_all_ended(pids)


def test_check_runs_concurrently_and_reports(pids: Path) -> None:
    """check runs the selection at once, gives a verdict for each and a summary."""
    started = time.monotonic()
    proc = hostile("check", "--json", "--timeout", "2", "--jobs", "16")
    took = time.monotonic() - started
    assert proc.returncode == 1
    report = json.loads(proc.stdout)
    statuses = {r["id"]: r["status"] for r in report["results"]}
    assert statuses == {
        "hang": "timeout",
        "ignore-sigterm": "timeout",
        "grandchild-holds-stdout": "passed",
        "flood": "passed",
        "reads-stdin": "passed",
        "writes-files": "passed",
        "not-utf8": "passed",
        "exit-3": "failed",
        "killed": "failed",
        "wrong-output": "mismatch",
        "ellipsis": "passed",
        "unordered": "passed",
        "needs-future": "skipped",
        "needs-module": "skipped",
    }
    assert report["summary"] == {
        "total": 14,
        "passed": 7,
        "failed": 2,
        "mismatch": 1,
        "timeout": 2,
        "skipped": 2,
    }
    assert took < 15
    assert_all_ended(pids)


def test_check_matrix_names_each_interpreter(tmp_path: Path) -> None:
    """Repeating --python checks each snippet once per interpreter."""
    other = tmp_path / "other-python"
    other.symlink_to(sys.executable)
    proc = hostile(
        "check", "--tag", "matching", "--json", "--python", sys.executable, "--python", str(other)
    )
    assert proc.returncode == 0
    results = json.loads(proc.stdout)["results"]
    assert len(results) == 4
    assert {r["python"].split("(")[1].rstrip(")") for r in results} == {sys.executable, str(other)}


def test_check_plain_report_lists_problems() -> None:
    """The piped report has a line per snippet, the diff of a mismatch and the totals."""
    proc = hostile("check", "wrong-output", "exit-3", "reads-stdin")
    assert proc.returncode == 1
    out = proc.stdout.decode()
    assert "\x1b" not in out
    assert "mismatch  wrong-output" in out
    assert "-three\n+two" in out
    assert "3 checked in" in out
    assert "1 passed, 1 failed, 1 mismatch" in out


def test_check_exit_zero_when_only_skipped_and_passed() -> None:
    """Skipped is not a failure."""
    proc = hostile("check", "--tag", "skip", "--tag", "skip")
    assert proc.returncode == 0, proc.stdout


IDENTITY = Path(__file__).parent / "data" / "identity.toml"


def test_forked_snippets_behave_like_fresh_processes() -> None:
    """`check` forks snippets from a pre-started interpreter; every observable fact of the
    process (argv, __main__, cwd, stdin, session, exit codes, tracebacks, threads, atexit,
    child processes, output kept on a kill) is the same as for a fresh `python -u SCRIPT`."""
    base = [sys.executable, "-m", "asyncsnip", "--no-builtin", "--catalog", str(IDENTITY)]
    forked = subprocess.run([*base, "check", "--json"], capture_output=True, timeout=60)
    fresh = subprocess.run(
        [*base, "check", "--json"],
        capture_output=True,
        timeout=60,
        env={**os.environ, "ASYNCSNIP_FORKSERVER": "0"},
    )

    def facts(proc: subprocess.CompletedProcess[bytes]) -> dict[str, tuple[object, ...]]:
        results = json.loads(proc.stdout)["results"]
        tmp = re.compile(r"/[^\s\"']*asyncsnip-[^/\s\"']+")  # temporary paths differ per run
        return {
            r["id"]: (r["status"], r["exit_code"], r["stdout"], tmp.sub("TMP", r["stderr"]))
            for r in results
        }

    assert facts(forked) == facts(fresh)
    seen = facts(forked)
    assert seen["process-facts"][2].splitlines()[:4] == [
        "__main__ snippet-process-facts.py snippet-process-facts.py 1",
        "True work",
        "'' False utf-8",
        "True True",
    ]
    assert seen["traceback"][1] == 1
    assert 'TMP/snippet-traceback.py", line 4, in <module>' in str(seen["traceback"][3])
    assert str(seen["traceback"][3]).startswith("Traceback (most recent call last):")
    assert seen["exit-message"][1:] == (1, "bye\n", "leaving now\n")
    assert seen["exit-code"][1] == 3
    assert seen["threads-and-atexit"][2] == "main done\nthread finished\natexit ran\n"
    assert seen["process-pool"][2] == "[0, 1, 4, 9, 16]\n"
    assert seen["unflushed-print"][:3] == ("timeout", -signal.SIGTERM, "partial line, no newline")


def fork_servers() -> list[int]:
    """Pids of running fork servers started by this test."""
    return sorted(running_here(b"The fork server: runs inside"))


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_signal_to_check_ends_snippets_and_servers(pids: Path, signum: int) -> None:
    """Interrupting `check` ends every snippet, every child of a snippet and the fork server."""
    before = set(fork_servers())
    argv = [sys.executable, "-m", "asyncsnip", "--no-builtin", "--catalog", str(HOSTILE)]
    proc = subprocess.Popen(
        [*argv, "check", "hang", "ignore-sigterm", "--timeout", "30"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 20
    while len(recorded(pids)) < 3 and time.monotonic() < deadline:  # ready: all started
        time.sleep(0.02)
    assert len(recorded(pids)) == 3
    started = time.monotonic()
    proc.send_signal(signum)
    _, stderr = proc.communicate(timeout=15)
    assert proc.returncode == (130 if signum == signal.SIGINT else 128 + signum)
    assert time.monotonic() - started < 5
    assert b"Traceback" not in stderr
    assert_all_ended(pids)
    assert set(fork_servers()) - before == set()


def test_check_shows_progress_on_a_terminal_only(tmp_path: Path) -> None:
    """With stderr on a terminal, check draws a progress display there; piped, it does not,
    and stdout holds the report either way."""
    argv = [*MODULE, "--no-builtin", "--catalog", HOSTILE, "check", "--tag", "matching"]
    drawn = on_terminal(argv, streams="stderr")
    assert drawn.code == 0
    assert b"checking" in drawn.terminal
    assert b"2 checked in" in drawn.stdout
    piped = hostile("check", "--tag", "matching")
    assert piped.returncode == 0
    assert b"checking" not in piped.stderr
    assert b"2 checked in" in piped.stdout
