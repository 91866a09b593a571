"""Loading, validating and layering catalogs, driven through the CLI where the user meets them."""

from __future__ import annotations

import json
import os
import string
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import tomli_w
from click.testing import Result
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from asyncsnip.catalog.fileformat import ParsedFile, parse
from asyncsnip.catalog.loader import load
from asyncsnip.catalog.model import Catalog
from asyncsnip.catalog.schema import SECTION_FIELDS, SNIPPET_FIELDS
from asyncsnip.errors import CatalogError

DATA = Path(__file__).parent / "data"
GOOD = DATA / "good.toml"
Invoke = Callable[..., Result]

SNIPPET = """
[[snippets]]
id = "{id}"
title = "{title}"
tags = ["{tag}"]
code = "print('{title}')"
"""


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def snippet_toml(ident: str, title: str, tag: str = "x", section: str | None = None) -> str:
    text = SNIPPET.format(id=ident, title=title, tag=tag)
    return text + (f'section = "{section}"\n' if section else "")


def listed(cli: Invoke, *args: str | Path) -> list[dict[str, Any]]:
    result = cli(*args, "list", "--json")
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    data = json.loads(result.stdout)
    assert isinstance(data, list)
    return data


def assert_rejected(cli: Invoke, path: Path, *needles: str) -> str:
    """`list` over the file exits 2, prints nothing on stdout, and names every needle."""
    result = cli("--no-builtin", "--catalog", path, "list")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    for needle in needles:
        assert needle in result.stderr, f"{needle!r} not in {result.stderr!r}"
    return result.stderr


# --------------------------------------------------------------------------- bad input


def test_broken_toml_names_file_line_snippet_and_field(cli: Invoke) -> None:
    """A TOML syntax error is reported with the file, its line, the snippet and the key."""
    path = DATA / "broken-toml.toml"
    stderr = assert_rejected(cli, path, f"{path}:5", "invalid TOML", "'oops'", "'title'")
    assert len(stderr.splitlines()) == 1


def test_unknown_key_is_an_error(cli: Invoke) -> None:
    """A key the format does not define is named with its line and snippet."""
    path = DATA / "unknown-key.toml"
    assert_rejected(cli, path, f"{path}:7", "'has-colour'", "'colour'", "unknown field")


def test_wrong_type_is_an_error(cli: Invoke) -> None:
    """A timeout written as a string is rejected at the line of the timeout."""
    path = DATA / "wrong-type.toml"
    assert_rejected(cli, path, f"{path}:8", "'slow-one'", "'timeout'")


def test_bad_slug_id_is_an_error(cli: Invoke) -> None:
    """An id that is not a lowercase slug is rejected."""
    path = DATA / "bad-slug-id.toml"
    assert_rejected(cli, path, f"{path}:4", "'Gather_Results'", "'id'", "slug")


def test_bad_slug_tag_is_an_error(cli: Invoke) -> None:
    """A tag that is not a slug is rejected and quoted."""
    path = DATA / "bad-slug-tag.toml"
    assert_rejected(cli, path, f"{path}:6", "'bad-tag'", "'tags'", "'not ok'")


@pytest.mark.parametrize(
    ("field", "value", "quoted"),
    [
        ("id", '"gather\\n"', "'gather\\n' is not a slug"),
        ("tags", '["gather\\n"]', "'gather\\n' is not a slug"),
        ("python", '"3.11\\n"', "'3.11\\n' is not a version"),
        ("api", '["asyncio.run\\n"]', "'asyncio.run\\n' is not a dotted name"),
        ("see_also", '["gather\\n"]', "'gather\\n' is not a slug"),
    ],
)
def test_a_final_line_break_is_not_part_of_a_name(
    cli: Invoke, tmp_path: Path, field: str, value: str, quoted: str
) -> None:
    """A slug, version or dotted name ending in a line break is refused, and the message
    shows the line break (a space there would hide why)."""
    fields = {"id": '"one"', "title": '"T"', "tags": '["t"]', "code": '"pass"', field: value}
    text = "[[snippets]]\n" + "".join(f"{name} = {given}\n" for name, given in fields.items())
    assert_rejected(cli, write(tmp_path / "c.toml", text), f"field '{field}'", quoted)


