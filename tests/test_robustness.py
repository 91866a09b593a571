"""Inputs and situations that used to end in a Python traceback: each is now one line with a
hint, exit 2 for bad input or 1 for a failure, and nothing is left behind (temporary
directories counted, processes looked up, old files compared byte for byte)."""

from __future__ import annotations

import json
import marshal
import os
import shutil
import signal
import stat
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from asyncsnip.catalog import cache
from asyncsnip.catalog.schema import SNIPPET_FIELDS
from conftest import MODULE, asyncsnip

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="Linux file systems and /proc")
ROOT = os.geteuid() == 0
SNIPPET = '[[snippets]]\nid = "{id}"\ntitle = "t"\ntags = ["t"]\ncode = """\n{code}\n"""\n'


def one_error(proc: subprocess.CompletedProcess[bytes], code: int, *words: str) -> str:
    """The exit code, an error line and a hint line on stderr, no traceback; the text."""
    stderr = proc.stderr.decode()
    assert proc.returncode == code, stderr
    assert "Traceback" not in stderr
    assert stderr.startswith("asyncsnip: error: "), stderr
    for word in words:
        assert word in stderr, stderr
    return stderr


def with_hint(stderr: str) -> None:
    lines = stderr.splitlines()
    assert len(lines) == 2 and lines[1].startswith("asyncsnip: hint: "), stderr


@pytest.fixture
def scratch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """TMPDIR for asyncsnip, to count what it leaves there."""
    folder = tmp_path / "scratch"
    folder.mkdir()
    monkeypatch.setenv("TMPDIR", str(folder))
    return folder


def catalog(tmp_path: Path, *snippets: tuple[str, str], extra: str = "") -> Path:
    path = tmp_path / "c.toml"
    text = "".join(SNIPPET.format(id=ident, code=code) for ident, code in snippets)
    path.write_text(text + extra)
    return path


DEEP = """import os
fd = os.open(".", os.O_RDONLY)
for _ in range(3000):
    os.mkdir("d", dir_fd=fd)
    inner = os.open("d", os.O_RDONLY, dir_fd=fd)
    os.close(fd)
    fd = inner
print("deep")"""


def test_3000_nested_directories_are_removed(tmp_path: Path, scratch: Path) -> None:
    """A tree deeper than the recursion limit and PATH_MAX: removed, under run and check."""
    path = catalog(tmp_path, ("deep", DEEP), ("plain", "print(1)"))
    proc = asyncsnip("--no-builtin", "--catalog", path, "run", "deep")
    assert proc.returncode == 0, proc.stderr
    assert os.listdir(scratch) == []
    proc = asyncsnip("--no-builtin", "--catalog", path, "check", "--json")
    assert proc.returncode == 0, proc.stderr
    assert [r["status"] for r in json.loads(proc.stdout)["results"]] == ["passed", "passed"]
    assert os.listdir(scratch) == []


LOCKED = """import os
os.makedirs("a/b/c")
open("a/b/c/f", "w").close()
os.chmod("a/b/c", 0)
os.chmod("a/b", 0o500)
os.chmod("a", 0)
print("locked")"""


