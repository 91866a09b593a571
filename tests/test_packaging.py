"""The built wheel carries the catalog, and an installed asyncsnip needs no source tree."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CATALOG_IN_WHEEL = "asyncsnip/data/snippets.toml"


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A wheel built from this checkout."""
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(ROOT)],
        check=True,
        capture_output=True,
        timeout=600,
    )
    (built,) = out.glob("asyncsnip-*.whl")
    return built


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtual environment with only the wheel (and its dependencies) installed."""
    venv = tmp_path_factory.mktemp("venv") / "env"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    subprocess.run(
        [str(venv / "bin" / "python"), "-m", "pip", "install", "-q", str(wheel)],
        check=True,
        capture_output=True,
        timeout=600,
    )
    return venv


def outside_env(tmp_path: Path) -> dict[str, str]:
    """The environment for a run far from the source tree, with no extra catalogs."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    assert not str(tmp_path).startswith(str(ROOT))
    return env


def test_wheel_contains_the_catalog(wheel: Path) -> None:
    """The wheel holds asyncsnip/data/snippets.toml, identical to the checkout's catalog."""
    with zipfile.ZipFile(wheel) as archive:
        assert CATALOG_IN_WHEEL in archive.namelist()
        packed = archive.read(CATALOG_IN_WHEEL)
    assert tomllib.loads(packed.decode("utf-8")) == tomllib.loads(
        (ROOT / "data" / "snippets.toml").read_text(encoding="utf-8")
    )


@pytest.mark.parametrize(
    ("script", "place"),
    [
        ("asyncsnip.bash", "share/bash-completion/completions/asyncsnip"),
        ("_asyncsnip", "share/zsh/site-functions/_asyncsnip"),
        ("asyncsnip.fish", "share/fish/vendor_completions.d/asyncsnip.fish"),
    ],
)
def test_completion_scripts_installed_where_shells_look(
    installed: Path, script: str, place: str
) -> None:
    """Installing the wheel puts each completion script where its shell searches."""
    assert (installed / place).read_bytes() == (ROOT / "completions" / script).read_bytes()


def test_fork_server_code_ships_in_the_wheel(wheel: Path) -> None:
    """The fork server's own code is in the package (check reads it at run time)."""
    with zipfile.ZipFile(wheel) as archive:
        assert "asyncsnip/engine/forkserver_main.py" in archive.namelist()


def test_installed_list_shows_the_builtin_catalog(
    installed: Path, wheel: Path, tmp_path: Path
) -> None:
    """`asyncsnip list --json` from the installed wheel lists exactly the packed catalog's ids."""
    with zipfile.ZipFile(wheel) as archive:
        packed = tomllib.loads(archive.read(CATALOG_IN_WHEEL).decode("utf-8"))
    expected = [s["id"] for s in packed["snippets"]]
    assert "gather-results" in expected
    proc = subprocess.run(
        [str(installed / "bin" / "asyncsnip"), "list", "--json"],
        cwd=tmp_path,
        env=outside_env(tmp_path),
        capture_output=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr.decode()
    assert proc.stderr == b""
    listed = json.loads(proc.stdout)
    assert [s["id"] for s in listed] == expected
    assert {s["source"] for s in listed} == {"builtin"}


def test_installed_plain_list_names_every_id(installed: Path, wheel: Path, tmp_path: Path) -> None:
    """Plain `asyncsnip list` from the installed wheel prints one line per built-in snippet."""
    with zipfile.ZipFile(wheel) as archive:
        packed = tomllib.loads(archive.read(CATALOG_IN_WHEEL).decode("utf-8"))
    proc = subprocess.run(
        [str(installed / "bin" / "asyncsnip"), "list"],
        cwd=tmp_path,
        env=outside_env(tmp_path),
        capture_output=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr.decode()
    assert proc.stderr == b""
    ids = [line.split()[0] for line in proc.stdout.decode().splitlines()]
    assert ids == [s["id"] for s in packed["snippets"]]


def test_installed_python_dash_m_version(installed: Path, tmp_path: Path) -> None:
    """`python -m asyncsnip --version` in the fresh venv prints the pyproject version."""
    version = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"][
        "version"
    ]
    proc = subprocess.run(
        [str(installed / "bin" / "python"), "-m", "asyncsnip", "--version"],
        cwd=tmp_path,
        env=outside_env(tmp_path),
        capture_output=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr.decode()
    assert proc.stderr == b""
    assert proc.stdout.decode().startswith(f"asyncsnip {version}")


def test_installed_package_is_not_the_source_tree(installed: Path, tmp_path: Path) -> None:
    """The fresh venv imports asyncsnip from its own site-packages, not from the checkout."""
    proc = subprocess.run(
        [str(installed / "bin" / "python"), "-c", "import asyncsnip; print(asyncsnip.__file__)"],
        cwd=tmp_path,
        env=outside_env(tmp_path),
        capture_output=True,
        timeout=120,
    )
    assert proc.returncode == 0
    location = Path(proc.stdout.decode().strip()).resolve()
    assert location.is_relative_to(installed.resolve())
    assert not location.is_relative_to(ROOT)


def test_installed_html_export_is_the_same_page(installed: Path, tmp_path: Path) -> None:
    """The web sheet's style and script ship in the wheel: the installed asyncsnip writes
    the same html page as the checkout."""
    proc = subprocess.run(
        [str(installed / "bin" / "asyncsnip"), "export", "--format", "html"],
        cwd=tmp_path,
        env=outside_env(tmp_path),
        capture_output=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr.decode()
    here = subprocess.run(
        [sys.executable, "-m", "asyncsnip", "export", "--format", "html"],
        capture_output=True,
        timeout=120,
        check=True,
    )
    assert proc.stdout == here.stdout
    assert b"<script>" in proc.stdout and b"#sheet" in proc.stdout
