"""sdkgen as a tool a team installs: the wheel carries its templates, and generates an SDK in a folder unrelated to this repository."""

from __future__ import annotations

import subprocess
import sys
import sysconfig
import tomllib
import zipfile
from pathlib import Path

import pytest

from generator.config import SETTINGS
from tests.conftest import FIXTURES, ROOT

SPEC = FIXTURES / "specs" / "security" / "bearer.yaml"


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(out), str(ROOT)],
        check=True,
        capture_output=True,
        text=True,
    )
    (built,) = out.glob("sdkgen-*.whl")
    return built


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtualenv with the wheel installed; its dependencies come from the project's pinned .venv
    (a .pth line, so the test needs no network), never the checkout itself."""
    venv = tmp_path_factory.mktemp("venv")
    # No pip of its own (installing one costs seconds): the development pip installs into it (`--python`).
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, capture_output=True)
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"), "install", "--quiet", "--no-deps", "--no-index"]
        + ["--disable-pip-version-check", str(wheel)],
        check=True,
        capture_output=True,
        text=True,
    )
    # Only now (so pip never sees the checkout's editable install) the dependencies become visible.
    site = Path(sysconfig.get_path("purelib", vars={"base": str(venv), "platbase": str(venv)}))
    (site / "project-dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n", encoding="utf-8")
    return venv


def test_the_wheel_ships_the_templates_and_resources(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for template in (ROOT / "templates").rglob("*"):
        if template.is_file() and template.suffix in (".py", ".jinja", ".jinja2"):
            assert f"generator/_templates/{template.relative_to(ROOT / 'templates').as_posix()}" in names, template
    assert "generator/resources/openrpc-meta-schema.json" in names
    assert not any(name.startswith(("plugins/", "specs/", "tests/")) for name in names)  # project content stays in the project


def test_installed_sdkgen_generates_an_sdk_in_an_unrelated_folder(installed: Path, tmp_path: Path) -> None:
    work = tmp_path / "team-project"
    work.mkdir()
    (work / "api.yaml").write_text(SPEC.read_text(encoding="utf-8"), encoding="utf-8")
    sdkgen = installed / "bin" / "sdkgen"
    where = subprocess.run(
        [
            str(installed / "bin" / "python"),
            "-c",
            "import generator, generator.locations as l; print(generator.__file__); print(l.TEMPLATES)",
        ],
        cwd=work,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert all(str(installed) in line for line in where), where  # the wheel's package and templates, not the checkout's
    result = subprocess.run(
        [str(sdkgen), "generate", "--openapi", "api.yaml", "--output", "out", "--package", "team_sdk", "--license", "Apache-2.0"],
        cwd=work,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    package = work / "out" / "team_sdk"
    assert (package / "_client.py").is_file() and (package / "_auth_bearer.py").is_file()
    assert 'license = "Apache-2.0"' in (work / "out" / "pyproject.toml").read_text()
    assert str(work) not in (package / "__init__.py").read_text()  # the spec is named relative to the project
    code = "import team_sdk; c = team_sdk.Client(bearer_token='t'); print(type(c.checks).__name__)"
    imported = subprocess.run(
        [str(installed / "bin" / "python"), "-c", code], cwd=work / "out", capture_output=True, text=True, check=False
    )
    assert imported.returncode == 0 and imported.stdout.strip() == "Checks", imported.stderr


def test_init_writes_a_starting_config_that_generates(installed: Path, tmp_path: Path) -> None:
    work = tmp_path / "another-team"
    (work / "specs").mkdir(parents=True)
    (work / "specs" / "api.yaml").write_text(SPEC.read_text(encoding="utf-8"), encoding="utf-8")
    sdkgen = str(installed / "bin" / "sdkgen")
    init = subprocess.run([sdkgen, "init", "--openapi", "specs/api.yaml"], cwd=work, capture_output=True, text=True, check=False)
    assert init.returncode == 0, init.stderr
    table = tomllib.loads((work / "pyproject.toml").read_text())["tool"]["sdkgen"]
    assert table["package"] == "checks_sdk" and table["apis"] == [{"name": "checks", "openapi": "specs/api.yaml"}]
    again = subprocess.run([sdkgen, "init", "--openapi", "specs/api.yaml"], cwd=work, capture_output=True, text=True, check=False)
    assert again.returncode == 1 and "already has a [tool.sdkgen] table" in again.stderr
    generated = subprocess.run([sdkgen, "generate"], cwd=work, capture_output=True, text=True, check=False)
    assert generated.returncode == 0, generated.stderr
    assert (work / "generated" / "checks_sdk" / "_client.py").is_file()


def test_generate_help_lists_every_sdkgen_key(installed: Path) -> None:
    text = subprocess.run([str(installed / "bin" / "sdkgen"), "generate", "--help"], capture_output=True, text=True, check=True).stdout
    for setting in SETTINGS:
        assert f"  {setting.key} " in text, setting.key
    for flag in ("--distribution", "--env-prefix", "--title", "--description", "--license", "--author", "--url", "--plugins"):
        assert flag in text


def test_readme_documents_every_sdkgen_key() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    rows = {line.split("|")[1].strip().strip("`") for line in readme.splitlines() if line.startswith("| `")}
    assert {s.key for s in SETTINGS} <= rows
