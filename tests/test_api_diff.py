"""The API surface (api.json) and `sdkgen diff`: every spec change is reported in SDK terms and classified."""

from __future__ import annotations

import copy
import enum
import importlib
import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.cli import EXIT_BREAKING
from generator.cli import main as sdkgen
from generator.config import load_pyproject
from generator.surface.diff import diff_surfaces, union_members
from generator.surface.extract import FORMAT, HTTP_ERROR_CLASSES, docs_digest
from generator.surface.report import compare, docs_diff, to_markdown
from generator.surface.semver import bump, level_between
from generator.surface.sources import read_surface_file, resolve, surface_of_config
from tests.conftest import FIXTURES, ROOT

CASES_DIR = FIXTURES / "spec_changes"
CASES: dict[str, Any] = yaml.safe_load((CASES_DIR / "cases.yaml").read_text(encoding="utf-8"))
COMMITTED_SURFACE = ROOT / "generated" / "coinbase_sdk" / "api.json"


def pair(case: str) -> tuple[str, str]:
    folder = CASES_DIR / case
    old = next(folder.glob("old.*"))
    new = next(folder.glob("new.*"))
    return str(old), str(new)


@pytest.fixture(scope="module")
def flagship_surface() -> dict[str, Any]:
    return surface_of_config(load_pyproject(ROOT / "pyproject.toml"))


@pytest.mark.parametrize("case", sorted(CASES))
def test_spec_change_is_classified_with_its_bump(case: str) -> None:
    old_path, new_path = pair(case)
    old = resolve(old_path, root=ROOT).surface
    new = resolve(new_path, root=ROOT).surface
    changes = diff_surfaces(old, new)
    found = sorted([c.kind, c.subject, c.breaking] for c in changes)
    assert found == sorted(CASES[case]["changes"]), [str(c) for c in changes]
    level = max((c.level for c in changes), key=["patch", "minor", "major"].index)
    assert level == CASES[case]["bump"]


def test_every_change_fixture_has_an_expectation() -> None:
    folders = {p.name for p in CASES_DIR.iterdir() if p.is_dir()}
    assert folders == set(CASES)


def test_flagship_against_itself_is_empty(flagship_surface: dict[str, Any]) -> None:
    assert diff_surfaces(flagship_surface, flagship_surface) == []
    committed = json.loads(COMMITTED_SURFACE.read_text(encoding="utf-8"))
    assert diff_surfaces(committed, flagship_surface) == []


def test_surface_lists_every_field_of_every_generated_model() -> None:
    """api.json describes the code users import: its fields and enum values are the classes' own."""
    surface = json.loads(COMMITTED_SURFACE.read_text(encoding="utf-8"))
    for api_name, api in surface["apis"].items():
        module = importlib.import_module(f"coinbase_sdk.models.{api_name}")
        for name, entry in api["models"].items():
            cls = getattr(module, name)
            if entry["kind"] == "enum":
                assert issubclass(cls, enum.Enum)
                assert entry["values"] == [member.value for member in cls], name
            elif entry["kind"] == "model":
                assert set(entry["fields"]) == set(cls.model_fields), name
                required = {f for f, info in cls.model_fields.items() if info.is_required()}
                assert {f for f, e in entry["fields"].items() if e["required"]} == required, name


def test_surface_operations_match_the_generated_signatures() -> None:
    import inspect

    from coinbase_sdk import Client

    surface = json.loads(COMMITTED_SURFACE.read_text(encoding="utf-8"))
    with Client() as client:
        for api_name, api in surface["apis"].items():
            for key, op in api["operations"].items():
                group, name = key.split(".")
                method = getattr(getattr(getattr(client, api_name), group), name)
                parameters = inspect.signature(method).parameters
                for param, entry in op["params"].items():
                    assert param in parameters, f"{key}({param})"
                    kind = parameters[param].kind
                    assert (kind is inspect.Parameter.POSITIONAL_OR_KEYWORD) == ("position" in entry), f"{key}({param})"
                    assert (parameters[param].default is inspect.Parameter.empty) == entry["required"], f"{key}({param})"