def test_duplicate_id_in_one_file_is_an_error(cli: Invoke) -> None:
    """The second table using an id already used in the same file is reported."""
    path = DATA / "duplicate-id.toml"
    assert_rejected(cli, path, f"{path}:10", "'twice'", "'id'", "duplicate")


def test_code_that_does_not_compile_is_an_error(cli: Invoke) -> None:
    """Code that lost its indentation is rejected with the compiler's reason."""
    path = DATA / "no-compile.toml"
    assert_rejected(
        cli, path, f"{path}:7", "'lost-indentation'", "'code'", "does not compile", "indented"
    )


def test_unknown_section_is_an_error(cli: Invoke) -> None:
    """A section no loaded catalog defines is named with the snippet using it."""
    path = DATA / "unknown-section.toml"
    assert_rejected(cli, path, f"{path}:10", "'homeless'", "'section'", "'nowhere'")


def test_empty_tags_is_an_error(cli: Invoke) -> None:
    """A snippet needs at least one tag."""
    path = DATA / "empty-tags.toml"
    assert_rejected(cli, path, f"{path}:6", "'no-tags'", "'tags'")


def test_missing_required_field_is_an_error(cli: Invoke, tmp_path: Path) -> None:
    """A snippet without code is rejected, naming the snippet and the missing field."""
    path = write(tmp_path / "c.toml", '[[snippets]]\nid = "no-code"\ntitle = "T"\ntags = ["x"]\n')
    assert_rejected(cli, path, f"{path}:", "'no-code'", "'code'", "missing")


def test_missing_file_is_an_error(cli: Invoke, tmp_path: Path) -> None:
    """A --catalog path that does not exist is a usage error naming the path."""
    path = tmp_path / "nope.toml"
    assert_rejected(cli, path, str(path), "no such file")