@pytest.mark.skipif(not ROOT or not shutil.which("setpriv"), reason="needs root and setpriv")
def test_an_unreadable_directory_is_removed(tmp_path: Path, scratch: Path) -> None:
    """chmod 000 directories in the working directory: permissions are given back and the
    whole temporary directory goes (run without the capability that overrides them)."""
    path = catalog(tmp_path, ("locked", LOCKED))
    drop = ["setpriv", "--bounding-set=-dac_override,-dac_read_search", "--"]
    argv = [*drop, *MODULE, "--no-builtin", "--catalog", str(path), "run", "locked", "--json"]
    proc = subprocess.run(argv, capture_output=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["leftover"] is None
    assert os.listdir(scratch) == []


def test_jobs_are_sized_to_the_open_file_limit(tmp_path: Path, scratch: Path) -> None:
    """`check --jobs 1000` under `ulimit -n 256`: fewer at a time, said on stderr, every
    verdict given, no temporary directory left."""
    snippets = [(f"s{i}", f"import time\ntime.sleep(0.2)\nprint({i})") for i in range(40)]
    path = catalog(tmp_path, *snippets)
    command = " ".join([*MODULE, "--no-builtin", "--catalog", str(path), "check", "--jobs", "1000"])
    proc = subprocess.run(
        ["bash", "-c", f"ulimit -n 256 && exec {command} --json"], capture_output=True, timeout=120
    )
    assert proc.returncode == 0, proc.stderr
    assert b"Traceback" not in proc.stderr
    assert b"not 1000: that is what the open-file limit" in proc.stderr
    assert json.loads(proc.stdout)["summary"]["passed"] == 40
    assert os.listdir(scratch) == []


@pytest.mark.parametrize(
    ("line", "words"),
    [
        ("timeout = " + "9" * 401, ["field 'timeout'", "at most 86400"]),
        ("timeout = nan", ["field 'timeout'"]),
        ("timeout = inf", ["field 'timeout'"]),
        ("timeout = -1", ["field 'timeout'"]),
    ],
)
def test_out_of_range_timeouts_in_a_catalog(tmp_path: Path, line: str, words: list[str]) -> None:
    """A timeout of 401 digits, nan, inf or below zero is a catalog error."""
    path = catalog(tmp_path, ("a", "print(1)"), extra=line + "\n")
    one_error(asyncsnip("--no-builtin", "--catalog", path, "list"), 2, str(path), *words)


HUGE = "version = 1\nbig = " + "9" * 4301 + "\n"


def test_an_integer_over_4300_digits_in_a_catalog(tmp_path: Path) -> None:
    """tomllib's ValueError becomes the catalog's error, naming the file."""
    path = tmp_path / "huge.toml"
    path.write_text(HUGE)
    one_error(asyncsnip("--catalog", path, "list"), 2, str(path), "more than 4300 digits")


@pytest.mark.parametrize("command", [["add", "x", "--title", "T", "--tag", "t"], ["remove", "x"]])
def test_a_user_catalog_with_a_huge_integer(
    user_catalog: Path, tmp_path: Path, command: list[str]
) -> None:
    """add and remove refuse to touch it, with one error each, and leave it as it was."""
    user_catalog.parent.mkdir(parents=True)
    user_catalog.write_text(HUGE)
    code = tmp_path / "code.py"
    code.write_text("print(1)\n")
    extra = ["--code-file", str(code)] if command[0] == "add" else []
    one_error(asyncsnip(*command, *extra), 2, "more than 4300 digits")
    assert user_catalog.read_text() == HUGE
    listed = asyncsnip("list")
    assert b"Traceback" not in listed.stderr and b"more than 4300 digits" in listed.stderr


@pytest.mark.parametrize("value", ["nan", "inf", "-1", "0", "1e400"])
@pytest.mark.parametrize("command", ["run", "check"])
def test_timeout_option_must_be_finite_and_positive(value: str, command: str) -> None:
    """--timeout nan, inf, 0 or below: exit 2 with one line, for run and check alike."""
    proc = asyncsnip(command, "hello-world", "--timeout", value)
    assert proc.returncode == 2, proc.stderr
    assert b"Traceback" not in proc.stderr
    assert b"timeout" in proc.stderr.lower()


@pytest.fixture
def tmpfs(tmp_path: Path) -> Iterator[Path]:
    """A 256 KiB tmpfs of the test's own (umounted after)."""
    if not ROOT or not shutil.which("mount"):
        pytest.skip("needs root to mount a tmpfs")
    where = tmp_path / "mnt"
    where.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(where)])
    if mounted.returncode != 0:
        pytest.skip("cannot mount a tmpfs here")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


def fill(where: Path) -> None:
    """Use up every block of the file system."""
    fd = os.open(where / "filler", os.O_WRONLY | os.O_CREAT)
    try:
        while os.write(fd, b"\0" * 4096):
            pass
    except OSError:
        pass
    finally:
        os.close(fd)


def test_export_to_a_full_disk_is_a_failure(tmpfs: Path) -> None:
    """No space left: exit 1, the old file intact, no temporary file."""
    target = tmpfs / "sheet.md"
    target.write_text("old")
    fill(tmpfs)
    stderr = one_error(asyncsnip("export", "-o", target), 1, "No space left on device")
    with_hint(stderr)
    assert target.read_text() == "old"
    assert sorted(os.listdir(tmpfs)) == ["filler", "sheet.md"]


def test_export_to_a_read_only_mount_is_refused(tmpfs: Path) -> None:
    """A read-only file system: exit 2, the old file intact."""
    target = tmpfs / "sheet.md"
    target.write_text("old")
    subprocess.run(["mount", "-o", "remount,ro", str(tmpfs)], check=True)
    one_error(asyncsnip("export", "-o", target), 2, "Read-only file system")
    assert target.read_text() == "old"