def test_http_error_classes_match_the_runtime() -> None:
    from coinbase_sdk._exceptions import _STATUS_CLASSES

    assert HTTP_ERROR_CLASSES == {status: cls.__name__ for status, cls in _STATUS_CLASSES.items()}


def test_response_enum_that_is_closed_breaks_on_a_new_value() -> None:
    old = {"apis": {"a": {"operations": {}, "errors": {}, "models": {"Side": enum_entry(["buy"], open_=False)}}}}
    new = {"apis": {"a": {"operations": {}, "errors": {}, "models": {"Side": enum_entry(["buy", "sell"], open_=False)}}}}
    (change,) = diff_surfaces(old, new)
    assert change.kind == "enum-value-added" and change.breaking


def enum_entry(values: list[str], *, open_: bool) -> dict[str, Any]:
    return {"kind": "enum", "open": open_, "values": values, "docs": "", "roles": ["output"]}


@pytest.mark.parametrize(
    ("old", "new", "reads", "breaking"),
    [
        ("str", "str | int", False, False),  # a parameter that accepts more
        ("str | int", "str", False, True),  # a parameter that accepts less
        ("str | int", "str", True, False),  # a response value that can be fewer things
        ("str", "str | int", True, True),  # a response value that can be more things
        ("Literal['a']", "Literal['a', 'b']", True, True),  # a closed set that grows, read by users
    ],
)
def test_type_changes_are_judged_by_direction(old: str, new: str, reads: bool, breaking: bool) -> None:
    model = {"kind": "model", "docs": "", "roles": ["output" if reads else "input"]}
    before = {"apis": {"a": {"operations": {}, "errors": {}, "models": {"M": {**model, "fields": {"x": {"type": old, "required": True}}}}}}}
    after = {"apis": {"a": {"operations": {}, "errors": {}, "models": {"M": {**model, "fields": {"x": {"type": new, "required": True}}}}}}}
    (change,) = diff_surfaces(before, after)
    assert change.breaking is breaking


def test_union_members_reads_optional_and_literals() -> None:
    assert union_members("Optional[int]") == {"int", "None"}
    assert union_members("Literal['a', 'b'] | None") == {"Literal['a']", "Literal['b']", "None"}


@pytest.mark.parametrize(
    ("version", "level", "expected"),
    [
        ("1.4.2", "major", "2.0.0"),
        ("1.4.2", "minor", "1.5.0"),
        ("1.4.2", "patch", "1.4.3"),
        ("0.3.1", "major", "0.4.0"),  # before 1.0 a breaking change bumps the minor
        ("0.3.1", "minor", "0.3.2"),
        ("0.3.1", "none", "0.3.1"),
    ],
)
def test_semver_bump(version: str, level: str, expected: str) -> None:
    assert bump(version, level) == expected
    if level != "none":
        assert level_between(version, expected) == level


def test_diff_exit_status_says_whether_anything_breaks(capsys: pytest.CaptureFixture[str]) -> None:
    assert sdkgen(["diff", *pair("field_removed")]) == EXIT_BREAKING
    assert "## Breaking changes" in capsys.readouterr().out
    assert sdkgen(["diff", *pair("field_added")]) == 0
    assert "**Proposed bump: minor**" in capsys.readouterr().out


def test_diff_writes_json_for_tools(tmp_path: Path) -> None:
    report = tmp_path / "report.json"
    assert sdkgen(["diff", *pair("jsonrpc_param_renamed"), "--format", "json", "--output", str(report)]) == EXIT_BREAKING
    data = json.loads(report.read_text(encoding="utf-8"))
    assert data["breaking"] is True and data["bump"] == "major"
    assert data["changes"][0]["kind"] == "param-renamed"


