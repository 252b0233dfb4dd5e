"""Where a surface to compare comes from: an `api.json`, a spec set, a single spec, or a git revision."""

from __future__ import annotations

import io
import json
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ..config import Config, from_arguments, load_pyproject
from ..errors import Diagnostics, SdkgenError
from ..ir_builder.sdk import build_sdk
from ..load.documents import read_document
from ..recursion import deep_recursion
from .extract import FORMAT, LEGACY_FORMATS, SURFACE_FILE, Surface, build_surface, surface_json

READABLE_FORMATS = (FORMAT, *LEGACY_FORMATS)


@dataclass(frozen=True)
class LabelledSurface:
    """A surface and how to name it in a report."""

    label: str
    surface: Surface


def surface_of_config(config: Config) -> Surface:
    """The surface a generation from `config` would write as `api.json` (from the IR; nothing is rendered or written)."""
    with deep_recursion():
        sdk = build_sdk(config, Diagnostics())
    surface: Surface = json.loads(surface_json(build_surface(sdk)))
    return surface


def read_surface_file(path: Path) -> Surface:
    """An `api.json` written by sdkgen."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SdkgenError(f"{path}: not a readable api.json ({exc})") from None
    if not isinstance(data, dict) or data.get("format") not in READABLE_FORMATS:
        raise SdkgenError(f'{path}: not an sdkgen API surface (expected "format": "{FORMAT}")')
    return data


def _spec_kind(path: Path) -> str:
    data = read_document(path).data
    for kind in ("openapi", "openrpc"):
        if isinstance(data, dict) and kind in data:
            return kind
    raise SdkgenError(f"{path}: neither an OpenAPI nor an OpenRPC document (no top-level `openapi` or `openrpc` key)")


def _single_spec(path: Path, name: str) -> Config:
    """A one-API configuration for comparing two versions of one spec file (the API is named `name`)."""
    kind = _spec_kind(path)
    package = "sdk"
    specs = [f"{name}={path}"]
    return from_arguments(
        package=package,
        output=Path(tempfile.gettempdir()) / "sdkgen-diff",
        openapi=specs if kind == "openapi" else [],
        openrpc=specs if kind == "openrpc" else [],
        overlays=[],
        version="0.0.0",
    )


def _git(root: Path, *args: str, binary: bool = False) -> bytes:
    try:
        completed = subprocess.run(["git", "-C", str(root), *args], capture_output=True, check=False)
    except FileNotFoundError:
        raise SdkgenError("git is not installed; compare api.json files or spec sets instead") from None
    if completed.returncode != 0:
        raise SdkgenError(f"git {' '.join(args)}: {completed.stderr.decode('utf-8', 'replace').strip()}")
    return completed.stdout


def is_git_revision(root: Path, text: str) -> bool:
    try:
        completed = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "--verify", "--quiet", f"{text}^{{commit}}"], capture_output=True, check=False
        )
    except FileNotFoundError:
        return False
    return completed.returncode == 0


def git_tag_exists(root: Path, tag: str) -> bool:
    return is_git_revision(root, f"refs/tags/{tag}")


def surface_at_revision(root: Path, revision: str) -> LabelledSurface:
    """The surface the spec set of a git revision makes, built with the current generator.

    Building from the revision's specs (not reading its committed api.json) keeps the comparison
    about the specs even when a commit changed a spec without regenerating; to compare what was
    committed, generator changes included, compare the two revisions' api.json files instead.
    """
    commit = _git(root, "rev-parse", "--short", f"{revision}^{{commit}}").decode().strip()
    label = f"{revision} ({commit})" if not revision.startswith(commit) else commit
    archive = _git(root, "archive", "--format=tar", commit)
    with tempfile.TemporaryDirectory(prefix="sdkgen-rev-") as scratch:
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(scratch, filter="data")
        return LabelledSurface(label, surface_of_config(load_pyproject(Path(scratch) / "pyproject.toml")))


def resolve(argument: str, *, root: Path) -> LabelledSurface:
    """Read one side of a comparison.

    `argument` is an `api.json`, a `pyproject.toml` (or a folder holding one) with `[tool.sdkgen]`,
    a single OpenAPI/OpenRPC document (optionally `NAME=FILE`), or a git revision of `root`.
    """
    name, sep, rest = argument.partition("=")
    path = Path(rest if sep and name.isidentifier() else argument)
    api_name = name if sep and name.isidentifier() else "api"
    if path.is_dir():
        if (path / "pyproject.toml").is_file():
            path = path / "pyproject.toml"
        else:
            found = sorted(path.glob(f"*/{SURFACE_FILE}"))
            if len(found) != 1:
                raise SdkgenError(f"{path}: a folder to compare needs a pyproject.toml or exactly one */{SURFACE_FILE}")
            path = found[0]
    if path.is_file():
        if path.name == "pyproject.toml" or path.suffix == ".toml":
            config = load_pyproject(path)
            return LabelledSurface(str(argument), surface_of_config(config))
        if path.suffix == ".json":
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, json.JSONDecodeError):
                data = None
            if isinstance(data, dict) and data.get("format") in READABLE_FORMATS:
                return LabelledSurface(str(argument), data)
        surface = surface_of_config(_single_spec(path, api_name))
        surface["version"] = ""  # a lone spec has no package version to bump
        return LabelledSurface(str(argument), surface)
    if is_git_revision(root, argument):
        return surface_at_revision(root, argument)
    raise SdkgenError(f"{argument}: no such file, folder or git revision")