def test_remove_on_a_full_disk_keeps_the_older_backup(tmpfs: Path) -> None:
    """A remove that cannot write leaves the catalog and the older .bak as they were."""
    config = tmpfs / "asyncsnip"
    config.mkdir()
    text = "".join(SNIPPET.format(id=i, code="print(1)") for i in ("one", "two"))
    (config / "snippets.toml").write_text(text)
    (config / "snippets.toml.bak").write_text("OLDER")
    fill(tmpfs)
    proc = asyncsnip("remove", "one", env={"XDG_CONFIG_HOME": str(tmpfs)})
    one_error(proc, 1, "No space left on device")
    assert (config / "snippets.toml").read_text() == text
    assert (config / "snippets.toml.bak").read_text() == "OLDER"
    assert sorted(os.listdir(config)) == [
        "snippets.toml",
        "snippets.toml.bak",
        "snippets.toml.lock",
    ]


@pytest.mark.parametrize("name", ["dir", ".", "", "loop"])
def test_export_to_what_is_not_a_file_name(tmp_path: Path, name: str) -> None:
    """A directory, `.`, an empty name or a symlink loop: exit 2, nothing written."""
    work = tmp_path / "work"
    (work / "dir").mkdir(parents=True)
    (work / "loop").symlink_to("loop")
    target = str(work / name) if name in ("dir", "loop") else name
    proc = subprocess.run(
        [*MODULE, "export", "-o", target], cwd=work, capture_output=True, timeout=60
    )
    with_hint(one_error(proc, 2))
    assert sorted(os.listdir(work)) == ["dir", "loop"]
    assert os.listdir(work / "dir") == []


def test_export_to_dev_stdout_writes_into_the_pipe() -> None:
    """`-o /dev/stdout` with stdout a pipe: the document arrives there."""
    proc = asyncsnip("export", "--format", "json", "-o", "/dev/stdout")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["snippets"]


def test_export_into_a_fifo_and_devices(tmp_path: Path) -> None:
    """A FIFO with a reader gets the document; one without is refused at once; character
    devices (/dev/null as root, a node of our own, /dev/full) stay what they are."""
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()))
    reader.start()
    time.sleep(0.1)  # the reader has the FIFO open
    proc = asyncsnip("export", "--format", "json", "-o", fifo)
    reader.join(10)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(received[0])["snippets"]
    assert stat.S_ISFIFO(fifo.stat().st_mode)
    one_error(asyncsnip("export", "-o", fifo, timeout=10), 2, "nobody reads")
    assert stat.S_ISFIFO(fifo.stat().st_mode)
    proc = asyncsnip("export", "-o", "/dev/null")
    assert proc.returncode == 0 and stat.S_ISCHR(os.stat("/dev/null").st_mode)
    one_error(asyncsnip("export", "-o", "/dev/full"), 1, "No space left on device")
    if ROOT:
        node = tmp_path / "null"
        os.mknod(node, stat.S_IFCHR | 0o666, os.makedev(1, 3))
        assert asyncsnip("export", "-o", node).returncode == 0
        assert stat.S_ISCHR(node.stat().st_mode)


@pytest.mark.parametrize("kind", ["fifo", "zero"])
def test_a_catalog_that_is_not_a_regular_file(tmp_path: Path, kind: str) -> None:
    """--catalog FIFO or /dev/zero: refused at once, never waited on or read forever."""
    path: str | Path = "/dev/zero"
    if kind == "fifo":
        path = tmp_path / "fifo"
        os.mkfifo(path)
    started = time.monotonic()
    one_error(asyncsnip("--catalog", path, "list", timeout=20), 2, "not a regular file")
    assert time.monotonic() - started < 10


@pytest.mark.parametrize("command", [["list"], ["add", "x", "--title", "T", "--tag", "t"]])
def test_a_fifo_user_catalog_is_refused(user_catalog: Path, command: list[str]) -> None:
    """A FIFO as the user catalog: an error naming it, at once, for reading and writing."""
    user_catalog.parent.mkdir(parents=True)
    os.mkfifo(user_catalog)
    proc = asyncsnip(*command, stdin=b"print(1)\n", timeout=20)
    assert b"Traceback" not in proc.stderr
    assert b"not a regular file" in proc.stderr
    if command[0] == "add":
        assert proc.returncode == 2
    assert stat.S_ISFIFO(user_catalog.stat().st_mode)