def test_diff_of_a_missing_input_is_a_clear_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert sdkgen(["diff", "no/such/spec.yaml", "HEAD"]) == 1
    assert "no/such/spec.yaml: no such file, folder or git revision" in capsys.readouterr().err


def project(tmp_path: Path, spec_source: Path, version: str = "0.1.0") -> Path:
    """A project folder with [tool.sdkgen] over one OpenAPI spec, committed in a fresh git repository."""
    root = tmp_path / "project"
    (root / "specs").mkdir(parents=True)
    shutil.copy(spec_source, root / "specs" / "api.yaml")
    (root / "pyproject.toml").write_text(
        f'[tool.sdkgen]\npackage = "pets_sdk"\nversion = "{version}"\noutput = "generated"\n\n'
        '[[tool.sdkgen.apis]]\nname = "pets"\nopenapi = "specs/api.yaml"\n',
        encoding="utf-8",
    )
    git(root, "init", "-q", "-b", "main")
    assert sdkgen(["generate", "--config", str(root / "pyproject.toml")]) == 0
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "first")
    return root


def git(root: Path, *args: str) -> str:
    env = {
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@e",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@e",
        "PATH": "/usr/bin:/bin",
    }
    return subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True, text=True, env=env).stdout


def test_diff_against_a_git_revision_sees_the_working_tree(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    old, new = pair("enum_value_removed")
    root = project(tmp_path, Path(old))
    shutil.copy(new, root / "specs" / "api.yaml")
    capsys.readouterr()
    assert sdkgen(["diff", "HEAD", "--config", str(root / "pyproject.toml")]) == EXIT_BREAKING
    out = capsys.readouterr().out
    assert "`models.pets.PetStatus`: value 'pending' removed" in out
    git(root, "commit", "-q", "-am", "second")
    assert sdkgen(["diff", "HEAD~1", "HEAD", "--config", str(root / "pyproject.toml")]) == EXIT_BREAKING


def test_regenerate_prints_what_changed_in_the_api(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    old, new = pair("field_removed")
    root = project(tmp_path, Path(old))
    shutil.copy(new, root / "specs" / "api.yaml")
    capsys.readouterr()
    assert sdkgen(["generate", "--config", str(root / "pyproject.toml")]) == 0
    out = capsys.readouterr().out
    assert "API surface: 1 breaking; proposed bump: major (0.1.0 → 0.2.0)" in out
    assert "BREAKING models.pets.Pet.age: field removed" in out


def released_project(tmp_path: Path, spec_source: Path, version: str) -> Path:
    """`project()` whose first commit is the release `version` (tagged as `sdkgen release` tags)."""
    root = project(tmp_path, spec_source, version=version)
    git(root, "tag", "-a", f"v{version}", "-m", f"Release {version}")
    return root


def change_spec(root: Path, new_spec: str | Path, message: str = "spec update") -> None:
    shutil.copy(new_spec, root / "specs" / "api.yaml")
    assert sdkgen(["generate", "--config", str(root / "pyproject.toml")]) == 0
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", message)


def test_release_bumps_from_the_diff_commits_and_tags(tmp_path: Path, git_identity: None) -> None:
    old, new = pair("optional_param_added")
    root = released_project(tmp_path, Path(old), "1.2.0")
    change_spec(root, new)
    assert sdkgen(["release", "--config", str(root / "pyproject.toml"), "--date", "2026-11-21"]) == 0
    assert 'version = "1.3.0"' in (root / "pyproject.toml").read_text(encoding="utf-8")
    changelog = (root / "CHANGELOG.md").read_text(encoding="utf-8")
    assert changelog.startswith("# Changelog\n\n## 1.3.0 (2026-11-21)\n\nCompared with v1.2.0")
    assert "- `client.pets.pets.list_pets(status)`: new optional parameter `str`" in changelog
    assert '__version__ = "1.3.0"' in (root / "generated" / "pets_sdk" / "_version.py").read_text(encoding="utf-8")
    assert (root / "generated" / "CHANGELOG.md").read_text(encoding="utf-8") == changelog
    # Committed and tagged: the tree is clean, HEAD is the release, its tag records the baseline.
    assert git(root, "status", "--porcelain") == ""
    assert git(root, "log", "-1", "--format=%s").strip() == "Release 1.3.0"
    assert git(root, "tag", "--points-at", "HEAD").split() == ["v1.3.0"]
    assert "compared with v1.2.0" in git(root, "tag", "-l", "--format=%(contents)", "v1.3.0")
    # The next release compares with that tag: a docs-only change is a patch.
    text = (root / "specs" / "api.yaml").read_text(encoding="utf-8").replace("List pets", "List the pets")
    (root / "specs" / "api.yaml").write_text(text, encoding="utf-8")
    git(root, "commit", "-q", "-am", "docs")
    assert sdkgen(["release", "--config", str(root / "pyproject.toml"), "--date", "2026-11-22"]) == 0
    changelog = (root / "CHANGELOG.md").read_text(encoding="utf-8")
    assert changelog.startswith("# Changelog\n\n## 1.3.1 (2026-11-22)\n\nCompared with v1.3.0")
    assert "list_pets`: documentation changed" in changelog
    assert "## 1.3.0 (2026-11-21)" in changelog
    assert git(root, "tag", "--points-at", "HEAD").split() == ["v1.3.1"]


@pytest.fixture
def git_identity(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("GIT_AUTHOR_NAME", "GIT_COMMITTER_NAME"):
        monkeypatch.setenv(name, "t")
    for name in ("GIT_AUTHOR_EMAIL", "GIT_COMMITTER_EMAIL"):
        monkeypatch.setenv(name, "t@e")


def files_of(root: Path) -> dict[Path, bytes]:
    return {p: p.read_bytes() for p in root.rglob("*") if p.is_file() and ".git" not in p.parts}


def test_release_refuses_a_version_too_small_for_the_changes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], git_identity: None
) -> None:
    old, new = pair("operation_removed")
    root = released_project(tmp_path, Path(old), "1.2.0")
    change_spec(root, new)
    before, head = files_of(root), git(root, "rev-parse", "HEAD")
    assert sdkgen(["release", "--config", str(root / "pyproject.toml"), "--version", "1.2.1"]) == 1
    assert "need a major bump, 2.0.0" in capsys.readouterr().err
    assert files_of(root) == before and git(root, "rev-parse", "HEAD") == head
    assert git(root, "tag", "--list", "v1.2.1") == ""
    assert sdkgen(["release", "--config", str(root / "pyproject.toml"), "--version", "2.0.0", "--date", "2026-11-21"]) == 0
    assert "### Breaking changes\n\n- `client.pets.pets.get_pet`: removed" in (root / "CHANGELOG.md").read_text(encoding="utf-8")


def test_release_refuses_uncommitted_changes_and_changes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], git_identity: None
) -> None:
    old, new = pair("field_added")
    root = released_project(tmp_path, Path(old), "1.2.0")
    shutil.copy(new, root / "specs" / "api.yaml")
    before = files_of(root)
    assert sdkgen(["release", "--config", str(root / "pyproject.toml")]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: uncommitted changes in ") and "(specs/api.yaml): commit them first" in err
    assert len(err.strip().splitlines()) == 1
    assert files_of(root) == before and git(root, "tag", "--list") == "v1.2.0\n"


def test_release_without_a_tag_compares_with_head_and_says_how_to_tag(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], git_identity: None
) -> None:
    """A clone without tags: the baseline is HEAD, with a warning that names the commit that set the version."""
    old, new = pair("field_added")
    root = project(tmp_path, Path(old), version="1.2.0")
    first = git(root, "rev-parse", "HEAD").strip()
    change_spec(root, new)
    capsys.readouterr()
    assert sdkgen(["release", "--config", str(root / "pyproject.toml")]) == 1
    err = capsys.readouterr().err
    assert "the public surface did not change since HEAD" in err
    assert f"git tag v1.2.0 {first[:12]}" in err  # the warning comes first and says what to do
    assert sdkgen(["diff", "--config", str(root / "pyproject.toml")]) == 0
    warning = capsys.readouterr().err
    assert "no release tag (v<version>) is reachable from HEAD, so the baseline is HEAD" in warning
    assert f"git tag v1.2.0 {first[:12]}" in warning
    git(root, "tag", "v1.2.0", first)  # what the warning says to do
    assert sdkgen(["release", "--config", str(root / "pyproject.toml"), "--date", "2026-11-21"]) == 0
    changelog = (root / "CHANGELOG.md").read_text(encoding="utf-8")
    assert "## 1.3.0 (2026-11-21)\n\nCompared with v1.2.0" in changelog
    assert "`models.pets.Pet.tag`: new optional field" in changelog


