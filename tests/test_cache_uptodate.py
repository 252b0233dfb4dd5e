"""`sdkgen generate` reuses an output whose inputs and bytes are as the last generation left them (generator/uptodate.py).

One small project (the seed spec, an overlay, a copy of the templates, a changelog, a pyproject) is
generated once for the module. Each test changes one thing, checks that the output is no longer
reusable, puts it back, and checks that it is again, so no test passes by the record being stale
anyway. The full regeneration after a change is compared with a cold run.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from generator import uptodate
from generator.cli import main as sdkgen
from generator.config import Config, load_pyproject
from generator.locations import TEMPLATES
from generator.write import MANIFEST, tree_files
from tests.conftest import ROOT

SEED = ROOT / "tests" / "fixtures" / "specs" / "seed_intx_balances.yaml"
OVERLAY = """overlay: 1.0.0
info: {title: Describe the API, version: "1"}
extends: spec.yaml
actions:
  - target: $.info
    update: {description: The balances of a portfolio.}
"""
PYPROJECT = """[tool.sdkgen]
package = "seed_sdk"
version = "0.1.0"
output = "out"

[[tool.sdkgen.apis]]
name = "trade"
openapi = "spec.yaml"
overlays = ["overlay.yaml"]
"""


@dataclass(frozen=True)
class Project:
    root: Path
    templates: Path
    generator: Path  # a copy of generator/ that the record's key is taken from (so a test may edit it)

    @property
    def pyproject(self) -> Path:
        return self.root / "pyproject.toml"

    @property
    def output(self) -> Path:
        return self.root / "out"

    def config(self) -> Config:
        return load_pyproject(self.pyproject)

    def reusable(self) -> uptodate.Outcome | None:
        return uptodate.reusable(self.config(), self.templates)

    def generate(self, *extra: str) -> tuple[int, str]:
        out = io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
            code = sdkgen(["generate", "--config", str(self.pyproject), "--templates", str(self.templates), *extra])
        return code, out.getvalue()


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Project]:
    root = tmp_path_factory.mktemp("uptodate")
    shutil.copy(SEED, root / "spec.yaml")
    (root / "overlay.yaml").write_text(OVERLAY, encoding="utf-8")
    (root / "pyproject.toml").write_text(PYPROJECT, encoding="utf-8")
    (root / "CHANGELOG.md").write_text("# Changelog\n", encoding="utf-8")
    templates = shutil.copytree(TEMPLATES, root / "templates")
    generator = shutil.copytree(ROOT / "generator", root / "generator-copy", ignore=shutil.ignore_patterns("__pycache__"))
    patch = pytest.MonkeyPatch()
    patch.setattr(uptodate, "_GENERATOR", generator)
    made = Project(root, templates, generator)
    code, _ = made.generate()
    assert code == 0
    yield made
    patch.undo()


def reused(printed: str) -> bool:
    return any(line.startswith("up to date:") for line in printed.splitlines())


@contextlib.contextmanager
def changed(path: Path, edit: Callable[[bytes], bytes]) -> Iterator[None]:
    before = path.read_bytes()
    path.write_bytes(edit(before))
    try:
        yield
    finally:
        path.write_bytes(before)


def test_an_unchanged_project_is_reused_without_loading_anything(project: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    before = {path: (data, (project.output / path).stat().st_mtime_ns) for path, data in tree_files(project.output).items()}

    def never(*_: object, **__: object) -> None:
        raise AssertionError("the pipeline ran although the output was up to date")

    monkeypatch.setattr("generator.pipeline.generate", never)
    code, printed = project.generate()
    assert code == 0
    assert reused(printed) and "seed_sdk" in printed and "1 operations" in printed
    assert {path: (data, (project.output / path).stat().st_mtime_ns) for path, data in tree_files(project.output).items()} == before


def _appended(text: bytes) -> Callable[[bytes], bytes]:
    return lambda data: data + text


INPUT_EDITS = {
    "the spec": ("spec.yaml", _appended(b"x-note: edited\n")),
    "an overlay": ("overlay.yaml", lambda data: data.replace(b"The balances", b"All balances")),
    "the configuration": ("pyproject.toml", lambda data: data.replace(b'version = "0.1.0"', b'version = "0.2.0"')),
    "a template": ("templates/package/README.md.jinja", _appended(b"\n")),
    "the changelog it copies": ("CHANGELOG.md", _appended(b"\n## 0.1.0\n")),
    "the generator's code": ("generator-copy/pipeline.py", _appended(b"\n# edited\n")),
    "a generated file": ("out/seed_sdk/_client.py", _appended(b"# edited by hand\n")),
    "the output's manifest": ("out/" + MANIFEST, lambda data: data.replace(b'"generator"', b'"generator" ')),
}


@pytest.mark.parametrize("what", sorted(INPUT_EDITS))
def test_a_change_to_any_input_or_to_the_output_is_not_reused(project: Project, what: str) -> None:
    relative, edit = INPUT_EDITS[what]
    assert project.reusable() is not None
    with changed(project.root / relative, edit):
        assert project.reusable() is None, what
    assert project.reusable() is not None  # put back: current again


def test_a_missing_generated_file_is_not_reused(project: Project) -> None:
    target = project.output / "seed_sdk" / "py.typed"
    kept = target.read_bytes()
    target.unlink()
    try:
        assert project.reusable() is None
    finally:
        target.write_bytes(kept)
    assert project.reusable() is not None


def test_a_symlinked_generated_folder_is_not_reused(project: Project) -> None:
    folder = project.output / "seed_sdk" / "models"
    moved = folder.with_name("models-elsewhere")
    folder.rename(moved)
    folder.symlink_to(moved)  # the same bytes, but reached through a link a generation refuses to write through
    try:
        assert project.reusable() is None
    finally:
        folder.unlink()
        moved.rename(folder)
    assert project.reusable() is not None


def test_a_changelog_that_appears_is_not_reused(project: Project) -> None:
    changelog = project.root / "CHANGELOG.md"
    kept = changelog.read_bytes()
    changelog.unlink()
    try:
        assert project.generate()[0] == 0
        assert project.reusable() is not None
        changelog.write_bytes(kept)
        assert project.reusable() is None  # it was looked for and not there: its appearing counts
    finally:
        changelog.write_bytes(kept)
        assert project.generate()[0] == 0


def test_a_regeneration_after_a_change_is_a_cold_run_byte_for_byte(
    project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = project.root / "spec.yaml"
    with changed(spec, lambda data: data.replace(b"Get Portfolios Balances", b"Get the balances of a portfolio")):
        code, printed = project.generate()
        assert code == 0 and not reused(printed) and "3 changed" in printed
        assert reused(project.generate()[1])  # recorded again: the next run reuses it
        config = project.config()
        monkeypatch.setenv("SDKGEN_CACHE_DIR", "off")
        cold = tmp_path / "cold"
        from generator.pipeline import generate

        generate(Config(**{**config.__dict__, "output": cold}), project.templates)
        assert tree_files(project.output) == tree_files(cold)
    monkeypatch.undo()
    assert project.generate()[0] == 0


def test_force_generates_an_up_to_date_output(project: Project) -> None:
    assert project.reusable() is not None
    code, printed = project.generate("--force")
    assert code == 0 and not reused(printed) and "generated seed_sdk" in printed


def test_check_compares_even_when_the_record_vouches_for_a_hand_edited_output(project: Project) -> None:
    """`sdkgen check` (make check-generated) renders and compares; it never asks the record."""
    target = project.output / "seed_sdk" / "_client.py"
    manifest = project.output / MANIFEST
    kept = target.read_bytes(), manifest.read_bytes()
    record = uptodate._record_path(project.output)
    assert record is not None
    kept_record = record.read_bytes()
    edited = kept[0] + b"# edited by hand\n"
    target.write_bytes(edited)
    listed = json.loads(kept[1])
    listed["files"]["seed_sdk/_client.py"] = uptodate.digest(edited)
    forged = (json.dumps(listed, indent=2, sort_keys=True) + "\n").encode()
    manifest.write_bytes(forged)
    entry = json.loads(kept_record)
    entry["manifest"] = uptodate.digest(forged)
    record.write_text(json.dumps(entry), encoding="utf-8")
    try:
        assert project.reusable() is not None  # the forged record is fooled...
        out = io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
            code = sdkgen(["check", "--config", str(project.pyproject), "--templates", str(project.templates)])
        assert code == 1 and "-# edited by hand" in out.getvalue()  # ...check is not
    finally:
        target.write_bytes(kept[0])
        manifest.write_bytes(kept[1])
        record.write_bytes(kept_record)


def test_the_record_lists_every_file_a_generation_reads(project: Project) -> None:
    """Every file opened for reading during a generation, outside the generator, the templates, the
    environment, the output and the cache, is one of the record's inputs (an audit hook watches)."""
    opened: set[str] = set()
    watching = [True]

    def hook(event: str, args: tuple[object, ...]) -> None:
        if watching[0] and event == "open" and isinstance(args[0], str | Path):
            mode, flags = args[1], args[2]
            # A relative name is opened under a folder's descriptor (shutil.rmtree of the stage), which the event does not give.
            reading = (mode is None or "r" in str(mode)) and Path(str(args[0])).is_absolute()
            if reading and not (isinstance(flags, int) and flags & (os.O_WRONLY | os.O_RDWR | os.O_DIRECTORY)):
                opened.add(str(Path(str(args[0])).resolve()))

    sys.addaudithook(hook)  # hooks cannot be removed: this one stops watching at the end
    try:
        assert project.generate("--force")[0] == 0
    finally:
        watching[0] = False
    record = uptodate._record_path(project.output)
    assert record is not None
    inputs = json.loads(record.read_text(encoding="utf-8"))["inputs"]
    ignored = (
        str(project.templates),
        str(project.generator),
        str(ROOT / "generator"),
        str(ROOT / "templates"),
        str(ROOT / "plugins"),
        str(project.output.parent / ("." + project.output.name)),  # its stages and lock
        str(project.output),
        str(project.pyproject),  # read into the Config, which the key holds
        sys.prefix,
        sys.base_prefix,
        "/proc",
        "/dev",
    )
    from generator.load.cache import cache_dir

    cache = cache_dir()
    unrecorded = {p for p in opened if not p.startswith(ignored) and not (cache and p.startswith(str(cache)))} - set(inputs)
    assert unrecorded == set()
    assert {Path(p).name for p in inputs} >= {"spec.yaml", "overlay.yaml", "CHANGELOG.md"}