@pytest.mark.parametrize("command", [["list"], ["add", "x", "--title", "T", "--tag", "t"]])
def test_a_user_catalog_that_is_a_symlink_loop(user_catalog: Path, command: list[str]) -> None:
    """A symlink loop as the user catalog is reported, not ignored, and not written over."""
    user_catalog.parent.mkdir(parents=True)
    user_catalog.symlink_to(user_catalog.name)
    proc = asyncsnip(*command, stdin=b"print(1)\n")
    assert b"Traceback" not in proc.stderr
    assert b"Too many levels of symbolic links" in proc.stderr
    if command[0] == "add":
        assert proc.returncode == 2
    assert user_catalog.is_symlink()


def test_stdout_closed_is_one_error() -> None:
    """`asyncsnip list >&-`: exit 2, one line and a hint, nothing else."""
    proc = subprocess.run(
        ["bash", "-c", " ".join([*MODULE, "list"]) + " >&-"], capture_output=True, timeout=30
    )
    with_hint(one_error(proc, 2, "standard output is closed"))


def crafted(path: Path, kind: str, value: object) -> None:
    """A cache file for `path` with the right key and the given value."""
    target = Path(cache._file_for(path, kind))
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(marshal.dumps((cache._key(path, os.stat(path)), value)))


def row(**given: object) -> tuple[object, ...]:
    """A snippet as the cache keeps it: every field's value in order, else its default."""
    return tuple(given.get(f.name, f.default) for f in SNIPPET_FIELDS)


@pytest.mark.parametrize(
    "value",
    [
        ([1], [2], [3]),
        ("not", "tables"),
        ([], [row(id="Evil One", title="Crafted", tags=("t",), code="print(1)")], [0]),
        ([], [row(id="evil\n", title="Crafted", tags=("t",), code="print(1)")], [0]),
        ([], [row(id="evil", title="T", tags=("t",), code="x", timeout=10**400)], [0]),
        ([], [row(id="evil", title="T", tags=("t",), code="x", ordered=1)], [0]),
        ([], [row(id="evil", title="T", tags=("t",), code="x", section="Evil Section")], [0]),
        ([], [row(id="evil", title="\x1b]0;x\x07", tags=("t",), code="x")], [0]),
        ([], [(*row(id="evil", title="T", tags=("t",), code="x"), "rogue")], [0]),
        ([{"id": "s", "title": "S", "rogue": 1}], [row(id="e", title="E", tags=("t",), code="x")],
         [0]),
        ([], [{"id": "evil", "title": "T", "tags": ["t"], "code": "print(1)"}], [{}]),  # layout 8
    ],
)  # fmt: skip
def test_a_crafted_cache_is_never_shown(tmp_path: Path, value: object) -> None:
    """A cache file with the right key but a wrong shape, or values that do not pass the
    catalog's validation: discarded and rebuilt; the catalog's own snippets are shown (and
    offered by completion)."""
    path = catalog(tmp_path, ("real", "print(1)"))
    crafted(path, "tables", value)
    crafted(path, "index", {"sections": {}, "snippets": {"evil\n": ("Crafted", ["t"], None)}})
    proc = asyncsnip("--no-builtin", "--catalog", path, "list", "--json")
    assert proc.returncode == 0, proc.stderr
    assert [s["id"] for s in json.loads(proc.stdout)] == ["real"]
    completion = asyncsnip(
        env={"_ASYNCSNIP_COMPLETE": "complete_bash", "COMP_WORDS": f"asyncsnip --no-builtin "
             f"--catalog {path} run ", "COMP_CWORD": "5"},
    )  # fmt: skip
    assert b"evil" not in completion.stdout
    assert b"real" in completion.stdout


def test_a_crafted_cache_of_valid_snippets_is_read(tmp_path: Path) -> None:
    """The other side of the line (SECURITY.md): a cache file with the right key and snippets
    that pass every check is taken as it is; whoever can write the cache directory can
    write the catalogs too. (This is also what shows the cases above were refused for their
    values, not for their shape.)"""
    path = catalog(tmp_path, ("real", "print(1)"))
    crafted(path, "tables", ([], [row(id="crafted", title="C", tags=("t",), code="x")], [0]))
    proc = asyncsnip("--no-builtin", "--catalog", path, "list", "--json")
    assert proc.returncode == 0, proc.stderr
    assert [s["id"] for s in json.loads(proc.stdout)] == ["crafted"]