def test_release_outside_git_is_one_clear_line(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    old, _ = pair("field_added")
    (tmp_path / "specs").mkdir()
    shutil.copy(old, tmp_path / "specs" / "api.yaml")
    (tmp_path / "pyproject.toml").write_text(
        '[tool.sdkgen]\npackage = "pets_sdk"\nversion = "1.0.0"\noutput = "generated"\n\n'
        '[[tool.sdkgen.apis]]\nname = "pets"\nopenapi = "specs/api.yaml"\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))  # the temporary folder may be inside a repository
    assert sdkgen(["release", "--config", str(tmp_path / "pyproject.toml")]) == 1
    err = capsys.readouterr().err.strip()
    assert err.splitlines() == [err]
    assert err.startswith(f"error: {tmp_path} is not in a git repository: `sdkgen release` compares with the last release tag")
    assert "fatal" not in err and "rev-parse" not in err


def test_diff_defaults_to_the_last_release_and_head_is_one_argument_away(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], git_identity: None
) -> None:
    old, new = pair("field_removed")
    root = released_project(tmp_path, Path(old), "1.2.0")
    change_spec(root, new)  # committed: HEAD has it, the release v1.2.0 does not
    capsys.readouterr()
    config = ["--config", str(root / "pyproject.toml")]
    assert sdkgen(["diff", *config]) == EXIT_BREAKING
    captured = capsys.readouterr()
    assert "# API changes: v1.2.0 (" in captured.out and "`models.pets.Pet.age`: field removed" in captured.out
    assert captured.err == ""
    assert sdkgen(["diff", "HEAD", *config]) == 0
    assert "**Proposed bump: none**" in capsys.readouterr().out


def test_websocket_channels_are_part_of_the_surface(flagship_surface: dict[str, Any]) -> None:
    import copy

    channels = flagship_surface["apis"]["derivatives"]["channels"]
    assert channels["user_portfolio"]["endpoint"] == "channel user.portfolio.{currency} (private)"
    assert "PortfolioNotification" in channels["user_portfolio"]["returns"]
    fewer = copy.deepcopy(flagship_surface)
    del fewer["apis"]["derivatives"]["channels"]["user_portfolio"]
    (removed,) = diff_surfaces(flagship_surface, fewer)
    assert (removed.kind, removed.subject, removed.breaking) == (
        "operation-removed",
        "client.derivatives.ws.subscribe.user_portfolio",
        True,
    )
    (added,) = diff_surfaces(fewer, flagship_surface)
    assert (added.kind, added.breaking) == ("operation-added", False)


def test_output_option_overrides_the_configured_output(tmp_path: Path) -> None:
    old, _ = pair("field_added")
    root = project(tmp_path, Path(old))
    elsewhere = tmp_path / "elsewhere"
    assert sdkgen(["generate", "--config", str(root / "pyproject.toml"), "--output", str(elsewhere)]) == 0
    assert (elsewhere / "pets_sdk" / "api.json").is_file()


def test_documentation_changes_are_shown_as_wrapped_text(capsys: pytest.CaptureFixture[str]) -> None:
    assert sdkgen(["diff", *pair("description_only")]) == 0
    out = capsys.readouterr().out
    assert (
        "- `client.api.pets.list_pets`: documentation changed\n\n"
        "  ```diff\n"
        "   List pets\n"
        "   \n"
        "  -Every pet in the store, newest first.\n"
        "  +Every pet in the store, newest first (at most 100 per page).\n"
        "  ```\n"
    ).replace("   \n", "\n") in out
    assert not re.search(r"\b[0-9a-f]{12}\b", out)  # no digests


def test_a_long_documentation_change_shows_only_the_changed_lines_wrapped() -> None:
    paragraph = "Returns every order of the portfolio, newest first, with its fills and fees. " * 8
    before = f"List orders\n\n{paragraph}\n\nRate limited to 10 requests per second."
    after = before.replace("newest first, with its fills", "oldest first, with its fills", 1)
    lines = docs_diff(before, after)
    assert all(len(line) <= 89 for line in lines)  # wrapped to 88 columns (+ the `-`/`+`/` ` mark)
    changed = [line for line in lines if line[:1] in "+-"]
    assert len(changed) == 2 and "newest first" in changed[0] and "oldest first" in changed[1]
    assert not any("Rate limited" in line for line in lines)  # far from the change: not repeated


def test_a_field_change_carries_its_documentation_change(tmp_path: Path) -> None:
    report = tmp_path / "report.json"
    assert sdkgen(["diff", *pair("field_retyped_and_documented"), "--format", "json", "--output", str(report)]) == EXIT_BREAKING
    (change,) = json.loads(report.read_text(encoding="utf-8"))["changes"]
    assert (change["kind"], change["category"]) == ("field-retyped", "breaking")
    assert (change["docs_before"], change["docs_after"]) == ("", 'The age as the shelter wrote it down ("about 3").')


def to_format1(surface: dict[str, Any]) -> dict[str, Any]:
    """A surface as format 1 recorded it: documentation as digests, no field documentation."""
    old = copy.deepcopy(surface)
    old["format"] = "sdkgen-api/1"
    for api in old["apis"].values():
        for op in [*api["operations"].values(), *api.get("channels", {}).values()]:
            summary, _, description = op["docs"].partition("\n\n")
            op["docs"] = docs_digest(summary, description)
        for model in api["models"].values():
            model["docs"] = docs_digest(model["docs"])
            for entry in model.get("fields", {}).values():
                entry.pop("docs", None)
    return old


def test_older_api_json_on_both_sides_reports_documentation_changes_without_text() -> None:
    old, new = (resolve(p, root=ROOT).surface for p in pair("description_only"))
    (change,) = diff_surfaces(to_format1(old), to_format1(new))
    assert change.kind == "operation-docs-changed"
    assert change.message == "documentation changed (an older api.json records a digest, not the text)"
    assert (change.docs_before, change.docs_after) == (None, None)


def test_an_older_api_json_against_a_newer_one_compares_operation_documentation() -> None:
    """A committed format-1 api.json (the seed fixture's, before the format changed) against today's."""
    old = json.loads((FIXTURES / "surfaces" / "seed_sdk.format1.api.json").read_text(encoding="utf-8"))
    new = json.loads((ROOT / "tests" / "fixtures" / "expected" / "seed_sdk" / "seed_sdk" / "api.json").read_text(encoding="utf-8"))
    assert old["format"] == "sdkgen-api/1" and new["format"] == FORMAT
    assert diff_surfaces(old, new) == []  # the digests of unchanged documentation are recognised
    report = compare("old", old, "new", new)
    assert "model documentation is not compared" in to_markdown(report)
    changed = copy.deepcopy(new)
    (op,) = next(iter(changed["apis"].values()))["operations"].values()
    op["docs"] = op["docs"].replace("Get Portfolios Balances", "Get the balances of a portfolio")
    (change,) = diff_surfaces(old, changed)
    assert change.kind == "operation-docs-changed" and change.docs_before is None
    assert change.docs_after is not None and change.docs_after.startswith("Get the balances of a portfolio")
    assert read_surface_file(FIXTURES / "surfaces" / "seed_sdk.format1.api.json")["format"] == "sdkgen-api/1"


@pytest.mark.parametrize(
    ("narrow", "wide"),
    [
        ("str", "Any"),
        ("int", "float"),
        ("bool", "int"),
        ("Literal['a']", "str"),
        ("Literal['a']", "Literal['a', 'b']"),
        ("list[int]", "list[float]"),
        ("list[str]", "Sequence[str]"),
        ("dict[str, str]", "dict[str, Any]"),
        ("int", "int | None"),
        ("Pet", "Pet | Cat"),
        ("list[Pet]", "list[Any]"),
    ],
)
def test_narrowing_and_widening_are_judged_the_same_way_in_both_directions(narrow: str, wide: str) -> None:
    """A widening and its revert: breaking exactly where the rule says, never both ways, never neither."""

    def surface(annotation: str, role: str) -> dict[str, Any]:
        model = {"kind": "model", "docs": "", "roles": [role], "fields": {"x": {"type": annotation, "required": True, "docs": ""}}}
        return {"apis": {"a": {"operations": {}, "errors": {}, "models": {"M": model}}}}

    for reads, writes in ((True, False), (False, True)):
        role = "output" if reads else "input"
        (widened,) = diff_surfaces(surface(narrow, role), surface(wide, role))
        (narrowed,) = diff_surfaces(surface(wide, role), surface(narrow, role))
        assert widened.breaking is reads, (narrow, wide, widened)  # a value read can now be more things
        assert narrowed.breaking is writes, (wide, narrow, narrowed)  # a value written can now be fewer things


def test_variant_helpers_are_in_the_surface_with_their_own_arguments(flagship_surface: dict[str, Any]) -> None:
    helper = flagship_surface["apis"]["advanced_trade"]["helpers"]["orders.market_order_buy"]
    assert helper["calls"] == "client.advanced_trade.orders.create_order"
    assert helper["endpoint"] == "POST /api/v3/brokerage/orders" and helper["returns"] == "NewOrderResponse"
    assert {"client_order_id", "product_id", "quote_size", "base_size"} <= set(helper["params"])
    assert "side" not in helper["params"]  # the helper fixes it


def test_a_removed_helper_argument_is_breaking(flagship_surface: dict[str, Any]) -> None:
    new = copy.deepcopy(flagship_surface)
    del new["apis"]["advanced_trade"]["helpers"]["orders.market_order_buy"]["params"]["base_size"]
    (change,) = diff_surfaces(flagship_surface, new)
    assert change.breaking and change.subject == "client.advanced_trade.orders.market_order_buy(base_size)"


def test_paged_operations_record_their_pages(flagship_surface: dict[str, Any]) -> None:
    operations = flagship_surface["apis"]["advanced_trade"]["operations"]
    assert operations["accounts.get_accounts"]["pages"] == {"style": "cursor", "item": "Account"}
    assert operations["accounts.get_account"]["pages"] is None


def test_a_call_that_stops_paging_is_breaking_and_an_older_surface_is_not_misread(flagship_surface: dict[str, Any]) -> None:
    new = copy.deepcopy(flagship_surface)
    new["apis"]["advanced_trade"]["operations"]["accounts.get_accounts"]["pages"] = None
    (change,) = diff_surfaces(flagship_surface, new)
    assert change.kind == "operation-paging-changed" and change.breaking
    assert "no longer a page of `Account`" in change.message
    older = copy.deepcopy(flagship_surface)  # an api.json written before pages were recorded
    for operation in older["apis"]["advanced_trade"]["operations"].values():
        del operation["pages"]
    assert [c for c in diff_surfaces(older, flagship_surface) if c.kind == "operation-paging-changed"] == []