def test_unreadable_file_is_an_error(
    cli: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A catalog that cannot be read (permission denied) is reported, not a traceback."""
    path = write(tmp_path / "locked.toml", GOOD.read_text(encoding="utf-8"))
    real = os.open

    def denied(name: str, *args: Any, **kwargs: Any) -> int:  # as root, chmod 000 would not do
        if name == str(path):
            raise PermissionError(13, "Permission denied", name)
        return real(name, *args, **kwargs)

    monkeypatch.setattr(os, "open", denied)
    assert_rejected(cli, path, str(path), "permission denied")


def test_directory_as_catalog_is_an_error(cli: Invoke, tmp_path: Path) -> None:
    """A directory given as a catalog is rejected with a clear reason."""
    assert_rejected(cli, tmp_path, str(tmp_path), "directory")


def test_non_utf8_bytes_are_an_error(cli: Invoke, tmp_path: Path) -> None:
    """Bytes that are not UTF-8 are reported with the line they are on."""
    path = tmp_path / "latin1.toml"
    path.write_bytes(b'version = 1\n\n[[snippets]]\nid = "caf\xe9"\n')
    assert_rejected(cli, path, f"{path}:4", "UTF-8")


def test_empty_file_is_an_empty_catalog(cli: Invoke) -> None:
    """An empty file is a valid catalog with no snippets: exit 0, nothing listed."""
    result = cli("--no-builtin", "--catalog", DATA / "empty.toml", "list")
    assert result.exit_code == 0
    assert result.stdout == ""
    assert result.stderr == ""
    assert listed(cli, "--no-builtin", "--catalog", DATA / "empty.toml") == []


def test_every_error_of_a_file_is_reported_at_once(cli: Invoke) -> None:
    """Three broken snippets give three error lines, in file order, and the good one none."""
    path = DATA / "several-errors.toml"
    stderr = assert_rejected(cli, path)
    lines = stderr.splitlines()
    assert len(lines) == 3
    assert f"{path}:7" in lines[0] and "'first-bad'" in lines[0] and "'flavour'" in lines[0]
    assert f"{path}:13" in lines[1] and "'second-bad'" in lines[1] and "'tags'" in lines[1]
    assert f"{path}:20" in lines[2] and "'third-bad'" in lines[2] and "'code'" in lines[2]
    assert "'fine'" not in stderr


def test_errors_of_several_files_are_reported_together(cli: Invoke) -> None:
    """Two broken catalogs on one command line are both reported."""
    one, two = DATA / "unknown-key.toml", DATA / "empty-tags.toml"
    result = cli("--no-builtin", "--catalog", one, "--catalog", two, "list")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert str(one) in result.stderr
    assert str(two) in result.stderr


def test_deeply_nested_toml_is_an_error_not_a_crash(cli: Invoke, tmp_path: Path) -> None:
    """Arrays nested thousands deep are reported as bad TOML, not a RecursionError."""
    path = write(tmp_path / "deep.toml", "x = " + "[" * 5000 + "]" * 5000 + "\n")
    assert_rejected(cli, path, str(path), "invalid TOML")


def test_code_too_deep_to_compile_is_an_error_not_a_crash(cli: Invoke, tmp_path: Path) -> None:
    """Code that exhausts the compiler's nesting limits is a 'does not compile' error."""
    code = "x = 1" + " + 1" * 200_000
    path = write(
        tmp_path / "deep.toml",
        f'[[snippets]]\nid = "deep"\ntitle = "Deep"\ntags = ["x"]\ncode = "{code}"\n',
    )
    assert_rejected(cli, path, "'deep'", "'code'", "does not compile")


def test_code_for_a_newer_python_is_not_compiled(cli: Invoke, tmp_path: Path) -> None:
    """Syntax from a future Python is accepted when the snippet says it needs that Python."""
    path = write(
        tmp_path / "future.toml",
        '[[snippets]]\nid = "future"\ntitle = "Future"\ntags = ["x"]\n'
        'python = "3.99"\ncode = "this is 3.99 syntax"\n',
    )
    assert [s["id"] for s in listed(cli, "--no-builtin", "--catalog", path)] == ["future"]


def test_empty_code_for_a_newer_python_is_still_empty(cli: Invoke, tmp_path: Path) -> None:
    """Not compiling code for a newer Python does not let empty code through."""
    path = write(
        tmp_path / "future.toml",
        '[[snippets]]\nid = "future"\ntitle = "Future"\ntags = ["x"]\n'
        'python = "3.99"\ncode = "  "\n',
    )
    assert_rejected(cli, path, "'future'", "field 'code': is empty")


# --------------------------------------------------------------------------- layering


def test_builtin_catalog_is_loaded_by_default(cli: Invoke) -> None:
    """Without options the built-in catalog is listed, each snippet with source 'builtin'."""
    snippets = listed(cli)
    assert "gather-results" in [s["id"] for s in snippets]
    assert {s["source"] for s in snippets} == {"builtin"}


def test_no_builtin_leaves_the_builtin_catalog_out(cli: Invoke) -> None:
    """--no-builtin with one catalog lists exactly that catalog's snippets."""
    ids = [s["id"] for s in listed(cli, "--no-builtin", "--catalog", GOOD)]
    assert ids == ["gather-results", "queue-basics", "hostile-code", "long-title"]


def test_no_builtin_and_nothing_else_lists_nothing(cli: Invoke) -> None:
    """--no-builtin alone loads no snippets at all."""
    assert listed(cli, "--no-builtin") == []


def test_user_catalog_is_layered_over_builtin(cli: Invoke, user_catalog: Path) -> None:
    """The user catalog in XDG_CONFIG_HOME adds snippets after the built-in ones."""
    write(user_catalog, snippet_toml("my-own", "Mine"))
    snippets = listed(cli)
    assert snippets[-1]["id"] == "my-own"
    assert snippets[-1]["source"] == str(user_catalog)
    assert "gather-results" in [s["id"] for s in snippets]


def test_later_catalogs_win_on_the_same_id(
    cli: Invoke, tmp_path: Path, user_catalog: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """builtin < user < ASYNCSNIP_CATALOG (in order) < --catalog (in order)."""
    write(user_catalog, snippet_toml("gather-results", "From user") + snippet_toml("u", "U"))
    env_a = write(tmp_path / "a.toml", snippet_toml("gather-results", "From env a"))
    env_b = write(tmp_path / "b.toml", snippet_toml("only-env", "From env b"))
    opt_c = write(tmp_path / "c.toml", snippet_toml("only-env", "From option c"))
    opt_d = write(tmp_path / "d.toml", snippet_toml("gather-results", "From option d"))
    monkeypatch.setenv("ASYNCSNIP_CATALOG", os.pathsep.join([str(env_a), str(env_b)]))
    by_id = {s["id"]: s for s in listed(cli, "--catalog", opt_c, "--catalog", opt_d)}
    assert by_id["gather-results"]["title"] == "From option d"
    assert by_id["gather-results"]["source"] == str(opt_d)
    assert by_id["only-env"]["title"] == "From option c"
    assert by_id["only-env"]["source"] == str(opt_c)
    assert by_id["u"]["source"] == str(user_catalog)


def test_env_catalog_wins_over_user_catalog(
    cli: Invoke, tmp_path: Path, user_catalog: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ASYNCSNIP_CATALOG replaces a user-catalog snippet; empty path entries are ignored."""
    write(user_catalog, snippet_toml("same", "From user"))
    env = write(tmp_path / "env.toml", snippet_toml("same", "From env"))
    monkeypatch.setenv("ASYNCSNIP_CATALOG", os.pathsep + str(env) + os.pathsep)
    snippets = listed(cli, "--no-builtin")
    assert [(s["id"], s["title"], s["source"]) for s in snippets] == [
        ("same", "From env", str(env))
    ]


def test_env_catalog_that_is_missing_is_left_out_with_a_warning(
    cli: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A path named in ASYNCSNIP_CATALOG that is gone: one warning naming it, and the
    other catalogs still answer."""
    missing = tmp_path / "gone.toml"
    monkeypatch.setenv("ASYNCSNIP_CATALOG", str(missing))
    result = cli("list", "--json")
    assert result.exit_code == 0
    assert "hello-world" in [s["id"] for s in json.loads(result.stdout)]
    warnings = result.stderr.splitlines()
    assert len(warnings) == 1
    assert str(missing) in warnings[0]
    assert "asyncsnip doctor" in warnings[0]


def test_relative_catalog_source_is_reported_as_a_path(
    cli: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A relative --catalog path is reported as the absolute path of the file."""
    write(tmp_path / "rel.toml", snippet_toml("rel", "Relative"))
    monkeypatch.chdir(tmp_path)
    snippets = listed(cli, "--no-builtin", "--catalog", "rel.toml")
    assert snippets[0]["source"] == str(tmp_path / "rel.toml")


def test_section_from_an_earlier_file_can_be_used_later(cli: Invoke, tmp_path: Path) -> None:
    """A snippet may use a section that a previously loaded catalog defines."""
    first = write(tmp_path / "first.toml", '[[sections]]\nid = "extra"\ntitle = "Extra"\n')
    second = write(tmp_path / "second.toml", snippet_toml("uses-extra", "U", section="extra"))
    snippets = listed(cli, "--no-builtin", "--catalog", first, "--catalog", second)
    assert [(s["id"], s["section"]) for s in snippets] == [("uses-extra", "extra")]


def test_builtin_section_can_be_used_by_a_user_snippet(cli: Invoke, tmp_path: Path) -> None:
    """A --catalog snippet may use a section the built-in catalog defines."""
    builtin = listed(cli)
    section = next(s["section"] for s in builtin if s["id"] == "gather-results")
    extra = write(tmp_path / "x.toml", snippet_toml("mine", "Mine", section=section))
    snippets = listed(cli, "--catalog", extra)
    assert snippets[-1]["section"] == section
    result = cli("--no-builtin", "--catalog", extra, "list")
    assert result.exit_code == 2
    assert f"'{section}'" in result.stderr


# --------------------------------------------------------------------------- fuzzing

KEYS = [row.name for row in SNIPPET_FIELDS]
SLUGS = st.from_regex(r"\A[a-z0-9]{1,6}(-[a-z0-9]{1,4}){0,2}\Z")
scalars = st.one_of(
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    SLUGS,
    st.sampled_from(["3.11", "3.99", "pass", "print(1)", "def f(:", "x\x00", "asyncio.gather"]),
    st.dates(),
    st.datetimes(),
)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.text(string.ascii_letters + "_-", max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)
snippet_tables = st.dictionaries(
    st.sampled_from(KEYS) | st.text(max_size=8), values, max_size=len(KEYS)
)
section_tables = st.dictionaries(
    st.sampled_from([row.name for row in SECTION_FIELDS]) | st.text(max_size=5), values, max_size=4
)
documents = st.fixed_dictionaries(
    {},
    optional={
        "version": st.sampled_from([1, 2, "1", True]) | values,
        "sections": st.lists(section_tables, max_size=3) | values,
        "snippets": st.lists(snippet_tables, max_size=4) | values,
        "extra": values,
    },
)


def check_outcome(text: str | bytes, folder: Path) -> None:
    """parse() reports problems instead of raising; load() gives a Catalog or a CatalogError."""
    path = folder / "fuzz.toml"
    if isinstance(text, str):
        parsed = parse(text, path)
        assert isinstance(parsed, ParsedFile)
        path.write_text(text, encoding="utf-8")
    else:
        parsed = None
        path.write_bytes(text)
    try:
        catalog = load(builtin=False, extra=[path])
    except CatalogError as exc:
        assert exc.problems
        assert all(str(path) in problem for problem in exc.problems)
    else:
        assert isinstance(catalog, Catalog)
        assert parsed is None or parsed.problems == []


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(document=documents)
def test_random_toml_documents_never_crash(
    document: dict[str, Any], tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Any well-formed TOML document loads or is rejected with a CatalogError."""
    check_outcome(tomli_w.dumps(document), tmp_path_factory.getbasetemp())


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=300) | st.binary(max_size=300))
def test_random_text_never_crashes(
    text: str | bytes, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Arbitrary text or bytes load or are rejected with a CatalogError."""
    check_outcome(text, tmp_path_factory.getbasetemp())


@settings(max_examples=100, deadline=None)
@given(
    body=st.lists(
        st.sampled_from(
            ["[[snippets]]", "[[sections]]", 'id = "a"', 'title = "T"', 'tags = ["x"]',
             'code = """', '"""', "code = '''", "'''", "pass", 'section = "a"', "[x]", "= 1"]
        ),
        max_size=15,
    )
)  # fmt: skip
def test_random_catalog_shaped_text_never_crashes(
    body: list[str], tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Lines that look like a catalog, in any order, load or give a CatalogError."""
    check_outcome("\n".join(body) + "\n", tmp_path_factory.getbasetemp())


def test_fuzz_strategy_reaches_valid_catalogs(tmp_path: Path) -> None:
    """The hand-made seed the fuzzers build around is itself a valid catalog."""
    document = {
        "version": 1,
        "sections": [{"id": "s", "title": "S"}],
        "snippets": [{"id": "a", "title": "A", "tags": ["x"], "code": "pass", "section": "s"}],
    }
    path = tmp_path / "seed.toml"
    path.write_text(tomli_w.dumps(document), encoding="utf-8")
    catalog = load(builtin=False, extra=[path])
    assert list(catalog.snippets) == ["a"]
    assert tomllib.loads(path.read_text(encoding="utf-8")) == document