@pytest.mark.parametrize(
    "value",
    [
        "not a dict",
        {"documents": {}},
        {"documents": {"s1": ("texts", "sizes", "everything")}, "vocabulary": frozenset()},
        {"documents": {"s1": ((" x ",) * 7, ("many",) * 7)}, "vocabulary": frozenset()},
        {"documents": {"s1": ((1,) * 7, (1,) * 7)}, "vocabulary": frozenset({"zebra"})},
        {"documents": {"s1": ((" x ",) * 6, (1,) * 6)}, "vocabulary": frozenset()},
    ],
)
def test_a_crafted_search_cache_breaks_no_search(tmp_path: Path, value: object) -> None:
    """The search words a large catalog keeps in the cache, crafted with the right key but
    a wrong shape: thrown away and cut again; the search finds what it finds without them."""
    snippets = [(f"s{i}", f"print({i})") for i in range(60)] + [("stripes", "zebra = 1")]
    path = catalog(tmp_path, *snippets)
    os.utime(path, (time.time() - 60, time.time() - 60))  # old enough to be cached
    assert asyncsnip("--no-builtin", "--catalog", path, "list").returncode == 0  # cached now
    crafted(path, "search", value)
    proc = asyncsnip("--no-builtin", "--catalog", path, "show", "zebra", "--json")
    assert proc.returncode == 0, proc.stderr
    assert [s["id"] for s in json.loads(proc.stdout)] == ["stripes"]


def test_a_thousand_identical_unordered_lines(tmp_path: Path) -> None:
    """`ordered = false` with 1,000 identical lines: matched (and mismatched) without a
    RecursionError."""
    code = "for _ in range(1000):\n    print('same')"
    good = "ordered = false\noutput = '''\n" + "same\n" * 1000 + "'''\n"
    path = catalog(tmp_path, ("many", code), extra=good)
    proc = asyncsnip("--no-builtin", "--catalog", path, "run", "many", "--json")
    assert proc.returncode == 0, proc.stderr
    bad = "ordered = false\noutput = '''\n" + "same\n" * 999 + "other\n'''\n"
    path = catalog(tmp_path, ("many", code), extra=bad)
    proc = asyncsnip("--no-builtin", "--catalog", path, "run", "many", "--json")
    assert proc.returncode == 1 and json.loads(proc.stdout)["status"] == "mismatch"


def test_record_refuses_output_that_was_cut(user_catalog: Path, tmp_path: Path) -> None:
    """`add --record` of a snippet printing more than 1 MiB: refused, nothing written."""
    code = tmp_path / "big.py"
    code.write_text("print('x' * (2 << 20))\n")
    proc = asyncsnip("add", "big", "--title", "T", "--tag", "t", "--code-file", code, "--record")
    with_hint(one_error(proc, 2, "longer than 1 MiB"))
    assert not user_catalog.exists()


def fake_python(tmp_path: Path, name: str, body: str) -> Path:
    """An executable shell script standing in for a Python."""
    path = tmp_path / name
    path.write_text("#!/bin/sh\n" + body + "\n")
    path.chmod(0o755)
    return path


def test_a_python_that_hangs_is_ended(tmp_path: Path) -> None:
    """--python at a program that never answers: ended after a few seconds (with what it
    started), one line saying so, exit 2."""
    pids = tmp_path / "pids"
    hang = fake_python(tmp_path, "hang", f"echo $$ >> {pids}\nsleep 100 &\necho $! >> {pids}\nwait")
    started = time.monotonic()
    stderr = one_error(asyncsnip("run", "hello-world", "--python", hang), 2, "did not answer")
    with_hint(stderr)
    assert time.monotonic() - started < 10
    time.sleep(0.2)
    assert all(not Path(f"/proc/{pid}").exists() for pid in map(int, pids.read_text().split()))


def test_ctrl_c_during_the_probe_ends_it(tmp_path: Path) -> None:
    """Ctrl-C while the --python program hangs: exit 130, and the program is ended too."""
    pids = tmp_path / "pids"
    hang = fake_python(tmp_path, "hang", f"echo $$ >> {pids}\nexec sleep 100")
    proc = subprocess.Popen(
        [*MODULE, "check", "hello-world", "--python", str(hang)], stderr=subprocess.PIPE
    )
    deadline = time.monotonic() + 10
    while not (pids.exists() and pids.read_text().strip()) and time.monotonic() < deadline:
        time.sleep(0.02)
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=10)
    assert proc.returncode == 130
    assert b"Traceback" not in stderr
    time.sleep(0.2)
    (pid,) = map(int, pids.read_text().split())
    assert not Path(f"/proc/{pid}").exists() or b"Z" in Path(f"/proc/{pid}/stat").read_bytes()


