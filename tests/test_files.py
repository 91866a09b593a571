"""Atomic writes: `export --output` never leaves a partial or damaged file."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from asyncsnip.errors import UsageError
from asyncsnip.store.files import write_atomic
from conftest import asyncsnip

SMALL = Path(__file__).parent / "data" / "export-small.toml"


def export_to(target: Path) -> subprocess.CompletedProcess[str]:
    done = asyncsnip("--no-builtin", "--catalog", SMALL, "export", "--output", target)
    return subprocess.CompletedProcess(
        done.args, done.returncode, done.stdout.decode(), done.stderr.decode()
    )


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """An empty directory of its own (tmp_path also holds the isolated home)."""
    path = tmp_path / "work"
    path.mkdir()
    return path


def test_replaces_content_and_keeps_mode(folder: Path) -> None:
    """An existing file gets the new bytes and keeps its permissions."""
    target = folder / "sheet.md"
    target.write_text("old")
    target.chmod(0o640)
    write_atomic(target, b"new\n")
    assert target.read_bytes() == b"new\n"
    assert target.stat().st_mode & 0o777 == 0o640
    assert os.listdir(folder) == ["sheet.md"]


def test_failure_mid_write_keeps_the_old_file(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """If the rename fails, the old file is intact and no temporary file remains."""
    target = folder / "sheet.md"
    target.write_text("precious")

    def broken_replace(src: object, dst: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError, match="No space left"):
        write_atomic(target, b"new")
    assert target.read_text() == "precious"
    assert os.listdir(folder) == ["sheet.md"]


def test_writes_through_a_symlink(tmp_path: Path) -> None:
    """A symlinked target stays a link; the file it points to gets the content."""
    real = tmp_path / "real.md"
    real.write_text("old")
    link = tmp_path / "link.md"
    link.symlink_to(real)
    write_atomic(link, b"new")
    assert link.is_symlink()
    assert real.read_bytes() == b"new"


def test_read_only_target_is_refused(tmp_path: Path) -> None:
    """A read-only file is not replaced."""
    target = tmp_path / "sheet.md"
    target.write_text("keep")
    target.chmod(0o444)
    with pytest.raises(UsageError, match="read-only"):
        write_atomic(target, b"new")
    assert target.read_text() == "keep"


def test_cli_missing_directory_is_exit_2(tmp_path: Path) -> None:
    """`export --output` into a directory that does not exist: one clear line, exit 2."""
    proc = export_to(tmp_path / "nowhere" / "sheet.md")
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert "does not exist" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_cli_read_only_target_is_exit_2(tmp_path: Path) -> None:
    """`export --output` onto a read-only file: exit 2 and the file unchanged."""
    target = tmp_path / "sheet.md"
    target.write_text("keep")
    target.chmod(0o444)
    proc = export_to(target)
    assert proc.returncode == 2
    assert "read-only" in proc.stderr
    assert target.read_text() == "keep"


def test_cli_output_is_the_same_document_as_stdout(tmp_path: Path) -> None:
    """The file holds exactly what `export` prints, and stdout stays empty."""
    target = tmp_path / "sheet.md"
    proc = export_to(target)
    assert proc.returncode == 0
    assert proc.stdout == ""
    argv = [sys.executable, "-m", "asyncsnip", "--no-builtin", "--catalog", str(SMALL), "export"]
    printed = subprocess.run(argv, capture_output=True, timeout=60).stdout
    assert target.read_bytes() == printed
