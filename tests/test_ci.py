"""CI for a team catalog: JUnit XML that CI systems read, the pre-commit hook, the config file."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
import xmlschema
from pre_commit.clientlib import load_manifest

from conftest import GOOD, asyncsnip

DATA = Path(__file__).parent / "data"
ROOT = Path(__file__).resolve().parent.parent
FAILING = """\
[[snippets]]
id = "wrong-output"
title = "Prints the wrong thing"
tags = ["ci"]
code = "print('actual \\u0007 bell')"
output = "expected"

[[snippets]]
id = "crashes"
title = "Raises"
tags = ["ci"]
code = "raise SystemExit(3)"

[[snippets]]
id = "too-new"
title = "Needs a future Python"
tags = ["ci"]
python = "9.99"
code = "print(1)"
"""


@pytest.fixture
def failing(tmp_path: Path) -> Path:
    path = tmp_path / "team-snippets.toml"
    path.write_text(FAILING, encoding="utf-8")
    return path


def junit(*args: str | Path, out: Path) -> tuple[int, ET.Element]:
    proc = asyncsnip("--no-builtin", *args, "--junit-xml", out)
    return proc.returncode, ET.parse(out).getroot()


def test_junit_xml_is_valid_against_the_jenkins_junit_schema(failing: Path, tmp_path: Path) -> None:
    """The file validates against the JUnit schema Jenkins, GitLab and pytest's own tests
    use (tests/data/junit.xsd), even with a control character in a snippet's output."""
    out = tmp_path / "report.xml"
    code, _ = junit("--catalog", failing, "check", out=out)
    assert code == 1
    xmlschema.XMLSchema(DATA / "junit.xsd").validate(out)


def test_junit_xml_holds_one_case_per_snippet_and_python(failing: Path, tmp_path: Path) -> None:
    """A test case per snippet and Python; failure with the diff, failure with the exit,
    skipped with the reason; totals on the suite."""
    out = tmp_path / "report.xml"
    code, root = junit("--catalog", failing, "check", out=out)
    assert code == 1
    (suite,) = root.findall("testsuite")
    cases = {case.get("name"): case for case in suite.findall("testcase")}
    assert set(cases) == {"wrong-output", "crashes", "too-new"}
    diff = cases["wrong-output"].find("failure")
    assert diff is not None and diff.get("type") == "mismatch"
    assert "-expected" in (diff.text or "") and "+actual \\x07 bell" in (diff.text or "")
    crash = cases["crashes"].find("failure")
    assert crash is not None and crash.get("message") == "exit status 3"
    skipped = cases["too-new"].find("skipped")
    assert skipped is not None and "9.99" in (skipped.get("message") or "")
    assert (suite.get("tests"), suite.get("failures"), suite.get("skipped")) == ("3", "2", "1")
    assert cases["crashes"].get("classname", "").startswith("asyncsnip.python3_")


def test_a_python_matrix_is_a_suite_per_python(failing: Path, tmp_path: Path) -> None:
    """Two interpreters: two suites, each with every snippet, classnames naming the Python."""
    other = next(iter(sorted(ROOT.glob(".venvs/3.1[23]/bin/python"))), None)
    if other is None:
        pytest.skip("no second Python in .venvs (.ci/run makes them)")
    out = tmp_path / "matrix.xml"
    _, root = junit("--catalog", failing, "check", "--python", sys.executable, "--python",
                    other, out=out)  # fmt: skip
    suites = root.findall("testsuite")
    assert len(suites) == 2 and root.get("tests") == "6"
    classnames = {case.get("classname") for case in root.iter("testcase")}
    assert len(classnames) == 2


def test_junit_xml_matches_the_shape_pytest_writes(tmp_path: Path) -> None:
    """Every element and attribute asyncsnip writes is one pytest's --junit-xml writes too."""
    test = tmp_path / "test_x.py"
    test.write_text("import pytest\ndef test_a(): assert 0\ndef test_b(): pytest.skip('no')\n")
    theirs = tmp_path / "pytest.xml"
    argv = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(test)]
    subprocess.run([*argv, f"--junit-xml={theirs}"], cwd=tmp_path, capture_output=True, timeout=120)
    ours = tmp_path / "ours.xml"
    junit("--catalog", GOOD, "check", out=ours)

    def shape(path: Path) -> set[tuple[str, str]]:
        cases = ("testcase", "failure", "skipped")
        found = (e for e in ET.parse(path).iter() if e.tag in cases)
        return {(e.tag, a) for e in found for a in ["", *e.attrib]}

    assert ("testcase", "classname") in shape(theirs)
    assert shape(ours) <= shape(theirs) | {("failure", "type")}


def test_the_pre_commit_manifest_is_valid() -> None:
    """.pre-commit-hooks.yaml passes pre-commit's own manifest check."""
    (hook,) = load_manifest(str(ROOT / ".pre-commit-hooks.yaml"))
    assert (hook["id"], hook["entry"], hook["language"]) == (
        "asyncsnip-check",
        "asyncsnip-check",
        "python",
    )
    import re

    assert re.search(hook["files"], "catalog/team-snippets.toml")
    assert not re.search(hook["files"], "pyproject.toml")