@pytest.mark.parametrize(
    ("body", "said"),
    [
        ("echo '{}'", "it printed '{}'"),
        ("echo '[1,2]'", "it printed '[1,2]'"),
        (
            "echo \"pyenv: python3.9: command not found\" >&2\necho >&2\n"
            "echo \"The \\`python3.9' command exists in these Python versions:\" >&2\nexit 127",
            "it said: pyenv: python3.9: command not found",
        ),
        ("echo 'Traceback (most recent call last):' >&2\necho 'ImportError: nope' >&2\nexit 1",
         "it said: ImportError: nope"),
    ],
)  # fmt: skip
@pytest.mark.parametrize("command", ["run", "check"])
def test_a_python_that_answers_wrongly(tmp_path: Path, body: str, said: str, command: str) -> None:
    """Output that is not a Python's answer, or an inactive pyenv shim: its own words."""
    python = fake_python(tmp_path, "python", body)
    with_hint(one_error(asyncsnip(command, "hello-world", "--python", python), 2, said))


def inactive_shim() -> Path | None:
    """A pyenv shim for a Python version that is installed but not selected, if any."""
    if shutil.which("pyenv") is None:
        return None
    root = subprocess.run(["pyenv", "root"], capture_output=True, text=True).stdout.strip()
    for shim in sorted((Path(root) / "shims").glob("python3.*")):
        runs = subprocess.run([shim, "-c", "pass"], capture_output=True)
        if shim.name[-1].isdigit() and runs.returncode != 0:
            return shim
    return None


def test_an_inactive_pyenv_shim_is_quoted() -> None:
    """The real shim of a pyenv version that is not selected says why; so does asyncsnip."""
    shim = inactive_shim()
    if shim is None:
        pytest.skip("no inactive pyenv shim here")
    one_error(asyncsnip("run", "hello-world", "--python", shim), 2, f"pyenv: {shim.name}")


def test_an_empty_python_is_refused_by_run_and_check_alike() -> None:
    """`--python ""`: the same error for run and check (it used to mean the default for run)."""
    run = one_error(asyncsnip("run", "hello-world", "--python", ""), 2, "value is empty")
    check = one_error(asyncsnip("check", "hello-world", "--python", ""), 2, "value is empty")
    assert run == check


MOUNTS = """import os, subprocess
os.mkdir("m")
subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", "m"], check=True)
print("mounted")"""


@pytest.mark.skipif(not ROOT or not shutil.which("mount"), reason="needs root to mount")
def test_what_cannot_be_removed_is_reported(tmp_path: Path, scratch: Path) -> None:
    """A mount point left in the working directory cannot be removed: the result names it
    (`leftover`) and stderr warns, instead of leaving it behind silently."""
    path = catalog(tmp_path, ("mounts", MOUNTS))
    proc = asyncsnip("--no-builtin", "--catalog", path, "run", "mounts", "--json")
    (left,) = os.listdir(scratch)
    try:
        assert proc.returncode == 0, proc.stderr
        leftover = json.loads(proc.stdout)["leftover"]
        assert leftover == f"{scratch / left / 'work' / 'm'}: Device or resource busy"
        assert b"its temporary directory could not be removed" in proc.stderr
    finally:
        subprocess.run(["umount", "-l", str(scratch / left / "work" / "m")], check=False)
        shutil.rmtree(scratch / left)


def test_export_to_dev_stdout_appends_as_the_shell_opened_it(tmp_path: Path) -> None:
    """`-o /dev/stdout >> FILE` appends to FILE (the descriptor is written, not replaced)."""
    target = tmp_path / "sheet.md"
    target.write_text("first\n")
    command = " ".join([*MODULE, "export", "-o", "/dev/stdout"])
    proc = subprocess.run(["bash", "-c", f"{command} >> {target}"], capture_output=True)
    assert proc.returncode == 0, proc.stderr
    text = target.read_text()
    assert text.startswith("first\n# ") and len(text) > 1000