def test_the_hook_entry_checks_only_the_given_files(failing: Path, tmp_path: Path) -> None:
    """The entry, given catalog files as pre-commit gives them, checks their snippets (and
    only theirs): a good file passes, a failing one fails."""
    entry = shutil.which("asyncsnip-check", path=str(Path(sys.executable).parent))
    assert entry is not None
    good = subprocess.run([entry, str(GOOD)], capture_output=True, text=True, timeout=120)
    assert good.returncode == 0, good.stderr
    assert "4 checked" in good.stdout and "4 passed" in good.stdout
    bad = subprocess.run([entry, str(failing), str(GOOD)], capture_output=True, text=True,
                         timeout=120)  # fmt: skip
    assert bad.returncode == 1
    assert "7 checked" in bad.stdout
    broken = tmp_path / "broken-snippets.toml"
    broken.write_text("[[snippets]]\nid = 'x'\n", encoding="utf-8")
    refused = subprocess.run([entry, str(broken)], capture_output=True, text=True, timeout=120)
    assert refused.returncode == 2 and "field 'title': missing" in refused.stderr


# --------------------------------------------------------------------------- the config file


def config(tmp_path: Path, text: str) -> dict[str, str]:
    path = tmp_path / "conf" / "config.toml"
    path.parent.mkdir(exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return {"ASYNCSNIP_CONFIG": str(path)}


def test_config_catalogs_are_loaded_relative_to_the_file(tmp_path: Path) -> None:
    """`catalogs` paths load after the user catalog; a relative one is relative to the
    config file."""
    env = config(tmp_path, 'catalogs = ["team.toml"]\n')
    shutil.copy(GOOD, tmp_path / "conf" / "team.toml")
    listed = asyncsnip("--no-builtin", "list", "--json", env=env)
    assert listed.returncode == 0, listed.stderr
    assert {s["source"] for s in json.loads(listed.stdout)} == {
        str(tmp_path / "conf" / "team.toml")
    }


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ('color = "never"\ncolour = "red"\n', 2, "unknown key 'colour' (did you mean 'color'?)"),
        ('jobs = "8"\n', 1, "'jobs' must be a whole number of at least 1, not '8'"),
        ("catalogs = [1]\n", 1, "'catalogs' must be a list of catalog paths"),
        ('color = "pink"\n', 1, "'color' must be one of"),
        ("pager = = 1\n", 1, "invalid TOML"),
    ],
)
def test_an_invalid_config_is_one_line_with_file_and_line(
    tmp_path: Path, text: str, line: int, message: str
) -> None:
    """Bad TOML, an unknown key, a wrong type: exit 2, the file and line, no traceback."""
    env = config(tmp_path, text)
    proc = asyncsnip("list", env=env)
    assert proc.returncode == 2
    first, *rest = proc.stderr.decode().splitlines()
    assert first.startswith(f"asyncsnip: error: {env['ASYNCSNIP_CONFIG']}:{line}: ")
    assert message in first
    assert [r for r in rest if not r.startswith("asyncsnip: hint:")] == []


def test_config_color_is_the_default_and_the_option_wins(tmp_path: Path) -> None:
    """`color = "always"` decorates piped output; --color never on the command line wins."""
    env = config(tmp_path, 'color = "always"\n')
    assert b"\x1b[" in asyncsnip("--no-builtin", "--catalog", GOOD, "list", env=env).stdout
    plain = asyncsnip("--no-builtin", "--catalog", GOOD, "--color", "never", "list", env=env)
    assert b"\x1b[" not in plain.stdout


def test_doctor_says_where_each_value_came_from(tmp_path: Path) -> None:
    """doctor shows the config file, and each setting with its source."""
    env = config(tmp_path, 'jobs = 3\npager = "more"\n')
    out = asyncsnip("--no-builtin", "--color", "never", "doctor", env=env | {"PAGER": "most"})
    text = out.stdout.decode()
    path = env["ASYNCSNIP_CONFIG"]
    assert f"{path} (from $ASYNCSNIP_CONFIG) (read)" in text
    rows = {line.split()[0]: " ".join(line.split()[1:]) for line in text.splitlines()}
    assert rows["jobs"] == f"3 (config file {path}:1)"
    assert rows["pager"] == f"more (config file {path}:2)"
    assert rows["color"] == "never (command line --color)"
    assert rows["theme"] == "ansi (default)"
    env_pager = asyncsnip("doctor", env=env | {"ASYNCSNIP_PAGER": "pg"}).stdout.decode()
    assert "pg (environment ASYNCSNIP_PAGER)" in env_pager


def test_config_jobs_is_checks_default(tmp_path: Path) -> None:
    """`jobs = 1` runs one snippet at a time: two 0.3 s sleeps take at least 0.6 s."""
    catalog = tmp_path / "slow.toml"
    catalog.write_text("".join(
        f'[[snippets]]\nid = "s{i}"\ntitle = "S"\ntags = ["s"]\n'
        'code = "import time; time.sleep(0.3)"\n' for i in (1, 2)), encoding="utf-8")  # fmt: skip
    env = config(tmp_path, "jobs = 1\n")
    proc = asyncsnip("--no-builtin", "--catalog", catalog, "check", "--json", env=env)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["duration_s"] >= 0.6
